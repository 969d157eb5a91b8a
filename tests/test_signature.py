"""The signature reader on each shape of sign-off block (invented texts only)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from cme.resources import SHIPPED_TEMPLATES
from parsers.readers.email import read_eml
from parsers.readers.text import read_lines
from parsers.signature import Signature, find_signature
from parsers.signature_words import load_signature_vocabulary
from parsers.templates import TemplateError

BODY = "Zed has not been in school since Monday and we cannot reach the family.\n\n"
BLOCK = "Jo Bloggs\nAttendance Officer\nBrook Lane Primary School\nTel: 01632 960 123\n"


def read(text: str) -> Signature:
    found = find_signature(text)
    assert found is not None, text
    return found


@pytest.mark.parametrize("sign_off", [
    "Kind regards", "Best wishes", "Many thanks", "Thanks,", "Cheers", "Regards",
    "Yours sincerely", "With best wishes", "Viele Grüße / Kind regards", "Cofion / Regards",
])
def test_each_sign_off(sign_off: str) -> None:
    found = read(f"{BODY}{sign_off}\n\n{BLOCK}")
    assert (found.name, found.role, found.organisation, found.phone) == (
        "Jo Bloggs", "Attendance Officer", "Brook Lane Primary School", "01632 960 123")
    assert found.sign_off == sign_off.rstrip(",") and not found.partial_name


def test_no_sign_off_a_name_above_contact_lines() -> None:
    found = read(f"{BODY}Please call me if you need more.\n\n{BLOCK}")
    assert found.name == "Jo Bloggs" and found.sign_off is None
    assert found.first_line == 4 and found.end_line == 8  # where the block sat


@pytest.mark.parametrize("below", [
    "Sent from my iPhone",
    "Get Outlook for iOS",
    "CONFIDENTIALITY: this email is intended only for the person it is addressed to. If you "
    "have received it in error please delete it.",
    "*****\nThis e-mail and any attachments may be confidential.\n*****",
    "OFFICIAL-SENSITIVE\nThis message may contain sensitive information.",
    "‘Learning together’",
])
def test_what_mail_programs_add_below_is_cut(below: str) -> None:
    found = read(f"{BODY}Kind regards\n\n{BLOCK}\n{below}\n")
    assert found.phone == "01632 960 123" and found.organisation == "Brook Lane Primary School"
    assert found.end_line <= 10


def test_a_server_signature_below_sent_from_my_iphone() -> None:
    found = read(f"{BODY}Jo\n\nSent from my iPhone\n\n{BLOCK}")
    assert found.name == "Jo Bloggs" and found.role == "Attendance Officer"


@pytest.mark.parametrize("line", [
    "Jo Bloggs | Attendance Officer | Brook Lane Primary | 01632 960123 | jo@example.org",
    "Jo Bloggs • Attendance Officer • Brook Lane Primary • 01632 960123 • jo@example.org",
    "Jo Bloggs · Attendance Officer · Brook Lane Primary · 01632 960123 · jo@example.org",
])
def test_one_line_signatures(line: str) -> None:
    found = read(f"{BODY}Thanks,\n{line}\n")
    assert (found.name, found.role, found.phone, found.email) == (
        "Jo Bloggs", "Attendance Officer", "01632 960123", "jo@example.org")
    assert found.organisation == "Brook Lane Primary"  # the piece after the job title


@pytest.mark.parametrize(("line", "phone", "email"), [
    ("T: 01632 960 123 | E: jo@example.org", "01632 960 123", "jo@example.org"),
    ("Tel: 01632 960123\nEmail: jo@example.org", "01632 960123", "jo@example.org"),
    ("Mob: 07700 900 123", "07700 900 123", None),
    ("Direct line: 01632 960 123 Ext 204", "01632 960 123", None),
    ("Fax: 01632 960 999\nMobile: 07700 900 123", "07700 900 123", None),
    ("📞 01632 960 123 | ✉ jo@example.org", "01632 960 123", "jo@example.org"),
    ("+44 (0)7700 900 123", "+44 (0)7700 900 123", None),
    ("Non-emergency: 101", None, None),
])
def test_contact_lines(line: str, phone: str | None, email: str | None) -> None:
    found = read(f"{BODY}Regards\nJo Bloggs\nAttendance Officer\n{line}\n")
    assert (found.phone, found.email) == (phone, email)


@pytest.mark.parametrize(("written", "name", "title"), [
    ("Dr Rebecca Stone", "Rebecca Stone", "Dr"),
    ("Mrs Jo Bloggs", "Jo Bloggs", "Mrs"),
    ("Jo Bloggs MSc", "Jo Bloggs", None),
    ("Jo Bloggs BA (Hons), PGCE", "Jo Bloggs", None),
    ("Jo Bloggs (she/her)", "Jo Bloggs", None),
    ("Sam Ade (they/them)", "Sam Ade", None),
    ("Seán Ó Briain", "Seán Ó Briain", None),
    ("Aoife de la Cruz", "Aoife de la Cruz", None),
    ("Jo Bloggs (mother)", "Jo Bloggs", None),
])
def test_titles_post_nominals_and_notes_are_not_the_name(
        written: str, name: str, title: str | None) -> None:
    found = read(f"{BODY}Best wishes\n{written}\nHeadteacher (she/her)\nHill Top Academy\n")
    assert (found.name, found.title) == (name, title)
    assert found.role == "Headteacher"


@pytest.mark.parametrize(("line", "role", "organisation"), [
    ("Attendance Officer, Brook Lane School", "Attendance Officer", "Brook Lane School"),
    ("Health Visitor at Riverside Surgery", "Health Visitor", "Riverside Surgery"),
    ("Housing Officer, Greenway Housing Association", "Housing Officer",
     "Greenway Housing Association"),
    ("Data Reporter, Brackford Echo", "Data Reporter", "Brackford Echo"),
])
def test_a_role_line_with_the_organisation_after_it(
        line: str, role: str, organisation: str) -> None:
    found = read(f"{BODY}Many thanks\nJo Bloggs\n{line}\n")
    assert (found.role, found.organisation) == (role, organisation)


@pytest.mark.parametrize("organisation", [
    "Hill Top Academy", "Wealdshire County Council", "Low Moor NHS Foundation Trust",
    "Wealdshire Police", "Greenway Housing Association", "Riverside Surgery",
    "Wealdshire Children's Services", "Ysgol Bryn Glas", "Harbour Youth Justice Service",
])
def test_organisations_named_like_one(organisation: str) -> None:
    found = read(f"{BODY}Kind regards\nJo Bloggs\nFamily Support Worker\n{organisation}\n")
    assert found.organisation == organisation and found.role == "Family Support Worker"


def test_the_institution_outranks_the_team_within_it() -> None:
    found = read(f"{BODY}Regards\nJo Bloggs\nSocial Worker\nFamily Safeguarding Team\n"
                 "Wealdshire County Council\nMobile: 07700 900 123\n")
    assert found.organisation == "Wealdshire County Council"
    # One line naming both is kept as written.
    found = read(f"{BODY}Regards\nJo Bloggs\nSocial Worker\n"
                 "Inclusion Service, Wealdshire County Council\n")
    assert found.organisation == "Inclusion Service, Wealdshire County Council"


def test_a_post_named_by_what_it_does_below_the_name_is_the_role() -> None:
    found = read(f"{BODY}Kind regards\nJo Bloggs\nSchool Office\nHill Top Academy\n")
    assert (found.role, found.organisation) == ("School Office", "Hill Top Academy")


def test_a_known_job_title_outranks_a_job_word() -> None:
    found = read(f"{BODY}Cofion / Regards\nRhian Jones\n"
                 "Swyddog Addysg | Children Missing Education Officer\n"
                 "Cyngor Sir Dyffryn | Dyffryn County Council\n")
    assert found.role == "Children Missing Education Officer"
    assert found.organisation == "Dyffryn County Council"


def test_a_line_below_the_job_title_is_the_organisation() -> None:
    found = read(f"{BODY}Thanks\nJo Bloggs\nFamily Support Worker\nHarbour Family Support\n")
    assert found.organisation == "Harbour Family Support"


@pytest.mark.parametrize("text", [
    f"{BODY}Thanks\nDee\n\nSent from my iPhone\n",
    f"{BODY}Many thanks, Jo\n",
    f"{BODY}Can you call me? Thanks\n\nJo\n",
    f"{BODY}Dee\n\nGet Outlook for Android\n",
])
def test_a_first_name_alone_is_a_partial_name(text: str) -> None:
    found = read(text)
    assert found.name in ("Dee", "Jo") and found.partial_name


def test_a_first_name_gives_way_to_the_full_name_below_it() -> None:
    found = read(f"{BODY}Thanks,\nKev\n\n-- \nKevin Marsh\nAttendance Officer, Low School\n")
    assert found.name == "Kevin Marsh" and not found.partial_name
    other = read(f"{BODY}Warm regards,\nJasmine\nHarbour Young Carers\n")
    assert other.name == "Jasmine" and other.partial_name


def test_a_first_name_takes_the_surname_the_writer_gave() -> None:
    found = read("Hello, my name is Marcus Reid and I am writing about my son.\n\nThanks\nMarcus\n")
    assert found.name == "Marcus Reid" and not found.partial_name


def test_a_parent_writing_in_lower_case() -> None:
    found = read("we have decided to home educate our son from monday.\n\nthanks\nkim lowe\n")
    assert found.name == "kim lowe"


@pytest.mark.parametrize("text", [
    "Hi Kim,\n\nPupil name: Zed Pupil\nDOB 01/02/2016\nMum: Amy Pupil 07700 900 123\n",
    "Zed Pupil\nDOB 01/02/2016\n7 Hill Road, Wealdbury, TN23 1AA\n",
    "Hi Kim,\nZed is back at school.\n",
    "Thank you, that is really helpful.\n\nClaire\n",  # a lone name at the very end
    "Thanks.\n\nWe visited the house twice and nobody answered the door at all.\n",
    "",
])
def test_no_signature(text: str) -> None:
    assert find_signature(text) is None


def test_a_department_is_no_name() -> None:
    found = find_signature("Please see the attached form.\n\nAdmissions\nHill Top Academy\n")
    assert found is None or found.name is None
    assert find_signature("Please see the attached form.\n\nMany thanks\nSchool Office\n") is None


def test_the_writers_block_above_a_quoted_thread_not_the_las() -> None:
    text = (f"{BODY}Best wishes\n{BLOCK}\n________________________________\n"
            "From: CME Team <cme@example.gov.uk>\nSent: 02 March 2026 10:00\n"
            "To: Jo Bloggs <jo@example.org>\nSubject: RE: Zed\n\nDear Jo,\nAny news?\n\n"
            "Kind regards\nKim Lowe\nCME Officer\nWealdshire County Council\nTel: 01632 960 500\n")
    extract = read_lines(text, subject="RE: Zed")
    signed = {(p.label, p.value) for p in extract.pairs if p.section == "sign-off"}
    assert signed == {("Signed", "Jo Bloggs"), ("Role", "Attendance Officer"),
                      ("Organisation", "Brook Lane Primary School"),
                      ("Telephone", "01632 960 123")}
    assert not any("Kim Lowe" in p.value or "960 500" in p.value for p in extract.pairs)


def test_a_bottom_posted_reply_signs_below_the_quote() -> None:
    text = ("On Mon, 2 Mar 2026 at 10:00, CME Team <cme@example.gov.uk> wrote:\n\n"
            "> Dear Jo,\n> Any news?\n> Kim Lowe\n> CME Officer\n\nHi Kim,\n\n"
            "Zed is back today.\n\nJo Bloggs\nOffice Manager\nHill Top Academy\n01632 960 141\n")
    pairs = {(p.label, p.value) for p in read_lines(text).pairs if p.section == "sign-off"}
    assert ("Signed", "Jo Bloggs") in pairs and ("Role", "Office Manager") in pairs


def test_each_forwarded_original_signs_for_itself() -> None:
    text = (f"{BODY}Thanks\nAlex Moor\nHeadteacher\nHill Top School\n\n"
            "---------- Forwarded message ---------\nFrom: Sam Pike <s@example.org>\n"
            "Date: Tue, 3 Mar 2026 at 08:41\nSubject: Zed\nTo: <a@example.org>\n\n"
            "Zed is away.\n\nKind regards\nSam Pike\nSchool Nurse\nLow Moor NHS Foundation Trust\n"
            "Mobile: 07700 900 777\n")
    pairs = [(p.label, p.value, p.section, p.where) for p in read_lines(text).pairs]
    assert ("Signed", "Alex Moor", "sign-off", "body signature") in pairs
    assert ("Signed", "Sam Pike", "forwarded sign-off", "forwarded 1 signature") in pairs
    assert ("Telephone", "07700 900 777", "forwarded sign-off", "forwarded 1 signature") in pairs


def test_a_partial_name_says_so_where_it_sat() -> None:
    pairs = read_lines(f"{BODY}Thanks\nDee\n").pairs
    assert [(p.label, p.value, p.where) for p in pairs] == [
        ("Signed", "Dee", "body signature (first name only)")]


def test_an_attached_email_signs_for_itself() -> None:
    inner = EmailMessage()
    inner["From"] = "Sam Pike <s@example.org>"
    inner["Subject"] = "Zed"
    inner.set_content(f"{BODY}Regards\nSam Pike\nFamily Support Worker\nLow Moor Infant School\n")
    pairs = {(p.label, p.value, p.section) for p in read_eml(inner.as_bytes()).pairs}
    assert ("Signed", "Sam Pike", "sign-off") in pairs
    assert ("Organisation", "Low Moor Infant School", "sign-off") in pairs


def test_the_shipped_vocabulary_loads() -> None:
    words = load_signature_vocabulary(SHIPPED_TEMPLATES / "signature.toml")
    assert "Headteacher" in words.job_titles and "School" in words.org_endings


def test_a_site_extends_the_vocabulary(tmp_path: Path) -> None:
    shipped = (SHIPPED_TEMPLATES / "signature.toml").read_text(encoding="utf-8")
    site = tmp_path / "signature.toml"
    site.write_text(shipped.replace('units = [\n', 'units = [\n    "Kollektiv",\n'),
                    encoding="utf-8")
    text = f"{BODY}Regards\nJo Bloggs\nRiverside Kollektiv\n"
    assert read(text).organisation is None
    found = find_signature(text, load_signature_vocabulary(site))
    assert found is not None and found.organisation == "Riverside Kollektiv"


@pytest.mark.parametrize(("change", "key"), [
    (("sign_offs = [", "sign_offs_old = ["), "sign_offs"),
    (('titles = [\n    "Head Teacher"', 'titles = "Head Teacher"\nold = [\n    "Head Teacher"'),
     "job_titles.titles"),
    (('starts = ["Ysgol"', 'starts = [3, "Ysgol"'), "organisations.starts"),
])
def test_a_broken_vocabulary_names_the_key(
        tmp_path: Path, change: tuple[str, str], key: str) -> None:
    shipped = (SHIPPED_TEMPLATES / "signature.toml").read_text(encoding="utf-8")
    assert change[0] in shipped
    broken = tmp_path / "signature.toml"
    broken.write_text(shipped.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(TemplateError) as error:
        load_signature_vocabulary(broken)
    assert error.value.key == key and error.value.template == "signature"


def test_an_unreadable_vocabulary_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "signature.toml"
    broken.write_text("sign_offs = [", encoding="utf-8")
    with pytest.raises(TemplateError) as error:
        load_signature_vocabulary(broken)
    assert error.value.key == "" and "cannot read" in error.value.message


def test_a_signature_below_the_organisations_disclaimer():
    rule = "*" * 40
    text = ("Please could you check whether the school has notified you.\n\nKind regards,\n\n"
            + rule + "\nIMPORTANT: This email and any attachments are confidential and may "
            "contain personal information. If you are not the intended recipient, please "
            "notify the sender and delete it.\n\nThe Trust monitors email traffic for the "
            "purposes of security and the prevention of crime.\n" + rule + "\n\n"
            "Aoife Ní Bhriain\nPaediatric Liaison Nurse (Safeguarding)\n"
            "Vale and Downs Hospitals NHS Foundation Trust\nTel 01632 960347\n"
            "My working days are Monday to Thursday.\n")
    found = find_signature(text)
    assert found is not None
    assert (found.name, found.role, found.phone) == (
        "Aoife Ní Bhriain", "Paediatric Liaison Nurse (Safeguarding)", "01632 960347")
