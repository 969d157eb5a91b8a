"""What the IMAP backend does beyond the contract, against the real Dovecot."""

from __future__ import annotations

import threading

import pytest

from cme.config import MailboxConfig
from tests.mailservers import dovecot  # noqa: F401 (fixture)
from tests.mailtools import simple_email
from watcher.imap import ImapMailbox
from watcher.mailbox import MailboxError, Outcome

ENV = {"CME_TEST_IMAP_PASSWORD": "cme-test-password"}


def settings(server, user: str, **overrides) -> MailboxConfig:
    values = {"backend": "imap", "host": "127.0.0.1", "port": server.port, "security": "none",
              "username": user, "password_env": "CME_TEST_IMAP_PASSWORD"}
    return MailboxConfig(**{**values, **overrides})


@pytest.fixture
def account(dovecot):  # noqa: F811
    user = dovecot.add_user()
    client = dovecot.client(user)
    yield user, client
    client.logout()


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_with_the_site_ca(dovecot, account, security):  # noqa: F811
    user, client = account
    port = dovecot.tls_port if security == "ssl" else dovecot.port
    box = ImapMailbox(settings(dovecot, user, security=security, port=port,
                               ca_file=dovecot.cert), environ=ENV)
    client.append("INBOX", simple_email(1))
    try:
        assert [m.uid.split(":")[1] for m in box.fetch_new()] == ["1"]
    finally:
        box.close()


def test_tls_refuses_an_unknown_certificate(dovecot, account):  # noqa: F811
    user, _client = account
    box = ImapMailbox(settings(dovecot, user, security="ssl", port=dovecot.tls_port),
                      environ=ENV)
    with pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED"):
        box.waiting()
    box.close()


def test_wrong_password_and_missing_secret_are_mailbox_errors(dovecot, account):  # noqa: F811
    user, _client = account
    with pytest.raises(MailboxError, match="CME_TEST_IMAP_PASSWORD is not set"):
        ImapMailbox(settings(dovecot, user), environ={})
    box = ImapMailbox(settings(dovecot, user), environ={"CME_TEST_IMAP_PASSWORD": "wrong"})
    with pytest.raises(MailboxError, match="AUTHENTICATIONFAILED"):
        box.waiting()
    box.close()


def test_folders_are_created_when_missing(dovecot, account):  # noqa: F811
    user, client = account
    box = ImapMailbox(settings(dovecot, user, processed_folder="Done", sent_folder="Sent Items"),
                      environ=ENV)
    assert box.waiting() == 0
    box.close()
    names = {name for _flags, _sep, name in client.list_folders()}
    assert {"Done", "Quarantine", "Sent Items"} <= names


def test_idle_wakes_on_new_mail_and_on_interrupt(dovecot, account):  # noqa: F811
    user, client = account
    box = ImapMailbox(settings(dovecot, user), environ=ENV)
    try:
        assert list(box.fetch_new()) == []
        assert box.wait(0.2) is False  # nothing came
        arrived = threading.Thread(target=client.append, args=("INBOX", simple_email(1)))
        arrived.start()
        assert box.wait(30) is True  # woken (a timeout says False): IDLE pushed it
        arrived.join(10)
        assert len(list(box.fetch_new())) == 1
        box.interrupt()
        assert box.wait(30) is True
    finally:
        box.close()


def test_mail_announced_during_a_pass_wakes_the_next_wait(dovecot, account):  # noqa: F811
    user, client = account
    box = ImapMailbox(settings(dovecot, user), environ=ENV)
    try:
        assert list(box.fetch_new()) == []
        client.append("INBOX", simple_email(1))
        box.waiting()  # another command: its reply carries the EXISTS, not the IDLE's
        assert box.wait(30) is True  # woken, not timed out: the IDLE alone would not say
    finally:
        box.close()


def test_without_move_it_copies_flags_and_expunges(dovecot, account):  # noqa: F811
    class WithoutMove(ImapMailbox):
        def has_move(self, client) -> bool:
            return False

    user, client = account
    client.append("INBOX", simple_email(1))
    client.append("INBOX", simple_email(2))
    box = WithoutMove(settings(dovecot, user), environ=ENV)
    try:
        first, second = box.fetch_new()
        box.acknowledge(first.uid, Outcome.PROCESSED)
        box.acknowledge(first.uid, Outcome.PROCESSED)  # twice is harmless
        assert [m.uid for m in box.fetch_new()] == [second.uid]
    finally:
        box.close()
    assert client.folder_status("Processed", [b"MESSAGES"])[b"MESSAGES"] == 1


def test_a_new_uidvalidity_fetches_everything_again(dovecot, account):  # noqa: F811
    user, client = account
    client.append("INBOX", simple_email(1))
    box = ImapMailbox(settings(dovecot, user), environ=ENV)
    try:
        (before,) = box.fetch_new()
        dovecot.doveadm("mailbox", "update", "--uid-validity", "12345", "-u", user, "INBOX")
        dovecot.drop_connections(user)  # the server rebuilt the folder: sessions start again
        box.acknowledge(before.uid, Outcome.PROCESSED)  # an old uid: left where it is
        (after,) = box.fetch_new()
        assert after.uid.startswith("12345:") and after.raw_bytes == before.raw_bytes
        box.acknowledge(after.uid, Outcome.PROCESSED)
        assert list(box.fetch_new()) == []
    finally:
        box.close()


def test_xoauth2_with_a_token_from_msal(dovecot, account, tmp_path):  # noqa: F811
    from tests.fake_graph import TOKEN, FakeAuthority

    user, client = account
    authority = FakeAuthority(tmp_path).start()
    dovecot.introspection.tokens[TOKEN] = user
    client.append("INBOX", simple_email(1))
    config = settings(dovecot, user, auth="oauth2", tenant=authority.TENANT,
                      client_id=authority.CLIENT_ID, authority=authority.url,
                      ca_file=authority.cert)
    box = ImapMailbox(config, environ={"CME_MAILBOX_CLIENT_SECRET": authority.SECRET})
    try:
        assert len(list(box.fetch_new())) == 1
        dovecot.drop_connections(user)
        assert box.waiting() == 1  # logged in again, with the token msal kept
    finally:
        box.close()
        authority.stop()
    assert authority.token_requests == 1
    dovecot.introspection.tokens[TOKEN] = "someone-else"
    refused = ImapMailbox(config, environ={"CME_MAILBOX_CLIENT_SECRET": authority.SECRET})
    with pytest.raises(MailboxError):
        refused.waiting()
    refused.close()
