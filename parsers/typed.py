"""Typed values found anywhere in a document's text, whatever its layout.

A school's DfE number (LAESTAB) and URN are written in signatures, letterheads
and sentences as often as in a form's box: "DfE 941/7032   URN 118921",
"Brookvale Academy (962/4101)", "School: Oakfield Lane Primary DfE No.
921/2240". Their own words say what they are, so they are found by pattern in
every line and offered below a form's labelled box.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsers.mapping import Candidate

SCORE = 0.8  # a form's own box (1.0) outranks a number met in passing

_LAESTAB = re.compile(
    r"\b(?:DfE|LAESTAB|LA\s*Estab|LA/Estab|Estab(?:lishment)?)\s*(?:No\.?|Number|Num|#|Ref)?"
    r"\s*[:.]?\s*(?P<v>\d{3}\s*[/\-. ]?\s*\d{4})(?!\d)", re.IGNORECASE)
_URN = re.compile(r"\bURN\s*(?:No\.?|Number|#)?\s*[:.]?\s*(?P<v>\d{6})(?!\d)", re.IGNORECASE)
_AFTER_SCHOOL = re.compile(
    r"\b(?:School|Academy|College|Primary|Infants?|Juniors?)\s*\((?P<v>\d{3}\s*/\s*\d{4})\)")


def typed_candidates(text: str) -> Iterator[Candidate]:
    """The school numbers ``text`` states, each with where it was found."""
    for n, line in enumerate(text.splitlines(), 1):
        for pattern, field, score in ((_LAESTAB, "school_laestab", SCORE),
                                      (_AFTER_SCHOOL, "school_laestab", SCORE * 0.9),
                                      (_URN, "school_urn", SCORE)):
            for found in pattern.finditer(line):
                yield Candidate(field, found.group("v"), score, f"text line {n}", "typed")
