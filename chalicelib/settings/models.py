"""The request and response models of ``/admin/settings/branding`` (``settings.api``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt

from chalicelib.core.schemas import Body, Out, checked_by, reference_example
from chalicelib.settings import rules

Color = Annotated[str, checked_by(rules.color_problem), Field(description="#rrggbb")]
ImageType = Literal["image/png", "image/jpeg", "image/svg+xml", "image/x-icon"]
assert set(ImageType.__args__) == set(rules.IMAGE_TYPES)  # type: ignore[attr-defined]
FileKey = Annotated[str, Field(min_length=1, max_length=300)]
LOGO_MAX, FAVICON_MAX = rules.UPLOAD_KINDS["logo"][1], rules.UPLOAD_KINDS["favicon"][1]


class BrandingIn(Body):
    """Only the keys sent change; null resets a key to its default (display name: the
    business name; primary colour #2563eb; the others: none)."""

    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    primary_color: Color | None = None
    secondary_color: Color | None = None
    accent_color: Color | None = None


class BrandingPatch(BrandingIn):
    """Besides the texts, ``logo_key`` / ``favicon_key``: the ``key`` a
    ``logo-upload`` / ``favicon-upload`` answered, once the file is uploaded to it (422
    naming the field when it was not issued for this business, is not uploaded yet, or is
    not the type or size announced); null removes the logo or favicon."""

    model_config = reference_example(
        {"display_name": "Smith Heating", "primary_color": "#0f766e", "accent_color": "#f59e0b"}
    )

    logo_key: FileKey | None = None
    favicon_key: FileKey | None = None


class BrandingOut(Out):
    display_name: str
    primary_color: str
    secondary_color: str | None
    accent_color: str | None
    logo_key: str | None = Field(description="the uploaded logo's object key")
    logo_url: str | None = Field(description="a presigned GET of the logo (1 hour), or null")
    favicon_key: str | None
    favicon_url: str | None = Field(description="a presigned GET of the favicon, or null")


class LogoUploadIn(Body):
    """png, jpeg, svg+xml or x-icon, at most 2 MB."""

    model_config = reference_example({"content_type": "image/png", "size_bytes": 48213})

    content_type: ImageType
    size_bytes: StrictInt = Field(ge=1, le=LOGO_MAX)


class FaviconUploadIn(Body):
    """png, jpeg, svg+xml or x-icon, at most 512 KB."""

    model_config = reference_example({"content_type": "image/x-icon", "size_bytes": 15086})

    content_type: ImageType
    size_bytes: StrictInt = Field(ge=1, le=FAVICON_MAX)


class BrandingUploadOut(Out):
    """POST the file to ``url`` as ``multipart/form-data`` with every one of ``fields``
    and then the file as ``file`` (within ``expires_in`` seconds, at most ``max_bytes``);
    then ``PATCH /admin/settings/branding`` with ``{"logo_key": key}`` (or
    ``favicon_key``)."""

    kind: Literal["logo", "favicon"]
    key: str
    content_type: str
    max_bytes: int
    method: str
    url: str
    fields: dict[str, str]
    expires_in: int
