"""A small fake EWS endpoint on loopback, answering exchangelib's real SOAP requests.

It keeps folders and items in memory and answers the operations the EWS
backend uses with the documented response shapes (Microsoft's EWS reference):
GetFolder, FindFolder, CreateFolder, SyncFolderItems, GetItem (MimeContent),
MoveItem, CreateItem (SendAndSaveCopy), FindItem (InternetMessageId), Subscribe
(streaming) and GetStreamingEvents, whose chunked response carries one SOAP
document per notification and ends with ConnectionStatus Closed. Basic auth
is checked. ``drop_connections`` closes every open socket and forgets the
subscriptions, as a server restart would.
"""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from tests.fake_http import LoopbackServer, tracked_handler

S = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
USER, PASSWORD = "cme@county.example.gov.uk", "ews-test-password"
STREAM_HOLD_SECONDS = 60.0  # a streaming response stays open this long at most


@dataclass
class Item:
    id: str
    mime: bytes
    received: datetime
    change_key: str = "ck1"

    @property
    def internet_message_id(self) -> str:
        return str(message_from_bytes(self.mime).get("Message-ID", "")).strip()


@dataclass
class Folder:
    id: str
    name: str
    parent: str
    distinguished: str = ""
    items: dict[str, Item] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)  # ("create"|"delete", item id)


class FakeEws(LoopbackServer):
    def __init__(self) -> None:
        self.ids = (f"AAMk{n:06d}" for n in itertools.count(1))
        self.lock = threading.Condition()
        self.folders: dict[str, Folder] = {}
        for distinguished, name, parent in (("root", "Root", ""),
                                            ("msgfolderroot", "Top of Information Store", "root"),
                                            ("inbox", "Inbox", "msgfolderroot"),
                                            ("sentitems", "Sent Items", "msgfolderroot")):
            self.folders[distinguished] = Folder(distinguished, name, parent, distinguished)
        self.subscriptions: set[str] = set()
        self.calls: list[str] = []
        self.generation = 0  # bumped by drop_connections: open streams end
        self.serve(_handler(self))

    # -- what the tests do to the mailbox -------------------------------------

    def deliver(self, raw: bytes, folder: str = "inbox") -> str:
        with self.lock:
            item = Item(next(self.ids), raw, datetime.now(UTC))
            self._add(self.folders[folder], item)
            self.lock.notify_all()
            return item.id

    def count(self, name: str) -> int:
        with self.lock:
            return sum(len(f.items) for f in self.folders.values()
                       if name in (f.name, f.distinguished))

    def sent(self) -> list[bytes]:
        with self.lock:
            return [item.mime for item in self.folders["sentitems"].items.values()]

    def drop_connections(self) -> None:
        with self.lock:
            self.generation += 1
            self.subscriptions.clear()
            self.lock.notify_all()
            super().drop_connections()

    # -- the store --------------------------------------------------------

    def _add(self, folder: Folder, item: Item) -> None:
        folder.items[item.id] = item
        folder.log.append(("create", item.id))

    def _remove(self, folder: Folder, item_id: str) -> Item:
        item = folder.items.pop(item_id)
        folder.log.append(("delete", item_id))
        return item

    def folder_of(self, element) -> Folder | None:
        ident = element.get("Id")
        return self.folders.get(ident)

    def find_item(self, item_id: str) -> tuple[Folder, Item] | None:
        for folder in self.folders.values():
            if item_id in folder.items:
                return folder, folder.items[item_id]
        return None


# -- SOAP -------------------------------------------------------------------


def envelope(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{S}" xmlns:m="{M}" '
            f'xmlns:t="{T}"><s:Header><t:ServerVersionInfo MajorVersion="15" MinorVersion="1" '
            'MajorBuildNumber="2507" MinorBuildNumber="6" Version="V2017_07_11"/></s:Header>'
            f"<s:Body>{body}</s:Body></s:Envelope>").encode()


def response(operation: str, messages: list[str]) -> bytes:
    return envelope(f"<m:{operation}Response><m:ResponseMessages>{''.join(messages)}"
                    f"</m:ResponseMessages></m:{operation}Response>")


def ok(operation: str, inner: str = "") -> str:
    return (f'<m:{operation}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError'
            f"</m:ResponseCode>{inner}</m:{operation}ResponseMessage>")


def error(operation: str, code: str, text: str) -> str:
    return (f'<m:{operation}ResponseMessage ResponseClass="Error"><m:MessageText>{escape(text)}'
            f"</m:MessageText><m:ResponseCode>{code}</m:ResponseCode><m:DescriptiveLinkKey>0"
            f"</m:DescriptiveLinkKey></m:{operation}ResponseMessage>")


