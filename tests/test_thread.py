"""The structure of an email body: own text, forwarded originals, quoted reply.

Every text here is invented for the test; none is copied from a corpus message.
"""

from __future__ import annotations

import pytest

from parsers.readers.text import html_to_text, read_lines, split_quoted
from parsers.readers.thread import split_body

OWN = "Hello team,\n\nPlease see below from our office.\n\nThanks\nAlex Moor\nHill Top School\n"
ORIGINAL = "Dear Alex,\n\nZed Pupil has not been in since Monday.\n\nSam\n"

# The Outlook header block as each language's client writes it: from, sent, to, subject.
HEADER_WORDS = {
    "english": ("From", "Sent", "To", "Subject"),
    "german": ("Von", "Gesendet", "An", "Betreff"),
    "french": ("De\u00a0", "Envoyé\u00a0", "À\u00a0", "Objet\u00a0"),
    "welsh": ("Oddi wrth", "Anfonwyd", "At", "Pwnc"),
    "dutch": ("Van", "Verzonden", "Aan", "Onderwerp"),
    "spanish": ("De", "Enviado", "Para", "Asunto"),
    "italian": ("Da", "Inviato", "A", "Oggetto"),
    "polish": ("Od", "Wysłano", "Do", "Temat"),
}


def block(language: str, sender: str = "Sam Pike <sam.pike@example.org>",
          subject: str = "Pupil not in school", *, rule: bool = True) -> str:
    from_, sent, to, subject_word = HEADER_WORDS[language]
    head = "________________________________\n" if rule else ""
    return (f"{head}{from_}: {sender}\n{sent}: 03 March 2026 09:12\n"
            f"{to}: Alex Moor <a.moor@example.org>\n{subject_word}: {subject}\n\n")


@pytest.mark.parametrize("language", sorted(HEADER_WORDS))
@pytest.mark.parametrize("rule", [True, False], ids=["rule", "no-rule"])
def test_an_outlook_forward_in_each_language(language: str, rule: bool) -> None:
    body = split_body(OWN + "\n" + block(language, rule=rule) + ORIGINAL, subject="FW: Pupil")
    assert "Hill Top School" in body.own and "Zed Pupil" not in body.own
    [original] = body.forwarded
    assert original.headers["from"] == "Sam Pike <sam.pike@example.org>"
    assert original.headers["sent"] == "03 March 2026 09:12"
    assert original.headers["subject"] == "Pupil not in school"
    assert original.text.startswith("Dear Alex,") and "Zed Pupil has not been in" in original.text
    assert body.quoted == ""


@pytest.mark.parametrize("language", sorted(HEADER_WORDS))
def test_an_outlook_reply_in_each_language_is_quoted(language: str) -> None:
    text = "Hi Sam,\n\nShe is back.\n\nAlex\n\n" + block(language) + "Dear Alex,\nAny news?\n"
    body = split_body(text, subject="RE: Pupil")
    assert body.own.strip().endswith("Alex") and body.forwarded == ()
    assert "Any news?" in body.quoted and "Sam Pike" in body.quoted


WROTE = {
    "english": "On Tue, 3 Mar 2026 at 09:12, Sam Pike <sam.pike@example.org> wrote:",
    "german": "Am Di., 3. März 2026 um 09:12 Uhr schrieb Sam Pike <sam.pike@example.org>:",
    "french": "Le mar. 3 mars 2026 à 09:12, Sam Pike <sam.pike@example.org> a écrit :",
    "welsh": "Ar Maw, 3 Maw 2026 am 09:12, ysgrifennodd Sam Pike <sam.pike@example.org>:",
    "dutch": "Op di 3 mrt 2026 om 09:12 schreef Sam Pike <sam.pike@example.org>:",
    "spanish": "El mar, 3 mar 2026 a las 09:12, Sam Pike (<sam.pike@example.org>) escribió:",
    "italian": "Il giorno mar 3 mar 2026 alle ore 09:12 Sam Pike <sam.pike@example.org> "
               "ha scritto:",
    "polish": "wt., 3 mar 2026 o 09:12 Sam Pike <sam.pike@example.org> napisał(a):",
}


