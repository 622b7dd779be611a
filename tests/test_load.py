"""Load against the API on uvicorn on loopback (engine on fakes): many requests at once, no errors, memory bounded.

Answers take turns (one generates, a bounded queue waits, the rest are refused at
once); searches and quotes run beside them.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from langchain_core.messages import AIMessage

from rag.api import create_app
from rag.engine import Engine

from .fakes import ScriptedChat
from .servers import api_server

pytestmark = pytest.mark.slow
ANSWER = "Le phare mesure 42 mètres [1]."


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


@pytest.fixture
def base_url(settings, fake_embedder):
    eng = Engine(settings, embedder=fake_embedder, chat_model=ScriptedChat(messages=itertools.repeat(AIMessage(ANSWER))))
    eng.ensure_index()
    with api_server(create_app(eng, max_waiting=64)) as url:
        yield url


async def fire(url: str, requests: list[tuple[str, dict]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=len(requests))
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        return await asyncio.gather(*(client.post(path, json=body) for path, body in requests))


def test_200_parallel_searches_all_succeed_and_memory_stays_bounded(base_url):
    questions = ["Combien de bateaux passent ?", "Qui a inauguré le phare ?", "Combien mesure le phare ?", "phare"]
    batch = [("/search", {"question": questions[i % 4], "k": 3}) for i in range(200)]
    first = asyncio.run(fire(base_url, batch))
    after_first = rss_mb()
    for _ in range(2):
        again = asyncio.run(fire(base_url, batch))
    assert [r.status_code for r in first + again] == [200] * 400
    by_question = {}
    for (_, body), r in zip(batch, first + again):
        by_question.setdefault(body["question"], set()).add(json.dumps(r.json()["results"]))
    assert all(len(v) == 1 for v in by_question.values())  # the same answer under load as alone
    growth = rss_mb() - after_first
    print(f"RSS growth over 400 more searches: {growth:.1f} MB")
    assert growth < 100


def test_20_parallel_answers_and_streams_take_turns_without_errors(base_url):
    batch = [("/ask", {"question": f"Combien mesure le phare ? ({i})"}) for i in range(20)]
    batch += [("/ask", {"question": "Combien mesure le phare ?", "stream": True}) for _ in range(10)]
    batch += [("/v1/chat/completions", {"messages": [{"role": "user", "content": "Combien mesure le phare ?"}]})
              for _ in range(10)]
    batch += [("/quote", {"quote": "Je suis très fière de ce phare"}) for _ in range(20)]
    responses = asyncio.run(fire(base_url, batch))
    assert [r.status_code for r in responses] == [200] * len(batch)
    assert all(r.json()["answer"] == ANSWER for r in responses[:20])
    assert all(r.text.count("event: answer") == 1 and "event: error" not in r.text for r in responses[20:30])
    assert all(r.json()["choices"][0]["message"]["content"] == ANSWER for r in responses[30:40])
    assert all(r.json()["verdict"] == "verbatim" for r in responses[40:])


class HeldChat(ScriptedChat):
    """Answers only once ``release`` is set: the first answer holds the gate as long as the test wants."""

    release: object = None

    def _stream(self, *a, **k):
        self.release.wait(60)
        yield from super()._stream(*a, **k)


def test_more_answers_than_the_queue_holds_are_refused_at_once_not_piled_up(settings, fake_embedder):
    chat = HeldChat(messages=itertools.repeat(AIMessage(ANSWER)))
    chat.release = threading.Event()
    eng = Engine(settings, embedder=fake_embedder, chat_model=chat)
    eng.ensure_index()

    async def scenario(url):
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=40)) as client:
            tasks = [asyncio.create_task(client.post("/ask", json={"question": "Combien mesure le phare ?"}))
                     for _ in range(30)]
            for _ in range(600):  # one generating + two waiting; the other 27 are answered without waiting
                if sum(t.done() for t in tasks) >= 27:
                    break
                await asyncio.sleep(0.1)
            refused_early = sum(t.done() for t in tasks)
            search = await client.post("/search", json={"question": "phare"})  # not blocked by answers
            chat.release.set()
            return refused_early, search, await asyncio.gather(*tasks)

    with api_server(create_app(eng, max_waiting=2)) as url:
        refused_early, search, responses = asyncio.run(scenario(url))
    assert search.status_code == 200 and search.json()["results"]
    codes = [r.status_code for r in responses]
    assert refused_early == 27 and codes.count(503) == 27 and codes.count(200) == 3
    assert all("try again" in r.json()["error"] and r.headers["retry-after"] for r in responses if r.status_code == 503)


class SlowChat(ScriptedChat):
    """Streams its reply one word every 50 ms."""

    def _stream(self, *a, **k):
        for chunk in super()._stream(*a, **k):
            time.sleep(0.05)
            yield chunk


def test_a_client_leaving_mid_stream_frees_the_model_for_the_next(settings, fake_embedder):
    long = "Le phare " + "mesure " * 2000 + "[1]."  # about 100 s if nobody stopped it
    eng = Engine(settings, embedder=fake_embedder, chat_model=SlowChat.replying(long, ANSWER))
    eng.ensure_index()
    with api_server(create_app(eng)) as url:
        with httpx.stream("POST", f"{url}/ask", json={"question": "Combien mesure le phare ?", "stream": True},
                          timeout=30) as r:
            for line in r.iter_lines():
                if line == "event: token":
                    break  # the client goes away while the model is writing
        nxt = httpx.post(f"{url}/ask", json={"question": "Combien mesure le phare ?"}, timeout=30)
    assert nxt.status_code == 200 and nxt.json()["answer"] == ANSWER
