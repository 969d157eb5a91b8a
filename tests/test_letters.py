"""Letters: the shipped templates render, escape, fail by name, check clean and convert."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from cme.resources import SHIPPED_TEMPLATES
from workflows.letters import (
    CONTEXT_KEYS,
    FLAGS,
    LETTERS,
    SWITCHES,
    WRITTEN,
    LetterError,
    blank_context,
    check_letter_templates,
    read_text,
    render_letter,
    template_variables,
    to_pdf,
)

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = SHIPPED_TEMPLATES / "letters"
OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
DUE = "Monday 2 March 2026"
# Letters that ask for something by a date, so they must print deadline.due.
CLOCKED = {
    "esw_enquiry_request",
    "esw_chase",
    "file_transfer_request",
    "file_transfer_chase",
    "referral_acknowledgement",
    "lead_professional_allocation",
    "previous_school_request",
    "previous_school_chase",
    "esw_escalation",
}


def filled_context() -> dict:
    """A complete context with synthetic data only."""
    context = blank_context()
    context["team"].update(
        name="Children Missing Education Team",
        officer="Sam Tracker",
        role="Service Manager, Tracking and Monitoring",
        email="cme@example.invalid",
        phone="01632 960000",
        address="County Hall\nNew Road\nExampletown EX1 1AA",
    )
    context["today"] = "Monday 9 February 2026"
    context["case"].update(reference="CME-2026-00042", kind="cme", opened="Monday 9 February 2026")
    context["child"].update(
        forenames="Testy",
        surname="Fixture",
        full_name="Testy Fixture",
        dob="1 March 2015",
        upn="A000000000001",
        year_group="Year 5",
        address="1 Sample Street\nExampletown",
        postcode="EX1 2BB",
    )
    context["school"].update(name="Sample Primary School", laestab="9992001")
    context["parent"].update(name="Pat Fixture", phone="07700 900000")
    context["referrer"].update(name="Ref Erer", organisation="Sample Health Trust")
    context["recipient"].update(name="Jo Example", organisation="Sample Primary School")
    context["deadline"].update(purpose="ESW outcome", due=DUE)
    context["esw"].update(name="Eddie Worker")
    context["keyworker"].update(name="Kay Worker")
    context["dates"].update(
        notified="Monday 9 February 2026",
        last_attended="Friday 9 January 2026",
        removed_from_roll="Friday 30 January 2026",
        ehe_start="Monday 2 February 2026",
    )
    context["reason"] = "Family believed to have moved away"
    context["case"]["close_reason"] = "Child located at another school"
    return context


def make_template(folder: Path, stem: str, *paragraphs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = folder / f"{stem}.docx"
    document.save(str(path))
    return path


def test_letters_are_the_shipped_files() -> None:
    assert set(LETTERS) == {path.stem for path in TEMPLATES.glob("*.docx")}
    assert len(set(LETTERS)) == len(LETTERS)


def test_blank_context_has_every_key() -> None:
    context = blank_context()
    assert set(context) == set(CONTEXT_KEYS)
    for name, attributes in CONTEXT_KEYS.items():
        if not attributes:
            assert context[name] == ""
            continue
        blank = False if name in SWITCHES else ""
        assert context[name] == dict.fromkeys(attributes, blank)
    assert blank_context() is not context  # callers may fill it freely


@pytest.mark.parametrize("stem", LETTERS)
def test_every_letter_renders(stem: str, tmp_path: Path) -> None:
    out = render_letter(TEMPLATES, stem, filled_context(), tmp_path / f"{stem}.docx")
    text = read_text(out)
    assert "Testy Fixture" in text
    assert "CME-2026-00042" in text
    assert "Sam Tracker" in text
    assert "{{" not in text and "{%" not in text
    assert (DUE in text) == (stem in CLOCKED)


@pytest.mark.parametrize("stem", sorted(CLOCKED))
def test_without_a_due_date_the_letter_still_reads(stem: str, tmp_path: Path) -> None:
    context = filled_context()
    context["deadline"]["due"] = ""
    text = read_text(render_letter(TEMPLATES, stem, context, tmp_path / "letter.docx"))
    assert "as soon as possible" in text
    assert "Please reply by" not in text


def test_flags_switch_whole_paragraphs(tmp_path: Path) -> None:
    context = filled_context()
    plain = read_text(render_letter(TEMPLATES, "acknowledgement_school", context, tmp_path / "a"))
    context[FLAGS]["cp_plan"] = True
    context[WRITTEN]["keyworker_notification"] = True
    flagged = read_text(render_letter(TEMPLATES, "acknowledgement_school", context, tmp_path / "b"))
    assert "Child Protection Plan" not in plain
    assert "Testy is subject to a Child Protection Plan" in flagged
    assert "Kay Worker" in flagged
    assert len(flagged.splitlines()) == len(plain.splitlines()) + 1  # no stray control lines


def test_tables_read_back_row_by_row(tmp_path: Path) -> None:
    out = render_letter(TEMPLATES, "keyworker_notification", filled_context(), tmp_path / "k")
    text = read_text(out)
    assert "Date of birth | 1 March 2015" in text
    assert "Last known address | 1 Sample Street\nExampletown\nEX1 2BB" in text


@pytest.mark.parametrize("stem", ["acknowledgement_school", "esw_enquiry_request"])
def test_values_are_escaped_for_xml(stem: str, tmp_path: Path) -> None:
    awkward = "St Mary & St John <Infants>"
    context = filled_context()
    context["school"]["name"] = awkward
    context["recipient"]["organisation"] = awkward
    context["reason"] = 'Said "we\'re off" & left </w:t> <w:p>'
    out = render_letter(TEMPLATES, stem, context, tmp_path / "letter.docx")
    Document(str(out))  # opens again: the XML is intact
    text = read_text(out)
    assert awkward in text
    if stem == "esw_enquiry_request":
        assert 'Said "we\'re off" & left </w:t> <w:p>' in text


def test_line_breaks_kept_and_control_characters_dropped(tmp_path: Path) -> None:
    context = filled_context()
    context["reason"] = "Moved\x0c abroad\x00\x1b\r\nno forwarding address"
    out = render_letter(TEMPLATES, "esw_enquiry_request", context, tmp_path / "letter.docx")
    assert "Reason given | Moved abroad\nno forwarding address" in read_text(out)


def test_undefined_variable_is_named(tmp_path: Path) -> None:
    make_template(tmp_path / "t", "shoe", "Size: {{ child.shoe_size }}", "{{ child.full_name }}")
    out = tmp_path / "out" / "shoe.docx"
    out.parent.mkdir()
    with pytest.raises(LetterError) as caught:
        render_letter(tmp_path / "t", "shoe", filled_context(), out)
    assert caught.value.template == "shoe"
    assert "'child.shoe_size'" in caught.value.message
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no temporary file left behind


def test_unknown_top_level_variable_is_named(tmp_path: Path) -> None:
    make_template(tmp_path, "weather", "It is {{ weather }} today.")
    with pytest.raises(LetterError, match="unknown variable 'weather'"):
        render_letter(tmp_path, "weather", filled_context(), tmp_path / "out.docx")


def test_syntax_error_is_reported_with_its_place(tmp_path: Path) -> None:
    make_template(tmp_path, "broken", "Fine", "Dear {{ recipient.name ,")
    with pytest.raises(LetterError, match="syntax error") as caught:
        render_letter(tmp_path, "broken", filled_context(), tmp_path / "out.docx")
    assert "Dear {{ recipient.name" in caught.value.message


def test_tags_as_word_leaves_them(tmp_path: Path) -> None:
    """Word splits a partly bold tag into runs and curls quotes; both still render."""
    document = Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("Re {{ child.")
    paragraph.add_run("full_name").bold = True
    paragraph.add_run(" }}, Dear {{ recipient.name or \u201cHead Teacher\u201d }},")
    document.save(str(tmp_path / "word.docx"))
    context = filled_context()
    context["recipient"]["name"] = ""
    out = render_letter(tmp_path, "word", context, tmp_path / "out.docx")
    assert read_text(out) == "Re Testy Fixture, Dear Head Teacher,"


def test_missing_and_unreadable_templates(tmp_path: Path) -> None:
    with pytest.raises(LetterError) as caught:
        render_letter(tmp_path, "nowhere", filled_context(), tmp_path / "out.docx")
    assert caught.value.template == "nowhere"
    (tmp_path / "junk.docx").write_bytes(b"not a zip")
    with pytest.raises(LetterError, match="not a readable Word document"):
        render_letter(tmp_path, "junk", filled_context(), tmp_path / "out.docx")
    with pytest.raises(LetterError):
        render_letter(tmp_path, "../escape", filled_context(), tmp_path / "out.docx")


def test_rendering_replaces_the_output(tmp_path: Path) -> None:
    out = tmp_path / "letter.docx"
    out.write_bytes(b"old")
    render_letter(TEMPLATES, "case_closed", filled_context(), out)
    assert "Testy Fixture" in read_text(out)
    assert list(tmp_path.iterdir()) == [out]


def test_shipped_templates_check_clean() -> None:
    assert check_letter_templates(TEMPLATES) == []


def test_check_names_the_file_and_the_variable(tmp_path: Path, monkeypatch) -> None:
    letters = tmp_path / "templates" / "letters"
    shutil.copytree(TEMPLATES, letters, ignore=shutil.ignore_patterns("*.py", "*.md"))
    make_template(letters, "esw_chase", "{{ child.full_name }}", "{{ child.shoe_size }}")
    monkeypatch.chdir(tmp_path)
    assert check_letter_templates(Path("templates/letters")) == [
        "templates/letters/esw_chase.docx: unknown variable 'child.shoe_size'"
    ]


def test_check_reports_missing_unreadable_and_hidden_problems(tmp_path: Path) -> None:
    shutil.copytree(TEMPLATES, tmp_path, dirs_exist_ok=True)
    (tmp_path / "case_closed.docx").unlink()
    (tmp_path / "esw_chase.docx").write_bytes(b"garbage")
    (tmp_path / "~$w_chase.docx").write_bytes(b"Word lock file")
    make_template(
        tmp_path,
        "extra",
        "{% if flags.cp_plan %}{{ keyworker.phone }}{% endif %}",  # caught even when skipped
        "{{ child['shoe_size'] }} {{ today.year }} {{ flags.unknown_flag }} {{ weather }}",
        "{% set name = child.surname %}{{ name }} {{ child.surname.upper() }}",
        "{% for line in [team.name] %}{{ line }} {{ loop.index }}{% endfor %}",
        "{{ child.dob|default('') }} {{ 'x' if flags.sen else 'y' }}",
    )
    problems = check_letter_templates(tmp_path)
    assert f"{tmp_path / 'case_closed.docx'}: missing" in problems
    assert any(line.startswith(f"{tmp_path / 'esw_chase.docx'}: ") for line in problems)
    extra = f"{tmp_path / 'extra.docx'}: unknown variable"
    assert sorted(line for line in problems if line.startswith(extra)) == [
        f"{extra} 'child.shoe_size'",
        f"{extra} 'flags.unknown_flag'",
        f"{extra} 'keyworker.phone'",
        f"{extra} 'today.year'",
        f"{extra} 'weather'",
    ]
    assert len(problems) == 7


def test_check_catches_a_render_that_breaks_the_document(tmp_path: Path) -> None:
    make_template(tmp_path, "odd", "{{ child.full_name|int + 'x' }}")
    problems = check_letter_templates(tmp_path)
    assert any(line.startswith(f"{tmp_path / 'odd.docx'}: cannot render") for line in problems)


def test_template_variables() -> None:
    names = template_variables(TEMPLATES, "esw_enquiry_request")
    assert {"child", "team", "case", "deadline", "flags", "today"} <= names <= set(CONTEXT_KEYS)


def test_to_pdf_without_libreoffice(tmp_path: Path, monkeypatch) -> None:
    out = render_letter(TEMPLATES, "case_closed", filled_context(), tmp_path / "letter.docx")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert to_pdf(out) is None
    assert not out.with_suffix(".pdf").exists()


@pytest.mark.slow  # a real conversion takes seconds
def test_to_pdf_converts(tmp_path: Path) -> None:
    from pypdf import PdfReader

    assert OFFICE, "LibreOffice is not installed: .ci/run installs it"

    out = render_letter(TEMPLATES, "acknowledgement_school", filled_context(), tmp_path / "a.docx")
    pdf = to_pdf(out, timeout=120)
    assert pdf == tmp_path / "a.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Testy Fixture" in text
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.docx", "a.pdf"]


def test_to_pdf_timeout_is_a_warning(tmp_path: Path, caplog) -> None:
    assert OFFICE, "LibreOffice is not installed: .ci/run installs it"
    out = render_letter(TEMPLATES, "case_closed", filled_context(), tmp_path / "c.docx")
    with caplog.at_level(logging.WARNING, logger="workflows.letters"):
        assert to_pdf(out, timeout=0.01) is None
    assert "timed out" in caplog.text
    assert [path.name for path in tmp_path.iterdir()] == ["c.docx"]


def test_build_script_is_reproducible_and_keeps_edits(tmp_path: Path) -> None:
    script = [sys.executable, str(TEMPLATES / "build_templates.py"), "--out"]
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        subprocess.run([*script, str(folder)], check=True, capture_output=True, timeout=120)
    for stem in LETTERS:
        assert (first / f"{stem}.docx").read_bytes() == (second / f"{stem}.docx").read_bytes()
    assert check_letter_templates(first) == []
    edited = first / "case_closed.docx"
    edited.write_bytes(b"an administrator's edit")
    kept = subprocess.run([*script, str(first)], capture_output=True, text=True, timeout=120)
    assert kept.returncode == 1 and "kept" in kept.stdout
    assert edited.read_bytes() == b"an administrator's edit"