def folder_xml(folder: Folder, fake: FakeEws) -> str:
    children = sum(1 for f in fake.folders.values() if f.parent == folder.id)
    distinguished = (f"<t:DistinguishedFolderId>{folder.distinguished}</t:DistinguishedFolderId>"
                     if folder.distinguished else "")
    return (f'<t:Folder><t:FolderId Id="{folder.id}" ChangeKey="fk1"/>'
            f'<t:ParentFolderId Id="{folder.parent or folder.id}" ChangeKey="fk1"/>'
            f"<t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>{escape(folder.name)}"
            f"</t:DisplayName>{distinguished}<t:TotalCount>{len(folder.items)}</t:TotalCount>"
            f"<t:ChildFolderCount>{children}</t:ChildFolderCount><t:UnreadCount>0"
            "</t:UnreadCount></t:Folder>")


def item_id_xml(item: Item) -> str:
    return f'<t:ItemId Id="{item.id}" ChangeKey="{item.change_key}"/>'


def _get_folder(fake: FakeEws, body) -> bytes:
    messages = []
    for ident in body.find(f"{{{M}}}FolderIds"):
        folder = fake.folder_of(ident)
        messages.append(ok("GetFolder", f"<m:Folders>{folder_xml(folder, fake)}</m:Folders>")
                        if folder else error("GetFolder", "ErrorFolderNotFound", "no folder"))
    return response("GetFolder", messages)


def _find_folder(fake: FakeEws, body) -> bytes:
    parent = fake.folder_of(body.find(f"{{{M}}}ParentFolderIds")[0])
    children = [f for f in fake.folders.values() if parent and f.parent == parent.id]
    inner = "".join(folder_xml(f, fake) for f in children)
    return response("FindFolder", [ok("FindFolder", (
        f'<m:RootFolder TotalItemsInView="{len(children)}" IncludesLastItemInRange="true">'
        f"<t:Folders>{inner}</t:Folders></m:RootFolder>"))])


def _create_folder(fake: FakeEws, body) -> bytes:
    parent = fake.folder_of(body.find(f"{{{M}}}ParentFolderId")[0])
    messages = []
    for element in body.find(f"{{{M}}}Folders"):
        name = element.findtext(f"{{{T}}}DisplayName")
        folder = Folder(next(fake.ids), name, parent.id)
        fake.folders[folder.id] = folder
        messages.append(ok("CreateFolder", f'<m:Folders><t:Folder><t:FolderId Id="{folder.id}" '
                                           'ChangeKey="fk1"/></t:Folder></m:Folders>'))
    return response("CreateFolder", messages)


def _sync_folder_items(fake: FakeEws, body) -> bytes:
    folder = fake.folder_of(body.find(f"{{{M}}}SyncFolderId")[0])
    state = body.findtext(f"{{{M}}}SyncState") or ""
    if state:
        ident, _, seen = state.partition(":")
        if ident != folder.id or not seen.isdigit():
            return response("SyncFolderItems", [error(
                "SyncFolderItems", "ErrorInvalidSyncStateData", "Sync state data is corrupt")])
        changes = folder.log[int(seen):]
    else:
        changes = [("create", item_id) for item_id in folder.items]
    parts = []
    for kind, item_id in changes:
        if kind == "create" and item_id in folder.items:
            parts.append(f"<t:Create><t:Message>{item_id_xml(folder.items[item_id])}"
                         "</t:Message></t:Create>")
        elif kind == "delete":
            parts.append(f'<t:Delete><t:ItemId Id="{item_id}" ChangeKey="ck1"/></t:Delete>')
    return response("SyncFolderItems", [ok("SyncFolderItems", (
        f"<m:SyncState>{folder.id}:{len(folder.log)}</m:SyncState>"
        "<m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>"
        f"<m:Changes>{''.join(parts)}</m:Changes>"))])


def _get_item(fake: FakeEws, body) -> bytes:
    messages = []
    for element in body.find(f"{{{M}}}ItemIds"):
        found = fake.find_item(element.get("Id"))
        if found is None:
            messages.append(error("GetItem", "ErrorItemNotFound", "The item was not found"))
            continue
        item = found[1]
        mime = base64.b64encode(item.mime).decode()
        messages.append(ok("GetItem", (
            f'<m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">{mime}</t:MimeContent>'
            f"{item_id_xml(item)}<t:DateTimeReceived>"
            f"{item.received:%Y-%m-%dT%H:%M:%SZ}</t:DateTimeReceived></t:Message></m:Items>")))
    return response("GetItem", messages)


def _move_item(fake: FakeEws, body) -> bytes:
    target = fake.folder_of(body.find(f"{{{M}}}ToFolderId")[0])
    messages = []
    for element in body.find(f"{{{M}}}ItemIds"):
        found = fake.find_item(element.get("Id"))
        if found is None:
            messages.append(error("MoveItem", "ErrorItemNotFound", "The item was not found"))
            continue
        item = fake._remove(found[0], found[1].id)
        moved = Item(next(fake.ids), item.mime, item.received)  # a new id in the new folder
        fake._add(target, moved)
        messages.append(ok("MoveItem", f"<m:Items><t:Message>{item_id_xml(moved)}"
                                       "</t:Message></m:Items>"))
    return response("MoveItem", messages)


