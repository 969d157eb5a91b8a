"""One daemon pass that dies at its first acknowledge: after the ledger's commit,
before the mailbox moves the mail (``os._exit``, as a kill -9 there would).

    python -m tests.crash_before_ack CONFIG

The mailbox is the real backend the config names, wrapped; nothing is patched.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cme.app import build_app
from cme.clock import SystemClock
from cme.config import load_config
from watcher.mailbox import Mailbox, Outcome

DIED = 75


class DiesAtAcknowledge:
    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    def __getattr__(self, name: str):
        return getattr(self._mailbox, name)

    def acknowledge(self, uid: str, outcome: Outcome) -> None:
        os._exit(DIED)


def main() -> None:
    app = build_app(load_config(Path(sys.argv[1])), SystemClock())
    mailbox = app.open_mailbox()
    app.daemon(DiesAtAcknowledge(mailbox)).run(once=True)  # type: ignore[arg-type]
    sys.exit(0)  # nothing to acknowledge: the test expects DIED


if __name__ == "__main__":
    main()
