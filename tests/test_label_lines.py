"""Label lines in a mail body: leaders, tabs, values over several lines, a label above."""

from __future__ import annotations

from parsers.readers.text import read_lines


def pairs(text: str) -> dict[str, str]:
    return {p.label: p.value for p in read_lines(text).pairs}


def test_a_dotted_leader_and_an_indented_continuation():
    text = ("Surname ...................... Example\n"
            "Address ...................... Flat 6, Mill House\n"
            "                               Quarry Road\n"
            "                               Exampleton\n"
            "Postcode ..................... EX1 2AB\n")
    assert pairs(text) == {"Surname": "Example",
                           "Address": "Flat 6, Mill House\nQuarry Road\nExampleton",
                           "Postcode": "EX1 2AB"}


def test_a_label_alone_takes_the_line_below_unless_that_is_a_label():
    text = "Address:\n12 Nash Road\n\nParent / carer:\nName: Jo Example\n"
    found = pairs(text)
    assert found["Address"] == "12 Nash Road" and found["Name"] == "Jo Example"
    assert "Parent / carer" not in found


def test_a_tab_separated_label():
    assert pairs("Date of birth\t03/04/2015\n") == {"Date of birth": "03/04/2015"}
