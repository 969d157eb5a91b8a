"""Listings as plain aligned columns.

rich's tables measure every cell to fit the terminal, which costs about a
second for a thousand rows; a listing only needs aligned columns, so that is
all this does. Long cells are cut with an ellipsis so that one long subject
cannot push the other columns off the screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import click

MAX_WIDTH = 48


def print_columns(header: Sequence[str], rows: Iterable[Sequence[str]],
                  *, max_width: int = MAX_WIDTH) -> None:
    """Print ``rows`` under ``header``, each column as wide as its widest cell."""
    cells = [[_cut(str(c), max_width) for c in header]]
    cells += [[_cut(" ".join(str(c).split()), max_width) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    click.echo("\n".join(lines))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
