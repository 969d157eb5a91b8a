"""Act only on what was read (issue 10, point 1): a child not read with confidence opens
no case and writes no letter, but becomes a "complete the details" review item; once a
person completes it, the message is applied with its clocks counted from its arrival
day; a letter that would say a field still on review is held until it is confirmed.

Mail goes through real ``cme watch --once`` passes, decisions through the real ``cme``
command, at fixed moments (``CME_NOW``), on a temporary SQLite register.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from cme.clock import as_london
from cme.resources import SHIPPED_TEMPLATES
from register.models import Case, Event, InboundMessage, Letter, ReviewItem
from register.states import LetterState
from tests.conftest import REPO, run_cme
from tests.fixtures.builders import DOCX_TYPE, Attachment, Email, docx_form
from tests.office import Office
from workflows.identity import identity_doubts, not_names

TEAM = ('[team]\nemail = "cme@county.example.gov.uk"\n\n'
        '[senders]\ntrusted_domains = ["example.sch.uk", "example.nhs.uk"]\n')
CORRUPT = REPO / "tests/fixtures/bad/corrupt-pdf.eml"
FRI_20_FEB = datetime(2026, 2, 20, 9, 0)  # the last day of half term: mail still arrives
MON_23_FEB = datetime(2026, 2, 23, 8, 0)
TUE_3_MAR = datetime(2026, 3, 3, 11, 0)  # the person completes it ten days later
OFFICER = "sam.officer"


@pytest.fixture
def office(tmp_path: Path):
    office = Office(tmp_path, TEAM)
    yield office
    office.close()


def cme(office: Office, at: datetime, *args: str):
    return run_cme(office.config_path, *args,
                   env={"CME_NOW": at.isoformat(timespec="minutes"), "CME_USER": OFFICER})


def school_form(rows: list[tuple[str, str]], serial: int = 1) -> bytes:
    """A school's notification with its details in a DOCX form."""
    return Email(
        sender="h.larkspur@meadowbank.example.sch.uk", subject="CME notification",
        body="Dear CME team,\n\nPlease find attached a CME notification form for a pupil "
             "missing from education.\n\nKind regards\nH Larkspur\nHead Teacher",
        message_id=f"form-{serial}@meadowbank.example.sch.uk",
        attachments=[Attachment("CME notification.docx",
                                docx_form("Children Missing Education notification", rows),
                                DOCX_TYPE)],
    ).to_bytes()


def the_item() -> ReviewItem:
    [item] = ReviewItem.select().where(ReviewItem.resolved_at.is_null())
    return item


# -- a corrupt attachment -------------------------------------------------------------------

def test_a_corrupt_attachment_makes_a_review_item_and_no_case_or_letter(office):
    office.deliver(CORRUPT.read_bytes(), FRI_20_FEB)
    report = office.run(MON_23_FEB)
    assert report.taken == 1 and not report.errors
    assert Case.select().count() == 0 and Letter.select().count() == 0
    item = the_item()
    assert item.detail["action"] == "complete_details" and item.case is None
    assert item.reason.startswith("complete the details")
    assert {d["field"] for d in item.detail["doubts"]} == {
        "child_forenames", "child_surname", "child_dob", "child_upn"}
    message = InboundMessage.get_by_id(item.message_id)
    assert message.status == "applied"  # handled: a pass does not take it again
    office.run(MON_23_FEB.replace(hour=9))
    assert ReviewItem.select().count() == 1 and Case.select().count() == 0

    listed = json.loads(cme(office, MON_23_FEB, "review", "--json").stdout)
    assert [(r["id"], r["action"]) for r in listed] == [(item.id, "complete_details")]
    shown = cme(office, MON_23_FEB, "review", "show", str(item.id))
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert f"message {message.id}: from attendance@riverside.example.sch.uk" in text
    assert "'CME notification'" in text and "received 2026-02-20 09:00" in text
    assert "warning: CME notification.pdf: the PDF is damaged and cannot be read" in text
    assert "CME notification.pdf" in text and "application/pdf" in text
    assert "in the original mail, part" in text and message.archive_path in text
    assert "surname: not read" in text and f"cme review complete {item.id}" in text
    whole = json.loads(cme(office, MON_23_FEB, "review", "show", str(item.id), "--json").stdout)
    attachment = whole["detail"]["attachments"][0]
    assert attachment["filename"] == "CME notification.pdf" and attachment["size"] > 0


