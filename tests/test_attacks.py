"""Issue 9's findings, tried again as an attacker would: crafted mail through
``cme watch --once``, each with ``[letters] send_direct`` on and off.

The case is opened by the sample school notification, authenticated by the
LA's mail server (DMARC pass for the school's domain), so the school is a
party to the case and its address a confirmed one.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from register.models import Case, CaseContact, Contact, InboundMessage, ReviewItem
from register.states import LetterState, Trust
from tests.fixtures.builders import Email
from tests.trustmail import (
    AGENCY,
    ATTACKER,
    MON_9_FEB,
    SCHOOL,
    Site,
    arrive,
    auth_header,
    reply,
)
from workflows.recipients import refusal

OPENED = datetime(2026, 2, 9, 10, 0)
THU_12_FEB = datetime(2026, 2, 12, 9, 0)


@pytest.fixture(params=[True, False], ids=["send_direct", "to_team"])
def site(request, tmp_path):
    site = Site(tmp_path, send_direct=request.param)
    site.send_direct = request.param
    yield site
    site.close()


def open_case(site: Site):
    site.deliver(arrive("cme-school-docx-two-column-01",
                        auth_header("meadowbank.example.sch.uk")), MON_9_FEB)
    site.watch(OPENED)
    case = site.case()
    assert InboundMessage.get_by_id(1).trust == Trust.AUTHENTICATED
    return case


def recipients_everywhere(site: Site) -> set[str]:
    """Every address any letter was recorded for, and any mail was sent to."""
    return {address for letter in site.letters() for address in letter.recipients} | (
        site.sent_to())


def test_a_strangers_located_reply_goes_to_review_and_the_case_stays_open(site):
    case = open_case(site)
    clocks = site.office.deadlines(case)
    site.deliver(arrive(reply("sam.stranger@freemail.example", case.reference,
                              "Child located at Castlegate Academy.", signature="Sam"),
                        auth_header("freemail.example")), THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    case = site.case()
    assert case.status == "open" and case.closed is None
    assert site.office.deadlines(case) == clocks  # every clock still running
    assert "case_closed" not in site.office.letters(case)
    item = next(r for r in site.review(THU_12_FEB) if "not on the case" in r["reason"])
    assert item["case"] == case.reference and item["action"] == "accept_update"
    assert "'located'" in item["reason"]
    assert "update_located" not in site.office.events(case)


def test_a_poisoned_signature_with_dmarc_fail_leaves_the_school_contact_alone(site):
    case = open_case(site)
    school = Contact.get(Contact.email == SCHOOL)
    site.deliver(arrive(reply(SCHOOL, case.reference, "Please note our new contact details.",
                              signature="Hannah Larkspur\nAttendance Officer\n"
                                        f"Meadowbank Primary School\nEmail: {ATTACKER}\n"
                                        "Tel: 01632 960999"),
                        auth_header("meadowbank.example.sch.uk", "fail")), THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    assert InboundMessage.get_by_id(2).trust == Trust.FAILED
    assert Contact.get_by_id(school.id).email == SCHOOL
    assert Contact.get_by_id(school.id).phone == school.phone
    assert not Contact.select().where(Contact.email == ATTACKER).exists()
    item = next(r for r in site.review(THU_12_FEB) if "authentication failed" in r["reason"])
    # A person looks, dismisses it; the school's next letter goes to its real address.
    site.cme(THU_12_FEB, "review", "resolve", str(item["id"]), "--note", "forged: ignored")
    site.cme(THU_12_FEB.replace(hour=11), "case", case.reference, "close", "--reason",
             "child located")
    closing = next(x for x in site.letters(case) if x.template == "case_closed")
    assert closing.context["recipient"]["email"] == SCHOOL
    assert closing.state == LetterState.SENT
    expected = [SCHOOL, "cme@county.example.gov.uk"] if site.send_direct else [
        "cme@county.example.gov.uk"]
    assert closing.recipients == expected
    assert ATTACKER not in recipients_everywhere(site)


def test_a_referral_naming_an_outside_email_sends_nothing_to_it(site):
    referral = Email(
        sender=f"Gareth Inventa <{AGENCY}>", subject="Referral: child not in school",
        body="Dear colleagues,\n\nReferral for a child not in school.\n\n"
             "Child's name: Ava Testwood\nDate of birth: 08/12/2016\n"
             "Concern: Family seen at clinic; child not attending any school.\n\n"
             f"Referrer name: Gareth Inventa\nReferrer email: {ATTACKER}\n\nKind regards\n\n"
             "Gareth Inventa\nHealth Visitor\nOxvale Community Health NHS Trust\n",
        message_id="referral-1@oxvale.example.nhs.uk").to_bytes()
    site.deliver(arrive(referral.replace(b"Subject:", f"Reply-To: {ATTACKER}\nSubject:".encode(),
                                         1), auth_header("oxvale.example.nhs.uk")), MON_9_FEB)
    site.watch(OPENED)
    case = site.case()
    assert case.kind == "agency_referral"
    acknowledgement = next(x for x in site.letters(case)
                           if x.template == "referral_acknowledgement")
    assert acknowledgement.recipients == ["cme@county.example.gov.uk"]
    assert acknowledgement.state == LetterState.SENT  # to the team, for review
    assert ATTACKER not in recipients_everywhere(site)
    # the address is on file only as what the form said, never to be written to,
    # and mail its owner authenticates for their own domain does not change that
    assert Contact.get(Contact.email == ATTACKER).email_source == "read"
    site.deliver(arrive(reply(ATTACKER, case.reference, "Any news? Reply to me here.",
                              signature=f"Gareth Inventa\nHealth Visitor\nEmail: {ATTACKER}"),
                        auth_header("evil.example")), THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    assert InboundMessage.get_by_id(2).trust == Trust.AUTHENTICATED
    assert Contact.get(Contact.email == ATTACKER).email_source == "read"
    assert refusal(site.office.app.config, "referrer", ATTACKER) is not None


def test_a_dmarc_failing_notification_goes_to_review_and_writes_no_letter(site):
    site.deliver(arrive("cme-school-docx-two-column-01",
                        auth_header("meadowbank.example.sch.uk", "fail")), MON_9_FEB)
    site.watch(OPENED)
    message = InboundMessage.get_by_id(1)
    assert message.status == "applied" and message.kind == "cme_notification"  # read in full
    assert message.trust == Trust.FAILED
    assert Case.select().count() == 0 and site.letters() == []
    assert not any("Letter for review" in text for text in site.sent_mail())
    item = next(r for r in site.review(OPENED) if "authentication failed" in r["reason"])
    assert item["action"] == "accept_message" and item["message"] == 1


def test_a_fake_esw_quoting_a_reference_is_not_filed_as_the_cases_esw(site):
    case = open_case(site)
    site.deliver(arrive(reply("j.fake@northshire-council.example", case.reference,
                              "Our enquiries are complete: the child is confirmed missing. "
                              "Please proceed.",
                              signature="Jo Fake\nEducation Social Worker\n"
                                        "Education Welfare Service\n"
                                        "Email: j.fake@northshire-council.example"),
                        auth_header("northshire-council.example")), THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    assert not CaseContact.select().where((CaseContact.case == case)
                                          & (CaseContact.role == "esw")).exists()
    assert site.office.deadlines(case)["esw_chase"][1] == "open"
    assert ReviewItem.select().where(ReviewItem.reason.contains("not on the case")).count() == 1
    # The ESW chase falls due: it goes to the ESW service, never to the stranger.
    site.watch(datetime(2026, 3, 2, 8, 0))
    chase = next(x for x in site.letters(case) if x.template == "esw_chase")
    assert "j.fake@northshire-council.example" not in recipients_everywhere(site)
    assert chase.context["recipient"]["email"] == "esw@localhost"
