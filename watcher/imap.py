"""The IMAP backend (imapclient): any mail server, Exchange Online with OAuth.

- Identity: ``UIDVALIDITY:UID``. A new UIDVALIDITY means the server rebuilt
  the folder: every mail is fetched again under its new uid, and the ledger
  recognises each by Message-ID or sha256, so it is only moved.
- Push: IDLE, renewed every 25 minutes (servers may end one after 29), with
  the daemon's poll interval as the periodic re-check. Without IDLE (or with
  ``idle = false``) ``wait`` just waits for the interval.
- Acknowledge: MOVE where the server has it, else COPY, STORE \\Deleted and
  UID EXPUNGE (plain EXPUNGE on a server without UIDPLUS).
- Connection: one session, opened when first needed; a session the server
  dropped is opened again once at once, and otherwise a ``MailboxError`` is
  raised and the daemon retries with its capped backoff. Every folder the
  backend uses is created when missing.
- Sending goes over SMTP; each sent mail is then appended to the Sent folder
  (unless the server already put it there), where ``was_sent`` looks for its
  Message-ID.
"""

from __future__ import annotations

import imaplib
import logging
import select
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from cme.config import MailboxConfig
from watcher.mailbox import InboundMail, MailboxError, OutboundMail, Outcome
from watcher.oauth import OUTLOOK_SCOPE, MsalTokens, TokenProvider, secret
from watcher.outgoing import build_email
from watcher.smtp import SmtpSender
from watcher.wakeup import WakePipe

log = logging.getLogger(__name__)

IDLE_RENEW_SECONDS = 25 * 60
FETCH_MAX_BYTES = 32 * 1024 * 1024  # one FETCH brings at most this much (or one mail)
FETCH_MAX_MAILS = 25
CONNECT_TIMEOUT = 60.0
# A lost connection: reconnect. (IMAP4.abort is a subclass of IMAP4.error.)
DROPPED = (OSError, EOFError, imaplib.IMAP4.abort, ssl.SSLError, socket.timeout)
FAILED = (*DROPPED, imaplib.IMAP4.error, IMAPClientError)

