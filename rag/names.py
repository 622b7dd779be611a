"""Names in text: capitalised words, whole names, and one name written two ways.

``name_spans`` finds the capitalised words, ``whole_name`` joins the ones next
to each other ("Steve Witkoff"), ``whole_names`` lists a text's names without
stop words, sentence leads ("Selon"), months, weekdays and quoted words, and
``names_person`` tells whether a word is one of a person's name words, spelling
variants allowed (Ushakov / Ouchakov: a fuzzy ratio of 80 or more),
``writes`` which words of a text spell a name, and ``respelled`` writes a name an
answer misspells by one letter as its source does.

Left out: names written in lower case, and telling people from places or
bodies (no named-entity model runs here).
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .dates import TIME_WORD
from .textnorm import fold, stop_words, words

QUOTED = re.compile(r"«[^»]{2,}»|“[^”]{2,}”|\"[^\"]{2,}\"")
LEADS = {"according", "selon", "d'apres", "yes", "no", "oui", "non", "however", "cependant", "toutefois"}


def name_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the capitalised words of ``text``."""
    return [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\b[A-ZÀ-Þ][\w'’-]+", text)]


def whole_name(names: list[tuple[int, int, str]], i: int) -> tuple[int, int]:
    """Indexes of the first and last of the capitalised words next to ``names[i]`` ("Steve Witkoff")."""
    first, last = i, i
    while last + 1 < len(names) and names[last + 1][0] == names[last][1] + 1:
        last += 1
    while first > 0 and names[first - 1][1] + 1 == names[first][0]:
        first -= 1
    return first, last


def names_person(word: str, person: str) -> bool:
    """True when ``word`` is one of the name words of ``person`` (over three letters; spelling variants
    such as Ushakov / Ouchakov allowed)."""
    w = fold(word)
    return len(w) > 3 and any(fuzz.ratio(w, p) >= 80 for p in words(person) if len(p) > 3)


def writes(text: str, name: str) -> list[str]:
    """The words of ``text`` that spell ``name`` (spelling variants allowed: ``names_person``)."""
    return [w for w in words(text) if names_person(w, name)]


def whole_names(text: str) -> list[list[str]]:
    """The names ``text`` writes, each as its capitalised words ("Steve Witkoff"), stop words and sentence leads
    left out; months and weekdays name nobody, and names inside quotation marks are not the text's own."""
    stops = stop_words() | LEADS
    spans = [n for n in name_spans(QUOTED.sub(" ", text)) if not TIME_WORD.fullmatch(fold(n[2]))]
    named = ([w for _, _, w in group if fold(w) not in stops] for group in _groups(spans))
    return [name for name in named if name]


def respelled(claim: str, cited: list[str], written: str) -> str:
    """``claim`` with a person's name it misspells by one letter written as a cited paragraph writes it
    ("Youi Ouchakov" -> "Youri Ouchakov"). Only one word of a name of two words or more, the others the same,
    four letters or more, that ``written`` (the sources and the question) never writes; a word two names
    would mend differently is left as it is, and so is a name of one word ("Americans" is no "Américains")."""
    known = set(words(written))
    names = {tuple(w for _, _, w in g) for t in cited for g in _groups(name_spans(t)) if len(g) > 1}
    fixes: dict[tuple[int, int], set[str]] = {}
    for group in _groups(name_spans(claim)):
        for name in names:
            for at in range(len(group) - len(name) + 1):
                differ = [(s, n) for s, n in zip(group[at:at + len(name)], name) if fold(s[2]) != fold(n)]
                if len(differ) == 1:
                    (start, end, word), right = differ[0]
                    if len(word) >= 4 and fold(word) not in known and Levenshtein.distance(fold(word), fold(right)) == 1:
                        fixes.setdefault((start, end), set()).add(right)
    for (start, end), right in sorted(fixes.items(), reverse=True):
        if len(right) == 1:
            claim = claim[:start] + right.pop() + claim[end:]
    return claim


def _groups(spans: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """Capitalised words (``name_spans``) in runs of neighbours ("Anne Le Gall")."""
    out, i = [], 0
    while i < len(spans):
        first, last = whole_name(spans, i)
        out.append(spans[first:last + 1])
        i = last + 1
    return out
