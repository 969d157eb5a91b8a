"""Who is at the terminal: the actor written on the events a person's command records."""

from __future__ import annotations

import getpass
import os


def current_actor() -> str:
    """``$CME_USER`` when set (a shared login names its person there), else the login name."""
    named = os.environ.get("CME_USER", "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER: a bare container
        return "team"
