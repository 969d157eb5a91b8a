from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cme.clock import FixedClock, SystemClock, clock_from_env
from cme.config import ConfigError, default_config_path, load_config
from tests.conftest import write_config


def test_minimal_config_gets_defaults_and_resolves_paths(tmp_path: Path):
    config = load_config(write_config(tmp_path))
    assert config.mailbox.path == tmp_path / "var/mailbox"
    assert config.archive.path == tmp_path / "var/archive"
    assert config.register.url == f"sqlite:///{tmp_path}/var/register.db"
    assert config.limits.max_part_bytes == 20 * 1024 * 1024
    assert config.mailbox.batch_size == 25


def test_empty_config_is_all_defaults(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text("")
    config = load_config(path)
    assert config.mailbox.backend == "maildir"
    assert config.outbox.path == tmp_path / "var/outbox"


def test_absolute_paths_are_kept(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[archive]\npath = "/srv/cme/archive"\n[register]\nurl = "sqlite:////srv/r.db"\n'
    )
    config = load_config(path)
    assert config.archive.path == Path("/srv/cme/archive")
    assert config.register.url == "sqlite:////srv/r.db"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[mailbox]\nbakend = "maildir"\n', "mailbox.bakend"),
        ("[limits]\nmax_part_bytes = -1\n", "limits.max_part_bytes"),
        ('[limits]\nmax_part_bytes = "big"\n', "limits.max_part_bytes"),
        ("[nonsense]\nx = 1\n", "nonsense"),
        ("[mailbox\n", ""),
        ('[mailbox]\nbackend = "pigeon"\n', "mailbox.backend"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, key: str):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == key
    assert str(path) in str(caught.value)
    assert "[-]" not in str(caught.value)


def test_missing_config(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")


def test_config_path_from_environment():
    assert default_config_path({"CME_CONFIG": "/etc/cme.toml"}) == Path("/etc/cme.toml")
    assert default_config_path({}) == Path("config.toml")


def test_cme_now_is_london_time_when_naive():
    clock = clock_from_env({"CME_NOW": "2026-07-01T09:00"})
    assert isinstance(clock, FixedClock)
    assert clock.now().utcoffset() == timedelta(hours=1)  # BST
    assert clock.now().hour == 9


def test_cme_now_with_offset_is_converted():
    clock = clock_from_env({"CME_NOW": "2026-01-05T09:00:00+00:00"})
    assert clock.now() == datetime.fromisoformat("2026-01-05T09:00:00+00:00")


def test_no_cme_now_is_system_clock():
    assert isinstance(clock_from_env({}), SystemClock)
