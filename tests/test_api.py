"""The HTTP API with an engine on fakes: the batch contract's JSON, SSE, OpenAI shape, limits, errors."""
from __future__ import annotations

import json
import threading

import pytest
from fastapi.testclient import TestClient

from rag.api import create_app
from rag.errors import BackendError, IndexError_

ANSWER = "Le phare mesure 42 mètres [1]."


@pytest.fixture
def client(make_engine):
    return TestClient(create_app(make_engine(*[ANSWER] * 4)))


def events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_search_returns_contract_paragraphs_best_first(client):
    r = client.post("/search", json={"question": "Combien de bateaux passent ?", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["question"] == "Combien de bateaux passent ?" and len(body["results"]) == 3
    assert set(body["results"][0]) == {"doc", "paragraph", "text", "speaker", "score"}
    scores = [h["score"] for h in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_returns_checked_answer_with_citations(client):
    r = client.post("/ask", json={"question": "Combien mesure le phare ?"})
    assert r.status_code == 200
    body = r.json()
    assert body["answer"] == ANSWER and body["abstained"] is False
    assert body["citations"][0]["doc"] == "brest.txt" and "42 mètres" in body["citations"][0]["text"]


def test_ask_streamed_sends_sources_then_tokens_then_the_answer(client):
    r = client.post("/ask", json={"question": "Combien mesure le phare ?", "stream": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    evs = events(r.text)
    kinds = [k for k, _ in evs]
    assert kinds[0] == "sources" and kinds[-1] == "answer" and set(kinds[1:-1]) == {"token"}
    assert "".join(d["text"] for k, d in evs if k == "token") == ANSWER
    assert evs[0][1]["results"][0]["doc"] == "brest.txt"
    assert evs[-1][1]["citations"][0]["paragraph"] == 1


def test_a_second_try_is_announced_by_a_status_event(make_engine):
    c = TestClient(create_app(make_engine("NO_ANSWER", "Le phare mesure 42 mètres [S1].", retry_sources=2)))
    evs = events(c.post("/ask", json={"question": "Combien mesure le phare ?", "stream": True}).text)
    kinds = [k for k, _ in evs]
    assert ("status", {"status": "second_try"}) in evs and kinds.index("status") > kinds.index("token")
    assert kinds[-1] == "answer" and "42" in evs[-1][1]["answer"]


def test_quote_returns_verdict_matches_and_speaker(client):
    r = client.post("/quote", json={"quote": "Je suis très fière de ce phare", "claimed_speaker": "Anne Le Gall"})
    body = r.json()
    assert r.status_code == 200 and body["verdict"] == "verbatim"
    m = body["matches"][0]
    assert m["speaker"] == "Anne Le Gall" and m["text"][m["start"]:m["end"]] == "Je suis très fière de ce phare"
    assert body["speaker_verdict"] == "same"


def test_openai_chat_completion_carries_citations(client):
    r = client.post("/v1/chat/completions", json={"model": "x", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Combien mesure le phare ?"}]}]})
    body = r.json()
    assert r.status_code == 200 and body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": ANSWER}
    assert body["citations"][0]["paragraph"] == 1 and body["abstained"] is False


def test_openai_stream_deltas_add_up_to_the_checked_answer(client):
    r = client.post("/v1/chat/completions", json={"stream": True, "messages": [
        {"role": "user", "content": "Combien mesure le phare ?"}]})
    datas = [line[6:] for line in r.text.splitlines() if line.startswith("data: ")]
    assert datas[-1] == "[DONE]"
    chunks = [json.loads(d) for d in datas[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == ANSWER
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"][0]["doc"] == "brest.txt"


REWRITE = "Standalone: Qui a inauguré le phare de Brest ?\nTranslation: Qui a inauguré le phare de Brest ?"


@pytest.mark.parametrize("route", ["/ask", "/v1/chat/completions"])
def test_a_follow_up_is_rewritten_from_the_earlier_question_and_answer(make_engine, route):
    eng = make_engine(REWRITE, "Anne Le Gall a inauguré le phare [S1].")
    earlier = ("Combien mesure le phare de Brest ?", "42 mètres [1].")
    body = {"question": "Et qui l'a inauguré ?", "history": [{"question": earlier[0], "answer": earlier[1]}]} \
        if route == "/ask" else {"model": "x", "messages": [
            {"role": "user", "content": earlier[0]}, {"role": "assistant", "content": earlier[1]},
            {"role": "user", "content": "Et qui l'a inauguré ?"}]}
    r = TestClient(create_app(eng)).post(route, json=body)
    rewrite = str(eng.chat_model.prompts[0][-1].content)
    assert r.status_code == 200 and "Anne Le Gall" in r.text
    assert f"User: {earlier[0]}" in rewrite and f"Assistant: {earlier[1]}" in rewrite


def test_openai_without_a_user_question_is_422(client):
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "assistant", "content": "hi"}]})
    assert r.status_code == 422 and "user" in r.json()["error"]["message"]


@pytest.mark.parametrize("question, why", [("", "question"), ("   \n\t ", "empty"), ("\x00\x01\x1b\x7f", "empty"),
                                           ("x" * 2001, "2000")])
@pytest.mark.parametrize("route", ["/search", "/ask"])
def test_unusable_questions_are_422_with_one_sentence(client, route, question, why):
    r = client.post(route, json={"question": question})
    assert r.status_code == 422 and why in r.json()["error"]
    assert "Traceback" not in r.text


def test_control_characters_inside_a_question_are_dropped_not_fatal(client):
    r = client.post("/search", json={"question": "Combien\x00 de\x1b bateaux\u0007 ?"})
    assert r.status_code == 200 and r.json()["results"]


def test_a_100000_character_question_is_413_before_any_work(client):
    r = client.post("/search", json={"question": "a" * 100_000})
    assert r.status_code == 413 and "bytes" in r.json()["error"]


def test_a_chunked_body_over_the_limit_is_413(make_engine):
    c = TestClient(create_app(make_engine(), max_body_bytes=1000))
    r = c.post("/search", content=(b"x" * 600 for _ in range(3)), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_not_json_and_missing_fields_are_422_sentences(client):
    assert client.post("/search", content=b"{not json",
                       headers={"content-type": "application/json"}).json()["error"].startswith("The request body")
    r = client.post("/quote", json={"speaker": "x"})
    assert r.status_code == 422 and r.json()["error"] == "The field 'quote' is missing."


class Broken:
    """An engine whose every part fails the way real backends do."""

    def __init__(self, error):
        self.error = error

    def search(self, *a):
        raise self.error

    quote = search

    def ask_stream(self, *a):
        raise self.error

    def status(self):
        raise self.error


@pytest.mark.parametrize("error, status", [(BackendError("The Chroma server cannot be reached."), 503),
                                           (IndexError_("No index: run `rag index` first."), 409),
                                           (RuntimeError("boom"), 500)])
def test_failures_are_status_codes_with_one_sentence(error, status):
    c = TestClient(create_app(Broken(error)), raise_server_exceptions=False)
    for route, body in (("/search", {"question": "q"}), ("/ask", {"question": "q"})):
        r = c.post(route, json=body)
        assert r.status_code == status and str(error) in r.json()["error"] and "Traceback" not in r.text


def test_a_failure_mid_stream_is_an_error_event():
    c = TestClient(create_app(Broken(BackendError("The chat model failed."))))
    evs = events(c.post("/ask", json={"question": "q", "stream": True}).text)
    assert evs == [("error", {"error": "The chat model failed.", "status": 503})]


class Slow:
    """An engine whose answers wait until released."""

    def __init__(self):
        self.release = threading.Event()
        self.started = threading.Event()

    def ask_stream(self, question, history):
        self.started.set()
        self.release.wait(10)
        yield "answer", type("A", (), {"to_json": lambda self: {"answer": "ok", "abstained": False,
                                                                 "citations": []}})()


def test_too_many_waiting_answers_are_refused_with_503_and_retry_after():
    eng = Slow()
    app = create_app(eng, max_waiting=0)
    with TestClient(app) as c:
        first = threading.Thread(target=lambda: c.post("/ask", json={"question": "one"}))
        first.start()
        assert eng.started.wait(5)
        r = c.post("/ask", json={"question": "two"})
        eng.release.set()
        first.join(5)
    assert r.status_code == 503 and r.headers["retry-after"] and "try again" in r.json()["error"]


def test_health_reports_index_and_backend(client):
    client.post("/search", json={"question": "phare"})  # builds the index
    r = client.get("/health")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "ok" and body["index"] == "ok"
    assert body["backend"].startswith("local") and body["embedder"] == "fake-bow"


def test_health_is_503_when_the_index_is_not_usable(make_engine):
    eng = make_engine()
    eng.embedder  # known embedder, no index built yet
    r = TestClient(create_app(eng)).get("/health")
    assert r.status_code == 503 and r.json()["status"] == "degraded" and r.json()["index"] == "missing"


def test_health_is_503_with_the_reason_when_the_store_is_down():
    r = TestClient(create_app(Broken(BackendError("The Chroma server at http://x cannot be reached.")))).get("/health")
    assert r.status_code == 503 and r.json()["status"] == "degraded" and "cannot be reached" in r.json()["index"]


def test_openapi_schema_documents_routes_and_errors(client):
    spec = client.get("/openapi.json").json()
    assert {"/search", "/ask", "/quote", "/health", "/v1/chat/completions"} <= set(spec["paths"])
    assert {"413", "422", "503"} <= set(spec["paths"]["/search"]["post"]["responses"])


def test_the_openai_client_reads_answers_streams_and_citations(make_engine):
    from openai import OpenAI

    app = create_app(make_engine(*[ANSWER] * 2))
    client = OpenAI(base_url="http://testserver/v1", api_key="-", http_client=TestClient(app))
    done = client.chat.completions.create(model="rag", messages=[{"role": "user", "content": "Combien mesure le phare ?"}])
    assert done.choices[0].message.content == ANSWER and done.model_extra["citations"][0]["paragraph"] == 1
    chunks = list(client.chat.completions.create(model="rag", stream=True, messages=[
        {"role": "user", "content": "Combien mesure le phare ?"}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == ANSWER
    assert chunks[-1].model_extra["citations"][0]["doc"] == "brest.txt"


def test_rag_serve_on_a_taken_port_is_a_sentence_before_loading_anything(make_engine, capsys):
    import socket

    from rag import cli

    eng = make_engine()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        code = cli.main(["serve", "--port", str(s.getsockname()[1])], engine_factory=lambda args: eng)
    err = capsys.readouterr().err
    assert code == 1 and "choose another with --port" in err and eng._index is None


def test_health_of_a_stale_index_still_serves_but_says_degraded(make_engine, sources):
    eng = make_engine()
    c = TestClient(create_app(eng))
    c.post("/search", json={"question": "phare"})
    (sources / "autre.txt").write_text("Un autre article sur le port de Lorient et ses bateaux de pêche.\n")
    r = c.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "degraded" and r.json()["index"] == "stale"
