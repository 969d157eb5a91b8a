"""``cme templates check`` and ``cme templates test``: templates are data, so test them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cme.config import Config
from cme.resources import SearchPath
from parsers.evaluate import same_value
from parsers.kinds import load_kind_rules
from parsers.message import Parser
from parsers.prose.vocabulary import load_prose_vocabulary
from parsers.signature_words import FILE as SIGNATURE_FILE
from parsers.signature_words import load_signature_vocabulary
from parsers.templates import TemplateError, load_templates
from workflows.letters import check_letter_templates


def check_templates(config: Config) -> list[str]:
    """Every problem in the form templates, the kind rules, the signature words and the
    letters, one line each."""
    search = config.templates
    forms = search.sub("forms")
    problems: list[str] = []
    try:
        loaded = load_templates(forms)
        problems += [_line(_file(forms, e.template), e) for e in loaded.errors]
        for template in loaded.forms:
            for sample in template.samples:
                if not sample.exists():
                    problems.append(f"{template.path}: [samples] no such file: {sample}")
    except TemplateError as exc:
        problems.append(_line(_file(forms, exc.template), exc))
    kinds = search.file("kinds.toml")
    try:
        load_kind_rules(kinds)
    except TemplateError as exc:
        problems.append(_line(kinds, exc))
    prose = search.file("prose.toml")
    try:
        load_prose_vocabulary(prose)
    except TemplateError as exc:
        problems.append(_line(prose, exc))
    signature = search.file(SIGNATURE_FILE)
    try:
        load_signature_vocabulary(signature)
    except TemplateError as exc:
        problems.append(_line(signature, exc))
    problems += check_letter_templates(search.sub("letters"))
    return problems


def template_sources(config: Config) -> list[tuple[str, str, Path]]:
    """(file, ``site``/``shipped``, path) for every template file in use."""
    search = config.templates
    used = [
        *(("forms/" + p.name, p) for p in search.sub("forms").files("*.toml")),
        ("kinds.toml", search.file("kinds.toml")),
        (SIGNATURE_FILE, search.file(SIGNATURE_FILE)),
        ("prose.toml", search.file("prose.toml")),
        *(("letters/" + p.name, p) for p in search.sub("letters").files("*.docx")
          if not p.name.startswith("~$")),
    ]
    return [(name, search.origin(path), path) for name, path in used]


def _line(path: Path, error: TemplateError) -> str:
    return f"{path}: [{error.key}] {error.message}" if error.key else f"{path}: {error.message}"


def _file(forms: SearchPath, template: str) -> Path:
    return forms.file(f"{template}.toml")


@dataclass
class SampleReport:
    heading: str
    lines: list[str] = field(default_factory=list)


def test_templates(parser: Parser, only: str | None = None) -> Iterator[SampleReport]:
    """For each sample: the fields that differ from its ``.expected.json``."""
    for template in parser.templates.forms:
        if only and template.name != only:
            continue
        for sample in template.samples:
            report = SampleReport(f"{template.name}: {sample.name}")
            expected_path = sample.with_name(sample.name.rsplit(".", 1)[0] + ".expected.json")
            if not expected_path.exists():
                report.lines.append(f"no {expected_path.name} beside the sample")
                yield report
                continue
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            result = parser.parse_file(sample)
            used = {d.template for d in result.documents}
            if template.name not in used:
                report.lines.append(f"template not chosen (chosen: {sorted(filter(None, used))})")
            if result.kind != expected["kind"]:
                report.lines.append(f"kind: got {result.kind}, expected {expected['kind']}")
            # Compared as `cme eval` compares (the field corpus's rules: case,
            # spacing and titles aside; a reason by its words).
            want, got = expected.get("fields", {}), result.fields
            for name in sorted(set(want) | set(got)):
                if name in want and name in got and same_value(name, want[name], got[name]):
                    continue
                if want.get(name) != got.get(name):
                    report.lines.append(
                        f"{name}: got {got.get(name)!r}, expected {want.get(name)!r}"
                    )
            yield report
