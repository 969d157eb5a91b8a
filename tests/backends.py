"""One harness per mailbox backend, for the contract suite (tests/test_mailbox_contract.py).

A harness writes the site's config.toml for its backend, delivers mail into
the inbox as the server would, counts what is in the inbox and the Processed
and Quarantine folders, makes the server drop its connections, and says what
was sent. The servers are real where they exist (Dovecot, aiosmtpd) and local
fakes that answer the documented responses otherwise (EWS, Graph).
"""

from __future__ import annotations

from pathlib import Path

from imapclient import IMAPClient

from tests.conftest import write_config
from tests.dovecot import DovecotServer
from tests.mailtools import deliver, folder_count, inbox_count
from tests.smtpserver import PASSWORD as SMTP_PASSWORD
from tests.smtpserver import USER as SMTP_USER
from tests.smtpserver import SmtpServer


class Harness:
    name = ""
    # Environment variables the backend reads its secrets from.
    env: dict[str, str]

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {}

    def config(self, extra: str = "") -> Path:
        raise NotImplementedError

    def deliver(self, *raws: bytes) -> None:
        raise NotImplementedError

    def inbox(self) -> int:
        raise NotImplementedError

    def filed(self, folder: str) -> int:
        """How many mails are in ``folder`` ("Processed" or "Quarantine")."""
        raise NotImplementedError

    def drop_connections(self) -> None:
        """The server ends every session (a restart); a Maildir has none."""

    def sent(self, count: int) -> list:
        """The first ``count`` mails sent, parsed, once they have arrived."""
        raise NotImplementedError

    def close(self) -> None:
        """Anything the harness started for one test."""


def _site(folder: Path, mailbox: str, extra: str) -> Path:
    path = write_config(folder, extra)
    text = path.read_text().replace('[mailbox]\nbackend = "maildir"\npath = "var/mailbox"\n',
                                    mailbox)
    path.write_text(text)
    return path


class MaildirHarness(Harness):
    """The Maildir, sending over SMTP to aiosmtpd."""

    name = "maildir"

    def __init__(self, folder: Path, smtp: SmtpServer) -> None:
        super().__init__(folder)
        self.smtp = smtp
        self.maildir = folder / "var/mailbox"
        self.env = {"CME_TEST_SMTP_PASSWORD": SMTP_PASSWORD}

    def config(self, extra: str = "") -> Path:
        return _site(self.folder, '[mailbox]\nbackend = "maildir"\npath = "var/mailbox"\n',
                     smtp_section(self.smtp) + extra)

    def deliver(self, *raws: bytes) -> None:
        deliver(self.maildir, *raws)

    def inbox(self) -> int:
        return inbox_count(self.maildir)

    def filed(self, folder: str) -> int:
        return folder_count(self.maildir, folder)

    def sent(self, count: int) -> list:
        return self.smtp.wait_for(count)


def smtp_section(smtp: SmtpServer) -> str:
    """Plain text on loopback: the TLS variants have their own tests (tests/test_smtp.py)."""
    return (f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "{smtp.security}"\n'
            f'username = "{SMTP_USER}"\npassword_env = "CME_TEST_SMTP_PASSWORD"\n')


class ImapHarness(Harness):
    """A fresh account on the session's Dovecot for each test; SMTP to aiosmtpd."""

    name = "imap"

    def __init__(self, folder: Path, dovecot: DovecotServer, smtp: SmtpServer) -> None:
        super().__init__(folder)
        self.dovecot = dovecot
        self.smtp = smtp
        self.user = dovecot.add_user()
        self.env = {"CME_TEST_IMAP_PASSWORD": dovecot.password,
                    "CME_TEST_SMTP_PASSWORD": SMTP_PASSWORD}
        self._client: IMAPClient | None = None

    def config(self, extra: str = "") -> Path:
        mailbox = ('[mailbox]\nbackend = "imap"\nhost = "127.0.0.1"\n'
                   f'port = {self.dovecot.port}\nsecurity = "none"\nusername = "{self.user}"\n'
                   'password_env = "CME_TEST_IMAP_PASSWORD"\npoll_seconds = 5\n')
        return _site(self.folder, mailbox, smtp_section(self.smtp) + extra)

    def client(self) -> IMAPClient:
        if self._client is None:
            self._client = self.dovecot.client(self.user)
        return self._client

    def deliver(self, *raws: bytes) -> None:
        for raw in raws:
            self.client().append("INBOX", raw)

    def count(self, folder: str) -> int:
        client = self.client()
        if not client.folder_exists(folder):
            return 0
        return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])

    def inbox(self) -> int:
        return self.count("INBOX")

    def filed(self, folder: str) -> int:
        return self.count(folder)

    def drop_connections(self) -> None:
        self.dovecot.drop_connections(self.user)
        self._client = None

    def sent(self, count: int) -> list:
        return self.smtp.wait_for(count)

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.logout()
            except Exception:
                pass


