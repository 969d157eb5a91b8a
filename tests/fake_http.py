"""What the fake EWS and Graph endpoints share: an HTTP/1.1 server on loopback whose
open connections a test can drop (a network failure, the end of a stream)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LoopbackServer:
    """A threading HTTP server on 127.0.0.1, with its open sockets tracked."""

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.sockets: set[socket.socket] = set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def start(self) -> Any:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.drop_connections()
        self.server.shutdown()
        self.server.server_close()

    def drop_connections(self) -> None:
        for sock in list(self.sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def tracked_handler(fake: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    """A quiet HTTP/1.1 handler base whose connections ``fake`` can drop."""

    class Tracked(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            fake.sockets.add(self.connection)

        def finish(self) -> None:
            fake.sockets.discard(self.connection)
            super().finish()

        def log_message(self, *args: object) -> None:
            pass

    return Tracked
