"""The quote check: is this quote in the documents, verbatim or not, where, and who said it?

``QuoteChecker(paragraphs, embedder, cache_path)`` prepares a word stream of
every paragraph's spoken words (``quote_stream``) and embeddings of its
sentences and clauses (``quote_semantic``, cached); ``check(quote, speaker)``
then answers in one query embedding plus a few word alignments.

Verdicts, tried in this order:
- ``verbatim``: the quote's words occur in a source (case, accents, punctuation,
  quote marks, apostrophes and spaces ignored), across a paragraph break too.
- ``close``: a word alignment with a source passage whose differences keep the
  meaning (a dropped or added word, a typo, word order).
- ``altered``: a close alignment where a word that carries meaning differs: a
  negation added or removed, or a number or name put in place of another.
- ``paraphrase``: a sentence or clause whose embedding is near the quote's
  (another wording, or a translation), with no number, name or negation of the
  quote contradicting it.
- ``not_found``: none of these.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from . import speakers
from .documents import Paragraph
from .embeddings import embedder_name
from .errors import InputError
from .quote_align import align, candidates
from .quote_matches import match_at, ordered, speaker_verdict
from .quote_semantic import build_units, contradiction, embed_units, language, normalise
from .quote_stream import Stream, tokenize
from .results import QuoteMatch, QuoteResult
from .textnorm import words

MAX_CHARS = 2000
MAX_EMBED_WORDS = 60
FRAMED = re.compile(r"(?P<pre>[^«“\"]*)[«“\"]\s*(?P<inner>[^«»“”\"]+?)\s*[»”\"](?P<post>[^«»“”\"]*)", re.S)
ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\)|…|\.\.\.)\s*")


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds. The embedding values were set on made-up quotes over the sample corpus
    (translations, rewordings and same-topic inventions), none from the gold set; each embedder
    has its own similarity scale, hence ``THRESHOLDS``."""

    close: float = 0.80        # weighted word Dice of an alignment with no meaningful difference
                               # (or a single word differs in a quote of 4 words or more)
    altered: float = 0.80      # the same, counting the meaningful differences as matched
    min_matched: int = 3       # quote words an alignment must match (a content word among them)
    # cosine of quote (query) and unit (passage), and how far the unit must stand out from the mean
    # of the quote's 50 nearest units; a quote in the unit's own language meets inflated similarities
    same_language: float = 0.905
    same_margin: float = 0.035
    cross_language: float = 0.87
    cross_margin: float = 0.04


THRESHOLDS = {   # by embedder name prefix; an unknown embedder gets the e5 values (strict for most others)
    "e5-small": Thresholds(),
    "embeddinggemma": Thresholds(same_language=0.68, same_margin=0.15, cross_language=0.60, cross_margin=0.15),
}


def thresholds_for(embedder: Embeddings) -> Thresholds:
    name = embedder_name(embedder)
    return next((t for k, t in THRESHOLDS.items() if name.startswith(k)), Thresholds())


