"""platform.email: one message through moto's SES, read back from its backend."""

from __future__ import annotations

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.platform import aws as clients
from chalicelib.platform import email


def sent() -> list:
    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def test_send_goes_through_ses_from_the_configured_sender(aws, monkeypatch):
    monkeypatch.setenv("EMAIL_FROM", "Billing <billing@example.com>")
    email.send("jane@example.com", "Hello", "plain body", "<p>html body</p>")
    [message] = sent()
    assert message.source == "Billing <billing@example.com>"
    assert message.destinations["ToAddresses"] == ["jane@example.com"]
    assert message.subject == "Hello" and message.body == "<p>html body</p>"


def test_text_only_message_and_default_sender(aws, monkeypatch):
    monkeypatch.delenv("EMAIL_FROM", raising=False)
    email.send("jane@example.com", "Code", "123456")
    [message] = sent()
    assert "no-reply@tradekitt.com" in message.source and message.body == "123456"


def test_unverified_sender_is_refused_outside_the_local_stages(aws, monkeypatch):
    import botocore.exceptions
    import pytest

    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("EMAIL_FROM", "nobody@example.com")
    with pytest.raises(botocore.exceptions.ClientError):
        email.send("jane@example.com", "Code", "123456")
    assert sent() == []


def test_client_is_shared(aws):
    assert clients.client("ses") is clients.client("ses")
