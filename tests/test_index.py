"""The persisted index: manifest, incremental updates, mismatch refusal, interrupted builds."""
from __future__ import annotations

import pytest

from rag import indexer
from rag.errors import IndexError_
from rag.manifest import Manifest

from .fakes import BagOfWordsEmbeddings


class CountingEmbeddings(BagOfWordsEmbeddings):
    def __init__(self):
        self.calls = 0

    def embed_documents(self, texts):
        self.calls += len(texts)
        return super().embed_documents(texts)


class Exploding(BagOfWordsEmbeddings):
    def embed_documents(self, texts):
        raise RuntimeError("power cut")


def test_build_writes_manifest_with_embedder_chunking_and_hashes(settings):
    emb = CountingEmbeddings()
    report = indexer.build(settings, emb)
    m = Manifest.load(settings.index_dir)
    assert m.embedder == "fake-bow" and m.chunking.startswith("parse-")
    assert set(m.files) == {"brest.txt"} and len(m.files["brest.txt"]) == 64
    assert report["paragraphs"] == m.paragraphs > 0
    assert indexer.state(settings, "fake-bow") == "ok"


def test_no_change_embeds_nothing_and_a_change_embeds_only_that_file(settings, sources):
    emb = CountingEmbeddings()
    indexer.build(settings, emb)
    (sources / "autre.txt").write_text("Un autre article sur le port de Lorient et ses bateaux de pêche.\n")
    assert indexer.state(settings, "fake-bow") == "stale"
    emb.calls = 0
    report = indexer.build(settings, emb)
    assert report["embedded"] == 1 and report["kept"] == 1 and emb.calls == 1
    emb.calls = 0
    assert indexer.build(settings, emb)["embedded"] == 0 and emb.calls == 0
    (sources / "autre.txt").unlink()
    report = indexer.build(settings, emb)
    assert report["dropped"] == 1 and emb.calls == 0
    idx = indexer.load(settings, "fake-bow")
    assert {d.name for d in idx.documents} == {"brest.txt"}
    assert all(m["doc"] == "brest.txt" for m in idx.collection.get(include=["metadatas"])["metadatas"])


def test_mismatched_index_is_refused_then_rebuilt(settings):
    indexer.build(settings, BagOfWordsEmbeddings())
    other = CountingEmbeddings()
    other.name = "another-embedder"
    with pytest.raises(IndexError_, match="another-embedder"):
        indexer.load(settings, "another-embedder")
    assert indexer.state(settings, "another-embedder").startswith("mismatch")
    report = indexer.build(settings, other)
    assert report["embedded"] == 1 and other.calls > 0
    assert Manifest.load(settings.index_dir).embedder == "another-embedder"


def test_missing_index_is_refused_with_a_sentence(settings):
    with pytest.raises(IndexError_, match="rag index"):
        indexer.load(settings, "fake-bow")


def test_interrupted_build_leaves_previous_index_intact(settings, sources):
    indexer.build(settings, BagOfWordsEmbeddings())
    before = (settings.index_dir / "manifest.json").read_text()
    (sources / "brest.txt").write_text("Texte entièrement nouveau sur la ville de Quimper et sa cathédrale.\n")
    with pytest.raises(RuntimeError):
        indexer.build(settings, Exploding())
    assert (settings.index_dir / "manifest.json").read_text() == before
    idx = indexer.load(settings, "fake-bow")
    assert any("phare" in p.text for p in idx.paragraphs())


def test_sources_are_never_modified(settings, sources):
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sources.iterdir()}
    indexer.build(settings, BagOfWordsEmbeddings())
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sources.iterdir()} == before


def test_embedders_remember_recent_question_vectors_until_told_to_forget():
    from rag.embeddings import _RecentQueries

    class Counting(_RecentQueries):
        calls = 0

        def _embed_query(self, text):
            Counting.calls += 1
            return [float(len(text)), 1.0]

    emb = Counting()
    assert emb.embed_query("abc") == emb.embed_query("abc") == [3.0, 1.0]
    assert Counting.calls == 1
    emb.forget_queries()
    emb.embed_query("abc")
    assert Counting.calls == 2
