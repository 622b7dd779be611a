"""The plain LangChain tutorial RAG pipeline, as a system to compare against.

What the LangChain RAG tutorial builds: ``RecursiveCharacterTextSplitter``
(chunk_size=1000, chunk_overlap=200, ``add_start_index``), a Chroma vector
store (``langchain_chroma``) with the same embedder as ours, similarity search
with k=4, the chunks joined into the tutorial's "stuff" prompt (hub
``rlm/rag-prompt``, kept in ``prompts/baseline_rag.txt``) and the same chat
model. Nothing else: no hybrid search, no citation check, no abstention.

To be scored like ours, its output is mapped to paragraphs: each document is
split as the text of its cleaned paragraphs joined by blank lines, so a chunk's
start index tells which paragraphs it overlaps. ``ask`` cites the paragraphs of
the 4 retrieved chunks, in retrieval order; ``search`` ranks the paragraphs of
the top chunks the same way. The tutorial's model has no way to abstain but
"say that you don't know", so an answer saying so counts as an abstention
(``DONT_KNOW``) and then cites nothing. It does not check quotes.
"""
from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import PromptTemplate

from .. import prompts
from ..documents import Document, Paragraph
from ..errors import BackendError, chat_model_call

CHUNK_SIZE, CHUNK_OVERLAP, K = 1000, 200, 4
SEARCH_CHUNKS = 10
DONT_KNOW = re.compile(
    r"\b(?:(?:do not|don't|does not|doesn't|cannot|can't|not able to|unable to) (?:know|say|answer|determine|find)"
    r"|(?:no|not enough|insufficient) information|not (?:mentioned|provided|specified|stated)"
    r"|(?:does not|doesn't|do not|don't) (?:mention|contain|provide|specify|state|say)"
    r"|je ne (?:sais|peux) pas|pas d'information|aucune information|ne (?:mentionne|contient|précise|dit) pas"
    r"|n'est pas (?:mentionné|précisé|indiqué))", re.I)


def _chroma(embedder: Embeddings, persist_dir: Path | None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    settings = ChromaSettings(anonymized_telemetry=False)
    client = (chromadb.PersistentClient(path=str(persist_dir), settings=settings) if persist_dir
              else chromadb.EphemeralClient(settings=settings))
    return Chroma(collection_name=f"baseline-{uuid.uuid4().hex[:8]}", embedding_function=embedder, client=client)


class Baseline:
    parts = ("search", "ask")

    def __init__(self, documents: list[Document], embedder: Embeddings, chat_model: BaseChatModel,
                 prompts_dir: Path, name: str = "baseline", persist_dir: Path | None = None):
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.name = name
        self.model = chat_model
        self.prompt = PromptTemplate.from_template(
            prompts.load(prompts_dir, "baseline_rag", frozenset({"question", "context"})).text)
        self._spans: dict[str, list[tuple[int, int, Paragraph]]] = {}
        docs = []
        for d in documents:
            text, spans, at = "", [], 0
            for p in d.paragraphs:
                spans.append((at, at + len(p.text), p))
                text += p.text + "\n\n"
                at = len(text)
            self._spans[d.name] = spans
            docs.append(LCDocument(page_content=text.rstrip(), metadata={"source": d.name}))
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                                  add_start_index=True)
        self.chunks = splitter.split_documents(docs)
        t0 = time.perf_counter()
        try:
            self.store = _chroma(embedder, persist_dir)
            if self.chunks:
                self.store.add_documents(self.chunks)
        except Exception as e:
            raise BackendError(f"The baseline's Chroma store could not be built ({e}).") from e
        self.index_seconds = time.perf_counter() - t0

    def paragraphs_of(self, chunk: LCDocument) -> list[Paragraph]:
        """The paragraphs a chunk overlaps, in document order."""
        start = int(chunk.metadata["start_index"])
        end = start + len(chunk.page_content)
        return [p for a, b, p in self._spans[chunk.metadata["source"]] if a < end and b > start]

    def _paragraphs(self, chunks: list[LCDocument]) -> list[Paragraph]:
        out: list[Paragraph] = []
        for c in chunks:
            out += [p for p in self.paragraphs_of(c) if p not in out]
        return out

    def search(self, question: str) -> dict:
        chunks = self.store.similarity_search(question, k=SEARCH_CHUNKS)
        return {"results": [{**p.to_json(), "score": 0.0} for p in self._paragraphs(chunks)]}

    def ask(self, question: str) -> dict:
        t0 = time.perf_counter()
        chunks = self.store.similarity_search(question, k=K)
        context = "\n\n".join(c.page_content for c in chunks)  # the tutorial's format_docs
        chain = self.prompt | self.model | StrOutputParser()
        text, first = "", None
        with chat_model_call():
            for piece in chain.stream({"question": question, "context": context}):
                first = first if first is not None else time.perf_counter() - t0
                text += piece
        text = text.strip()
        abstained = bool(DONT_KNOW.search(text)) or not text
        cites = [] if abstained else [p.to_json() for p in self._paragraphs(chunks)]
        return {"answer": text, "abstained": abstained, "citations": cites,
                "first_token": first if first is not None else time.perf_counter() - t0}

    def quote(self, text: str, speaker: str | None) -> dict:  # pragma: no cover - parts excludes it
        raise NotImplementedError
