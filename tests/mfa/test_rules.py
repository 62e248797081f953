"""mfa.rules and mfa.totp without AWS: RFC 6238 codes (pyotp's, checked against the RFC's
vectors), the +-1 step window, replay, code shapes and backup-code hashing (the sealed
secret: ``test_sealing.py``)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from chalicelib.mfa import rules, totp

# RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (8-digit codes there; the last 6
# digits are the 6-digit code).
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = {59: "94287082", 1111111109: "07081804", 1234567890: "89005924"}


@pytest.mark.parametrize(("epoch", "code8"), sorted(RFC_VECTORS.items()))
def test_codes_match_rfc_6238_vectors(epoch, code8):
    check = totp.check(RFC_SECRET, code8[-6:], epoch, None)
    assert check.ok and check.step == rules.step_of(epoch)


def test_fresh_secrets_are_160_bits_of_base32():
    secrets = {totp.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert len(base64.b32decode(secret)) == 20 and "=" not in secret


def test_window_is_one_step_either_side():
    secret = totp.new_secret()
    now = 1_700_000_015  # step 56666667
    codes = pyotp.TOTP(secret)
    for delta in (-30, 0, 30):
        check = totp.check(secret, codes.at(now + delta), now, None)
        assert check.ok and check.step == rules.step_of(now + delta)
    for delta in (-60, 60, 90):
        assert not totp.check(secret, codes.at(now + delta), now, None).ok


def test_a_step_is_accepted_once_and_older_steps_never_after_it():
    secret = totp.new_secret()
    now = 1_700_000_015
    code = pyotp.TOTP(secret).at(now)
    first = totp.check(secret, code, now, None)
    assert first.ok
    again = totp.check(secret, code, now + 10, first.step)
    assert not again.ok and again.replay
    previous = pyotp.TOTP(secret).at(now - 30)
    assert totp.check(secret, previous, now, first.step).replay
    following = pyotp.TOTP(secret).at(now + 30)
    assert totp.check(secret, following, now + 30, first.step).ok


def test_the_latest_matching_step_counts():
    assert rules.totp_outcome([], None) == rules.TotpCheck(ok=False)
    assert rules.totp_outcome([4, 6], None) == rules.TotpCheck(ok=True, step=6)
    assert rules.totp_outcome([4, 6], 5) == rules.TotpCheck(ok=True, step=6)
    assert rules.totp_outcome([4, 6], 6) == rules.TotpCheck(ok=False, step=6, replay=True)
    assert list(rules.window(1_700_000_015)) == [56666666, 56666667, 56666668]


def test_wrong_code_is_not_a_replay():
    check = totp.check(totp.new_secret(), "000000", 1_700_000_000, None)
    # one chance in a million that it is a real code of one of three steps
    assert not check.replay


def test_code_shapes():
    assert rules.kind_of("123456") == "digits" and rules.kind_of(" 123 456 ") == "digits"
    assert rules.kind_of("ABCDE-FGHJK") == "backup" and rules.kind_of("abcdefghjk") == "backup"
    for bad in ("12345", "1234567", "abcde-fghj", "abcde-fghi0", "", "------"):
        with pytest.raises(rules.CodeInputError) as caught:
            rules.kind_of(bad)
        assert caught.value.field == "code"
    with pytest.raises(rules.CodeInputError):
        rules.six_digits("abcde-fghjk")


def test_backup_codes_are_ten_distinct_and_hash_per_user():
    codes = rules.new_backup_codes()
    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        assert rules.kind_of(code) == "backup" and code[5] == "-"
    key = b"k" * 32
    one = rules.code_hash(key, "t|1", codes[0])
    assert one == rules.code_hash(key, "t|1", codes[0].upper().replace("-", ""))
    assert one != rules.code_hash(key, "t|2", codes[0])
    assert one != rules.code_hash(b"x" * 32, "t|1", codes[0])
    assert codes[0] not in one


def test_email_code_validity():
    h = rules.code_hash(b"k" * 32, "t|1", "123456")
    assert rules.email_code_valid(h, 1000, h, 999)
    assert not rules.email_code_valid(h, 1000, h, 1000)  # expired
    assert not rules.email_code_valid(None, 1000, h, 10)
    assert not rules.email_code_valid(h, 1000, "0" * 64, 10)
    assert len(rules.new_email_code()) == 6 and rules.new_email_code().isdigit()


def test_challenge_open():
    assert rules.challenge_open(4, False, 100, 99)
    assert not rules.challenge_open(5, False, 100, 99)
    assert not rules.challenge_open(0, True, 100, 99)
    assert not rules.challenge_open(0, False, 100, 100)
    assert not rules.challenge_open(0, False, None, 0)


def test_otpauth_uri_is_what_authenticators_read():
    secret = totp.new_secret()
    uri = totp.otpauth_uri(secret, "jane@example.com")
    assert uri.startswith("otpauth://totp/TradeKitt:jane%40example.com?")
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == secret and parsed.issuer == "TradeKitt"
    assert parsed.name == "jane@example.com"
    assert parsed.digits == 6 and parsed.interval == 30 and parsed.digest().name == "sha1"
    # the Key Uri Format's defaults (SHA1, 6 digits, 30 s) are left out, as pyotp writes it
    assert parse_qs(urlparse(uri).query) == {"secret": [secret], "issuer": ["TradeKitt"]}
    assert rules.mask_email("jane@example.com") == "j***@example.com"
