"""Does a paragraph support a sentence? A lexical and a semantic check, combined.

Lexical: the share of the sentence's content terms (folded, stemmed) found in
the paragraph. Semantic: cosine similarity of their embeddings (the embedder is
multilingual, so an English sentence can be checked against a French source).
Numbers in the sentence must appear in the paragraph (or in its document's
outlet and date, which the model is shown). ``best_sentence`` picks
the sentence of a paragraph to highlight. Semantic thresholds are per embedder,
measured on paraphrased and translated corpus sentences, and higher for a
sentence in the paragraph's own language (``SAME_LANGUAGE_OK``); what this leaves
out is real entailment (no NLI model runs offline here), so a sentence that
reuses a source's words while changing its meaning can pass.
"""
from __future__ import annotations

import re

import numpy as np
from langchain_core.embeddings import Embeddings

from .textnorm import language, terms
from .tokens import sentences

LEXICAL_OK = 0.5
# cosine (query-embedded sentence vs document-embedded paragraph) at which a paragraph supports a sentence;
# measured on translated and paraphrased corpus sentences: above the 95th percentile of unrelated pairs.
SEMANTIC_OK = {"embeddinggemma": 0.45, "e5-small": 0.83, "openai": 0.45}
# what was said, in another language and in other words, is often nearer its turn than SEMANTIC_OK; a turn
# holding the corpus's nearest sentence at this cosine still is the one (``heard``). Measured with
# EmbeddingGemma: true who-said pairs 0.415-0.72, the nearest turn for words nobody said at most 0.373.
HEARD_OK = {"embeddinggemma": 0.40}
# a sentence in its paragraph's own language is held to a higher cosine: same-language pairs run higher, and
# SEMANTIC_OK (set on translations) lets through a sentence on the paragraph's topic that says something else.
# Measured with EmbeddingGemma on the corpus: unrelated same-language sentence-paragraph pairs p95 0.47, p99 0.57.
SAME_LANGUAGE_OK = {"embeddinggemma": 0.60}
NUMBER = re.compile(r"\b\d+\b")
# "according to Enderi", "selon Le Grand Continent": who tells it, shown to the model in each source's head,
# not words the paragraph holds; left out of the comparison (the attribution rule reads them)
SOURCE_NAMED = re.compile(r",?\s*\b(?i:according to|as (?:stated|reported|written) (?:by|in)|selon|d['’]apr[eè]s)\s+"
                          r"(?i:(?:the|le|la|les|l['’])\s*)?[A-ZÀ-Þ][\w'’-]*(?:\s+[A-ZÀ-Þ][\w'’-]*)*,?")


def without_source(claim: str) -> str:
    """The claim without the phrase naming who tells it ("…, according to Enderi.")."""
    return SOURCE_NAMED.sub("", claim).strip() or claim


def lexical(claim: str, text: str) -> float:
    """Share of the claim's terms found in the text; 0 when only names (capitalised words) match:
    "Steve Witkoff a un salaire de" must not pass on the strength of a name alone."""
    c = set(terms(claim))
    hit = c & set(terms(text))
    common = set(terms(" ".join(w for w in claim.split() if not w[:1].isupper())))
    if not hit & common:
        return 0.0
    return len(hit) / len(c)


def numbers_ok(claim: str, text: str) -> bool:
    return set(NUMBER.findall(claim)) <= set(NUMBER.findall(text))


class Support:
    def __init__(self, embedder: Embeddings, sentence_vectors=None):
        """``sentence_vectors()`` may return an object with ``best_unit_similarity(text, paragraph)``
        (the quote checker): then paragraphs are compared sentence by sentence from cached vectors
        instead of being embedded whole, which is both faster and sharper for long paragraphs."""
        self.embedder = embedder
        self._units = sentence_vectors
        name = getattr(embedder, "name", "")
        self.semantic_ok = next((v for k, v in SEMANTIC_OK.items() if name.startswith(k)), 0.6)
        self.heard_ok = next((v for k, v in HEARD_OK.items() if name.startswith(k)), None)
        self.same_ok = next((v for k, v in SAME_LANGUAGE_OK.items() if name.startswith(k)), self.semantic_ok)

    def _semantic(self, claims: list[str], texts: list[str], paragraphs) -> np.ndarray:
        units = self._units() if self._units and paragraphs else None
        if units is not None:
            return np.array([[units.best_unit_similarity(c, p) for p in paragraphs] for c in claims])
        q = np.asarray([self.embedder.embed_query(c) for c in claims])
        d = np.asarray(self.embedder.embed_documents(texts))
        q /= np.linalg.norm(q, axis=1, keepdims=True) + 1e-9
        d /= np.linalg.norm(d, axis=1, keepdims=True) + 1e-9
        return q @ d.T

    def matrix(self, claims: list[str], texts: list[str], paragraphs=None,
               heads: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(support, rank) of each text (columns) for each claim (rows). Support is 0..1, >= 0.5 meaning
        supported; rank adds the lexical and semantic evidence, to choose among supporting texts.

        ``paragraphs`` (the Paragraph each text comes from) enables the sentence-level comparison;
        ``heads`` (what the model was told of each text's document: outlet, date) may also hold a
        claim's numbers (the year of a date the paragraph gives as "le 25 novembre")."""
        if not claims or not texts:
            return np.zeros((len(claims), len(texts))), np.zeros((len(claims), len(texts)))
        claims = [without_source(c) for c in claims]
        sem = self._semantic(claims, texts, paragraphs)
        out = np.zeros_like(sem)
        rank = np.zeros_like(sem)
        text_lang = [language(t) for t in texts]
        for i, c in enumerate(claims):
            lang = language(c)
            for j, t in enumerate(texts):
                lex = lexical(c, t) / LEXICAL_OK
                s = sem[i, j] / (self.same_ok if lang == text_lang[j] else self.semantic_ok)
                ok = numbers_ok(c, f"{heads[j]} {t}" if heads else t)
                out[i, j] = min(1.0, 0.5 * max(lex, s)) if ok else 0.0
                rank[i, j] = (lex + s) if ok else 0.0
        return out, rank

    def heard(self, said: str, paragraphs) -> int | None:
        """Index of the paragraph among ``paragraphs`` that is a transcript turn holding the corpus's nearest
        sentence to ``said`` (what a who-said answer says was said), when that sentence is at least
        ``HEARD_OK`` similar; None otherwise, or without sentence vectors or a measured threshold."""
        units = self._units() if self._units and self.heard_ok else None
        if units is None or not len(units.units):
            return None
        sims = units.similarities(said)
        best = units.paragraphs[units.units[int(np.argmax(sims))].para]
        if float(np.max(sims)) < self.heard_ok or not best.speaker:
            return None
        return next((j for j, p in enumerate(paragraphs) if p.key == best.key), None)


def best_sentence(claim: str, paragraph_text: str) -> str:
    """The sentence of the paragraph sharing most terms with the claim."""
    sents = sentences(paragraph_text) or [paragraph_text]
    return max(sents, key=lambda s: (lexical(claim, s), -abs(len(s) - 120)))
