"""Each DOMAIN.md process end to end: fixture emails through ``cme watch --once``
passes at fixed moments, read back from the register and the rendered letters."""

from __future__ import annotations

from datetime import datetime

import pytest

from register.db import db
from register.models import Case, Child, Event, Letter, ReviewItem
from tests.fixtures.builders import Email
from tests.office import Office, update_email
from workflows.references import Shape, shape

MON_9_FEB = datetime(2026, 2, 9, 9, 30)
# The LA's own domain: the ESW's replies in update_email come from it, as the team's;
# the sample schools and clinics are trusted, so their letters are not held
# (an unknown sender's are: tests/test_trust.py).
TEAM = ('[team]\nemail = "cme@county.example.gov.uk"\n\n'
        '[senders]\ntrusted_domains = ["example.sch.uk", "example.nhs.uk"]\n')


@pytest.fixture
def office(tmp_path):
    office = Office(tmp_path, TEAM)
    yield office
    office.close()


def test_cme_notification_opens_a_case_with_its_clocks_and_letters(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    report = office.run(datetime(2026, 2, 9, 10, 0))
    assert report.taken == 1 and not report.errors
    case = office.case()
    assert case.reference.startswith("CME-2026-") and shape(case.reference) is Shape.CHECKED
    assert case.kind == "cme_notification"
    assert case.opened.isoformat() == "2026-02-09"
    assert office.deadlines(case) == {
        # 10 school days after Monday 9 Feb, half term 16-20 Feb skipped (DOMAIN.md)
        "esw_chase": ("2026-03-02", "open"),
        "esw_escalation": ("2026-03-16", "open"),
        "tac_escalation": ("2026-04-27", "open"),  # Easter holiday and bank holidays skipped
        # from the date last attended, Friday 23 January
        "absence_day_15": ("2026-02-13", "open"),
        "absence_day_20": ("2026-02-27", "open"),
    }
    assert office.letters(case) == ["acknowledgement_school", "esw_enquiry_request"]
    text = office.letter_text(case, "esw_enquiry_request")
    assert "Milo Thistlewood" in text and case.reference in text
    assert "case_opened" in office.events(case)


def test_the_esw_chase_fires_when_nothing_arrives(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.run(datetime(2026, 3, 1, 23, 59))  # the day before: nothing yet
    case = office.case()
    assert office.deadlines(case)["esw_chase"] == ("2026-03-02", "open")
    office.run(datetime(2026, 3, 2, 8, 0))
    assert office.deadlines(case)["esw_chase"] == ("2026-03-02", "fired")
    assert office.letters(case)[-1] == "esw_chase"
    assert case.reference in office.letter_text(case, "esw_chase")


def test_the_esw_outcome_stops_the_chase(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.deliver(update_email(office.case().reference, "Our enquiries are complete: the child "
                                "is confirmed missing. Please proceed."), datetime(2026, 2, 20, 9))
    office.run(datetime(2026, 2, 20, 9, 5))
    office.run(datetime(2026, 3, 3, 8, 0))
    case = office.case()
    assert office.deadlines(case)["esw_chase"][1] == "met"
    assert office.deadlines(case)["esw_escalation"][1] == "met"
    assert "esw_chase" not in office.letters(case)
    assert "update_confirmed_missing" in office.events(case)


def test_cp_plan_child_uses_the_short_chase_and_tells_the_keyworker_at_once(office):
    office.deliver("cme-school-docx-tick-columns-01", MON_9_FEB)  # subject to a CP plan
    office.run(datetime(2026, 2, 9, 10, 0))
    case = office.case()
    assert office.deadlines(case)["esw_chase"] == ("2026-02-11", "open")  # 2 school days
    assert "keyworker_notification" in office.letters(case)
    office.run(datetime(2026, 2, 11, 7, 0))
    assert office.letters(case)[-1] == "esw_chase"


def test_absence_alerts_are_reminders_to_the_team(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.run(datetime(2026, 2, 27, 6, 0))
    case = office.case()
    reminders = [e.detail["purpose"] for e in case.events if e.kind == "reminder"]
    assert reminders == ["absence_day_15", "absence_day_20"]
    assert Letter.select().where(Letter.template.contains("absence")).count() == 0


def test_removal_from_roll_before_esw_advice_is_flagged(office):
    office.deliver("cme-school-ctf-lost-pupil-01", MON_9_FEB)  # came off roll 6 February
    office.run(datetime(2026, 2, 9, 10, 0))
    case = office.case()
    assert "removed_before_esw_advice" in office.events(case)
    assert ReviewItem.select().where(ReviewItem.reason.contains("before the ESW")).count() == 1


def test_ehe_notification_in_time(office):
    office.deliver("ehe-school-docx-two-column-01", MON_9_FEB)  # removed 6 February
    office.run(datetime(2026, 2, 9, 10, 0))
    case = office.case()
    assert case.kind == "ehe_notification"
    assert office.letters(case) == ["ehe_acknowledgement_parent", "file_transfer_request"]
    assert office.deadlines(case) == {"file_transfer_chase": ("2026-03-02", "open")}
    office.run(datetime(2026, 3, 2, 7, 0))
    assert office.letters(case)[-1] == "file_transfer_chase"


def test_late_ehe_notification_gets_the_reminder_letter(office):
    # Removed 6 Feb: 10 school days later is Friday 27 February (half term skipped).
    office.deliver("ehe-school-docx-two-column-01", datetime(2026, 3, 2, 9, 0))
    office.run(datetime(2026, 3, 2, 9, 30))
    case = office.case()
    assert "ehe_notified_late" in office.events(case)
    assert "ehe_late_notification" in office.letters(case)


def test_file_transferred_stops_the_file_chase(office):
    office.deliver("ehe-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.deliver(update_email(office.case().reference, "The pupil file has been transferred "
                                "to the Service Manager today."), datetime(2026, 2, 24, 9))
    office.run(datetime(2026, 3, 3, 9, 0))
    assert office.deadlines(office.case())["file_transfer_chase"][1] == "met"


def test_agency_referral_assessment_and_allocation(office):
    office.deliver("agency-health-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    case = office.case()
    assert case.kind == "agency_referral"
    assert office.letters(case) == ["referral_acknowledgement"]
    assert office.deadlines(case)["referral_assessment"] == ("2026-02-23", "open")
    assert office.deadlines(case)["lead_professional_allocation"] == ("2026-03-02", "open")
    office.run(datetime(2026, 2, 23, 8, 0))
    assert office.deadlines(case)["referral_assessment"][1] == "fired"
    assert office.letters(case) == ["referral_acknowledgement"]  # a reminder, not a letter
    with db.atomic():
        office.app.workflow.allocate(case, "Sam Example", "sam.example@partner.example.gov.uk",
                                     datetime(2026, 2, 24, 10, 0, tzinfo=office.clock.at.tzinfo))
    office.send()
    assert office.deadlines(case)["lead_professional_allocation"][1] == "met"
    assert "Sam Example" in office.letter_text(case, "lead_professional_allocation")


def test_new_pupil_with_no_information(office):
    office.deliver("newpupil-school-docx-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    case = office.case()
    assert case.kind == "new_pupil_no_info"
    assert office.letters(case) == ["previous_school_request"]
    office.run(datetime(2026, 3, 2, 7, 0))
    assert office.letters(case)[-1] == "previous_school_chase"


def test_tac_escalation_after_40_school_days(office):
    office.deliver("agency-health-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.run(datetime(2026, 4, 27, 7, 0))
    reminders = [e.detail["purpose"] for e in office.case().events if e.kind == "reminder"]
    assert "tac_escalation" in reminders


def test_child_located_closes_the_case(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.deliver(update_email(office.case().reference, "Good news: the child was located "
                                "at Brookhurst Primary School, Wenlow."), datetime(2026, 2, 12, 9))
    office.run(datetime(2026, 2, 12, 9, 30))
    case = Case.get()
    assert case.status == "closed" and case.closed.isoformat() == "2026-02-12"
    assert office.open_deadlines() == 0
    assert office.letters(case)[-1] == "case_closed"
    assert "Milo Thistlewood" in office.letter_text(case, "case_closed")


def test_an_update_quoting_no_known_case_goes_to_review(office):
    office.deliver(update_email("CME-2026-00999", "Child located."), MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    assert ReviewItem.select().where(ReviewItem.reason.contains("quotes no case")).count() == 1


def test_deadlines_due_while_down_fire_once_after_restart(office, tmp_path):
    office.deliver("cme-school-docx-tick-columns-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.close()
    # The daemon was down for five weeks; a new process starts.
    again = Office(tmp_path, TEAM)
    again.run(datetime(2026, 3, 17, 9, 0))
    again.run(datetime(2026, 3, 17, 9, 1))  # a second wake-up fires nothing more
    case = again.case()
    fired = [e.detail["purpose"] for e in case.events if e.kind == "deadline_fired"]
    assert sorted(fired) == sorted(["absence_day_15", "absence_day_20", "esw_chase",
                                    "esw_escalation"])
    assert office.letters(case).count("esw_chase") == 1
    again.close()


def test_same_child_from_school_and_agency_is_one_child_with_linked_cases(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    agency_mail = Email(
        sender="nurse@clinic.example.nhs.uk", subject="Referral: child not in school",
        body="Dear colleagues,\n\nReferral for a child not in school.\n\n"
             "Child's name: Milo Thistlewood\nDate of birth: 08/12/2016\n"
             "Concern: Family seen at clinic; child not attending any school.\n\n"
             "Kind regards\n\nPat Example\nHealth Visitor\nExample Community Health NHS Trust\n",
        message_id="agency-1@clinic.example.nhs.uk").to_bytes()
    office.deliver(agency_mail, datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))
    assert Child.select().count() == 1
    first, second = Case.select().order_by(Case.id)
    assert second.kind == "agency_referral" and second.child_id == first.child_id
    opened = next(e for e in second.events if e.kind == "case_opened")
    assert opened.detail["linked_cases"] == [first.reference]


def test_a_near_miss_name_is_a_review_item_not_a_merge(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.deliver(Email(
        sender="nurse@clinic.example.nhs.uk", subject="Referral: child not in school",
        body="Referral.\n\nChild's name: Milo Thistlewoode\nDate of birth: 08/12/2016\n"
             "Concern: child not attending school.\n\nKind regards\n\nPat Example\n"
             "Health Visitor\nExample Community Health NHS Trust\n",
        message_id="agency-2@clinic.example.nhs.uk").to_bytes(), datetime(2026, 2, 10, 9))
    office.run(datetime(2026, 2, 10, 10, 0))
    assert Child.select().count() == 2
    item = ReviewItem.get(ReviewItem.reason.contains("possible match"))
    assert item.detail["cases"] == [Case.select().order_by(Case.id).first().reference]


def test_replayed_message_changes_nothing(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    events = Event.select().count()
    message = office.case().source
    office.app.workflow(message)  # applying the same message again
    assert Event.select().count() == events


def test_an_update_about_another_child_does_not_touch_the_case(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    office.deliver(update_email(office.case().reference, "Re: Ava Otherchild. The child was "
                                "located at Brookhurst Primary School."), datetime(2026, 2, 12, 9))
    office.run(datetime(2026, 2, 12, 9, 30))
    assert Case.get().status == "open"
    assert ReviewItem.select().where(ReviewItem.reason.contains("another child")).count() == 1
