"""``cme init``: the generated config.toml, the new site's folders and the template copies."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import tomllib
from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from cme.config import Config, config_from_mapping, load_config
from cme.config_text import EXAMPLES, MEANINGS, config_text, setting_names
from cme.resources import SHIPPED_TEMPLATES
from cme.site import SiteError, init_site
from cme.template_checks import check_templates, template_sources
from tests.conftest import CME

SETTING = re.compile(r"^(# )?(\w+) = ")


def settings_by_section(text: str) -> dict[str, dict[str, bool]]:
    """{section: {setting: written (not commented out)}} as the file shows them."""
    found: dict[str, dict[str, bool]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
            found[section] = {}
        elif match := SETTING.match(line):
            found[section][match.group(2)] = match.group(1) is None
    return found


def dataclass_settings() -> dict[str, list[str]]:
    """Straight from cme/config.py, independently of the generator."""
    return {
        item.name: [f.name for f in fields(item.default_factory)]
        for item in fields(Config)
        if item.default_factory is not MISSING
    }


def test_generated_config_loads_and_names_every_setting(tmp_path: Path):
    text = config_text()
    config = config_from_mapping(tomllib.loads(text), tmp_path / "config.toml")
    assert config.mailbox.path == tmp_path / "var/mailbox"
    assert config.register.url == f"sqlite:///{tmp_path}/var/register.db"
    shown = settings_by_section(text)
    expected = dataclass_settings()
    assert list(shown) == list(expected)
    for section, names in expected.items():
        assert sorted(shown[section]) == sorted(names), section
    written = {f"{s}.{k}" for s, keys in shown.items() for k, on in keys.items() if on}
    assert written == {"mailbox.backend", "mailbox.path", "register.url", "archive.path",
                       "outbox.path"}


def test_every_setting_has_a_meaning():
    missing = set(setting_names()) - set(MEANINGS)
    assert not missing, f"add a line for {sorted(missing)} to MEANINGS in cme/config_text.py"
    assert all(MEANINGS.values())


def test_commented_values_are_the_defaults(tmp_path: Path):
    uncommented = re.sub(r"^# (\w+ = )", r"\1", config_text(), flags=re.MULTILINE)
    path = tmp_path / "config.toml"
    every = config_from_mapping(tomllib.loads(uncommented), path)
    defaults = config_from_mapping({}, path)
    for section in dataclass_settings():
        for f in fields(getattr(defaults, section)):
            key = f"{section}.{f.name}"
            if key in EXAMPLES:  # optional settings show an example, not a default
                continue
            assert getattr(getattr(every, section), f.name) == \
                getattr(getattr(defaults, section), f.name), key


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_init(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CME_CONFIG"}
    return subprocess.run([*CME, "init", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


def test_init_writes_a_private_site_and_says_what_next(tmp_path: Path):
    site = tmp_path / "site"
    result = run_init(str(site), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[team]" in result.stdout and "calendar" in result.stdout
    assert "doctor" in result.stdout.splitlines()[-1]
    config = load_config(site / "config.toml")
    assert config.parsing.templates is None and config.calendar.path is None
    assert mode(site / "config.toml") == 0o600
    for folder in ("var", "var/archive", "var/outbox", "var/mailbox", "var/mailbox/new"):
        assert mode(site / folder) == 0o700, folder
    assert mode(site / "var/register.db") == 0o600


def test_init_never_overwrites(tmp_path: Path):
    (tmp_path / "config.toml").write_text("# the site's own\n")
    result = run_init(str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "already exists" in result.stderr
    assert (tmp_path / "config.toml").read_text() == "# the site's own\n"
    assert not (tmp_path / "var").exists()


def test_copy_templates_refuses_existing_copies(tmp_path: Path):
    (tmp_path / "templates").mkdir()
    with pytest.raises(SiteError, match="templates: already exists"):
        init_site(tmp_path, copy_templates=True)
    assert not (tmp_path / "config.toml").exists()


def test_copied_templates_are_used_and_valid(tmp_path: Path):
    site = init_site(tmp_path / "site", copy_templates=True)
    config = load_config(site.config)
    assert config.parsing.templates == site.folder / "templates"
    assert config.calendar_path == site.folder / "calendars/oxfordshire.toml"
    assert config.calendar_path.is_file()
    sources = template_sources(config)
    assert sources and {origin for _name, origin, _path in sources} == {"site"}
    assert not list((site.folder / "templates").rglob("*.py"))
    assert check_templates(config) == []  # the samples the forms name came along
    shipped = {p.relative_to(SHIPPED_TEMPLATES) for p in SHIPPED_TEMPLATES.rglob("*.docx")}
    copied = {p.relative_to(site.folder / "templates")
              for p in (site.folder / "templates").rglob("*.docx")}
    assert copied == shipped
