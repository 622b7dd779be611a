"""When-questions: the date an answer gives is the one written in the sentence that supports it.

A small model asked "when" often gives the date of the article (shown in each
source's head) instead of the date the paragraph writes: "Dans la nuit,
Bloomberg a publié…" in an article of 26 November, next to another paragraph
saying "Bloomberg, le 25 novembre, a rendu publics…". So for a when-question
each sentence of the answer is also checked without its dates (``undated``);
when a paragraph that supports it so writes a date in one of its sentences,
that paragraph is cited and its date replaces the model's (``redate``). With no
such paragraph the sentence is checked as written (``support``), and dropped
if a paragraph it cites does not write its day and month (``in_text``): that
date is the article's, shown in each source's head ("before the 26 November
meeting" for "avant cette réunion de vendredi"), or the model's own.

A model asked when something happened "en mai 2025" tends to invent a day
("May 20, 2025"): when no supporting source writes the claim's day but one
writes its month alone, the claim keeps the month and loses the day
(``in_month``).

Left out: relative dates ("la veille", "yesterday"), years alone ("in 2025"),
dates written only in digits ("26/11").
"""
from __future__ import annotations

import re

from .dates import MONTHS, dates_in, months_alone, say_date
from .support import lexical
from .textnorm import fold
from .tokens import sentences

