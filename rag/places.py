"""Words for countries and peoples in English and French ("chinois", "russe", "ukrainienne", "Arabic"),
from the Unicode CLDR names that Babel ships.

The quote check counts them as names, so a quote that changes one ("un sommet russo-chinois" for
"russo-arabe") is a misquote, not a close quote. A people's word is a one-word language name that
shares its first four letters with a country's name ("arabe" / "Arabie", "chinois" / "Chine"), in any
gender or number; or a word of six letters or more that begins like a country's name and ends like a
demonym ("marocain", "japonais"); words common to several countries' names ("république",
"islands") do not count. Language names that are not also a country's ("cree", "vote")
are left out: they collide with ordinary words. Left out too: peoples whose word does not look like
their country's ("Dutch", "gallois").
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .textnorm import stop_words, words

DEMONYM = re.compile(r"(?:ien|ienne|iens|iennes|een|eenne|eens|ean|eans|ian|ians|ain|aine|ains|aines|ais|aise|aises"
                     r"|ois|oise|oises|an|ans|ese)$")
ENDINGS = ("", "s", "e", "es", "ne", "nes")  # "russes", "chinoise", "chinoises", "ukrainienne", "ukrainiennes"


@lru_cache(maxsize=1)
def _names() -> tuple[frozenset[str], frozenset[str]]:
    """(first five letters of every country-name word, peoples' words), folded."""
    from babel import Locale

    stops = set(stop_words())
    countries: set[str] = set()
    languages: set[str] = set()
    for code in ("fr", "en"):
        locale = Locale(code)
        seen = Counter(w for name in locale.territories.values() for w in set(words(name)))
        countries |= {w for w, n in seen.items() if n == 1 and len(w) >= 4}  # not "république", "islands"
        languages |= {ws[0] for ws in (words(name) for name in locale.languages.values()) if len(ws) == 1}
    countries -= stops
    starts4 = {c[:4] for c in countries}
    peoples = {w for w in languages if len(w) >= 4 and w[:4] in starts4 and w not in stops}
    return frozenset(c[:5] for c in countries if len(c) >= 5), frozenset(peoples)


def place_like(word: str) -> bool:
    """Is the folded ``word`` a people's or a country's word ("arabes", "ukrainienne", "marocain")?"""
    starts5, peoples = _names()
    if any(word.endswith(e) and word[:len(word) - len(e)] in peoples for e in ENDINGS):
        return True
    return made_from(word, starts5)


def made_from(word: str, starts5) -> bool:
    """Is the folded ``word`` a demonym-shaped word of six letters or more that begins like one of the
    names whose first five letters are ``starts5`` ("ukrainien" from "ukrai")?"""
    return len(word) >= 6 and word[:5] in starts5 and DEMONYM.search(word) is not None and word not in stop_words()
