"""Corrections and a child's history (issue 10, items 4 and 5): ``cme child ID``,
``cme child ID edit``, ``cme child merge A B``, possible duplicates as review items,
and ``cme case REF`` in readable columns. Fixed clocks; sample mail through real
``cme watch --once`` passes (tests/office.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from register.db import db
from register.models import Case, Child, ChildAddress, Event, Letter, ReviewItem
from tests.conftest import run_cme
from tests.fixtures.builders import Email
from tests.office import Office
from tests.test_cli_startup import HEAVY, PROBE, probe_result
from workflows.children import CorrectionError, edit_child, merge_children, validated

MON_9_FEB = datetime(2026, 2, 9, 9, 30)
TEAM = ('[team]\nemail = "cme@county.example.gov.uk"\n\n'
        '[senders]\ntrusted_domains = ["example.sch.uk", "example.nhs.uk"]\n')
AT = {"CME_NOW": "2026-02-10T11:00", "CME_USER": "jo.officer"}


@pytest.fixture
def office(tmp_path):
    office = Office(tmp_path, TEAM)
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)  # Milo Thistlewood, 08/12/2016
    office.run(datetime(2026, 2, 9, 10, 0))
    yield office
    office.close()


def referral(name: str, dob: str, serial: int, upn: str = "") -> bytes:
    """An agency's referral about a child, by email."""
    return Email(
        sender="nurse@clinic.example.nhs.uk", subject="Referral: child not in school",
        body=f"Referral.\n\nChild's name: {name}\nDate of birth: {dob}\n"
             + (f"UPN: {upn}\n" if upn else "")
             + "Concern: child not attending school.\n\nKind regards\n\nPat Example\n"
             "Health Visitor\nExample Community Health NHS Trust\n",
        message_id=f"agency-{serial}@clinic.example.nhs.uk").to_bytes()


def cli_site(office: Office):
    """The office's register closed, so that ``cme`` in a child process can use it."""
    office.close()
    return office.config_path


# -- corrections ---------------------------------------------------------------


def test_a_correction_then_a_letter_that_uses_the_corrected_name(office):
    child = Child.get()
    with db.atomic():
        changes = edit_child(child, validated({"surname": "Thistlethwaite",
                                               "address": "4 Heron Way, Ashcombe",
                                               "postcode": "rg9 4aa"}),
                             datetime(2026, 2, 20, 9, tzinfo=office.clock.at.tzinfo),
                             "jo.officer")
    assert changes["surname"].old == "Thistlewood" and changes["surname"].new == "Thistlethwaite"
    event = Event.get(Event.kind == "child_corrected")
    assert event.child_id == child.id and event.actor == "jo.officer"
    assert event.detail["changes"]["surname"] == {"old": "Thistlewood", "new": "Thistlethwaite"}
    assert event.detail["changes"]["postcode"]["new"] == "RG9 4AA"
    # the first letters keep what they said; the ESW chase, decided after, says the new name
    case = office.case()
    assert "Milo Thistlewood" in office.letter_text(case, "esw_enquiry_request")
    office.run(datetime(2026, 3, 2, 8, 0))
    assert office.letters(case)[-1] == "esw_chase"
    chase = office.letter_text(case, "esw_chase")
    assert "Milo Thistlethwaite" in chase and "Thistlewood" not in chase
    context = Letter.get(Letter.template == "esw_chase").context
    assert context["child"]["address"] == "4 Heron Way, Ashcombe"
    assert context["child"]["postcode"] == "RG9 4AA"
    # the old address stays in the history
    assert [a.address for a in ChildAddress.select().order_by(ChildAddress.id)] == [
        "29 Kestrel Drive, Ashcombe", "4 Heron Way, Ashcombe"]


def test_edit_on_the_command_line_validates_and_records_the_actor(office):
    config = cli_site(office)
    done = run_cme(config, "child", "1", "edit", "--dob", "3.4.15", "--forenames", " Milo  J ",
                   env=AT)
    assert done.returncode == 0, done.stderr
    assert "dob 2016-12-08 -> 2015-04-03" in done.stdout
    shown = json.loads(run_cme(config, "child", "1", "--json", env=AT).stdout)
    assert shown["dob"] == "2015-04-03" and shown["forenames"] == "Milo J"
    corrected = [e for e in shown["events"] if e["kind"] == "child_corrected"]
    assert corrected[0]["actor"] == "jo.officer"
    assert corrected[0]["detail"]["changes"]["dob"] == {"old": "2016-12-08", "new": "2015-04-03"}
    for args, says in (
        (["--upn", "B123456789012"], "cme: --upn: check letter should be"),
        (["--dob", "31/02/2015"], "cme: --dob: not a date: '31/02/2015'"),
        (["--gender", "purple"], "cme: --gender: not a gender"),
        (["--surname", "  "], "cme: --surname cannot be empty"),
        (["--dob", "2015-04-03"], "cme: child 1: nothing to change"),
        ([], "cme: edit needs a detail to change"),
    ):
        refused = run_cme(config, "child", "1", "edit", *args, env=AT)
        assert refused.returncode == 1 and refused.stderr.startswith(says), refused.stderr
        assert "Traceback" not in refused.stderr
    assert run_cme(config, "child", "9", env=AT).stderr.strip() == "cme: no child 9"


