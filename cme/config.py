"""Configuration: config.toml read once into frozen dataclasses.

This is the only module that opens the configuration file. Everything else is
handed the dataclasses below by its constructor. Relative paths resolve against
the folder holding the config file, so a config can be moved with its data.
Secrets never live in the file: a setting ending in ``_env`` names the
environment variable that holds the secret.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from cme.resources import SHIPPED_CALENDAR, SearchPath

DEFAULT_CONFIG_NAME = "config.toml"
_DOMAIN = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
MB = 1024 * 1024


class ConfigError(Exception):
    """The configuration cannot be used. ``key`` names the offending setting
    (empty when the fault is the file itself)."""

    def __init__(self, path: Path, key: str, message: str) -> None:
        super().__init__(f"{path}: [{key}] {message}" if key else f"{path}: {message}")
        self.path = path
        self.key = key
        self.message = message


@dataclass(frozen=True)
class MailboxConfig:
    backend: str = "maildir"
    path: Path = Path("var/mailbox")
    poll_seconds: float = 30.0
    batch_size: int = 25
    # IMAP / EWS / Graph settings; secrets are named by environment variable.
    host: str = ""
    port: int = 0  # 0: the backend's usual port for its security
    security: str = "ssl"
    username: str = ""
    address: str = ""  # the mailbox's own address (EWS, Graph); empty: username
    auth: str = "password"
    password_env: str = "CME_MAILBOX_PASSWORD"
    ca_file: Path | None = None
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    sent_folder: str = "Sent"
    idle: bool = True
    # OAuth2 client credentials (Microsoft Entra ID) for auth = "oauth2" and Graph.
    tenant: str = ""
    client_id: str = ""
    client_secret_env: str = "CME_MAILBOX_CLIENT_SECRET"
    scope: str = ""  # empty: the backend's own (outlook.office365.com or graph)
    authority: str = "https://login.microsoftonline.com"
    impersonate: bool = False  # EWS: act as ``address`` (ApplicationImpersonation)

    @property
    def mailbox_address(self) -> str:
        return self.address or self.username


@dataclass(frozen=True)
class SmtpConfig:
    """Outgoing mail for the maildir and imap backends (ews and graph send themselves).

    ``host`` empty: no SMTP; the maildir backend writes each letter as an .eml
    file in the outbox. OAuth2 uses the [mailbox] tenant and client settings.
    """

    host: str = ""
    port: int = 0  # 0: 587 for starttls, 465 for ssl, 25 for none
    security: str = "starttls"
    auth: str = "password"
    username: str = ""  # empty: [mailbox] username
    password_env: str = "CME_MAILBOX_PASSWORD"
    from_address: str = ""  # empty: [team] email
    timeout_seconds: float = 60.0


@dataclass(frozen=True)
class RegisterConfig:
    url: str = "sqlite:///var/register.db"


@dataclass(frozen=True)
class ArchiveConfig:
    path: Path = Path("var/archive")


@dataclass(frozen=True)
class OutboxConfig:
    path: Path = Path("var/outbox")


@dataclass(frozen=True)
class LimitsConfig:
    """Sizes past which a message or part is kept raw but not processed."""

    max_message_bytes: int = 50 * MB
    max_part_bytes: int = 20 * MB
    max_parts: int = 200


@dataclass(frozen=True)
class ParsingConfig:
    """Where the site's templates live, and the sandbox each document is read in.

    ``templates`` unset: the shipped templates alone. Set: that folder first,
    then the shipped copy for every file it does not hold.
    """

    templates: Path | None = None
    timeout_seconds: float = 30.0
    memory_mb: int = 1024
    workers: int = 1
    # OCR of scanned pages, on top of timeout_seconds for a PDF or an image.
    ocr_timeout_seconds: float = 60.0


@dataclass(frozen=True)
class TeamConfig:
    """The tracking team: who letters come from and where reviews go."""

    name: str = "Children Missing Education Team"
    council: str = ""  # the local authority, at the top of every letter
    # Who signs the letters (their name) and their one job title.
    officer: str = ""
    role: str = "Service Manager, Tracking and Monitoring"
    email: str = "cme-team@localhost"
    phone: str = ""
    address: str = ""  # several lines: "County Hall\nNew Road\nOxford OX1 1ND"
    # The ESW service and its manager, who receive enquiry requests and escalations.
    esw_name: str = "Education Social Work Service"
    esw_email: str = "esw@localhost"
    esw_manager_name: str = ""  # the ESW service manager's name
    esw_manager_email: str = "esw-manager@localhost"


@dataclass(frozen=True)
class SendersConfig:
    """Whom to believe (issue 9): the mail server's Authentication-Results, and trusted domains.

    ``authserv_id`` empty: the top-most Authentication-Results header counts, the
    one the receiving server added; set it to the LA's server's id so that only
    its headers count. ``trusted_domains`` are the LA's schools and agencies, each
    covering its subdomains; the domain of ``[team] email`` is always trusted.
    """

    authserv_id: str = ""
    trusted_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class LettersConfig:
    # False: every letter goes to the team's address for review first. True:
    # straight to its recipients, and then only to addresses in the contacts.
    send_direct: bool = False
    pdf: bool = True
    pdf_timeout_seconds: float = 60.0
    digest_hour: int = 7


@dataclass(frozen=True)
class CalendarConfig:
    path: Path | None = None  # unset: the shipped calendar


@dataclass(frozen=True)
class ClocksConfig:
    """Every clock of DOMAIN.md, as "N school days" or "N calendar days"."""

    esw_chase: str = "10 school days"
    esw_chase_vulnerable: str = "2 school days"
    esw_escalation: str = "20 school days"
    absence_alert_first: str = "15 school days"
    absence_alert_deletion: str = "20 school days"
    ehe_notification_due: str = "10 school days"
    file_transfer_chase: str = "10 school days"
    referral_assessment: str = "5 school days"
    lead_professional_allocation: str = "10 school days"
    previous_school_chase: str = "10 school days"
    tac_escalation: str = "40 school days"
    # Not a clock of its own: the reply-by date a chase or escalation letter
    # gives, counted from the letter's own date.
    chase_reply: str = "5 school days"


@dataclass(frozen=True)
class SchedulerConfig:
    sweep_minutes: float = 5.0


@dataclass(frozen=True)
class RetryConfig:
    """Capped exponential backoff: the daemon's wait while the register or a disk
    is unavailable, and the time before a message that failed for such a reason
    is tried again (first, then twice as long each time, never past max)."""

    first_seconds: float = 5.0
    max_seconds: float = 300.0


@dataclass(frozen=True)
class Config:
    source: Path
    mailbox: MailboxConfig = field(default_factory=MailboxConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    register: RegisterConfig = field(default_factory=RegisterConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    parsing: ParsingConfig = field(default_factory=ParsingConfig)
    team: TeamConfig = field(default_factory=TeamConfig)
    letters: LettersConfig = field(default_factory=LettersConfig)
    senders: SendersConfig = field(default_factory=SendersConfig)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    clocks: ClocksConfig = field(default_factory=ClocksConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    retry: RetryConfig = field(default_factory=RetryConfig)

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    @property
    def templates(self) -> SearchPath:
        """Form templates, kind rules and letters: the site's copies, then the shipped ones."""
        return SearchPath.for_site(self.parsing.templates)

    @property
    def calendar_path(self) -> Path:
        return self.calendar.path or SHIPPED_CALENDAR


