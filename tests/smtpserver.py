"""A real SMTP server on loopback (aiosmtpd), keeping every mail it is given.

``SmtpServer(tls=...)`` offers STARTTLS with a self-signed certificate, or
implicit TLS, or plain text; AUTH PLAIN/LOGIN checks one user and password,
and XOAUTH2 checks one bearer token. ``wait_for(count)`` blocks on a condition
the handler signals, never on a sleep.
"""

from __future__ import annotations

import base64
import ssl
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.dovecot import free_port, self_signed

USER, PASSWORD, TOKEN = "cme-smtp", "smtp-test-password", "test-bearer-token"


class _Handler:
    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], bytes]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            self.arrived.notify_all()
        return "250 OK"

    async def auth_XOAUTH2(self, server, args):
        if len(args) < 2:
            return AuthResult(success=False, handled=False)
        fields = base64.b64decode(args[1]).decode().split("\x01")
        ok = f"user={USER}" in fields and f"auth=Bearer {TOKEN}" in fields
        return AuthResult(success=ok, handled=False, auth_data=USER if ok else None)


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
          and auth_data.password.decode() == PASSWORD)
    return AuthResult(success=ok, handled=False)


class _Controller(Controller):
    def __init__(self, *args, implicit_tls: ssl.SSLContext | None = None, **kwargs) -> None:
        self._implicit_tls = implicit_tls
        super().__init__(*args, ssl_context=implicit_tls, **kwargs)

    def _trigger_server(self) -> None:
        # The ready check of an implicit-TLS server must speak TLS to it.
        if self._implicit_tls is None:
            return super()._trigger_server()
        import socket

        context = ssl.create_default_context(cafile=str(self.cert))
        with socket.create_connection((self.hostname, self.port), 5) as raw, \
                context.wrap_socket(raw, server_hostname=self.hostname) as sock:
            sock.recv(1024)

    cert: Path


class SmtpServer:
    """``security``: "starttls", "ssl" or "none" (plain text, AUTH allowed on loopback)."""

    def __init__(self, folder: Path, security: str = "none") -> None:
        self.security = security
        self.port = free_port()
        self.handler = _Handler()
        self.cert, key = self_signed(folder) if security != "none" else (None, None)
        context = None
        if self.cert is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert, key)
        self.controller = _Controller(
            self.handler, hostname="127.0.0.1", port=self.port,
            implicit_tls=context if security == "ssl" else None,
            tls_context=context if security == "starttls" else None,
            authenticator=_authenticate, auth_require_tls=False,
        )
        self.controller.cert = self.cert  # type: ignore[assignment]

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def mails(self) -> list[tuple[str, list[str], bytes]]:
        return self.handler.mails

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        """The first ``count`` mails, parsed, once they have all arrived."""
        with self.handler.arrived:
            if not self.handler.arrived.wait_for(lambda: len(self.handler.mails) >= count,
                                                 timeout):
                raise AssertionError(f"{len(self.handler.mails)} of {count} mails arrived")
            return [message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
                    for _from, _to, raw in self.handler.mails[:count]]

