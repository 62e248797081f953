"""mfa.sealing: the TOTP secret sealed with AES-256-GCM (v2), the keys from cryptography's
HKDF, the legacy v1 format still read, and v1 secrets re-sealed as v2 by the next
successful TOTP code (login) or the confirming code (setup)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

import jwt
import pytest

from chalicelib.core import clock
from chalicelib.mfa import sealing, totp
from tests.mfa.test_api import LOGIN_KEYS, at, challenge, enrol, verify  # noqa: F401

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MASTER = bytes(range(32))
# Written by the old code path (mfa.rules.seal before AES-GCM, the nonce fixed to bytes
# 100..115) for MASTER, SECRET and the context "tenant-a|7": what enrolled users hold.
LEGACY_V1 = (
    "v1.ZGVmZ2hpamtsbW5vcHFycw.-l86zVOCetl-1Tgx3g2CjQrh1ELX55ZjykZkfLlt7eQ"
    ".iKMs9AiIykoc0cA6mC7AEbbPMpGrbjRz1IkyQZ9Kyiw"
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def legacy_v1_seal(master: bytes, plaintext: str, context: str, nonce: bytes) -> str:
    """The retired v1 writer (tests only: to put v1 values in the table), checked against
    ``LEGACY_V1`` below."""
    enc, mac = sealing.derive_key(master, "mfa-enc"), sealing.derive_key(master, "mfa-mac")
    data = plaintext.encode()
    stream = b"".join(
        hmac.new(enc, nonce + struct.pack(">I", i), hashlib.sha256).digest()
        for i in range((len(data) + 31) // 32)
    )
    ct = bytes(a ^ b for a, b in zip(data, stream, strict=False))
    tag = hmac.new(mac, context.encode() + b"|" + nonce + ct, hashlib.sha256).digest()
    return "v1." + ".".join(_b64(p) for p in (nonce, ct, tag))


# --- key derivation -------------------------------------------------------------------------
def test_derive_key_is_rfc_5869_hkdf_sha256():
    # RFC 5869 test case 3: SHA-256, IKM 22 x 0x0b, empty salt and info, L = 42
    okm = sealing.derive_key(bytes([0x0B] * 22), "", 42)
    assert okm.hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )


def test_the_mfa_key_is_the_one_derived_before():
    """The old hand-written HKDF's output for this input: backup-code and e-mail-code
    hashes (keyed by the MFA key) stay valid."""
    key = sealing.derive_key(b"test-signing-key", "tradekitt mfa v1")
    assert key.hex() == "0174715060038a02823ae7bb28c1c3d2b0976901ed1c690d0dade7aa5da32cc0"


def test_the_sealing_key_has_its_own_label():
    assert sealing.SEAL_INFO not in ("mfa-enc", "mfa-mac", "tradekitt mfa v1")
    assert sealing.derive_key(MASTER, sealing.SEAL_INFO) != sealing.derive_key(MASTER, "mfa-enc")


# --- v2 -------------------------------------------------------------------------------------
def test_round_trip_and_new_values_are_v2():
    secret = totp.new_secret()
    sealed = sealing.seal(MASTER, secret, "t|1")
    assert sealed.startswith("v2.") and secret not in sealed
    assert not sealing.needs_reseal(sealed)
    version, nonce, data = sealed.split(".")
    assert len(base64.urlsafe_b64decode(nonce + "==")) == 12
    assert len(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))) == len(secret) + 16
    assert sealing.unseal(MASTER, sealed, "t|1") == secret
    again = sealing.seal(MASTER, secret, "t|1")
    assert again != sealed and again.split(".")[1] != nonce  # a fresh nonce each time


def test_another_users_associated_data_is_refused():
    sealed = sealing.seal(MASTER, SECRET, "tenant-a|7")
    for context in ("tenant-a|8", "tenant-b|7", "tenant-a|7 ", ""):
        with pytest.raises(sealing.SealError):
            sealing.unseal(MASTER, sealed, context)


def test_another_key_is_refused():
    sealed = sealing.seal(MASTER, SECRET, "t|1")
    with pytest.raises(sealing.SealError):
        sealing.unseal(b"n" * 32, sealed, "t|1")


def _flip(text: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    raw[index] ^= 0x01
    return _b64(bytes(raw))


@pytest.mark.parametrize("index", [0, 5, -17, -1])  # ciphertext bytes and the tag's
def test_tampered_ciphertext_or_tag_is_refused(index):
    version, nonce, data = sealing.seal(MASTER, SECRET, "t|1").split(".")
    with pytest.raises(sealing.SealError):
        sealing.unseal(MASTER, ".".join((version, nonce, _flip(data, index))), "t|1")


def test_tampered_nonce_or_malformed_values_are_refused():
    version, nonce, data = sealing.seal(MASTER, SECRET, "t|1").split(".")
    bad = [
        ".".join((version, _flip(nonce, 0), data)),
        ".".join((version, _b64(b"x" * 16), data)),  # a nonce of the wrong size
        ".".join((version, nonce, data[:-4])),  # truncated
        ".".join(("v3", nonce, data)),
        ".".join((version, nonce)),
        ".".join((version, nonce, data, data)),
        f"{version}.{nonce}.!!!",
        "garbage",
        "",
    ]
    for value in bad:
        with pytest.raises(sealing.SealError):
            sealing.unseal(MASTER, value, "t|1")


# --- legacy v1 (read only) ------------------------------------------------------------------
def test_a_legacy_v1_value_still_unseals():
    assert sealing.unseal(MASTER, LEGACY_V1, "tenant-a|7") == SECRET
    assert sealing.needs_reseal(LEGACY_V1)


def test_the_test_writer_is_the_legacy_format():
    assert legacy_v1_seal(MASTER, SECRET, "tenant-a|7", bytes(range(100, 116))) == LEGACY_V1


def test_a_legacy_v1_value_is_still_refused_when_altered_or_moved():
    version, nonce, ct, tag = LEGACY_V1.split(".")
    for value, context in [
        (LEGACY_V1, "tenant-a|8"),  # another user
        (LEGACY_V1, "tenant-b|7"),  # another tenant
        (".".join((version, nonce, _flip(ct, 3), tag)), "tenant-a|7"),
        (".".join((version, nonce, ct, _flip(tag, 0))), "tenant-a|7"),
        (".".join((version, _flip(nonce, 0), ct, tag)), "tenant-a|7"),
    ]:
        with pytest.raises(sealing.SealError):
            sealing.unseal(MASTER, value, context)
    with pytest.raises(sealing.SealError):
        sealing.unseal(b"n" * 32, LEGACY_V1, "tenant-a|7")


# --- migration through the API (moto) -------------------------------------------------------
def _user_id(owner) -> int:
    return int(jwt.decode(owner.access_token, options={"verify_signature": False})["sub"])


def _as_v1(owner, attribute: str) -> str:
    """Replace the owner's sealed secret ``attribute`` by the same secret in v1."""
    from chalicelib.mfa import service, store

    uid = _user_id(owner)
    item = store.get_mfa(owner.tenant_id, uid)
    scope = f"{owner.tenant_id}|{uid}"
    secret = sealing.unseal(service._key(), getattr(item, attribute), scope)
    legacy = legacy_v1_seal(service._key(), secret, scope, bytes(16))
    setattr(item, attribute, legacy)
    item.save()
    return legacy


