"""A real PostgreSQL on loopback for the tests that are about PostgreSQL.

initdb and postgres refuse to run as root, so when the tests run as root (CI
does) the server runs as the ``postgres`` system user via ``runuser``. The
server is started once per test session and stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def find(tool: str) -> str | None:
    for folder in BIN_DIRS:
        if (folder / tool).exists():
            return str(folder / tool)
    return shutil.which(tool)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="cme-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)

    def start(self) -> str:
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(find("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")
        self._run(find("pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"), "-w",
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.folder} -F", "start")
        self._run(find("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "cme")
        return f"postgresql://postgres@127.0.0.1:{self.port}/cme"

    def stop(self) -> None:
        try:
            self._run(find("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
