"""Document parsing throughput, as a ratio to the bare library calls on the same files.

    .venv/bin/python bench/parse.py [--documents 500] [--rounds 3]

The corpus is generated (all data invented): about 40% DOCX forms, 40% PDF forms
(printed and fillable) and 20% plain-text notifications, in the golden fixtures'
layouts with a different cast for every document. Each round times, on the same
bytes and in this process:

- cme: ``Parser.parse_document`` per document, reading directly (no sandbox);
- cme sandboxed: the same through ``Sandbox(Limits())`` with one worker, as the
  daemon reads;
- bare: what any reader must do at least: pdfplumber's ``extract_text`` per page,
  python-docx's paragraph and table-cell texts, a decode for text.

The three take turns over chunks of 20 documents, who goes first rotating from
chunk to chunk and round to round, so a change in the machine's load falls on all
of them alike. Ratios hold on a noisy shared machine where seconds do not; the
median over rounds is reported. Imports and spaCy's pipeline (seconds, once per
process) are loaded in a warm-up before the first round, and not counted.

Then the PDF subset is read bare with pypdfium2 and with pdfplumber, to see what a
plain-text read could gain where no layout is needed.

Last, OCR's cost, apart from the ratio above (no scan is in that corpus): a few
of the printed PDF forms turned into scans (each page rendered to a picture and
put back as an image-only PDF), read by cme (render, clean, Tesseract, layout),
against bare Tesseract on the same page pictures, in seconds per page.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cme.resources import SHIPPED_TEMPLATES
from parsers.message import Parser
from parsers.sandbox import Limits, Sandbox
from tests.fixtures.golden import (
    agency_forms,
    cme_forms,
    docx_forms,
    docx_ticks,
    ehe_forms,
    pdf_acroforms,
    pdf_forms,
)
from tests.fixtures.golden.cme_mail import details_form
from tests.fixtures.golden.ehe_letters import letter
from tests.fixtures.golden.form import Facts, Form
from tests.fixtures.golden.scene import CME_REASONS, Scene, cover, scene
from tests.fixtures.golden.text_forms import as_lines
from tests.fixtures.golden.values import (
    address_text,
    date_text,
    phone_text,
    year_text,
)

TARGET = 1.5
CHUNK = 20  # documents each loop reads before the next loop takes its turn
KINDS = ("pdf", "docx", "text")


@dataclass(frozen=True)
class Document:
    name: str
    kind: str  # "pdf", "docx" or "text"
    data: bytes


# Council forms (a scene in, a Form out) and the renderers each can go through.
# Forms with single tick boxes need a tick-box layout (or a fillable PDF).
Council = Callable[[Scene], Form]
COUNCILS: list[Council] = [
    lambda s: cme_forms.northshire(s, date_text(date(2026, 1, 23), "dmy")),
    lambda s: cme_forms.westvale(s, date_text(date(2026, 1, 16), "ordinal")),
    cme_forms.kelmsford,
    cme_forms.southmere,
    cme_forms.hallowfield,
    cme_forms.greyford,
    cme_forms.lindley,
    cme_forms.marston,
    cme_forms.eastholm,
    agency_forms.northshire,
    agency_forms.westvale,
    agency_forms.kelmsford,
    agency_forms.greyford,
    agency_forms.lindley,
    ehe_forms.northshire,
    ehe_forms.westvale,
    ehe_forms.kelmsford,
    ehe_forms.hallowfield,
    ehe_forms.marston,
]
TICK_COUNCILS: list[Council] = [
    lambda s: cme_forms.ashcombe(
        s,
        True,
        {"looked_after": False, "known_to_social_care": True, "sen": True, "traveller": False},
        columns=True,
    ),
    cme_forms.wenlow,
    cme_forms.fairbridge,
]
DOCX_PLAIN = [
    docx_forms.two_column,
    docx_forms.merged_sections,
    docx_forms.header_row,
    docx_forms.cell_pairs,
    docx_forms.paragraphs,
]
DOCX_TICKS = [docx_ticks.tick_boxes, docx_ticks.content_controls]
PDF_PLAIN = [pdf_forms.inline, pdf_forms.label_above, pdf_forms.drawn_table]
PDF_FILLABLE = [pdf_acroforms.tooltips_only, pdf_acroforms.printed_labels]


def _render(rng: random.Random, serial: int, kind: str) -> Document:
    role = rng.choice(["Attendance Officer", "DSL", "Head Teacher"])
    s = scene(f"bench-parse-{serial}", role=role, youngest=1)  # "bare" years lack R
    if kind == "text":
        return Document(f"notification{serial}.txt", kind, _text(rng, s).encode("utf-8"))
    ticks = rng.random() < 0.2
    council = rng.choice(TICK_COUNCILS if ticks else COUNCILS)
    form = council(s)
    if kind == "docx":
        render = rng.choice(DOCX_TICKS if ticks else DOCX_PLAIN + DOCX_TICKS)
    else:
        render = rng.choice(PDF_FILLABLE if ticks else PDF_PLAIN + PDF_FILLABLE)
    return Document(f"form{serial}.{kind}", kind, render(form))


def _text(rng: random.Random, s: Scene) -> str:
    """An email body: a form typed as "Label: value" lines, a letter, or prose."""
    style = rng.randrange(3)
    if style == 0:
        form = details_form(s, "CHILD MISSING EDUCATION - DETAILS", "dmy", date(2026, 1, 27), 0)
        return cover(Facts(), s.staff, "Details below.\n\n" + as_lines(form))
    if style == 1:
        lines = letter(Facts(), s, citation="2024", start=date(2026, 2, 16), dob="dmy")
        return "\n\n".join(lines) + "\n"
    c = s.child
    return (
        "Dear Children Missing Education Team,\n\n"
        f"I am writing about {c.forenames} {c.surname}, a "
        f"{year_text(c.year_group, 'word').text} pupil at {s.school.name} (date of birth "
        f"{date_text(c.dob, 'ordinal').text}), who has not been in school since "
        f"{date_text(date(2026, 1, 20), 'weekday').text}.\n\n{rng.choice(CME_REASONS)}\n\n"
        f"The family's last known address is {address_text(c.address, 'comma').text}, "
        f"{c.postcode}. {s.parent.name} has not answered calls on "
        f"{phone_text(s.parent.phone, 'spaced').text}.\n\n"
        f"Yours sincerely,\n\n{s.staff.name}\n{s.staff.role}\n{s.school.name}\n"
    )


def corpus(count: int, seed: int = 2026) -> list[Document]:
    """``count`` distinct documents: 40% DOCX, 40% PDF, 20% text, shuffled."""
    rng = random.Random(seed)
    kinds = ["docx", "pdf", "docx", "pdf", "text"]
    documents = [_render(rng, serial, kinds[serial % 5]) for serial in range(count)]
    rng.shuffle(documents)
    return documents


# The loops. Each adds its seconds per kind of document to ``spent``, so the
# share of time on PDFs can be reported.

Loop = Callable[[list["Document"], dict[str, float]], None]


def cme_loop(parser: Parser, documents: list[Document], spent: dict[str, float]) -> None:
    for doc in documents:
        start = time.perf_counter()
        results = parser.parse_document(doc.data, doc.name)
        spent[doc.kind] += time.perf_counter() - start
        if results[0].unreadable:
            raise SystemExit(f"{doc.name} not read: {results[0].warnings}")


def bare_pdf(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()


def bare_docx(data: bytes) -> None:
    import docx

    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        paragraph.text  # noqa: B018
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                cell.text  # noqa: B018


def bare_text(data: bytes) -> None:
    data.decode("utf-8")


BARE = {"pdf": bare_pdf, "docx": bare_docx, "text": bare_text}


def bare_loop(documents: list[Document], spent: dict[str, float]) -> None:
    for doc in documents:
        start = time.perf_counter()
        BARE[doc.kind](doc.data)
        spent[doc.kind] += time.perf_counter() - start


def pdfium_text(data: bytes) -> None:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for page in pdf:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
    finally:
        pdf.close()


def timed(read: Callable[[bytes], None]) -> Loop:
    def loop(documents: list[Document], spent: dict[str, float]) -> None:
        for doc in documents:
            start = time.perf_counter()
            read(doc.data)
            spent[doc.kind] += time.perf_counter() - start

    return loop


def interleaved(loops: dict[str, Loop], documents: list[Document], round_no: int) -> dict:
    """Seconds per loop and kind, the loops taking turns over chunks of the corpus.

    On a shared machine the load changes from one minute to the next; running each
    loop over a small chunk in turn spreads that over all loops alike, and rotating
    who goes first keeps any one loop from always finding the caches warm.
    """
    spent = {name: dict.fromkeys(KINDS, 0.0) for name in loops}
    names = list(loops)
    for c, start in enumerate(range(0, len(documents), CHUNK)):
        chunk = documents[start : start + CHUNK]
        turn = (c + round_no) % len(names)
        for name in names[turn:] + names[:turn]:
            loops[name](chunk, spent[name])
    return spent


# Reporting.


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:6.1f} docs/s"


def share(spent: dict[str, float], kind: str = "pdf") -> float:
    return spent[kind] / sum(spent.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ocr-pages", type=int, default=3,
                        help="printed forms turned into scans for the OCR figure (0: none)")
    args = parser.parse_args()

    start = time.perf_counter()
    documents = corpus(args.documents)
    made = time.perf_counter() - start
    counts = {k: sum(d.kind == k for d in documents) for k in KINDS}
    size = sum(len(d.data) for d in documents) / 1e6
    print(
        f"corpus: {len(documents)} documents ({counts['docx']} DOCX, {counts['pdf']} PDF, "
        f"{counts['text']} text), {size:.1f} MB, generated in {made:.1f} s; "
        f"{args.rounds} rounds, alternating"
    )

    direct = Parser.from_folder(SHIPPED_TEMPLATES)
    sandbox = Sandbox(Limits(), workers=1)
    sandboxed = Parser.from_folder(SHIPPED_TEMPLATES, read=sandbox)
    # Warm up: imports, spaCy's pipeline (loaded by the first prose text, in seconds),
    # the sandbox's worker. Ten of each kind, so every text style is among them.
    warm = [d for k in KINDS for d in [d for d in documents if d.kind == k][:10]]
    loops: dict[str, Loop] = {
        "bare": bare_loop,
        "cme": lambda docs, spent: cme_loop(direct, docs, spent),
        "sandboxed": lambda docs, spent: cme_loop(sandboxed, docs, spent),
    }
    start = time.perf_counter()
    loops["cme"](warm, dict.fromkeys(KINDS, 0.0))
    print(f"warm-up (imports, spaCy, first reads): {time.perf_counter() - start:.1f} s")
    interleaved(loops, warm, 0)

    n = len(documents)
    ratios: list[float] = []
    sandbox_ratios: list[float] = []
    pdf_shares: list[tuple[float, float]] = []
    try:
        for round_no in range(1, args.rounds + 1):
            spent = interleaved(loops, documents, round_no)
            bare, took, boxed = (sum(spent[k].values()) for k in ("bare", "cme", "sandboxed"))
            ratios.append(took / bare)
            sandbox_ratios.append(boxed / bare)
            pdf_shares.append((share(spent["cme"]), share(spent["bare"])))
            print(
                f"round {round_no}: bare {rate(n, bare)}, cme {rate(n, took)} "
                f"(ratio {took / bare:.2f}x), cme sandboxed {rate(n, boxed)} "
                f"(ratio {boxed / bare:.2f}x)"
            )
            print(
                "         per kind, cme/bare: "
                + ", ".join(
                    f"{k} {spent['cme'][k] / spent['bare'][k]:.2f}x "
                    f"({counts[k] / spent['cme'][k]:.0f} vs {counts[k] / spent['bare'][k]:.0f}"
                    " docs/s)"
                    for k in ("pdf", "docx")
                )
                + f", text {counts['text'] / spent['cme']['text']:.0f} docs/s"
            )
    finally:
        sandbox.close()

    print(f"median ratio cme/bare: {statistics.median(ratios):.2f}x  (target <= {TARGET}x)")
    print(f"median ratio cme sandboxed/bare: {statistics.median(sandbox_ratios):.2f}x")
    print(
        f"share of time on PDFs: cme {statistics.median(s[0] for s in pdf_shares):.0%}, "
        f"bare {statistics.median(s[1] for s in pdf_shares):.0%} "
        f"(PDFs are {counts['pdf'] / n:.0%} of the documents)"
    )

    pdfs = [d for d in documents if d.kind == "pdf"]
    readers = {"pdfplumber": timed(bare_pdf), "pypdfium2": timed(pdfium_text)}
    gains: list[float] = []
    for round_no in range(1, args.rounds + 1):
        spent = interleaved(readers, pdfs, round_no)
        plumber, pdfium = spent["pdfplumber"]["pdf"], spent["pypdfium2"]["pdf"]
        gains.append(plumber / pdfium)
        print(
            f"round {round_no}: plain text of {len(pdfs)} PDFs: pdfplumber "
            f"{rate(len(pdfs), plumber)}, pypdfium2 {rate(len(pdfs), pdfium)}"
        )
    print(
        f"median: pypdfium2 reads plain text {statistics.median(gains):.1f}x as fast as "
        "pdfplumber (pdfplumber/pypdfium2 time)"
    )
    ocr_figure(documents, args.ocr_pages)


def scanned(data: bytes, dpi: int = 200) -> tuple[bytes, list]:
    """A PDF as a scanner would give it back: each page a picture, no text layer."""
    import pypdfium2
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    pdf = pypdfium2.PdfDocument(data)
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    pictures = []
    try:
        for page in pdf:
            width, height = page.get_size()
            picture = page.render(scale=dpi / 72).to_pil().convert("L")
            pictures.append(picture)
            canvas.setPageSize((width, height))
            canvas.drawImage(ImageReader(picture), 0, 0, width=width, height=height)
            canvas.showPage()
            page.close()
    finally:
        pdf.close()
    canvas.save()
    return out.getvalue(), pictures


def ocr_figure(documents: list[Document], count: int) -> None:
    """Seconds per scanned page: cme's OCR read, and bare Tesseract on the same pictures."""
    import shutil

    if count <= 0:
        return
    if shutil.which("tesseract") is None:
        print("OCR: tesseract is not installed: not measured")
        return
    import pytesseract

    from parsers.sandbox import read_directly

    printed = [d for d in documents if d.kind == "pdf" and b"/AcroForm" not in d.data]
    scans = [scanned(d.data) for d in printed[:count]]
    pages = sum(len(pictures) for _, pictures in scans)
    start = time.perf_counter()
    for data, _ in scans:
        extract = read_directly("pdf", data)
        if not extract.ocr:
            raise SystemExit(f"a scan was not read by OCR: {extract.warnings}")
    took = time.perf_counter() - start
    start = time.perf_counter()
    for _, pictures in scans:
        for picture in pictures:
            pytesseract.image_to_string(picture)
    bare = time.perf_counter() - start
    print(
        f"OCR: {pages} scanned pages ({len(scans)} forms): cme {took / pages:.2f} s/page "
        f"(render, clean, Tesseract, layout), bare Tesseract {bare / pages:.2f} s/page"
    )


if __name__ == "__main__":
    main()
