"""``cme doctor`` on the mail backends: credentials, reachability, folders, a dry-run send."""

from __future__ import annotations

from datetime import date

from cme.config import load_config
from cme.doctor import check_mailbox
from cme.doctor_mail import check_sending, is_loopback, plain_text
from register.db import bind, db
from tests.backends import EwsHarness, GraphHarness, ImapHarness, MaildirHarness
from tests.mailservers import dovecot, smtp  # noqa: F401 (fixtures)

TODAY = date(2026, 2, 9)


def lines(findings) -> list[str]:
    return [f.line() for f in findings]


def test_imap_reachable_with_its_folders_still_to_make(tmp_path, dovecot, smtp, monkeypatch):  # noqa: F811
    harness = ImapHarness(tmp_path, dovecot, smtp)
    for name, value in harness.env.items():
        monkeypatch.setenv(name, value)
    config = load_config(harness.config())
    found = lines(check_mailbox(config, TODAY))
    assert found[0].startswith("ok   mailbox: imap 127.0.0.1:") and "0 mails in INBOX" in found[0]
    assert "folders Processed, Quarantine, Sent do not exist yet" in found[1]
    assert harness.count("Processed") == 0  # the doctor created nothing
    assert lines(check_sending(config, TODAY))[0].startswith("ok   sending: smtp 127.0.0.1:")
    monkeypatch.setenv("CME_TEST_SMTP_PASSWORD", "wrong")
    assert "535" in lines(check_sending(config, TODAY))[0]
    monkeypatch.delenv("CME_TEST_IMAP_PASSWORD")
    assert lines(check_mailbox(config, TODAY)) == [
        "FAIL mailbox: not set: CME_TEST_IMAP_PASSWORD"]
    harness.close()


def test_ews_and_graph_reachable(tmp_path, monkeypatch):
    for name in ("ews", "graph"):
        (tmp_path / name).mkdir()
    for harness in (EwsHarness(tmp_path / "ews"), GraphHarness(tmp_path / "graph")):
        for name, value in harness.env.items():
            monkeypatch.setenv(name, value)
        config = load_config(harness.config())
        bind(config.register.url)
        harness.deliver(b"Subject: x\r\n\r\nx\r\n")
        try:
            found = lines(check_mailbox(config, TODAY))
            assert found[0].startswith(f"ok   mailbox: {harness.name} http://127.0.0.1:")
            assert "1 mails in INBOX" in found[0]
            assert "Processed, Quarantine do not exist yet" in found[1]
            assert lines(check_sending(config, TODAY))[0].startswith("ok   sending: through")
        finally:
            harness.close()
            db.obj.close()
            db.initialize(None)


def test_maildir_with_smtp_checks_the_smtp_server(tmp_path, smtp, monkeypatch):  # noqa: F811
    harness = MaildirHarness(tmp_path, smtp)
    monkeypatch.setenv("CME_TEST_SMTP_PASSWORD", harness.env["CME_TEST_SMTP_PASSWORD"])
    (found,) = lines(check_sending(load_config(harness.config()), TODAY))
    assert found.startswith("ok   sending: smtp 127.0.0.1:")
    assert found.endswith("(none, password): NOOP 250")


def test_plain_text_is_a_warning_off_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("mail.county.example.gov.uk") and not is_loopback("10.0.0.5")
    assert plain_text("mailbox", "mailbox", "127.0.0.1", "none") == []
    assert plain_text("mailbox", "mailbox", "mail.example.org", "ssl") == []
    (warning,) = plain_text("sending", "smtp", "smtp.example.org", "none")
    assert warning.line().startswith('warn sending: [smtp] security = "none" to smtp.example.org')