def _create_item(fake: FakeEws, body) -> bytes:
    if body.get("MessageDisposition") != "SendAndSaveCopy":
        return response("CreateItem", [error("CreateItem", "ErrorInvalidRequest",
                                             "only SendAndSaveCopy here")])
    messages = []
    for element in body.find(f"{{{M}}}Items"):
        mime = base64.b64decode(element.findtext(f"{{{T}}}MimeContent") or "")
        fake._add(fake.folders["sentitems"], Item(next(fake.ids), mime, datetime.now(UTC)))
        messages.append(ok("CreateItem", "<m:Items/>"))
    return response("CreateItem", messages)


def _find_item(fake: FakeEws, body) -> bytes:
    folder = fake.folder_of(body.find(f"{{{M}}}ParentFolderIds")[0])
    wanted = [c.get("Value") for c in body.iter(f"{{{T}}}Constant")]
    hits = [i for i in folder.items.values() if not wanted or i.internet_message_id in wanted]
    inner = "".join(f"<t:Message>{item_id_xml(i)}</t:Message>" for i in hits)
    return response("FindItem", [ok("FindItem", (
        f'<m:RootFolder TotalItemsInView="{len(hits)}" IncludesLastItemInRange="true">'
        f"<t:Items>{inner}</t:Items></m:RootFolder>"))])


def _subscribe(fake: FakeEws, body) -> bytes:
    subscription = f"sub-{next(fake.ids)}"
    fake.subscriptions.add(subscription)
    return response("Subscribe", [ok("Subscribe",
                                     f"<m:SubscriptionId>{subscription}</m:SubscriptionId>")])


def _notification(subscription: str, item_id: str, status: str) -> bytes:
    event = (f"<t:NewMailEvent><t:TimeStamp>{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"
             f'</t:TimeStamp><t:ItemId Id="{item_id}" ChangeKey="ck1"/><t:ParentFolderId '
             'Id="inbox" ChangeKey="fk1"/></t:NewMailEvent>') if item_id else ""
    notifications = (f"<m:Notifications><m:Notification><t:SubscriptionId>{subscription}"
                     f"</t:SubscriptionId>{event}</m:Notification></m:Notifications>"
                     if item_id else "")
    return response("GetStreamingEvents", [ok("GetStreamingEvents", (
        f"{notifications}<m:ConnectionStatus>{status}</m:ConnectionStatus>"))])


OPERATIONS = {
    "GetFolder": _get_folder, "FindFolder": _find_folder, "CreateFolder": _create_folder,
    "SyncFolderItems": _sync_folder_items, "GetItem": _get_item, "MoveItem": _move_item,
    "CreateItem": _create_item, "FindItem": _find_item, "Subscribe": _subscribe,
}


def _handler(fake: FakeEws) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(tracked_handler(fake)):
        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Authorization") != expected:
                self._send(401, b"")
                return
            operation = ElementTree.fromstring(data).find(f"{{{S}}}Body")[0]
            name = operation.tag.rpartition("}")[2]
            with fake.lock:
                fake.calls.append(name)
            if name == "GetStreamingEvents":
                self._stream(operation)
                return
            with fake.lock:
                answer = OPERATIONS[name](fake, operation)
            self._send(200, answer)

        def _send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="ews"')
            self.end_headers()
            self.wfile.write(payload)

        def _stream(self, operation) -> None:
            subscription = next((e.text for e in operation.iter()
                                 if e.tag.endswith("}SubscriptionId")), "")
            with fake.lock:
                if subscription not in fake.subscriptions:
                    self._send(200, response("GetStreamingEvents", [error(
                        "GetStreamingEvents", "ErrorSubscriptionNotFound", "gone")]))
                    return
                generation = fake.generation
                seen = len(fake.folders["inbox"].log)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            deadline = datetime.now(UTC).timestamp() + STREAM_HOLD_SECONDS
            try:
                while True:
                    with fake.lock:
                        fake.lock.wait_for(lambda seen=seen: fake.generation != generation
                                           or len(fake.folders["inbox"].log) > seen,
                                           max(0.0, deadline - datetime.now(UTC).timestamp()))
                        if fake.generation != generation:
                            return  # dropped: the socket is already shut
                        log = fake.folders["inbox"].log
                        new = [i for kind, i in log[seen:] if kind == "create"]
                        seen = len(log)
                    if not new:
                        self._chunk(_notification(subscription, "", "Closed"))
                        self._chunk(b"")
                        return
                    for item_id in new:
                        self._chunk(_notification(subscription, item_id, "OK"))
            except OSError:
                return

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler
