"""Readers for source formats other than plain text: HTML pages and PDF files.

Each reader turns a file's raw bytes into text with blank lines between
paragraphs (``#`` marks on headings) and hands it to ``parse.parse_text``, so
the same paragraph, boilerplate, metadata and speaker rules apply to every
format; what the format itself knows (an HTML page's title, author, date and
site; a PDF's pages) is added to the ``Document``. ``reader_for(suffix)`` is
the dispatch ``sources.read_document`` uses. Readers raise ``ValueError`` with
a reason a person can read ("it is not a valid PDF"), never anything else.
"""
from __future__ import annotations

from typing import Callable

from ..documents import Document

Reader = Callable[[bytes, str, str], Document]  # (raw bytes, file name, sha256) -> Document


def reader_for(suffix: str) -> Reader | None:
    """The reader of a file suffix (".html", ".pdf"…), or None for plain text."""
    suffix = suffix.lower()
    if suffix in (".html", ".htm"):
        from .html import read_html

        return read_html
    if suffix == ".pdf":
        from .pdf import read_pdf

        return read_pdf
    return None