def test_completed_by_hand_it_opens_the_case_with_clocks_from_its_arrival_day(office):
    office.deliver(CORRUPT.read_bytes(), FRI_20_FEB)
    office.run(MON_23_FEB)
    item = the_item()

    short = cme(office, TUE_3_MAR, "review", "complete", str(item.id), "--surname", "Testwood")
    assert short.returncode == 1 and short.stdout == ""
    assert short.stderr.strip().splitlines() == [
        f"cme: review item {item.id}: still not enough to open a case: forenames not read; "
        "date of birth not read; UPN not read"]
    bad = cme(office, TUE_3_MAR, "review", "complete", str(item.id), "--forenames", "Ava",
              "--surname", "Testwood", "--upn", "E931316225042")
    assert bad.returncode == 1 and "check letter" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert Case.select().count() == 0

    done = cme(office, TUE_3_MAR, "review", "complete", str(item.id), "--forenames", "Ava",
               "--surname", "Testwood", "--dob", "3.4.15", "--last-attended", "5 Feb 2026",
               "--note", "school phoned the details through")
    assert done.returncode == 0, done.stderr
    case = office.case()
    assert f"review item {item.id} resolved: details completed; case {case.reference}" \
        in done.stdout
    assert (case.child.forenames, case.child.surname, case.child.dob.isoformat()) == (
        "Ava", "Testwood", "2015-04-03")
    assert case.opened.isoformat() == "2026-02-20"  # the arrival day, not 3 March
    assert office.deadlines(case) == {
        # 10 school days after Friday 20 Feb (not after Tuesday 3 March: 17 March)
        "esw_chase": ("2026-03-06", "open"),
        "esw_escalation": ("2026-03-20", "open"),
        "tac_escalation": ("2026-05-01", "open"),  # the Easter holiday skipped
        # from the date last attended, Thursday 5 February, half term skipped
        "absence_day_15": ("2026-03-05", "open"),
        "absence_day_20": ("2026-03-12", "open"),
    }
    assert office.letters(case) == ["acknowledgement_school", "esw_enquiry_request"]
    assert {x.state for x in case.letters} == {LetterState.SENT}  # mailed after the commit
    assert "Ava Testwood" in office.letter_text(case, "esw_enquiry_request")
    completed = Event.get((Event.kind == "details_completed") & (Event.case == case))
    assert completed.actor == OFFICER
    assert completed.detail["given"]["child_dob"] == "2015-04-03"
    item = ReviewItem.get_by_id(item.id)
    assert item.resolved_at is not None
    assert item.resolution == f"details completed by {OFFICER}: school phoned the details through"

    again = cme(office, TUE_3_MAR, "review", "complete", str(item.id), "--forenames", "Ava",
                "--surname", "Testwood", "--dob", "2015-04-03")
    assert again.returncode == 1
    assert again.stderr.strip() == f"cme: review item {item.id}: already resolved"
    assert Case.select().count() == 1


def test_complete_refuses_other_items_and_accept_refuses_this_one(office):
    office.deliver(CORRUPT.read_bytes(), FRI_20_FEB)
    office.run(MON_23_FEB)
    item = the_item()
    accept = cme(office, TUE_3_MAR, "review", "resolve", str(item.id), "--accept")
    assert accept.returncode == 1 and "cme review complete" in accept.stderr
    other = ReviewItem.create(reason="possible match", detail={}, created_at=as_london(TUE_3_MAR))
    refused = cme(office, TUE_3_MAR, "review", "complete", str(other.id), "--forenames", "A",
                  "--surname", "B", "--dob", "2015-04-03")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (f"cme: review item {other.id}: not a 'complete the "
                                      "details' item (resolve it with cme review resolve)")
    missing = cme(office, TUE_3_MAR, "review", "complete", "999", "--surname", "B")
    assert missing.returncode == 1 and missing.stderr.strip() == "cme: no review item 999"


# -- placeholders ---------------------------------------------------------------------------

@pytest.mark.parametrize(("forenames", "surname", "why"), [
    ("Ava", "(unknown)", {"a placeholder ('(unknown)')"}),
    # a label read as a name: the reader leaves it out, or it reads as no name here
    ("Protection", "Plan", {"not read", "reads as a form's words, not a name"}),
])
def test_a_placeholder_name_never_opens_a_case(office, forenames, surname, why):
    office.deliver(school_form([("Surname", surname), ("First name", forenames),
                                ("Date of birth", "03/04/2015"),
                                ("School", "Meadowbank Primary School")]), datetime(2026, 2, 9))
    office.run(datetime(2026, 2, 9, 10, 0))
    assert Case.select().count() == 0 and Letter.select().count() == 0
    item = the_item()
    assert {d["why"] for d in item.detail["doubts"] if d["field"] == "child_surname"} <= why
    assert "child_surname" in {d["field"] for d in item.detail["doubts"]}


