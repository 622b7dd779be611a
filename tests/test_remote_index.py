"""The index on a real Chroma server (`chroma run` on loopback): build, manifest, swap, refusal, failure."""
from __future__ import annotations

import json

import pytest

from rag import cli, indexer, remote_index, store
from rag.engine import Engine
from rag.errors import BackendError, IndexError_

from .fakes import BagOfWordsEmbeddings
from .servers import chroma_server, free_port
from .test_index import CountingEmbeddings, Exploding

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    with chroma_server(tmp_path_factory.mktemp("chroma") / "data") as url:
        yield url


@pytest.fixture
def remote(settings, chroma_url, request):
    # one index name per test: tests share the server, not their indexes
    return settings.model_copy(update={"chroma_url": chroma_url, "chroma_collection": f"t{abs(hash(request.node.name))}"})


def versions(s) -> set[str]:
    client = store.open_client(None, s.chroma_url)
    prefix = remote_index.base_name(s) + "-v"
    return {c.name for c in client.list_collections() if c.name.startswith(prefix) and not c.name.endswith("-docs")}


def pointer(s) -> dict:
    client = store.open_client(None, s.chroma_url)
    return client.get_collection(remote_index.base_name(s) + "-live").metadata


def test_build_stores_vectors_documents_and_manifest_on_the_server(remote):
    report = indexer.build(remote, CountingEmbeddings())
    meta = pointer(remote)
    manifest = json.loads(meta["manifest"])
    assert manifest["embedder"] == "fake-bow" and set(manifest["files"]) == {"brest.txt"}
    assert versions(remote) == {meta["live"]} and not (remote.index_dir / "manifest.json").exists()
    assert indexer.state(remote, "fake-bow") == "ok"
    idx = indexer.load(remote, "fake-bow")
    assert len(idx.paragraphs()) == report["paragraphs"] == manifest["paragraphs"] > 0
    assert idx.collection.count() == manifest["pieces"]


def test_engine_searches_and_quotes_through_the_server(remote):
    eng = Engine(remote, embedder=BagOfWordsEmbeddings())
    hits = eng.search("Combien de bateaux passent ici ?", 3)
    assert hits and hits[0].paragraph.doc == "brest.txt"
    assert eng.quote("Je suis très fière de ce phare").verdict == "verbatim"
    assert eng.status()["index"] == "ok"


def test_update_copies_kept_vectors_embeds_only_changes_and_swaps_versions(remote, sources):
    emb = CountingEmbeddings()
    indexer.build(remote, emb)
    first = pointer(remote)["live"]
    (sources / "autre.txt").write_text("Un autre article sur le port de Lorient et ses bateaux de pêche.\n")
    assert indexer.state(remote, "fake-bow") == "stale"
    emb.calls = 0
    report = indexer.build(remote, emb)
    assert report["embedded"] == 1 and report["kept"] == 1 and emb.calls == 1
    second = pointer(remote)
    assert second["live"] != first and second["previous"] == first and versions(remote) == {first, second["live"]}
    assert indexer.build(remote, emb)["embedded"] == 0 and pointer(remote)["live"] == second["live"]
    (sources / "autre.txt").unlink()
    assert indexer.build(remote, emb)["dropped"] == 1
    third = pointer(remote)["live"]
    assert versions(remote) == {second["live"], third}  # the first version is dropped, the previous one kept
    idx = indexer.load(remote, "fake-bow")
    assert {d.name for d in idx.documents} == {"brest.txt"}
    assert {m["doc"] for m in idx.collection.get(include=["metadatas"])["metadatas"]} == {"brest.txt"}


def test_mismatched_server_index_is_refused_then_rebuilt(remote):
    indexer.build(remote, BagOfWordsEmbeddings())
    with pytest.raises(IndexError_, match="another-embedder.*rag index"):
        indexer.load(remote, "another-embedder")
    assert indexer.state(remote, "another-embedder").startswith("mismatch")
    other = CountingEmbeddings()
    other.name = "another-embedder"
    assert indexer.build(remote, other)["embedded"] == 1 and other.calls > 0
    assert json.loads(pointer(remote)["manifest"])["embedder"] == "another-embedder"


def test_interrupted_build_leaves_the_live_version_and_no_leftovers(remote, sources):
    indexer.build(remote, BagOfWordsEmbeddings())
    before = pointer(remote)
    (sources / "brest.txt").write_text("Texte entièrement nouveau sur la ville de Quimper et sa cathédrale.\n")
    with pytest.raises(RuntimeError):
        indexer.build(remote, Exploding())
    assert pointer(remote) == before and versions(remote) == {before["live"]}
    assert any("phare" in p.text for p in indexer.load(remote, "fake-bow").paragraphs())


def test_missing_or_garbage_pointer_is_refused_with_a_sentence(remote):
    with pytest.raises(IndexError_, match="rag index"):
        indexer.load(remote, "fake-bow")
    indexer.build(remote, BagOfWordsEmbeddings())
    client = store.open_client(None, remote.chroma_url)
    client.get_collection(remote_index.base_name(remote) + "-live").modify(metadata={"live": "x", "manifest": "{garb"})
    assert indexer.state(remote, "fake-bow") == "missing"
    with pytest.raises(IndexError_, match="rag index"):
        indexer.load(remote, "fake-bow")
    assert indexer.build(remote, BagOfWordsEmbeddings())["embedded"] == 1  # rebuilt in full
    assert indexer.state(remote, "fake-bow") == "ok"


def test_a_dropped_live_version_is_refused_then_rebuilt(remote):
    indexer.build(remote, BagOfWordsEmbeddings())
    store.open_client(None, remote.chroma_url).delete_collection(pointer(remote)["live"])
    with pytest.raises(IndexError_, match="damaged.*rag index"):
        indexer.load(remote, "fake-bow")
    assert indexer.build(remote, BagOfWordsEmbeddings())["embedded"] == 1
    assert indexer.load(remote, "fake-bow").collection.count() > 0


def test_unreachable_server_is_a_backend_error_sentence(settings, capsys):
    s = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(BackendError, match=f"{s.chroma_url} cannot be reached"):
        indexer.state(s, "fake-bow")
    code = cli.main(["search", "phare"], engine_factory=lambda args: Engine(s, embedder=BagOfWordsEmbeddings()))
    err = capsys.readouterr().err
    assert code == 2 and "cannot be reached" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
