"""What the Graph backend does beyond the contract, through the real httpx and msal code."""

from __future__ import annotations

import os

import pytest

from cme.config import MailboxConfig
from register.db import bind, db
from tests.fake_graph import USER, FakeAuthority, FakeGraph
from tests.mailtools import simple_email, with_attachment
from watcher.graph import GraphMailbox
from watcher.mailbox import MailboxError, OutboundMail, Outcome
from watcher.oauth import GRAPH_SCOPE, MsalTokens
from watcher.state import MailboxState


@pytest.fixture
def servers(tmp_path):
    bind(f"sqlite:///{tmp_path}/register.db")
    graph, authority = FakeGraph().start(), FakeAuthority(tmp_path).start()
    yield graph, authority
    graph.stop()
    authority.stop()
    db.obj.close()
    db.initialize(None)


def mailbox(graph: FakeGraph, authority: FakeAuthority, secret: str = "") -> GraphMailbox:
    config = MailboxConfig(backend="graph", host="127.0.0.1", port=graph.port, security="none",
                           address=USER, tenant=authority.TENANT, client_id=authority.CLIENT_ID,
                           authority=authority.url, ca_file=authority.cert)
    tokens = MsalTokens(config, GRAPH_SCOPE,
                        environ={"CME_MAILBOX_CLIENT_SECRET": secret or authority.SECRET})
    return GraphMailbox(config, MailboxState("graph"), tokens=tokens)


def test_delta_pages_large_mail_and_one_token(servers):
    graph, authority = servers
    big = os.urandom(12 * 1024 * 1024)
    graph.deliver(with_attachment(1, "scan.pdf", b"%PDF-1.4\n" + big, "application/pdf"))
    for n in range(2, 6):
        graph.deliver(simple_email(n))
    box = mailbox(graph, authority)
    try:
        mails = list(box.fetch_new())  # five mails over three delta pages
        assert len(mails) == 5
        assert len(mails[0].raw_bytes) > 12 * 1024 * 1024
        for mail in mails:
            box.acknowledge(mail.uid, Outcome.PROCESSED)
        assert MailboxState("graph").get("delta_link")
        assert list(box.fetch_new()) == []  # the moves come back as @removed only
    finally:
        box.close()
    assert authority.token_requests == 1  # msal kept the token until it expires
    assert sum("delta" in r for r in graph.requests) >= 4


def test_a_forgotten_delta_link_resyncs_everything(servers):
    graph, authority = servers
    graph.deliver(simple_email(1))
    box = mailbox(graph, authority)
    try:
        (first,) = box.fetch_new()  # handed out, never acknowledged
        graph.forget_delta_links()
        second = graph.deliver(simple_email(2))
        assert sorted(m.uid for m in box.fetch_new()) == sorted([first.uid, second])
    finally:
        box.close()


def test_throttling_waits_for_retry_after(servers):
    graph, authority = servers
    graph.deliver(simple_email(1))
    graph.throttle = 2
    box = mailbox(graph, authority)
    try:
        assert len(list(box.fetch_new())) == 1
        graph.throttle = 1
        box.send(OutboundMail(("esw@county.example.gov.uk",), "Enquiry", "Please see.",
                              message_id="<letter-9@cme.example>"))  # sent on the retry
        assert box.was_sent("<letter-9@cme.example>")
    finally:
        box.close()
    assert graph.throttle == 0


def test_a_wrong_client_secret_is_a_mailbox_error(servers):
    graph, authority = servers
    box = mailbox(graph, authority, secret="not the secret")
    with pytest.raises(MailboxError, match="Invalid client secret"):
        box.waiting()
    box.close()
