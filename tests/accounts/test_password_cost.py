"""Passwords are hashed with argon2id at OWASP's parameters (the in-process tests hash at
the lowest cost, ``tests/support/fast_passwords.py``; this checks what production uses)."""

from __future__ import annotations

from argon2 import Type, extract_parameters

from chalicelib.accounts import passwords
from tests.support import fast_passwords


def test_production_hashes_at_owasps_argon2id_parameters():
    production = fast_passwords.PRODUCTION()
    params = extract_parameters(production.hash("securePassword123!"))
    assert (params.type, params.memory_cost, params.time_cost, params.parallelism) == (
        Type.ID,
        19 * 1024,
        2,
        1,
    )


def test_a_production_hash_verifies_under_the_test_hasher_and_back():
    strong = fast_passwords.PRODUCTION().hash("securePassword123!")
    assert passwords.verify_password(strong, "securePassword123!")
    assert not passwords.verify_password(strong, "wrong")
    cheap = passwords.hash_password("securePassword123!")
    assert extract_parameters(cheap).type == Type.ID
    assert fast_passwords.PRODUCTION().verify(cheap, "securePassword123!")
