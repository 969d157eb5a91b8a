"""A small fake Microsoft Graph mail endpoint on loopback, for the real httpx code.

It answers what the Graph backend asks with the documented shapes: the inbox
delta query (pages of two with ``@odata.nextLink``, then ``@odata.deltaLink``;
``@removed`` for mail moved out; 410 Gone for a delta link it has forgotten),
``/messages/{id}/$value``, ``/messages/{id}/move``, mail folders by display
name, ``/sendMail`` with base64 MIME, Sent Items by internetMessageId, and 429
with Retry-After when told to throttle. Requests must carry the bearer token
and ``Prefer: IdType="ImmutableId"``.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fake_http import LoopbackServer, tracked_handler

TOKEN = "graph-test-token"
USER = "cme@county.example.gov.uk"
PAGE = 2


@dataclass
class Folder:
    id: str
    name: str
    items: dict[str, tuple[bytes, datetime]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)


class FakeGraph(LoopbackServer):
    def __init__(self) -> None:
        self.ids = (f"AAkALgImmutable{n:06d}" for n in itertools.count(1))
        self.lock = threading.Lock()
        self.folders = {"inbox": Folder("inbox", "Inbox"),
                        "sentitems": Folder("sentitems", "Sent Items")}
        self.forgotten_before = 0  # delta tokens below this are 410 Gone
        self.throttle = 0  # answer this many requests with 429
        self.requests: list[str] = []
        self.serve(_handler(self))

    def deliver(self, raw: bytes) -> str:
        with self.lock:
            message_id = next(self.ids)
            self._add(self.folders["inbox"], message_id, raw, datetime.now(UTC))
            return message_id

    def count(self, name: str) -> int:
        with self.lock:
            return sum(len(f.items) for f in self.folders.values() if name in (f.name, f.id))

    def sent(self) -> list[bytes]:
        with self.lock:
            return [raw for raw, _ in self.folders["sentitems"].items.values()]

    def forget_delta_links(self) -> None:
        with self.lock:
            self.forgotten_before = len(self.folders["inbox"].log) + 1

    def _add(self, folder: Folder, message_id: str, raw: bytes, when: datetime) -> None:
        folder.items[message_id] = (raw, when)
        folder.log.append(("add", message_id))

    def find(self, message_id: str) -> Folder | None:
        return next((f for f in self.folders.values() if message_id in f.items), None)

    # -- routes -------------------------------------------------------------

    def route(self, method: str, parts: list[str], query: dict, body: bytes):
        """(status, JSON or bytes) for /v1.0/users/{user}/<parts>."""
        if parts[:3] == ["mailFolders", "inbox", "messages"] and parts[3:] == ["delta"]:
            return self._delta(query)
        if parts[0] == "mailFolders" and len(parts) == 1:
            if method == "POST":
                folder = Folder(next(self.ids), json.loads(body)["displayName"])
                self.folders[folder.id] = folder
                return 201, {"id": folder.id, "displayName": folder.name}
            name = query["$filter"][0].split("eq ", 1)[1].strip("'").replace("''", "'")
            return 200, {"value": [{"id": f.id, "displayName": f.name}
                                   for f in self.folders.values() if f.name == name]}
        if parts == ["mailFolders", "sentitems"]:
            return 200, {"id": "sentitems", "displayName": "Sent Items"}
        if parts == ["mailFolders", "inbox"]:
            return 200, {"id": "inbox", "totalItemCount": len(self.folders["inbox"].items)}
        if parts == ["mailFolders", "sentitems", "messages"]:
            wanted = query["$filter"][0].split("eq ", 1)[1].strip("'").replace("''", "'")
            hits = [i for i, (raw, _) in self.folders["sentitems"].items.items()
                    if str(message_from_bytes(raw)["Message-ID"]).strip() == wanted]
            return 200, {"value": [{"id": i} for i in hits]}
        if parts[0] == "messages" and len(parts) == 3:
            folder = self.find(parts[1])
            if folder is None:
                return 404, {"error": {"code": "ErrorItemNotFound", "message": "not found"}}
            if parts[2] == "$value":
                return 200, folder.items[parts[1]][0]
            if parts[2] == "move":
                target = self.folders[json.loads(body)["destinationId"]]
                raw, when = folder.items.pop(parts[1])
                folder.log.append(("removed", parts[1]))
                self._add(target, parts[1], raw, when)  # immutable: the id stays
                return 201, {"id": parts[1]}
        if parts == ["sendMail"]:
            raw = base64.b64decode(body)
            self._add(self.folders["sentitems"], next(self.ids), raw, datetime.now(UTC))
            return 202, b""
        return 400, {"error": {"code": "BadRequest", "message": "/".join(parts)}}

    def _delta(self, query: dict):
        inbox = self.folders["inbox"]
        base = f"http://127.0.0.1:{self.port}/v1.0/users/{USER}/mailFolders/inbox/messages/delta"
        if "$deltatoken" in query:
            since = int(query["$deltatoken"][0])
            if since < self.forgotten_before:
                return 410, {"error": {"code": "SyncStateNotFound", "message": "resync"}}
            changes = inbox.log[since:]
            entries = [{"id": i, "@removed": {"reason": "deleted"}} if kind == "removed"
                       else {"id": i, "receivedDateTime": f"{inbox.items[i][1]:%Y-%m-%dT%H:%M:%SZ}"}
                       for kind, i in changes if kind == "removed" or i in inbox.items]
        else:
            entries = [{"id": i, "receivedDateTime": f"{when:%Y-%m-%dT%H:%M:%SZ}"}
                       for i, (_raw, when) in inbox.items.items()]
        skip = int(query.get("$skiptoken", ["0"])[0])
        page = entries[skip:skip + PAGE]
        token = query.get("$deltatoken", [""])[0]
        body: dict = {"value": page}
        if skip + PAGE < len(entries):
            more = f"$skiptoken={skip + PAGE}" + (f"&$deltatoken={token}" if token else "")
            body["@odata.nextLink"] = f"{base}?{more}"
        else:
            body["@odata.deltaLink"] = f"{base}?$deltatoken={len(inbox.log)}"
        return 200, body


def _handler(fake: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(tracked_handler(fake)):
        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            url = urlsplit(self.path)
            prefix = f"/v1.0/users/{USER}/"
            path = unquote(url.path)
            with fake.lock:
                fake.requests.append(f"{method} {path}")
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    status, answer = 401, {"error": {"code": "InvalidAuthenticationToken",
                                                     "message": "no"}}
                elif self.headers.get("Prefer") != 'IdType="ImmutableId"':
                    status, answer = 400, {"error": {"code": "NoImmutableId", "message": "ids"}}
                elif fake.throttle > 0:
                    fake.throttle -= 1
                    self._reply(429, {"error": {"code": "TooManyRequests", "message": "wait"}},
                                {"Retry-After": "1"})
                    return
                elif not path.startswith(prefix):
                    status, answer = 404, {"error": {"code": "NotFound", "message": path}}
                else:
                    status, answer = fake.route(method, path[len(prefix):].split("/"),
                                                parse_qs(url.query), body)
            self._reply(status, answer)

        def _reply(self, status: int, answer, extra: dict | None = None) -> None:
            payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            kind = "message/rfc822" if isinstance(answer, bytes) else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler


class FakeAuthority:
    """An Entra ID stand-in over TLS for msal's client-credentials flow: the OpenID
    configuration and a token endpoint that hands out ``TOKEN``, counting requests."""

    TENANT = "00000000-0000-0000-0000-00000000c0de"
    CLIENT_ID, SECRET = "11111111-2222-3333-4444-555555555555", "client-secret-for-tests"

    def __init__(self, folder) -> None:
        import ssl

        from tests.dovecot import self_signed

        self.cert, key = self_signed(folder)
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _authority(self))
        self.server.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"

    def start(self) -> FakeAuthority:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _authority(fake: FakeAuthority) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            base = f"{fake.url}/{fake.TENANT}"
            self._json({"issuer": f"{base}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
                        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode"})

        def do_POST(self) -> None:
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0))
                            .decode())
            fake.token_requests += 1
            if form.get("client_secret") != [fake.SECRET]:
                self._json({"error": "invalid_client", "error_description":
                            "AADSTS7000215: Invalid client secret provided."}, 401)
                return
            self._json({"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN})

        def _json(self, answer: dict, status: int = 200) -> None:
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