def _stored(owner, attribute: str) -> str:
    from chalicelib.mfa import store

    return str(getattr(store.get_mfa(owner.tenant_id, _user_id(owner)), attribute))


def test_an_enrolled_v1_user_logs_in_and_is_resealed_as_v2(api, owner, at):  # noqa: F811
    at(-120)
    authenticator, backup = enrol(api, owner)
    legacy = _as_v1(owner, "totp_secret")
    # a backup code opens nothing sealed: the value stays v1
    assert verify(api, owner, challenge(api, owner), backup[0]).status == 200
    assert _stored(owner, "totp_secret") == legacy
    at(-90)
    reply = verify(api, owner, challenge(api, owner), authenticator.at(clock.now()))
    assert reply.status == 200 and reply.data.keys() == LOGIN_KEYS
    resealed = _stored(owner, "totp_secret")
    assert resealed.startswith("v2.")
    at(-60)  # the same authenticator keeps working, from the v2 value
    assert verify(api, owner, challenge(api, owner), authenticator.at(clock.now())).status == 200
    assert _stored(owner, "totp_secret") == resealed  # v2 is not written again


def test_a_v1_pending_setup_is_confirmed_and_stored_as_v2(api, owner):
    import pyotp

    setup = api.post("/auth/mfa/totp/setup", as_=owner).data
    _as_v1(owner, "totp_pending")
    code = pyotp.TOTP(setup["secret"]).at(clock.now())
    assert api.post("/auth/mfa/totp/confirm", {"code": code}, as_=owner).status == 200
    assert _stored(owner, "totp_secret").startswith("v2.")
