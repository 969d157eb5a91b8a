"""``cme doctor``: a healthy site is all ok; each problem is its own line and fails the run."""

from __future__ import annotations

import logging
import os
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document

from cme.app import build_app
from cme.clock import FixedClock
from cme.config import load_config
from cme.doctor import CHECKS, run_doctor
from cme.doctor_findings import Level
from cme.site import init_site
from register.db import db
from tests.conftest import CME

NOW = datetime(2026, 2, 9, 9, 0)


TEAM = {"council": "Exampleshire County Council", "officer": "Sam Tracker",
        "phone": "01632 960000", "address": "County Hall\\nNew Road\\nExampletown EX1 1AA"}


def healthy_site(folder: Path) -> Path:
    """A new site with PDF off, so that a machine without LibreOffice is healthy too,
    and the letters' [team] details filled in."""
    config = init_site(folder).config
    edit(config, "# pdf = true", "pdf = false")
    head, team = config.read_text(encoding="utf-8").split("\n[team]\n", 1)
    for key, value in TEAM.items():
        team = team.replace(f'# {key} = ""', f'{key} = "{value}"', 1)
    config.write_text(f"{head}\n[team]\n{team}", encoding="utf-8")
    return config


def edit(config: Path, old: str, new: str) -> None:
    text = config.read_text(encoding="utf-8")
    assert old in text, old
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def doctor(config: Path, now: datetime = NOW) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CME_NOW": now.isoformat()}
    env.pop("CME_CONFIG", None)
    return subprocess.run([*CME, "--config", str(config), "doctor"], capture_output=True,
                          text=True, env=env, cwd=config.parent, timeout=120)


def lines_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stdout.splitlines()