T = TypeVar("T")


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """The system's CAs, or the site's ``ca_file`` (an internal CA)."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


class ImapMailbox:
    name = "imap"

    def __init__(self, config: MailboxConfig, *, sender: SmtpSender | None = None,
                 tokens: TokenProvider | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        if not config.host:
            raise MailboxError("imap: [mailbox] host is not set")
        self.config = config
        self.sender = sender
        self.port = config.port or (993 if config.security == "ssl" else 143)
        self.where = f"imap {config.host}:{self.port}"
        if config.auth == "oauth2":
            self._tokens = tokens or MsalTokens(config, OUTLOOK_SCOPE, environ=environ)
            self._password = ""
        else:
            self._tokens = tokens
            self._password = secret(config.password_env, "imap password", environ)
        self._client: IMAPClient | None = None
        self._uidvalidity = 0
        self._uidnext = 0  # UIDNEXT when the inbox was last searched
        self._wake = WakePipe()

    # -- connection ---------------------------------------------------------

    def connect(self) -> IMAPClient:
        """The open session, logged in, with the inbox selected (opening one if needed)."""
        if self._client is None:
            self._client = self._open(create_folders=True)
        return self._client

    def probe(self) -> tuple[int, list[str], bool]:
        """For ``cme doctor``, changing nothing: (mails in the inbox, folders missing,
        whether the inbox is writable, so that mail can be moved out of it)."""
        client = self._open(create_folders=False)
        try:
            present = {name for _flags, _sep, name in client.list_folders()}
            wanted = (self.config.processed_folder, self.config.quarantine_folder,
                      self.config.sent_folder)
            missing = [folder for folder in wanted if folder and folder not in present]
            selected = client.select_folder(self.config.folder)
            return int(selected[b"EXISTS"]), missing, b"READ-WRITE" in selected
        except FAILED as exc:
            raise MailboxError(f"{self.where}: {_reason(exc)}") from exc
        finally:
            try:
                client.logout()
            except FAILED:
                pass

    def _open(self, *, create_folders: bool) -> IMAPClient:
        config = self.config
        client: IMAPClient | None = None
        try:
            secure = config.security != "none"
            context = tls_context(config.ca_file) if secure else None
            client = IMAPClient(config.host, port=self.port, ssl=config.security == "ssl",
                                ssl_context=context, timeout=CONNECT_TIMEOUT)
            client.normalise_times = False  # INTERNALDATE with its offset
            if config.security == "starttls":
                client.starttls(context)
            if self._tokens is not None and config.auth == "oauth2":
                client.oauth2_login(config.username, self._tokens.token())
            else:
                client.login(config.username, self._password)
            if create_folders:
                self._ensure_folders(client)
            selected = client.select_folder(config.folder)
        except (*FAILED, MailboxError) as exc:
            if client is not None:
                _close_quietly(client)  # a refused login must not leave its socket open
            if isinstance(exc, MailboxError):
                raise
            raise MailboxError(f"{self.where}: {_reason(exc)}") from exc
        self._uidvalidity = int(selected[b"UIDVALIDITY"])
        log.debug("%s: connected, %s UIDVALIDITY %d", self.where, config.folder, self._uidvalidity)
        return client

    def _ensure_folders(self, client: IMAPClient) -> None:
        config = self.config
        present = {name for _flags, _sep, name in client.list_folders()}
        for folder in (config.processed_folder, config.quarantine_folder, config.sent_folder):
            if folder and folder not in present:
                client.create_folder(folder)
                log.info("%s: created folder %s", self.where, folder)

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _close_quietly(client)

    def _call(self, operation: Callable[[IMAPClient], T]) -> T:
        """``operation`` on the session; once more on a fresh one if the server dropped it.

        Every operation here is safe to repeat (a MOVE of a uid already moved
        moves nothing).
        """
        for attempt in (1, 2):
            client = self.connect()
            try:
                return operation(client)
            except DROPPED as exc:
                self._drop()
                if attempt == 2:
                    raise MailboxError(f"{self.where}: connection lost: {_reason(exc)}") from exc
                log.info("%s: connection lost (%s); reconnecting", self.where, _reason(exc))
            except FAILED as exc:
                raise MailboxError(f"{self.where}: {_reason(exc)}") from exc
        raise AssertionError("unreachable")

    # -- the protocol -------------------------------------------------------

    def fetch_new(self) -> Iterator[InboundMail]:
        """Oldest uid first, in FETCHes of at most FETCH_MAX_BYTES."""
        validity, sizes = self._call(self._inbox_sizes)
        for chunk in _chunks(sizes):
            found = self._call(lambda c, chunk=chunk: self._fetch(c, chunk, validity))
            if found is None:
                return  # UIDVALIDITY changed under us: the next pass starts again
            for uid in chunk:
                item = found.get(uid)
                if item is None or b"BODY[]" not in item:
                    continue  # expunged by someone else since the search
                yield InboundMail(f"{validity}:{uid}", bytes(item[b"BODY[]"]),
                                  _aware(item[b"INTERNALDATE"]))

    def _inbox_sizes(self, client: IMAPClient) -> tuple[int, list[tuple[int, int]]]:
        selected = client.select_folder(self.config.folder)  # fresh EXISTS and UIDVALIDITY
        self._uidvalidity = int(selected[b"UIDVALIDITY"])
        self._uidnext = int(selected.get(b"UIDNEXT", 0))
        uids = sorted(client.search(["ALL"]))
        if not uids:
            return self._uidvalidity, []
        sizes = client.fetch(uids, ["RFC822.SIZE"])
        return self._uidvalidity, [(u, int(sizes[u][b"RFC822.SIZE"])) for u in uids if u in sizes]

    def _fetch(self, client: IMAPClient, uids: list[int], validity: int) -> dict | None:
        if self._uidvalidity != validity:
            return None
        return client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])

    def acknowledge(self, uid: str, outcome: Outcome) -> None:
        validity, _, number = uid.partition(":")
        target = (self.config.processed_folder if outcome is Outcome.PROCESSED
                  else self.config.quarantine_folder)
        self._call(lambda c: self._move(c, int(validity), int(number), target))

    def _move(self, client: IMAPClient, validity: int, uid: int, target: str) -> None:
        if validity != self._uidvalidity:
            # The folder was rebuilt: this uid names nothing now. The mail is
            # fetched again under its new uid and moved then.
            log.info("%s: uid %d:%d is from an old UIDVALIDITY; left for the next pass",
                     self.where, validity, uid)
            return
        if self.has_move(client):
            client.move([uid], target)
            return
        client.copy([uid], target)
        client.add_flags([uid], [b"\\Deleted"])
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])
        else:
            client.expunge()

    def has_move(self, client: IMAPClient) -> bool:
        """Whether to use MOVE (RFC 6851); a subclass may say no, to test the fallback."""
        return client.has_capability("MOVE")

    def wait(self, timeout: float) -> bool:
        if not self.config.idle:
            return self._wake.wait(timeout)
        try:
            client = self.connect()
            if not client.has_capability("IDLE"):
                return self._wake.wait(timeout)
        except MailboxError:
            return self._wake.wait(timeout)  # the next pass meets the fault and backs off
        try:
            return self._idle(client, timeout)
        except FAILED as exc:
            log.info("%s: IDLE ended: %s", self.where, _reason(exc))
            self._drop()
            return True  # the next pass reconnects (or reports why it cannot)

    def _idle(self, client: IMAPClient, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        # Mail that came during the last pass was announced (EXISTS) in the reply
        # to some other command, not to the IDLE about to start: look first. NOOP
        # brings the session's view up to date; the search then sees such mail.
        # ("n:*" always matches the newest mail, whatever its uid: hence the filter.)
        if _new_mail(client.noop()[1]) or any(
                uid >= self._uidnext for uid in client.search(["UID", f"{self._uidnext}:*"])):
            return True
        client.idle()
        renew_at = time.monotonic() + IDLE_RENEW_SECONDS
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            if now >= renew_at:
                if _new_mail(client.idle_done()[1]):
                    return True
                client.idle()
                renew_at = now + IDLE_RENEW_SECONDS
            sock = client.socket()
            ready, _, _ = select.select([sock, self._wake.fd], [], [],
                                        min(deadline, renew_at) - now)
            if self._wake.fd in ready:
                self._wake.drain()
                client.idle_done()
                return True
            if sock in ready:
                responses = client.idle_check(timeout=0)
                if _new_mail(responses):
                    client.idle_done()
                    return True
                if not responses:
                    # Readable but nothing whole came: a closed connection, or a
                    # TLS record still arriving. Ending the IDLE tells which
                    # (it raises on a dead session) and reads what was buffered.
                    if _new_mail(client.idle_done()[1]):
                        return True
                    client.idle()
        return _new_mail(client.idle_done()[1])

    def interrupt(self) -> None:
        self._wake.set()

    def send(self, outbound: OutboundMail) -> None:
        if self.sender is None:
            raise MailboxError("imap: no [smtp] host is set, so letters cannot be sent")
        message = build_email(outbound, domain=_domain(self.config.username))
        self.sender.send(message)
        if self.config.sent_folder:
            raw = message.as_bytes()
            message_id = str(message["Message-ID"])
            self._call(lambda c: self._keep_sent(c, message_id, raw))

    def _keep_sent(self, client: IMAPClient, message_id: str, raw: bytes) -> None:
        # Some servers (Exchange Online) file mail sent over SMTP themselves.
        if not self._search_sent(client, message_id):
            client.append(self.config.sent_folder, raw, flags=[b"\\Seen"])

    def was_sent(self, message_id: str) -> bool:
        if not self.config.sent_folder:
            raise MailboxError("imap: [mailbox] sent_folder is empty, so sent mail is not kept")
        return self._call(lambda c: self._search_sent(c, message_id))

    def _search_sent(self, client: IMAPClient, message_id: str) -> bool:
        client.select_folder(self.config.sent_folder, readonly=True)
        try:
            return bool(client.search(["HEADER", "Message-ID", message_id]))
        finally:
            selected = client.select_folder(self.config.folder)
            self._uidvalidity = int(selected[b"UIDVALIDITY"])

    def waiting(self) -> int:
        status = self._call(lambda c: c.folder_status(self.config.folder, [b"MESSAGES"]))
        return int(status[b"MESSAGES"])

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.logout()
            except FAILED:
                pass
        self._wake.close()


def _close_quietly(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except FAILED:
        pass  # already gone


def _new_mail(responses: list) -> bool:
    return any(len(r) >= 2 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def _chunks(sizes: list[tuple[int, int]]) -> Iterator[list[int]]:
    chunk: list[int] = []
    total = 0
    for uid, size in sizes:
        if chunk and (total + size > FETCH_MAX_BYTES or len(chunk) >= FETCH_MAX_MAILS):
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "cme.local"


def _reason(exc: BaseException) -> str:
    return (" ".join(str(exc).split()) or type(exc).__name__)[:300]

