"""News by phone or in person (issue 10, items 3 and 7): ``cme case REF outcome ...`` does
what the emailed update saying it does, with the person as its actor; closed cases,
bad addresses and dates typed in UK forms are answered in one line; a review item
resolved again keeps every note.

Each office runs ``cme watch --once`` passes at fixed moments; the commands run as
the real ``cme`` in a child process, with ``CME_NOW`` and ``CME_USER`` set.
"""

from __future__ import annotations

import getpass
import json
from datetime import date, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cme.clock import as_london
from cme.dates import UKDate
from register.models import Case, Event, Letter, ReviewItem
from tests.conftest import run_cme
from tests.office import Office, update_email

MON_9_FEB = datetime(2026, 2, 9, 9, 30)
THU_12_FEB = {"CME_NOW": "2026-02-12T09:30", "CME_USER": "priya.officer"}
# As tests/test_workflows.py: the ESW writes from the LA's own domain, the schools are trusted.
TEAM = ('[team]\nemail = "cme@county.example.gov.uk"\n\n'
        '[senders]\ntrusted_domains = ["example.sch.uk", "example.nhs.uk"]\n')

# (notification, what the ESW's email says, the same outcome typed by hand, --school)
OUTCOMES = {
    "located": ("cme-school-docx-two-column-01", "Good news: the child was located at "
                "Brookhurst Primary School, Wenlow.", "located", "Brookhurst Primary School"),
    "confirmed_missing": ("cme-school-docx-two-column-01", "Our enquiries are complete: the "
                          "child is confirmed missing. Please proceed.", "confirmed_missing",
                          None),
    "file_received": ("ehe-school-docx-two-column-01", "The pupil file has been transferred "
                      "to the Service Manager today.", "file_received", None),
}


