"""Overdue stays overdue until done (issue 10, point 2), the digest per officer (point 8),
empty listings and a clock earlier than the last pass (point 7).

Fixture mail through ``cme watch --once`` passes at fixed moments (tests/office.py),
read back from the register, the rendered letters, the digest and the commands.
"""

from __future__ import annotations

import email
import json
import logging
from datetime import date, datetime
from email import policy

import pytest

from register.models import DailyDigest, Deadline, Event, ReviewItem
from tests.conftest import run_cme
from tests.office import Office, update_email
from tests.test_workflows import MON_9_FEB, TEAM
from watcher.lastpass import LastPass
from workflows.chases import reply_by
from workflows.overdue import overdue

TEAM_ADDRESS = "cme@county.example.gov.uk"


@pytest.fixture
def office(tmp_path):
    office = Office(tmp_path, TEAM)
    yield office
    office.close()


def overdue_now(office: Office) -> dict[str, tuple[str, int | None]]:
    """purpose -> (state, school days overdue) at the office's clock."""
    now = office.clock.now()
    return {i.purpose: (i.state, i.school_days)
            for i in overdue(now, now.date(), office.app.workflow.calendar)}


def chase_context(office: Office, template: str = "esw_chase") -> dict:
    [letter] = [x for x in office.case().letters if x.template == template]
    return letter.context


# -- 2. overdue stays overdue until done ------------------------------------------

def test_a_fired_esw_chase_stays_overdue_until_the_outcome_arrives(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    assert "esw_chase" not in overdue_now(office)
    office.run(datetime(2026, 3, 2, 8, 0))  # due Monday 2 March: fires, the chase is written
    case = office.case()
    assert office.letters(case).count("esw_chase") == 1
    assert overdue_now(office)["esw_chase"] == ("fired", 0)  # due today: 0 days overdue
    office.run(datetime(2026, 3, 5, 8, 0))
    assert overdue_now(office)["esw_chase"] == ("fired", 3)  # Tue 3, Wed 4, Thu 5 March
    office.run(datetime(2026, 3, 9, 8, 0))  # the weekend is not counted
    assert overdue_now(office)["esw_chase"] == ("fired", 5)
    # Other news about the case is not the outcome the chase waits for.
    office.deliver(update_email(case.reference, "The family may have moved to Wenlow; we are "
                                "still making enquiries.", serial=1), datetime(2026, 3, 10, 9))
    office.run(datetime(2026, 3, 10, 9, 30))
    assert overdue_now(office)["esw_chase"] == ("fired", 6)
    office.run(datetime(2026, 3, 16, 8, 0))  # the escalation falls due as well
    assert overdue_now(office)["esw_chase"] == ("fired", 10)
    assert overdue_now(office)["esw_escalation"] == ("fired", 0)
    assert office.letters(case).count("esw_chase") == 1  # later passes write no more chases
    office.deliver(update_email(case.reference, "Our enquiries are complete: the child is "
                                "confirmed missing. Please proceed.", serial=2),
                   datetime(2026, 3, 17, 9))
    office.run(datetime(2026, 3, 17, 9, 30))
    assert "esw_chase" not in overdue_now(office)
    assert "esw_escalation" not in overdue_now(office)
    assert office.deadlines(case)["esw_chase"] == ("2026-03-02", "met")
    assert office.deadlines(case)["esw_escalation"] == ("2026-03-16", "met")


def test_closing_the_case_ends_its_overdue_work(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 3, 3, 8, 0))
    case = office.case()
    assert set(overdue_now(office)) == {"esw_chase", "absence_day_15", "absence_day_20"}
    with office.app.database.atomic():
        office.app.workflow.close(case, "child located", office.clock.now(), actor="team")
    assert overdue_now(office) == {}
    assert {state for _, state in office.deadlines(case).values()} == {"cancelled"}


