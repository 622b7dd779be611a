"""The one object the edges talk to: the CLI, the Streamlit app and the HTTP API.

``Engine(settings)`` wires the corpus, the index, hybrid retrieval, the answer
chain and the quote checker together, building each lazily on first use.
Dependencies (embedder, chat model) can be injected, which is how the tests run
it with fakes. Every method raises ``RagError`` subclasses only.

Events from ``ask_stream``: ``("sources", list[Hit])`` once retrieval is done,
``("token", str)`` for each piece of the answer as it is generated, then
``("answer", Answer)`` with the final, checked citations.
"""
from __future__ import annotations

from typing import Callable, Iterator

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from .results import Answer, Hit, QuoteResult
from .settings import Settings
from .sources import Corpus

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class Engine:
    def __init__(self, settings: Settings, *, embedder: Embeddings | None = None,
                 chat_model: BaseChatModel | None = None):
        self.settings = settings
        self._embedder = embedder
        self._chat_model = chat_model

    def corpus(self) -> Corpus: ...
    def ensure_index(self, progress: Progress | None = None) -> dict: ...
    def search(self, question: str, k: int | None = None) -> list[Hit]: ...
    def ask(self, question: str, history: list[tuple[str, str]] | None = None) -> Answer: ...
    def ask_stream(self, question: str, history: list[tuple[str, str]] | None = None) -> Iterator[tuple[str, object]]: ...
    def quote(self, text: str, speaker: str | None = None) -> QuoteResult: ...
    def status(self) -> dict: ...
