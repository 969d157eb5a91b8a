"""``cme eval``: score the parser on labelled folders and say where it misses.

For developers and administrators alike: keep a folder of your own labelled
samples and see what a template change does before making it live.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from parsers.evaluate import Sample, Score, load_samples, score
from parsers.message import Parser


def evaluate(parser: Parser, folders: list[Path]) -> dict[str, Score]:
    """A Score per folder, and one for them all under ``"all"``; each sample is read once."""
    scores: dict[str, Score] = {}
    total = Score()
    for folder in folders:
        samples = load_samples(folder)
        readings: dict[str, dict[str, Any] | Exception] = {}
        for sample in samples:
            try:
                readings[sample.name] = parser.parse_file(sample.eml).as_dict()
            except Exception as exc:  # scored as unreadable, with its reason
                readings[sample.name] = exc

        def cached(sample: Sample, readings: dict = readings) -> dict[str, Any]:
            reading = readings[sample.name]
            if isinstance(reading, Exception):
                raise reading
            return reading

        scores[str(folder)] = score(samples, cached)
        score(samples, cached, into=total)
    scores["all"] = total
    return scores


def report_lines(scores: dict[str, Score], baseline: dict[str, Any] | None = None,
                 *, misses: bool = True) -> Iterator[str]:
    """Misses, then the per-kind and per-field tables, then one line per folder."""
    total = scores["all"]
    if misses:
        for name, reason in total.unreadable:
            yield f"unreadable {name}: {reason}"
        for name, want, got in total.kind_misses:
            yield f"kind {name}: expected {want}, got {got}"
        for miss in total.misses:
            yield miss.line()
        yield ""
    yield f"{'kind':20} {'right':>5} {'of':>4}"
    for kind, (right, count) in sorted(total.kinds.items()):
        yield f"{kind:20} {right:5} {count:4}"
    yield ""
    yield f"{'field':24} {'expected':>8} {'right':>6} {'wrong':>6}"
    for name, stats in sorted(total.fields.items()):
        yield f"{name:24} {stats.expected:8} {stats.right:6} {stats.wrong:6}"
    yield ""
    before = (baseline or {}).get("folders", {})
    for folder, result in scores.items():
        yield summary_line(folder, result, before.get(folder))


def summary_line(folder: str, result: Score, before: dict[str, Any] | None) -> str:
    ratios = result.ratios()
    parts = []
    for key, label in (("kind", "kind"), ("fields", "fields"),
                       ("confident_wrong", "confident-wrong")):
        text = f"{label} {ratios[key]:.2f}"
        if before is not None and key in before:
            text += f" ({ratios[key] - before[key]:+.2f})"
        parts.append(text)
    return f"{folder}: {result.messages} messages, " + ", ".join(parts)


def as_json(scores: dict[str, Score]) -> str:
    return json.dumps({"folders": {f: s.as_dict() for f, s in scores.items()}}, indent=2,
                      ensure_ascii=False)
