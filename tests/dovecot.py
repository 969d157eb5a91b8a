"""A real Dovecot IMAP server on loopback, started unprivileged from a temp folder.

Debian's ``dovecot-imapd`` runs as an ordinary user when every service runs as
that user and nothing chroots: the master, the login and auth processes and the
mail processes all run as ``dovecot`` (via ``runuser`` when the tests run as
root, as CI does) or as the current user otherwise. The passwd file and the
mail folders sit in the temp folder, owned by that user; ``userdb`` is static
with that uid and ``first_valid_uid`` allows it. Plain authentication is
allowed: the server listens on 127.0.0.1 only. With ``tls=True`` it also has a
self-signed certificate (``cert``), for the ssl and starttls tests.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "cme", "cme-test-password"
ACCOUNTS = 500


def available() -> bool:
    return Path(DOVECOT).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = cme-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = 0
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
{ssl}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {root}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u allow_all_users=yes
}}
service imap-login {{
  chroot =
  user = {user}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
"""


class DovecotServer:
    """``start()`` it, use ``port`` (plain/STARTTLS) and ``tls_port`` (implicit TLS)."""

    def __init__(self, *, tls: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cme-dovecot-"))
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.tls = tls
        self.cert: Path | None = None
        self._names = [f"user{n}" for n in range(1, ACCOUNTS + 1)]
        self.introspection = Introspection()
        self._users = iter(self._names)
        self.process: subprocess.Popen[bytes] | None = None
        as_root = os.geteuid() == 0
        self.account = pwd.getpwnam("dovecot") if as_root else pwd.getpwuid(os.getuid())
        self._runuser = ["runuser", "-u", "dovecot", "--"] if as_root else []

    password = PASSWORD

    def add_user(self) -> str:
        """An account of its own, with an empty mailbox, for one test."""
        return next(self._users)

    def client(self, user: str = USER) -> IMAPClient:
        """A session of our own, as a delivering MTA or a person would have."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        client.login(user, PASSWORD)
        return client

    def start(self) -> DovecotServer:
        for sub in ("run", "state", f"home/{USER}"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # Every account there will be, written before the server starts: one per test.
        (self.root / "passwd").write_text("".join(
            f"{name}:{{PLAIN}}{PASSWORD}\n" for name in [USER, *self._names]))
        ssl = "ssl = no"
        if self.tls:
            self.cert, key = self_signed(self.root)
            ssl = f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{key}"
        # XOAUTH2: Dovecot asks the token's owner of our introspection endpoint.
        (self.root / "oauth2.conf.ext").write_text(
            f"introspection_mode = post\nintrospection_url = {self.introspection.url}\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n")
        conf = self.root / "dovecot.conf"
        conf.write_text(CONFIG.format(
            root=self.root, port=self.port, tls_port=self.tls_port, ssl=ssl,
            user=self.account.pw_name, group=_group(self.account.pw_gid),
            uid=self.account.pw_uid, gid=self.account.pw_gid,
        ))
        for path in [self.root, *self.root.rglob("*")]:
            os.chown(path, self.account.pw_uid, self.account.pw_gid)
        self.process = subprocess.Popen(
            [*self._runuser, DOVECOT, "-F", "-c", str(conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self._wait_listening(self.port)
        return self

    def _wait_listening(self, port: int, timeout: float = 30.0) -> None:
        """Until the port accepts connections (a real event), bounded by ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                log = (self.root / "dovecot.log")
                text = log.read_text() if log.exists() else ""
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read()!r} {text}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)  # the server is starting: retry the connect, bounded
        raise RuntimeError(f"dovecot did not listen on {port} within {timeout}s")

    def doveadm(self, *args: str) -> str:
        done = subprocess.run(
            [*self._runuser, "doveadm", "-c", str(self.root / "dovecot.conf"), *args],
            capture_output=True, text=True, timeout=30, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def drop_connections(self, user: str = USER) -> None:
        """End the user's IMAP sessions, as a server restart would (``doveadm kick``)."""
        self.doveadm("kick", user)

    def stop(self) -> None:
        self.introspection.stop()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)


def _group(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


class Introspection:
    """The OAuth2 token introspection (RFC 7662) Dovecot asks about an XOAUTH2 token:
    ``tokens`` maps each token a test hands out to the account it stands for."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs

        self.tokens: dict[str, str] = {}
        tokens = self.tokens

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0))
                                .decode())
                token = (form.get("token") or [""])[0]
                if not token:  # or in the Authorization header
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                user = tokens.get(token)
                body = json.dumps({"active": True, "username": user} if user
                                  else {"active": False}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/introspect"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
