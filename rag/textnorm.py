"""Text normalisation shared by lexical search and quote checking.

``fold`` lower-cases, strips accents and unifies apostrophes, quote marks and
dashes; ``words`` splits folded text into word tokens (elisions such as
``l'``/``qu'`` split off); ``terms`` adds French and English stop-word removal
and Snowball stemming for BM25. Language is not detected: every token is
stemmed by both stemmers, which is cheap and lets an English question meet a
French cognate. What this leaves out: lemmatisation and synonyms.
"""
from __future__ import annotations

import functools
import re
import unicodedata

import snowballstemmer
from stop_words import get_stop_words

_PUNCT = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "«": '"', "»": '"', "“": '"', "”": '"',
                        "„": '"', "–": "-", "—": "-", "‐": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, quote and dash."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_PUNCT))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("œ", "oe").replace("æ", "ae")


def words(text: str) -> list[str]:
    """Folded word tokens; apostrophes and punctuation split words."""
    return WORD.findall(fold(text))


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    out: set[str] = set()
    for lang in ("french", "english"):
        out.update(w for s in get_stop_words(lang) for w in words(s))
    # elided forms left over after splitting on apostrophes
    out.update({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quelqu"})
    return frozenset(out)


_FR = snowballstemmer.stemmer("french")
_EN = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A French-then-English Snowball stem; both languages share one token space."""
    return _EN.stemWord(_FR.stemWord(word))


def terms(text: str) -> list[str]:
    """Index terms of a text: folded, stop words removed, stemmed."""
    stops = stop_words()
    return [stem(w) for w in words(text) if w not in stops and (len(w) > 1 or w.isdigit())]


_FR_MARK = {"le", "la", "les", "des", "du", "est", "une", "que", "qui", "dans", "pour", "avec", "sur", "pas", "au",
            "aux", "ce", "cette", "il", "elle", "et", "de", "quel", "quelle", "quels", "qu", "comment", "pourquoi"}
_EN_MARK = {"the", "is", "are", "was", "were", "of", "and", "to", "in", "what", "who", "which", "how", "why",
            "when", "did", "does", "do", "with", "for", "on", "that", "this", "by", "from", "about", "according"}


def language(text: str) -> str:
    """'fr' or 'en', by counting very common words; English when unsure of a short text."""
    ws = words(text)
    fr = sum(w in _FR_MARK for w in ws)
    en = sum(w in _EN_MARK for w in ws)
    return "fr" if fr > en else "en"


_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")


def clear_language(text: str) -> str | None:
    """'fr' or 'en' when the text's own words (quotations left out) clearly say so, else None:
    at least three marker words, and twice as many of one language as of the other."""
    ws = words(_QUOTED.sub(" ", text))
    fr = sum(w in _FR_MARK for w in ws)
    en = sum(w in _EN_MARK for w in ws)
    if max(fr, en) >= 3 and max(fr, en) >= 2 * min(fr, en):
        return "fr" if fr > en else "en"
    return None