# -- merging -------------------------------------------------------------------


def test_merging_two_records_of_one_child_links_their_cases(office):
    office.deliver(referral("Milo Thistlewoode", "08/12/2016", 1), datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))
    keep, gone = Child.select().order_by(Child.id)
    _, second = Case.select().order_by(Case.id)
    assert second.child_id == gone.id
    with db.atomic():
        moved = merge_children(keep, gone, datetime(2026, 2, 11, 9, tzinfo=office.clock.at.tzinfo),
                               "jo.officer")
    assert moved == [second.reference]
    assert Child.select().count() == 2  # never deleted
    gone = Child.get_by_id(gone.id)
    assert gone.merged_into_id == keep.id
    assert {c.child_id for c in Case.select()} == {keep.id}
    assert Event.get(Event.kind == "child_merged", Event.case.is_null()).child_id == keep.id
    assert Event.get(Event.kind == "child_merged_into").child_id == gone.id
    assert Event.get(Event.kind == "child_merged", Event.case == second).actor == "jo.officer"
    # the possible-match item that the referral raised is answered by hand, not here;
    # a later message naming the merged child finds the one it was merged into
    office.deliver(referral("Milo Thistlewoode", "08/12/2016", 2), datetime(2026, 2, 12, 9))
    office.run(datetime(2026, 2, 12, 10, 0))
    assert Child.select().count() == 2
    with pytest.raises(CorrectionError, match="into itself"):
        merge_children(keep, keep, office.clock.now(), "jo")
    with pytest.raises(CorrectionError, match="already merged"):
        merge_children(keep, gone, office.clock.now(), "jo")


def test_merge_on_the_command_line(office):
    office.deliver(referral("Milo Thistlewoode", "08/12/2016", 1), datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))
    references = [c.reference for c in Case.select().order_by(Case.id)]
    config = cli_site(office)
    done = run_cme(config, "child", "merge", "1", "2", env=AT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"child 2 merged into child 1 ({references[1]} moved)"
    history = json.loads(run_cme(config, "child", "1", "--json", env=AT).stdout)
    assert [c["reference"] for c in history["cases"]] == references
    assert history["merged_from"] == [2]
    cases = json.loads(run_cme(config, "cases", "--json", env=AT).stdout)
    assert cases[0]["linked_cases"] == [references[1]]
    assert "merged into child 1" in run_cme(config, "child", "2", env=AT).stdout
    for args, says in ((["1", "1"], "cme: child 1 cannot be merged into itself"),
                       (["1", "2"], "cme: child 2 was already merged into child 1"),
                       (["1"], "cme: merge needs two children")):
        refused = run_cme(config, "child", "merge", *args, env=AT)
        assert refused.returncode == 1 and refused.stderr.strip().startswith(says)


# -- history ---------------------------------------------------------------------


def test_a_childs_whole_history(office):
    office.deliver(referral("Milo Thistlewood", "08/12/2016", 1), datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))  # the same child: a linked agency case
    config = cli_site(office)
    run_cme(config, "child", "1", "edit", "--surname", "Thistlethwaite", env=AT, check=True)
    history = json.loads(run_cme(config, "child", "1", "--json", env=AT).stdout)
    assert [c["kind"] for c in history["cases"]] == ["cme_notification", "agency_referral"]
    assert len(history["messages"]) == 2
    assert {m["case"] for m in history["messages"]} == {c["reference"] for c in history["cases"]}
    assert {x["template"] for x in history["letters"]} >= {"acknowledgement_school",
                                                           "esw_enquiry_request"}
    kinds = [e["kind"] for e in history["events"]]
    assert kinds.count("case_opened") == 2 and kinds[-1] == "child_corrected"
    assert history["addresses"][0]["postcode"] == "RG9 4PT"
    text = run_cme(config, "child", "1", env=AT).stdout
    assert text.startswith("child 1: Milo Thistlethwaite\n")
    for heading in ("addresses:", "cases:", "messages:", "letters:", "events:"):
        assert f"\n{heading}\n" in text
    assert "surname Thistlewood -> Thistlethwaite" in text
    assert "{" not in text  # words, not JSON


