"""Fixtures for the mail servers the mailbox tests start on loopback."""

from __future__ import annotations

import os

import pytest

from tests.dovecot import DovecotServer, available
from tests.smtpserver import SmtpServer


@pytest.fixture(scope="session")
def dovecot():
    if not available():
        if os.environ.get("CI"):
            pytest.fail("dovecot is not installed: .ci/run installs dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    server = DovecotServer(tls=True).start()
    yield server
    server.stop()


@pytest.fixture
def smtp(tmp_path):
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()
