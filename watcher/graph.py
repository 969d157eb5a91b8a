"""The Microsoft Graph backend (httpx, tokens from msal): Exchange Online.

- Identity: the message's immutable id (``Prefer: IdType="ImmutableId"`` on
  every request), which survives moves between folders.
- What is new: a delta query on the inbox, its delta link kept in the register
  (``mailbox_state``) and moved on only once every mail it reported has been
  acknowledged; mails handed out but not acknowledged are handed out again.
  A delta link the service no longer knows (410 Gone) starts a full resync:
  every mail in the inbox is reported again, and the ledger deduplicates.
- The mail: its raw MIME from ``/messages/{id}/$value``, attachments and all,
  streamed, whatever their size.
- Push: none (Graph's change notifications need a public webhook); ``wait``
  waits for the poll interval, or an interrupt.
- Acknowledge: ``/messages/{id}/move`` to Processed or Quarantine (created
  under the top of the mailbox when missing).
- Send: ``/sendMail`` with the letter's MIME, base64, as text/plain; Graph
  keeps a copy in Sent Items, where ``was_sent`` finds it by internetMessageId.
- Throttling: 429 and 503 are retried after their Retry-After.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from cme.config import MailboxConfig
from watcher.mailbox import InboundMail, MailboxError, OutboundMail, Outcome
from watcher.oauth import GRAPH_SCOPE, MsalTokens, TokenProvider
from watcher.outgoing import build_email
from watcher.state import MailboxState
from watcher.wakeup import WakePipe

log = logging.getLogger(__name__)

RETRIES = 5
MAX_RETRY_AFTER = 120.0
GONE = 410


def graph_base(config: MailboxConfig) -> str:
    if not config.host:
        return "https://graph.microsoft.com/v1.0"
    scheme = "http" if config.security == "none" else "https"
    port = f":{config.port}" if config.port else ""
    return f"{scheme}://{config.host}{port}/v1.0"


class GraphMailbox:
    name = "graph"

    def __init__(self, config: MailboxConfig, state: MailboxState, *,
                 tokens: TokenProvider | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        if not config.mailbox_address:
            raise MailboxError("graph: [mailbox] address (or username) must be set")
        self.config = config
        self.state = state
        self.base = graph_base(config)
        self.where = f"graph {self.base}"
        self.user_url = f"{self.base}/users/{quote(config.mailbox_address)}"
        self._tokens = tokens or MsalTokens(config, GRAPH_SCOPE, environ=environ)
        self._http = httpx.Client(timeout=60.0, verify=str(config.ca_file) if config.ca_file
                                  else True)
        self._folders: dict[str, str] = {}
        self._outstanding: dict[str, datetime] = {}
        self._pending_link: str | None = None
        self._wake = WakePipe()

    # -- HTTP ---------------------------------------------------------------

    def request(self, method: str, url: str, *, allow: tuple[int, ...] = (),
                **kwargs: Any) -> httpx.Response:
        """One Graph call: the token, the immutable-id preference, throttling honoured."""
        extra = kwargs.pop("headers", {})
        for attempt in range(1, RETRIES + 1):
            headers = {"Authorization": f"Bearer {self._tokens.token()}",
                       "Prefer": 'IdType="ImmutableId"', **extra}
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                raise MailboxError(f"{self.where}: {type(exc).__name__}: {exc}") from exc
            if response.status_code in (429, 503) and attempt < RETRIES:
                delay = _retry_after(response, attempt)
                log.info("%s: throttled (%d); again in %.0fs", self.where,
                         response.status_code, delay)
                self._wake.wait(delay)  # a stop request cuts it short
                continue
            if response.is_success or response.status_code in allow:
                return response
            raise MailboxError(f"{self.where}: {method} {url.removeprefix(self.base)}: "
                               f"{response.status_code} {_error_text(response)}")
        raise AssertionError("unreachable")

    def folder_id(self, name: str) -> str:
        """A folder under the top of the mailbox by display name, created if missing."""
        if name not in self._folders:
            found = self.find_folder(name)
            if found:
                self._folders[name] = found
            else:
                made = self.request("POST", f"{self.user_url}/mailFolders",
                                    json={"displayName": name})
                self._folders[name] = made.json()["id"]
                log.info("%s: created folder %s", self.where, name)
        return self._folders[name]

    def find_folder(self, name: str) -> str | None:
        found = self.request("GET", f"{self.user_url}/mailFolders", params={
            "$filter": f"displayName eq '{name.replace(chr(39), chr(39) * 2)}'",
            "$select": "id,displayName"}).json().get("value", [])
        return found[0]["id"] if found else None

    def probe(self) -> tuple[int, list[str]]:
        """For ``cme doctor``, changing nothing: (mails in the inbox, folders missing).
        Reading Sent Items is the cheap stand-in for a send."""
        self.request("GET", f"{self.user_url}/mailFolders/sentitems", params={"$select": "id"})
        wanted = (self.config.processed_folder, self.config.quarantine_folder)
        return self.waiting(), [name for name in wanted if self.find_folder(name) is None]

    # -- the protocol -------------------------------------------------------

    def fetch_new(self) -> Iterator[InboundMail]:
        for message_id, received in self._delta():
            self._outstanding.setdefault(message_id, received)
        if not self._outstanding:
            self._save_link()
        for message_id, received in list(self._outstanding.items()):
            response = self.request("GET", f"{self.user_url}/messages/{message_id}/$value",
                                    allow=(404,))
            if response.status_code == 404:  # moved or deleted since the delta
                self._outstanding.pop(message_id, None)
                continue
            yield InboundMail(message_id, response.content, received)

    def _delta(self) -> list[tuple[str, datetime]]:
        start = (f"{self.user_url}/mailFolders/inbox/messages/delta"
                 "?$select=id,receivedDateTime")
        url = self._pending_link or self.state.get("delta_link") or start
        found: list[tuple[str, datetime]] = []
        while True:
            page = self.request("GET", url, allow=(GONE,))
            if page.status_code == GONE:
                log.warning("%s: delta link expired (410); resyncing the whole inbox", self.where)
                self.state.forget("delta_link")
                url, found = start, []
                continue
            body = page.json()
            for item in body.get("value", []):
                if "@removed" in item:
                    self._outstanding.pop(item["id"], None)
                else:
                    found.append((item["id"], _instant(item.get("receivedDateTime"))))
            if "@odata.nextLink" in body:
                url = body["@odata.nextLink"]
                continue
            self._pending_link = body.get("@odata.deltaLink")
            return found

    def acknowledge(self, uid: str, outcome: Outcome) -> None:
        folder = self.folder_id(self.config.processed_folder if outcome is Outcome.PROCESSED
                                else self.config.quarantine_folder)
        self.request("POST", f"{self.user_url}/messages/{uid}/move",
                     json={"destinationId": folder}, allow=(404,))  # 404: moved already
        self._outstanding.pop(uid, None)
        if not self._outstanding:
            self._save_link()

    def _save_link(self) -> None:
        if self._pending_link:
            self.state.put("delta_link", self._pending_link)

    def wait(self, timeout: float) -> bool:
        return self._wake.wait(timeout)

    def interrupt(self) -> None:
        self._wake.set()

    def send(self, outbound: OutboundMail) -> None:
        message = build_email(outbound, domain=self.config.mailbox_address.rpartition("@")[2])
        self.request("POST", f"{self.user_url}/sendMail",
                     content=base64.b64encode(message.as_bytes()),
                     headers={"Content-Type": "text/plain"})

    def was_sent(self, message_id: str) -> bool:
        quoted = message_id.replace("'", "''")
        found = self.request("GET", f"{self.user_url}/mailFolders/sentitems/messages", params={
            "$filter": f"internetMessageId eq '{quoted}'", "$select": "id"}).json()
        return bool(found.get("value"))

    def waiting(self) -> int:
        inbox = self.request("GET", f"{self.user_url}/mailFolders/inbox",
                             params={"$select": "totalItemCount"}).json()
        return int(inbox.get("totalItemCount", 0))

    def close(self) -> None:
        self._http.close()
        self._wake.close()


def _retry_after(response: httpx.Response, attempt: int) -> float:
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        seconds = 2.0 ** attempt
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _error_text(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
        return f"{error.get('code', '')}: {error.get('message', '')}"[:300]
    except ValueError:
        return response.text[:300]


def _instant(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
