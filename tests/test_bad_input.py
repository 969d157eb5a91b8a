"""Hostile and broken documents: a clear warning, nothing lost, no traceback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cme.resources import SHIPPED_TEMPLATES
from parsers.document import ReadError
from parsers.message import Parser
from parsers.readers import READERS
from parsers.sandbox import Limits, Sandbox
from tests.conftest import REPO, run_cme, write_config

BAD = REPO / "tests/fixtures/bad"
EXPECTED_WARNING = {
    "corrupt-pdf": "damaged",
    "encrypted-pdf": "encrypted",
    "truncated-docx": "damaged",
    "zip-bomb-docx": "zip bomb",
    "macro-enabled-docm": "macro-enabled",
    "lying-extension-docx": "its content is PDF",
    "billion-laughs-xml": "entities",
    "xxe-file-passwd-xml": "entities",
}


@pytest.fixture(scope="module")
def sandboxed_parser():
    sandbox = Sandbox(Limits(timeout=20, memory_mb=512))
    yield Parser.from_folder(SHIPPED_TEMPLATES, read=sandbox)
    sandbox.close()


@pytest.mark.parametrize("name", sorted(EXPECTED_WARNING))
def test_bad_attachment_is_reported_and_the_email_still_read(sandboxed_parser, name):
    started = time.monotonic()
    result = sandboxed_parser.parse_file(BAD / f"{name}.eml")
    assert time.monotonic() - started < 20
    attachment = next(d for d in result.documents if d.part.startswith("attachment:"))
    assert any(EXPECTED_WARNING[name] in w for w in attachment.warnings), attachment.warnings
    assert result.kind == "cme_notification"  # the cover email is still read
    assert "root:" not in json.dumps(result.as_dict())  # no /etc/passwd leaked


def hang(data: bytes):
    while True:
        pass


def swallow_memory(data: bytes):
    return [bytearray(50 * 1024 * 1024) for _ in range(100)]


def test_a_hanging_reader_is_stopped(monkeypatch):
    # A reader registered like any other (the registry is data); the worker
    # process is forked after this, so it sees the same registry.
    monkeypatch.setitem(READERS, "hang", hang)
    sandbox = Sandbox(Limits(timeout=0.5, memory_mb=512))
    try:
        with pytest.raises(ReadError, match=r"longer than 0\.5 s"):
            sandbox("hang", b"")
    finally:
        sandbox.close()


def test_a_reader_that_swallows_memory_fails_alone(monkeypatch):
    monkeypatch.setitem(READERS, "greedy", swallow_memory)
    sandbox = Sandbox(Limits(timeout=20, memory_mb=512))
    try:
        with pytest.raises(ReadError, match="memory"):
            sandbox("greedy", b"")
        assert sandbox("text", b"Surname: Testwood").pairs  # the pool goes on
    finally:
        sandbox.close()


@pytest.mark.parametrize(
    "name",
    [
        "corrupt.pdf",
        "encrypted.pdf",
        "truncated.docx",
        "zip-bomb.docx",
        "macro-enabled.docm",
        "billion-laughs.xml",
    ],
)
def test_cme_parse_refuses_an_unreadable_file_in_one_line(tmp_path: Path, name: str):
    config = write_config(tmp_path)
    result = run_cme(config, "parse", str(BAD / name), "--json")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("cme: ")
    assert "Traceback" not in result.stderr


def test_cme_parse_of_emails_with_bad_attachments_exits_zero(tmp_path: Path):
    config = write_config(tmp_path)
    files = sorted(str(p) for p in BAD.glob("*.eml"))
    result = run_cme(config, "parse", *files, "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(line["source"]).name for line in lines] == [Path(f).name for f in files]
