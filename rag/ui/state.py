"""The shared engine, its progress bars, and the error guard every page uses.

The engine is built once per server process (``st.cache_resource``) as
``Engine(Settings())``. Two ways to swap it, for tests:

- ``st.session_state["rag_engine"] = engine`` before the run (``AppTest``);
- ``RAG_UI_ENGINE_FACTORY="module:function"``: ``function()`` returns the
  engine (the browser test starts a real server with fakes this way).

The engine reports progress through one callback; ``RELAY`` forwards it to the
progress bar of whichever session is waiting (reports arrive on the thread of
the script that triggered the work).
"""
from __future__ import annotations

import importlib
import logging
import os
import threading
from contextlib import contextmanager
from typing import Callable

import streamlit as st

from rag.errors import RagError

FACTORY_ENV = "RAG_UI_ENGINE_FACTORY"
ENGINE_KEY = "rag_engine"
GENERIC_ERROR = "Something went wrong on our side; the details are in the server log. Please try again."
STAGES = {"reading": "Reading the files", "embedding": "Indexing the documents", "embedder": "Loading the embedding model",
          "model": "Preparing the local model"}

log = logging.getLogger("rag.ui")


class ProgressRelay:
    """A progress callback that forwards to the current thread's target, if any."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(self, stage: str, done: int, total: int) -> None:
        target = getattr(self._local, "target", None)
        if target is not None:
            target(stage, done, total)

    @contextmanager
    def to(self, target: Callable[[str, int, int], None]):
        previous = getattr(self._local, "target", None)
        self._local.target = target
        try:
            yield
        finally:
            self._local.target = previous


RELAY = ProgressRelay()


@st.cache_resource(show_spinner=False)
def _default_engine():
    from rag.engine import Engine
    from rag.settings import Settings

    return Engine(Settings(), progress=RELAY)


@st.cache_resource(show_spinner=False)
def _factory_engine(spec: str):
    module, _, name = spec.partition(":")
    engine = getattr(importlib.import_module(module), name or "engine")()
    if getattr(engine, "progress", "absent") is None:
        engine.progress = RELAY
    return engine


def get_engine():
    """The engine for this session: injected, from the factory, or the default one."""
    if ENGINE_KEY in st.session_state:
        return st.session_state[ENGINE_KEY]
    spec = os.environ.get(FACTORY_ENV, "").strip()
    return _factory_engine(spec) if spec else _default_engine()


def _describe(stage: str, done: int, total: int) -> str:
    name = STAGES.get(stage, stage.capitalize())
    if total > 10_000_000:
        return f"{name}: {done / 1e6:,.0f} / {total / 1e6:,.0f} MB"
    return f"{name}: {done} / {total}"


@contextmanager
def progress_bar(where=None):
    """Show the engine's progress reports as a bar in ``where`` (default: sidebar) while inside."""
    slot = (where or st.sidebar).empty()

    def show(stage: str, done: int, total: int) -> None:
        slot.progress(min(1.0, done / total) if total else 0.0, text=_describe(stage, done, total))

    with RELAY.to(show):
        try:
            yield
        finally:
            slot.empty()


class Outcome:
    """What ``guard`` saw: ``error`` is the sentence shown, or None if all went well."""

    error: str | None = None


@contextmanager
def guard(where=None):
    """Turn failures into one readable sentence in ``where`` (never a traceback)."""
    outcome = Outcome()
    try:
        yield outcome
    except RagError as e:
        outcome.error = str(e)
    except Exception:  # noqa: BLE001 - the user sees a sentence, the log gets the details
        log.exception("unexpected error in the app")
        outcome.error = GENERIC_ERROR
    if outcome.error:
        (where or st).error(outcome.error)


def documents_by_name(engine) -> dict:
    """``{file name: Document}`` for the engine's corpus (builds the index if missing)."""
    with progress_bar():
        return {d.name: d for d in engine.documents()}


def prepare_model(engine) -> None:
    """Load the local model (or start its server) with a progress bar, before the first question needs it.

    Only for the real local backend: an engine given a chat model (tests, fakes)
    or another backend is left alone; the engine would start the server itself,
    but without reporting progress.
    """
    settings = getattr(engine, "settings", None)
    if settings is None or settings.backend != "local" or getattr(engine, "_chat_model", True) is not None:
        return
    if settings.blocks_engine:
        with progress_bar(), st.spinner("Loading the local model (first question only)…"):
            engine.chat_model  # noqa: B018 - loads the model in this process
        return
    from rag.llm import ensure_server, is_healthy

    if is_healthy(settings):
        return
    with progress_bar(), st.spinner("Starting the local model (first question only)…"):
        ensure_server(settings, progress=lambda done, total: RELAY("model", done, total))
