"""Dates in text: finding the dates, months and years a text writes, and writing a date in a language.

Works on folded text (lower case, no accents), in English and French: "26 novembre 2025", "1er octobre",
"November 26, 2025", "octobre 2025", weekdays and years. Left out: relative dates ("la veille",
"yesterday") and dates written only in digits ("26/11").
"""
from __future__ import annotations

import re

from .textnorm import fold

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
}
_MONTH_OF = {fold(m): i for names in MONTHS.values() for i, m in enumerate(names)} | {"aout": 7, "sept": 8}
_MONTH = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
_DAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
# on folded text (lower case, no accents): "26 novembre 2025", "1er octobre", "november 26, 2025", "octobre 2025"
DAY_MONTH = re.compile(rf"\b(?P<d>[0-3]?\d)(?:er|st|nd|rd|th)? (?P<m>{_MONTH})\b(?: (?P<y>(?:19|20)\d\d)\b)?")
MONTH_DAY = re.compile(rf"\b(?P<m>{_MONTH}) (?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,? (?P<y>(?:19|20)\d\d)\b)?")
MONTH_YEAR = re.compile(rf"\b(?P<m>{_MONTH})\b(?: (?P<y>(?:19|20)\d\d)\b)?")
TIME_WORD = re.compile(rf"\b({_MONTH}|{_DAYS}|(?:19|20)\d\d)\b")


def dates_in(text: str) -> list[tuple[int, int, int | None]]:
    """(day, month 0-11, year or None) of the day-and-month dates written in ``text``, in order."""
    folded = fold(text)
    found = []
    for rx in (DAY_MONTH, MONTH_DAY):
        for m in rx.finditer(folded):
            day = int(m.group("d"))
            if 1 <= day <= 31:
                found.append((m.start(), (day, _MONTH_OF[m.group("m")], int(m.group("y")) if m.group("y") else None)))
    return [d for _, d in sorted(found)]


def months_alone(text: str) -> list[tuple[int, int | None]]:
    """(month 0-11, year or None) of the months ``text`` writes without a day ("en mai 2025"), in order."""
    folded = fold(text)
    taken = [m.span() for rx in (DAY_MONTH, MONTH_DAY) for m in rx.finditer(folded)]
    return [(_MONTH_OF[m.group("m")], int(m.group("y")) if m.group("y") else None)
            for m in MONTH_YEAR.finditer(folded) if not any(a <= m.start() < b for a, b in taken)]


def has_time(text: str) -> bool:
    return bool(TIME_WORD.search(fold(text)))


def say_date(date: tuple[int, int, int | None], lang: str) -> str:
    day, month, year = date
    name = MONTHS.get(lang, MONTHS["en"])[month]
    return f"{day}{'er' if lang == 'fr' and day == 1 else ''} {name}" + (f" {year}" if year else "")


def undated_text(text: str) -> str:
    """``text`` folded, its dates blanked out."""
    folded = fold(text)
    for rx in (DAY_MONTH, MONTH_DAY, MONTH_YEAR):
        folded = rx.sub(lambda m: " " * len(m.group(0)), folded)
    return folded


def only_in_dates(number: str, text: str) -> bool:
    """True when ``text`` writes the digits ``number`` and only inside dates ("17 octobre", "2025")."""
    if not number.isdigit():
        return False
    folded = fold(text)
    at = [m.start() for m in re.finditer(rf"(?<![\d.,]){number}(?![\d]|[.,]\d)", folded)]
    dated = [m.span() for rx in (DAY_MONTH, MONTH_DAY, MONTH_YEAR) for m in rx.finditer(folded)]
    return bool(at) and all(any(a <= i < b for a, b in dated) for i in at)
