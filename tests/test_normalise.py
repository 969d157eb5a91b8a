"""Field normalisers: every type, the variants forms use, and the failures."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from parsers.normalise import FIELD_TYPES, NORMALISERS, InvalidValue, normalise
from parsers.validate import check_school_age


def each(field_type: str, expected: object, *texts: str) -> list[tuple[str, str, object]]:
    return [(field_type, text, expected) for text in texts]


OK = [
    # text
    ("text", "  12 High Street,\u00a0\u00a0Oxford,  ", "12 High Street, Oxford"),
    ("text", "St. Mary's C.E. Primary;", "St. Mary's C.E. Primary"),
    ("text", "line one\nline two", "line one line two"),
    # name
    ("name", '"Amelia  Rose"', "Amelia Rose"),
    ("name", "  O'Brien ", "O'Brien"),
    ("name", "McDONALD", "McDONALD"),
    ("name", "Mr John Smith", "Mr John Smith"),
    ("name", "Jane\nMary", "Jane Mary"),
    ("name", "“Kai”", "Kai"),
    # date
    ("date", "03/04/2014", "2014-04-03"),
    ("date", "3/4/14", "2014-04-03"),
    ("date", "3.4.14", "2014-04-03"),
    ("date", "03-04-2014", "2014-04-03"),
    ("date", "3rd April 2014", "2014-04-03"),
    ("date", "April 3rd, 2014", "2014-04-03"),
    ("date", "2014-04-03", "2014-04-03"),
    ("date", "3 Apr 14", "2014-04-03"),
    ("date", "Thursday 3 April 2014", "2014-04-03"),
    ("date", "3rd of April 2014", "2014-04-03"),
    ("date", "03/04/2014 (age 11)", "2014-04-03"),
    ("date", "DOB: 3/4/99", "1999-04-03"),
    ("date", "1/9/40", "2040-09-01"),
    ("date", "1/9/41", "1941-09-01"),
    ("date", "1st of Sept. 2025", "2025-09-01"),
    ("date", "3 April '14", "2014-04-03"),
    ("date", "2014-04-03T09:30:00", "2014-04-03"),
    ("date", "03/04/2014 10:30", "2014-04-03"),
    ("date", "29/02/2024", "2024-02-29"),
    ("date", "3 March 2014 (3/3/14)", "2014-03-03"),  # the same date twice is one date
    # upn
    ("upn", "B801200005001", "B801200005001"),
    ("upn", "X00180001701A", "X00180001701A"),
    ("upn", "b801 2000 05001", "B801200005001"),
    ("upn", "B801-2000-05001", "B801200005001"),
    # postcode
    ("postcode", "ox42ab", "OX4 2AB"),
    ("postcode", "OX4  2AB", "OX4 2AB"),
    ("postcode", "sw1a1aa", "SW1A 1AA"),
    ("postcode", "W1A 0AX", "W1A 0AX"),
    ("postcode", "M1 1AE", "M1 1AE"),
    ("postcode", "B33 8TH", "B33 8TH"),
    ("postcode", "CR2 6XH", "CR2 6XH"),
    ("postcode", "DN55 1PT", "DN55 1PT"),
    ("postcode", "OX4 2AB.", "OX4 2AB"),
    # phone
    ("phone", "01865 123456", "01865123456"),
    ("phone", "(01865) 123 456", "01865123456"),
    ("phone", "+44 7700 900123", "+447700900123"),
    ("phone", "07700-900123", "07700900123"),
    ("phone", "01865 123456 ext 204", "01865123456"),
    ("phone", "01865 123456 x204", "01865123456"),
    ("phone", "+44 (0)1865 123456", "+441865123456"),
    ("phone", "Tel: 0113 496 0000", "01134960000"),
    ("phone", "07700 900123 / 01865 123456", "07700900123"),
    ("phone", "+33 1 23 45 67 89", "+33123456789"),
    # email
    ("email", "Jane Smith <Jane.Smith@Oxon.gov.uk>", "jane.smith@oxon.gov.uk"),
    ("email", "mailto:Office@School.Oxon.sch.uk", "office@school.oxon.sch.uk"),
    ("email", "[mailto:a.b@example.org]", "a.b@example.org"),
    ("email", " o'brien@example.org. ", "o'brien@example.org"),
    # year_group
    *each("year_group", "7", "Year 7", "Y7", "yr 7", "Yr7", "year seven", "7", "year 07"),
    *each("year_group", "R", "Reception", "Rec", "YR", "R", "Year R"),
    ("year_group", "Nursery 1", "N1"),
    ("year_group", "N1", "N1"),
    ("year_group", "N2", "N2"),
    ("year_group", "Year 7 (KS3)", "7"),
    ("year_group", "14", "14"),
    ("year_group", "Year 1", "1"),
    ("year_group", "Lower sixth", "12"),
    # gender
    *each("gender", "M", "Male", "M", "Boy", "male", "m."),
    *each("gender", "F", "Female", "F", "Girl", "FEMALE"),
    *each("gender", "X", "Other", "Non-binary", "Prefer not to say", "Not stated", "X"),
    ("gender", "Male ☐ Female ☒", "F"),
    ("gender", "☒ Male ☐ Female", "M"),
    # bool
    *each("bool", True, "Yes", "Y", "True", "yes", "✓", "✔", "X", "x", "☒", "☑"),
    *each("bool", True, "[x]", "[X]", "Yes ☒ No ☐", "☒ Yes ☐ No", "Yes - since 2023"),
    *each("bool", False, "No", "N", "False", "no", "Yes ☐ No ☒", "☐ Yes ☒ No", "No."),
    ("bool", "Yes [x] No [ ]", True),
    ("bool", "Yes ☒ No ☐ (if yes, give details)", True),
    # deletion_ground
    *each("deletion_ground", "9(1)(f)", "9(1)(f)", "9 (1) (f)", "reg 9(1)(f)", "8(1)(d)"),
    *each("deletion_ground", "9(1)(f)", "Regulation 9(1)(f) 2024", "Regulation 8(1)(d) 2006"),
    *each("deletion_ground", "9(1)(f)", "Ground F", "ground (f)", "(f) parent notified"),
    *each("deletion_ground", "9(1)(f)", "4", "home education", "Educated at home"),
    *each("deletion_ground", "9(1)(f)", "Elective Home Education", "EHE", "home-schooled"),
    *each("deletion_ground", "9(1)(f)", "education otherwise than at school"),
    *each("deletion_ground", "9(1)(f)", "9(1)(f) (formerly 8(1)(d))"),
    ("deletion_ground", "9(1)(f) - family moved away", "9(1)(f)"),  # the code wins
    ("deletion_ground", "not registered at another school; EHE", "9(1)(f)"),
    ("deletion_ground", "8(1)(a)", "9(1)(a)"),
    ("deletion_ground", "8(1)(c)", "9(1)(g)"),
    ("deletion_ground", "8(1)(f)", "9(1)(h)"),
    ("deletion_ground", "8(1)(h)", "9(1)(i)"),
    ("deletion_ground", "1", "9(1)(a)"),
    ("deletion_ground", "3", "9(1)(g)"),
    ("deletion_ground", "6", "9(1)(h)"),
    ("deletion_ground", "8", "9(1)(i)"),
    ("deletion_ground", "9(1)(o)", "9(1)(o)"),
    ("deletion_ground", "registered at another school", "9(1)(a)"),
    ("deletion_ground", "Joined another school", "9(1)(a)"),
    *each("deletion_ground", "9(1)(g)", "moved away", "moving abroad", "emigrated to Spain"),
    ("deletion_ground", "no longer lives within reasonable distance", "9(1)(g)"),
    ("deletion_ground", "did not return after leave of absence", "9(1)(h)"),
    ("deletion_ground", "failed to return from holiday", "9(1)(h)"),
    ("deletion_ground", "continuous absence", "9(1)(i)"),
    ("deletion_ground", "continuously absent for 20 school days", "9(1)(i)"),
    ("deletion_ground", "20 days absence", "9(1)(i)"),
    ("deletion_ground", "died", "9(1)(k)"),
    ("deletion_ground", "Deceased", "9(1)(k)"),
    ("deletion_ground", "permanently excluded", "9(1)(o)"),
    ("deletion_ground", "detained", "9(1)(j)"),
    ("deletion_ground", "custodial sentence", "9(1)(j)"),
    ("deletion_ground", "over compulsory school age", "9(1)(l)"),
    # laestab, urn, case_reference
    *each("laestab", "9312417", "931/2417", "931 2417", "9312417", "DfE 931-2417"),
    ("laestab", "931/2417 (Oxford)", "9312417"),
    ("urn", "123456", "123456"),
    ("urn", "URN: 123456", "123456"),
    *each(
        "case_reference",
        "CME-2026-00012",
        "CME-2026-00012",
        "CME 2026 00012",
        "CME/2026/00012",
        "cme-2026-00012",
        "Re: your ref CME-2026-00012 (Hughes)",
        "CME-2026-12",
    ),
    # update_outcome
    ("update_outcome", "child located", "located"),
    ("update_outcome", "Found", "located"),
    ("update_outcome", "confirmed missing", "confirmed_missing"),
    ("update_outcome", "officially missing", "confirmed_missing"),
    ("update_outcome", "could not be located", "confirmed_missing"),
    ("update_outcome", "advise removal", "removal_advised"),
    ("update_outcome", "can be removed from roll", "removal_advised"),
    ("update_outcome", "file transferred", "file_transferred"),
    ("update_outcome", "file sent", "file_transferred"),
    ("update_outcome", "info", "info"),
    ("update_outcome", "for information", "info"),
    ("update_outcome", "update: child located", "located"),
]


@pytest.mark.parametrize(("field_type", "text", "expected"), OK, ids=lambda v: repr(v))
def test_normalises(field_type, text, expected):
    assert normalise(field_type, text) == expected


FAIL = [
    # (type, text, words in the reason, kept)
    ("text", "", "empty", None),
    ("text", " ,\u00a0 ", "empty", None),
    ("text", "N/A", "placeholder", None),
    ("name", "", "empty", None),
    ("name", "12345", "letters", None),
    ("date", "31/02/2014", "no such date", None),
    ("date", "29/02/2023", "no such date", None),
    ("date", "03/13/2014", "no such date", None),
    ("date", "April 2014", "no day", None),
    ("date", "soon", "no day", None),
    ("date", "", "empty", None),
    ("date", "3/4/0214", "not plausible", None),
    ("date", "03/04/2014 to 05/06/2014", "several dates", None),
    ("upn", "B801200005002", "check letter should be Q", "B801200005002"),
    ("upn", "c801 2000 05001", "check letter should be B", "C801200005001"),
    ("upn", "B80120000500", "13 characters", "B80120000500"),
    ("upn", "I801200005001", "check letter", "I801200005001"),
    ("upn", "B8012000050O1", "digits", "B8012000050O1"),
    ("upn", "X00180001701I", "last character", "X00180001701I"),
    ("upn", "UN3", "UPN not known (UN3)", None),
    ("upn", "un 1", "UPN not known (UN1)", None),
    ("upn", "", "empty", None),
    ("postcode", "OX4", "shape", "OX4"),
    ("postcode", "ox4 2ab 1", "shape", "OX4 2AB 1"),
    ("postcode", "12345", "shape", "12345"),
    ("postcode", "", "empty", None),
    ("phone", "12345", "plausible", "12345"),
    ("phone", "1234567890", "plausible", "1234567890"),  # no leading 0
    ("phone", "01865 12345", "plausible", "0186512345"),
    ("phone", "not given", "no phone number", None),
    ("email", "jane at example dot org", "no email address", None),
    ("email", "a@b", "no email address", None),
    ("year_group", "Year 15", "outside", None),
    ("year_group", "0", "outside", None),
    ("year_group", "Nursery", "not a year group", None),
    ("year_group", "Key stage 2", "not a year group", None),
    ("year_group", "", "empty", None),
    ("gender", "Martian", "not a gender", None),
    ("gender", "☐ Male ☐ Female", "nothing ticked", None),
    ("gender", "", "empty", None),
    ("bool", "☐", "nothing ticked", None),
    ("bool", "[ ]", "nothing ticked", None),
    ("bool", "", "empty", None),
    ("bool", "Yes ☒ No ☒", "several options ticked", None),
    ("bool", "Yes ☐ No ☐", "nothing ticked", None),
    ("bool", "Not known", "not known", None),
    ("bool", "Unknown", "not known", None),
    ("bool", "N/A", "not known", None),
    ("bool", "No idea", "not a yes/no", None),
    ("bool", "Not known ☒ Yes ☐ No ☐", "not yes or no", None),
    ("deletion_ground", "8(1)(b)", "no 2024 equivalent", None),
    ("deletion_ground", "2", "no 2024 equivalent", None),
    ("deletion_ground", "16", "no 2006 ground numbered 16", None),
    ("deletion_ground", "9(1)(p)", "no ground 9(1)(p)", None),
    ("deletion_ground", "9(1)(f) or 9(1)(g)", "several grounds", None),
    ("deletion_ground", "moved away and now home educated", "several grounds", None),
    ("deletion_ground", "parent request", "no deletion ground", None),
    ("deletion_ground", "", "empty", None),
    ("laestab", "93124", "not a LAESTAB", None),
    ("laestab", "931/2417 or 931/2418", "not a LAESTAB", None),
    ("urn", "12345", "not a URN", None),
    ("urn", "1234567", "not a URN", None),
    ("case_reference", "CME-2026-123456", "no CME-YYYY-NNNNN", None),
    ("case_reference", "your letter of last week", "no CME-YYYY-NNNNN", None),
    ("case_reference", "CME-2026-00012 and CME-2026-00013", "several", None),
    ("case_reference", "CME-2026-00000", "never issued", None),
    ("update_outcome", "child located; file sent", "several outcomes", None),
    ("update_outcome", "thanks", "no outcome", None),
]


@pytest.mark.parametrize(("field_type", "text", "reason", "kept"), FAIL, ids=lambda v: repr(v))
def test_rejects(field_type, text, reason, kept):
    with pytest.raises(InvalidValue) as caught:
        normalise(field_type, text)
    error = caught.value
    assert (error.field_type, error.text, error.kept) == (field_type, text, kept)
    assert reason.lower() in error.reason.lower()


def test_unknown_type_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="'colour'"):
        normalise("colour", "red")


def test_every_field_has_a_known_type():
    fields = {
        "child_surname", "child_forenames", "child_dob", "child_gender", "child_upn",
        "child_year_group", "child_address", "child_postcode", "parent_name",
        "parent_phone", "parent_email", "school_name", "school_laestab", "school_urn",
        "date_last_attended", "date_removed_from_roll", "deletion_ground",
        "destination_school", "ehe_start_date", "cp_plan", "looked_after",
        "known_to_social_care", "sen", "traveller", "social_worker", "referrer_name",
        "referrer_role", "referrer_organisation", "referrer_phone", "referrer_email",
        "reason", "case_reference", "update_outcome",
    }  # fmt: skip
    assert set(FIELD_TYPES) == fields
    assert set(FIELD_TYPES.values()) == set(NORMALISERS)


@pytest.mark.parametrize(
    ("dob", "on", "warning"),
    [
        (date(2014, 4, 3), date(2026, 2, 9), None),
        (date(2022, 2, 9), date(2026, 2, 9), None),  # 4 today
        (date(2022, 2, 10), date(2026, 2, 9), "younger"),  # 4 tomorrow
        (date(2007, 2, 9), date(2026, 2, 9), "older"),  # 19 today
        (date(2007, 2, 10), date(2026, 2, 9), None),  # 18 until tomorrow
        (date(2027, 1, 1), date(2026, 2, 9), "after"),
        (date(2012, 2, 29), date(2017, 2, 28), None),
    ],
)
def test_check_school_age(dob, on, warning):
    result = check_school_age(dob, on)
    if warning is None:
        assert result is None
    else:
        assert result is not None and warning in result


# Property tests. The UPN check sum is written out again here, from DOMAIN.md,
# so that the test does not just repeat the code under test.
LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def build_upn(body: str) -> str:
    total = sum(
        i * (int(c) if c.isdigit() else LETTERS.index(c)) for i, c in enumerate(body, start=2)
    )
    return LETTERS[total % 23] + body


upn_bodies = st.builds(
    lambda digits, last: digits + last,
    st.text("0123456789", min_size=11, max_size=11),
    st.sampled_from("0123456789" + LETTERS),
)


@given(upn_bodies, st.sampled_from(["", " ", "-"]))
@example("801200005001", "")
@example("00180001701A", " ")
def test_valid_upns_round_trip(body, separator):
    upn = build_upn(body)
    written = separator.join([upn[:4], upn[4:8], upn[8:]]).lower()
    assert normalise("upn", written) == upn


@given(upn_bodies, st.sampled_from(LETTERS))
def test_wrong_check_letter_is_kept_for_review(body, letter):
    upn = build_upn(body)
    if letter == upn[0]:
        return
    with pytest.raises(InvalidValue) as caught:
        normalise("upn", letter + body)
    assert caught.value.kept == letter + body


MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


UK_STYLES = [
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year % 100:02d}",
    lambda d: f"{d.day}.{d.month}.{d.year % 100:02d}",
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{MONTHS[d.month - 1]} {ordinal(d.day)}, {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year % 100:02d}",
    lambda d: f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{ordinal(d.day)} of {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year} (age 11)",
    lambda d: d.isoformat(),
]


# 1941..2040: the years a two-digit year can stand for (TWO_DIGIT_YEAR_PIVOT).
@given(st.dates(date(1941, 1, 1), date(2040, 12, 31)), st.sampled_from(range(len(UK_STYLES))))
def test_uk_dates_round_trip(day, style):
    assert normalise("date", UK_STYLES[style](day)) == day.isoformat()


@given(st.sampled_from(sorted(NORMALISERS)), st.text(max_size=40))
@example("date", "31 February 2014")
@example("phone", "+")
@example("deletion_ground", "ground")
def test_any_text_normalises_or_is_invalid_and_normal_forms_are_fixed_points(field_type, text):
    """Nothing but InvalidValue escapes, and a normal form normalises to itself."""
    try:
        value = normalise(field_type, text)
    except InvalidValue as error:
        assert error.field_type == field_type and error.text == text
        return
    if isinstance(value, str):
        assert value == value.strip() and not re.search(r"\s\s", value)
        assert normalise(field_type, value) == value
