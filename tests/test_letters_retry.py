"""A message whose letter fails on a broken template, fixed in the site's own letters
folder and retried: each of its letters is mailed exactly once, however often the
retry, the daemon and ``cme letters retry`` run afterwards."""

from __future__ import annotations

import json
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

from docx import Document

from cme.resources import SAMPLES, SHIPPED_TEMPLATES
from tests.conftest import run_cme, write_config
from tests.mailtools import deliver

# The site's templates first, then the shipped ones; the sample school is under
# the LA's own domain, so its letters are mailed rather than held.
SITE = '\n[parsing]\ntemplates = "templates"\n\n[team]\nemail = "cme-team@example.sch.uk"\n'
NOW = {"CME_NOW": "2026-02-09T10:00"}


def mailed(folder: Path) -> Counter[str]:
    """Mails in the sent folder, by Message-ID."""
    return Counter(str(message_from_bytes(p.read_bytes(), policy=policy.default)["Message-ID"])
                   for p in folder.glob("*.eml"))


def letters(config: Path) -> list[dict]:
    return json.loads(run_cme(config, "letters", "--json", env=NOW).stdout)


def test_a_letter_fixed_in_the_site_folder_and_retried_is_mailed_once(tmp_path):
    config = write_config(tmp_path, SITE)
    site_letter = tmp_path / "templates/letters/acknowledgement_school.docx"
    site_letter.parent.mkdir(parents=True)
    site_letter.write_bytes(b"an administrator's half-saved edit")
    deliver(tmp_path / "var/mailbox",
            (SAMPLES / "cme-school-docx-two-column-01.eml").read_bytes())
    assert run_cme(config, "watch", "--once", env=NOW).returncode == 0
    before = {row["template"]: row for row in letters(config)}
    assert before["acknowledgement_school"]["state"] == "failed"
    assert "not a readable Word document" in before["acknowledgement_school"]["error"]
    assert before["esw_enquiry_request"]["state"] == "sent"  # the other was not blocked

    # The administrator saves the edit properly: the shipped letter, with a line of theirs.
    document = Document(str(SHIPPED_TEMPLATES / "letters/acknowledgement_school.docx"))
    document.add_paragraph("Our office is closed on Fridays (site edit).")
    document.save(str(site_letter))
    retried = run_cme(config, "intake", "retry", "1", env=NOW)
    assert retried.returncode == 0, retried.stderr
    assert "letter 1 (acknowledgement_school): sent" in retried.stdout

    # Everything that mails runs again: nothing goes twice.
    for again in (("intake", "retry", "1"), ("letters", "retry"), ("watch", "--once")):
        assert run_cme(config, *again, env=NOW).returncode == 0
    after = letters(config)
    assert {row["state"] for row in after} == {"sent"}
    sent = mailed(tmp_path / "var/outbox/mail")
    assert {m: n for m, n in sent.items() if m.startswith("<letter-")} == {
        m: 1 for m in sent if m.startswith("<letter-")}
    assert len([m for m in sent if m.startswith("<letter-")]) == len(after) == 2
    [acknowledgement] = (tmp_path / "var/outbox/mail").glob("letter-1.*.eml")
    mail = message_from_bytes(acknowledgement.read_bytes(), policy=policy.default)
    assert "Our office is closed on Fridays (site edit)." in mail.get_body(("plain",)).get_content()
