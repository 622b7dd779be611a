"""The one object the edges talk to: the CLI, the Streamlit app and the HTTP API.

``Engine(settings)`` wires the corpus, the index, hybrid retrieval, the answer
chain and the quote checker together, building each lazily on first use. A
missing or stale index is brought up to date before it is searched (a mismatched
one is rebuilt), with progress reported through the ``progress`` callback.
Dependencies (embedder, chat model) can be injected, which is how the tests run
it with fakes. Every method raises ``RagError`` subclasses only.

Events from ``ask_stream``: ``("sources", list[Hit])`` once retrieval is done,
``("token", str)`` for each piece of the answer as it is generated, on the slow
paths ``("status", "second_try")`` (the answer did not hold up and is asked for
again, not streamed) or ``("status", "translating")``, then ``("answer", Answer)``
with the final, checked citations.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from . import indexer, tokens
from .embeddings import embedder_name, make_embedder
from .errors import InputError
from .results import Answer, Hit, QuoteResult
from .settings import Settings

if TYPE_CHECKING:
    from .library import AddReport

Progress = Callable[[str, int, int], None]  # (stage, done, total)
MAX_QUESTION_CHARS = 2000


def clean_question(text: str) -> str:
    """The question with control characters removed; refuses empty or oversized input."""
    if not isinstance(text, str):
        raise InputError("The question must be text.")
    text = "".join(c if c.isprintable() or c in "\n\t" else " " for c in text)
    text = " ".join(text.split())
    if not text:
        raise InputError("The question is empty.")
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(f"The question is too long ({len(text)} characters; at most {MAX_QUESTION_CHARS}).")
    return text


def turns_from(value) -> list[tuple[str, str]]:
    """A batch line's ``history`` (``[{"question", "answer"}, …]``, oldest first, as the HTTP API takes it)
    as (question, answer) pairs; none when it is absent."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
            isinstance(t, dict) and isinstance(t.get("question"), str) and isinstance(t.get("answer"), str)
            for t in value):
        raise InputError('"history" must be a list of {"question": …, "answer": …} objects, oldest first.')
    return [(t["question"], t["answer"]) for t in value]


def conversation(turns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Earlier (question, answer) turns as the ``(role, text)`` pairs the chain reads for a follow-up."""
    return [pair for q, a in turns for pair in (("user", q), ("assistant", a))]


class Engine:
    def __init__(self, settings: Settings, *, embedder: Embeddings | None = None,
                 chat_model: BaseChatModel | None = None, progress: Progress | None = None):
        self.settings = settings
        self.progress = progress
        self._embedder = embedder
        self._chat_model = chat_model
        self._index = None
        self._retriever = None
        self._chain = None
        self._quote = None
        self._lock = threading.RLock()
        tokens.use_offline_cache(settings.tiktoken_dir)

    # -- parts, built on first use -------------------------------------------------
    @property
    def embedder(self) -> Embeddings:
        with self._lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.settings, progress=self._bytes_progress("embedder"))
            return self._embedder

    def _bytes_progress(self, stage: str):
        return (lambda done, total: self.progress(stage, done, total)) if self.progress else None

    def ensure_index(self, force: bool = False) -> dict:
        """Bring the index up to date with the sources folder; returns the build report."""
        with self._lock:
            report = indexer.build(self.settings, self.embedder, progress=self.progress, force=force)
            if report.get("embedded") or report.get("dropped") or force:
                self._index = self._retriever = self._chain = self._quote = None
            self.quote_checker  # sentence vectors for quotes and support checks, cached beside the index
            return report

    @property
    def index(self) -> indexer.Index:
        with self._lock:
            if self._index is None:
                if indexer.state(self.settings, embedder_name(self.embedder)) != "ok":
                    self.ensure_index()
                self._index = indexer.load(self.settings, embedder_name(self.embedder))
            return self._index

    @property
    def retriever(self):
        with self._lock:
            if self._retriever is None:
                from .retrieve import Retriever

                self._retriever = Retriever(self.index, self.embedder, units=lambda: self.quote_checker)
            return self._retriever

    @property
    def chat_model(self) -> BaseChatModel:
        with self._lock:
            if self._chat_model is None:
                from .llm import make_chat_model

                self._chat_model = make_chat_model(self.settings)
            return self._chat_model

    @property
    def chain(self):
        with self._lock:
            if self._chain is None:
                from .chain import AnswerChain

                self._chain = AnswerChain(self.settings, self.retriever, lambda: self.chat_model,
                                          sentence_vectors=lambda: self.quote_checker)
            return self._chain

    @property
    def quote_checker(self):
        with self._lock:
            if self._quote is None:
                from .quote import QuoteChecker

                self._quote = QuoteChecker(self.index.paragraphs(), self.embedder,
                                           cache_path=self.settings.index_dir / "quote_sentences.npz")
            return self._quote

    # -- what the edges call --------------------------------------------------------
    def documents(self):
        return self.index.documents

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        return self.retriever.search(clean_question(question), k or self.settings.top_k)

    def ask(self, question: str, history: list[tuple[str, str]] | None = None) -> Answer:
        answer = None
        for kind, value in self.ask_stream(question, history):
            if kind == "answer":
                answer = value
        return answer

    def ask_stream(self, question: str, history: list[tuple[str, str]] | None = None) -> Iterator[tuple[str, object]]:
        return self.chain.stream(clean_question(question), history or [])

    def warm_answers(self) -> int:
        """Reads every paragraph as the local model will see it, so first answers start fast (the
        blocks engine only); returns how many paragraphs were read now."""
        return self.chain.warm()

    def quote(self, text: str, speaker: str | None = None) -> QuoteResult:
        return self.quote_checker.check(text, speaker=speaker or None)

    def add_files(self, items) -> "AddReport":
        """Add uploaded ``(name, bytes)`` pairs or paths to the sources (``rag.library``), then index
        what was added (only the new files are embedded). Returns each file's outcome and the index report."""
        from .library import AddReport, add_files

        with self._lock:
            report = AddReport(add_files(self.settings, items, progress=self.progress))
            if report.added:
                report.index = self.ensure_index()
            return report

    def remove_document(self, name: str) -> tuple[Path, dict]:
        """Move the source file ``name`` out of the sources folder (into ``removed_dir``) and drop it from
        the index; returns where the file went and the index report."""
        from .library import remove_document

        with self._lock:
            moved = remove_document(self.settings, name)
            return moved, self.ensure_index()

    def status(self) -> dict:
        from .llm import describe_backend

        name = embedder_name(self._embedder) if self._embedder is not None else self.settings.embedder
        state = indexer.state(self.settings, name) if self._embedder is not None else "unknown"
        return {"backend": describe_backend(self.settings), "embedder": name, "index": state,
                "index_dir": str(self.settings.index_dir), "sources_dir": str(self.settings.sources_dir)}
