"""deploy/cme.service: a unit systemd accepts, with the settings the README promises."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

UNIT = REPO / "deploy/cme.service"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def test_the_unit_names_the_site_user_secrets_and_hardening():
    service = unit()["Service"]
    assert service["User"] == "cme"
    assert service["WorkingDirectory"] == "/srv/cme"
    assert service["ReadWritePaths"] == "/srv/cme"
    assert service["Environment"] == "CME_CONFIG=/srv/cme/config.toml"
    assert service["EnvironmentFile"] == "-/etc/cme/secrets.env"
    assert service["ExecStart"].split()[-1] == "watch"
    assert service["Restart"] == "on-failure"
    assert service["StandardOutput"] == "journal"
    assert service["UMask"] == "0077"
    for key, value in {"ProtectSystem": "strict", "NoNewPrivileges": "yes",
                       "PrivateTmp": "yes", "ProtectHome": "yes"}.items():
        assert service[key] == value, key
    assert unit()["Install"]["WantedBy"] == "multi-user.target"
    text = UNIT.read_text(encoding="utf-8")
    assert "CME_REGISTER_PASSWORD" in text and "CME_MAILBOX_PASSWORD" in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is absent")
def test_systemd_accepts_the_unit(tmp_path: Path):
    # verify checks that ExecStart exists: stand an existing program in for /opt/cme/bin/cme.
    text = UNIT.read_text(encoding="utf-8").replace("/opt/cme/bin/cme", shutil.which("true"))
    copy = tmp_path / "cme.service"
    copy.write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "cme.service" not in result.stderr, result.stderr