def test_the_overdue_commands_show_school_days_overdue(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 3, 5, 8, 0))
    reference = office.case().reference
    env = {"CME_NOW": "2026-03-05T12:00"}
    cases = run_cme(office.config_path, "cases", "--overdue", env=env)
    assert cases.returncode == 0, cases.stderr
    header, rule, row = cases.stdout.splitlines()
    assert header.split("  ")[0] == "reference" and "school days overdue" in header
    assert set(rule) <= {"-", " "}
    # oldest first: the day-15 absence alert, 14 school days before
    assert row.split()[:3] == [reference, "Milo", "Thistlewood"]
    assert "unallocated" in row and "absence day 15 (+2 more)" in row
    assert row.split()[-2:] == ["2026-02-13", "9"]
    listed = json.loads(run_cme(office.config_path, "deadlines", "--overdue", "--json",
                                env=env).stdout)
    assert [(d["purpose"], d["state"], d["school_days_overdue"]) for d in listed] == [
        ("absence_day_15", "fired", 9), ("absence_day_20", "fired", 4),
        ("esw_chase", "fired", 3)]
    assert listed[0]["child"] == "Milo Thistlewood" and listed[0]["officer"] == "unallocated"
    table = run_cme(office.config_path, "deadlines", "--overdue", env=env).stdout.splitlines()
    assert len(table) == 5 and table[-1].split()[-4:] == ["chase", "2026-03-02", "fired", "3"]


def test_a_person_marks_a_reminder_done_and_it_leaves_the_overdue_list(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 3, 3, 8, 0))
    case = office.case()
    [alert] = [d for d in case.deadlines if d.purpose == "absence_day_15"]
    env = {"CME_NOW": "2026-03-03T12:00", "CME_USER": "j.okafor"}
    done = run_cme(office.config_path, "deadlines", "done", str(alert.id), "--note",
                   "Rang the school: home visit booked", env=env)
    assert done.returncode == 0, done.stderr
    assert "absence_day_15" in done.stdout and "done" in done.stdout
    assert "absence_day_15" not in overdue_now(office)
    assert "esw_chase" in overdue_now(office)  # the others still wait for their news
    [recorded] = Event.select().where((Event.case == case) & (Event.kind == "deadline_done"))
    assert recorded.actor == "j.okafor"
    assert recorded.detail["note"] == "Rang the school: home visit booked"
    again = run_cme(office.config_path, "deadlines", "done", str(alert.id), "--note", "x",
                    env=env)
    assert again.returncode == 1 and "already met" in again.stderr
    assert "Traceback" not in again.stderr
    missing = run_cme(office.config_path, "deadlines", "done", "999999", "--note", "x", env=env)
    assert missing.returncode == 1 and "no deadline 999999" in missing.stderr


# -- 2. the reply-by date of a chase ----------------------------------------------

def test_a_chase_asks_a_reply_five_school_days_after_its_own_date_over_half_term(office):
    # A child on a CP plan: the ESW chase runs 2 school days, so it falls due on
    # Friday 13 February 2026, the day before half term (16-20 February).
    office.deliver("cme-school-docx-tick-columns-01", datetime(2026, 2, 11, 9, 0))
    office.run(datetime(2026, 2, 11, 10, 0))
    assert office.deadlines(office.case())["esw_chase"] == ("2026-02-13", "open")
    office.run(datetime(2026, 2, 13, 8, 0))
    context = chase_context(office)
    assert context["today"] == "Friday 13 February 2026"
    assert context["deadline"]["due"] == "Friday 27 February 2026"  # half term skipped
    text = office.letter_text(office.case(), "esw_chase")
    assert "Please reply by: Friday 27 February 2026" in text
    assert "by Friday 13 February 2026" not in text


def test_a_chase_over_christmas_asks_a_reply_in_january(office):
    # Arrives Tuesday 1 December 2026: the chase is due 10 school days later, on
    # Tuesday 15 December; the reply is 5 school days after that, across Christmas.
    office.deliver("cme-school-docx-two-column-01", datetime(2026, 12, 1, 9, 0))
    office.run(datetime(2026, 12, 1, 10, 0))
    assert office.deadlines(office.case())["esw_chase"] == ("2026-12-15", "open")
    office.run(datetime(2026, 12, 15, 7, 30))
    assert chase_context(office)["deadline"]["due"] == "Tuesday 5 January 2027"
    text = office.letter_text(office.case(), "esw_chase")
    assert "Please reply by: Tuesday 5 January 2027" in text