def test_showing_a_child_loads_no_heavy_library(office):
    config = cli_site(office)
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), "--config", str(config), "child", "1"],
        capture_output=True, text=True, cwd=config.parent, timeout=60)
    assert probe_result(result.stderr) == ("", "0"), result.stderr
    assert "Milo Thistlewood" in result.stdout


# -- possible duplicates ------------------------------------------------------


@pytest.mark.parametrize("dob", ["08/12/2018", "09/11/2016"], ids=["one digit", "two digits"])
def test_same_name_with_a_date_of_birth_one_digit_apart_is_flagged(office, dob):
    office.deliver(referral("Milo Thistlewood", dob, 1), datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))
    assert Child.select().count() == 2  # never merged silently
    flagged = ReviewItem.select().where(ReviewItem.reason.contains("possible match")).count()
    assert flagged == (1 if dob == "08/12/2018" else 0)


def test_same_upn_under_another_name_is_flagged(office):
    upn = Child.get().upn
    office.deliver(referral("Ava Brightwater", "08/12/2016", 1, upn=upn), datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))
    assert Child.select().count() == 2
    item = ReviewItem.get(ReviewItem.reason.contains("possible match"))
    assert item.detail["candidates"] == [1]


def test_the_same_upn_and_name_is_the_same_child(office):
    upn = Child.get().upn
    office.deliver(referral("Milo Thistlewood", "08/12/2016", 1, upn=upn), datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))
    assert Child.select().count() == 1
    assert not ReviewItem.select().where(ReviewItem.reason.contains("possible")).exists()


def test_an_edit_that_makes_a_duplicate_is_flagged_and_a_merge_answers_it(office):
    office.deliver(referral("Ava Brightwater", "12/08/2016", 1), datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))
    milo, ava = Child.select().order_by(Child.id)
    now = datetime(2026, 2, 11, 9, tzinfo=office.clock.at.tzinfo)
    with db.atomic():  # Ava's record was Milo's, misread: his name, day and month swapped
        edit_child(ava, validated({"forenames": "Milo", "surname": "Thistlewood"}), now, "jo")
    item = ReviewItem.get(ReviewItem.reason.startswith("possible duplicate"))
    assert item.detail["children"] == [milo.id, ava.id]
    assert "day and month" in item.reason and f"cme child merge {milo.id} {ava.id}" in item.reason
    with db.atomic():  # editing again raises no second item for the same pair
        edit_child(ava, validated({"gender": "M"}), now, "jo")
    assert ReviewItem.select().where(ReviewItem.reason.startswith("possible duplicate")).count() \
        == 1
    with db.atomic():
        merge_children(milo, ava, now, "jo")
    item = ReviewItem.get_by_id(item.id)
    assert item.resolved_at is not None and item.resolution.startswith("merged")


# -- cme case REF --------------------------------------------------------------


def test_a_case_in_readable_columns(office):
    reference = office.case().reference
    config = cli_site(office)
    run_cme(config, "child", "1", "edit", "--surname", "Thistlethwaite", env=AT, check=True)
    text = run_cme(config, "case", reference, env=AT).stdout
    assert text.startswith(f"{reference}  cme notification  open  opened 2026-02-09\n")
    assert "\nchild 1: Milo Thistlethwaite  (cme child 1)\n" in text
    assert "  born: 2016-12-08\n" in text
    assert "\nschool: Meadowbank Primary School\n" in text
    for heading in ("deadlines:", "letters:", "timeline:"):
        assert f"\n{heading}\n" in text
    assert "esw chase       2026-03-02  open" in text
    assert "acknowledgement school" in text
    assert "case opened" in text and "child corrected" in text
    assert "{" not in text
    shown = json.loads(run_cme(config, "case", reference, "--json", env=AT).stdout)
    assert {"reference", "kind", "status", "child", "timeline", "deadlines", "letters",
            "child_details", "school_details"} <= set(shown)
    assert shown["school_details"]["name"] == "Meadowbank Primary School"
    assert shown["child_events"][0]["kind"] == "child_corrected"


def test_an_edit_giving_another_childs_upn_is_flagged(office):
    office.deliver(referral("Ava Brightwater", "12/08/2016", 1), datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))
    milo, ava = Child.select().order_by(Child.id)
    with db.atomic():
        edit_child(ava, validated({"upn": milo.upn}), office.clock.now(), "jo")
    item = ReviewItem.get(ReviewItem.reason.startswith("possible duplicate"))
    assert "the same UPN under another name" in item.reason
    assert item.case == Case.get(Case.child == milo)  # shown on the other child's case
