"""What the EWS backend does beyond the contract: sync state, streaming, catch-up."""

from __future__ import annotations

import time

import pytest

from cme.config import MailboxConfig
from register.db import bind, db
from tests.fake_ews import PASSWORD, USER, FakeEws
from tests.mailtools import simple_email
from watcher.ews import EwsMailbox
from watcher.mailbox import Outcome
from watcher.state import MailboxState


@pytest.fixture
def fake(tmp_path):
    bind(f"sqlite:///{tmp_path}/register.db")
    server = FakeEws().start()
    yield server
    server.stop()
    db.obj.close()
    db.initialize(None)


def mailbox(fake: FakeEws) -> EwsMailbox:
    config = MailboxConfig(backend="ews", host="127.0.0.1", port=fake.port, security="none",
                           username=USER)
    return EwsMailbox(config, MailboxState("ews"), environ={"CME_MAILBOX_PASSWORD": PASSWORD})


def test_the_sync_state_is_saved_once_everything_is_filed(fake):
    fake.deliver(simple_email(1))
    fake.deliver(simple_email(2))
    box = mailbox(fake)
    first, second = box.fetch_new()
    box.acknowledge(first.uid, Outcome.PROCESSED)
    assert MailboxState("ews").get("sync_state") is None  # one still outstanding
    assert [m.uid for m in box.fetch_new()] == [second.uid]  # not acknowledged: handed out again
    box.acknowledge(second.uid, Outcome.QUARANTINED)
    saved = MailboxState("ews").get("sync_state")
    assert saved
    box.close()

    fake.deliver(simple_email(3))
    again = mailbox(fake)  # a restart: goes on from the saved state
    try:
        (third,) = again.fetch_new()
        assert b"Pupil notification 3" in third.raw_bytes
        assert fake.calls.count("SyncFolderItems") == 3
    finally:
        again.close()


def test_an_invalid_sync_state_syncs_the_whole_inbox(fake):
    MailboxState("ews").put("sync_state", "a state from another server")
    fake.deliver(simple_email(1))
    box = mailbox(fake)
    try:
        assert len(list(box.fetch_new())) == 1
    finally:
        box.close()


def test_streaming_wakes_on_new_mail_and_catches_up_after_a_drop(fake):
    box = mailbox(fake)
    try:
        assert box.wait(0.5) is False  # subscribed; nothing came
        started = time.monotonic()
        fake.deliver(simple_email(1))
        assert box.wait(30) is True and time.monotonic() - started < 10
        fake.drop_connections()  # the stream breaks; the subscription is gone
        assert box.wait(30) is True  # woken after subscribing again, for a catch-up sync
        assert fake.calls.count("Subscribe") >= 2
        assert len(list(box.fetch_new())) == 1
    finally:
        box.close()
