"""The transactional outbox: letters recorded in the transaction, mailed after it, once.

Real Maildir, real register, fixed clocks. A crash is a ``BaseException``
raised by a mailbox wrapper at the edge right after a mail has left, which is
the window the stable Message-ID is for.
"""

from __future__ import annotations

import email
import io
import sqlite3
from datetime import datetime
from email import policy
from pathlib import Path

import pytest
from docx import Document

from register.db import db, migrate_to_latest, open_database
from register.models import Case, Child, DailyDigest, Event, Letter
from register.states import LetterState
from tests.office import Office
from watcher.mailbox import MailboxError, OutboundMail
from watcher.maildir import sent_name
from workflows.letters import read_text

MON_9_FEB = datetime(2026, 2, 9, 9, 30)
# Sample schools write from under example.sch.uk: the LA's own domain here, so
# their letters are mailed rather than held for an unknown sender.
TRUSTED = '\n[team]\nemail = "cme-team@example.sch.uk"\n'
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


class Killed(BaseException):
    """The process dies here (SIGKILL does not run ``except Exception``)."""


class DiesAfterSending:
    """The real mailbox, but the process dies right after the first mail has left."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def send(self, outbound: OutboundMail) -> None:
        self.inner.send(outbound)
        raise Killed


class CannotSend(DiesAfterSending):
    def send(self, outbound: OutboundMail) -> None:
        raise MailboxError("smtp: connection refused")


@pytest.fixture
def office(tmp_path):
    office = Office(tmp_path, TRUSTED + '\n[parsing]\ntemplates = "templates"\n')
    yield office
    office.close()


def sent_mail(office: Office) -> list[Path]:
    return sorted((office.app.config.outbox.path / "mail").glob("*.eml"))


def mails_of(office: Office, letter: Letter) -> list[Path]:
    """Every file in the sent folder carrying this letter's Message-ID."""
    return [path for path in sent_mail(office)
            if email.message_from_bytes(path.read_bytes(), policy=policy.default)["Message-ID"]
            == letter.message_id]


def states() -> dict[str, str]:
    return {letter.template: letter.state for letter in Letter.select().order_by(Letter.id)}


def open_case(office: Office) -> Case:
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    return office.case()


def test_letters_are_recorded_pending_and_mailed_after_the_commit(office):
    case = open_case(office)
    letters = list(case.letters.order_by(Letter.id))
    assert [x.template for x in letters] == ["acknowledgement_school", "esw_enquiry_request"]
    for letter in letters:
        assert letter.state == LetterState.SENT and letter.sent_at is not None
        assert letter.message_id == f"<letter-{letter.id}.{letter.message_id[-21:-5]}@cme>"
        assert letter.source_id == case.source_id
        [mail] = mails_of(office, letter)
        assert mail.name == f"{sent_name(letter.message_id)}.eml"
        assert "Milo Thistlewood" in read_text(Path(letter.path))
    assert len({x.message_id for x in letters}) == 2
    assert [e.detail["letter"] for e in case.events if e.kind == "letter_mailed"] == \
        [x.id for x in letters]


def test_a_rolled_back_transaction_mails_nothing(office):
    case = open_case(office)
    before = sent_mail(office)
    with pytest.raises(RuntimeError), db.atomic():
        office.app.workflow.close(case, "child located", office.clock.now(), actor="team")
        raise RuntimeError("a later step fails: the whole transaction goes")
    assert office.send().sent == 0
    assert sent_mail(office) == before and Letter.select().count() == 2
    assert Case.get_by_id(case.id).status == "open"


def test_the_sender_refuses_to_run_inside_a_transaction(office):
    open_case(office)
    with pytest.raises(RuntimeError, match="after the commit"), db.atomic():
        Letter.update(state=LetterState.PENDING).execute()
        office.app.sender.send_pending()


def test_a_crash_between_sending_and_marking_does_not_send_again(office):
    case = open_case(office)
    with db.atomic():
        office.app.workflow.close(case, "child located", office.clock.now(), actor="team")
    closing = case.letters.order_by(Letter.id.desc()).get()
    real = office.app.open_mailbox()
    office.app.sender.mailbox = DiesAfterSending(real)
    with pytest.raises(Killed):
        office.app.sender.send_pending()
    assert Letter.get_by_id(closing.id).state == LetterState.PENDING  # mailed, not marked
    assert len(mails_of(office, closing)) == 1
    office.app.sender.mailbox = real  # the restart
    mailed = office.app.sender.send_pending()
    real.close()
    assert (mailed.sent, mailed.recovered) == (0, 1)
    assert Letter.get_by_id(closing.id).state == LetterState.SENT
    assert len(mails_of(office, closing)) == 1  # still one mail
    recovered = [e.detail for e in case.events if e.kind == "letter_mailed"][-1]
    assert recovered == {"letter": closing.id, "message_id": closing.message_id,
                         "recovered": True}


