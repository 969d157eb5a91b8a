"""What ``cme doctor`` reports: one finding per line, ok, warn or FAIL."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"  # works now, needs attention soon
    FAIL = "FAIL"  # cme cannot work correctly like this


@dataclass(frozen=True)
class Finding:
    level: Level
    check: str  # the check's name in the registry
    text: str  # what, and where (a file, a folder or a key)

    def line(self) -> str:
        return f"{self.level.value:<4} {self.check}: {self.text}"


def ok(check: str, text: str) -> Finding:
    return Finding(Level.OK, check, text)


def warn(check: str, text: str) -> Finding:
    return Finding(Level.WARN, check, text)


def fail(check: str, text: str) -> Finding:
    return Finding(Level.FAIL, check, text)
