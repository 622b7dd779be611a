"""Building and updating the persisted index, safely.

``build(settings, embedder)`` brings ``settings.index_dir`` up to date with the
sources folder: unchanged files are kept, changed or new files are re-embedded,
vanished files dropped; a different embedder or chunking means a full rebuild.
Every build works on a copy beside the live index and swaps it in only when
complete, under a lock, so an interrupted build leaves the previous index
intact (on a Chroma server, ``remote_index`` does the same with versioned
collections behind a pointer). ``load(settings, embedder_name)`` opens a built
index and refuses one that is missing, mismatched or damaged (unreadable
documents or Chroma files, a piece count that differs from the manifest) with a
sentence saying to run ``rag index``; a build meeting a damaged index rebuilds it
from the sources and says so in its report's warnings.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from langchain_core.embeddings import Embeddings

from . import store
from .chunking import pieces_for
from .documents import Document, Paragraph
from .embeddings import embedder_name
from .errors import BackendError, IndexError_
from .manifest import Manifest, chunking_id
from .settings import Settings
from .sources import file_hash, load_corpus, source_files

DOCS = "documents.json"
Progress = Callable[[str, int, int], None]


@dataclass
class Index:
    manifest: Manifest
    documents: list[Document]
    collection: object

    def paragraphs(self) -> list[Paragraph]:
        return [p for d in self.documents for p in d.paragraphs]


def _save_docs(folder: Path, docs: list[Document]) -> None:
    data = [{**d.meta(), "paragraphs": [p.__dict__ for p in d.paragraphs]} for d in docs]
    (folder / DOCS).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _load_docs(folder: Path) -> list[Document]:
    out = []
    for d in json.loads((folder / DOCS).read_text(encoding="utf-8")):
        paras = [Paragraph(**p) for p in d.pop("paragraphs")]
        out.append(Document(**d, paragraphs=paras))
    return out


@contextmanager
def _lock(index_dir: Path):
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(index_dir.parent / f".{index_dir.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def current_hashes(settings: Settings) -> dict[str, str]:
    return {p.name: file_hash(p) for p in source_files(settings.sources_dir)}


def state(settings: Settings, emb_name: str) -> str:
    """'missing', 'mismatch: …', 'stale' or 'ok'."""
    if settings.chroma_url:  # a Chroma server: see remote_index
        from . import remote_index
        return remote_index.state(settings, emb_name)
    m = Manifest.load(settings.index_dir)
    if m is None:
        return "missing"
    why = m.mismatch(emb_name, chunking_id(settings.chunk_tokens))
    if why:
        return f"mismatch: {why}"
    wanted = current_hashes(settings)
    known = {**m.files, **m.skipped}
    return "ok" if known == wanted else "stale"


def _swap(building: Path, live: Path) -> None:
    old = live.with_name(f"{live.name}.old-{os.getpid()}")
    if live.exists():
        live.rename(old)
    building.rename(live)
    shutil.rmtree(old, ignore_errors=True)
    _forget_clients()


def _forget_clients() -> None:
    try:  # forget cached Chroma systems that point at a replaced or damaged folder
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:
        pass


def build(settings: Settings, embedder: Embeddings, progress: Progress | None = None, force: bool = False) -> dict:
    """Update or rebuild the index; returns a report of what was done."""
    if settings.chroma_url:
        from . import remote_index
        return remote_index.build(settings, embedder, progress, force)
    t0 = time.perf_counter()
    emb_name, chunking = embedder_name(embedder), chunking_id(settings.chunk_tokens)
    live = settings.index_dir
    with _lock(live):
        old = None if force else Manifest.load(live)
        if old is not None and (old.mismatch(emb_name, chunking) or not (live / DOCS).exists()):
            old = None
        repaired = []
        if old is not None:
            try:
                _open(live, old)
            except IndexError_:  # rebuilt from the sources, which are the truth
                old, repaired = None, [f"The index at {live} was damaged; it was rebuilt from the sources."]
        corpus = load_corpus(settings.sources_dir, settings.max_file_bytes)
        hashes = {d.name: d.sha256 for d in corpus.documents}
        skipped = {w.split(":")[0].removeprefix("Skipped "): w for w in corpus.warnings}
        building = live.with_name(f"{live.name}.building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        if old is not None:
            shutil.copytree(live, building)
            to_embed, to_drop = old.changes(hashes)
        else:
            building.mkdir(parents=True)
            to_embed, to_drop = set(hashes), set()
        if old is not None and not to_embed and not to_drop and old.skipped == skipped:
            shutil.rmtree(building, ignore_errors=True)
            return {"embedded": 0, "kept": len(hashes), "dropped": 0, "paragraphs": old.paragraphs,
                    "seconds": time.perf_counter() - t0, "warnings": corpus.warnings}
        client = store.open_client(building / "chroma")
        coll = store.collection(client)
        store.delete_docs(coll, to_drop)
        docs = {d.name: d for d in corpus.documents}
        pieces = [pc for name in sorted(to_embed) for pc in pieces_for(docs[name], settings.chunk_tokens)]
        vectors: list[list[float]] = []
        step = 32
        for i in range(0, len(pieces), step):
            vectors.extend(embedder.embed_documents([pc.text for pc in pieces[i:i + step]]))
            if progress:
                progress("embedding", min(i + step, len(pieces)), len(pieces))
        store.add(coll, pieces, vectors, {n: d.meta() for n, d in docs.items()})
        n_pieces = coll.count()
        del coll, client
        _save_docs(building, corpus.documents)
        Manifest(embedder=emb_name, chunking=chunking, files=hashes, skipped=skipped,
                 paragraphs=sum(len(d.paragraphs) for d in corpus.documents), pieces=n_pieces).save(building)
        _swap(building, live)
        return {"embedded": len(to_embed), "kept": len(hashes) - len(to_embed), "dropped": len(to_drop - to_embed),
                "pieces_embedded": len(pieces), "paragraphs": sum(len(d.paragraphs) for d in corpus.documents),
                "seconds": time.perf_counter() - t0, "warnings": repaired + corpus.warnings}


def load(settings: Settings, emb_name: str) -> Index:
    """Open the built index, refusing a missing or mismatched one."""
    if settings.chroma_url:
        from . import remote_index
        return remote_index.load(settings, emb_name)
    live = settings.index_dir
    m = Manifest.load(live)
    if m is None or not (live / DOCS).exists():
        raise IndexError_(f"No index at {live}: run `rag index` first.")
    why = m.mismatch(emb_name, chunking_id(settings.chunk_tokens))
    if why:
        raise IndexError_(f"The index at {live} cannot be used: {why}. Run `rag index` to rebuild it.")
    documents, coll = _open(live, m)
    return Index(manifest=m, documents=documents, collection=coll)


def _open(live: Path, m: Manifest):
    """(documents, collection) of a folder index; IndexError_ when its files are damaged."""
    try:
        documents = _load_docs(live)
        coll = store.collection(store.open_client(live / "chroma"))
        count = coll.count()
    except (ValueError, TypeError, KeyError, OSError, BackendError) as e:
        _forget_clients()
        raise IndexError_(f"The index at {live} is damaged ({str(e).rstrip('.')}): "
                          "run `rag index` to rebuild it.") from e
    if count != m.pieces:
        raise IndexError_(f"The index at {live} is damaged (it holds {count} pieces, its manifest says "
                          f"{m.pieces}): run `rag index` to rebuild it.")
    return documents, coll
