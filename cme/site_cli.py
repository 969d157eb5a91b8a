"""``cme init`` and ``cme doctor``: set a site up, and check that it is ready.

Imports stay inside the commands: the CLI must start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


def register_site_commands(cli: click.Group, user_error: type[click.ClickException]) -> None:
    """Add ``init`` and ``doctor`` to ``cli``; ``user_error`` prints one line and exits 1."""

    @cli.command()
    @click.argument("folder", type=click.Path(path_type=Path))
    @click.option("--copy-templates", is_flag=True,
                  help="Also write editable copies of the shipped templates and calendars.")
    def init(folder: Path, copy_templates: bool) -> None:
        """Write a new site in FOLDER: config.toml and var/ (never over an existing one)."""
        from cme.site import SiteError, init_site

        try:
            site = init_site(folder, copy_templates=copy_templates)
        except SiteError as exc:
            raise user_error(str(exc)) from None
        click.echo(f"wrote {site.config}")
        click.echo(f"created {site.folder / 'var'}: mailbox, register, archive, outbox (private)")
        for copy in site.copies:
            click.echo(f"copied the shipped {copy.name} to {copy}: edit them there")
        calendar = ("the calendar in calendars/" if copy_templates
                    else "[calendar] path (unset: the shipped Oxfordshire calendar)")
        click.echo("next steps:")
        click.echo(f"  1. edit [team] in {site.config}: the team's name, email, phone, address")
        click.echo(f"  2. check {calendar}: your LA's term dates, a year ahead")
        click.echo(f"  3. run: cme --config {site.config} doctor")

    @cli.command()
    @click.pass_context
    def doctor(ctx: click.Context) -> None:
        """Check the site: config, register, folders, calendar, templates, LibreOffice, mailbox."""
        from cme.clock import ClockError, clock_from_env
        from cme.doctor import failed, run_doctor

        try:
            clock = clock_from_env()
        except ClockError as exc:
            raise user_error(str(exc)) from None
        findings = run_doctor(ctx.obj, clock)
        for finding in findings:
            click.echo(finding.line())
        if failed(findings):
            sys.exit(1)
