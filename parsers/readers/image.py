"""Photos and scans sent as images (JPEG, PNG, TIFF, HEIC...), read by OCR.

The image's size is checked from its header before any pixel is decoded: a
picture that would decode to more than ``MAX_PIXELS`` is refused (a
decompression bomb costs nothing to send), and one too small to hold a form (a
logo, a signature) is not read. A TIFF's pages are read in turn. An image
states its resolution seldom and wrongly often, so a page is taken to fill the
picture, A4 on its long side, which is how a scan or a photo of a form comes.
"""

from __future__ import annotations

import io

from PIL import Image, ImageSequence, UnidentifiedImageError

from parsers.document import Extract, ReadError
from parsers.readers.ocr import read_images

MAX_PIXELS = 60_000_000  # a phone photo is 12 million, an A4 page at 600 dpi 35 million
MIN_SIDE = 300  # pixels: smaller is a logo or a signature, not a page
MAX_FRAMES = 20
A4_LONG_SIDE = 11.69  # inches
TOO_LARGE = "the image is too large to read ({size}over 60 million pixels): not read"


def _open(data: bytes) -> Image.Image:
    try:
        from pillow_heif import register_heif_opener

        register_heif_opener()  # iPhone photos (HEIC)
    except ImportError:  # pragma: no cover - pillow-heif is a dependency
        pass
    try:
        return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:  # Pillow's own check, past 179 million pixels
        raise ReadError(TOO_LARGE.format(size="")) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ReadError(f"the image is damaged or of a kind that cannot be read ({exc})") from None


def read_image(data: bytes) -> Extract:
    image = _open(data)
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ReadError(TOO_LARGE.format(size=f"{width}×{height} pixels, "))
    out = Extract()
    if min(width, height) < MIN_SIDE:
        out.warnings.append(
            f"a small image ({width}×{height} pixels), a logo or a signature: not read"
        )
        return out
    pages = []
    try:
        for number, frame in enumerate(ImageSequence.Iterator(image), 1):
            if number > MAX_FRAMES:
                out.warnings.append(f"the image has more than {MAX_FRAMES} pages: "
                                    "only the first were read")
                break
            frame.load()
            pages.append((number, frame.copy(), max(frame.size) / A4_LONG_SIDE))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        if not pages:
            raise ReadError(f"the image is damaged and cannot be read ({exc})") from None
        out.warnings.append("the image is damaged after its first pages: the rest not read")
    out.text = "\n".join(filter(None, read_images(pages, out)))
    return out
