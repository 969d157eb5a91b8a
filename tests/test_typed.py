"""School numbers found in any line of text, and forms' shared boxes split."""

from __future__ import annotations

import pytest

from parsers.document import Pair
from parsers.mapping import split_combined
from parsers.typed import typed_candidates


@pytest.mark.parametrize(("line", "field", "value"), [
    ("URN 141236 · DfE 941 4118", "school_laestab", "941 4118"),
    ("DfE 941/7032   URN 118921", "school_urn", "118921"),
    ("a Year 8 girl at Brookvale Academy (962/4101) who", "school_laestab", "962/4101"),
    ("School: Oakfield Lane Primary School DfE No. 921/2240 To: the council", "school_laestab",
     "921/2240"),
])
def test_school_numbers_in_passing(line, field, value):
    found = {(c.field, c.raw) for c in typed_candidates(line)}
    assert (field, value) in found


def test_phone_numbers_and_upns_are_not_school_numbers():
    assert list(typed_candidates("Tel 01632 960 143, UPN B962331824011, ref 123/4567")) == []


def test_a_shared_box_is_two_pairs_and_a_date_is_not_split():
    pairs = split_combined(Pair("DfE no. / URN", "962 2044 / 990148"))
    assert [(p.label, p.value) for p in pairs] == [("DfE no.", "962 2044"), ("URN", "990148")]
    assert split_combined(Pair("Date of birth", "03/04/2015")) == [
        Pair("Date of birth", "03/04/2015")]
