"""Shared pydantic building blocks for route models."""
from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt

T = TypeVar("T")

Cents = Annotated[StrictInt, Field(ge=0, description="Money in integer cents")]
Bps = Annotated[StrictInt, Field(ge=0, le=10000, description="Rate in basis points")]
NonEmptyStr = Annotated[str, Field(min_length=1, max_length=500)]


class Body(BaseModel):
    """Base of request bodies: unknown keys are ignored, strings trimmed."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class Query(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    limit: int
    total_pages: int


def as_dict(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=False)