@pytest.mark.parametrize("language", sorted(WROTE))
def test_a_top_posted_wrote_reply_in_each_language(language: str) -> None:
    text = (f"Yes, he is back.\n\nAlex Moor\n\n{WROTE[language]}\n"
            "Dear Alex,\nAny news on Zed?\nSam\n")
    body = split_body(text)
    assert "Alex Moor" in body.own and "Any news" not in body.own
    assert "Any news on Zed?" in body.quoted and body.forwarded == ()


def test_a_bottom_posted_reply_keeps_the_answer_below_the_quote() -> None:
    text = ("On Tue, 3 Mar 2026 at 09:12, Kim Lowe <\nk.lowe@example.org> wrote:\n\n"
            "> Dear Alex,\n> Any news on Zed?\n> Kim\n\nHi Kim,\n\nZed is back.\n\nAlex Moor\n")
    body = split_body(text)
    assert "Zed is back." in body.own and "Alex Moor" in body.own
    assert "Any news" not in body.own and "> Any news on Zed?" in body.quoted
    assert "k.lowe@example.org> wrote:" in body.quoted  # the intro wrapped over two lines


def test_interleaved_answers_are_the_writers_own() -> None:
    text = ("Hi Kim,\n\nMy answers are below.\n\nOn 3 Mar 2026, Kim Lowe wrote:\n"
            "> 1. Is Zed in school?\n\nNo, not since Monday.\n\n> 2. A new phone number?\n\n"
            "Yes: 07700 900 111.\n\n> Kind regards\n> Kim Lowe\n> CME Officer\n\nThanks,\nAlex\n")
    body = split_body(text)
    for answer in ("No, not since Monday.", "Yes: 07700 900 111.", "Thanks,\nAlex"):
        assert answer in body.own
    assert "Kim Lowe" not in body.own and "CME Officer" not in body.own
    assert "> 1. Is Zed in school?" in body.quoted and "> CME Officer" in body.quoted


def test_quoted_lines_without_an_intro() -> None:
    body = split_body("See my note.\n> an earlier line\n> another\nAlex")
    assert body.own == "See my note.\nAlex" and body.quoted == "> an earlier line\n> another"


def test_a_gmail_forward_of_a_forward_gives_two_originals() -> None:
    text = (OWN + "\n---------- Forwarded message ---------\n"
            "From: Kim Lowe <k.lowe@example.org>\nDate: Wed, 4 Mar 2026 at 16:20\n"
            "Subject: Fwd: Zed\nTo: Alex Moor <a.moor@example.org>\n\n\nAlex,\n\n"
            "Details below.\n\nKim\n\n---------- Forwarded message ---------\n"
            "From: Sam Pike <sam.pike@example.org>\nDate: Tue, 3 Mar 2026 at 08:41\n"
            "Subject: Zed\nTo: Kim Lowe <k.lowe@example.org>\n\n\nZed has not been in.\n")
    body = split_body(text)
    first, second = body.forwarded
    assert first.headers["from"].startswith("Kim Lowe") and "Details below." in first.text
    assert "Zed has not been in" not in first.text
    assert second.headers["from"].startswith("Sam Pike") and second.text == "Zed has not been in."
    assert "Details below" not in body.own


def test_an_outlook_forward_of_a_forward_follows_each_subject() -> None:
    text = (OWN + "\n" + block("english", "Kim Lowe <k@example.org>", "FW: Zed")
            + "Kim's note about Zed.\n\nKim\n\n"
            + block("english", "Sam Pike <s@example.org>", "Zed") + "Sam's first note.\n")
    body = split_body(text)
    assert [f.headers["from"] for f in body.forwarded] == ["Kim Lowe <k@example.org>",
                                                           "Sam Pike <s@example.org>"]
    assert body.forwarded[1].text == "Sam's first note."