class EwsHarness(Harness):
    """A fake EWS endpoint of its own for each test, driven by the real exchangelib."""

    name = "ews"

    def __init__(self, folder: Path) -> None:
        from tests import fake_ews

        super().__init__(folder)
        self.fake = fake_ews.FakeEws().start()
        self.env = {"CME_TEST_EWS_PASSWORD": fake_ews.PASSWORD}
        self.user = fake_ews.USER

    def config(self, extra: str = "") -> Path:
        mailbox = ('[mailbox]\nbackend = "ews"\nhost = "127.0.0.1"\n'
                   f'port = {self.fake.port}\nsecurity = "none"\nusername = "{self.user}"\n'
                   'password_env = "CME_TEST_EWS_PASSWORD"\npoll_seconds = 5\n')
        return _site(self.folder, mailbox, extra)

    def deliver(self, *raws: bytes) -> None:
        for raw in raws:
            self.fake.deliver(raw)

    def inbox(self) -> int:
        return self.fake.count("Inbox")

    def filed(self, folder: str) -> int:
        return self.fake.count(folder)

    def drop_connections(self) -> None:
        self.fake.drop_connections()

    def sent(self, count: int) -> list:
        return parsed(self.fake.sent()[:count], count)

    def close(self) -> None:
        self.fake.stop()


class GraphHarness(EwsHarness):
    """A fake Graph endpoint and a fake Entra ID token endpoint (TLS) for each test."""

    name = "graph"

    def __init__(self, folder: Path) -> None:
        from tests import fake_graph

        Harness.__init__(self, folder)
        self.fake = fake_graph.FakeGraph().start()
        self.authority = fake_graph.FakeAuthority(folder).start()
        self.env = {"CME_TEST_GRAPH_SECRET": self.authority.SECRET}
        self.user = fake_graph.USER

    def config(self, extra: str = "") -> Path:
        auth = self.authority
        mailbox = ('[mailbox]\nbackend = "graph"\nhost = "127.0.0.1"\n'
                   f'port = {self.fake.port}\nsecurity = "none"\naddress = "{self.user}"\n'
                   f'tenant = "{auth.TENANT}"\nclient_id = "{auth.CLIENT_ID}"\n'
                   f'client_secret_env = "CME_TEST_GRAPH_SECRET"\nauthority = "{auth.url}"\n'
                   f'ca_file = "{auth.cert}"\npoll_seconds = 5\n')
        return _site(self.folder, mailbox, extra)

    def close(self) -> None:
        self.fake.stop()
        self.authority.stop()


def parsed(raws: list[bytes], count: int) -> list:
    """Mails a fake server holds, parsed; sending is synchronous, so they are there now."""
    from email import message_from_bytes, policy

    assert len(raws) >= count, f"{len(raws)} of {count} mails sent"
    return [message_from_bytes(raw, policy=policy.default) for raw in raws]


def _maildir(request, folder: Path, smtp: SmtpServer) -> Harness:
    return MaildirHarness(folder, smtp)


def _imap(request, folder: Path, smtp: SmtpServer) -> Harness:
    return ImapHarness(folder, request.getfixturevalue("dovecot"), smtp)


# name -> harness for one test, given the pytest request, a temp folder and the SMTP server
HARNESSES = {"maildir": _maildir, "imap": _imap,
             "ews": lambda request, folder, smtp: EwsHarness(folder),
             "graph": lambda request, folder, smtp: GraphHarness(folder)}
