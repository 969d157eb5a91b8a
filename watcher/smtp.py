"""Sending over SMTP, for the maildir and imap backends ([smtp] in config.toml).

One conversation per mail: connect (implicit TLS, or STARTTLS, or plain text
on loopback), EHLO, log in (password, XOAUTH2 with a token from the [mailbox]
app registration, or not at all for a relay), send, QUIT. A letter is sent
under the Message-ID it was built with, so the mailbox can find it again in
its Sent folder. ``check`` is the doctor's dry run: the same conversation up
to and including the login, then NOOP instead of a mail.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

from cme.config import Config, SmtpConfig
from watcher.mailbox import MailboxError
from watcher.oauth import OUTLOOK_SCOPE, MsalTokens, TokenProvider, secret

log = logging.getLogger(__name__)

PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class SmtpSender:
    def __init__(self, config: SmtpConfig, *, username: str = "", password: str = "",
                 ca_file: Path | None = None, tokens: TokenProvider | None = None) -> None:
        if not config.host:
            raise MailboxError("smtp: [smtp] host is not set")
        self.config = config
        self.port = config.port or PORTS[config.security]
        self.username = config.username or username
        self.where = f"smtp {config.host}:{self.port}"
        self._ca_file = ca_file
        self._tokens = tokens
        self._password = password

    @classmethod
    def from_config(cls, config: Config, *, environ: Mapping[str, str] | None = None,
                    tokens: TokenProvider | None = None) -> SmtpSender:
        """The sender [smtp] describes; secrets read now, from the environment."""
        smtp = config.smtp
        password = secret(smtp.password_env, "smtp password", environ) \
            if smtp.auth == "password" else ""
        if smtp.auth == "oauth2" and tokens is None:
            tokens = MsalTokens(config.mailbox, OUTLOOK_SCOPE, environ=environ)
        return cls(smtp, username=config.mailbox.username, password=password,
                   ca_file=config.mailbox.ca_file, tokens=tokens)

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` to every address in its To (and Cc) headers."""
        if self.config.from_address:
            del message["From"]
            message["From"] = self.config.from_address
        with self._session() as smtp:
            try:
                refused = smtp.send_message(message)
            except (smtplib.SMTPException, OSError) as exc:
                raise MailboxError(f"{self.where}: not sent: {_reason(exc)}") from exc
        if refused:
            log.warning("%s: refused recipients for %s: %d", self.where,
                        message["Message-ID"], len(refused))

    def check(self) -> str:
        """Connect, secure, log in and NOOP: what a send would do, without a mail."""
        with self._session() as smtp:
            try:
                code, _ = smtp.noop()
            except (smtplib.SMTPException, OSError) as exc:
                raise MailboxError(f"{self.where}: NOOP failed: {_reason(exc)}") from exc
        how = {"none": "no login", "oauth2": "XOAUTH2"}.get(self.config.auth, "password")
        return f"{self.where} ({self.config.security}, {how}): NOOP {code}"

    @contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        config = self.config
        timeout = config.timeout_seconds
        try:
            if config.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, self.port, timeout=timeout,
                                                      context=self._context())
            else:
                smtp = smtplib.SMTP(config.host, self.port, timeout=timeout)
            smtp.ehlo()
            if config.security == "starttls":
                smtp.starttls(context=self._context())
                smtp.ehlo()
            self._login(smtp)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailboxError(f"{self.where}: {_reason(exc)}") from exc
        try:
            yield smtp
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self._ca_file) if self._ca_file else None)

    def _login(self, smtp: smtplib.SMTP) -> None:
        if self.config.auth == "none":
            return
        if self.config.auth == "oauth2":
            if self._tokens is None:
                raise MailboxError(f"{self.where}: oauth2 without a token provider")
            initial = f"user={self.username}\x01auth=Bearer {self._tokens.token()}\x01\x01"
            # On failure the server sends a 334 challenge (JSON): answer empty to get the error.
            smtp.auth("XOAUTH2", lambda challenge=None: "" if challenge else initial,
                      initial_response_ok=True)
            return
        smtp.login(self.username, self._password)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"{exc.smtp_code} {' '.join(text.split())}"[:300]
    return (" ".join(str(exc).split()) or type(exc).__name__)[:300]
