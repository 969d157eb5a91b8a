"""Every folder cme creates is 0700 and every file 0600, whatever the umask.

The commands run as ``cme`` would, but without the ``os.umask(0o077)`` that
``cme.cli.main`` sets, and under a permissive umask (022): so each path's mode
is what the code asks for, not what the umask happens to give.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_config

# ``cli.main`` without ``cme.cli.main``'s own umask.
CLI = [sys.executable, "-c",
       "import sys; from cme.cli import cli; cli.main(sys.argv[1:], prog_name='cme')"]
NOW = "2026-02-09T10:00"
# The sample schools are under the LA's own domain here: their letters are mailed.
TRUSTED = '\n[team]\nemail = "cme-team@example.sch.uk"\n'


@pytest.fixture
def permissive_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def cme(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*CLI, "--config", str(config), *args], capture_output=True, text=True,
                          cwd=config.parent, timeout=600,
                          env={**os.environ, "CME_NOW": NOW})
    assert done.returncode == 0, done.stderr
    return done


def every_path(root: Path) -> Iterator[Path]:
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            yield Path(folder, name)


def not_private(root: Path, *, skip: tuple[Path, ...] = ()) -> list[str]:
    wrong = []
    for path in every_path(root):
        if path in skip:
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            wrong.append(f"{oct(mode)} {path.relative_to(root)}")
    return sorted(wrong)


def mta_delivers(maildir: Path, name: str, raw: bytes) -> None:
    """A mail server's delivery: world-readable, as many leave it (not cme's doing)."""
    tmp = maildir / "tmp" / name
    tmp.write_bytes(raw)
    os.chmod(tmp, 0o644)
    os.rename(tmp, maildir / "new" / name)


def test_cme_init_makes_a_private_site(tmp_path, permissive_umask):
    site = tmp_path / "site"
    done = subprocess.run([*CLI, "init", str(site), "--copy-templates"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (site / "templates/letters/case_closed.docx").is_file()
    assert (site / "var/mailbox/.Processed/maildirfolder").is_file()
    assert not_private(site) == []
    assert stat.S_IMODE(site.stat().st_mode) == 0o700


def test_a_full_pass_with_letters_leaves_only_private_paths(tmp_path, permissive_umask):
    from cme.resources import SAMPLES

    config = write_config(tmp_path, TRUSTED)
    var = tmp_path / "var"
    cme(config, "seed-samples")  # cme itself puts mail in the inbox
    mailbox = var / "mailbox"
    assert not_private(mailbox) == []
    for name in ("cme-school-docx-tick-columns-01", "ehe-school-docx-two-column-01"):
        mta_delivers(mailbox, f"mta-{name}", (SAMPLES / f"{name}.eml").read_bytes())
    done = cme(config, "watch", "--once")
    assert "letters 0," not in done.stdout
    letters = list((var / "outbox/letters").rglob("*.docx"))
    assert letters and list((var / "outbox/mail").glob("letter-*.eml"))
    assert list((var / "archive/raw").glob("*/*/*/*"))  # year/month/day/sha256
    assert list((mailbox / ".Processed/cur").iterdir())
    reference = next(p.name for p in (var / "outbox/letters").iterdir())
    cme(config, "case", reference, "close", "--reason", "child located")
    cme(config, "letters", "retry")
    assert not_private(tmp_path, skip=(config,)) == []