def test_a_late_chase_asks_a_reply_after_its_own_date_not_the_day_it_fell_due(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.run(datetime(2026, 3, 11, 9, 0))  # the daemon was down: the chase fires late
    context = chase_context(office)
    assert context["today"] == "Wednesday 11 March 2026"
    assert context["deadline"]["due"] == "Wednesday 18 March 2026"


def test_reply_by_is_the_chase_reply_setting(tmp_path):
    office = Office(tmp_path, TEAM + '\n[clocks]\nchase_reply = "3 calendar days"\n')
    try:
        office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
        office.run(datetime(2026, 3, 2, 8, 0))
        assert chase_context(office)["deadline"]["due"] == "Thursday 5 March 2026"
    finally:
        office.close()


def test_reply_by_past_the_calendar_says_as_soon_as_possible(office):
    calendar = office.app.workflow.calendar
    rule = office.app.workflow.clocks["chase_reply"]
    assert reply_by(date(2026, 12, 15), rule, calendar) == date(2027, 1, 5)
    assert reply_by(date(2027, 7, 20), rule, calendar) is None  # no 2027-28 terms yet


def test_a_missed_chase_reply_is_escalated_as_the_rules_say(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 3, 2, 8, 0))
    assert chase_context(office)["deadline"]["due"] == "Monday 9 March 2026"
    office.run(datetime(2026, 3, 10, 8, 0))  # the reply-by date passed: nothing new yet
    case = office.case()
    assert "esw_escalation" not in office.letters(case)
    office.run(datetime(2026, 3, 16, 8, 0))  # 20 school days: the escalation rule
    assert office.letters(case)[-1] == "esw_escalation"
    escalation = chase_context(office, "esw_escalation")
    assert escalation["recipient"]["role"] == "Service Manager"
    assert escalation["deadline"]["due"] == "Monday 23 March 2026"
    assert overdue_now(office)["esw_chase"] == ("fired", 10)
    assert overdue_now(office)["esw_escalation"] == ("fired", 0)


# -- 8. the digest, per officer -------------------------------------------------------

def test_the_digest_lists_each_officers_work(office, caplog):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)  # Milo Thistlewood
    office.deliver("cme-school-docx-bad-upn-01", datetime(2026, 2, 9, 9, 40))  # to review
    office.run(datetime(2026, 2, 9, 10, 0))
    first, second = office.case(0), office.case(1)
    with office.app.database.atomic():
        office.app.workflow.allocate(first, "Priya Lakeside", "priya.lakeside@example.org",
                                     office.clock.now())
    caplog.set_level(logging.DEBUG)
    office.run(datetime(2026, 3, 4, 7, 30))
    [digest] = DailyDigest.select().where(DailyDigest.day == date(2026, 3, 4))
    text = digest.text
    assert text.index("== Priya Lakeside ==") < text.index("== unallocated ==")
    mine = text[text.index("== Priya Lakeside =="):text.index("== unallocated ==")]
    assert "Overdue, oldest first: 3" in mine
    lines = [line for line in mine.splitlines() if line.startswith("  - ")]
    assert lines[0] == (f"  - {first.reference}  Milo Thistlewood: absence day 15, due Friday "
                        "13 February 2026, 8 school days overdue")  # half term not counted
    assert lines[2].endswith("esw chase, due Monday 2 March 2026, 2 school days overdue")
    assert "Due in the next 7 days" not in mine  # the escalation is due 16 March
    theirs = text[text.index("== unallocated =="):]
    child = second.child
    assert f"{second.reference}  {child.forenames} {child.surname}" in theirs
    review = ReviewItem.select().where(ReviewItem.case == second).first()
    assert review is not None
    assert f"item {review.id} ({second.reference}): " in theirs
    assert "waiting 23 days" in theirs
    assert text.splitlines()[2:6] == ["Overdue: 5", "Due today: 0", "Due in the next 7 days: 1",
                                      f"Review items waiting: "
                                      f"{ReviewItem.select().count()}"]
    # It goes to the team's own address only, and the log names no child.
    office.send()
    [mail] = [p for p in (office.app.config.outbox.path / "mail").glob("digest-2026-03-04.*")]
    parsed = email.message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert parsed["To"] == TEAM_ADDRESS
    ours = "\n".join(r.getMessage() for r in caplog.records  # peewee's SQL: silenced by cme
                     if not r.name.startswith("peewee"))
    assert "digest for 2026-03-04 recorded" in ours
    assert "Thistlewood" not in ours and child.surname not in ours


