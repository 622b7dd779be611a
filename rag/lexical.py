"""Lexical search: BM25 over accent-folded, stemmed French and English terms.

Paragraphs are indexed by their own words only (a speaker's name in every one
of their turns would drown the other terms). ``doc_hints`` finds documents a question names by their
metadata (outlet, title, author, file name): a hint term must be distinctive,
present in that document's metadata and rare in the paragraphs' text, so a name
that runs through every article is not taken for a document's name; and it must
be capitalised in the question, or come with a second such term.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
from rank_bm25 import BM25Okapi

from .documents import Document, Paragraph
from .textnorm import terms

RARE_IN_TEXT = 0.03  # a hint term may occur in at most this share of paragraphs


def paragraph_terms(p: Paragraph) -> list[str]:
    return terms(p.speech)


class Lexical:
    def __init__(self, documents: list[Document]):
        self.paragraphs = [p for d in documents for p in d.paragraphs]
        tokenized = [paragraph_terms(p) for p in self.paragraphs] or [[]]
        self._bm25 = BM25Okapi(tokenized)
        self._content_df = Counter(t for toks in tokenized for t in set(toks))
        self._meta = {d.name: set(terms(" ".join(filter(None, [d.title, d.outlet, d.author,
                                                                d.name.rsplit(".", 1)[0]]))))
                      for d in documents}
        self._meta_df = Counter(t for ts in self._meta.values() for t in ts)
        self._n_docs = max(1, len(documents))

    def overlap(self, query: str, text: str) -> float:
        """Share of the query's terms found in ``text``, each weighted by its rarity in the corpus."""
        n = len(self.paragraphs) + 1
        weight = {t: math.log(n / (1 + self._content_df.get(t, 0))) + 0.1 for t in set(terms(query))}
        total = sum(weight.values())
        found = set(terms(text))
        return sum(w for t, w in weight.items() if t in found) / total if total else 0.0

    def count(self, word: str) -> int:
        """How many paragraphs' own words hold ``word`` (its index term): how specific a name is."""
        return max((self._content_df.get(t, 0) for t in terms(word)), default=0)

    def search(self, query: str, n: int = 50) -> list[tuple[Paragraph, float]]:
        q = terms(query)
        if not q or not self.paragraphs:
            return []
        scores = self._bm25.get_scores(q)
        order = np.argsort(-scores)[:n]
        return [(self.paragraphs[i], float(scores[i])) for i in order if scores[i] > 0]

    def doc_hints(self, query: str) -> dict[str, float]:
        """Documents the question names through their metadata, with a weight."""
        q = set(terms(query))
        capitalised = {t for w in query.split() if w.lstrip("«\"'“(")[:1].isupper() for t in terms(w)}
        n_par = max(1, len(self.paragraphs))
        out = {}
        for doc, meta in self._meta.items():
            hit = [t for t in q & meta if self._content_df.get(t, 0) / n_par <= RARE_IN_TEXT]
            if len(hit) >= 2 or set(hit) & capitalised:  # a name, or several words of a title
                out[doc] = sum(math.log(1 + self._n_docs / self._meta_df[t]) for t in hit)
        return out
