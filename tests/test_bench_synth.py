"""The scale benchmark's synthetic corpus: deterministic, perturbed, vectors near their sources."""
from __future__ import annotations

import sys

import numpy as np

from rag.documents import Paragraph
from rag.settings import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402

REAL = [Paragraph("a.txt", i, f"Phrase une du paragraphe {i} sur le port. Phrase deux avec {i * 7} bateaux ici.",
                  speaker="ANNE" if i % 2 else None) for i in range(1, 11)]


def test_paragraphs_are_deterministic_perturbed_and_fifty_to_a_document():
    paras, sources = synth.paragraphs(REAL, 120, seed=3)
    again, _ = synth.paragraphs(REAL, 120, seed=3)
    assert paras == again and len(paras) == 120
    assert [p.doc for p in paras[48:52]] == ["syn00000.txt"] * 2 + ["syn00001.txt"] * 2
    assert [p.number for p in paras[49:51]] == [50, 1]
    assert all(p.speaker == REAL[j].speaker for p, j in zip(paras, sources))
    assert sum(p.text != REAL[j].text for p, j in zip(paras, sources)) > 100  # shuffled or reworded
    assert len(synth.documents(paras)) == 3


def test_vectors_keep_the_dimension_and_stay_near_their_source():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((10, 768)).astype(np.float32)
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    sources = [i % 10 for i in range(200)]
    v = synth.vectors(real, sources)
    cos = np.sum(v * real[sources], axis=1)
    assert v.shape == (200, 768) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert 0.85 < cos.mean() < 0.93 and cos.min() > 0.8
    others = np.sum(v * real[[(i + 1) % 10 for i in range(200)]], axis=1)
    assert abs(others.mean()) < 0.1  # not near the other paragraphs
