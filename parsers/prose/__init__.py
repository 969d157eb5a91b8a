"""Fields from prose: emails and letters written as sentences, whatever their kind.

DESIGN.md, "Parsing: evidence first, kind last". The text is cut into the
writer's part and any forwarded message (``text.py``), then into sentences.
Each rule finds values of one type by their shape (dates, phones, postcodes,
year groups, school names, flag phrases) and gives each to its owner from the
cue words in its sentence (``context.py``): the child, a parent, a sibling,
the writer. What the evidence does not settle is left out or scored low, so
that it goes to review rather than into the register.

The words are data (``prose.toml`` in the templates); no statistical model is
loaded. Prose candidates score below a form's labels (0.45..0.85), so a form
or a "Label: value" line says it better whenever it says it at all.
"""

from __future__ import annotations

from datetime import date

from parsers.mapping import Candidate
from parsers.prose.context import Context, read_context
from parsers.prose.facts import date_candidates, gender_candidates, upn_candidates, year_candidates
from parsers.prose.flags import flag_candidates
from parsers.prose.outcome import ground_candidates, outcome_candidates
from parsers.prose.people import parent_candidates, parent_writer
from parsers.prose.places import address_candidates, school_candidates
from parsers.prose.reason import reason_candidates
from parsers.prose.vocabulary import ProseVocabulary, load_prose_vocabulary, shipped_vocabulary

__all__ = ["ProseVocabulary", "load_prose_vocabulary", "prose_candidates"]

RULES = (
    date_candidates, year_candidates, gender_candidates, upn_candidates, parent_candidates,
    flag_candidates, address_candidates, school_candidates, reason_candidates,
    outcome_candidates, ground_candidates,
)


def prose_candidates(
    text: str,
    *,
    subject: str = "",
    sent: date | None = None,
    sender: str | None = None,
    quoted: str = "",
    vocabulary: ProseVocabulary | None = None,
    kind_hint: str = "",
) -> list[Candidate]:
    """Candidates read from a part's own text (and the forwarded messages in it).

    ``subject`` is the email's subject line, ``sent`` the email's date (a date
    written without a year takes its year; without it such dates are left
    out), ``sender`` the From address (the parent's email when the writer
    speaks as the parent). ``quoted`` is read only when the subject says the
    email is a forward: a reply's quoted text is the LA's own, never read.
    ``kind_hint`` is ignored: fields are read whatever the kind.
    """
    del kind_hint
    vocab = vocabulary or shipped_vocabulary()
    context = read_context(text, vocab, subject=subject, sent=sent, sender=sender, quoted=quoted)
    out = _child(context)
    for rule in RULES:
        out.extend(rule(context))
    return out


def _child(context: Context) -> list[Candidate]:
    child = context.child
    if child is None:
        return []
    score = round(child.score, 2)
    out = [Candidate("child_forenames", child.forenames, score, "prose", "child")]
    if child.surname:
        out.append(Candidate("child_surname", child.surname, score, "prose", "child"))
    elif (implied := _implied_surname(context)):
        out.append(Candidate("child_surname", implied, 0.45, "prose", "a parent's surname"))
    return out


def _implied_surname(context: Context) -> str:
    """"Marcus Reid ... my son Jaylen": the child's surname is likely the writer's."""
    for n, segment in enumerate(context.segments):
        if context.parent_wrote(n):
            for candidate in parent_writer(context, n, segment):
                words = candidate.raw.split()
                if candidate.field == "parent_name" and len(words) >= 2:
                    return words[-1]
    return ""
