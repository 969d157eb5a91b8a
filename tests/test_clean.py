"""The shared cleaning step: person cells, placeholders, addresses, UPNs, phones,
emails and bidirectional controls. Synthetic values only: phone numbers from
Ofcom's drama ranges (07700 900xxx, 01632 960xxx), made-up names and streets."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from parsers.clean import (
    Found,
    cut_out,
    find_emails,
    find_phones,
    find_upn,
    is_placeholder,
    join_address,
    placeholder_reason,
    strip_bidi,
)
from parsers.person import Person, split_person
from parsers.validate import UPN_LETTERS, upn_check_letter, upn_problem

# --- split_person -------------------------------------------------------------

PEOPLE = [
    ("Mrs Jo Bloggs (mother) 07700 900123",
     Person(name="Jo Bloggs", title="Mrs", relationship="mother", phone="07700900123",
            forenames="Jo", surname="Bloggs")),
    ("Martin Fry, Headteacher",
     Person(name="Martin Fry", role="Headteacher", forenames="Martin", surname="Fry")),
    ("Foster carer: Mrs Ann Hill",
     Person(name="Ann Hill", title="Mrs", relationship="foster carer", forenames="Ann",
            surname="Hill")),
    ("Lee Dunn (dad), tel. 07700 900456",
     Person(name="Lee Dunn", relationship="dad", phone="07700900456", forenames="Lee",
            surname="Dunn")),
    ("Dr P. Singh", Person(name="P. Singh", title="Dr", forenames="P.", surname="Singh")),
    ("Ms Amara Obi – Aunt",
     Person(name="Amara Obi", title="Ms", relationship="aunt", forenames="Amara", surname="Obi")),
    ("SMITH, John", Person(name="John SMITH", forenames="John", surname="SMITH")),
    ("Mum - Kerry Ward",
     Person(name="Kerry Ward", relationship="mum", forenames="Kerry", surname="Ward")),
    ("Mr and Mrs Patel", Person(name="Patel", title="Mr and Mrs", surname="Patel", couple=True)),
    ("Jane Doe <jane@x.example>",
     Person(name="Jane Doe", email="jane@x.example", forenames="Jane", surname="Doe")),
    ("Sgt 1234 Tom Reed", Person(name="Tom Reed", title="Sgt", forenames="Tom", surname="Reed")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), PEOPLE, ids=[t for t, _ in PEOPLE])
def test_split_person_brief_examples(text, expected):
    assert split_person(text) == expected


def person(text: str, **expected: object) -> tuple[str, dict[str, object]]:
    return (text, expected)


SHAPES = [
    # titles, with a full stop, in capitals, police ranks and collar numbers
    person("Mrs. Jo Bloggs", name="Jo Bloggs", title="Mrs."),
    person("MRS Jo BLOGGS", name="Jo BLOGGS", title="MRS", surname="BLOGGS"),
    person("Miss K O'Brien", name="K O'Brien", title="Miss", surname="O'Brien"),
    person("Mx Sam Lee", name="Sam Lee", title="Mx"),
    person("Rev Ann King", name="Ann King", title="Rev"),
    person("PC Amy Lowe, Thames Valley Police", name="Amy Lowe", title="PC",
           organisation="Thames Valley Police"),
    person("PC1234 Tom Reed", name="Tom Reed", title="PC"),
    person("DC 5678AB Tom Reed", name="Tom Reed", title="DC"),
    person("Tom Reed, PC 1234", name="Tom Reed", title="PC", role=None),
    person("DS Di Smith", name="Di Smith", title="DS", forenames="Di"),
    # words nameparser would take for titles are names here
    person("Di Smith", name="Di Smith", title=None),
    person("King Ann", name="King Ann", title=None, surname="Ann"),
    person("Major Lee Dunn", name="Major Lee Dunn", title=None, surname="Dunn"),
    person("Dean Mann", name="Dean Mann", title=None, surname="Mann"),
    # relationship words: apart, leading, trailing, in brackets; names that look like them
    person("Mother: Jo Bloggs", name="Jo Bloggs", relationship="mother"),
    person("mum Kerry Ward", name="Kerry Ward", relationship="mum"),
    person("Jo Bloggs mother", name="Jo Bloggs", relationship="mother"),
    person("Jo Bloggs Mum", name="Jo Bloggs", relationship="mum"),
    person("Jo Bloggs, Step-Dad", name="Jo Bloggs", relationship="step-dad"),
    person("Grandmother (Mrs Ann Hill)", name="Ann Hill", title="Mrs",
           relationship="grandmother"),
    person("Kerry Ward (Mother's partner)", name="Kerry Ward", relationship="mother's partner"),
    person("Special Guardian - Mr Lee Dunn", name="Lee Dunn", title="Mr",
           relationship="special guardian"),
    person("Kinship carer: Ann Hill", name="Ann Hill", relationship="kinship carer"),
    person("Nan Jones", name="Nan Jones", relationship=None, forenames="Nan"),
    person("Nan - Ann Jones", name="Ann Jones", relationship="nan"),
    person("Jo Cousin", name="Jo Cousin", relationship=None, surname="Cousin"),
    person("Jo Bloggs (cousin)", name="Jo Bloggs", relationship="cousin"),
    person("Mum", name=None, relationship="mum"),
    person("(father)", name=None, relationship="father"),
    person("Mother - not known", name=None, relationship="mother"),
    person("Dad: N/A", name=None, relationship="dad"),
    # roles and organisations
    person("Martin Fry, Headteacher, Oakwood Primary School", name="Martin Fry",
           role="Headteacher", organisation="Oakwood Primary School"),
    person("Jo Bloggs, Attendance Officer at Oakwood Academy", name="Jo Bloggs",
           role="Attendance Officer", organisation="Oakwood Academy"),
    person("Jo Bloggs (Head of Year 9)", name="Jo Bloggs", role="Head of Year 9"),
    person("Kerry Ward - social worker", name="Kerry Ward", role="social worker"),
    person("Jo Bloggs, Receptionist", name="Jo Bloggs", role="Receptionist"),
    person("Jo Bloggs, School Nurse, Oxford Health NHS Trust", name="Jo Bloggs",
           role="School Nurse", organisation="Oxford Health NHS Trust"),
    person("Martin Head", name="Martin Head", role=None, surname="Head"),
    person("Martin Head, Deputy Head", name="Martin Head", role="Deputy Head"),
    person("Jo Nurse (mother)", name="Jo Nurse", relationship="mother", role=None),
    # surname first
    person("BLOGGS Jo Anne", name="Jo Anne BLOGGS", forenames="Jo Anne", surname="BLOGGS"),
    person("Bloggs, Mrs Jo", name="Jo Bloggs", title="Mrs", surname="Bloggs"),
    person("O'BRIEN, Siobhan", name="Siobhan O'BRIEN", surname="O'BRIEN"),
    person("JOHN SMITH", name="JOHN SMITH", forenames="JOHN", surname="SMITH"),
    # name particles, nicknames and notes (nameparser's part)
    person("Mrs Jo de la Cruz", name="Jo de la Cruz", forenames="Jo", surname="de la Cruz"),
    person("Ann-Marie Di Stefano", forenames="Ann-Marie", surname="Di Stefano"),
    person("Jonathan (Jon) Smith", name="Jonathan Smith", surname="Smith"),
    person("Jo Bloggs (nee Smith)", name="Jo Bloggs", surname="Bloggs"),
    person("John Smith Jr", name="John Smith Jr", forenames="John", surname="Smith"),
    # one word: a surname after a title, otherwise undecided
    person("Mrs Patel", name="Patel", title="Mrs", forenames=None, surname="Patel"),
    person("Patel", name="Patel", forenames=None, surname=None),
    # two people
    person("Mr & Mrs J Patel", name="J Patel", title="Mr & Mrs", couple=True),
    person("John and Mary Patel", name="John Patel", forenames="John", surname="Patel",
           couple=True),
    person("Hannah and Rob de la Cruz", name="Hannah de la Cruz", surname="de la Cruz",
           couple=True),
    person("Jo Bloggs and Lee Dunn", name="Jo Bloggs", surname="Bloggs", couple=True),
    person("Mrs Jo Bloggs (mother), Mr Lee Bloggs (father)", name="Jo Bloggs",
           relationship="mother", role=None, couple=True),
    person("Jo Bloggs (Mum) / Lee Bloggs (Dad)", name="Jo Bloggs", relationship="mum",
           couple=True),
    person("Mum Jo Bloggs, Dad Lee Bloggs", name="Jo Bloggs", relationship="mum", couple=True),
    person("Mr and Mrs Patel (parents) 07700 900123", name="Patel", relationship="parents",
           phone="07700900123", couple=True),
    person("Jo Bloggs (mum) 07700 900123, Lee Dunn (dad) 07700 900456", name="Jo Bloggs",
           phone="07700900123", couple=True),
    person("Jo Bloggs (mum), Lee Dunn (dad) 07700 900456", name="Jo Bloggs",
           phone="07700900456", couple=True),  # the only number in the cell
    # a whole label/value block in one cell (Word content controls left unfilled)
    person("Full name\nMr Paulo Ferreira\nRelationship\nFather\nPhone\n+44 7700 900489\n"
           "Email\nClick or tap here to enter text.\nSecond parent / carer\n"
           "Ms Kerry Costa (mother) 07700 900773", name="Paulo Ferreira", title="Mr",
           relationship="father", phone="+447700900489", email=None, couple=True),
    person("Name\nChloe Marsden\nRole\nOffice Manager\nTelephone\n01632 960403\nEmail\n"
           "office@oakwood.example", name="Chloe Marsden", role="Office Manager",
           phone="01632960403", email="office@oakwood.example"),
    person("Mother\nSamina Raza\nPhone\n07700 900011\nFather\nImran Raza – no contact",
           name="Samina Raza", relationship="mother", phone="07700900011", couple=True),
    # notes: in brackets, or prose after the name, are neither name nor role
    person("Jo Bloggs, mobile 07700 900338 (Polish speaker – we used an interpreter)",
           name="Jo Bloggs", phone="07700900338", role=None),
    person("Lee Dunn – works in Norway, no number held", name="Lee Dunn", role=None),
    person("Clare Pennington (she/her)", name="Clare Pennington"),
    person("A. Whitlow, Partnership Training Lead", name="A. Whitlow",
           role="Partnership Training Lead", surname="Whitlow"),
    person("Relationship", name=None),
    # contacts and their labels
    person("Name: Jo Bloggs\nTel: 07700 900123\nEmail: JO@X.example", name="Jo Bloggs",
           phone="07700900123", email="jo@x.example"),
    person("Jo Bloggs - 07700 900123 - jo@x.example", name="Jo Bloggs",
           phone="07700900123", email="jo@x.example"),
    person("Jo Bloggs mob:07700900123", name="Jo Bloggs", phone="07700900123"),
    person("Jo Bloggs, Fax: 01632 960002", name="Jo Bloggs", phone=None),
    person("Jo Bloggs T: 01632 960001 F: 01632 960002", name="Jo Bloggs",
           phone="01632960001"),
    person("Mrs Ann Hill (foster carer) / 01632 960001 ext 12", name="Ann Hill",
           relationship="foster carer", phone="01632960001"),
    person("Jo Bloggs (07700 900123)", name="Jo Bloggs", phone="07700900123"),
    person("Jo Bloggs mailto:jo@x.example", name="Jo Bloggs", email="jo@x.example"),
    person("Parent/Carer: Jo Bloggs", name="Jo Bloggs"),
    person("07700 900123", name=None, phone="07700900123"),
    # nothing there
    person("Not known", name=None),
    person("", name=None),
    person("  -  ", name=None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), SHAPES, ids=[t for t, _ in SHAPES])
def test_split_person_shapes(text, expected):
    got = split_person(text)
    assert {key: getattr(got, key) for key in expected} == expected


def test_split_person_ignores_bidi_controls():
    assert split_person("\u202eMrs Jo Bloggs\u202c (mother)").name == "Jo Bloggs"


NAME_WORD = st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True)
DRAMA_MOBILE = st.integers(0, 999).map(lambda n: f"07700 900{n:03d}")


@given(forename=NAME_WORD, surname=NAME_WORD, phone=DRAMA_MOBILE,
       sep=st.sampled_from([" ", ", ", " - ", " tel ", " (", "\n"]))  # fmt: skip
def test_a_phone_after_a_name_is_never_part_of_it(forename, surname, phone, sep):
    got = split_person(f"{forename} {surname}{sep}{phone}")
    assert got.phone == phone.replace(" ", "")
    assert got.name is None or not re.search(r"\d", got.name)


CELL_PIECES = st.sampled_from([
    "Mrs", "Mr and Mrs", "PC", "Sgt 1234", "Jo", "Bloggs", "SMITH", "Ann Hill", "mother", "Dad",
    "foster carer", "Nan", "Headteacher", "Oakwood Primary School", "at", "and", "&", "N/A",
    "Not known", "Tel:", "Fax:", "07700 900123", "01632 960001 ext 12", "jo@x.example",
    "Second parent / carer", "Name", "(", ")", "[", "]", "<", ">", ",", " - ", " – ", ":", "/",
    "\n", "\x00", "\u202e", "Click or tap here to enter text.",
])  # fmt: skip


@given(st.lists(CELL_PIECES, max_size=12).map(" ".join))
def test_split_person_never_raises_on_cell_like_text(text):
    got = split_person(text)
    assert got.name is None or got.name.strip() == got.name != ""
    assert got.phone is None or re.fullmatch(r"\+?\d+", got.phone)


@pytest.mark.parametrize(
    "text",
    ["contact name " * 200 + "x 07700 900123", "(" * 3000 + "Jo" + ")" * 3000, "Jo at " * 3000],
)
def test_split_person_is_quick_on_repetitive_text(text):
    split_person(text)  # a regex that backtracks exponentially would never return


@given(st.text())
@example("Jo \x000\x00 Bloggs 07700 900123")
@example("((((")
@example("Mr and and Mrs")
@example("Sgt 1234")
@example("(mother) (father) (aunt)")
@example(", , ,")
def test_split_person_never_raises(text):
    got = split_person(text)
    assert got.name is None or got.name.strip() == got.name != ""


# --- placeholders -------------------------------------------------------------

PLACEHOLDER_TEXTS = [
    "Not known", "Unknown", "N/K", "NK", "n.k.", "N/A", "n/a", "NA", "na", "N.A.",
    "n/a (continuous cruiser)", "None - not on a school roll", "None", "none known", "Nil",
    "-", "--", "–", "?", "??", "...", "*", "", "   ", "TBC", "TBA", "tbc.", "To be confirmed",
    "address not disclosed", "Address: withheld", "withheld", "not given", "Not stated",
    "not applicable", "see above", "As above", "Same as child", "Ditto", "No email",
    "No phone number", "Unknown address", "Not known at this time.", "currently unknown",
    "UPN not known", "Not yet known", "Whereabouts unknown", "Refused to give",
    "Prefer not to say", "Not known, family moved away", "Unknown; thought to be abroad",
    "NOT KNOWN", "\u202eN/A\u202c", "Click or tap here to enter text.", "Choose an item.",
]  # fmt: skip
VALUES = [
    "Nash Road", "Unwin Close", "Nonesuch Primary School", "None Go Bye Farm", "Na",
    "NA-YOUNG KIM", "Nadia", "Knowles", "Nkemelu", "Notley", "Withers", "Sameer Khan",
    "Mann", "Anne Known", "Nil by Mouth Cottage", "No", "No - not on roll", "Tba Singh",
    "Not known - temporary UPN X123456789012 allocated", "Unknown, last seen at 12 Nash Road",
    "As above (12 Nash Road)", "Oxford", "07700 900123", "X", "Yes",
    "☒", "☐", "✓", "✔", "☑", "■",  # tick boxes answer a question
]  # fmt: skip


@pytest.mark.parametrize("text", PLACEHOLDER_TEXTS)
def test_placeholders(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", VALUES)
def test_values_that_look_like_placeholders(text):
    assert not is_placeholder(text), placeholder_reason(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("--", "no letters or digits"),
        ("Unknown", "not known"),
        ("n/a (continuous cruiser)", "not applicable"),
        ("address not disclosed", "withheld"),
        ("TBC", "to be confirmed"),
        ("see above", "given elsewhere"),
        ("Nash Road", None),
    ],
)
def test_placeholder_reason(text, reason):
    assert placeholder_reason(text) == reason


@given(
    core=st.sampled_from(["Not known", "unknown", "N/A", "None", "TBC", "withheld"]),
    sep=st.sampled_from([" - ", " (", ", ", "; ", ": ", " – "]),
    note=st.from_regex(r"[A-Za-z ]{0,30}", fullmatch=True),
)
def test_a_placeholder_with_an_explanation_is_a_placeholder(core, sep, note):
    assert is_placeholder(f"{core}{sep}{note}")


@given(
    core=st.sampled_from(["Not known", "unknown", "N/A", "None"]),
    note=st.from_regex(r"[A-Za-z ]{0,10}[0-9][A-Za-z0-9 ]{0,10}", fullmatch=True),
)
def test_an_explanation_with_a_number_may_hold_a_value(core, note):
    assert not is_placeholder(f"{core} - {note}")


@given(st.text())
def test_placeholder_never_raises(text):
    assert is_placeholder(text) == (placeholder_reason(text) is not None)


# --- join_address -------------------------------------------------------------

ADDRESSES = [
    (["12 Nash Road", "Oxford", "ox284jd"], ("12 Nash Road, Oxford", "OX28 4JD")),
    (["Flat 2", "12 Nash Road", "Oxford", "OX1  1AA"], ("Flat 2, 12 Nash Road, Oxford", "OX1 1AA")),
    (["2", "Nash Road", "Oxford, OX4 2AB"], ("2 Nash Road, Oxford", "OX4 2AB")),
    (["12A,", "Unwin Close"], ("12A Unwin Close", None)),
    (["No. 3", "Unwin Close"], ("No. 3 Unwin Close", None)),
    ("12 Nash Road,\nOxford\nOX4 2AB", ("12 Nash Road, Oxford", "OX4 2AB")),
    ("12 Nash Road\r\nOxford\r\n\r\nOX4 2AB", ("12 Nash Road, Oxford", "OX4 2AB")),
    (["12 Nash Road,,", "Oxford.", ""], ("12 Nash Road, Oxford", None)),
    ("12 Nash Road, , Oxford, ,", ("12 Nash Road, Oxford", None)),
    ("12 Nash Road, Oxford OX4 2AB", ("12 Nash Road, Oxford", "OX4 2AB")),
    ("12-14 Nash Road, Oxford, OX42AB.", ("12-14 Nash Road, Oxford", "OX4 2AB")),
    ("Flat 2, 12 Nash Road, Oxford ox4 2ab", ("Flat 2, 12 Nash Road, Oxford", "OX4 2AB")),
    (["12 Nash Road", "", "N/A", "Oxford", "Postcode: OX4 2AB"],
     ("12 Nash Road, Oxford", "OX4 2AB")),
    (["12 Nash Road", "Oxford", "Oxford", "OX4 2AB"], ("12 Nash Road, Oxford", "OX4 2AB")),
    (["12 Nash Road", "Oxford", "Oxfordshire"], ("12 Nash Road, Oxford, Oxfordshire", None)),
    (["St. Mary's Close", "Oxford"], ("St. Mary's Close, Oxford", None)),
    (["Unit 3, Nash Estate", "Witney", "OX29 0AA"], ("Unit 3, Nash Estate, Witney", "OX29 0AA")),
    (["London", "SW1A 1AA"], ("London", "SW1A 1AA")),
    (["Manchester", "M1 1AE"], ("Manchester", "M1 1AE")),
    (["OX4 2AB"], (None, "OX4 2AB")),
    ("12 Nash Road OX4 2AB Oxford", ("12 Nash Road Oxford", "OX4 2AB")),
    ("Not known", (None, None)),
    ([], (None, None)),
    ("", (None, None)),
    (["\u202e12 Nash Road", "Oxford"], ("12 Nash Road, Oxford", None)),
]  # fmt: skip


@pytest.mark.parametrize(("lines", "expected"), ADDRESSES, ids=[repr(a) for a, _ in ADDRESSES])
def test_join_address(lines, expected):
    assert join_address(lines) == expected


OUTWARD = st.sampled_from(["OX4", "OX28", "M1", "SW1A", "B33", "W1A", "CR2", "EC1V"])
INWARD = st.from_regex(r"[0-9][ABD-HJLNP-UW-Z]{2}", fullmatch=True)
LINE = st.from_regex(r"[A-Z][a-z]{2,10}( [A-Z][a-z]{2,10})?", fullmatch=True).filter(
    lambda line: not is_placeholder(line)
)


@given(
    lines=st.lists(LINE, min_size=1, max_size=4, unique_by=str.lower),
    outward=OUTWARD,
    inward=INWARD,
    space=st.sampled_from(["", " ", "  "]),
    lower=st.booleans(),
    own_line=st.booleans(),
)
def test_any_postcode_comes_out_in_normal_form(lines, outward, inward, space, lower, own_line):
    postcode = f"{outward}{space}{inward}"
    postcode = postcode.lower() if lower else postcode
    written = [*lines, postcode] if own_line else [*lines[:-1], f"{lines[-1]} {postcode}"]
    assert join_address(written) == (", ".join(lines), f"{outward} {inward}")


@given(st.one_of(st.text(), st.lists(st.text(), max_size=5)))
@example(["2", "3"])
@example([",", "..", "ox4"])
def test_join_address_never_raises(lines):
    address, postcode = join_address(lines)
    if address is not None:
        assert address and ",," not in address.replace(" ", "")
        assert not address.endswith((",", ".", ";", " "))
    assert postcode is None or re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", postcode)


# --- find_upn -----------------------------------------------------------------


def test_find_upn_brief_examples():
    assert find_upn("not known - temporary UPN X123456789012 allocated") == "X123456789012"
    # 13 digits after the letter: 14 characters, not the shape of a UPN.
    assert find_upn("UPN: A 1234 5678 9012 3") is None


@pytest.mark.parametrize(
    ("text", "upn"),
    [
        ("B801200005001", "B801200005001"),
        ("UPN: B801 2000 05001", "B801200005001"),
        ("UPN B 8012 0000 5001 (from CTF)", "B801200005001"),
        ("B801-2000-05001", "B801200005001"),
        ("b801200005001", "B801200005001"),  # lower case, check letter right
        ("upn:B801200005001.", "B801200005001"),
        ("X00180001701A", "X00180001701A"),  # temporary
        ("X0018 0001 701A", "X00180001701A"),
        ("B801200005002", "B801200005002"),  # wrong check letter: kept for review
        ("B801200005002 or B801200005001", "B801200005001"),  # the valid one first
        ("B801 2000 05002", None),  # spaced and invalid: not trusted
        ("b801200005002", None),  # lower case and invalid
        ("T 01632 960123 E", None),  # a phone between two labels
        ("Tel 07700900123", None),
        ("+447700900123", None),
        ("LAESTAB 9312417, URN 123456", None),
        ("UN1", None),
        ("AB801200005001", None),  # a letter too many
        ("B8012000050011", None),  # a digit too many
        ("I801200005001", None),  # I, O and S are not used
        ("", None),
    ],
)
def test_find_upn(text, upn):
    assert find_upn(text) == upn


UPN_BODY = st.from_regex(r"[0-9]{11}[0-9A-HJ-NP-RT-Z]", fullmatch=True)


@given(
    body=UPN_BODY,
    before=st.sampled_from(["", "UPN: ", "Temporary UPN ", "upn=", "(", "UPN\n"]),
    after=st.sampled_from(["", ".", " allocated", ")", ", DOB 03/04/2014", "\n07700 900123"]),
    spaced=st.booleans(),
)
def test_a_valid_upn_is_found_in_noise(body, before, after, spaced):
    upn = upn_check_letter("?" + body) + body
    written = f"{upn[:4]} {upn[4:8]} {upn[8:]}" if spaced else upn
    assert find_upn(f"{before}{written}{after}") == upn


@given(st.text())
@example("A 1234 5678 9012 3 4")
def test_find_upn_never_raises(text):
    upn = find_upn(text)
    assert upn is None or (
        len(upn) == 13 and upn[0] in UPN_LETTERS and (upn_problem(upn) is None or upn in text)
    )


# --- phones and emails --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Mrs Jo Bloggs (mother) 07700 900123", ["07700900123"]),
        ("07700 900 123", ["07700900123"]),
        ("(01632) 960 001", ["01632960001"]),
        ("01632-960-001", ["01632960001"]),
        ("+44 (0)1632 960001", ["+441632960001"]),
        ("+44 7700 900123", ["+447700900123"]),
        ("0044 7700 900123", ["+447700900123"]),
        ("+33 1 23 45 67 89", ["+33123456789"]),
        ("07700900123/07700900456", ["07700900123", "07700900456"]),
        ("T: 01632 960001 F: 01632 960002", ["01632960001"]),
        ("Fax 01632 960002", []),
        ("fax no. 01632 960002, mob 07700 900123", ["07700900123"]),
        ("Tel/Fax: 01632 960001", ["01632960001"]),
        ("01632 960001 ext 234", ["01632960001"]),
        ("01632 960001 x12", ["01632960001"]),
        ("1632 960001", []),  # no 0: not written in full
        ("tel 960001", []),  # a local number without its area code
        ("LAESTAB 9312417 URN 123456", []),
        ("born 03/04/2014", []),
        ("UPN B801200005001", []),
        ("07700900123@sms.example", []),
        ("", []),
    ],
)
def test_find_phones(text, values):
    assert [f.value for f in find_phones(text)] == values


def test_a_phone_span_covers_its_extension():
    text = "Call 01632 960001 ext. 234 today"
    (found,) = find_phones(text)
    assert text[found.start : found.end] == "01632 960001 ext. 234"
    assert cut_out(text, [found]) == "Call today"


@given(
    before=st.from_regex(r"[A-Za-z ,]{0,20}", fullmatch=True),
    after=st.from_regex(r"[A-Za-z ,]{0,20}", fullmatch=True),
    phone=DRAMA_MOBILE,
)
def test_a_drama_number_is_found_anywhere(before, after, phone):
    text = f"{before} {phone} {after}"
    if re.search(r"(?i)\bf(ax)?\s*$", before):
        return  # labelled a fax
    assert [f.value for f in find_phones(text)] == [phone.replace(" ", "")]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Jane Doe <Jane.Doe@X.example>", ["jane.doe@x.example"]),
        ("mailto:a@b.example. Thanks", ["a@b.example"]),
        ("a@b.example, c.d+cme@e-f.example", ["a@b.example", "c.d+cme@e-f.example"]),
        ("Email: jo.bloggs@school.example.org.", ["jo.bloggs@school.example.org"]),
        ("not an address: jo@ or @x.example or jo@x", []),
    ],
)
def test_find_emails(text, values):
    assert [f.value for f in find_emails(text)] == values


def test_email_spans_are_what_was_written():
    text = "Jane Doe <Jane@X.example>"
    (found,) = find_emails(text)
    assert text[found.start : found.end] == "Jane@X.example"
    assert cut_out(text, [found]) == "Jane Doe < >"


@given(st.text())
def test_finders_never_raise_and_spans_are_in_the_text(text):
    for found in find_phones(text) + find_emails(text):
        assert 0 <= found.start < found.end <= len(text)
        assert found.value


def test_cut_out_overlapping_and_unordered_spans():
    text = "a bb ccc dddd"
    spans = [Found("x", 9, 13), Found("x", 2, 4), Found("x", 3, 8)]
    assert cut_out(text, spans) == "a"


# --- strip_bidi ---------------------------------------------------------------

BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


def test_strip_bidi_removes_every_control():
    assert strip_bidi("invoice\u202egpj.exe") == "invoicegpj.exe"
    assert strip_bidi("".join(BIDI)) == ""
    assert strip_bidi("Jo \u2067Bloggs\u2069") == "Jo Bloggs"


def test_strip_bidi_keeps_other_text():
    text = "Zoë O'Brien – 12 Nash Road \u200f\u00a0مرحبا"  # marks and Arabic stay
    assert strip_bidi(text) == text


@given(st.text(), st.lists(st.tuples(st.integers(0, 50), st.sampled_from(BIDI)), max_size=5))
def test_strip_bidi_undoes_any_insertion(text, inserts):
    text = strip_bidi(text)
    spiked = text
    for at, char in inserts:
        spiked = spiked[:at] + char + spiked[at:]
    assert strip_bidi(spiked) == text


@pytest.mark.parametrize("text", ["(07700 900123)", "[07700 900123]", "Jo (07700 900123) mum"])
def test_a_bracketed_phone_leaves_its_brackets(text):
    (found,) = find_phones(text)
    assert text[found.start : found.end] == "07700 900123"


@pytest.mark.parametrize("text", [
    "[Enter surname]", "<insert date>", "Describe the circumstances and the actions taken.",
    "Please enter the child's name", "not allocated", "Duty team – not allocated",
    "Not in contact",
])
def test_form_prompts_and_unallocated_boxes_are_placeholders(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", [
    "State school place refused in May", "Enterprise Road", "Provided by Mum: 07700 900123",
    "Listerdale Academy", "Duty Social Worker: Ann Hill",
])
def test_values_that_start_like_prompts_are_values(text):
    assert not is_placeholder(text)
