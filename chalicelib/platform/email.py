"""Sending e-mail through SES (one-time codes, invoices): ``send(to, subject, text, html)``.

The sender is ``EMAIL_FROM`` (``core.settings.email_from``), an identity verified in the
account's SES; on AWS, verify it once (and leave the SES sandbox) before going live. On
the local stages (``local``, ``test``: moto's SES in-process or under ``make run``) the
sender is verified here before each send, so the emulator accepts the message.
"""

from __future__ import annotations

from email.utils import parseaddr

from chalicelib.core import settings
from chalicelib.platform import aws


def sender_address() -> str:
    """The bare address of ``EMAIL_FROM`` (what SES verifies)."""
    return parseaddr(settings.email_from())[1]


def verify_sender() -> None:
    """Ask SES to verify the sender address (the emulator marks it verified at once; on
    AWS this sends the verification e-mail)."""
    aws.client("ses").verify_email_identity(EmailAddress=sender_address())


def send(to: str, subject: str, text: str, html: str | None = None) -> None:
    """Send one e-mail to ``to`` (plain text, and HTML when given). SES errors raise
    (botocore ``ClientError``): a message that cannot be sent is never reported as sent."""
    if settings.stage() in settings.LOCAL_STAGES:
        verify_sender()
    body = {"Text": {"Data": text, "Charset": "UTF-8"}}
    if html is not None:
        body["Html"] = {"Data": html, "Charset": "UTF-8"}
    aws.client("ses").send_email(
        Source=settings.email_from(),
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": body},
    )
