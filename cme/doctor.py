"""``cme doctor``: is this site ready to run? One small check per concern.

Each check takes the loaded configuration and today's date and returns its
findings (at least one). The configuration is checked first, because every
other check needs it. Nothing is created or migrated: the doctor looks only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from cme.clock import Clock
from cme.config import Config, ConfigError, load_config
from cme.doctor_files import file_mode_findings, folder_findings, writable_problem
from cme.doctor_findings import Finding, Level, fail, ok, warn
from cme.doctor_mail import check_ews, check_graph, check_imap, check_sending

# Deadlines run up to 40 school days; 60 leaves a half term to add the next year.
COVER_SCHOOL_DAYS = 60

Check = Callable[[Config, date], list[Finding]]


def run_doctor(config_path: Path, clock: Clock) -> list[Finding]:
    """Every finding about the site configured at ``config_path``, in registry order."""
    try:
        config = load_config(config_path)
        _check_clock_rules(config)
    except ConfigError as exc:
        return [fail("config", f"{exc} (the other checks need a configuration)")]
    findings = [ok("config", f"{config.source} loads")]
    today = clock.now().date()
    for name, check in CHECKS.items():
        try:
            findings += check(config, today)
        except Exception as exc:  # one check's own failure must not hide the others
            from watcher.processing import describe

            findings.append(fail(name, f"the check itself failed: {describe(exc)}"))
    return findings


def failed(findings: list[Finding]) -> bool:
    return any(finding.level is Level.FAIL for finding in findings)


def _check_clock_rules(config: Config) -> None:
    from workflows.clocks import ClockRuleError, parse_rule

    for item in fields(config.clocks):
        try:
            parse_rule(getattr(config.clocks, item.name))
        except ClockRuleError as exc:
            raise ConfigError(config.source, f"clocks.{item.name}", str(exc)) from None


def check_register(config: Config, today: date) -> list[Finding]:
    """Reachable, migrated, and (SQLite) a private file."""
    import peewee

    from register.db import RegisterError, migration_status, open_database

    url = config.register.url
    findings: list[Finding] = []
    if url.startswith("sqlite:///"):
        path = Path(unquote(url[len("sqlite:///"):]))
        if not path.exists():  # opening it would create it: the doctor only looks
            return [warn("register", f"{path} does not exist yet: cme creates it (mode 0600) "
                                     "and its tables when first run")]
        findings += file_mode_findings("register", path)
        problem = writable_problem(path.parent)  # SQLite writes its -wal file beside it
        if problem:
            findings.append(fail("register", f"{path.parent} is not writable: {problem}"))
        where = str(path)
    else:
        where = url.split("@")[-1]  # host and database, never a password in the URL
    try:
        database = open_database(url)
        database.connect()
    except (RegisterError, peewee.PeeweeException) as exc:
        return [*findings, fail("register", f"{where}: cannot open: {exc}")]
    try:
        pending, unknown = migration_status(database)
    except peewee.PeeweeException as exc:
        return [*findings, fail("register", f"{where}: cannot read the schema: {exc}")]
    finally:
        database.close()
    if unknown:
        findings.append(fail("register", f"{where}: written by a newer cme (migrations "
                                         f"{', '.join(unknown)} unknown here): upgrade cme"))
    elif pending:
        findings.append(warn("register", f"{where}: migrations pending ({', '.join(pending)}): "
                                         "they run when cme watch starts"))
    if not findings:
        findings.append(ok("register", f"{where}: reachable, schema up to date"))
    return findings


def check_archive(config: Config, today: date) -> list[Finding]:
    return folder_findings("archive", config.archive.path)


def check_outbox(config: Config, today: date) -> list[Finding]:
    return folder_findings("outbox", config.outbox.path)


def check_calendar(config: Config, today: date) -> list[Finding]:
    """The next COVER_SCHOOL_DAYS school days are known; warn when the terms end this year."""
    from workflows.calendar import CalendarError, CalendarRangeError, load_calendar

    path = config.calendar_path
    try:
        calendar = load_calendar(path)
    except CalendarError as exc:
        return [fail("calendar", str(exc))]
    own_terms = [ident for ident, school in calendar.spec.schools.items() if school.terms]
    year_end = date(today.year + (today.month >= 9), 8, 31)  # the school year holding today
    findings = []
    for school in (None, *own_terms):
        whose = f"{path}" + (f' (school "{school}")' if school else "")
        try:
            calendar.add_school_days(today, COVER_SCHOOL_DAYS, school)
        except CalendarRangeError as exc:
            findings.append(fail("calendar", f"{whose}: does not cover the next "
                                             f"{COVER_SCHOOL_DAYS} school days: {exc}"))
            continue
        end = calendar.known_terms(school).end
        if end <= year_end:
            findings.append(warn("calendar", f"{whose}: term dates end on {end}, within this "
                                             "school year: add the next school year"))
        elif school is None:
            findings.append(ok("calendar", f"{whose}: term dates to {end}"))
    return findings


def check_templates(config: Config, today: date) -> list[Finding]:
    """Every form template, the kind rules and every letter (``cme templates check``)."""
    from cme import template_checks

    problems = template_checks.check_templates(config)
    if problems:
        return [fail("templates", problem) for problem in problems]
    used = template_checks.template_sources(config)
    site = sum(origin == "site" for _name, origin, _path in used)
    return [ok("templates", f"{len(used)} files valid ({site} from the site, "
                            f"{len(used) - site} shipped)")]


def check_team(config: Config, today: date) -> list[Finding]:
    """The letters' letterhead and signature come from ``[team]``: warn while they are empty."""
    team = config.team
    empty = [key for key in ("council", "officer", "phone", "address") if not getattr(team, key)]
    if empty:
        return [warn("team", f"[team] {', '.join(empty)} empty in {config.source}: letters "
                             "go out without them (unsigned, or with no telephone or address)")]
    return [ok("team", f"letters are signed by {team.officer}, {team.role}")]


