"""Shared test wiring: a config in a temporary folder, a bound register, a fixed clock."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from cme.app import App, build_app
from cme.clock import FixedClock
from cme.config import load_config
from register.db import db

REPO = Path(__file__).resolve().parent.parent
CME = [sys.executable, "-m", "cme"]


def write_config(folder: Path, extra: str = "") -> Path:
    path = folder / "config.toml"
    path.write_text(
        '[mailbox]\nbackend = "maildir"\npath = "var/mailbox"\n\n'
        '[register]\nurl = "sqlite:///var/register.db"\n\n'
        '[archive]\npath = "var/archive"\n\n'
        '[outbox]\npath = "var/outbox"\n\n'
        # LibreOffice, where installed, is tested on its own (tests/test_letters.py)
        '[letters]\npdf = false\n' + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 2, 9, 10, 0))


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def app(config_path: Path, clock: FixedClock):
    application: App = build_app(load_config(config_path), clock)
    yield application
    application.database.close()
    db.initialize(None)


def run_cme(
    config: Path, *args: str, env: dict[str, str] | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the real ``cme`` command in a child process, as a user would."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("CME_CONFIG", None)
    return subprocess.run(
        [*CME, "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=full_env,
        check=check,
        cwd=config.parent,
        timeout=300,
    )
