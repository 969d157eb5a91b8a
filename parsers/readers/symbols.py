"""Tick boxes drawn with a symbol font (Wingdings, Wingdings 2), as ☒ / ☐.

Word inserts a symbol as the font's own character code: ``<w:sym w:font="Wingdings"
w:char="F0FE"/>`` (the code plus 0xF000, in the private use area), and a PDF
printed from Word carries the same code under the symbol font. Only the glyphs
forms use as boxes and marks are mapped, each by what it shows (the fonts'
published tables): a box with a tick or a cross, a tick, a cross, a filled
radio button are checked; an empty box or an empty circle is not. Anything else
in these fonts (arrows, pointing hands, bullets) is not a tick box and is left out.
"""

from __future__ import annotations

import re

from parsers.document import TICKED, UNTICKED

# Character codes (without the 0xF000 offset) -> checked or not.
WINGDINGS: dict[int, str] = {
    0xFE: TICKED,  # ballot box with check
    0xFD: TICKED,  # ballot box with X
    0xFC: TICKED,  # check mark
    0xFB: TICKED,  # ballot X
    0x78: TICKED,  # X in a box
    0xA4: TICKED,  # fisheye (a chosen radio button)
    0xA8: UNTICKED,  # white medium square
    0x6F: UNTICKED,  # white square
    0x70: UNTICKED,  # heavy white square
    0x71: UNTICKED,  # lower right shadowed white square
    0x72: UNTICKED,  # upper right shadowed white square
    0xA1: UNTICKED,  # white circle (a radio button not chosen)
}
WINGDINGS_2: dict[int, str] = {
    0x4F: TICKED,  # ballot script X
    0x50: TICKED,  # check mark
    0x51: TICKED,  # ballot box with script X
    0x52: TICKED,  # ballot box with check
    0x53: TICKED,  # ballot box with light X
    0x54: TICKED,  # ballot box with X
    0xA3: UNTICKED,  # white square
    0xA4: UNTICKED,  # heavy white square
    0xA5: UNTICKED,  # very heavy white square
}
FONTS = {"wingdings": WINGDINGS, "wingdings2": WINGDINGS_2}


def _font_key(font: str) -> str:
    return re.sub(r"[^a-z0-9]", "", font.lower())


def font_table(font: str) -> dict[int, str] | None:
    """The box glyphs of a symbol font named in a document ("Wingdings 2", "ABCDEF+Wingdings2")."""
    key = _font_key(font)
    for name in sorted(FONTS, key=len, reverse=True):  # "wingdings2" before "wingdings"
        if name in key:
            return FONTS[name]
    return None


def symbol_glyph(font: str, code: int) -> str | None:
    """☒ / ☐ for a box or mark in a symbol font, None for any other character."""
    table = font_table(font)
    if table is None:
        return None
    return table.get(code - 0xF000 if code >= 0xF000 else code)


def translate(font: str, text: str) -> str:
    """A symbol font's text with its boxes and marks as ☒ / ☐ (other characters kept)."""
    table = font_table(font)
    if table is None:
        return text
    return "".join(symbol_glyph(font, ord(c)) or c for c in text)