def test_a_healthy_site_is_all_ok(tmp_path: Path):
    result = doctor(healthy_site(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = lines_of(result)
    assert all(line.startswith("ok   ") for line in lines), lines
    assert [line.split()[1].rstrip(":") for line in lines] == ["config", *CHECKS]
    assert result.stderr == ""


def short_calendar(path: Path, last_day: date) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'name = "Short"\n\n[[year]]\nlabel = "2025-26"\n'
        f"terms = [[2025-09-02, 2025-12-19], [2026-01-05, {last_day.isoformat()}]]\n"
        "half_terms = []\nclosures = []\n",
        encoding="utf-8",
    )


def broken_letter(letters: Path) -> Path:
    letters.mkdir(parents=True)
    document = Document()
    document.add_paragraph("Dear {{ parent.name }}, {% if case.close_reason %}never closed")
    path = letters / "case_closed.docx"
    document.save(str(path))
    return path


def test_each_problem_is_one_line_and_fails_the_run(tmp_path: Path):
    config = healthy_site(tmp_path)
    # As root, permission bits stop nothing: a regular file where the archive's
    # parent folder should be stops even root.
    (tmp_path / "blocked").write_text("not a folder\n")
    edit(config, 'path = "var/archive"', 'path = "blocked/archive"')
    short_calendar(tmp_path / "calendars/short.toml", NOW.date() + timedelta(days=7))
    edit(config, '# path = "calendars/oxfordshire.toml"', 'path = "calendars/short.toml"')
    letter = broken_letter(tmp_path / "templates/letters")
    edit(config, '# templates = "templates"', 'templates = "templates"')

    result = doctor(config)
    assert result.returncode == 1
    lines = lines_of(result)
    failed = [line for line in lines if line.startswith("FAIL")]
    assert len(failed) == 3, lines
    archive, calendar, template = failed
    assert archive.startswith("FAIL archive: ") and str(tmp_path / "blocked") in archive
    assert calendar.startswith("FAIL calendar: ") and "short.toml" in calendar
    assert "60 school days" in calendar
    assert template.startswith(f"FAIL templates: {letter}: ") and "Jinja" in template
    for name in ("config", "register", "outbox", "pdf", "mailbox"):
        assert any(line.startswith(f"ok   {name}: ") for line in lines), name
    assert "Traceback" not in result.stderr


def test_a_calendar_ending_this_school_year_is_a_warning(tmp_path: Path):
    config = healthy_site(tmp_path)
    # The shipped calendar ends in July 2027: enough in December 2026, not for long.
    findings = run_doctor(config, FixedClock(datetime(2026, 12, 1, 9, 0)))
    calendar = [f for f in findings if f.check == "calendar"]
    assert [f.level for f in calendar] == [Level.WARN]
    assert "2027-07-21" in calendar[0].text
    assert doctor(config, datetime(2026, 12, 1, 9, 0)).returncode == 0


def test_an_open_register_file_and_pending_migrations(tmp_path: Path):
    config = healthy_site(tmp_path)
    register = tmp_path / "var/register.db"
    register.unlink()
    register.touch(mode=0o644)
    os.chmod(register, 0o644)  # touch's mode is reduced by the umask
    findings = [f for f in run_doctor(config, FixedClock(NOW)) if f.check == "register"]
    assert [f.level for f in findings] == [Level.FAIL, Level.WARN]
    assert "mode 0644" in findings[0].text and "migrations pending" in findings[1].text


def test_open_files_inside_a_private_folder_are_a_warning(tmp_path: Path):
    config = healthy_site(tmp_path)
    letters = tmp_path / "var/outbox/letters"
    letters.mkdir(mode=0o755)
    os.chmod(letters, 0o755)
    findings = [f for f in run_doctor(config, FixedClock(NOW)) if f.check == "outbox"]
    assert [f.level for f in findings] == [Level.WARN]
    assert str(letters) in findings[0].text


def test_a_broken_config_is_one_failure(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("[mailbox]\nbakend = 'maildir'\n")
    result = doctor(config)
    assert result.returncode == 1
    assert lines_of(result) == [f"FAIL config: {config}: [mailbox.bakend] unknown setting "
                                "(the other checks need a configuration)"]


@pytest.mark.parametrize("pdf", ["true", "false"])
def test_the_daemon_warns_once_when_pdf_cannot_be_made(tmp_path: Path, monkeypatch, caplog,
                                                       pdf: str):
    config = init_site(tmp_path).config
    edit(config, "# pdf = true", f"pdf = {pdf}")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no LibreOffice on this PATH
    app = build_app(load_config(config), FixedClock(NOW))
    try:
        with caplog.at_level(logging.WARNING, logger="cme.app"):
            app.daemon(app.open_mailbox())
    finally:
        app.close()
        db.initialize(None)
    warnings = [r for r in caplog.records if "LibreOffice" in r.getMessage()]
    assert len(warnings) == (1 if pdf == "true" else 0)


def test_an_empty_team_is_a_warning_naming_the_keys(tmp_path: Path):
    config = healthy_site(tmp_path)
    edit(config, 'officer = "Sam Tracker"', '# officer = ""')
    edit(config, 'phone = "01632 960000"', '# phone = ""')
    findings = [f for f in run_doctor(config, FixedClock(NOW)) if f.check == "team"]
    assert [f.level for f in findings] == [Level.WARN]
    assert "[team] officer, phone empty" in findings[0].text


def test_no_tesseract_is_a_warning_not_a_failure(tmp_path: Path):
    config = healthy_site(tmp_path / "site")
    env = {**os.environ, "CME_NOW": NOW.isoformat(), "PATH": str(tmp_path / "empty-path")}
    env.pop("CME_CONFIG", None)
    result = subprocess.run([*CME, "--config", str(config), "doctor"], capture_output=True,
                            text=True, env=env, cwd=config.parent, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    ocr = [line for line in lines_of(result) if line.split()[1] == "ocr:"]
    assert ocr and ocr[0].startswith("warn") and "OCR not available" in ocr[0]
