"""Where ``cme watch`` sends its log lines, and in what shape.

- ``text`` on a terminal: rich's handler, on the console the progress bar
  draws on, so log lines print above the bar instead of through it;
- ``text`` elsewhere (a service, a pipe): plain lines, one per record;
- ``json``: one JSON object per line (time, level, logger, message, and the
  record's structured extras such as ``row_id`` or a pass ``summary``), for
  log collectors.

Log lines carry row ids, case references and counts, never personal data.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")

# The attributes every LogRecord has; anything else on a record is an extra.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonLines(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def direct_logs(log_format: str, *, terminal: bool) -> Any:
    """Replace the plain stderr handler with the chosen one.

    Returns the rich console when logs go to a terminal (the progress bar draws
    on it), else None.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler and handler.stream in (sys.stderr,
                                                                          sys.__stderr__):
            root.removeHandler(handler)
    console = None
    if log_format == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
    elif terminal:
        from rich.console import Console
        from rich.logging import RichHandler

        console = Console(stderr=True)
        handler = RichHandler(console=console, show_path=False, rich_tracebacks=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    return console


def show_daemon_status() -> None:
    """The daemon's own lines (start, pass summaries, waiting) show without -v."""
    status = logging.getLogger("watcher.daemon")
    if status.getEffectiveLevel() > logging.INFO:
        status.setLevel(logging.INFO)


def leave_failures_to_the_command() -> None:
    """For a command that reports failures itself (``cme intake retry``, ``cme letters
    retry``, ``cme case REF close``): the processor's and the sender's own warnings
    would say them twice. Kept with -v."""
    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        for name in ("watcher.processing", "workflows.sender"):
            logging.getLogger(name).setLevel(logging.ERROR)
