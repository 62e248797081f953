"""The login's MFA answers (the wire format the login route returns instead of tokens)."""

from __future__ import annotations

from chalicelib.core.schemas import Out, reference_example


class ChallengeOut(Out):
    """Exactly the API reference's "Response (MFA required)"."""

    model_config = reference_example({"mfa_required": True, "mfa_challenge_token": "eyJ..."})

    mfa_required: bool = True
    mfa_challenge_token: str


class EnrolmentChallengeOut(ChallengeOut):
    """The tenant requires MFA for the user's role and they have not enrolled: the second
    step is an e-mail code (``POST /auth/mfa/email-code``), then they should enrol."""

    model_config = reference_example(
        {
            "mfa_required": True,
            "mfa_challenge_token": "eyJ...",
            "mfa_enrolment_required": True,
            "methods": ["email"],
        }
    )

    mfa_enrolment_required: bool = True
    methods: list[str] = ["email"]
