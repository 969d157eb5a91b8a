"""Every letter reads as the council's: golden texts, and a check that finds holes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from cme.cli import cli
from cme.config import TeamConfig
from cme.resources import SHIPPED_TEMPLATES
from tests.conftest import write_config
from tests.fixtures.make_letters import FOLDER, golden_name, render_text
from workflows.letter_context import CaseFacts, Party, letter_context, year_group_words
from workflows.letter_samples import CASES, FULL, sample_context
from workflows.letters import CONTEXT_KEYS, LETTERS, SWITCHES, check_letter_templates, text_problems

CASE_LETTERS = [(stem, which) for stem in LETTERS for which in CASES]


@pytest.mark.parametrize(("stem", "which"), CASE_LETTERS,
                         ids=[golden_name(s, w) for s, w in CASE_LETTERS])
def test_golden_text(stem: str, which: str) -> None:
    """Regenerate with ``python -m tests.fixtures.make_letters --force`` and review the diff."""
    expected = (FOLDER / golden_name(stem, which)).read_text(encoding="utf-8")
    assert render_text(stem, which) == expected


def test_golden_texts_are_all_and_only_the_letters() -> None:
    assert {p.name for p in FOLDER.glob("*.txt")} == {golden_name(s, w) for s, w in CASE_LETTERS}


@pytest.mark.parametrize(("stem", "which"), CASE_LETTERS)
def test_no_holes_no_role_words_no_year_as_age(stem: str, which: str) -> None:
    text = render_text(stem, which)
    assert text_problems(text) == []
    assert "(7)" not in text and "Telephone: \n" not in text
    for word in ("referrer", "previous_school", "lead_professional", "esw_manager"):
        assert word not in text.lower()
    lines = text.splitlines()
    assert "school" not in lines  # a recipient line never reads as a role


def test_the_full_case_fills_every_value_and_every_switch() -> None:
    for stem in LETTERS:
        context = sample_context(stem, "full")
        for name, attributes in CONTEXT_KEYS.items():
            if name in SWITCHES:
                assert all(context[name].values()), name
            elif attributes and name not in ("recipient",):
                assert all(context[name].values()), (stem, name, context[name])


@pytest.mark.parametrize(("value", "words"), [
    ("7", "Year 7"), ("07", "Year 7"), ("R", "Reception"), ("N1", "Nursery 1"),
    ("N2", "Nursery 2"), ("14", "Year 14"), ("", ""), ("Year 9", "Year 9"),
])
def test_year_groups_in_words(value: str, words: str) -> None:
    assert year_group_words(value) == words


def test_a_sentence_about_another_letter_only_when_it_was_written() -> None:
    facts = CaseFacts(reference="CME-2026-00001-A", forenames="Maya", surname="Hollowell",
                      details={"cp_plan": True, "referrer_organisation": "Sample Health"},
                      letters=frozenset({"referral_acknowledgement", "keyworker_notification"}))
    context = letter_context(TeamConfig(), facts, "keyworker", FULL.opened)
    assert context["letters"]["keyworker_notification"]
    assert not context["letters"]["esw_enquiry_request"]


@pytest.mark.parametrize(("role", "lines", "salutation"), [
    ("school", ("The Head Teacher", "", "Sample Academy"), "Head Teacher"),
    ("previous_school", ("The Head Teacher", "", "Old Mill Primary School"), "Head Teacher"),
    ("esw", ("Hannah Pennyworth", "Education Social Worker", "Education Social Work Service"),
     "Hannah Pennyworth"),
    ("referrer", ("Jo Example", "Designated Safeguarding Lead", "Sample Academy"), "Jo Example"),
    ("keyworker", ("Kay Worker", "Keyworker", "Children's Social Care"), "Kay Worker"),
    ("parent", ("Pat Hollowell", "", ""), "Pat Hollowell"),
])
def test_recipients_are_named(role: str, lines: tuple[str, str, str], salutation: str) -> None:
    recipient = letter_context(TeamConfig(), FULL, role, FULL.opened)["recipient"]
    assert (recipient["name"], recipient["role"], recipient["organisation"]) == lines
    assert recipient["salutation"] == salutation


def test_the_esw_service_is_not_named_twice() -> None:
    facts = CaseFacts(reference="CME-2026-00001-A",
                      parties={"esw": Party(organisation="Education Social Work Service")})
    recipient = letter_context(TeamConfig(), facts, "esw", FULL.opened)["recipient"]
    assert (recipient["name"], recipient["role"], recipient["organisation"]) == (
        "Education Social Work Service", "Education Social Worker", "")


@pytest.mark.parametrize(("text", "problem"), [
    ("Telephone:", "an empty labelled line 'Telephone:'"),
    ("UPN | ", "an empty labelled line 'UPN |'"),
    ("please contact me on  or at x", "a doubled space"),
    ("for three months..", "doubled or loose punctuation"),
    ("Dear ,", "doubled or loose punctuation"),
    ("Dear {{ recipient.name }}", "a leftover template tag"),
    ("{%p if flags.sen %}", "a leftover template tag"),
])
def test_text_problems(text: str, problem: str) -> None:
    found = text_problems(f"Fine line.\n{text}")
    assert len(found) == 1 and found[0].startswith("line 2: ") and problem in found[0]


def test_text_problems_leave_good_lines_alone() -> None:
    assert text_problems("Telephone: 01632 960000\nUPN | A123\nWait...\nSee 9(1)(i).") == []


def _site_with_letter(folder: Path, stem: str, *paragraphs: str) -> Path:
    """A site whose templates folder overrides one letter (cme/resources.py SearchPath)."""
    letters = folder / "templates" / "letters"
    letters.mkdir(parents=True)
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(letters / f"{stem}.docx"))
    return write_config(folder, '\n[parsing]\ntemplates = "templates"\n')


def test_templates_check_fails_on_an_empty_labelled_line(tmp_path: Path) -> None:
    config = _site_with_letter(tmp_path, "esw_chase", "Dear {{ recipient.name }},",
                               "Telephone: {{ team.phone }}", "About {{ child.full_name }}.")
    result = CliRunner().invoke(cli, ["--config", str(config), "templates", "check"])
    assert result.exit_code == 1, result.output
    site_letter = tmp_path / "templates" / "letters" / "esw_chase.docx"
    problems = [line for line in result.output.splitlines() if line.startswith(str(site_letter))]
    assert f"{site_letter}: sparse case, line 2: an empty labelled line 'Telephone:'" in problems
    assert any("sparse case, line 1: doubled or loose punctuation" in p for p in problems)
    assert not any("full case" in p for p in problems)  # the full case fills both
    assert not [line for line in result.output.splitlines()
                if "shipped" not in line and str(site_letter) not in line
                and line.startswith("/")]  # only the broken letter is named


def test_templates_check_fails_on_a_leftover_tag_and_a_doubled_stop(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    shutil.copytree(SHIPPED_TEMPLATES / "letters", letters,
                    ignore=shutil.ignore_patterns("*.py", "*.md"))
    document = Document()
    document.add_paragraph("{{ child.full_name }} has been away for months..")
    document.add_paragraph("{% raw %}Dear {{ recipient.name }},{% endraw %}")
    document.save(str(letters / "case_closed.docx"))
    problems = check_letter_templates(letters)
    where = f"{letters / 'case_closed.docx'}: "
    assert len(problems) == 4, problems
    for which in CASES:
        assert any(p.startswith(f"{where}{which} case, line 1: doubled or loose punctuation in")
                   and p.endswith("months..'") for p in problems)
        assert (f"{where}{which} case, line 2: a leftover template tag in "
                "'Dear {{ recipient.name }},'") in problems
