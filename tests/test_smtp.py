"""Sending over SMTP (watcher/smtp.py) against aiosmtpd on loopback."""

from __future__ import annotations

import pytest

from cme.config import SmtpConfig
from tests.smtpserver import PASSWORD, TOKEN, USER, SmtpServer
from watcher.mailbox import Attachment, MailboxError, OutboundMail
from watcher.oauth import StaticToken
from watcher.outgoing import build_email
from watcher.smtp import SmtpSender

LETTER = OutboundMail(("esw@county.example.gov.uk",), "[CME-2026-00002] enquiry", "Please see.",
                      (Attachment("enquiry.docx", "application/octet-stream", b"PK\x03\x04"),),
                      "cme-team@county.example.gov.uk", "<letter-2@cme.example>")


def sender(server: SmtpServer, password: str = PASSWORD, **overrides) -> SmtpSender:
    config = SmtpConfig(**{"host": "127.0.0.1", "port": server.port,
                           "security": server.security, "username": USER, **overrides})
    return SmtpSender(config, password=password, ca_file=server.cert, tokens=StaticToken(TOKEN))


@pytest.mark.parametrize("security", ["starttls", "ssl", "none"])
@pytest.mark.parametrize("auth", ["password", "oauth2"])
def test_sends_over_each_security_and_login(tmp_path, security, auth):
    server = SmtpServer(tmp_path, security).start()
    try:
        smtp = sender(server, auth=auth)
        assert "NOOP 250" in smtp.check()
        smtp.send(build_email(LETTER))
        (mail,) = server.wait_for(1)
    finally:
        server.stop()
    assert mail["Message-ID"] == "<letter-2@cme.example>"
    assert [p.get_filename() for p in mail.iter_attachments()] == ["enquiry.docx"]
    assert server.mails[0][1] == ["esw@county.example.gov.uk"]


def test_from_address_replaces_the_sender(tmp_path):
    server = SmtpServer(tmp_path).start()
    try:
        sender(server, from_address="cme-noreply@county.example.gov.uk").send(build_email(LETTER))
        (mail,) = server.wait_for(1)
    finally:
        server.stop()
    assert mail["From"] == "cme-noreply@county.example.gov.uk"


def test_refusals_are_mailbox_errors(tmp_path):
    server = SmtpServer(tmp_path, "starttls").start()
    try:
        wrong = sender(server, password="wrong")
        with pytest.raises(MailboxError, match="535"):
            wrong.check()
        untrusted = SmtpSender(SmtpConfig(host="127.0.0.1", port=server.port, auth="none"))
        with pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusted.send(build_email(LETTER))
    finally:
        server.stop()
    assert server.mails == []


def test_the_password_comes_from_the_environment(tmp_path):
    from cme.config import config_from_mapping

    config = config_from_mapping({"smtp": {"host": "127.0.0.1", "password_env": "CME_TEST_X"}},
                                 tmp_path / "config.toml")
    with pytest.raises(MailboxError, match="CME_TEST_X is not set"):
        SmtpSender.from_config(config, environ={})
    assert SmtpSender.from_config(config, environ={"CME_TEST_X": "s"}).port == 587
