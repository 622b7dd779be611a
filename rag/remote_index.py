"""The index on a Chroma server (``RAG_CHROMA_URL``): versioned collections behind a pointer.

On a server there is no folder to copy and rename, so a build works like this:

- every build writes a new *version*: a collection of embedded pieces named
  ``{base}-v{time}-{random}`` and, beside it, ``{version}-docs`` holding the
  cleaned documents (one record per document, its paragraphs as JSON), where
  ``base`` is ``{RAG_CHROMA_COLLECTION}-{RAG_EMBEDDER}`` (default ``rag-embeddinggemma``);
- an incremental build copies the kept files' pieces, vectors included, from the
  live version into the new one, and embeds only new or changed files;
- the *pointer* is the empty collection ``{base}-live``; its metadata holds the
  live version's name, the previous one's, and the manifest (embedder, chunking
  version, source file hashes, as JSON). One ``modify`` call switches all three
  at once, so readers always see a manifest that matches the vectors;
- after the switch, versions older than the previous one are dropped. The
  previous version is kept one generation so a reader that loaded it just before
  the switch can finish; a failed or interrupted build drops its own collections
  (a crashed one is dropped by the next build) and the live index is untouched.

Readers (``state``, ``load``) read the pointer: no pointer is "missing", a
manifest for another embedder or chunking is refused with a sentence saying to
run ``rag index`` (``build`` rebuilds it), changed source files make it "stale".
An unreachable server is a ``BackendError`` sentence naming the URL.
Builds on one machine take turns under the same file lock as folder builds;
builds from two machines at once are not coordinated (the last switch wins; a
build whose source version was dropped meanwhile fails and can be rerun).
What this leaves out: authentication to the server, tenants and databases other
than the defaults, and Chroma Cloud.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict
from typing import Callable

from langchain_core.embeddings import Embeddings

from . import store
from .chunking import pieces_for
from .documents import Document, Paragraph
from .embeddings import embedder_name
from .errors import BackendError, IndexError_, RagError
from .manifest import FORMAT, Manifest, chunking_id
from .settings import Settings
from .sources import file_hash, load_corpus, source_files

Progress = Callable[[str, int, int], None]
PAGE = 500


def base_name(settings: Settings) -> str:
    return f"{settings.chroma_collection}-{settings.embedder}"


def _client(settings: Settings):
    return store.open_client(None, settings.chroma_url)


def _call(settings: Settings, what: str, fn, *args, **kwargs):
    """Run one server call; a failure is a BackendError naming the server."""
    try:
        return fn(*args, **kwargs)
    except RagError:
        raise
    except Exception as e:  # chromadb raises many kinds (httpx, ValueError, ChromaError)
        raise BackendError(f"The Chroma server at {settings.chroma_url} failed to {what} ({e}).") from e


def _pointer(client, settings: Settings, create: bool = False):
    name = f"{base_name(settings)}-live"
    try:
        if create:
            return client.get_or_create_collection(name, embedding_function=store._NoEmbedding())
        return client.get_collection(name, embedding_function=store._NoEmbedding())
    except Exception as e:
        if type(e).__name__ == "NotFoundError":
            return None
        raise


def _version(client, name: str):
    """The collection of a version, or None when it is gone."""
    try:
        client.get_collection(f"{name}-docs", embedding_function=store._NoEmbedding())
        return client.get_collection(name, embedding_function=store._NoEmbedding())
    except Exception as e:
        if type(e).__name__ == "NotFoundError":
            return None
        raise


def _read_pointer(settings: Settings, client=None) -> tuple[dict, Manifest | None]:
    """(pointer metadata, its manifest or None when missing or unreadable)."""
    client = client or _client(settings)
    ptr = _call(settings, "read the index pointer", _pointer, client, settings)
    meta = dict((ptr.metadata or {}) if ptr is not None else {})
    try:
        data = json.loads(meta.get("manifest", ""))
        return meta, Manifest(**data) if data.get("format") == FORMAT and meta.get("live") else None
    except (ValueError, TypeError, AttributeError):
        return meta, None


def current_hashes(settings: Settings) -> dict[str, str]:
    return {p.name: file_hash(p) for p in source_files(settings.sources_dir)}


def state(settings: Settings, emb_name: str) -> str:
    """'missing', 'mismatch: …', 'stale' or 'ok', as for a folder index."""
    _, m = _read_pointer(settings)
    if m is None:
        return "missing"
    why = m.mismatch(emb_name, chunking_id(settings.chunk_tokens))
    if why:
        return f"mismatch: {why}"
    return "ok" if {**m.files, **m.skipped} == current_hashes(settings) else "stale"


def _docs_json(doc: Document) -> str:
    return json.dumps({**doc.meta(), "paragraphs": [asdict(p) for p in doc.paragraphs]}, ensure_ascii=False)


def _doc_from_json(text: str) -> Document:
    d = json.loads(text)
    return Document(**{k: v for k, v in d.items() if k != "paragraphs"},
                    paragraphs=[Paragraph(**p) for p in d["paragraphs"]])


def _copy_kept(old, new, drop: set[str]) -> None:
    """Copy the pieces of files not in ``drop`` from version ``old`` to ``new``, vectors included."""
    offset = 0
    while True:
        got = old.get(limit=PAGE, offset=offset, include=["embeddings", "documents", "metadatas"])
        if not got["ids"]:
            return
        keep = [i for i, m in enumerate(got["metadatas"]) if m["doc"] not in drop]
        if keep:
            new.add(ids=[got["ids"][i] for i in keep], embeddings=[got["embeddings"][i] for i in keep],
                    documents=[got["documents"][i] for i in keep], metadatas=[got["metadatas"][i] for i in keep])
        offset += len(got["ids"])


def _drop_old(client, settings: Settings, keep: set[str], newest: str) -> None:
    """Drop versions created before ``newest`` that are not in ``keep``."""
    prefix = f"{base_name(settings)}-v"
    for c in client.list_collections():
        name = getattr(c, "name", c)
        version = name.removesuffix("-docs")
        if name.startswith(prefix) and version not in keep and version < newest:
            try:
                client.delete_collection(name)
            except Exception:
                pass  # already gone: another build dropped it


def build(settings: Settings, embedder: Embeddings, progress: Progress | None = None, force: bool = False) -> dict:
    """Update or rebuild the server index; returns the same report as a folder build."""
    from .indexer import _lock

    t0 = time.perf_counter()
    emb_name, chunking = embedder_name(embedder), chunking_id(settings.chunk_tokens)
    client = _client(settings)
    with _lock(settings.index_dir):
        meta, old = _read_pointer(settings, client)
        if old is not None and (force or old.mismatch(emb_name, chunking)):
            old = None
        live = _call(settings, "open the live index", _version, client, meta["live"]) if old is not None else None
        old = old if live is not None else None  # pointer to a vanished version: rebuild in full
        corpus = load_corpus(settings.sources_dir, settings.max_file_bytes)
        hashes = {d.name: d.sha256 for d in corpus.documents}
        skipped = {w.split(":")[0].removeprefix("Skipped "): w for w in corpus.warnings}
        to_embed, to_drop = old.changes(hashes) if old is not None else (set(hashes), set())
        paragraphs = sum(len(d.paragraphs) for d in corpus.documents)
        if old is not None and not to_embed and not to_drop and old.skipped == skipped:
            return {"embedded": 0, "kept": len(hashes), "dropped": 0, "paragraphs": old.paragraphs,
                    "seconds": time.perf_counter() - t0, "warnings": corpus.warnings}
        version = f"{base_name(settings)}-v{time.time_ns():x}-{uuid.uuid4().hex[:6]}"
        try:
            coll = _call(settings, "create a collection", store.collection, client, version)
            docs_coll = _call(settings, "create a collection", store.collection, client, f"{version}-docs")
            if old is not None:
                _call(settings, "copy the unchanged pieces", _copy_kept, live, coll, to_drop)
            docs = {d.name: d for d in corpus.documents}
            pieces = [pc for name in sorted(to_embed) for pc in pieces_for(docs[name], settings.chunk_tokens)]
            step = 32
            for i in range(0, len(pieces), step):
                part = pieces[i:i + step]
                vectors = embedder.embed_documents([pc.text for pc in part])
                _call(settings, "store the pieces", store.add, coll, part, vectors, {n: d.meta() for n, d in docs.items()})
                if progress:
                    progress("embedding", min(i + step, len(pieces)), len(pieces))
            if corpus.documents:
                _call(settings, "store the documents", docs_coll.add, ids=[d.name for d in corpus.documents],
                      documents=[_docs_json(d) for d in corpus.documents],
                      embeddings=[[1.0] for _ in corpus.documents])
            manifest = Manifest(embedder=emb_name, chunking=chunking, files=hashes, skipped=skipped,
                                paragraphs=paragraphs, pieces=_call(settings, "count the pieces", coll.count))
            ptr = _call(settings, "create the index pointer", _pointer, client, settings, True)
            _call(settings, "switch the index pointer", ptr.modify, metadata={
                "live": version, "previous": meta.get("live") or "", "manifest": json.dumps(asdict(manifest))})
        except BaseException:
            for name in (version, f"{version}-docs"):
                try:
                    client.delete_collection(name)
                except Exception:
                    pass
            raise
        _drop_old(client, settings, {version, meta.get("live") or ""}, version)
        return {"embedded": len(to_embed), "kept": len(hashes) - len(to_embed), "dropped": len(to_drop - to_embed),
                "pieces_embedded": len(pieces), "paragraphs": paragraphs,
                "seconds": time.perf_counter() - t0, "warnings": corpus.warnings}


def load(settings: Settings, emb_name: str):
    """Open the live server index, refusing a missing or mismatched one."""
    from .indexer import Index

    client = _client(settings)
    meta, m = _read_pointer(settings, client)
    where = f"{base_name(settings)} on {settings.chroma_url}"
    if m is None:
        raise IndexError_(f"No usable index {where}: run `rag index` first.")
    why = m.mismatch(emb_name, chunking_id(settings.chunk_tokens))
    if why:
        raise IndexError_(f"The index {where} cannot be used: {why}. Run `rag index` to rebuild it.")
    try:
        coll = client.get_collection(meta["live"], embedding_function=store._NoEmbedding())
        docs_coll = client.get_collection(f"{meta['live']}-docs", embedding_function=store._NoEmbedding())
        got = docs_coll.get(include=["documents"])
        documents = sorted((_doc_from_json(t) for t in got["documents"]), key=lambda d: d.name)
    except Exception as e:
        if type(e).__name__ == "NotFoundError" or isinstance(e, (ValueError, KeyError, TypeError)):
            raise IndexError_(f"The index {where} is incomplete or damaged: run `rag index` to rebuild it.") from e
        raise BackendError(f"The Chroma server at {settings.chroma_url} failed to load the index ({e}).") from e
    return Index(manifest=m, documents=documents, collection=coll)
