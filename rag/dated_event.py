"""When-questions: a date answers one only if the sentence writing it speaks of the event asked about.

A paragraph often holds several events and several dates: "Le 16 octobre, un
appel … entre Trump et Poutine. Les deux présidents avaient convenu d'un
nouveau sommet à Budapest, après celui d'Anchorage". Asked when the Anchorage
summit took place, a small model gives the call's date, and every other check
passes: the paragraph supports the sentence, and writes its date. So when the
question names something specific (a name in at most ``EVENT_SHARE`` of the
paragraphs, or two: "Anchorage", not "Trump") that a cited paragraph writes, the
sentence writing the answer's date, or the one before it (its "ce sommet …"
may point back), must write that name too; otherwise the claim is dropped. A
claim giving a date, none of whose cited paragraphs writes the question's
specific name, gives the date of something else and is dropped too (a
follow-up's names are read from its standalone form).

Left out: a question naming only what most paragraphs name (the call's two
speakers), whose event the sentence may write in other words ("l'échange");
claims with a month or year alone (``when.in_month``).
"""
from __future__ import annotations

from typing import Callable

from .citations import Claim
from .dates import dates_in
from .names import whole_names, writes
from .tokens import sentences

EVENT_SHARE = 0.05   # a name in at most this share of the paragraphs is specific to an event


def names(question: str) -> list[str]:
    """The words of the names ``question`` writes (``whole_names``: not stop words, question words or months)."""
    return [w for name in whole_names(question) for w in name]


def of_event(kept: list[Claim], paragraph_of: dict, question: str, count: Callable[[str], int],
             n_paragraphs: int) -> list[Claim]:
    """The claims whose every date is written, in each cited paragraph writing it, in a sentence that (with
    the sentence before it) writes every specific name of the question that the paragraph writes; a claim
    giving a date is dropped when no paragraph it cites writes one of those names.
    ``count(word)``: how many of the corpus's ``n_paragraphs`` paragraphs write ``word``."""
    asked = names(question)
    if not asked:
        return kept
    most = max(2.0, EVENT_SHARE * n_paragraphs)

    def specific(word: str) -> bool:
        return count(word) <= most

    rare = [n for n in asked if 0 < count(n) and specific(n)]
    out = []
    for c in kept:
        given = {d[:2] for d in dates_in(c.text)}
        texts = [paragraph_of[k].text for k in c.keys]
        if given and any(not any(writes(t, n) for t in texts) for n in rare):
            continue  # the date of something else: no cited paragraph names the event
        if all(_of_event(given, t, asked, specific) for t in texts):
            out.append(c)
    return out


def _of_event(given: set, text: str, asked: list[str], specific: Callable[[str], bool]) -> bool:
    sents = sentences(text) or [text]
    at = [i for i, s in enumerate(sents) if given & {d[:2] for d in dates_in(s)}]
    need = [n for n in asked if (spelt := writes(text, n)) and all(specific(w) for w in spelt)]
    if not given or not at or not need:
        return True
    return any(all(writes(" ".join(sents[max(0, i - 1):i + 1]), n) for n in need) for i in at)
