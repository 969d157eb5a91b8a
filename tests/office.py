"""A tracking team's office in a temporary folder, with a clock the test moves.

Mail is delivered to the Maildir with the arrival time set on the file, as a
mail server would; ``run(at)`` is one ``cme watch --once`` pass at that moment.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from cme.app import App, build_app
from cme.clock import FixedClock, as_london
from cme.config import load_config
from cme.resources import SAMPLES
from register.db import db
from register.models import Case, Deadline, Event, Letter
from tests.conftest import write_config
from tests.fixtures.builders import Email
from watcher.maildir import ensure_maildir
from workflows.letters import read_text

EMAILS = SAMPLES


class Office:
    def __init__(self, folder: Path, extra_config: str = "") -> None:
        self.config_path = write_config(folder, extra_config)
        self.clock = FixedClock(datetime(2026, 2, 9, 9, 0))
        self.app: App = build_app(load_config(self.config_path), self.clock)
        self.maildir = self.app.config.mailbox.path

    def deliver(self, mail: str | bytes, arrived: datetime) -> None:
        raw = (EMAILS / f"{mail}.eml").read_bytes() if isinstance(mail, str) else mail
        key = ensure_maildir(self.maildir).add(raw)
        path = next((self.maildir / "new").glob(f"{key}*"))
        stamp = as_london(arrived).timestamp()
        os.utime(path, (stamp, stamp))

    def run(self, at: datetime):
        self.clock.at = as_london(at)
        mailbox = self.app.open_mailbox()
        try:
            return self.app.daemon(mailbox).run(once=True)
        finally:
            mailbox.close()

    def send(self):
        """Mail what is pending, as a command does after its commit."""
        mailbox = self.app.open_mailbox()
        try:
            return self.app.sender.send_pending()
        finally:
            mailbox.close()

    def close(self) -> None:
        self.app.close()
        db.initialize(None)

    # -- reading the register back ------------------------------------------------
    @staticmethod
    def case(n: int = 0) -> Case:
        return Case.select().order_by(Case.id)[n]

    @staticmethod
    def deadlines(case: Case) -> dict[str, tuple[str, str]]:
        return {d.purpose: (d.due.isoformat(), d.state) for d in case.deadlines}

    @staticmethod
    def letters(case: Case) -> list[str]:
        return [letter.template for letter in case.letters.order_by(Letter.id)]

    @staticmethod
    def letter_text(case: Case, template: str) -> str:
        letter = case.letters.where(Letter.template == template).order_by(Letter.id.desc()).get()
        return read_text(Path(letter.path))

    @staticmethod
    def events(case: Case) -> list[str]:
        return [e.kind for e in case.events.order_by(Event.id)]

    @staticmethod
    def open_deadlines() -> int:
        return Deadline.select().where(Deadline.state == "open").count()


def update_email(reference: str, body: str, serial: int = 1) -> bytes:
    """An ESW's or school's reply quoting a case reference."""
    return Email(
        sender="esw.north@county.example.gov.uk",
        subject=f"RE: {reference}",
        body=f"Dear CME Team,\n\nRe: {reference}\n\n{body}\n\nKind regards\n\n"
             "Hannah Pennyworth\nEducation Social Worker\nEducation Welfare Service\n",
        message_id=f"update-{serial}@county.example.gov.uk",
    ).to_bytes()
