import json
import signal
import subprocess
import sys

from register.models import InboundMessage, MessageStatus
from tests.conftest import CME, run_cme
from tests.mailtools import deliver, folder_count, inbox_count, simple_email
from watcher.daemon import Daemon
from watcher.intake import Intake
from watcher.processing import Processor


class PoisonedIntake(Intake):
    """An intake that breaks on one particular mail, as a library bug would."""

    def inspect(self, raw):
        if b"POISON" in raw:
            raise UnicodeError("codec blew up")
        return super().inspect(raw)


def test_one_bad_mail_does_not_stop_the_others(app):
    maildir = app.config.mailbox.path
    deliver(maildir, simple_email(1), simple_email(2, body="POISON"), simple_email(3))
    intake = PoisonedIntake(app.archive, app.config.limits, app.clock, "maildir")
    mailbox = app.open_mailbox()
    report = Daemon(mailbox, intake, app.processor, batch_size=10).run_pass()
    mailbox.close()
    assert report.taken == 3
    assert inbox_count(maildir) == 0
    bad = InboundMessage.get(InboundMessage.status == MessageStatus.QUARANTINED)
    assert "UnicodeError: codec blew up" in bad.error
    assert app.archive.verify(bad.archive_path)
    assert folder_count(maildir, "Quarantine") == 1


def test_a_failing_stage_marks_the_message_failed_and_goes_on(app):
    def parse(message):
        if "2" in message.subject:
            raise ValueError("template exploded")
        message.status = MessageStatus.PARSED

    deliver(app.config.mailbox.path, simple_email(1), simple_email(2), simple_email(3))
    processor = Processor({MessageStatus.RECEIVED: parse}, app.clock)
    mailbox = app.open_mailbox()
    report = Daemon(mailbox, app.intake, processor).run_pass()
    mailbox.close()
    assert report.processed == 3
    statuses = {m.subject: (m.status, m.error) for m in InboundMessage.select()}
    assert statuses["Pupil notification 1"] == (MessageStatus.PARSED, None)
    assert statuses["Pupil notification 2"] == (
        MessageStatus.FAILED,
        "received: ValueError: template exploded",
    )


def test_watch_once_and_listing(config_path):
    maildir = config_path.parent / "var/mailbox"
    deliver(maildir, simple_email(1), b"")
    result = run_cme(config_path, "watch", "--once")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "taken in 2, applied 1, to review 0, failed 0, letters 0, deadlines fired 0, "
        "next deadline none\n"
    )
    listing = json.loads(run_cme(config_path, "intake", "list", "--json", check=True).stdout)
    assert [m["status"] for m in listing] == ["applied", "quarantined"]
    assert listing[0]["documents"][0]["part"] == "body"
    assert listing[1]["error"].startswith("empty message")
    only = json.loads(
        run_cme(config_path, "intake", "list", "--status", "quarantined", "--json").stdout
    )
    assert [m["id"] for m in only] == [2]
    shown = run_cme(config_path, "intake", "show", "2")
    assert "empty message" in shown.stdout and shown.returncode == 0
    retried = run_cme(config_path, "intake", "retry", "2")
    assert retried.returncode == 0 and "quarantined" in retried.stdout
    missing = run_cme(config_path, "intake", "show", "99")
    assert missing.returncode == 1 and missing.stderr.strip() == "cme: no inbound message 99"


def test_bad_config_is_one_line_and_non_zero(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[mailbox]\nbackend = 3\n")
    result = run_cme(config, "watch", "--once")
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "mailbox.backend" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_register_is_one_line_and_non_zero(tmp_path):
    (tmp_path / "blocker").write_text("")
    config = tmp_path / "config.toml"
    config.write_text('[register]\nurl = "sqlite:///blocker/register.db"\n')
    result = run_cme(config, "watch", "--once")
    assert result.returncode == 1
    assert result.stderr.startswith("cme: cannot create the register")
    assert "Traceback" not in result.stderr


def test_unknown_backend_is_one_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[mailbox]\nbackend = "pigeon"\n')
    result = run_cme(config, "watch", "--once")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert f"{config}: [mailbox.backend] unknown value 'pigeon'" in result.stderr


def test_sigterm_finishes_and_exits_zero(config_path):
    maildir = config_path.parent / "var/mailbox"
    deliver(maildir, simple_email(1))
    proc = subprocess.Popen(
        [*CME, "--config", str(config_path), "-v", "watch"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=config_path.parent,
    )
    # Wait for the first pass to finish: the daemon logs each message taken in.
    for line in proc.stderr:
        if "taken in" in line:
            break
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert inbox_count(maildir) == 0


def test_python_dash_m_entry_point_has_help():
    result = subprocess.run(
        [sys.executable, "-m", "cme", "--help"], capture_output=True, text=True, check=True
    )
    assert "watch" in result.stdout and "intake" in result.stdout