def check_pdf(config: Config, today: date) -> list[Finding]:
    from workflows.letters import find_libreoffice

    if not config.letters.pdf:
        return [ok("pdf", "off ([letters] pdf = false): letters are DOCX only")]
    office = find_libreoffice()
    if office is None:
        return [warn("pdf", f"[letters] pdf = true in {config.source} but LibreOffice (soffice) "
                            "is not on PATH: letters are DOCX only")]
    return [ok("pdf", f"LibreOffice at {office}")]


def check_ocr(config: Config, today: date) -> list[Finding]:
    """Tesseract reads scanned pages and photos of forms; without it they need a person."""
    import shutil

    from parsers.readers.ocr import available

    found = shutil.which("tesseract") if available() else None
    if found is None:
        return [warn("ocr", "Tesseract is not on PATH: scanned forms and photos are not read "
                            "(each gets 'scanned; OCR not available'); install tesseract-ocr")]
    return [ok("ocr", f"Tesseract at {found}")]


def check_mailbox(config: Config, today: date) -> list[Finding]:
    check = MAILBOX_CHECKS.get(config.mailbox.backend)
    if check is None:
        return [fail("mailbox", f"no check for the {config.mailbox.backend!r} backend")]
    return check(config, today)


def _maildir(config: Config, today: date) -> list[Finding]:
    path = config.mailbox.path
    return folder_findings("mailbox", path, probe=path / "tmp")


MAILBOX_CHECKS: dict[str, Check] = {
    "maildir": _maildir,
    "imap": check_imap,
    "ews": check_ews,
    "graph": check_graph,
}

CHECKS: dict[str, Check] = {
    "register": check_register,
    "archive": check_archive,
    "outbox": check_outbox,
    "calendar": check_calendar,
    "templates": check_templates,
    "team": check_team,
    "pdf": check_pdf,
    "ocr": check_ocr,
    "mailbox": check_mailbox,
    "sending": check_sending,
}
