"""Unit tests for chalicelib.core.money (exact integer money helpers)."""

from __future__ import annotations

import ast
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core import money
from chalicelib.core.money import (
    apply_bps,
    cents_to_dollars_str,
    require_bps,
    require_cents,
    require_int,
    require_non_negative_cents,
    round_half_even,
)

LIB_DIR = Path(money.__file__).resolve().parent.parent
PURE_MODULES = (
    "core/money.py",
    *sorted(
        path.relative_to(LIB_DIR).as_posix()
        for path in (LIB_DIR / "commission" / "rules").glob("*.py")
    ),
)


# ---------------------------------------------------------------- worked examples


@pytest.mark.parametrize(
    ("amount", "bps", "expected"),
    [
        (150000, 750, 11250),  # 7.5 % of $1,500
        (5000, 1, 0),  # 0.5 cent -> 0 (tie to even)
        (15000, 1, 2),  # 1.5 -> 2
        (25000, 1, 2),  # 2.5 -> 2
        (35000, 1, 4),  # 3.5 -> 4
        (15001, 1, 2),  # 1.5001 -> 2
        (24999, 1, 2),  # 2.4999 -> 2
        (25001, 1, 3),  # 2.5001 -> 3
        (0, 10000, 0),
        (12345, 10000, 12345),  # 100 %
        (12345, 0, 0),
        (-5000, 1, 0),
        (-15000, 1, -2),
        (-25000, 1, -2),
        (-150000, 750, -11250),
    ],
)
def test_apply_bps_examples(amount: int, bps: int, expected: int) -> None:
    assert apply_bps(amount, bps) == expected
    assert type(apply_bps(amount, bps)) is int


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 2, 0),
        (3, 2, 2),
        (5, 2, 2),
        (7, 2, 4),
        (-1, 2, 0),
        (-3, 2, -2),
        (-5, 2, -2),
        (-7, 2, -4),
        (1, -2, 0),
        (3, -2, -2),
        (-3, -2, 2),
        (10, 3, 3),
        (11, 3, 4),
        (-10, 3, -3),
        (-11, 3, -4),
        (0, 7, 0),
        (6, 3, 2),
    ],
)
def test_round_half_even_table(numerator: int, denominator: int, expected: int) -> None:
    assert round_half_even(numerator, denominator) == expected


def test_round_half_even_zero_denominator() -> None:
    with pytest.raises(ZeroDivisionError):
        round_half_even(1, 0)


@settings(max_examples=200)
@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.integers(min_value=-(10**6), max_value=10**6).filter(bool),
)
def test_round_half_even_matches_fraction(numerator: int, denominator: int) -> None:
    # Fraction.__round__ rounds exactly, ties to even.
    assert round_half_even(numerator, denominator) == round(Fraction(numerator, denominator))


@settings(max_examples=200)
@given(
    st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0, max_value=10000)
)
def test_apply_bps_exact_and_symmetric(amount: int, bps: int) -> None:
    result = apply_bps(amount, bps)
    assert type(result) is int
    assert result == round(Fraction(amount * bps, 10000))
    assert apply_bps(-amount, bps) == -result


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (150000, "1500.00"),
        (-5, "-0.05"),
        (0, "0.00"),
        (1, "0.01"),
        (99, "0.99"),
        (100, "1.00"),
        (-150001, "-1500.01"),
        (123456789, "1234567.89"),
    ],
)
def test_cents_to_dollars_str(cents: int, text: str) -> None:
    assert cents_to_dollars_str(cents) == text


@settings(max_examples=200)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_cents_to_dollars_str_round_trips(cents: int) -> None:
    text = cents_to_dollars_str(cents)
    sign = -1 if text.startswith("-") else 1
    dollars, _, rest = text.lstrip("-").partition(".")
    assert len(rest) == 2
    assert sign * (int(dollars) * 100 + int(rest)) == cents


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("bad", [True, False, 1.0, 0.5, "1", None, Fraction(1, 2)])
def test_require_int_rejects_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        require_int(bad, "x")
    with pytest.raises(TypeError):
        require_cents(bad, "x")
    with pytest.raises(TypeError):
        require_non_negative_cents(bad, "x")
    with pytest.raises(TypeError):
        require_bps(bad, "x")


@pytest.mark.parametrize("bad", [True, 1.5, "10"])
def test_money_functions_reject_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        apply_bps(bad, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        apply_bps(100, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        round_half_even(bad, 2)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cents_to_dollars_str(bad)  # type: ignore[arg-type]


def test_require_values() -> None:
    assert require_int(-3, "x") == -3
    assert require_cents(-3, "x") == -3
    assert require_non_negative_cents(0, "x") == 0
    with pytest.raises(ValueError, match="x must be >= 0"):
        require_non_negative_cents(-1, "x")
    assert require_bps(0, "r") == 0
    assert require_bps(10000, "r") == 10000
    with pytest.raises(ValueError, match="between 0 and 10000"):
        require_bps(10001, "r")
    with pytest.raises(ValueError):
        require_bps(-1, "r")
    assert require_bps(20000, "r", maximum=20000) == 20000


# ---------------------------------------------------------------- purity


def _module_tree(name: str) -> ast.Module:
    return ast.parse((LIB_DIR / name).read_text(), filename=name)


@pytest.mark.parametrize("name", PURE_MODULES)
def test_module_never_uses_float_or_true_division(name: str) -> None:
    for node in ast.walk(_module_tree(name)):
        assert not isinstance(node, ast.Div), (
            f"{name}:{node.lineno if hasattr(node, 'lineno') else '?'} uses '/'"
        )
        if isinstance(node, (ast.BinOp, ast.AugAssign)):
            assert not isinstance(node.op, ast.Div), f"{name}:{node.lineno} uses '/'"
        if isinstance(node, ast.Name):
            assert node.id != "float", f"{name}:{node.lineno} references float"
        if isinstance(node, ast.Constant):
            assert not isinstance(node.value, float), f"{name}:{node.lineno} has a float literal"


@pytest.mark.parametrize("name", PURE_MODULES)
def test_module_imports_only_stdlib(name: str) -> None:
    for node in ast.walk(_module_tree(name)):
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.module and node.module.startswith(("chalicelib.core", "chalicelib.commission")):
                continue
            roots = [(node.module or "").split(".")[0]]
        else:
            continue
        for root in roots:
            assert root in sys.stdlib_module_names, f"{name} imports non-stdlib module {root!r}"
        assert not {"boto3", "botocore", "chalice", "os", "io", "socket"} & set(roots)