class QuoteChecker:
    def __init__(self, paragraphs: list[Paragraph], embedder: Embeddings, cache_path: Path | None = None,
                 thresholds: Thresholds | None = None):
        self.paragraphs = list(paragraphs)
        self.embedder = embedder
        self.t = thresholds or thresholds_for(embedder)
        self.stream = Stream(self.paragraphs)
        self.units = build_units(self.paragraphs)
        self.vectors = embed_units(embedder, self.paragraphs, self.units, cache_path)
        self._words: dict[tuple[int, bool], list[str]] = {}
        self._queries: dict[str, np.ndarray] = {}
        self.unit_lang = [language(self._unit_words(i, False)) for i in range(len(self.units))]

    def _unit_words(self, ui: int, ctx: bool) -> list[str]:
        key = (ui, ctx)
        if key not in self._words:
            u = self.units[ui]
            text = self.paragraphs[u.para].text
            s, e = (u.ctx_start, u.ctx_end) if ctx else (u.start, u.end)
            self._words[key] = [w for w, *_ in tokenize(text[s:e])]
        return self._words[key]

    # -- the check ----------------------------------------------------------------------------------
    def check(self, quote: str, speaker: str | None = None, limit: int = 5) -> QuoteResult:
        text = (quote or "").strip()
        if not text:
            raise InputError("The quote is empty.")
        if len(text) > MAX_CHARS:
            raise InputError(f"The quote is longer than {MAX_CHARS} characters; check a shorter passage.")
        label = speakers.label_of(text)
        if label:   # "STEVE WITKOFF — ..." pasted with the quote: the label is a claim, not quoted words
            text, speaker = text[label.start:].strip(), speaker or label.speaker
        q = self.stream.quote(text)
        if not q.words:
            raise InputError("The quote has no words to look for.")
        limit = max(1, limit)
        found = self._verbatim(q, text)
        framed = FRAMED.fullmatch(text)
        if not found and framed and len(words(framed["inner"])) >= 3 \
                and 0 < len(words(framed["pre"] + framed["post"])) <= 10:
            text = framed["inner"]   # « ... », a-t-il dit: only the words in quotation marks are quoted
            q = self.stream.quote(text)
            found = self._verbatim(q, text)
        verdict, matches = ("verbatim", found) if found else self._lexical(q)
        if verdict == "not_found":   # only now is the query embedded: the one costly step
            para = self._semantic(q, text)
            if para:
                verdict, matches = "paraphrase", para
        matches = ordered(matches, speaker)[:limit]
        result = QuoteResult(quote=quote, verdict=verdict, matches=matches, claimed_speaker=speaker)
        if speaker is not None and matches:
            result.speaker_verdict = speaker_verdict(matches[0], speaker)
        return result

    def written(self, quote: str) -> tuple[str, list[QuoteMatch]]:
        """The verdict on ``quote`` from its words alone (verbatim, close, altered or not_found; no embedding),
        with every match: what the answer chain asks of a passage an answer puts in quotation marks."""
        q = self.stream.quote(quote)
        if not q.words:
            return "not_found", []
        found = self._verbatim(q, quote)
        return ("verbatim", found) if found else self._lexical(q)

    def _lexical(self, q) -> tuple[str, list[QuoteMatch]]:
        close, altered = self._aligned(q)
        if close:
            return "close", close + altered
        return ("altered", altered) if altered else ("not_found", [])

    def _verbatim(self, q, text: str) -> list[QuoteMatch]:
        ranges = self.stream.verbatim(q.words)
        if not ranges:
            pieces = [[w for w, *_ in tokenize(p)] for p in ELLIPSIS.split(text)]
            pieces = [p for p in pieces if p]
            if len(pieces) > 1:
                ranges = self.stream.verbatim_pieces(pieces)
        return [match_at(self.stream, i, j, 1.0, "verbatim") for i, j in ranges]

    def _aligned(self, q) -> tuple[list[QuoteMatch], list[QuoteMatch]]:
        t = self.t
        close, altered = [], []
        for lo, hi in candidates(self.stream, q):
            a = align(self.stream, q, lo, hi)
            if a is None or a.content_matched < 1 or a.matched < min(t.min_matched, len(q.words)):
                continue
            if not a.critical and (a.sim >= t.close or a.n_diff <= 1 and len(q.words) >= 4):
                close.append(match_at(self.stream, a.start_tok, a.end_tok, a.sim, "close", a))
            elif a.critical and a.sim_excl >= t.altered and len(q.words) >= 4 and a.content_matched >= 2:
                altered.append(match_at(self.stream, a.start_tok, a.end_tok, a.sim, "altered", a))
        return close, altered

    def similarities(self, text: str) -> np.ndarray:
        """Cosine of the quote (embedded as a query) with every unit."""
        if not len(self.units):
            return np.zeros(0, np.float32)
        vq = self._queries.get(text)
        if vq is None:   # the same quote is often checked again (another speaker, another limit)
            vq = normalise(np.asarray(self.embedder.embed_query(text), dtype=np.float32))[0]
            if len(self._queries) >= 256:
                try:
                    self._queries.pop(next(iter(self._queries)), None)
                except (RuntimeError, StopIteration):  # another request thread (rag serve) changed it meanwhile
                    pass
            self._queries[text] = vq
        return self.vectors @ vq

    def unit_similarities(self, text: str, paragraph: Paragraph) -> list[tuple[int, int, float]]:
        """(start, end, cosine with ``text``) of each sentence or clause of ``paragraph``.

        Used by the answer chain to choose the sentences it shows the model and to check that a
        sentence of the answer is supported: these vectors are computed once per index and cached."""
        if not hasattr(self, "_units_of"):
            self._units_of: dict[str, list[int]] = {}
            for i, u in enumerate(self.units):
                self._units_of.setdefault(self.paragraphs[u.para].key, []).append(i)
        idx = self._units_of.get(paragraph.key)
        if not idx:
            return []
        sims = self.similarities(text)
        return [(self.units[i].start, self.units[i].end, float(sims[i])) for i in idx]

    def best_unit_similarity(self, text: str, paragraph: Paragraph) -> float:
        """Best cosine of ``text`` with a sentence or clause of ``paragraph`` (0.0 if it has none)."""
        return max((sim for _, _, sim in self.unit_similarities(text, paragraph)), default=0.0)

    def _semantic(self, q, text: str, top: int = 30) -> list[QuoteMatch]:
        if len(q.words) < 3:
            return []
        if len(q.words) > MAX_EMBED_WORDS:   # embedding cost grows fast with length: judge the opening
            toks = tokenize(text)
            cut = toks[MAX_EMBED_WORDS - 1][2]
            stop = max((m.end() for m in re.finditer(r"[.!?…]", text[:cut])), default=cut)
            text = text[:stop if stop > cut // 2 else cut]
            q = self.stream.quote(text)
        sims = self.similarities(text)
        if not sims.size:
            return []
        order = np.argsort(-sims)[:top]
        background = float(np.mean(sims[np.argsort(-sims)[:50]])) if sims.size > 1 else 0.0
        lang = language(q.words)
        t = self.t
        out, seen = [], set()
        for ui in order:
            s = float(sims[ui])
            cross = lang is not None and self.unit_lang[ui] is not None and lang != self.unit_lang[ui]
            floor, margin = (t.cross_language, t.cross_margin) if cross else (t.same_language, t.same_margin)
            if s < min(t.cross_language, t.same_language):
                break
            u = self.units[ui]
            if u.para in seen or s < floor or s - background < margin:
                continue
            if contradiction(q.words, q.kinds, self._unit_words(ui, True), self._unit_words(ui, False)):
                continue
            seen.add(u.para)
            out.append(QuoteMatch(self.paragraphs[u.para], s, u.start, u.end, "paraphrase"))
        return out