def test_a_forwarded_reply_keeps_its_quote_apart() -> None:
    text = (OWN + "\n" + block("english", "Parent <p@example.org>", "RE: Zed")
            + "We have moved to Leeds.\n\n" + block("english", "Alex Moor <a@example.org>", "Zed")
            + "Dear parent, where is Zed?\n")
    body = split_body(text)
    [original] = body.forwarded
    assert original.text == "We have moved to Leeds." and "where is Zed?" in body.quoted


@pytest.mark.parametrize("intro", [
    "Begin forwarded message:",
    "Anfang der weitergeleiteten Nachricht:",
    "Début du message réexpédié :",
    "Inizio messaggio inoltrato:",
])
def test_an_apple_forward_is_unquoted(intro: str) -> None:
    text = (OWN + "\nSent from my iPhone\n\n" + intro + "\n\n"
            "> From: Sam Pike <sam.pike@example.org>\n> Date: 3 March 2026 at 09:12:11 GMT\n"
            "> To: a.moor@example.org\n> Subject: Zed\n>\n> Dear Alex,\n>\n> Zed is away.\n")
    body = split_body(text)
    [original] = body.forwarded
    assert original.headers == {"from": "Sam Pike <sam.pike@example.org>",
                                "sent": "3 March 2026 at 09:12:11 GMT",
                                "to": "a.moor@example.org", "subject": "Zed"}
    assert original.text == "Dear Alex,\n\nZed is away."


def test_without_a_subject_the_writers_words_tell_a_forward_from_a_reply() -> None:
    forward = "Please see the email below.\n\nAlex\n\n" + block("english") + ORIGINAL
    reply = "She is back today.\n\nAlex\n\n" + block("english") + ORIGINAL
    answers = "See my answers below.\n\nAlex\n\n" + block("english") + ORIGINAL
    assert len(split_body(forward).forwarded) == 1
    assert split_body(reply).forwarded == () and "Zed Pupil" in split_body(reply).quoted
    assert split_body(answers).forwarded == ()
    # "no forwarding address" is no forward.
    moved = "They left with no forwarding address.\n\n" + block("english") + ORIGINAL
    assert split_body(moved).forwarded == ()


def test_label_lines_in_a_letter_are_no_header_block() -> None:
    text = "To: The Head Teacher\nDate: 3 March 2026\n\nDear Sir,\nPlease remove my son.\n"
    assert split_body(text).own == text and split_body(text).quoted == ""


def test_an_html_blockquote_is_a_quote() -> None:
    html = ("<div>Zed is back.</div><div>Alex</div><div>On Mon, 2 Mar 2026, Kim Lowe "
            "&lt;k@example.org&gt; wrote:<br></div><blockquote><div>Any news?</div>"
            "<blockquote><div>older</div></blockquote></blockquote>")
    body = split_body(html_to_text(html))
    assert "Any news" not in body.own and "> Any news?" in body.quoted
    assert "> > older" in body.quoted


def test_split_quoted_keeps_its_three_strings() -> None:
    own, forwarded, quoted = split_quoted(OWN + "\n" + block("german") + ORIGINAL)
    assert "Hill Top School" in own and quoted == ""
    assert forwarded.startswith("From: Sam Pike") and "Zed Pupil" in forwarded


def test_a_forwarded_original_is_read_as_label_lines() -> None:
    text = (OWN + "\n" + block("english", subject="CME notification")
            + "Pupil name: Zed Pupil\nDate of birth: 01/02/2016\n\nRegards\nSam Pike\n"
              "Attendance Officer\nLow Moor Academy\n")
    extract = read_lines(text, subject="FW: CME notification")
    pairs = {(p.label, p.value, p.section) for p in extract.pairs}
    assert ("Pupil name", "Zed Pupil", "") in pairs
    assert ("Signed", "Alex Moor", "sign-off") in pairs
    assert ("Signed", "Sam Pike", "forwarded sign-off") in pairs
    assert ("Organisation", "Low Moor Academy", "forwarded sign-off") in pairs
    assert "Subject: CME notification" in extract.text
    assert extract.new_text is not None and "Zed Pupil" not in extract.new_text