def test_a_broken_template_fails_its_letter_alone_and_mails_once_when_fixed(office, tmp_path):
    broken = tmp_path / "templates/letters/acknowledgement_school.docx"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not a Word document")
    case = open_case(office)
    assert states() == {"acknowledgement_school": "failed", "esw_enquiry_request": "sent"}
    failed = case.letters.where(Letter.state == LetterState.FAILED).get()
    assert "acknowledgement_school.docx is not a readable Word document" in failed.error
    assert not Path(failed.path).exists()
    assert not list(Path(failed.path).parent.glob(".*"))  # no temporary file left
    office.run(datetime(2026, 2, 9, 11, 0))  # the daemon does not retry a broken template
    assert states()["acknowledgement_school"] == "failed" and mails_of(office, failed) == []

    broken.unlink()  # fixed: the shipped template is found again on the search path
    assert office.app.sender.requeue_failed(source_id=case.source_id) == [failed.id]
    assert office.send().sent == 1
    assert office.send().sent == 0 and office.app.sender.requeue_failed() == []
    assert states() == {"acknowledgement_school": "sent", "esw_enquiry_request": "sent"}
    assert len(mails_of(office, Letter.get_by_id(failed.id))) == 1
    assert "Milo Thistlewood" in read_text(Path(failed.path))


def test_a_mail_that_cannot_be_built_fails_alone(office):
    case = open_case(office)
    with db.atomic():
        bad = office.app.workflow.outbox.letter(case, "esw_chase", "esw", office.clock.now())
        bad.recipients = ["esw@localhost\r\nBcc: someone@example.invalid"]  # no header takes it
        bad.save()
        good = office.app.workflow.outbox.letter(case, "case_closed", "school", office.clock.now())
    mailed = office.send()
    assert (mailed.sent, mailed.failed) == (1, 1)
    assert Letter.get_by_id(bad.id).state == LetterState.FAILED
    assert Letter.get_by_id(bad.id).error.startswith("ValueError: ")
    assert mails_of(office, bad) == [] and len(mails_of(office, good)) == 1


def test_held_letters_wait_until_released(office):
    case = open_case(office)
    with db.atomic():
        row = office.app.workflow.outbox.letter(case, "esw_chase", "esw", office.clock.now())
        row.state = LetterState.HELD  # as the trust rules hold it
        row.save()
    assert office.send().sent == 0 and mails_of(office, row) == []
    Letter.update(state=LetterState.PENDING).where(Letter.id == row.id).execute()  # released
    assert office.send().sent == 1 and len(mails_of(office, row)) == 1


def test_a_mailbox_that_cannot_send_leaves_the_letters_pending(office):
    case = open_case(office)
    with db.atomic():
        office.app.workflow.close(case, "child located", office.clock.now(), actor="team")
        office.app.workflow.outbox.letter(case, "esw_chase", "esw", office.clock.now())
    real = office.app.open_mailbox()
    office.app.sender.mailbox = CannotSend(real)
    mailed = office.app.sender.send_pending()
    assert mailed.unavailable == "smtp: connection refused" and mailed.sent == 0
    waiting = list(Letter.select().where(Letter.state == LetterState.PENDING).order_by(Letter.id))
    assert [x.error for x in waiting] == ["not mailed yet: smtp: connection refused", None]
    office.app.sender.mailbox = real
    assert office.app.sender.send_pending().sent == 2
    real.close()
    assert all(len(mails_of(office, x)) == 1 for x in Letter.select())


def test_what_a_killed_render_left_is_removed_before_the_next(office):
    case = open_case(office)
    with db.atomic():
        row = office.app.workflow.outbox.letter(case, "esw_chase", "esw", office.clock.now())
    letter = Path(row.path)
    letter.parent.mkdir(parents=True, exist_ok=True)
    (letter.parent / f".{letter.stem}.k2j4.tmp").write_bytes(b"half a letter")
    (letter.parent / f".{letter.stem}.soffice-x1").mkdir()
    (letter.parent / f".{letter.stem}.soffice-x1" / "registrymodifications.xcu").write_text("x")
    mail = office.app.config.outbox.path / "mail"
    (mail / f".{sent_name(row.message_id)}.999.tmp").write_bytes(b"half a mail")
    assert office.send().sent == 1
    assert not list(letter.parent.glob(".*")) and not list(mail.glob(".*"))
    assert len(mails_of(office, row)) == 1


def test_a_rebuilt_register_mails_its_own_letters(tmp_path):
    first = Office(tmp_path, TRUSTED)
    try:
        open_case(first)
        old = {x.message_id for x in Letter.select()}
    finally:
        first.close()
    for path in (tmp_path / "var").glob("register.db*"):
        path.unlink()  # rebuilt from nothing: row ids start again, the sent mail stays
    again = Office(tmp_path, TRUSTED)
    try:
        open_case(again)
        letters = list(Letter.select())
        assert [x.id for x in letters] == [1, 2] and {x.state for x in letters} == {"sent"}
        assert not old & {x.message_id for x in letters}
        assert all(len(mails_of(again, x)) == 1 for x in letters)
        assert len([p for p in sent_mail(again) if p.name.startswith("letter-")]) == 4
    finally:
        again.close()


