"""Trust levels for senders (issue 9): Authentication-Results read as RFC 8601 and
DMARC say, the levels on the ledger, and what each level may do to the register."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from cme.config import ConfigError, config_from_mapping
from cme.config_text import config_text
from register.models import Case, Contact, InboundMessage, Letter
from register.states import EmailSource, LetterState, Trust
from tests.fixtures.builders import Email
from tests.trustmail import AUTHSERV, MON_9_FEB, SCHOOL, Site, arrive, auth_header, reply
from watcher.authresults import organisational_domain, parse_header, verdict
from watcher.senders import SenderPolicy, level

FROM = "meadowbank.example.sch.uk"
OPENED = datetime(2026, 2, 9, 10, 0)
THU_12_FEB = datetime(2026, 2, 12, 9, 0)


# -- Authentication-Results --------------------------------------------------------------

GMAIL_STYLE = ("mx.county.example.gov.uk;\n dkim=pass header.i=@meadowbank.example.sch.uk "
               "header.s=sel1 header.b=abc123;\n spf=pass (domain of h.larkspur@meadowbank."
               "example.sch.uk designates 192.0.2.7 as permitted sender) smtp.mailfrom="
               "h.larkspur@meadowbank.example.sch.uk;\n dmarc=pass (p=REJECT sp=REJECT "
               "dis=NONE) header.from=meadowbank.example.sch.uk")
EXCHANGE_STYLE = ("spf=pass (sender IP is 192.0.2.9) smtp.mailfrom=meadowbank.example.sch.uk; "
                  "dkim=pass (signature was verified) header.d=meadowbank.example.sch.uk;"
                  "dmarc=pass action=none header.from=meadowbank.example.sch.uk;"
                  "compauth=pass reason=100")


def test_a_header_is_read_with_its_comments_and_properties():
    header = parse_header(GMAIL_STYLE)
    assert header.authserv_id == AUTHSERV
    assert [(r.method, r.result) for r in header.results] == [
        ("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")]
    assert header.results[0].properties["header.i"] == "@meadowbank.example.sch.uk"
    assert header.results[1].properties["smtp.mailfrom"] == SCHOOL
    assert parse_header('mx.example; none').results == ()
    quoted = parse_header('"mx.example" 1; dkim=fail reason="bad; sig" header.d=x.example')
    assert quoted.authserv_id == "mx.example"
    assert quoted.results[0].properties == {"reason": "bad; sig", "header.d": "x.example"}


def test_exchange_online_headers_have_no_authserv_id():
    header = parse_header(EXCHANGE_STYLE)
    assert header.authserv_id is None
    assert [r.method for r in header.results] == ["spf", "dkim", "dmarc", "compauth"]
    assert verdict([EXCHANGE_STYLE], FROM).result == "pass"
    assert verdict([EXCHANGE_STYLE], FROM, AUTHSERV).result == "none"  # not the LA's id


def test_only_the_top_most_header_counts_without_an_authserv_id():
    forged = "mx.county.example.gov.uk; dmarc=pass header.from=meadowbank.example.sch.uk"
    ours = "mx.county.example.gov.uk; dmarc=fail header.from=meadowbank.example.sch.uk"
    assert verdict([ours, forged], FROM).result == "fail"
    assert verdict(["mx.other.example; dmarc=none", forged], FROM).result == "none"


def test_with_an_authserv_id_only_its_headers_count_and_a_failure_outranks_a_pass():
    relay = "relay.partner.example; dmarc=pass header.from=meadowbank.example.sch.uk"
    forged_below = f"{AUTHSERV}; dmarc=pass header.from=meadowbank.example.sch.uk"
    ours = f"{AUTHSERV.upper()}; dmarc=fail header.from=meadowbank.example.sch.uk"
    assert verdict([relay], FROM, AUTHSERV).result == "none"
    assert verdict([relay, ours], FROM, AUTHSERV).result == "fail"
    assert verdict([ours, forged_below], FROM, AUTHSERV).result == "fail"
    found = verdict([relay, forged_below], FROM, AUTHSERV)
    assert (found.result, found.method, found.authserv_id) == ("pass", "dmarc", AUTHSERV)


def test_spf_and_dkim_count_only_when_aligned_with_the_from_domain():
    def says(results: str) -> str:
        return verdict([f"{AUTHSERV}; {results}"], FROM, AUTHSERV).result

    assert says("dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=evil.example") == "none"
    assert says("dkim=pass header.d=meadowbank.example.sch.uk") == "pass"
    assert says("spf=pass smtp.mailfrom=bounce@meadowbank.example.sch.uk") == "pass"
    assert says("dkim=fail header.d=meadowbank.example.sch.uk") == "fail"
    assert says("dkim=fail header.d=meadowbank.example.sch.uk; "
                "spf=pass smtp.mailfrom=meadowbank.example.sch.uk") == "pass"  # as DMARC
    assert says("spf=softfail smtp.mailfrom=meadowbank.example.sch.uk") == "none"
    assert says("dmarc=pass header.from=other.example.sch.uk") == "none"  # another domain
    assert says("dmarc=fail header.from=meadowbank.example.sch.uk; "
                "dkim=pass header.d=meadowbank.example.sch.uk") == "fail"  # DMARC decides


def test_relaxed_alignment_is_the_same_organisational_domain():
    county = "county.example.gov.uk"
    assert organisational_domain("mail.county.example.gov.uk") == "example.gov.uk"
    for signer in ("mail.county.example.gov.uk", "example.gov.uk", "county.example.gov.uk"):
        assert verdict([f"{AUTHSERV}; dkim=pass header.d={signer}"], county).result == "pass"
    # sch.uk's subdomains are public suffixes: two schools are never one organisation
    assert verdict([f"{AUTHSERV}; dkim=pass header.d=kelmsford.example.sch.uk"],
                   FROM).result == "none"
    assert verdict([f"{AUTHSERV}; dkim=pass header.d=mail.meadowbank.example.sch.uk"],
                   FROM).result == "pass"
    assert verdict([f"{AUTHSERV}; spf=pass smtp.mailfrom=evilexample.gov.uk"],
                   county).result == "none"


# -- levels and settings -------------------------------------------------------------------

def test_levels_from_the_verdict_the_directory_and_the_trusted_domains():
    policy = SenderPolicy(trusted_domains=("example.sch.uk",), own_domain="county.example.gov.uk")
    passed, failed, none = (verdict([f"x; dmarc={r} header.from=a.example"], "a.example")
                            for r in ("pass", "fail", "none"))
    assert level(passed, "x@a.example", "a.example", policy, set()) == Trust.AUTHENTICATED
    assert level(failed, SCHOOL, FROM, policy, {SCHOOL}) == Trust.FAILED
    assert level(none, SCHOOL, FROM, policy, set()) == Trust.KNOWN  # a subdomain
    assert level(none, "x@badexample.sch.uk", "badexample.sch.uk", policy, set()) == \
        Trust.UNKNOWN
    assert level(none, "esw@county.example.gov.uk", "county.example.gov.uk", policy,
                 set()) == Trust.KNOWN  # the LA's own domain, always
    assert level(none, "a@b.example", "b.example", policy, {"a@b.example"}) == Trust.KNOWN


def test_senders_settings_are_read_checked_and_written_by_init(tmp_path):
    path = tmp_path / "config.toml"
    config = config_from_mapping({"senders": {"authserv_id": AUTHSERV,
                                              "trusted_domains": ["example.sch.uk"]},
                                  "team": {"email": "cme@county.example.gov.uk"}}, path)
    assert config.senders.trusted_domains == ("example.sch.uk",)
    policy = SenderPolicy.from_config(config)
    assert policy.own_domain == "county.example.gov.uk" and policy.is_trusted(FROM)
    for wrong in ("example.sch.uk", ["example.sch.uk", 3]):
        with pytest.raises(ConfigError) as raised:
            config_from_mapping({"senders": {"trusted_domains": wrong}}, path)
        assert raised.value.key == "senders.trusted_domains"
    with pytest.raises(ConfigError, match="not a domain name"):
        config_from_mapping({"senders": {"trusted_domains": ["https://x.example"]}}, path)
    text = config_text()
    assert '# authserv_id = ""' in text and "# trusted_domains = []" in text


# -- what each level may do ----------------------------------------------------------------

@pytest.fixture
def site(tmp_path: Path):
    site = Site(tmp_path, send_direct=True)
    yield site
    site.close()


def test_intake_show_gives_each_level_and_the_senders_domain(site):
    site.deliver(arrive("cme-school-docx-two-column-01", auth_header(FROM)), MON_9_FEB)
    site.deliver(arrive(reply("someone@freemail.example", "CME-2026-00001", "Hello.", 2)),
                 MON_9_FEB)
    site.deliver(arrive(reply("x@kelmsford.example.sch.uk", "CME-2026-00001", "Hello.", 3)),
                 MON_9_FEB)
    site.deliver(arrive(reply("y@kelmsford.example.sch.uk", "CME-2026-00001", "Hi.", 4),
                        auth_header("kelmsford.example.sch.uk", "fail")), MON_9_FEB)
    site.watch(OPENED)
    shown = [site.intake(n) for n in range(1, 5)]
    assert [(s["trust"], s["sender_domain"]) for s in shown] == [
        ("authenticated", FROM), ("unknown", "freemail.example"),
        ("known", "kelmsford.example.sch.uk"), ("failed", "kelmsford.example.sch.uk")]
    assert shown[0]["authentication"] == {"result": "pass", "method": "dmarc",
                                          "authserv_id": AUTHSERV}
    text = site.cme(OPENED, "intake", "show", "1").stdout
    assert "trust: authenticated" in text and "authentication: pass (dmarc)" in text


def test_an_unknown_senders_case_opens_with_its_letters_held_until_confirmed(tmp_path):
    site = Site(tmp_path, send_direct=True, trusted=())  # the school is unknown
    site.deliver(arrive("cme-school-docx-two-column-01"), MON_9_FEB)
    site.watch(OPENED)
    case = site.case()
    assert case.status == "open" and site.office.deadlines(case)["esw_chase"][1] == "open"
    assert {x.state for x in site.letters(case)} == {LetterState.HELD}
    assert not any("Letter for review" in text for text in site.sent_mail())
    item = next(r for r in site.review(OPENED) if r["action"] == "confirm_sender")
    done = site.cme(OPENED, "review", "resolve", str(item["id"]), "--confirm-sender")
    assert "2 held letters released" in done.stdout
    letters = site.letters(case)
    assert {x.state for x in letters} == {LetterState.SENT}
    acknowledgement = next(x for x in letters if x.template == "acknowledgement_school")
    assert acknowledgement.recipients == [SCHOOL, "cme@county.example.gov.uk"]
    assert Contact.get(Contact.email == SCHOOL).email_source == EmailSource.PERSON
    site.close()


def test_a_person_accepts_a_strangers_update_and_its_clocks_stop_on_its_arrival_day(site):
    site.deliver(arrive("cme-school-docx-two-column-01", auth_header(FROM)), MON_9_FEB)
    site.watch(OPENED)
    case = site.case()
    site.deliver(reply("sam@freemail.example", case.reference, "Child located at Castlegate "
                       "Academy."), THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    item = next(r for r in site.review(THU_12_FEB) if r["action"] == "accept_update")
    assert site.case().status == "open"
    site.cme(datetime(2026, 2, 16, 9, 0), "review", "resolve", str(item["id"]), "--accept",
             "--note", "phoned the academy: confirmed")
    case = site.case()
    assert case.status == "closed" and case.closed.isoformat() == "2026-02-12"
    states = site.office.deadlines(case)
    assert states["esw_chase"][1] == "met" and states["tac_escalation"][1] == "cancelled"
    assert "case_closed" in site.office.letters(case)
    accepted = site.cme(THU_12_FEB, "review", "resolve", str(item["id"]), "--accept", ok=False)
    assert accepted.returncode == 1 and "already resolved" in accepted.stderr


def test_a_reference_with_a_wrong_check_character_goes_to_review(site):
    site.deliver(arrive("cme-school-docx-two-column-01", auth_header(FROM)), MON_9_FEB)
    site.watch(OPENED)
    case = site.case()
    last = case.reference[-1]
    mistyped = case.reference[:-1] + ("A" if last != "A" else "B")
    site.deliver(arrive(reply(SCHOOL, mistyped, "The child was located at Castlegate "
                              "Academy."), auth_header(FROM)), THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    assert site.case().status == "open"
    assert any("check character" in r["reason"] for r in site.review(THU_12_FEB))


def test_an_earlier_reference_still_takes_its_update(site):
    site.deliver(arrive("cme-school-docx-two-column-01", auth_header(FROM)), MON_9_FEB)
    site.watch(OPENED)
    Case.update(reference="CME-2025-00042").execute()  # a case from before check characters
    site.deliver(arrive(reply(SCHOOL, "CME-2025-00042", "The child was located at Castlegate "
                              "Academy."), auth_header(FROM)), THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    assert Case.get(Case.reference == "CME-2025-00042").status == "closed"


def test_a_school_cannot_change_its_contact_details_by_mail_alone(site):
    site.deliver(arrive("cme-school-docx-two-column-01", auth_header(FROM)), MON_9_FEB)
    site.watch(OPENED)
    case = site.case()
    site.deliver(arrive(reply(SCHOOL, case.reference, "Please note my new details.",
                              signature="Hannah Larkspur\nAttendance Officer\nMeadowbank "
                                        "Primary School\nEmail: h.larkspur@new.example.org.uk"),
                        auth_header(FROM)), THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    writer = Contact.get(Contact.name == "Hannah Larkspur")
    assert writer.email == SCHOOL
    item = next(r for r in site.review(THU_12_FEB) if r["action"] == "update_contact")
    site.cme(THU_12_FEB, "review", "resolve", str(item["id"]), "--accept")
    writer = Contact.get_by_id(writer.id)
    assert writer.email == "h.larkspur@new.example.org.uk"
    assert writer.email_source == EmailSource.PERSON


def test_a_dmarc_failing_notification_opens_its_case_once_a_person_accepts_it(site):
    site.deliver(arrive("cme-school-docx-two-column-01", auth_header(FROM, "fail")), MON_9_FEB)
    site.watch(OPENED)
    assert Case.select().count() == 0
    item = next(r for r in site.review(OPENED) if r["action"] == "accept_message")
    site.cme(OPENED, "review", "resolve", str(item["id"]), "--accept", "--note", "phoned")
    case = site.case()
    assert case.opened.isoformat() == "2026-02-09"
    assert site.office.deadlines(case)["esw_chase"] == ("2026-03-02", "open")
    assert Letter.select().where(Letter.case == case).count() == 2
    # the person checked with the school: its address is confirmed, its letter goes to it
    acknowledgement = Letter.get(Letter.template == "acknowledgement_school")
    assert acknowledgement.recipients == [SCHOOL, "cme@county.example.gov.uk"]
    assert acknowledgement.state == LetterState.SENT


def test_a_parents_letter_from_an_unknown_domain_is_taken_not_refused(site):
    site.deliver(arrive("ehe-parent-letter-body-01"), MON_9_FEB)
    site.watch(OPENED)
    message = InboundMessage.get_by_id(1)
    assert message.trust == Trust.UNKNOWN and message.kind == "ehe_notification"
    case = site.case()
    assert case.kind == "ehe_notification" and case.status == "open"
    assert {x.state for x in site.letters(case)} == {LetterState.HELD}


def test_an_unknown_senders_news_about_an_open_case_waits_for_the_confirmation(tmp_path):
    site = Site(tmp_path, send_direct=True, trusted=())
    site.deliver(arrive("cme-school-docx-two-column-01", auth_header(FROM)), MON_9_FEB)
    site.watch(OPENED)
    site.deliver(Email(
        sender="Pat Office <office@kelmsford.example.sch.uk>", subject="CME notification",
        body="Dear CME Team,\n\nWe are notifying you of a child missing education.\n\n"
             "Child's name: Milo Thistlewood\nDate of birth: 08/12/2016\n"
             "Home address: 1 Fake Street, Wenlow\nDate last attended: 23/01/2026\n"
             "Reason: Not seen since January.\n\nKind regards\n\nPat Office\nSchool Office\n"
             "Kelmsford Primary School\n", message_id="k1@kelmsford.example.sch.uk").to_bytes(),
        THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    case = site.case()
    assert Case.select().count() == 1 and case.details["child_address"] != "1 Fake Street, Wenlow"
    assert [a.address for a in case.child.addresses] == ["29 Kestrel Drive, Ashcombe"]
    item = next(r for r in site.review(THU_12_FEB) if r["action"] == "confirm_sender")
    assert item["case"] == case.reference
    site.cme(THU_12_FEB, "review", "resolve", str(item["id"]), "--confirm-sender")
    case = site.case()
    assert case.details["child_address"] == "1 Fake Street, Wenlow"
    site.close()


def test_an_address_from_its_owners_mail_is_settled_by_their_authenticated_mail(site):
    site.deliver(arrive("cme-school-docx-two-column-01"), MON_9_FEB)  # a trusted domain
    site.watch(OPENED)
    assert InboundMessage.get_by_id(1).trust == Trust.KNOWN
    assert Contact.get(Contact.email == SCHOOL).email_source == EmailSource.SENDER
    site.deliver(arrive(reply(SCHOOL, site.case().reference, "Thank you for the update."),
                        auth_header(FROM)), THU_12_FEB)
    site.watch(THU_12_FEB.replace(hour=10))
    assert Contact.get(Contact.email == SCHOOL).email_source == EmailSource.AUTHENTICATED
