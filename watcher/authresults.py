"""What the receiving mail server says about a sender: Authentication-Results (RFC 8601).

The LA's own mail server checks SPF, DKIM and DMARC when a mail arrives and
writes the results into an ``Authentication-Results`` header at the top of it:

    Authentication-Results: mx.county.example.gov.uk;
        spf=pass smtp.mailfrom=brookhurst.example.sch.uk;
        dkim=pass header.d=brookhurst.example.sch.uk;
        dmarc=pass header.from=brookhurst.example.sch.uk

Anyone can write such a header into the mail they send, so which headers count
matters more than how they are read. With an authserv-id configured
(``[senders] authserv_id``), only headers carrying that id count; the LA's
server should delete any a sender forged with its id (RFC 8601 section 5).
Without one, only the top-most header counts: the one the receiving server
added last. A header with no authserv-id at all (Exchange Online writes them
so) counts only in that second case.

``verdict`` turns the counted headers into one answer for the From domain, as
DMARC would: a DMARC result about the From domain decides when there is one
(a failure outranks a pass, so a forged pass beside the real failure changes
nothing); otherwise an SPF or DKIM pass whose domain is aligned with the From
domain (relaxed alignment: the same organisational domain, by the Public
Suffix List) is a pass, and an aligned failure is a failure. Everything else
(``none``, ``softfail``, ``neutral``, errors, results about other domains) says
nothing either way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from publicsuffixlist import PublicSuffixList

PASS = "pass"
FAIL = "fail"
NONE = "none"

_PAIR = re.compile(r'([A-Za-z0-9_.\-/]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)')


@dataclass(frozen=True)
class MethodResult:
    """One ``method=result`` with its properties (``header.d``, ``smtp.mailfrom``...)."""

    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AuthResults:
    """One Authentication-Results header: who wrote it, and what it found."""

    authserv_id: str | None
    results: tuple[MethodResult, ...]


@dataclass(frozen=True)
class Verdict:
    """The answer for the From domain: ``pass``, ``fail`` or ``none``, and how it was reached."""

    result: str
    method: str | None = None
    authserv_id: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"result": self.result, "method": self.method, "authserv_id": self.authserv_id}


def parse_header(value: str) -> AuthResults:
    """Read one header's value leniently: what cannot be read is left out, never raised."""
    text = " ".join(_without_comments(value).split())
    segments = _split_outside_quotes(text, ";")
    first = segments[0].strip() if segments else ""
    authserv_id: str | None = None
    resinfo = segments[1:]
    if first and "=" not in first.split(None, 1)[0]:
        authserv_id = _unquote(first.split(None, 1)[0]).lower()
    elif first:
        resinfo = segments  # no authserv-id: the first segment is a result already
    results = []
    for segment in resinfo:
        pairs = [(key.lower(), _unquote(val)) for key, val in _PAIR.findall(segment)]
        if not pairs:
            continue
        method, result = pairs[0]
        results.append(MethodResult(method.split("/", 1)[0], result.lower(),
                                    {key: val for key, val in pairs[1:]}))
    return AuthResults(authserv_id, tuple(results))


def counted_headers(values: Sequence[str], authserv_id: str = "") -> list[AuthResults]:
    """The headers that count, top-most first (see the module docstring)."""
    parsed = [parse_header(value) for value in values]
    if authserv_id:
        wanted = authserv_id.strip().lower()
        return [header for header in parsed if header.authserv_id == wanted]
    return parsed[:1]


def verdict(values: Sequence[str], from_domain: str | None, authserv_id: str = "") -> Verdict:
    """Whether the mail's From domain is authenticated, per the headers that count."""
    if not from_domain:
        return Verdict(NONE)
    from_domain = _domain(from_domain)
    headers = counted_headers(values, authserv_id)
    found: dict[str, list[tuple[str, str | None]]] = {PASS: [], FAIL: []}
    dmarc: dict[str, list[tuple[str, str | None]]] = {PASS: [], FAIL: []}
    for header in headers:
        for item in header.results:
            outcome = _outcome(item, from_domain)
            if outcome is None:
                continue
            bucket = dmarc if item.method == "dmarc" else found
            bucket[outcome].append((item.method, header.authserv_id))
    for bucket in (dmarc, found):
        for outcome in (FAIL, PASS) if bucket is dmarc else (PASS, FAIL):
            if bucket[outcome]:
                method, by = bucket[outcome][0]
                return Verdict(outcome, method, by)
    return Verdict(NONE, None, headers[0].authserv_id if headers else None)


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (RFC 7489 3.1): the same organisational domain."""
    domain, from_domain = _domain(domain), _domain(from_domain)
    if not domain or not from_domain:
        return False
    return domain == from_domain or organisational_domain(domain) == organisational_domain(
        from_domain)


def organisational_domain(domain: str) -> str:
    """``mail.county.example.gov.uk`` -> ``example.gov.uk``; a public suffix is its own."""
    domain = _domain(domain)
    return _psl().privatesuffix(domain) or domain


def _outcome(item: MethodResult, from_domain: str) -> str | None:
    """``pass`` or ``fail`` when ``item`` is about the From domain; None when it says nothing."""
    if item.result not in (PASS, FAIL):
        return None
    props = item.properties
    if item.method == "dmarc":
        about = props.get("header.from")
        return item.result if about is None or _domain(about) == from_domain else None
    if item.method == "dkim":
        about = props.get("header.d") or _after_at(props.get("header.i"))
    elif item.method == "spf":
        about = _after_at(props.get("smtp.mailfrom"))
    else:
        return None
    return item.result if about and aligned(about, from_domain) else None


def _after_at(value: str | None) -> str | None:
    return value.rsplit("@", 1)[-1] if value else None


def _domain(value: str) -> str:
    return value.strip().strip("<>[]").rstrip(".").lower()


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _without_comments(text: str) -> str:
    """RFC 5322 comments, ``(sender IP is 192.0.2.1)``, removed; quoted strings kept."""
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for char in text:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if quoted:
            quoted = char != '"'
            out.append(char)
        elif char == '"' and depth == 0:
            quoted = True
            out.append(char)
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            out.append(" ")
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts, current, quoted, escaped = [], [], False, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts
