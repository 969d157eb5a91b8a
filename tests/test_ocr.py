"""Scanned forms read by OCR: a form drawn with PIL (ruled table, bold headings,
typed [X] boxes), as a PNG, a HEIC photo and a PDF with no text layer; Tesseract
for real (skipped, saying why, only where the binary is absent: CI installs it).
"""

from __future__ import annotations

import io
import shutil
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from parsers.document import Extract, ReadError
from parsers.formats import detect
from parsers.readers import ocr_budget
from parsers.readers.image import read_image
from parsers.readers.ocr import SCANNED, UNAVAILABLE
from parsers.readers.pdf import read_pdf
from parsers.sandbox import Limits, Sandbox

FONTS = Path("/usr/share/fonts/truetype/dejavu")
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="the tesseract binary is not installed (apt-get install tesseract-ocr "
           "tesseract-ocr-eng; .ci/run does)",
)

ROWS = [
    ("Pupil details", None),
    ("Surname", "HOLLOWAY"),
    ("Forename(s)", "Ellie May"),
    ("Date of birth", "14/03/2016"),
    ("Parent / carer", None),
    ("Name", "Dana Holloway"),
    ("Telephone", "07700 900123"),
    ("Safeguarding", None),
    ("Looked after", "[ ] Yes   [X] No"),
    ("SEN", "[X] Yes   [ ] No"),
]


def font(size: int, *, bold: bool = False) -> ImageFont.ImageFont:
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)  # pragma: no cover - Pillow's own font


def form_image() -> Image.Image:
    """An A4 page at 200 dpi: a ruled two-column table with shaded heading rows."""
    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    draw.text((100, 90), "WENLOW COUNCIL - CHILD MISSING EDUCATION", font=font(34, bold=True))
    top, row = 200, 64
    for label, value in ROWS:
        if value is None:
            draw.rectangle((100, top, 1550, top + row), fill=200, outline=0, width=3)
            draw.text((115, top + 14), label, font=font(30, bold=True))
        else:
            draw.rectangle((100, top, 600, top + row), outline=0, width=3)
            draw.rectangle((600, top, 1550, top + row), outline=0, width=3)
            draw.text((115, top + 14), label, font=font(30))
            draw.text((620, top + 14), value, font=font(30))
        top += row
    return page


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def expect_form(extract: Extract) -> None:
    found = {(p.label, p.value): p for p in extract.pairs}
    assert ("Surname", "HOLLOWAY") in found
    assert ("Forename(s)", "Ellie May") in found
    assert ("Date of birth", "14/03/2016") in found
    assert found[("Name", "Dana Holloway")].section == "Parent / carer"
    assert ("Telephone", "07700 900123") in found
    assert ("Looked after", "☐ Yes ☒ No") in found
    assert ("SEN", "☒ Yes ☐ No") in found
    assert all(p.where.startswith("ocr page 1") for p in extract.pairs)
    assert SCANNED in extract.warnings and extract.ocr
    assert "Surname HOLLOWAY" in extract.text.splitlines()


@needs_tesseract
def test_a_scanned_form_image_is_read_by_ocr() -> None:
    data = png(form_image())
    assert detect("scan.png", "image/png", data).format == "image"
    expect_form(read_image(data))


@needs_tesseract
def test_a_phone_photo_in_heic_is_read() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    try:
        form_image().convert("RGB").save(out, "HEIF", quality=90)
    except (KeyError, OSError) as exc:  # pragma: no cover - an encoder-less libheif
        pytest.skip(f"this pillow-heif cannot write HEIC ({exc})")
    assert detect("IMG_0042.HEIC", "image/heic", out.getvalue()).format == "image"
    expect_form(read_image(out.getvalue()))


def scanned_pdf() -> bytes:
    """A PDF whose only page is the form's picture: no text layer, as a scanner makes."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595.27, 841.89), invariant=1)
    canvas.drawImage(ImageReader(form_image()), 0, 0, width=595.27, height=841.89)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@needs_tesseract
def test_a_pdf_page_with_no_text_layer_is_read_by_ocr() -> None:
    expect_form(read_pdf(scanned_pdf()))


@needs_tesseract
def test_ocr_out_of_time_reads_nothing_more_and_says_so() -> None:
    with ocr_budget.budget(0):
        extract = read_image(png(form_image()))
    assert extract.pairs == []
    assert "OCR ran out of time: page 1 not read" in extract.warnings


def test_without_tesseract_a_scan_says_so_and_gives_no_values(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no tesseract on it
    for extract in (read_image(png(form_image())), read_pdf(scanned_pdf())):
        assert extract.pairs == []
        assert extract.warnings == [UNAVAILABLE]


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims to be ``width`` x ``height``: decoding it would take gigabytes."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b""))


def test_a_huge_image_is_refused_before_decoding() -> None:
    with pytest.raises(ReadError, match=r"too large to read \(9000×8000 pixels, over 60"):
        read_image(png_header(9000, 8000))  # past our limit, short of Pillow's own
    with pytest.raises(ReadError, match=r"too large to read \(over 60 million pixels\)"):
        read_image(png_header(60000, 60000))


def test_a_huge_image_fails_alone_in_the_sandbox_quickly() -> None:
    sandbox = Sandbox(Limits(timeout=20, memory_mb=512, ocr_timeout=10))
    try:
        started = time.monotonic()
        with pytest.raises(ReadError, match="too large"):
            sandbox("image", png_header(60000, 60000))
        assert time.monotonic() - started < 20
    finally:
        sandbox.close()


def test_a_logo_sized_image_is_not_read() -> None:
    extract = read_image(png(Image.new("L", (240, 80), 255)))
    assert extract.pairs == []
    assert extract.warnings == ["a small image (240×80 pixels), a logo or a signature: not read"]


def test_a_damaged_image_is_refused_with_its_reason() -> None:
    with pytest.raises(ReadError, match="damaged"):
        read_image(png(form_image())[:400])


def test_ocr_has_its_own_time_limit_in_the_sandbox() -> None:
    limits = Limits(timeout=30, ocr_timeout=45)
    assert limits.for_format("pdf") == limits.for_format("image") == 75
    assert limits.for_format("docx") == 30
