"""Built and installed like a package: the wheel, in a fresh virtual environment.

The wheel is built once per session, installed (at the versions uv.lock pins)
into a virtual environment under tmp_path, and every command is run from a
site folder outside the repository, so nothing can come from the source tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from cme.clock import as_london
from tests.conftest import REPO

NOW = datetime(2026, 2, 9, 9, 0)
FOUR_KEYS = (
    '[mailbox]\nbackend = "maildir"\npath = "var/mailbox"\n\n'
    '[register]\nurl = "sqlite:///var/register.db"\n\n'
    '[archive]\npath = "var/archive"\n\n'
    '[outbox]\npath = "var/outbox"\n'
)


def uv() -> list[str]:
    if shutil.which("uv"):
        return ["uv"]
    for python in filter(None, (shutil.which("python3"), sys.executable)):
        if subprocess.run([python, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [python, "-m", "uv"]
    pytest.skip("uv is not installed")


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = run([*uv(), "build", "--wheel", "--out-dir", out, REPO], cwd=out)
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("cme-*.whl")
    return path


@pytest.fixture(scope="session")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment holding only the wheel and its locked dependencies."""
    root = tmp_path_factory.mktemp("venv")
    env = root / "env"
    made = run([*uv(), "venv", "-q", "--python", sys.executable, env], cwd=root)
    assert made.returncode == 0, made.stderr
    pins = root / "constraints.txt"
    exported = run([*uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
                    "-q", "-o", pins], cwd=REPO)
    assert exported.returncode == 0, exported.stderr
    install = [*uv(), "pip", "install", "-q", "--python", env / "bin/python", wheel, "-c", pins]
    # From uv's cache when `uv sync` has filled it; from the index otherwise.
    done = run([*install, "--offline"], cwd=root)
    if done.returncode != 0:
        done = run(install, cwd=root)
    assert done.returncode == 0, done.stderr
    return env


def site_env(venv: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {**keep, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "CME_NOW": NOW.isoformat()}


def test_the_wheel_holds_the_shipped_data(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = REPO / "cme/shipped"
    expected = {
        path.relative_to(REPO).as_posix()
        for path in shipped.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert expected <= names
    for suffix in (".docx", ".toml", ".eml", ".json"):
        assert any(name.startswith("cme/shipped/") and name.endswith(suffix) for name in names)
    migrations = {p.relative_to(REPO).as_posix()
                  for p in (REPO / "register/migrations").glob("*.py")}
    assert migrations <= names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def commands(cme: Path, env: dict[str, str], cwd: Path, *group: str) -> list[tuple[str, ...]]:
    """Every command and sub-command ``cme --help`` lists, groups before their members."""
    shown = run([cme, *group, "--help"], cwd, env)
    assert shown.returncode == 0, shown.stderr
    if "Commands:" not in shown.stdout:
        return []
    found = []
    for line in shown.stdout.split("Commands:", 1)[1].splitlines():
        if match := re.match(r"^  (\S+)", line):
            found.append((*group, match.group(1)))
            found += commands(cme, env, cwd, *group, match.group(1))
    return found


def assert_clear(result: subprocess.CompletedProcess[str], what: str) -> None:
    """Exit 0, or one clear error line; never a traceback."""
    said = result.stdout + result.stderr
    assert "Traceback" not in said and "unexpected error" not in said, (what, said)
    if result.returncode == 0 or (result.returncode == 2 and "Commands:" in said):
        return  # a group without a sub-command shows its help
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("cme: ", "Error: "))]
    usage = [line for line in lines if line.startswith(("Usage: ", "Try '"))]
    assert len(errors) == 1 and len(errors) + len(usage) == len(lines), (what, result.stderr)


def test_installed_wheel_runs_a_site(venv: Path, tmp_path: Path):
    env = site_env(venv)
    cme = venv / "bin/cme"
    site = tmp_path / "site"
    site.mkdir()
    # The sample mail's schools and agencies are trusted, so their letters are written
    # at once rather than held for a person to confirm each sender (issue 9).
    trusted = '\n[senders]\ntrusted_domains = ["example.sch.uk", "example.nhs.uk"]\n'
    (site / "config.toml").write_text(FOUR_KEYS + trusted, encoding="utf-8")
    where = run([venv / "bin/python", "-c", "import cme; print(cme.__file__)"], site, env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    listed = commands(cme, env, site)
    assert {("init",), ("doctor",), ("watch",), ("intake", "list")} <= set(listed)
    for command in listed:
        if command in {("watch",), ("seed-samples",)}:
            continue  # run below, as part of the site's first day
        assert_clear(run([cme, *command], site, env), " ".join(command))

    assert_clear(made := run([cme, "init", tmp_path / "new"], site, env), "init")
    assert made.returncode == 0 and "doctor" in made.stdout
    refused = run([cme, "init", site], site, env)
    assert refused.returncode == 1 and "already exists" in refused.stderr
    for config in (tmp_path / "new/config.toml", site / "config.toml"):
        checked = run([cme, "--config", config, "doctor"], site, env)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "FAIL" not in checked.stdout

    seeded = run([cme, "seed-samples"], site, env)
    assert seeded.returncode == 0 and "added" in seeded.stdout, seeded.stderr
    stamp = as_london(NOW).timestamp() - 3600  # the mail arrived an hour before "now"
    for mail in (site / "var/mailbox/new").iterdir():
        os.utime(mail, (stamp, stamp))
    watched = run([cme, "watch", "--once"], site, env)
    assert_clear(watched, "watch --once")
    assert watched.returncode == 0 and "taken in" in watched.stdout
    ledger = json.loads(run([cme, "intake", "list", "--json"], site, env).stdout)
    assert ledger and {row["status"] for row in ledger} <= {"applied", "quarantined"}
    assert sum(row["status"] == "applied" for row in ledger) >= len(ledger) - 2
    letters = json.loads(run([cme, "letters", "--json"], site, env).stdout)
    written = [letter for letter in letters if letter["state"] != "held"]  # held: no file yet
    assert written and all(Path(letter["path"]).is_file() for letter in written)
    assert list((site / "var/outbox/letters").rglob("*.docx"))