def test_a_name_on_review_or_a_placeholder_is_no_identity():
    read = {"child_forenames": "Protection", "child_surname": "Plan", "child_dob": "2015-04-03"}
    assert [str(d) for d in identity_doubts(read, ["child_surname"])] == [
        "surname on review ('Plan' read)"]
    assert [str(d) for d in identity_doubts({**read, "child_forenames": "Not known"}, [])] == [
        "forenames a placeholder (not known)"]
    words = not_names(SHIPPED_TEMPLATES / "prose.toml")
    assert [str(d) for d in identity_doubts(read, [], not_names=words)] == [
        "surname reads as a form's words, not a name"]
    assert identity_doubts({**read, "child_forenames": "Ava"}, [], not_names=words) == []
    # a date of birth or a UPN: either, read with confidence, is enough
    named = {"child_forenames": "Ava", "child_surname": "Testwood"}
    assert identity_doubts({**named, "child_upn": "B801200005001"}, ["child_dob"]) == []
    assert identity_doubts({**named, "child_dob": "2015-04-03"}, []) == []
    assert [d.field for d in identity_doubts({**named, "child_dob": "2015-04-03"},
                                             ["child_dob"])] == ["child_dob", "child_upn"]


# -- letters held on a field still on review ------------------------------------------------

def test_a_letter_that_needs_a_field_on_review_is_held_until_it_is_confirmed(office):
    # The form and its cover email disagree on the date of birth; the UPN identifies the
    # child, so the case opens, but every letter that would print the date waits.
    office.deliver("cme-school-docx-cover-disagrees-01", datetime(2026, 2, 9, 10, 30))
    office.run(datetime(2026, 2, 9, 11, 0))
    case = office.case()
    assert office.letters(case) == ["acknowledgement_school", "esw_enquiry_request"]
    assert {x.state for x in case.letters} == {LetterState.HELD}
    held = [e.detail for e in case.events if e.kind == "letter_held"]
    assert [h["waits_for"] for h in held] == [["child_dob"], ["child_dob"]]
    item = the_item()
    assert item.detail == {"action": "confirm_fields", "fields": ["child_dob"]}
    assert office.deadlines(case)["esw_chase"] == ("2026-03-02", "open")  # clocks run

    # A note alone would leave the letters held with nothing to release them: refused.
    noted = cme(office, datetime(2026, 2, 10, 8, 0), "review", "resolve", str(item.id),
                "--note", "looked at it")
    assert noted.returncode == 1 and "holds 2 letter(s)" in noted.stderr
    assert the_item().resolved_at is None
    done = cme(office, datetime(2026, 2, 10, 9, 0), "review", "resolve", str(item.id),
               "--accept")
    assert done.returncode == 0, done.stderr
    assert "fields confirmed (child_dob); 2 held letters released" in done.stdout
    assert {x.state for x in Letter.select().where(Letter.case == case)} == {LetterState.SENT}
    assert "letters_released" in office.events(case)


def test_a_letter_that_does_not_say_the_field_on_review_goes_at_once(office):
    # Only the parent's phone is in doubt: the acknowledgement does not print it.
    office.deliver("agency-health-docx-cover-disagrees-01", datetime(2026, 2, 9, 10, 30))
    office.run(datetime(2026, 2, 9, 11, 0))
    case = office.case()
    assert office.letters(case) == ["referral_acknowledgement"]
    assert [x.state for x in case.letters] == [LetterState.SENT]
    assert the_item().detail["fields"] == ["parent_phone"]


def test_read_again_it_replaces_its_item_rather_than_adding_one(office):
    office.deliver(CORRUPT.read_bytes(), FRI_20_FEB)
    office.run(MON_23_FEB)
    first = the_item()
    retried = cme(office, TUE_3_MAR, "intake", "retry", str(first.message_id))
    assert retried.returncode == 0, retried.stderr
    assert ReviewItem.get_by_id(first.id).resolution == "the message was read again"
    again = the_item()  # still unreadable: a fresh item, the only one open
    assert again.id != first.id and again.detail["action"] == "complete_details"
    assert Case.select().count() == 0 and Letter.select().count() == 0
