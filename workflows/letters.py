"""Letters: Word templates with Jinja tags, rendered with docxtpl.

Each letter is ``templates/letters/STEM.docx``, edited in Word by administrators.
Every letter gets the same context (``CONTEXT_KEYS``; callers start from
``blank_context()`` and fill it), rendered in a sandboxed, autoescaping Jinja
environment with ``StrictUndefined``: a DOCX is XML, so an ``&`` or ``<`` in a
school's name must be escaped, and a misspelt variable must fail loudly rather
than print nothing. Problems with a template are ``LetterError(template,
message)``; ``check_letter_templates`` reports them all, one line each, without
raising. PDF output is a bonus: ``to_pdf`` returns None when LibreOffice is
missing or fails, because the DOCX is what matters.
"""

from __future__ import annotations

import contextlib
import glob
import html
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docxtpl import DocxTemplate
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from cme.private import private_file, private_folder
from cme.resources import SearchPath
from parsers.clean import strip_bidi

log = logging.getLogger(__name__)

LETTERS: tuple[str, ...] = (
    "acknowledgement_school",
    "esw_enquiry_request",
    "esw_chase",
    "keyworker_notification",
    "ehe_acknowledgement_parent",
    "file_transfer_request",
    "file_transfer_chase",
    "ehe_late_notification",
    "referral_acknowledgement",
    "lead_professional_allocation",
    "previous_school_request",
    "previous_school_chase",
    "esw_escalation",
    "case_closed",
)

FLAGS = "flags"
WRITTEN = "letters"
SWITCHES = (FLAGS, WRITTEN)  # their values are booleans
# Top-level name -> its attributes; () marks a plain string such as ``today``.
# Every value is a string ("" when unknown) except the booleans under ``flags``.
CONTEXT_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "team": ("name", "council", "officer", "role", "email", "phone", "address"),
        "today": (),
        "case": ("reference", "kind", "opened", "close_reason"),
        "child": (
            "forenames",
            "surname",
            "full_name",
            "dob",
            "upn",
            "year_group",
            "address",
            "postcode",
        ),
        "school": ("name", "laestab", "email"),
        "previous_school": ("name", "email"),
        "parent": ("name", "email", "phone", "address"),
        "referrer": ("name", "role", "organisation", "email"),
        "recipient": ("name", "organisation", "role", "email", "address", "salutation"),
        "deadline": ("purpose", "due"),
        "esw": ("name", "email"),
        "keyworker": ("name", "email"),
        "lead_professional": ("name", "email"),
        "dates": ("notified", "last_attended", "removed_from_roll", "ehe_start"),
        "reason": (),
        FLAGS: ("cp_plan", "looked_after", "known_to_social_care", "sen", "traveller"),
        WRITTEN: LETTERS,  # yes/no: that letter was written for the case
    }
)

_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# Characters XML 1.0 forbids (PDF text brings form feeds and worse); \t and \n are kept
# because docxtpl turns them into tabs and line breaks.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_UNREADABLE = (
    OSError,
    ValueError,
    KeyError,
    zipfile.BadZipFile,
    PackageNotFoundError,
    SyntaxError,  # lxml's XMLSyntaxError, without importing lxml (not our dependency)
)


class LetterError(Exception):
    """A letter template is missing, unreadable or cannot be rendered."""

    def __init__(self, template: str, message: str) -> None:
        super().__init__(f"{template}: {message}")
        self.template = template
        self.message = message


def blank_context() -> dict[str, Any]:
    """A fresh context with every key of ``CONTEXT_KEYS``: "" everywhere, False for
    the switches (flags, letters)."""
    context: dict[str, Any] = {}
    for name, attributes in CONTEXT_KEYS.items():
        blank: str | bool = False if name in SWITCHES else ""
        context[name] = {attr: blank for attr in attributes} if attributes else ""
    return context


def letter_environment() -> SandboxedEnvironment:
    """The Jinja environment every letter is parsed and rendered with."""
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


