"""The real local model: assembled from the part packages, served by llama.cpp on loopback.

Uses the normal model cache (``RAG_CACHE_DIR`` or ~/.cache/rag, assembled once)
but a fresh free port, so it starts its own server, checks that two concurrent
callers share one, and stops it at the end.
"""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from rag.llm import ensure_server, is_healthy, make_chat_model, stop_server
from rag.llm.server import log_path, pid_path
from rag.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

QUESTION = [("system", "Tu réponds en français, en une phrase courte."),
            ("user", "Quelle est la capitale de la France ?")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _servers_on(port: int) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"rag.llm.serve" in args and str(port).encode() in args:
            pids.append(int(proc.name))
    return pids


@pytest.fixture(scope="module")
def local():
    settings = Settings(llama_port=_free_port(), temperature=0.0, seed=7, max_answer_tokens=24,
                        backend="local", local_engine="server", chat_model="")
    urls, errors = [], []

    def call():
        try:
            urls.append(ensure_server(settings))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, (errors, log_path(settings).read_text(errors="replace")[-2000:])
        yield settings, urls
    finally:
        stop_server(settings)
    assert not is_healthy(settings)
    assert _servers_on(settings.llama_port) == []
    for leftover in settings.cache_dir.glob(f"llama-server-{settings.llama_port}.*"):
        leftover.unlink()


def test_concurrent_callers_share_one_server(local):
    settings, urls = local
    assert urls == [f"http://127.0.0.1:{settings.llama_port}/v1"] * 2
    assert is_healthy(settings)
    pids = _servers_on(settings.llama_port)
    assert len(pids) == 1
    assert pid_path(settings).read_text().split()[0] == str(pids[0])


def test_answer_is_deterministic_at_temperature_zero(local):
    settings, _ = local
    chat = make_chat_model(settings, streaming=False)
    first = chat.invoke(QUESTION).content
    second = chat.invoke(QUESTION).content
    assert "Paris" in first
    assert first == second


def test_streaming_yields_several_chunks(local):
    settings, _ = local
    chat = make_chat_model(settings, streaming=True)
    chunks = [c.content for c in chat.stream(QUESTION) if c.content]
    assert len(chunks) >= 3
    assert "Paris" in "".join(chunks)
    assert "".join(chunks) == make_chat_model(settings, streaming=False).invoke(QUESTION).content


def test_every_weight_layout_is_timed_for_real():
    """``rag.llm.layout``'s timing run loads the real model each way, the Q8_0 weights on llama.cpp's AMX
    kernels too where it has them (built with ``native/amx_tilecfg.h``: without it they crash here)."""
    from rag.llm import layout
    from rag.llm.model_file import ensure_model

    model = ensure_model(Settings().cache_dir)
    runs = [(model, True), (model, False)] + ([(layout._derive(model), True)] if layout._amx() else [])
    seconds = [layout.measure(path, on, 2) for path, on in runs]
    assert all(0.5 < s < 120 for s in seconds), seconds
