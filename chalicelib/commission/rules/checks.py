"""What the commission engine accepts: its error, its vocabulary and the value checks.

Every check raises :class:`CommissionRuleError` (an ``InvalidInput``, so a ``ValueError``),
translating the ``TypeError``/``ValueError`` of :mod:`chalicelib.core.money`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar

from chalicelib.core import money
from chalicelib.core.errors import InvalidInput

RuleLevel = Literal["tech_item", "tech_category", "tech_plan", "item_default", "tenant_default"]
Role = Literal["technician", "installer"]
PlanKind = Literal["percentage", "tiered"]

#: Rule levels, most specific first.
RULE_LEVELS: tuple[str, ...] = (
    "tech_item",
    "tech_category",
    "tech_plan",
    "item_default",
    "tenant_default",
)
#: Earner roles; each role has its own plan.
ROLES: tuple[str, ...] = ("technician", "installer")
#: Kinds of :class:`~chalicelib.commission.rules.inputs.TechPlan`.
PLAN_KINDS: tuple[str, ...] = ("percentage", "tiered")

_T = TypeVar("_T")


class CommissionRuleError(InvalidInput):
    """Invalid commission rule, configuration, sale line or snapshot data."""


# --------------------------------------------------------------------------
# validation helpers (translate money's TypeError/ValueError into our error)
# --------------------------------------------------------------------------


def _checked(check: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    try:
        return check(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise CommissionRuleError(str(exc)) from None


def _int(value: object, name: str) -> int:
    return _checked(money.require_int, value, name)


def _rate(value: object, name: str) -> int:
    return _checked(money.require_bps, value, name)


def _optional_rate(value: object, name: str) -> int | None:
    return None if value is None else _rate(value, name)


def _cents(value: object, name: str) -> int:
    return _checked(money.require_non_negative_cents, value, name)


def _optional_cents(value: object, name: str) -> int | None:
    return None if value is None else _cents(value, name)


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise CommissionRuleError(f"{name} must be a boolean, got {type(value).__name__}")
    return value


def _choice(value: object, name: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise CommissionRuleError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _sale(sale_price_cents: object, list_price_cents: object, quantity: object) -> None:
    """The checks of a sold line: a total price, an optional unit list price, a quantity."""
    _cents(sale_price_cents, "sale_price_cents")
    _optional_cents(list_price_cents, "list_price_cents")
    if _int(quantity, "quantity") < 1:
        raise CommissionRuleError(f"quantity must be >= 1, got {quantity}")


def _set(obj: object, name: str, value: object) -> None:
    """Normalise a field of a frozen dataclass during ``__post_init__``."""
    object.__setattr__(obj, name, value)


# --------------------------------------------------------------------------
# plain data
# --------------------------------------------------------------------------


def _key(data: Mapping[str, Any], key: str) -> Any:
    if not isinstance(data, Mapping):
        raise CommissionRuleError(f"expected an object, got {type(data).__name__}")
    if key not in data:
        raise CommissionRuleError(f"missing field {key!r}")
    return data[key]


def _coerce_item(item: object, cls: type[_T], fields: tuple[str, str]) -> _T:
    if isinstance(item, cls):
        return item
    if isinstance(item, Mapping):
        return cls.from_dict(item)  # type: ignore[attr-defined]
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return cls(*item)
    raise CommissionRuleError(
        f"expected a {cls.__name__}, an object with {fields[0]!r} and {fields[1]!r}, or a pair"
    )


def _as_sequence(tiers: object, name: str) -> list[Any]:
    if isinstance(tiers, (str, bytes, Mapping)) or not isinstance(tiers, Iterable):
        raise CommissionRuleError(f"{name} must be a list")
    return list(tiers)
