from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.accounts import rules as identity
from chalicelib.core import roles


@pytest.mark.parametrize(
    "name,code",
    [
        ("Smith HVAC", "SMITHHVAC"),
        ("  joe's plumbing & heating, LLC ", "JOESPLUMBINGHEATI"),
        ("Café Électrique", "CAFEELECTRIQUE"),
        ("!!!", "BUSINESS"),
        ("123 Air", "123AIR"),
    ],
)
def test_business_code_base(name, code):
    assert identity.business_code_base(name) == code[: identity.BUSINESS_CODE_MAX - 4]


def test_business_code_candidates_suffix_on_collision():
    assert [identity.business_code_candidate("SMITHHVAC", n) for n in range(3)] == [
        "SMITHHVAC",
        "SMITHHVAC2",
        "SMITHHVAC3",
    ]


def test_password_policy():
    assert identity.password_problem("short") is not None
    assert identity.password_problem("x" * 9) is not None
    assert identity.password_problem("x" * 10) is None
    assert identity.password_problem(" " * 12) is not None
    assert identity.password_problem("x" * 257) is not None


def test_username_rules():
    assert identity.username_problem("mike.j") is None
    assert identity.username_problem("a") is not None
    assert identity.username_problem("has space") is not None
    assert identity.normalize_username(" Admin ") == "admin"


def test_lockout_after_five_failures_for_fifteen_minutes():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    state = identity.LoginState()
    for _ in range(4):
        state = state.after_failure(now)
        assert not state.is_locked(now)
    state = state.after_failure(now)
    assert state.is_locked(now)
    assert state.is_locked(now + timedelta(minutes=14, seconds=59))
    assert not state.is_locked(now + timedelta(minutes=15))


def test_roles_permissions_match_spec():
    assert roles.can(["admin"], roles.WEBHOOKS_WRITE)
    assert roles.can(["admin"], roles.SETTINGS_WRITE) and roles.can(["admin"], roles.USERS_WRITE)
    for perm in (roles.SETTINGS_WRITE, roles.USERS_WRITE, roles.WEBHOOKS_WRITE):
        assert not roles.can(["manager"], perm)
    assert roles.can(["manager"], roles.SALES_ALL) and roles.can(["manager"], roles.PAYROLL)
    assert roles.can(["dispatcher"], roles.DISPATCH_WRITE)
    assert roles.can(["dispatcher"], roles.CUSTOMERS_WRITE)
    assert roles.can(["dispatcher"], roles.TECHNICIANS_READ)
    assert not roles.can(["dispatcher"], roles.TECHNICIANS_WRITE)
    assert not roles.can(["dispatcher"], roles.SALES_ALL)
    assert roles.permissions_of(["technician"]) == {roles.SELF}
    assert roles.is_admin(["admin"]) and not roles.is_admin(["manager"])
    with pytest.raises(ValueError):
        roles.validate_roles(["owner"])
    assert roles.validate_roles(["admin", "admin", "manager"]) == ["admin", "manager"]


@pytest.mark.parametrize(
    "email", ["jane@mycompany.com", "a.b+c@sub.example.co.uk", "o'neil@example.com"]
)
def test_valid_emails(email):
    assert identity.email_problem(email) is None


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "a@b",
        "@example.com",
        "a@.com",
        "a..b@example.com",
        ".a@example.com",
        "a b@example.com",
        "a@exa_mple.com",
        "x" * 65 + "@example.com",
    ],
)
def test_invalid_emails(email):
    assert identity.email_problem(email) is not None