def opened(folder: Path, notification: str) -> Office:
    """An office whose one case was opened from ``notification`` on Monday 9 February."""
    folder.mkdir()
    office = Office(folder, TEAM)
    office.deliver(notification, MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    return office


def reference_of(office: Office) -> str:
    return office.case().reference


def by_hand(office: Office, *args: str, env: dict[str, str] | None = None):
    """``cme case REF ...`` as the officer types it, the office's register closed meanwhile."""
    reference = reference_of(office)
    office.close()
    return run_cme(office.config_path, "case", reference, *args, env=env or THU_12_FEB)


def reopened(office: Office) -> Office:
    return Office(office.config_path.parent, TEAM)


def what_it_did(office: Office) -> dict:
    """The case as the outcome left it: its state, clocks, letters and the closing letter."""
    case = office.case()
    closing = [row for row in case.letters if row.template == "case_closed"]
    return {
        "status": case.status, "state": case.state, "closed": case.closed,
        "close_reason": case.close_reason,
        "destination_school": (case.details or {}).get("destination_school"),
        "deadlines": office.deadlines(case),
        "stopped": {d.purpose: as_london(d.closed_at).date() for d in case.deadlines
                    if d.closed_at is not None},
        "letters": [(row.template, row.state, tuple(row.recipients or ()))
                    for row in case.letters.order_by(Letter.id)],
        "closing_text": office.letter_text(case, "case_closed").replace(case.reference, "REF")
        if closing else None,
    }


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_an_outcome_by_hand_does_what_the_emailed_one_does(tmp_path, outcome):
    notification, said, typed, school = OUTCOMES[outcome]
    mailed = opened(tmp_path / "mailed", notification)
    mailed.deliver(update_email(reference_of(mailed), said), datetime(2026, 2, 12, 9))
    mailed.run(datetime(2026, 2, 12, 9, 30))
    expected = what_it_did(mailed)
    mailed.close()

    phoned = opened(tmp_path / "phoned", notification)
    args = ["outcome", typed, "--note", "Hannah Pennyworth (ESW) rang"]
    result = by_hand(phoned, *args, *(["--school", school] if school else []))
    assert result.returncode == 0, result.stderr
    assert f"{typed} recorded" in result.stdout
    phoned = reopened(phoned)
    try:
        assert what_it_did(phoned) == expected
        event = Event.get(Event.kind == expected_event(outcome))
        assert event.actor == "priya.officer" and event.message is None
        assert event.detail["note"] == "Hannah Pennyworth (ESW) rang"
        assert event.detail["on"] == "2026-02-12"
    finally:
        phoned.close()


def expected_event(outcome: str) -> str:
    """The emailed update's own event kind (file_received is the email's file_transferred)."""
    return "update_file_transferred" if outcome == "file_received" else f"update_{outcome}"


def test_located_by_hand_closes_the_case_and_mails_the_closing_letter(tmp_path):
    office = opened(tmp_path / "office", "cme-school-docx-two-column-01")
    result = by_hand(office, "outcome", "located", "--note", "mother phoned: started at "
                     "Brookhurst on Monday", "--school", "Brookhurst Primary School")
    assert result.returncode == 0, result.stderr
    assert "(case_closed): sent" in result.stdout  # mailed after the commit, by the command
    office = reopened(office)
    try:
        case = office.case()
        assert (case.status, case.closed, case.close_reason) == (
            "closed", date(2026, 2, 12), "child located")
        assert office.open_deadlines() == 0
        assert {d: s for d, (_, s) in office.deadlines(case).items()} == {
            "esw_chase": "met", "esw_escalation": "met", "tac_escalation": "cancelled",
            "absence_day_15": "cancelled", "absence_day_20": "cancelled"}
        closing = Event.get(Event.kind == "case_closed")
        assert closing.actor == "priya.officer"
    finally:
        office.close()


def test_the_day_it_happened_stops_the_clocks_then(tmp_path):
    office = opened(tmp_path / "office", "cme-school-docx-two-column-01")
    result = by_hand(office, "outcome", "located", "--note", "school rang", "--date",
                     "10/02/2026", env={**THU_12_FEB, "CME_NOW": "2026-02-13T11:00"})
    assert result.returncode == 0, result.stderr
    office = reopened(office)
    try:
        case = office.case()
        assert case.closed == date(2026, 2, 10)
        met = [d for d in case.deadlines if d.state == "met"]
        assert met and all(as_london(d.closed_at).date() == date(2026, 2, 10) for d in met)
        event = Event.get(Event.kind == "update_located")
        assert event.detail["on"] == "2026-02-10"
        assert as_london(event.at).date() == date(2026, 2, 13)  # recorded when it was typed
    finally:
        office.close()


def test_the_actor_is_the_login_name_without_cme_user(tmp_path):
    office = opened(tmp_path / "office", "cme-school-docx-two-column-01")
    result = by_hand(office, "outcome", "info", "--note", "school says mother has moved",
                     env={"CME_NOW": "2026-02-12T09:30", "CME_USER": ""})
    assert result.returncode == 0, result.stderr
    office = reopened(office)
    try:
        assert Event.get(Event.kind == "update_info").actor == getpass.getuser()
        assert office.case().status == "open"  # news, not an outcome that ends the case
    finally:
        office.close()


@pytest.mark.parametrize(("args", "says"), [
    (["outcome", "found", "--note", "x"], "outcome needs one of located, confirmed_missing, "
                                          "removal_advised, file_received, info, not 'found'"),
    (["outcome", "--note", "x"], "outcome needs one of located"),
    (["outcome", "located"], "outcome needs --note TEXT"),
    (["outcome", "located", "--note", "x", "--date", "13/02/2026"],
     "--date 13 Feb 2026 is after today (12 Feb 2026)"),
    (["outcome", "located", "--note", "x", "--date", "1 Feb 2026"],
     "is before CME-"),
])
def test_an_outcome_that_cannot_be_recorded_is_one_line_and_changes_nothing(tmp_path, args,
                                                                             says):
    office = opened(tmp_path / "office", "cme-school-docx-two-column-01")
    events = Event.select().count()
    result = by_hand(office, *args)
    assert result.returncode == 1
    assert result.stderr.startswith("cme: ") and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    office = reopened(office)
    try:
        assert Event.select().count() == events and office.case().status == "open"
    finally:
        office.close()


def test_outcome_and_allocate_are_refused_on_a_closed_case(tmp_path):
    office = opened(tmp_path / "office", "agency-health-docx-two-column-01")
    reference = reference_of(office)
    office.close()
    closed = run_cme(office.config_path, "case", reference, "close", "--reason",
                     "moved out of the area", env={**THU_12_FEB, "CME_NOW": "2026-02-10T10:00"})
    assert closed.returncode == 0, closed.stderr
    office = reopened(office)
    events, letters = Event.select().count(), Letter.select().count()
    office.close()
    refusal = (f"cme: {reference} is closed (on 10 Feb 2026: moved out of the area); a closed "
               "case takes no outcome or allocation")
    for args in (["outcome", "located", "--note", "ESW rang"],
                 ["allocate", "--lead", "Sam Example", "--email", "sam@partner.example.gov.uk"]):
        result = run_cme(office.config_path, "case", reference, *args, env=THU_12_FEB)
        assert result.returncode == 1 and result.stderr.strip() == refusal
    office = reopened(office)
    try:
        assert (Event.select().count(), Letter.select().count()) == (events, letters)
        assert Event.get(Event.kind == "case_closed").actor == "priya.officer"
    finally:
        office.close()


def test_a_bad_email_is_refused_with_the_reason_and_a_good_one_kept(tmp_path):
    office = opened(tmp_path / "office", "agency-health-docx-two-column-01")
    reference = reference_of(office)
    office.close()
    bad = run_cme(office.config_path, "case", reference, "allocate", "--lead", "Sam Example",
                  "--email", "not-an-email", env=THU_12_FEB)
    assert bad.returncode == 2
    assert "not an email address: 'not-an-email' (An email address must have an @-sign.)" \
        in bad.stderr
    no_dot = run_cme(office.config_path, "case", reference, "allocate", "--lead", "Sam",
                     "--email", "sam@partner", env=THU_12_FEB)
    assert no_dot.returncode == 2 and "It should have a period" in no_dot.stderr
    good = run_cme(office.config_path, "case", reference, "allocate", "--lead", "Sam Example",
                   "--email", "Sam.Example@Partner.Example.GOV.UK", env=THU_12_FEB)
    assert good.returncode == 0, good.stderr
    office = reopened(office)
    try:
        case = office.case()
        assert case.lead_professional.email == "sam.example@partner.example.gov.uk"
        allocated = Event.get(Event.kind == "lead_professional_allocated")
        assert allocated.actor == "priya.officer"
    finally:
        office.close()


@pytest.mark.parametrize(("typed", "day"), [
    ("2026-12-05", date(2026, 12, 5)),
    ("05/12/2026", date(2026, 12, 5)),
    ("5/12/26", date(2026, 12, 5)),
    ("5 Dec 2026", date(2026, 12, 5)),
    ("3.4.15", date(2015, 4, 3)),
])
def test_dates_on_the_command_line_in_uk_forms(typed, day):
    @click.command()
    @click.option("--on", type=UKDate())
    def show(on: date) -> None:
        click.echo(on.isoformat())

    result = CliRunner().invoke(show, ["--on", typed])
    assert result.exit_code == 0 and result.output.strip() == day.isoformat()


@pytest.mark.parametrize("typed", ["garbage", "13/13/2026", "30/02/2026", "5 12", ""])
def test_a_date_no_one_could_mean_is_refused_with_why(typed):
    @click.command()
    @click.option("--on", type=UKDate())
    def show(on: date) -> None:
        click.echo(str(on))

    result = CliRunner().invoke(show, ["--on", typed])
    assert result.exit_code == 2
    assert f"not a date: {typed!r}" in result.output and "05/12/2026" in result.output


def test_deadlines_due_before_takes_a_uk_date(tmp_path):
    office = opened(tmp_path / "office", "cme-school-docx-two-column-01")
    office.close()
    iso, uk, named = (json.loads(run_cme(office.config_path, "deadlines", "--due-before", typed,
                                         "--json", env=THU_12_FEB).stdout)
                      for typed in ("2026-03-02", "02/03/2026", "2 Mar 2026"))
    assert iso == uk == named
    assert {d["purpose"] for d in iso} == {"absence_day_15", "absence_day_20"}


def test_resolving_again_adds_a_note_and_keeps_the_first(tmp_path):
    office = opened(tmp_path / "office", "cme-school-ctf-lost-pupil-01")  # a breach to review
    item = ReviewItem.get(ReviewItem.reason.contains("before the ESW"))
    office.close()
    first = run_cme(office.config_path, "review", "resolve", str(item.id), "--note",
                    "school reminded of the procedure", env=THU_12_FEB)
    assert first.returncode == 0 and first.stdout.strip() == f"review item {item.id} resolved"
    again = run_cme(office.config_path, "review", "resolve", str(item.id), "--note",
                    "head teacher confirmed in writing",
                    env={"CME_NOW": "2026-02-16T14:00", "CME_USER": "jo.manager"})
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == (f"review item {item.id}: note added (resolved on "
                                    "12 Feb 2026: school reminded of the procedure)")
    shown = next(r for r in json.loads(run_cme(office.config_path, "review", "--all", "--json",
                                               env=THU_12_FEB).stdout) if r["id"] == item.id)
    assert shown["resolution"] == "school reminded of the procedure"
    assert shown["resolved"].startswith("2026-02-12")
    assert [(n["at"][:10], n["by"], n["note"]) for n in shown["notes"]] == [
        ("2026-02-12", "priya.officer", "school reminded of the procedure"),
        ("2026-02-16", "jo.manager", "head teacher confirmed in writing")]
    table = run_cme(office.config_path, "review", "--all", env=THU_12_FEB).stdout
    assert table.endswith(
        f"notes:\n  {item.id}  2026-02-12 priya.officer: school reminded of the procedure\n"
        f"  {item.id}  2026-02-16 jo.manager: head teacher confirmed in writing\n")
    assert item.id not in [r["id"] for r in json.loads(
        run_cme(office.config_path, "review", "--json", env=THU_12_FEB).stdout)]
    office = reopened(office)
    try:
        notes = [(e.kind, e.actor) for e in Event.select().where(
            Event.kind.in_(["review_resolved", "review_note"])).order_by(Event.id)]
        assert notes == [("review_resolved", "priya.officer"), ("review_note", "jo.manager")]
    finally:
        office.close()


def test_a_closed_case_is_also_refused_to_the_workflow(tmp_path):
    """The refusal is the workflow's own, not only the command's."""
    from register.db import db
    from workflows.cases import CaseClosed
    from workflows.updates import by_hand as record

    office = opened(tmp_path / "office", "cme-school-docx-two-column-01")
    try:
        now = as_london(datetime(2026, 2, 12, 9, 30))
        with db.atomic():
            record(office.app.workflow, office.case(), "located", "ESW rang", now,
                   actor="priya.officer")
        with pytest.raises(CaseClosed), db.atomic():
            record(office.app.workflow, Case.get(), "info", "again", now, actor="priya.officer")
        with pytest.raises(CaseClosed), db.atomic():
            office.app.workflow.allocate(Case.get(), "Sam Example", None, now)
    finally:
        office.close()


def test_an_emailed_update_for_a_closed_case_changes_nothing_and_goes_to_review(tmp_path):
    office = opened(tmp_path / "office", "cme-school-docx-two-column-01")
    case = office.case()
    with office.app.database.atomic():
        office.app.workflow.close(case, "child located", office.clock.now(), actor="team")
    letters = Letter.select().count()
    office.deliver(update_email(case.reference, "Our enquiries are complete: the child is "
                                "confirmed missing. Please proceed.", serial=7),
                   datetime(2026, 2, 11, 9))
    office.run(datetime(2026, 2, 11, 9, 30))
    try:
        case = office.case()
        assert (case.status, case.close_reason) == ("closed", "child located")
        assert Letter.select().count() == letters
        [item] = ReviewItem.select().where(ReviewItem.resolved_at.is_null()
                                           & (ReviewItem.case == case))
        assert "closed on 9 Feb 2026" in item.reason and "nothing was changed" in item.reason
        assert "update_after_close" in office.events(case)
    finally:
        office.close()
