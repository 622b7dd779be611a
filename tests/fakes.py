"""Test doubles: a bag-of-words embedder and scripted chat models (no network, no weights)."""
from __future__ import annotations

import hashlib

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from rag.textnorm import terms

DIM = 256


class BagOfWordsEmbeddings(Embeddings):
    """Hashes stemmed terms into a vector: similar wording, similar vectors. Deterministic."""

    name = "fake-bow"

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(DIM)
        for t in terms(text):
            v[int(hashlib.md5(t.encode()).hexdigest(), 16) % DIM] += 1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts):
        return [self._vec(t) for t in texts]

    def embed_query(self, text):
        return self._vec(text)


class ScriptedChat(GenericFakeChatModel):
    """Answers each call with the next scripted reply, streaming it word by word; records prompts and
    how many pieces were drawn from its streams (``pulled``: a reader that stops early draws fewer)."""

    prompts: list = []
    pulled: int = 0

    @classmethod
    def replying(cls, *replies: str) -> "ScriptedChat":
        model = cls(messages=iter([AIMessage(r) for r in replies]))
        model.prompts = []
        return model

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.prompts.append(messages)
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        for chunk in super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs):
            self.pulled += 1
            yield chunk
