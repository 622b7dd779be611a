"""What the chat model reads: the few paragraphs, or their best sentences, under opaque keys.

The local model's first token waits for it to read this (about 200 prompt tokens
a second on the Intel Xeon 2-core, 40 on an AVX2-only one; the fixed system
prompt is cached by the server), so the context is small: the best
``SOURCES_K`` paragraphs, at most ``PER_SPEAKER`` turns of one speaker (room
for the narration around them), a paragraph longer than ``PARAGRAPH_TOKENS``
cut to its sentences that best match the question (beyond ``LATER_TOKENS``
below the ``WHOLE_RANKS`` best: answers cite those far less often, 7 of 101
held-out citations, and then a sentence that matches the question), all within
the settings' ``context_tokens``. A sentence's match is its share of
the question's terms (weighted by rarity) plus its embedding similarity with the question, read from
the sentence vectors cached beside the index (free at question time). Each
source is shown with its outlet, date and speaker. For a who-said question one
of the sources is a transcript turn when the hits hold one. What this leaves out: the
paragraphs around a cited one (the app shows them).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import citations, tokens
from .answer_type import asks_speaker
from .documents import Paragraph
from .results import Hit
from .support import LEXICAL_OK

SOURCES_K = 5
PER_SPEAKER = 2
PARAGRAPH_TOKENS = 150  # a paragraph is cut to its best sentences beyond this
WHOLE_RANKS = 2         # the best sources are cut beyond PARAGRAPH_TOKENS, the others beyond LATER_TOKENS
LATER_TOKENS = 100
HEAD_TOKENS = 20        # "[S1] (Outlet, date)", "Speaker says:" and the blank line


@dataclass
class Source:
    key: str
    paragraph: Paragraph
    shown: str          # the text given to the model (the paragraph, or its best sentences)


def with_a_turn(hits: list[Hit], k: int) -> list[Hit]:
    """``hits`` with the best transcript turn moved to the k-th place when none of the first k is a turn:
    who said something is told by a turn, and narration naming the people of the question ranks above
    it ("Who recommended that Putin call Trump…")."""
    if any(h.paragraph.speaker for h in hits[:k]):
        return hits
    turn = next((i for i, h in enumerate(hits) if h.paragraph.speaker), None)
    if turn is None:
        return hits
    return hits[:k - 1] + [hits[turn]] + [h for i, h in enumerate(hits) if i >= k - 1 and i != turn]


class Context:
    def __init__(self, retriever, budget: int, sentence_vectors: Callable | None = None, semantic_ok: float = 0.6,
                 later_tokens: int = LATER_TOKENS):
        """``sentence_vectors()`` may return the quote checker (``unit_similarities``); without it,
        sentences are chosen by shared terms only. ``later_tokens``: where the sources below the best
        ``WHOLE_RANKS`` are cut (``PARAGRAPH_TOKENS`` cuts them as the best)."""
        self.retriever = retriever
        self.budget = budget
        self.later_tokens = later_tokens
        self._units = sentence_vectors
        self.semantic_ok = semantic_ok

    def select(self, hits: list[Hit], queries: list[str]) -> list[Source]:
        if queries and asks_speaker(queries[0]):
            hits = with_a_turn(hits, SOURCES_K)
        out: list[Source] = []
        budget = self.budget
        per_speaker: dict[str, int] = {}
        for h in hits:
            if len(out) >= SOURCES_K:
                break
            who = h.paragraph.speaker
            if who and per_speaker.get(who, 0) >= PER_SPEAKER:
                continue
            cut = PARAGRAPH_TOKENS if len(out) < WHOLE_RANKS else min(self.later_tokens, PARAGRAPH_TOKENS)
            text = self.shown(h.paragraph, queries, min(cut, budget - HEAD_TOKENS))
            cost = tokens.count(text) + HEAD_TOKENS
            if not text or (out and cost > budget):
                continue
            per_speaker[who] = per_speaker.get(who, 0) + 1
            budget -= cost
            out.append(Source(citations.key(len(out) + 1), h.paragraph, text))
        return out

    def whole(self, paragraph: Paragraph) -> bool:
        """True if the paragraph is always shown whole (not cut to the question's best sentences)."""
        return tokens.count(paragraph.speech) <= min(PARAGRAPH_TOKENS, self.budget - HEAD_TOKENS)

    def shown(self, paragraph: Paragraph, queries: list[str], limit: int) -> str:
        """The paragraph's words (a turn without its speaker label: the head says who speaks, and a
        model shown "NAME — …" copies it), cut to its best sentences if too long."""
        if tokens.count(paragraph.speech) <= limit:
            return paragraph.speech
        spans = tokens.sentence_spans(paragraph.text, paragraph.speech_start)
        checker = self._units() if self._units else None
        units = [u for q in queries for u in checker.unit_similarities(q, paragraph)] if checker else None
        scores = [self._score(paragraph.text[s:e], queries, units, s, e) for s, e in spans]
        keep, used = [], 0
        for i in sorted(range(len(spans)), key=lambda i: -scores[i]):
            n = tokens.count(paragraph.text[spans[i][0]:spans[i][1]])
            if keep and used + n > limit:
                continue
            keep.append(i)
            used += n
        return " … ".join(paragraph.text[spans[i][0]:spans[i][1]] for i in sorted(keep))

    def _score(self, sent: str, queries: list[str], units: list[tuple[int, int, float]] | None,
               start: int, end: int) -> float:
        """Rare shared terms plus the best similarity of the sentence or one of its clauses (``units``:
        (start, end, cosine) in the paragraph, for every question form)."""
        lex = max(self.retriever.lexical.overlap(q, sent) for q in queries) / LEXICAL_OK
        if units is None:
            return lex
        sem = max((sim for s, e, sim in units if s >= start and e <= end), default=0.0)
        return lex + sem / self.semantic_ok

    def credits(self, paragraph: Paragraph) -> list[str]:
        """The outlet, author and title of the paragraph's document (those it has)."""
        doc = self.retriever.index_doc(paragraph.doc)
        return [x for x in (doc.outlet, doc.author, doc.title) if x]

    def voice(self, paragraph: Paragraph) -> str:
        """Who speaks in a document's narration: its outlet (or author, or title)."""
        return next(iter(self.credits(paragraph)), "")

    def head(self, source: Source) -> str:
        """What the model is told about a source's document: its outlet (or author, or title) and date."""
        doc = self.retriever.index_doc(source.paragraph.doc)
        return ", ".join(filter(None, [self.voice(source.paragraph), doc.date]))

    def parts(self, sources: list[Source]) -> list[tuple[str, bool]]:
        """The sources as the model reads them, as (text, reusable): each source's key, then its block
        (head and text, the same whatever the question's ranking), ending in a blank line."""
        out: list[tuple[str, bool]] = []
        for s in reversed(sources):  # the best source last, nearest the question: small models read it best
            who = f"\n{s.paragraph.speaker} says:" if s.paragraph.speaker else ""
            out += [(f"[{s.key}]", False), (f" ({self.head(s)}){who}\n{s.shown}\n\n", True)]
        return out

    def render(self, sources: list[Source]) -> str:
        return "".join(text for text, _ in self.parts(sources))