_NAMES = {n for names in MONTHS.values() for m in names for n in (m, fold(m))} | {"aout", "sept", "Sept"}
_MONTH = "|".join(sorted(_NAMES, key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
# "26 novembre 2025", "1er octobre", "November 26, 2025", "Nov. 26" is left out; a weekday or "on"/"le" before it goes too
_DAY = r"(?:[0-3]?\d)(?:er|st|nd|rd|th)?"
_DATE = (rf"(?:{_DAY}\s+(?:{_MONTH})(?:,?\s+{_YEAR})?|(?:{_MONTH})\s+{_DAY}(?:,?\s+{_YEAR})?)")
DATE = re.compile(rf"\b{_DATE}\b", re.I)
DATE_PHRASE = re.compile(rf"\s*,?\s*\b(?:on|in|le|du|en)?\s*(?:(?:the\s+)?(?:monday|tuesday|wednesday|thursday"
                         rf"|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche),?\s+)?"
                         rf"{_DATE}\b", re.I)


def undated(claim: str) -> str:
    """The claim without its day-and-month dates (and the "on"/"le" before them)."""
    return re.sub(r"\s+([.,;!?])", r"\1", DATE_PHRASE.sub("", claim)).strip(" ,;")


def dated_sentence(claim: str, paragraph_text: str) -> str | None:
    """The paragraph's sentence nearest the claim among those writing a day-and-month date, if any."""
    dated = [s for s in sentences(paragraph_text) or [paragraph_text] if dates_in(s)]
    if not dated:
        return None
    return max(dated, key=lambda s: lexical(claim, s))


def redate(claim: str, date: tuple[int, int, int | None], lang: str) -> str:
    """The claim with its first date replaced by ``date`` (keeping the claim's year when ``date`` has
    none); a claim without a date gets none (``answer_type.complete`` adds a sentence giving it)."""
    m = DATE.search(claim)
    if m is None:
        return claim
    day, month, year = date
    rest = claim[m.end():]
    return claim[:m.start()] + say_date((day, month, _year(year, m.group(0))), lang) + rest


def _year(year: int | None, written: str) -> int | None:
    """``year``, or when it is None the year of the claim's date as ``written``."""
    if year is not None:
        return year
    given = dates_in(written)
    return given[0][2] if given else None


def cite_dated(claim, bare: str, score, rank, keys: list[str], texts: list[str], lang: str,
               margin: float):
    """The claim (a ``citations.Claim`` giving a date) cited to a source that supports it without its
    date (``score``/``rank``: that support, per source) and writes a date, with that date; None when
    no such source is found. A source writing the claim's own date comes first; among those, the cited
    keys are kept when one ranks within ``margin`` of the best."""
    given = {(d, m) for d, m, _ in dates_in(claim.text)}
    if not given:
        return None
    dated = {j: s for j in range(len(keys)) if score[j] >= 0.5 and (s := dated_sentence(bare, texts[j]))}
    same = {j: s for j, s in dated.items() if any(d[:2] in given for d in dates_in(s))}
    if not same and (monthly := in_month(claim, bare, score, rank, keys, texts, lang)):
        return monthly
    if not dated:
        return None
    pool = same or dated
    best = max(pool, key=lambda j: rank[j])
    index = {k: j for j, k in enumerate(keys)}
    good = [k for k in claim.keys if index[k] in pool and rank[index[k]] >= rank[best] - margin]
    good = good or [keys[best]]
    written = dates_in(pool[index[good[0]]])
    date = next((d for d in written if d[:2] in given), written[0])
    return type(claim)(redate(claim.text, date, lang), good)


def own_date(claim: str, score, rank, texts: list[str]) -> bool:
    """True when the source that best supports the claim as written (its date included) writes the claim's
    day and month: that date is the paragraph's own and is kept, not replaced by the date of a source that
    only supports the claim without it ("a eu lieu le 14 octobre", from "enregistrement daté du 14
    octobre", is not made the 25 November of "la fuite a eu lieu… Bloomberg, le 25 novembre")."""
    passing = [j for j in range(len(texts)) if score[j] >= 0.5]
    if not passing:
        return False
    best = max(passing, key=lambda j: rank[j])
    given = {d[:2] for d in dates_in(claim)}
    return bool(given & {d[:2] for d in dates_in(texts[best])})


def our_way(claim: str, lang: str) -> str:
    """The claim with its first date written as every date we give is ("25 November 2025", "le 25
    novembre 2025"), whatever the model's way ("November 25th, 2025")."""
    given = dates_in(claim)
    return redate(claim, given[0], lang) if given else claim


def in_text(kept: list, paragraph_of: dict) -> list:
    """The claims (``citations.Claim``) whose every day-and-month date a cited paragraph writes; the others
    are dropped: a date the paragraphs do not write is the article's (in each source's head) or invented."""
    return [c for c in kept
            if {d[:2] for d in dates_in(c.text)} <= {d[:2] for k in c.keys for d in dates_in(paragraph_of[k].text)}]


def in_month(claim, bare: str, score, rank, keys: list[str], texts: list[str], lang: str):
    """The claim cited to the best-ranked supporting source with a sentence that writes the claim's month
    without a day, that month (and year) in place of the claim's date; None when no source does."""
    months = {m for _, m, _ in dates_in(claim.text)}
    found = {}
    for j in range(len(keys)):
        if score[j] < 0.5:
            continue
        near = [(lexical(bare, s), my) for s in sentences(texts[j]) or [texts[j]]
                for my in months_alone(s) if my[0] in months]
        if near:
            found[j] = max(near, key=lambda x: x[0])[1]
    if not found:
        return None
    best = max(found, key=lambda j: rank[j])
    return type(claim)(say_month(claim.text, found[best], lang), [keys[best]])


def say_month(claim: str, month_year: tuple[int, int | None], lang: str) -> str:
    """The claim with its first date (and the "on"/"le" before it) replaced by the month: "in May 2025"."""
    m = DATE_PHRASE.search(claim)
    if m is None:
        return claim
    month, year = month_year[0], _year(month_year[1], m.group(0))
    phrase = f"{'en' if lang == 'fr' else 'in'} {MONTHS.get(lang, MONTHS['en'])[month]}" + (f" {year}" if year else "")
    before = claim[:m.start()]
    if not before.strip():
        return phrase[:1].upper() + phrase[1:] + claim[m.end():]
    return f"{before} {phrase}{claim[m.end():]}"
