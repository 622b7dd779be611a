"""Answer generation for the HTTP API: one at a time, a bounded queue, events off the event loop.

The chat model (a local llama.cpp server with one slot, or a remote one) and the
answer chain are not made for concurrent use, so ``GenerationGate`` lets one
answer generate at a time and at most ``max_waiting`` more wait for their turn;
beyond that a request is refused at once with ``ServerBusy`` (HTTP 503 with
Retry-After) instead of piling up threads and memory.

``answer_events(gate, engine, question, history)`` runs ``engine.ask_stream`` in
a worker thread that holds the gate, and hands its events to the event loop
through an asyncio queue: the loop never blocks, and a client that goes away
sets a flag that stops the model at its next token (a LangChain callback raising
inside the model's token loop), so the chain ends and the gate is released: the
lock is never held by a dead request.
Errors become an ``("error", RagError)`` event; the stream always ends.
What this leaves out: stopping a model before its first token (a long prompt is
read to the end) and fairness beyond first come, first served.
"""
from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import AsyncIterator

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.tracers.context import register_configure_hook

from .errors import BackendError, RagError


class ServerBusy(BackendError):
    pass


class Abandoned(BackendError):
    """The client went away: the model stops at its next token."""


class _StopWhenAbandoned(BaseCallbackHandler):
    """Raises at the model's next token once ``stop`` is set. The worker thread waits inside
    the model's stream, where the event loop cannot close it, so the stop has to come from
    inside the model's own token loop."""

    raise_error = True

    def __init__(self, stop: threading.Event):
        self.stop = stop

    def on_llm_new_token(self, token, **kwargs) -> None:
        if self.stop.is_set():
            raise Abandoned("The client went away; the answer was abandoned.")


_STOP_HANDLER: ContextVar[BaseCallbackHandler | None] = ContextVar("rag_api_stop_handler", default=None)
register_configure_hook(_STOP_HANDLER, inheritable=True)


class GenerationGate:
    def __init__(self, max_waiting: int = 32):
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_waiting + 1)

    def enter(self) -> None:
        """Take a place in the queue, or ServerBusy at once when too many already wait."""
        if not self._slots.acquire(blocking=False):
            raise ServerBusy("Too many answers are being generated or waiting; try again in a few seconds.")

    def leave(self) -> None:
        self._slots.release()

    @contextmanager
    def turn(self):
        """Generate: one holder at a time (call after ``enter``)."""
        with self._lock:
            yield


class InternalError(BackendError):
    """A failure that is not one of ours (a bug): HTTP 500."""


def _internal(e: Exception) -> RagError:
    return InternalError(f"Internal error ({type(e).__name__}: {e}).")


def answer_events(gate: GenerationGate, engine, question: str,
                  history: list[tuple[str, str]]) -> AsyncIterator[tuple[str, object]]:
    """The engine's (kind, value) events for one answer; errors arrive as ("error", RagError).

    Call from the event loop. Raises ServerBusy at once when the queue is full."""
    gate.enter()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    stop = threading.Event()
    done = object()

    def put(item) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the server is shutting down: nobody listens any more
            stop.set()

    def work() -> None:
        _STOP_HANDLER.set(_StopWhenAbandoned(stop))  # this thread's context only
        try:
            with gate.turn():
                if stop.is_set():
                    return
                events = engine.ask_stream(question, history)
                try:
                    for event in events:
                        put(event)
                        if stop.is_set():
                            break
                finally:
                    close = getattr(events, "close", None)
                    if close:
                        close()
        except RagError as e:
            put(("error", e))
        except Exception as e:  # never a traceback for clients: one sentence
            put(("error", _internal(e)))
        finally:
            gate.leave()
            put(done)

    async def drain():
        try:
            while (item := await queue.get()) is not done:
                yield item
        finally:
            stop.set()

    threading.Thread(target=work, name="rag-answer", daemon=True).start()
    return drain()
