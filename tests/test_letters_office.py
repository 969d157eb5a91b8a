"""Letters as a case writes them: named recipients, sentences only about letters that
were written, years in words, and the PDF beside the DOCX (LibreOffice, for real)."""

from __future__ import annotations

import email
from datetime import datetime
from email import policy
from pathlib import Path

import pytest

from cme.app import build_app
from cme.config import load_config
from register.models import Letter
from tests.office import Office
from workflows.letters import find_libreoffice

MON_9_FEB = datetime(2026, 2, 9, 9, 30)
TEAM = ('\n[team]\nemail = "cme-team@example.sch.uk"\nofficer = "Sam Tracker"\n'
        'phone = "01632 960000"\n'
        # the sample agency: trusted, so that its case's letters are mailed, not held
        '\n[senders]\ntrusted_domains = ["westvale.example.gov.uk"]\n')


@pytest.fixture
def office(tmp_path):
    office = Office(tmp_path, TEAM)
    yield office
    office.close()


def test_a_notification_letters_name_their_recipients_and_each_other(office):
    office.deliver("cme-school-docx-content-controls-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    case = office.case()
    assert office.letters(case) == ["acknowledgement_school", "esw_enquiry_request",
                                    "keyworker_notification"]
    school = office.letter_text(case, "acknowledgement_school")
    assert "The Head Teacher\nKelmsford Academy\n" in school
    assert "Dear Head Teacher," in school
    assert "Maya Hollowell, in Year 7, may be missing education" in school
    assert "(7)" not in school
    # written after it in the same pass, and still known to it
    assert "We have asked the Education Social Worker" in school
    assert "We have told the child's keyworker, Joanne Fenwright, today." in school
    assert "contact me on 01632 960000 or at cme-team@example.sch.uk" in school
    assert "Yours sincerely\nSam Tracker\nService Manager, Tracking and Monitoring\n" in school
    keyworker = office.letter_text(case, "keyworker_notification")
    assert "Joanne Fenwright\nKeyworker\n" in keyworker
    assert "We have asked the Education Social Worker" in keyworker


def test_a_referral_keyworker_letter_does_not_claim_an_esw_was_asked(office):
    office.deliver("agency-social-care-docx-content-controls-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    case = office.case()
    assert "esw_enquiry_request" not in office.letters(case)
    keyworker = office.letter_text(case, "keyworker_notification")
    assert "Education Social Worker" not in keyworker
    assert "Please share with us anything you know" in keyworker
    referral = office.letter_text(case, "referral_acknowledgement")
    assert "Gareth Fakeley\nSocial Worker\nWestvale Children's Social Care\n" in referral
    for role_word in ("referrer", "\nschool\n"):
        assert role_word not in referral


@pytest.mark.slow  # LibreOffice converts each letter: seconds apiece
def test_letters_go_out_as_docx_and_pdf(office):
    assert find_libreoffice(), "LibreOffice is not installed: .ci/run installs it"
    office.app.close()
    text = office.config_path.read_text(encoding="utf-8")
    office.config_path.write_text(text.replace("pdf = false", "pdf = true"), encoding="utf-8")
    office.app = build_app(load_config(office.config_path), office.clock)
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    letter = office.case().letters.order_by(Letter.id).first()
    assert Path(letter.path).with_suffix(".pdf").is_file()
    mails = sorted((office.app.config.outbox.path / "mail").glob("*.eml"))
    parsed = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in mails]
    mail = next(m for m in parsed if m["Message-ID"] == letter.message_id)
    types = sorted(part.get_content_type() for part in mail.iter_attachments())
    assert types == ["application/pdf",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
