"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused by reciprocal rank.

``Retriever.search(queries)`` takes one or more renderings of a question (the
original and, from the chain, its translation into the documents' language),
ranks paragraphs in each of dense and lexical search, adds the paragraphs of a
document the question names (``Lexical.doc_hints``) and of a speaker it names,
and fuses all lists with reciprocal rank fusion. For a question asking who
said something, or quoting words, paragraphs are also ranked by their best
sentence (``units``, the quote checker's cached sentence vectors): a turn of
one short line is lost among long paragraphs in paragraph-level search, but
its sentence is the nearest to "who said my guy is ready to do it?". A
paragraph that writes the quoted words as they are ranks first (``verbatim``):
"D'accord, ça me semble bien" is one of many short "D'accord" turns. Scores
are fusion scores, only comparable within one result list. What it leaves
out: re-ranking with a cross-encoder (none runs offline here).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

from langchain_core.embeddings import Embeddings

from . import store
from .answer_type import SPEECH, asks_identity, asks_speaker
from .documents import Paragraph
from .indexer import Index
from .lexical import Lexical
from .names import names_person
from .relevance import QUOTATION
from .results import Hit
from .textnorm import language, words

RRF_K = 60
DENSE_N = 60
WEIGHTS = {"dense": 1.0, "lexical": 1.0, "sentence": 1.0, "doc": 0.7, "speaker": 0.3}
VERBATIM = 1.0  # added to a paragraph holding the words a question quotes: above any fused score
QUOTE_MARKS = "«»“”\" \u00a0"
FOREIGN_LEXICAL = 0.2  # BM25 weight for a question in another language than the documents


def _speakers_named(query: str, speakers: set[str]) -> set[str]:
    """Speakers whose name a question about speech uses (any name word, spelling variants allowed)."""
    if not SPEECH.search(query):
        return set()
    q = words(query)
    return {s for s in speakers if any(names_person(w, s) for w in q)}


class Retriever:
    def __init__(self, index: Index, embedder: Embeddings, units: Callable | None = None):
        """``units()``, when given, returns the sentence vectors (the quote checker) used for speech questions."""
        self.index = index
        self._units = units
        self.embedder = embedder
        self.paragraphs = index.paragraphs()
        self._by_key = {(p.doc, p.number): p for p in self.paragraphs}
        self._docs = {d.name: d for d in index.documents}
        self.lexical = Lexical(index.documents)
        self.speakers = {p.speaker for p in self.paragraphs if p.speaker}
        self._spelled = {p.key: f" {' '.join(words(p.text))} " for p in self.paragraphs}
        sample = " ".join(p.text for p in self.paragraphs[:200])
        self.language = language(sample)

    def index_doc(self, name: str):
        """The Document a paragraph belongs to."""
        return self._docs[name]

    def dense(self, query: str, n: int = DENSE_N) -> list[tuple[Paragraph, float]]:
        best: dict[tuple[str, int], float] = {}
        for doc, num, sim in store.query(self.index.collection, self.embedder.embed_query(query), n):
            best[(doc, num)] = max(sim, best.get((doc, num), -1.0))
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        return [(self._by_key[k], s) for k, s in ranked if k in self._by_key]

    def by_sentence(self, query: str) -> list[Paragraph]:
        """Paragraphs ranked by the similarity of their best sentence or clause to ``query``."""
        units = self._units() if self._units else None
        if units is None or not len(units.units):
            return []
        best: dict[tuple[str, int], float] = {}
        for u, sim in zip(units.units, units.similarities(query).tolist()):
            p = units.paragraphs[u.para]
            best[(p.doc, p.number)] = max(sim, best.get((p.doc, p.number), -1.0))
        return [self._by_key[k] for k in sorted(best, key=lambda k: -best[k]) if k in self._by_key]

    def verbatim(self, said: str) -> list[Paragraph]:
        """The paragraphs that write ``said`` word for word (case, accents and punctuation aside)."""
        needle = f" {' '.join(words(said))} "
        return [p for p in self.paragraphs if needle in self._spelled[p.key]]

    def search(self, queries: str | list[str], k: int = 10) -> list[Hit]:
        queries = [queries] if isinstance(queries, str) else list(dict.fromkeys(q for q in queries if q and q.strip()))
        fused: dict[str, float] = defaultdict(float)
        for q in queries:
            lex_w = WEIGHTS["lexical"] if language(q) == self.language else FOREIGN_LEXICAL
            for w, ranked in ((WEIGHTS["dense"], self.dense(q)), (lex_w, self.lexical.search(q))):
                for rank, (p, _) in enumerate(ranked):
                    fused[p.key] += w / (RRF_K + rank + 1)
            quoted = QUOTATION.search(q)  # the words said, when the question quotes them, are what to look for
            said = quoted.group(0).strip(QUOTE_MARKS) if quoted else ""
            if len(words(said)) < 2:
                said = q if asks_speaker(q) else ""
            else:
                for p in self.verbatim(said):
                    fused[p.key] += VERBATIM
            if said:
                for rank, p in enumerate(self.by_sentence(said)[:DENSE_N]):
                    fused[p.key] += WEIGHTS["sentence"] / (RRF_K + rank + 1)
        base = sorted(self.paragraphs, key=lambda p: -fused.get(p.key, 0.0))
        hints: dict[str, float] = defaultdict(float)
        named: set[str] = set()
        for q in queries:
            for doc, w in self.lexical.doc_hints(q).items():
                hints[doc] = max(hints[doc], w)
            named |= _speakers_named(q, self.speakers)
        if hints:
            top = max(hints.values())
            for doc in [d for d, w in hints.items() if w >= top]:
                for rank, p in enumerate(x for x in base if x.doc == doc):
                    fused[p.key] += WEIGHTS["doc"] / (RRF_K + rank + 1)
        if len(named) == 1:
            for rank, p in enumerate(x for x in base if x.speaker in named):
                fused[p.key] += WEIGHTS["speaker"] / (RRF_K + rank + 1)
        # "who is X?": the narration presenting X, not the turns that say X's name (``asks_identity``)
        turns_last = any(asks_identity(q) for q in queries)
        ranked = sorted(self.paragraphs, key=lambda p: (turns_last and bool(p.speaker), -fused.get(p.key, 0.0),
                                                        p.doc, p.number))
        return [Hit(p, fused.get(p.key, 0.0)) for p in ranked[:k]]
