"""Document metadata found in the text: author, date, outlet lines.

Recognises byline and dateline forms such as ``AUTEUR Le Grand Continent``,
``DATE 26 novembre 2025``, ``Publié par X le 27 novembre 2025``,
``Par Claire Martin``, ``By Jane Doe``, ``Published on May 3, 2024``, and a
line that is only a date (``Le 3 mai 2024 à 10h05``). A byline without a label
needs a name (capitalised words), so "By the end of the day" is not one. A
matched line is metadata, not a paragraph. Titles and site names are decided
by ``parse`` from position.
"""
from __future__ import annotations

import re

_LABEL = r"[ \t]*[:：]?[ \t]+"
_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.\-]*"
# One or more capitalised names: "Jane Doe", "Paul-Gabriel LANTZ", "Jane Doe and John Roe", "Marie de La Tour"
_NAME = rf"(?-i:{_CAP}(?:,?\s+(?:(?:de|du|des|van|von|der|da|di|et|and|&)\s+)*{_CAP}){{0,7}})"
_DATE = (r"(?:\d{1,2}(?:er)?\s+[^\W\d]+\.?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}"
         r"|[^\W\d]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})")
DATE_WORD = re.compile(rf"\b{_DATE}\b", re.I)

PATTERNS: list[tuple[re.Pattern, tuple[str, ...]]] = [
    # "Publié par X le DATE", "Published by X on DATE", "Par X, le DATE", "Posted by X on DATE"
    (re.compile(r"^(?:publi[ée]e? par|[ée]crit par|par|published by|posted by|written by|by)\s+(.{2,80}?),?\s+(?:le|on)\s+(.{4,40}?)\s*$", re.I),
     ("author", "date")),
    (re.compile(r"^(?:AUTEURS?|AUTHORS?|BYLINE|SIGNATURE)" + _LABEL + r"(.{2,100})$"), ("author",)),
    (re.compile(r"^(?:auteurs?|authors?)\s*:\s*(.{2,100})$", re.I), ("author",)),
    (re.compile(rf"^(?:publi[ée]e? par|[ée]crit par|par|written by|posted by|published by|by)\s*:?\s+({_NAME})(?:\s*[,|–—]\s*[^,.;:!?]{{2,60}})?$", re.I),
     ("author",)),
    (re.compile(r"^(?:DATE|PUBLI[ÉE] LE|PUBLISHED|MIS À JOUR LE|UPDATED)" + _LABEL + r"(.{4,40})$"), ("date",)),
    (re.compile(r"^(?:date|publi[ée]e? le|published(?: on)?|posted on|updated(?: on)?|mis à jour le)\s*:?\s+(.{4,40})$", re.I),
     ("date",)),
    # a line that is only a date, maybe with a time: "Le 3 mai 2024 à 10h05", "May 3, 2024"
    (re.compile(rf"^(?:(?:le|on)\s+)?(?:[^\W\d]+,?\s+)?({_DATE})(?:,?\s+(?:à|at)\s+\d{{1,2}}\s*[h:]\s*\d{{0,2}}\s*(?:am|pm)?)?$", re.I),
     ("date",)),
    (re.compile(r"^(?:SOURCE|M[ÉE]DIA|OUTLET|PUBLICATION|SITE)" + _LABEL + r"(.{2,80})$"), ("outlet",)),
    (re.compile(r"^(?:titre|title)\s*:\s*(.{2,200})$", re.I), ("title",)),
]


def parse_meta_line(line: str) -> dict[str, str] | None:
    """The metadata fields a single line declares, or None if it is not a metadata line."""
    s = line.strip()
    if not s or len(s) > 160 or s.endswith((".", "!", "?", "…")) and not DATE_WORD.search(s[-20:]):
        return None
    for pattern, fields in PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        values = dict(zip(fields, (g.strip() for g in m.groups())))
        if "date" in values and not DATE_WORD.search(values["date"]):
            continue  # "par X le ..." must really end in a date
        return values
    return None
