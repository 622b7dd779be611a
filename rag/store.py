"""The Chroma collection of embedded pieces: open, add, delete, query.

Embedded (``PersistentClient`` on a folder) by default, or a Chroma server when
``RAG_CHROMA_URL`` is set. Telemetry is off. We always compute embeddings
ourselves and pass them in, so Chroma's own default embedding function (which
downloads a model) is never used.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from .chunking import Piece
from .errors import BackendError, IndexError_

COLLECTION = "paragraphs"


class _NoEmbedding(chromadb.EmbeddingFunction):
    """Refuses to embed: every vector comes from our own embedder."""

    def __init__(self) -> None:
        pass

    def __call__(self, input):  # noqa: A002 - chroma's signature
        raise BackendError("Chroma was asked to embed text itself; this is a bug.")

    @staticmethod
    def name() -> str:
        return "rag-precomputed"

    def get_config(self) -> dict:
        return {}

    @staticmethod
    def build_from_config(config):
        return _NoEmbedding()


def open_client(path: Path | None, url: str | None = None):
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    try:
        if url:
            u = urlparse(url)
            return chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                       ssl=u.scheme == "https", settings=settings)
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as e:  # chroma raises many kinds
        if url:
            raise BackendError(f"The Chroma server at {url} cannot be reached ({e}); start it "
                               "(`chroma run --path DIR --port PORT`) or unset RAG_CHROMA_URL.") from e
        raise BackendError(f"Chroma could not be opened ({e}).") from e


def collection(client, name: str = COLLECTION):
    return client.get_or_create_collection(name, embedding_function=_NoEmbedding(),
                                           metadata={"hnsw:space": "cosine"})


def _meta(piece: Piece, doc_meta: dict) -> dict:
    p = piece.paragraph
    m = {"doc": p.doc, "paragraph": p.number, "speaker": p.speaker, "section": p.section,
         "title": doc_meta.get("title"), "author": doc_meta.get("author"), "date": doc_meta.get("date")}
    return {k: v for k, v in m.items() if v is not None}


def add(coll, pieces: list[Piece], vectors: list[list[float]], doc_meta: dict[str, dict], batch: int = 1000) -> None:
    for i in range(0, len(pieces), batch):
        part = pieces[i:i + batch]
        coll.add(ids=[x.id for x in part], embeddings=vectors[i:i + batch], documents=[x.text for x in part],
                 metadatas=[_meta(x, doc_meta.get(x.paragraph.doc, {})) for x in part])


def delete_docs(coll, docs: set[str]) -> None:
    for d in docs:
        coll.delete(where={"doc": d})


def query(coll, vector: list[float], n: int) -> list[tuple[str, int, float]]:
    """(doc, paragraph, cosine similarity) of the nearest pieces, best first."""
    try:
        count = coll.count()
        if count == 0:
            return []
        res = coll.query(query_embeddings=[vector], n_results=min(n, count), include=["metadatas", "distances"])
    except Exception as e:  # a server gone away, a collection dropped by a newer build
        if type(e).__name__ == "NotFoundError":
            raise IndexError_("The index this process loaded was removed from the Chroma server (rebuilt "
                              "twice since): restart it to load the new one, or run `rag index`.") from e
        raise BackendError(f"The Chroma query failed ({e}).") from e
    return [(m["doc"], int(m["paragraph"]), 1.0 - float(d))
            for m, d in zip(res["metadatas"][0], res["distances"][0])]
