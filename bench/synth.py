"""A synthetic corpus for the scale benchmark, built from the real paragraphs and their real vectors.

``paragraphs(real, n)``: n paragraphs, each a real paragraph with its sentences
shuffled and about one word in six replaced by a word drawn from the whole
corpus (a few dropped), 50 to a document (``syn00000.txt`` …), speakers kept.
``vectors(real_vectors, sources)``: for each synthetic paragraph, the real
vector of the paragraph it came from plus Gaussian noise (cosine about 0.9 to
it), normalised: the right dimension and a realistic spread, without running
the embedder 100k times. Deterministic for a seed. What it leaves out: any
claim that these texts read like the real ones; they only cost the same.
"""
from __future__ import annotations

import random
import re

import numpy as np

from rag.documents import Document, Paragraph

PER_DOC = 50
REPLACE, DROP = 0.15, 0.03
NOISE = 0.5          # |noise| relative to the unit vector: cosine to the source about 1/sqrt(1 + 0.25) = 0.89
SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def paragraphs(real: list[Paragraph], n: int, seed: int = 7) -> tuple[list[Paragraph], list[int]]:
    """n perturbed paragraphs and, for each, the index of the real paragraph it came from."""
    rng = random.Random(seed)
    vocab = [w for p in real for w in p.text.split()]
    out, sources = [], []
    for i in range(n):
        j = rng.randrange(len(real))
        src = real[j]
        sents = SENTENCE.split(src.text)
        rng.shuffle(sents)
        words = []
        for w in " ".join(sents).split():
            r = rng.random()
            if r < DROP:
                continue
            words.append(rng.choice(vocab) if r < DROP + REPLACE else w)
        out.append(Paragraph(doc=f"syn{i // PER_DOC:05d}.txt", number=i % PER_DOC + 1, text=" ".join(words),
                             speaker=src.speaker))
        sources.append(j)
    return out, sources


def vectors(real_vectors: np.ndarray, sources: list[int], seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = real_vectors[np.asarray(sources)]
    noise = rng.standard_normal(base.shape).astype(np.float32) * (NOISE / np.sqrt(base.shape[1]))
    v = base + noise
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def documents(paras: list[Paragraph]) -> list[Document]:
    docs: dict[str, Document] = {}
    for p in paras:
        docs.setdefault(p.doc, Document(name=p.doc, title=f"Synthetic {p.doc}")).paragraphs.append(p)
    return list(docs.values())
