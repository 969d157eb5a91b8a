"""A synthetic corpus of emails for the benchmarks: all data invented."""

from __future__ import annotations

import random

from tests.fixtures.builders import DOCX_TYPE, Attachment, Email, docx_form, pdf_form


def emails(count: int, seed: int = 2026) -> list[bytes]:
    """``count`` distinct emails; a third with a DOCX, a third with a PDF."""
    rng = random.Random(seed)
    pool_docx = [
        docx_form(
            "CME notification", [("Surname", f"Testwood{i}"), ("Date of birth", "03/04/2014")]
        )
        for i in range(20)
    ]
    pool_pdf = [
        pdf_form(
            "CME notification", [("Surname", f"Fakeley{i}"), ("Date of birth", "3 April 2014")]
        )
        for i in range(20)
    ]
    out = []
    for serial in range(count):
        attachments = []
        if serial % 3 == 1:
            attachments.append(Attachment(f"form{serial}.docx", rng.choice(pool_docx), DOCX_TYPE))
        elif serial % 3 == 2:
            attachments.append(
                Attachment(f"form{serial}.pdf", rng.choice(pool_pdf), "application/pdf")
            )
        out.append(
            Email(
                sender=f"office{serial % 97}@school{serial % 97}.example.sch.uk",
                subject=f"Pupil notification {serial}",
                body=f"Pupil reference {serial} has not attended since 12/01/2026.\n" * 5,
                message_id=f"bench-{serial}@school.example.sch.uk",
                attachments=attachments,
            ).to_bytes()
        )
    return out