# Settings with a fixed set of values; the mailbox backends are wired in cme/app.py.
CHOICES: dict[str, tuple[str, ...]] = {
    "mailbox.backend": ("maildir", "imap", "ews", "graph"),
    "mailbox.security": ("ssl", "starttls", "none"),
    "mailbox.auth": ("password", "oauth2", "ntlm"),
    "smtp.security": ("starttls", "ssl", "none"),
    "smtp.auth": ("password", "oauth2", "none"),
}


_SECTIONS: dict[str, type] = {
    "mailbox": MailboxConfig,
    "smtp": SmtpConfig,
    "register": RegisterConfig,
    "archive": ArchiveConfig,
    "outbox": OutboxConfig,
    "limits": LimitsConfig,
    "parsing": ParsingConfig,
    "team": TeamConfig,
    "letters": LettersConfig,
    "senders": SendersConfig,
    "calendar": CalendarConfig,
    "clocks": ClocksConfig,
    "scheduler": SchedulerConfig,
    "retry": RetryConfig,
}


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$CME_CONFIG`` when set, else ``./config.toml``."""
    env = os.environ if environ is None else environ
    return Path(env.get("CME_CONFIG") or DEFAULT_CONFIG_NAME)


def load_config(path: Path) -> Config:
    """Read and check ``path``; raise ConfigError naming the bad key."""
    path = path.resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "", "config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "", f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"not valid TOML: {exc}") from None
    return config_from_mapping(raw, path)


def config_from_mapping(raw: Mapping[str, Any], path: Path) -> Config:
    """Build a Config from parsed TOML; ``path`` anchors relative paths."""
    for name, value in raw.items():
        if name not in _SECTIONS:
            raise ConfigError(path, name, f"unknown section (known: {', '.join(_SECTIONS)})")
        if not isinstance(value, dict):
            raise ConfigError(path, name, "expected a table")
    sections = {
        name: _build_section(cls, name, raw.get(name, {}), path) for name, cls in _SECTIONS.items()
    }
    register = sections["register"]
    sections["register"] = RegisterConfig(url=_anchor_sqlite_url(register.url, path.parent))
    for domain in sections["senders"].trusted_domains:
        if not _DOMAIN.fullmatch(domain):
            raise ConfigError(path, "senders.trusted_domains",
                              f"{domain!r} is not a domain name (write example.sch.uk)")
    return Config(source=path, **sections)


def _build_section(cls: type, name: str, values: Mapping[str, Any], path: Path) -> Any:
    defaults = cls()
    known = {f.name for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        default = getattr(defaults, f.name)
        if default is None and "Path" in str(f.type):
            default = Path()  # an optional path: coerce what is given as a path
        value = values.get(f.name, getattr(defaults, f.name))
        if f.name in values:
            value = _coerce(default, value, f"{name}.{f.name}", path)
            allowed = CHOICES.get(f"{name}.{f.name}")
            if allowed and value not in allowed:
                raise ConfigError(path, f"{name}.{f.name}",
                                  f"unknown value {value!r} (known: {', '.join(allowed)})")
        if isinstance(value, Path):
            value = value.expanduser()
            value = value if value.is_absolute() else path.parent / value
        kwargs[f.name] = value
    for key in values:
        if key not in known:
            raise ConfigError(path, f"{name}.{key}", "unknown setting")
    return cls(**kwargs)


def _coerce(default: Any, value: Any, key: str, path: Path) -> Any:
    if isinstance(default, tuple):  # a list of strings (the only lists there are)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(path, key, f"expected a list of strings, got {value!r}")
        return tuple(value)
    if isinstance(default, Path):
        if not isinstance(value, str):
            raise ConfigError(path, key, "expected a path string")
        return Path(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(path, key, "expected true or false")
        return value
    if (
        isinstance(default, int | float)
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        if value < 0:
            raise ConfigError(path, key, "must not be negative")
        if isinstance(default, int) and not isinstance(value, int):
            raise ConfigError(path, key, "expected a whole number")
        return type(default)(value)
    if isinstance(default, str) and isinstance(value, str):
        return value
    raise ConfigError(path, key, f"expected {type(default).__name__}, got {value!r}")


def _anchor_sqlite_url(url: str, base: Path) -> str:
    """``sqlite:///var/x.db`` is relative to the config folder; ``sqlite:////abs`` is not."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return url
    rest = url[len(prefix) :]
    if rest in ("", ":memory:") or rest.startswith("/"):
        return url
    return prefix + str(base / rest)
