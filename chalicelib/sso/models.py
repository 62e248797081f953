"""The SSO routes' bodies and answers (the login and register answers are the plain
login's and registration's, ``accounts.api``)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, RootModel

from chalicelib.accounts.api import TokensOut
from chalicelib.core.schemas import Body, Out, Timestamp, Username, reference_example
from chalicelib.mfa.models import ChallengeOut

IdToken = Field(
    min_length=1, max_length=8192, description="the provider's OpenID Connect id_token (a JWT)"
)
Nonce = Field(
    default=None,
    min_length=1,
    max_length=512,
    description="the nonce the client put in its authorization request; the token must carry it",
)


class SsoLoginIn(Body):
    model_config = reference_example({"id_token": "eyJ..."})

    id_token: str = IdToken
    nonce: str | None = Nonce


class SsoRegisterIn(Body):
    """``/auth/register``'s fields but the e-mail (the token's, when its provider verified
    it) and the password (none: the admin signs in through the provider)."""

    model_config = reference_example(
        {
            "id_token": "eyJ...",
            "username": "mycompany",
            "first_name": "Jane",
            "last_name": "Smith",
            "company_name": "Smith HVAC",
        }
    )

    id_token: str = IdToken
    nonce: str | None = Nonce
    username: Username
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    company_name: str = Field(min_length=1, max_length=200)


class LinkOut(Out):
    model_config = reference_example(
        {
            "provider": "google",
            "subject": "110169484474386276334",
            "email": "jane@smithhvac.com",
            "linked_at": "2026-03-01T12:00:00+00:00",
        }
    )

    provider: str
    subject: str = Field(description="the provider's id of the user (the token's sub)")
    email: str | None = Field(description="the e-mail the provider verified, or null")
    linked_at: Timestamp


class UnlinkOut(Out):
    provider: str
    unlinked: bool = Field(description="false when no identity of this provider was linked")


class LinksOut(Out):
    links: list[LinkOut]


class SsoLoginOut(RootModel[TokensOut | ChallengeOut]):
    """Either the plain login's session (``access_token``, ``refresh_token``, ``user``) or,
    for a user with MFA, ``{"mfa_required": true, "mfa_challenge_token"}`` (then
    ``POST /auth/mfa-verify``)."""

    model_config = ConfigDict(
        defer_build=True,
        json_schema_extra={
            "examples": [
                TokensOut.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
                ChallengeOut.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
            ]
        },
    )

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        """The login answers exactly one of its two bodies: ``oneOf``, not ``anyOf``."""
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        if "anyOf" in target:
            target["oneOf"] = target.pop("anyOf")
        return schema
