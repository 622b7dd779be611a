"""Quotation marks in an answer promise the source's own words: a quote no source writes is not kept.

A small model asked what someone said tends to make up a plausible line and
put it in quotation marks ("Nous devons discuter de notre plan en 28 points.")
next to a paragraph that only speaks of the call. The support check passes it
(the paragraph shares its words); an editor would take it for a real quote. So
each quoted passage of a sentence must be written in a paragraph it cites,
verbatim or close (the quote check's lexical verdicts, ``QuoteChecker.written``:
case, accents, punctuation, a typo or a dropped word aside). Written only in
another source, the sentence cites that one instead; altered (a name, number
or negation changed), or written in no source, the sentence is dropped.

Left out: a quote in another language than the documents', in a sentence in
that language (an English answer renders a French line in its own words; no
check tells a fair translation from an invented one without a translation
model), and quotes shorter than four letters.
"""
from __future__ import annotations

from typing import Callable

from .citations import Claim
from .names import QUOTED
from .results import QuoteMatch
from .textnorm import language, words

Written = Callable[[str], tuple[str, list[QuoteMatch]]]  # quote -> (lexical verdict, matches)


def quotes(text: str) -> list[str]:
    """The passages ``text`` puts in quotation marks (« », “ ” or straight double quotes)."""
    found = [m.group(0)[1:-1].strip() for m in QUOTED.finditer(text)]
    return [q for q in found if len("".join(words(q))) >= 4]


def holders(quote: str, written: Written) -> set:
    """Keys of the paragraphs writing ``quote`` verbatim or close (empty when it is altered or nowhere)."""
    verdict, matches = written(quote)
    if verdict not in ("verbatim", "close"):
        return set()
    return {p.key for m in matches if m.kind in ("verbatim", "close") for p in [m.paragraph, *m.extra]}


def checked(claims: list[Claim], paragraph_of: dict, doc_lang: str, written: Written) -> list[Claim]:
    """The claims whose quotes a source writes: each cites the sources writing all of them (its own if they
    do, else the first other), or is dropped. A quote is checked when it, or the sentence around it, is in
    ``doc_lang`` (an English sentence's English quote is most often the model's rendering of a French line).
    ``paragraph_of`` maps a source key to its Paragraph."""
    out = []
    for c in claims:
        own = [q for q in quotes(c.text) if doc_lang in (language(q), language(QUOTED.sub(" ", c.text)))]
        if not own:
            out.append(c)
            continue
        held = set.intersection(*(holders(q, written) for q in own))
        cited = [k for k in c.keys if paragraph_of[k].key in held]
        other = next((k for k in paragraph_of if paragraph_of[k].key in held), None)
        if cited or other:
            out.append(Claim(c.text, cited or [other]))
    return out
