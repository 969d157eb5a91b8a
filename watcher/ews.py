"""The EWS backend (exchangelib): on-premises Exchange Server.

- Identity: the EWS item id.
- What is new: ``SyncFolderItems`` from the sync state saved in the register
  (``mailbox_state``). The saved state only moves on once every mail the sync
  reported has been acknowledged: a crash before that syncs again from the old
  state, the ledger recognises what it already has, and the mail is only
  moved. Mails handed out but not acknowledged are handed out again by the
  next ``fetch_new``, as the contract says. An invalid state starts a full
  sync (every mail in the inbox is reported again, and deduplicated).
- Push: a streaming subscription on the inbox, read by a background thread
  that only wakes ``wait``; the sync does the work. After the stream breaks
  the thread subscribes again and wakes ``wait`` once, for a catch-up sync.
- Acknowledge: MoveItem to Processed or Quarantine (children of the top of
  the mailbox, created when missing).
- Send: CreateItem with the letter's MIME (attachments and Message-ID
  included) and SendAndSaveCopy; ``was_sent`` looks in Sent Items by
  InternetMessageId.
- Auth: NTLM or basic on premises, or OAuth2 client credentials (exchangelib's
  own flow); ``impersonate`` acts as ``address`` (ApplicationImpersonation).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from cme.config import MailboxConfig
from watcher.mailbox import InboundMail, MailboxError, OutboundMail, Outcome
from watcher.oauth import secret
from watcher.outgoing import build_email
from watcher.state import MailboxState
from watcher.wakeup import WakePipe

log = logging.getLogger(__name__)

FETCH_BATCH = 25
STREAM_MINUTES = 29  # EWS allows 1-30 minutes per GetStreamingEvents


def ews_url(config: MailboxConfig) -> str:
    scheme = "http" if config.security == "none" else "https"
    port = config.port or (80 if config.security == "none" else 443)
    default = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    host = config.host if default else f"{config.host}:{port}"
    return f"{scheme}://{host}/EWS/Exchange.asmx"


def open_account(config: MailboxConfig, environ: Mapping[str, str] | None = None) -> Any:
    """An exchangelib Account for the configured mailbox (no request made yet)."""
    import exchangelib as ews
    from exchangelib.version import EXCHANGE_2016, Version

    if not config.host or not config.mailbox_address:
        raise MailboxError("ews: [mailbox] host and username (or address) must be set")
    if config.auth == "oauth2":
        credentials: Any = ews.OAuth2Credentials(
            client_id=config.client_id,
            client_secret=secret(config.client_secret_env, "ews client secret", environ),
            tenant_id=config.tenant,
            identity=ews.Identity(primary_smtp_address=config.mailbox_address),
        )
        auth_type = ews.OAUTH2
    else:
        credentials = ews.Credentials(config.username,
                                      secret(config.password_env, "ews password", environ))
        auth_type = ews.NTLM if config.auth == "ntlm" else ews.BASIC
    impersonate = config.impersonate or config.auth == "oauth2"  # app-only needs it
    configuration = ews.Configuration(
        service_endpoint=ews_url(config), credentials=credentials, auth_type=auth_type,
        version=Version(build=EXCHANGE_2016),
        # exchangelib's default is one session: the notification stream would hold
        # it for up to STREAM_MINUTES and every sync would wait for it.
        max_connections=4,
    )
    return ews.Account(config.mailbox_address, config=configuration, autodiscover=False,
                       access_type=ews.IMPERSONATION if impersonate else ews.DELEGATE)


class EwsMailbox:
    name = "ews"

    def __init__(self, config: MailboxConfig, state: MailboxState, *,
                 environ: Mapping[str, str] | None = None, account: Any = None) -> None:
        self.config = config
        self.where = f"ews {ews_url(config)}"
        self.state = state
        self._account = account or open_account(config, environ)
        self._folders: dict[str, Any] = {}
        self._outstanding: dict[str, str] = {}  # item id -> change key, handed out, not acked
        self._pending_state: str | None = None
        self._wake = WakePipe()
        self._stop = threading.Event()
        self._stream: threading.Thread | None = None

    # -- folders ------------------------------------------------------------

    def folder(self, which: str) -> Any:
        """"inbox", "sent", or a folder name under the top of the mailbox (created if missing)."""
        if which not in self._folders:
            self._folders[which] = self._guard(lambda: self._find_folder(which))
        return self._folders[which]

    def _find_folder(self, which: str, *, create: bool = True) -> Any:
        from exchangelib.folders import Folder, FolderCollection

        account = self._account
        if which == "inbox":
            return account.inbox
        if which == "sent":
            return account.sent
        top = account.msg_folder_root
        for child in FolderCollection(account=account, folders=[top]).find_folders(
                depth="Shallow"):
            if getattr(child, "name", None) == which:
                return child
        if not create:
            return None
        created = Folder(parent=top, name=which)
        created.save()
        log.info("%s: created folder %s", self.where, which)
        return created

    def probe(self) -> tuple[int, list[str]]:
        """For ``cme doctor``, changing nothing: (mails in the inbox, folders missing).
        Reading Sent Items is the cheap stand-in for a send."""
        def look() -> tuple[int, list[str]]:
            inbox = self._find_folder("inbox")
            self._find_folder("sent").refresh()
            wanted = (self.config.processed_folder, self.config.quarantine_folder)
            missing = [name for name in wanted if self._find_folder(name, create=False) is None]
            return int(inbox.total_count or 0), missing

        return self._guard(look)

    def _guard(self, operation: Any) -> Any:
        """Run ``operation``; wrap what exchangelib or the network raised, once."""
        try:
            return operation()
        except MailboxError:
            raise
        except Exception as exc:  # exchangelib's errors share no base with requests'
            raise MailboxError(f"{self.where}: {_reason(exc)}") from exc

    # -- the protocol -------------------------------------------------------

    def fetch_new(self) -> Iterator[InboundMail]:
        created = self._guard(self._sync)
        ids = [*self._outstanding.items(), *((i, k) for i, k in created
                                             if i not in self._outstanding)]
        self._outstanding.update(ids)
        if not ids:
            self._save_state()
        for start in range(0, len(ids), FETCH_BATCH):
            for item in self._guard(lambda s=start: self._get(ids[s:s + FETCH_BATCH])):
                if isinstance(item, Exception):  # gone since the sync: moved by someone
                    continue
                yield InboundMail(item.id, bytes(item.mime_content),
                                  _aware(item.datetime_received))

    def _sync(self) -> list[tuple[str, str]]:
        from exchangelib.errors import ErrorInvalidSyncStateData

        inbox = self.folder("inbox")
        saved = self._pending_state or self.state.get("sync_state")
        try:
            changes = list(inbox.sync_items(sync_state=saved, only_fields=["id", "changekey"]))
        except (ErrorInvalidSyncStateData, AttributeError):
            # exchangelib 5.6 reads the SyncState of an ErrorInvalidSyncStateData
            # response before its error, and fails with AttributeError.
            if not saved:
                raise
            log.warning("%s: sync state no longer valid; syncing the whole inbox", self.where)
            inbox.item_sync_state = None
            changes = list(inbox.sync_items(sync_state=None, only_fields=["id", "changekey"]))
        self._pending_state = inbox.item_sync_state
        created = []
        for change, item in changes:
            item_id = getattr(item, "id", None) or getattr(getattr(item, "item_id", None),
                                                           "id", None)
            if change == "delete" and item_id:
                self._outstanding.pop(item_id, None)
            elif change == "create" and item_id:
                created.append((item_id, item.changekey))
        return created

    def _get(self, ids: list[tuple[str, str]]) -> list[Any]:
        return list(self._account.fetch(ids=ids, only_fields=["mime_content",
                                                              "datetime_received"]))

    def acknowledge(self, uid: str, outcome: Outcome) -> None:
        from exchangelib.errors import ErrorItemNotFound

        target = self.folder(self.config.processed_folder if outcome is Outcome.PROCESSED
                             else self.config.quarantine_folder)
        change_key = self._outstanding.get(uid)
        results = self._guard(lambda: list(self._account.bulk_move(
            ids=[(uid, change_key)], to_folder=target)))
        for result in results:
            if isinstance(result, ErrorItemNotFound):
                continue  # already moved: acknowledging twice is harmless
            if isinstance(result, Exception):
                raise MailboxError(f"{self.where}: cannot move {uid}: {_reason(result)}")
        self._outstanding.pop(uid, None)
        if not self._outstanding:
            self._save_state()

    def _save_state(self) -> None:
        """Every mail the sync reported is filed: the register may remember the state."""
        if self._pending_state:
            self.state.put("sync_state", self._pending_state)

    def wait(self, timeout: float) -> bool:
        if self._stream is None or not self._stream.is_alive():
            self._stop.clear()
            self._stream = threading.Thread(target=self._listen, name="ews-stream", daemon=True)
            self._stream.start()
        return self._wake.wait(timeout)

    def _listen(self) -> None:
        """Read the inbox's streaming notifications; wake ``wait`` on new mail and after
        every reconnect (the sync catches up on what the gap hid)."""
        from exchangelib.properties import CreatedEvent, NewMailEvent

        first = True
        while not self._stop.is_set():
            try:
                inbox = self.folder("inbox")
                subscription = inbox.subscribe_to_streaming()
                if not first:
                    self._wake.set()
                first = False
                for notification in inbox.get_streaming_events(
                        subscription, connection_timeout=STREAM_MINUTES):
                    if self._stop.is_set():
                        return
                    if any(isinstance(e, NewMailEvent | CreatedEvent)
                           for e in notification.events):
                        self._wake.set()
            except Exception as exc:  # the stream's own boundary: log, back off, subscribe again
                log.info("%s: notification stream ended: %s", self.where, _reason(exc))
                if self._stop.wait(5.0):
                    return

    def interrupt(self) -> None:
        self._wake.set()

    def send(self, outbound: OutboundMail) -> None:
        from exchangelib import Message

        message = build_email(outbound, domain=_domain(self.config.mailbox_address))
        sent = self.folder("sent")
        self._guard(lambda: Message(account=self._account, folder=sent,
                                    mime_content=message.as_bytes()).send_and_save())

    def was_sent(self, message_id: str) -> bool:
        sent = self.folder("sent")
        return bool(self._guard(lambda: sent.filter(message_id=message_id).exists()))

    def waiting(self) -> int:
        inbox = self.folder("inbox")
        self._guard(inbox.refresh)
        return int(inbox.total_count or 0)

    def close(self) -> None:
        self._stop.set()
        self._wake.close()
        try:
            self._account.protocol.close()
        except Exception:  # closing the pool of a server already gone
            pass


def _aware(value: Any) -> datetime:
    if value is None:
        return datetime.now(UTC)
    return datetime.fromtimestamp(value.timestamp(), UTC)


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "cme.local"


def _reason(exc: BaseException) -> str:
    return (f"{type(exc).__name__}: " + " ".join(str(exc).split()))[:300]