def test_the_digest_shows_what_is_due_today_and_this_week(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 26, 7, 30))
    text = DailyDigest.get(DailyDigest.day == date(2026, 2, 26)).text
    assert "Due in the next 7 days: 2" in text  # absence day 20 (27 Feb), ESW chase (2 Mar)
    assert "absence day 20, due Friday 27 February 2026" in text
    office.run(datetime(2026, 2, 27, 7, 30))
    text = DailyDigest.get(DailyDigest.day == date(2026, 2, 27)).text
    section = text[text.index("== unallocated =="):]
    assert "Due today: 1" in section
    section = section[section.index("Due today: 1"):]
    assert section.splitlines()[1].endswith("absence day 20, due Friday 27 February 2026")


def test_an_empty_digest_says_so(office):
    office.run(datetime(2026, 2, 9, 7, 30))
    text = DailyDigest.get().text
    assert "Nothing overdue, nothing due this week, nothing to review." in text
    assert "Overdue: 0" in text


# -- 7. empty results, and a clock earlier than the last pass -----------------------

@pytest.mark.parametrize(("command", "says"), [
    (["cases"], "no cases"),
    (["cases", "--overdue"], "no overdue cases"),
    (["cases", "--status", "closed"], "no cases"),
    (["deadlines"], "no deadlines"),
    (["deadlines", "--overdue"], "no overdue deadlines"),
    (["deadlines", "--overdue", "--state", "met"], "no overdue deadlines"),
    (["review"], "nothing to review"),
    (["letters"], "no letters"),
    (["intake", "list"], "no messages"),
], ids=" ".join)
def test_an_empty_listing_says_so(office, command, says):
    result = run_cme(office.config_path, *command, env={"CME_NOW": "2026-02-09T10:00"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == says


def test_a_pass_with_an_earlier_clock_warns_once_and_fires_nothing_twice(office, caplog):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.run(datetime(2026, 3, 2, 8, 0))  # the chase fires; the digest of 2 March
    case = office.case()
    fired = Event.select().where(Event.kind == "deadline_fired").count()
    letters = office.letters(case)
    caplog.set_level(logging.INFO)
    caplog.clear()
    office.run(datetime(2026, 2, 20, 8, 0))  # CME_NOW set back by ten days
    warnings = [r for r in caplog.records if "earlier than the last pass" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert warnings[0].getMessage().startswith(
        "the clock (2026-02-20 08:00) is earlier than the last pass (2026-03-02 08:00)")
    assert not DailyDigest.select().where(DailyDigest.day == date(2026, 2, 20)).exists()
    caplog.clear()
    office.run(datetime(2026, 3, 2, 8, 30))  # back to now: no warning, nothing again
    assert "earlier than the last pass" not in caplog.text
    assert Event.select().where(Event.kind == "deadline_fired").count() == fired
    assert office.letters(case) == letters
    assert office.deadlines(case)["esw_chase"] == ("2026-03-02", "fired")
    assert Deadline.select().where(Deadline.state == "open").count() == 2  # escalation, TAC


def test_the_warning_is_one_line_however_many_passes_run_behind(office, caplog):
    guard = LastPass(office.clock)
    assert guard.check(office.clock.now())
    caplog.set_level(logging.WARNING)
    assert not guard.check(datetime(2026, 2, 8, 9, 0, tzinfo=office.clock.now().tzinfo))
    assert not guard.check(datetime(2026, 2, 8, 9, 5, tzinfo=office.clock.now().tzinfo))
    assert len([r for r in caplog.records if "earlier than" in r.getMessage()]) == 1
    # The last pass only moves forward: a new process still sees it.
    assert not LastPass(office.clock).check(datetime(2026, 2, 8, 9, 10,
                                                     tzinfo=office.clock.now().tzinfo))
