"""A PDF file -> its text page by page (pypdf), cleaned into paragraphs that know their page.

Each page's text is extracted in pypdf's layout mode, which keeps the vertical
gaps between paragraphs as blank lines. Page furniture is dropped before
parsing: page numbers ("3", "Page 3", "3 / 12") at the top or bottom of a page,
and running headers and footers: a short line (twelve words at most, not the
end of a sentence) that recurs at the top or bottom of at least a third of the
pages, digits ignored. The pages are then joined and go through ``parse_text``
as one text, so a paragraph cut by a page break is rejoined like any broken
paragraph; each paragraph records the page it starts on. The PDF's own title
and author fill in what the text does not say. What this leaves out: scanned
pages (no text layer), multi-column layouts (their columns come out side by
side), tables, and encrypted files that need a password.
"""
from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import replace

from ..documents import Document
from ..parse import parse_text

PAGE_NUMBER = re.compile(r"^(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:/|of|sur|de)\s*\d{1,4})?$", re.I)
EDGE_LINES = 2  # how many lines at the top and the bottom of a page can be furniture
FURNITURE_WORDS = 12  # a running header or footer is short; a longer recurring line is text
SENTENCE_END = (".", "!", "?", "…", ",", ";", ":", "»", "\"", "”")


def _pages(raw: bytes) -> tuple[list[str], dict]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns about every small flaw it repairs
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("it is an encrypted PDF that needs a password")
        pages = []
        for page in reader.pages:
            try:
                pages.append(page.extract_text(extraction_mode="layout") or "")
            except (ValueError, KeyError, ZeroDivisionError):  # layout mode fails on odd pages: plain text then
                pages.append(page.extract_text() or "")
        info = reader.metadata or {}
        meta = {"title": info.get("/Title"), "author": info.get("/Author")}
    except ValueError:
        raise
    except (PyPdfError, OSError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as e:
        raise ValueError(f"it is not a valid PDF ({type(e).__name__})") from None
    return pages, {k: " ".join(str(v).split()) or None for k, v in meta.items() if v}


def _lines(page: str) -> list[str]:
    """The page's lines, spaces folded (layout mode pads), blank lines kept as ''."""
    return [" ".join(line.split()) for line in page.splitlines()]


def _edges(lines: list[str]) -> list[int]:
    """Indices of the first and last few non-blank lines of a page."""
    filled = [i for i, s in enumerate(lines) if s]
    return sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))


def _norm(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())  # "Page 3 of 9" recurs as "page # of #"


def strip_furniture(pages: list[str]) -> list[str]:
    """Each page without its running header/footer lines and page numbers. A running line is short, is not
    the end of a sentence, and recurs at the edge of at least a third of the pages (two at least)."""
    split = [_lines(p) for p in pages]
    counts = Counter(_norm(lines[i]) for lines in split for i in _edges(lines))
    need = max(2, len(pages) // 3)
    recurring = {s for s, c in counts.items()
                 if c >= need and len(s.split()) <= FURNITURE_WORDS and not s.endswith(SENTENCE_END)}
    out = []
    for lines in split:
        for i in _edges(lines):
            if PAGE_NUMBER.match(lines[i]) or _norm(lines[i]) in recurring:
                lines[i] = ""
        out.append(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())
    return out


def _page_of(doc: Document, pages: list[str]) -> Document:
    """Set each paragraph's page: where its text starts, searched in order, whitespace ignored."""
    flat, starts = "", []
    for text in pages:
        starts.append(len(flat))
        flat += "".join(text.split())
    cursor = 0
    for i, p in enumerate(doc.paragraphs):
        head = "".join(p.text.split())[:80]
        at = flat.find(head, cursor)
        at = at if at >= 0 else flat.find(head[:20], cursor)
        if at >= 0:
            cursor = at + 1
        page = sum(1 for s in starts if s <= max(at, cursor - 1))
        doc.paragraphs[i] = replace(p, page=max(1, page))
    return doc


def read_pdf(raw: bytes, name: str, sha256: str) -> Document:
    pages, meta = _pages(raw)
    pages = strip_furniture(pages)
    text = "\n\n".join(pages)
    if not text.strip():
        raise ValueError("no text could be extracted from this PDF (a scanned document?)")
    doc = parse_text(text, name, sha256)
    doc.title = doc.title or meta.get("title")
    doc.author = doc.author or meta.get("author")
    return _page_of(doc, pages)
