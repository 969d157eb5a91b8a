"""The words mail programs write around a reply or a forward, in each language.

Data, not rules: ``thread.py`` reads a body's structure with these tables.
quotequail knows the English, German, French, Spanish, Dutch, Swedish and
Portuguese intro lines ("On ... wrote:", "Begin forwarded message:"); the
tables below add what it lacks (Welsh, Italian, Polish and the Outlook header
block in every language), so that a council's mail from a client set to any of
these languages reads the same. Add a language by adding its words here.
"""

from __future__ import annotations

import re

# Outlook and webmail header blocks: the label each client writes, by the
# canonical header it stands for. Matched without case, with or without a
# space (or no-break space) before the colon, as French clients write it.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "from": ("from", "von", "de", "oddi wrth", "van", "da", "od", "fra", "från",
             "expéditeur", "absender", "remitente", "mittente", "nadawca"),
    "sent": ("sent", "date", "gesendet", "datum", "envoyé", "envoyé le", "anfonwyd",
             "dyddiad", "verzonden", "verstuurd", "enviado", "enviado el", "fecha",
             "inviato", "data", "wysłano", "sendt", "skickat", "enviada em"),
    "to": ("to", "an", "à", "at", "aan", "para", "a", "do", "til", "till", "destinataire"),
    "cc": ("cc", "kopie", "copie", "dw", "kopia", "cco", "bcc"),
    "subject": ("subject", "betreff", "objet", "sujet", "pwnc", "onderwerp", "asunto",
                "oggetto", "temat", "emne", "ämne", "assunto"),
    "other": ("reply-to", "importance", "attachments", "wichtigkeit", "anlagen",
              "priorité", "pièces jointes", "pwysigrwydd", "urgenza", "ważność"),
}

# Lines that open a forwarded original, beyond those quotequail knows.
FORWARD_MARKERS = (
    "forwarded message", "weitergeleitete nachricht", "message transféré",
    "mensaje reenviado", "doorgestuurd bericht", "messaggio inoltrato",
    "wiadomość przekazana dalej", "neges wedi'i hanfon ymlaen",
    "begin forwarded message", "anfang der weitergeleiteten nachricht",
    "début du message réexpédié", "inicio del mensaje reenviado",
    "begin doorgestuurd bericht", "inizio messaggio inoltrato",
    "początek przekazanej wiadomości", "dechrau'r neges a anfonwyd ymlaen",
)
# Lines that open an earlier message whose kind (reply or forward) the
# subject line tells: Outlook writes them for both.
ORIGINAL_MARKERS = (
    "original message", "ursprüngliche nachricht", "message d'origine",
    "mensaje original", "oorspronkelijk bericht", "messaggio originale",
    "wiadomość oryginalna", "oryginalna wiadomość", "neges wreiddiol",
)
# "On <date>, <person> wrote:" in the languages quotequail does not know.
WROTE_LINES = (
    re.compile(r"^ar .{4,200}ysgrifennodd .{2,200}:$", re.IGNORECASE),  # Welsh
    re.compile(r"^(?:il giorno )?.{4,200} ha scritto:$", re.IGNORECASE),  # Italian
    re.compile(r"^.{4,200} (?:napisał|napisała|napisał\(a\)|pisze):$", re.IGNORECASE),  # Polish
    re.compile(r"^.{4,200} skrev .{0,120}:$", re.IGNORECASE),  # Danish, Norwegian, Swedish
)

# Subject prefixes: the first one says what the message does with the one below.
FORWARD_PREFIXES = ("fw", "fwd", "wg", "tr", "rv", "i", "pd", "doorst", "enc", "vl")
REPLY_PREFIXES = ("re", "aw", "atb", "antw", "odp", "r", "sv", "vs")
SUBJECT_PREFIX = re.compile(r"^\s*\[?([a-zéí]{1,6})\s*:", re.IGNORECASE)

# Words in the writer's own text that say the message below is passed on.
FORWARD_CUES = re.compile(
    r"\b(?:(?:please )?see (?:the )?(?:\w+ )?(?:below|attached|(?:e-?mail|message|letter) below)"
    r"|please find below|below from|forward(?:ing|ed)\b(?!\s+(?:address|details))"
    r"|passing (?:this )?on|sending (?:this )?on|send(?:ing)? this on|fyi)\b",
    re.IGNORECASE,
)
# ... unless they are the writer's own answers below ("see my answers below").
ANSWER_CUES = re.compile(
    r"\b(?:my|our) (?:answers|replies|responses|comments)\b|\banswers below\b", re.IGNORECASE
)


def _header_pattern() -> re.Pattern[str]:
    words = sorted({w for ws in HEADER_WORDS.values() for w in ws}, key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"[ \u00a0]") for w in words)
    return re.compile(
        rf"^\s*\**(?P<word>{alternatives})\**[ \u00a0]?:\**[ \u00a0]*(?P<value>.*)$",
        re.IGNORECASE,
    )


HEADER_LINE = _header_pattern()
CANONICAL = {w: name for name, ws in HEADER_WORDS.items() for w in ws}


def header(line: str) -> tuple[str, str] | None:
    """``("from", "Sam <s@x.org>")`` for a header line in any known language."""
    found = HEADER_LINE.match(line)
    if not found:
        return None
    word = " ".join(found.group("word").replace("\u00a0", " ").lower().split())
    return CANONICAL[word], found.group("value").strip().strip("*").strip()


def subject_says(subject: str) -> str | None:
    """``"forward"``, ``"reply"`` or None, from a subject's first prefix."""
    found = SUBJECT_PREFIX.match(subject)
    if not found:
        return None
    prefix = found.group(1).lower()
    if prefix in FORWARD_PREFIXES:
        return "forward"
    if prefix in REPLY_PREFIXES:
        return "reply"
    return None


def marker(line: str) -> str | None:
    """``"forward"``, ``"original"`` or ``"wrote"`` for a line our tables know."""
    text = " ".join(line.replace("\u00a0", " ").strip(" >*").split()).lower()
    if not text or len(text) > 300:
        return None
    bare = text.strip("-_=: ").strip()
    if bare in FORWARD_MARKERS:
        return "forward"
    if bare in ORIGINAL_MARKERS:
        return "original"
    if text.endswith(":") and any(p.match(text) for p in WROTE_LINES):
        return "wrote"
    return None
