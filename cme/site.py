"""``cme init``: a new site folder, ready for ``cme doctor`` and ``cme watch``.

A site is a folder holding config.toml and var/ (mailbox, register, archive,
outbox), and optionally its own editable copies of the shipped templates and
calendars. Nothing that exists is ever overwritten.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cme.config import DEFAULT_CONFIG_NAME, Config, config_from_mapping
from cme.config_text import config_text
from cme.private import PRIVATE_FILE, PRIVATE_FOLDER
from cme.resources import SHIPPED, SHIPPED_CALENDAR, SHIPPED_TEMPLATES

# Build scripts and caches are for developers, not for a site's administrators.
_NOT_COPIED = shutil.ignore_patterns("__pycache__", "*.py", "*.pyc")


class SiteError(Exception):
    """The site cannot be written; ``path`` is where."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class NewSite:
    folder: Path
    config: Path
    copies: list[Path] = field(default_factory=list)  # the editable templates and calendars


def init_site(folder: Path, *, copy_templates: bool = False) -> NewSite:
    """Write config.toml and var/ in ``folder`` (and copies of the templates); never overwrite."""
    folder = folder.expanduser().absolute()
    config = folder / DEFAULT_CONFIG_NAME
    copies = [folder / "templates", folder / "calendars"] if copy_templates else []
    _refuse_existing(config, copies)
    # Private whatever the caller's umask (the cme command sets the same one).
    umask = os.umask(0o077)
    try:
        _write_site(folder, config, copy_templates=copy_templates)
    finally:
        os.umask(umask)
    return NewSite(folder, config, copies)


def _write_site(folder: Path, config_path: Path, *, copy_templates: bool) -> None:
    values: dict[str, str] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
        if copy_templates:
            _copy_templates(folder / "templates")
            shutil.copytree(SHIPPED / "calendars", folder / "calendars", ignore=_NOT_COPIED,
                            copy_function=shutil.copyfile)
            for copy in (folder / "templates", folder / "calendars"):
                _private_tree(copy)
            values = {"parsing.templates": "templates",
                      "calendar.path": f"calendars/{SHIPPED_CALENDAR.name}"}
    except OSError as exc:
        raise SiteError(Path(exc.filename or folder), exc.strerror or str(exc)) from None
    text = config_text(values)
    _make_var(config_from_mapping(tomllib.loads(text), config_path))
    # Written last, so that a site that failed half way can be made again.
    try:
        # O_EXCL: a config written meanwhile by someone else is not overwritten either.
        fd = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except OSError as exc:
        raise SiteError(config_path, exc.strerror or str(exc)) from None
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(text)


def _refuse_existing(config: Path, copies: list[Path]) -> None:
    if config.parent.exists() and not config.parent.is_dir():
        raise SiteError(config.parent, "exists and is not a folder")
    if config.exists():
        raise SiteError(config, "already exists: cme init never overwrites a site")
    for target in copies:
        if target.exists():
            raise SiteError(target, "already exists: move it away or run without --copy-templates")


def _make_var(config: Config) -> None:
    """The folders ``config`` names (0700), the Maildir and a migrated register."""
    from register.db import RegisterError, migrate_to_latest, open_database
    from watcher.mailbox import MailboxError
    from watcher.maildir import ensure_maildir

    try:
        for path in (config.archive.path, config.outbox.path, config.mailbox.path):
            for folder in (path.parent, path):  # var/ itself is private too
                folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
                os.chmod(folder, PRIVATE_FOLDER)  # one there before is made private too
        ensure_maildir(config.mailbox.path)
        database = open_database(config.register.url)
        try:
            database.connect()
            migrate_to_latest(database)
        finally:
            database.close()
    except OSError as exc:
        where = Path(exc.filename or config.base_dir)
        raise SiteError(where, exc.strerror or str(exc)) from None
    except (MailboxError, RegisterError) as exc:
        raise SiteError(config.base_dir, str(exc)) from None


def _private_tree(root: Path) -> None:
    """copytree gives each folder the installed package's mode (0755): make them 0700."""
    for folder, _folders, _files in os.walk(root):
        os.chmod(folder, PRIVATE_FOLDER)


def _copy_templates(target: Path) -> None:
    """The shipped templates, and the sample emails their ``samples`` keys point at."""
    # copyfile, not copy2: a copy is the site's own file, 0600 like the rest, not
    # the installed package's 0644.
    shutil.copytree(SHIPPED_TEMPLATES, target, ignore=_NOT_COPIED, copy_function=shutil.copyfile)
    site = target.parent.resolve()
    for form in sorted((target / "forms").glob("*.toml")):
        for sample in tomllib.loads(form.read_text(encoding="utf-8")).get("samples", []):
            source = (SHIPPED_TEMPLATES / "forms" / sample).resolve()
            copy = (form.parent / sample).resolve()
            if not copy.is_relative_to(site) or not source.is_file():
                continue  # a sample outside the site stays where the template says
            expected = source.with_name(source.name.rsplit(".", 1)[0] + ".expected.json")
            copy.parent.mkdir(parents=True, exist_ok=True)
            for one in (source, expected):
                if one.is_file() and not (copy.parent / one.name).exists():
                    shutil.copyfile(one, copy.parent / one.name)