def render_letter(template_dir: Path | SearchPath, stem: str, context: dict,
                  out_path: Path) -> Path:
    """Render ``STEM.docx`` (the first on the search path) with ``context`` into
    ``out_path``, atomically."""
    template = _open(template_dir, stem)
    try:
        template.render(_clean(context), jinja_env=letter_environment())
    except jinja2.TemplateError as e:
        raise LetterError(stem, _diagnose(template_dir, stem, context, e)) from e
    except SyntaxError as e:  # lxml's XMLSyntaxError: the rendered XML does not parse
        raise LetterError(
            stem,
            f"the rendered letter is not valid Word XML ({e}); keep each "
            "{% if %} and its {% endif %} in one paragraph, or use {%p ... %}",
        ) from e
    except Exception as e:  # an edited template is code: {{ x|int + 'a' }} raises TypeError
        raise LetterError(stem, f"cannot render: {type(e).__name__}: {e}") from e
    private_folder(out_path.parent)
    # mkstemp's 0600 suits a file that names a child. Its name starts with the
    # letter's, so that ``remove_leftovers`` finds it after a crash.
    fd, name = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            template.save(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(name, out_path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return out_path


def template_variables(template_dir: Path | SearchPath, stem: str) -> set[str]:
    """The top-level names a letter uses (``child``, ``today``...), as docxtpl sees them."""
    template = _open(template_dir, stem)
    try:
        return set(template.get_undeclared_template_variables(jinja_env=letter_environment()))
    except jinja2.TemplateSyntaxError as e:
        raise LetterError(stem, f"Jinja syntax error: {e.message}") from e


def template_paths(template_dir: Path | SearchPath, stem: str) -> set[tuple[str, ...]]:
    """Every variable path a letter reads, e.g. ``('child', 'dob')``; ``LetterError``
    when it cannot be read (what a letter says decides whether it waits for a review)."""
    return {path for tree in _parse(_open(template_dir, stem), stem) for path in _paths(tree)}


def check_letter_templates(template_dir: Path | SearchPath) -> list[str]:
    """One line per problem: missing or unreadable letters, syntax errors, unknown
    variables, and what reads wrong when a letter is rendered for the full and the
    sparse sample case (``text_problems``)."""
    search = SearchPath.of(template_dir)
    problems = [
        f"{search.file(f'{stem}.docx')}: missing"
        for stem in LETTERS
        if not search.file(f"{stem}.docx").is_file()
    ]
    for path in search.files("*.docx"):
        if path.name.startswith("~$"):  # Word's lock file while a letter is open
            continue
        try:
            template = _open(template_dir, path.stem)
            unknown = _unknown_variables(template, path.stem, blank_context())
            read = [] if unknown else _trial_render(template_dir, path.stem)
        except LetterError as e:
            problems.append(f"{path}: {e.message}")
            continue
        problems += [f"{path}: unknown variable '{name}'" for name in unknown]
        problems += [f"{path}: {problem}" for problem in read]
    return problems


def find_libreoffice() -> str | None:
    """The LibreOffice program on PATH (``soffice`` or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: Path, timeout: float = 60) -> Path | None:
    """Convert ``docx`` to a PDF beside it with LibreOffice; None if absent or failing."""
    office = find_libreoffice()
    if office is None:
        return None
    target = docx.with_suffix(".pdf")
    # Both folders sit beside the letter and are named after it: removed when the
    # conversion ends, however it ends, and by ``remove_leftovers`` after a crash.
    with (
        tempfile.TemporaryDirectory(prefix=f".{docx.stem}.soffice-", dir=docx.parent) as profile,
        tempfile.TemporaryDirectory(prefix=f".{docx.stem}.pdf-", dir=docx.parent) as outdir,
    ):
        command = [office, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless"]
        command += ["--norestore", "--convert-to", "pdf", "--outdir", outdir, str(docx)]
        # Its own session, so a timeout can stop soffice.bin too, not just the wrapper.
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            log.warning("PDF conversion of %s timed out after %ss", docx.name, timeout)
            return None
        produced = Path(outdir) / f"{docx.stem}.pdf"
        if process.returncode != 0 or not produced.is_file():
            detail = errors.decode(errors="replace").strip()[-300:]
            log.warning(
                "PDF conversion of %s failed (exit %s): %s", docx.name, process.returncode, detail
            )
            return None
        private_file(produced)  # LibreOffice writes with the umask's mode
        os.replace(produced, target)  # same folder, so the rename is atomic
    return target


def remove_leftovers(docx: Path) -> None:
    """Remove what an interrupted render or conversion of ``docx`` left beside it.

    ``render_letter`` and ``to_pdf`` clean up after themselves on every path a
    Python ``finally`` sees; a killed process leaves its temporary files, which
    the next attempt at the same letter removes first.
    """
    for stale in docx.parent.glob(f".{glob.escape(docx.stem)}.*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def read_text(docx_path: Path) -> str:
    """The text of a Word document in reading order; a table row is its cells joined by " | "."""
    try:
        document = Document(str(docx_path))
    except _UNREADABLE as e:
        raise LetterError(docx_path.stem, f"not a readable Word document ({e})") from e
    return "\n".join(_lines(document))


def _lines(container: Any) -> Iterator[str]:
    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            yield block.text
            continue
        seen: set[Any] = set()  # holding the elements keeps lxml's proxies, hence identity
        for row in block.rows:
            cells = []
            for cell in row.cells:
                if cell._tc not in seen:  # a merged cell repeats across the grid
                    seen.add(cell._tc)
                    cells.append("\n".join(_lines(cell)))
            yield " | ".join(cells)


def _open(template_dir: Path | SearchPath, stem: str) -> DocxTemplate:
    if not _STEM.fullmatch(stem):
        raise LetterError(stem, "a letter name is letters, digits, '_' and '-' only")
    path = SearchPath.of(template_dir).file(f"{stem}.docx")
    if not path.is_file():
        raise LetterError(stem, f"no template {path}")
    template = DocxTemplate(path)
    try:
        template.init_docx()
    except _UNREADABLE as e:
        raise LetterError(stem, f"{path.name} is not a readable Word document ({e})") from e
    return template


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = strip_bidi(value)  # "gpj.exe" must not read as "exe.jpg" in a letter
        return _NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, Mapping):
        return {key: _clean(item) for key, item in value.items()}
    return value


def _sources(template: DocxTemplate) -> Iterator[tuple[str, str]]:
    """(where, Jinja source) for every part docxtpl renders, patched the way it does."""
    yield "body", template.patch_xml(template.get_xml())
    for uri, where in ((template.HEADER_URI, "header"), (template.FOOTER_URI, "footer")):
        for _key, part in template.get_headers_footers(uri):
            yield where, template.patch_xml(template.get_part_xml(part))
    for part in template.docx.part.package.parts:
        if part.content_type == _FOOTNOTES:
            yield "footnotes", template.patch_xml(part.blob.decode("utf-8"))
    properties = template.docx.core_properties
    for name in _PROPERTIES:
        yield "document properties", getattr(properties, name) or ""


def _parse(template: DocxTemplate, stem: str) -> list[nodes.Template]:
    trees = []
    environment = letter_environment()
    for where, source in _sources(template):
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)  # one line per paragraph
        try:
            trees.append(environment.parse(source))
        except jinja2.TemplateSyntaxError as e:
            line = source.splitlines()[e.lineno - 1] if e.lineno else ""
            near = html.unescape(re.sub(r"<[^>]+>", "", line)).strip()[:80]
            raise LetterError(
                stem,
                f"Jinja syntax error in the {where}: {e.message} (near '{near}')",
            ) from e
    return trees


def _unknown_variables(template: DocxTemplate, stem: str, context: Mapping[str, Any]) -> list[str]:
    """Dotted names the template reads that ``context`` does not have, e.g. child.shoe_size."""
    unknown: set[str] = set()
    for tree in _parse(template, stem):
        from_context = meta.find_undeclared_variables(tree)  # not {% set %} or loop names
        for path in _paths(tree):
            if path[0] not in from_context:
                continue
            value: Any = context
            for depth, key in enumerate(path, start=1):
                if not isinstance(value, Mapping) or key not in value:
                    unknown.add(".".join(path[:depth]))
                    break
                value = value[key]
    return sorted(unknown)


def _paths(node: nodes.Node) -> Iterator[tuple[str, ...]]:
    """Every variable path read, e.g. ('child', 'dob'); a method's own name is left out."""
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
        # child.surname.upper(): check child.surname, then the call's arguments
        yield from _paths(node.node.node)
        for argument in (*node.args, *node.kwargs, node.dyn_args, node.dyn_kwargs):
            if argument is not None:
                yield from _paths(argument)
        return
    parts: list[str] = []
    here = node
    while isinstance(here, nodes.Getattr | nodes.Getitem):
        if isinstance(here, nodes.Getattr):
            parts.append(here.attr)
        elif isinstance(here.arg, nodes.Const) and isinstance(here.arg.value, str):
            parts.append(here.arg.value)
        else:  # child[something]: only what comes before the brackets is knowable
            parts.clear()
            yield from _paths(here.arg)
        here = here.node
    if isinstance(here, nodes.Name) and here.ctx == "load":
        yield (here.name, *reversed(parts))
        return
    for child in here.iter_child_nodes():
        yield from _paths(child)


def _diagnose(template_dir: Path | SearchPath, stem: str, context: dict, error: Exception) -> str:
    """A readable reason for a failed render, naming the variable where there is one.

    Jinja's own message for ``child.shoe_size`` is "'dict object' has no attribute
    'shoe_size'", so the template is analysed again to name it; a syntax error
    surfaces here as the LetterError that ``_parse`` raises.
    """
    unknown = _unknown_variables(_open(template_dir, stem), stem, context)
    if unknown:
        return "unknown variable " + ", ".join(f"'{name}'" for name in unknown)
    return f"cannot render: {error}"


def _trial_render(template_dir: Path | SearchPath, stem: str) -> list[str]:
    """Render for the full and the sparse sample case (workflows/letter_samples.py) and
    read each back: the problems in its text, as "full case, line 3: ..."."""
    from workflows.letter_samples import CASES, sample_context  # it builds on this module

    problems = []
    with tempfile.TemporaryDirectory(prefix="cme-letter-check-") as scratch:
        for which in CASES:
            out = Path(scratch, f"{stem}.{which}.docx")
            text = read_text(render_letter(template_dir, stem, sample_context(stem, which), out))
            problems += [f"{which} case, {problem}" for problem in text_problems(text)]
    return problems


_LABEL_ONLY = re.compile(r"^[^\W\d][^:|]{0,40}:$|^[^|]+\|\s*$")
_TEXT_CHECKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\S  +\S"), "a doubled space"),
    (re.compile(r"(?<!\.)\.\.(?!\.)|\s[.,;:]"), "doubled or loose punctuation"),
    (re.compile(r"\{\{|\}\}|\{%|%\}"), "a leftover template tag"),
)


def text_problems(text: str) -> list[str]:
    """What reads wrong in a rendered letter (``read_text``): a labelled line or table
    row with nothing after its label, a doubled space or full stop, a leftover tag."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        shown = line.strip()
        if _LABEL_ONLY.match(shown):
            problems.append(f"line {number}: an empty labelled line '{shown}'")
        problems += [f"line {number}: {what} in '{_excerpt(line, found.start())}'"
                     for pattern, what in _TEXT_CHECKS if (found := pattern.search(line))]
    return problems


def _excerpt(line: str, at: int) -> str:
    start = max(0, at - 30)
    return ("..." if start else "") + line[start:at + 30].strip()
