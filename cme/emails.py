"""Email addresses typed on the command line, checked before the register keeps them.

``email-validator`` checks the form only (``check_deliverability=False``): no
DNS look-up, so a command answers at once, offline too.
"""

from __future__ import annotations

import click


class EmailError(ValueError):
    """Not an address mail can go to; the message is the library's reason."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"not an email address: {text!r} ({reason})")
        self.text = text


def checked_email(text: str) -> str:
    """``text`` as an address, its domain lower-cased; ``EmailError`` when it is none."""
    from email_validator import EmailNotValidError, validate_email  # only when one is typed

    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise EmailError(text, str(exc)) from None


class EmailAddress(click.ParamType):
    """A ``click`` option that takes an email address as :func:`checked_email` reads it."""

    name = "email"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        try:
            return checked_email(str(value))
        except EmailError as exc:
            self.fail(str(exc), param, ctx)