def test_a_second_send_of_one_message_id_is_a_second_mail(tmp_path):
    from watcher.maildir import MaildirMailbox

    box = MaildirMailbox(tmp_path / "mailbox", sent_path=tmp_path / "sent")
    mail = OutboundMail(("team@example.invalid",), "subject", "body",
                        message_id="<letter-7.0123abcd@cme>")
    assert not box.was_sent("<letter-7.0123abcd@cme>")
    box.send(mail)
    assert box.was_sent("<letter-7.0123abcd@cme>")
    box.send(mail)  # a sender that forgot to ask: the duplicate shows, it is not hidden
    box.close()
    assert sorted(p.name for p in (tmp_path / "sent").iterdir()) == [
        "letter-7.0123abcd@cme.eml", "letter-7.0123abcd@cme~2.eml"]
    assert sent_name("<odd id/../x@host>").startswith("id-")


def test_the_digest_is_recorded_once_a_day_and_mailed_through_the_outbox(office):
    office.run(datetime(2026, 2, 9, 6, 0))
    assert DailyDigest.select().count() == 0  # before digest_hour
    office.run(datetime(2026, 2, 9, 7, 5))
    office.run(datetime(2026, 2, 9, 15, 0))
    [digest] = DailyDigest.select()
    assert digest.state == LetterState.SENT and digest.day.isoformat() == "2026-02-09"
    [mail] = [p for p in sent_mail(office) if p.name.startswith("digest-2026-02-09.")]
    parsed = email.message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "CME daily digest Monday 9 February 2026"
    assert parsed["Message-ID"] == digest.message_id


def test_bidi_controls_never_reach_a_letter_a_subject_or_a_file_name(office):
    case = open_case(office)
    with db.atomic():
        child = Child.get_by_id(case.child_id)
        child.surname = f"Thistle{BIDI}wood"
        child.save()
        case.reference = f"CME-2026-{BIDI}00001"
        case.details = {**case.details, "reason": f"Moved{BIDI} away \u202egpj.exe"}
        case.save()
        row = office.app.workflow.outbox.letter(case, "esw_enquiry_request", "esw",
                                                office.clock.now())
    assert office.send().sent == 1
    row = Letter.get_by_id(row.id)
    assert not set(BIDI) & set(row.path) and not set(BIDI) & set(str(row.context))
    text = read_text(Path(row.path))
    assert "Thistlewood" in text and "Moved away gpj.exe" in text
    [mail] = mails_of(office, row)
    parsed = email.message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "[CME-2026-00001] esw enquiry request"
    assert not set(BIDI) & set(parsed.get_body(("plain",)).get_content())
    for part in parsed.iter_attachments():
        assert not set(BIDI) & set(part.get_filename())
        assert Document(io.BytesIO(part.get_content()))  # a readable letter


def test_an_upgraded_register_keeps_its_old_letters_as_sent(tmp_path):
    from playhouse.migrations import Runner

    from register.db import MIGRATIONS_DIR

    path = tmp_path / "old.db"
    database = open_database(f"sqlite:///{path}")
    database.connect()
    runner = Runner(database, str(MIGRATIONS_DIR))
    names = [m.name for m in runner.migrations()]
    runner.up(target=names[names.index("0005_letter_outbox") - 1])
    database.execute_sql(
        "INSERT INTO child (surname, forenames, created_at) VALUES ('X', 'Y', '2026')")
    database.execute_sql("INSERT INTO \"case\" (reference, kind, status, state, child_id, opened)"
                         " VALUES ('CME-2026-00001', 'cme_notification', 'open', 'open', 1,"
                         " '2026-02-09')")
    for _ in (1, 2):
        database.execute_sql("INSERT INTO letter (case_id, template, recipients, path, "
                             "created_at) VALUES (1, 'case_closed', '[]', 'x.docx', "
                             "'2026-02-09T10:00:00.000000+00:00')")
    database.execute_sql("INSERT INTO event (kind, at, actor, detail) VALUES ('digest', "
                         "'2026-02-09T07:05:00.000000+00:00', 'cme', "
                         "'{\"date\": \"2026-02-09\", \"text\": \"Daily digest\"}')")
    migrate_to_latest(database)
    database.close()
    with sqlite3.connect(path) as conn:
        letters = conn.execute("SELECT id, state, message_id FROM letter").fetchall()
        digests = conn.execute("SELECT day, state, text FROM daily_digest").fetchall()
    assert [(i, s) for i, s, _ in letters] == [(1, "sent"), (2, "sent")]
    assert all(m.startswith(f"<letter-{i}.") and m.endswith("@cme>") for i, _, m in letters)
    assert len({m for _, _, m in letters}) == 2
    assert digests == [("2026-02-09", "sent", "Daily digest")]


def test_events_of_the_outbox(office, tmp_path):
    broken = tmp_path / "templates/letters/esw_enquiry_request.docx"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"junk")
    case = open_case(office)
    kinds = [e.kind for e in case.events.order_by(Event.id) if e.kind.startswith("letter")]
    assert kinds == ["letter", "letter", "letter_mailed", "letter_failed"]
