"""Bad input over the CLI and HTTP: unusable questions and quotes, damaged indexes, a wrong model file.

Each gets one clear sentence (exit 1 / 4xx for what the user can fix, exit 2 / 5xx
for a backend), never a traceback, and nothing is lost: sources are untouched and
`rag index` repairs a damaged index from them.
"""
from __future__ import annotations

import hashlib
import itertools
import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from rag import cli, indexer
from rag.api import create_app
from rag.engine import MAX_QUESTION_CHARS, clean_question
from rag.errors import InputError, ModelError
from rag.llm import model_file

from .fakes import ScriptedChat


@pytest.fixture
def run(make_engine, capsys):
    def go(argv, engine=None):
        eng = engine or make_engine("Le phare mesure 42 mètres [1].")
        code = cli.main(argv, engine_factory=lambda args: eng)
        out, err = capsys.readouterr()
        return code, out, err
    return go


def one_sentence(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("cmd", ["search", "ask"])
@pytest.mark.parametrize("question, why", [("   \t ", "empty"), ("\x00\x07\x1b", "empty"),
                                           ("mot " * 25_000, "too long")])
def test_unusable_questions_exit_1_with_one_sentence(run, cmd, question, why):
    code, out, err = run([cmd, question])
    assert code == 1 and why in err and one_sentence(err) and out == ""


@pytest.mark.parametrize("quote, why", [("  ", "empty"), ("x" * 100_000, "longer than"), ("…  « » —", "no words")])
def test_unusable_quotes_exit_1_over_cli_and_422_over_http(run, make_engine, quote, why):
    code, _, err = run(["quote", quote])
    assert code == 1 and why in err and one_sentence(err)
    if len(quote) < 2000:
        r = TestClient(create_app(make_engine())).post("/quote", json={"quote": quote})
        assert r.status_code == 422 and why in r.json()["error"]


def test_control_characters_in_a_question_are_dropped(run):
    code, out, _ = run(["search", "Combien\x00 de\x1b bateaux\x07 passent ?", "--json"])
    assert code == 0 and json.loads(out)["question"] and json.loads(out)["results"]


def damage_sqlite(index_dir):
    f = index_dir / "chroma" / "chroma.sqlite3"
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 3])  # truncated, as by a full disk or a killed copy


def damage_docs(index_dir):
    (index_dir / "documents.json").write_text('[{"name": "brest.txt", "paragr', encoding="utf-8")


def sources_digest(folder) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.mark.parametrize("damage", [damage_sqlite, damage_docs])
def test_a_damaged_index_is_a_sentence_then_rag_index_rebuilds_it(run, make_engine, settings, sources, damage):
    before = sources_digest(sources)
    assert run(["index"])[0] == 0
    damage(settings.index_dir)
    code, out, err = run(["search", "phare"])
    assert code == 1 and "damaged" in err and "rag index" in err and one_sentence(err)
    r = TestClient(create_app(make_engine())).post("/search", json={"question": "phare"})
    assert r.status_code == 409 and "rag index" in r.json()["error"]
    code, _, err = run(["index"])
    assert code == 0 and "rebuilt from the sources" in err
    code, out, _ = run(["search", "phare", "--json"])
    assert code == 0 and json.loads(out)["results"]
    assert sources_digest(sources) == before


def test_a_garbage_manifest_is_refused_by_load_and_rebuilt_by_the_engine(run, settings):
    assert run(["index"])[0] == 0
    (settings.index_dir / "manifest.json").write_text("\x00{garbage", encoding="utf-8")
    with pytest.raises(Exception, match="rag index"):
        indexer.load(settings, "fake-bow")
    code, out, _ = run(["search", "phare", "--json"])  # never silently used: rebuilt first
    assert code == 0 and json.loads(out)["results"]
    assert indexer.state(settings, "fake-bow") == "ok"


def test_a_missing_index_is_a_sentence(settings):
    with pytest.raises(Exception, match="No index .* run `rag index`"):
        indexer.load(settings, "fake-bow")


# -- a model file whose hash does not match ----------------------------------------------------------
@pytest.fixture
def wrong_model(tmp_path):
    """A model file in the cache that is not the expected one, and damaged parts to rebuild it from."""
    cache = tmp_path / "models-cache"
    target = cache / "models" / model_file.MODEL_FILENAME
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a gguf model" * 100)
    part = tmp_path / "part.bin"
    part.write_bytes(b"damaged part")
    return cache, target, [part]


def test_a_wrong_model_file_is_a_clear_error_and_is_not_kept(wrong_model):
    cache, target, parts = wrong_model
    with pytest.raises(ModelError, match="sha256 .* instead of .*reinstall"):
        model_file.ensure_model(cache, parts=parts, sha256="a" * 64)
    assert not target.exists() and not any(p.suffix == ".part" for p in target.parent.iterdir())


class ModelFileChat(ScriptedChat):
    """A chat model that, like the local backend, needs its verified model file before answering."""

    cache: object = None
    parts: list = []

    def _stream(self, *a, **k):
        model_file.ensure_model(self.cache, parts=self.parts, sha256="a" * 64)
        yield from super()._stream(*a, **k)


def test_a_wrong_model_file_reaches_cli_and_http_as_one_sentence(run, settings, fake_embedder, wrong_model):
    from rag.engine import Engine

    cache, target, parts = wrong_model
    chat = ModelFileChat.replying("unused")
    chat.cache, chat.parts = cache, parts
    eng = Engine(settings, embedder=fake_embedder, chat_model=chat)
    code, out, err = run(["ask", "Combien mesure le phare ?"], engine=eng)
    assert code == 2 and "sha256" in err and "reinstall" in err and "Traceback" not in err
    target.write_bytes(b"not a gguf model")
    r = TestClient(create_app(eng)).post("/ask", json={"question": "Combien mesure le phare ?"})
    assert r.status_code == 503 and "sha256" in r.json()["error"] and not target.exists()


class DroppingChat(ScriptedChat):
    """A chat model whose connection drops: mid-answer when streamed, at once when invoked (the rewrite)."""

    def _stream(self, *a, **k):
        yield from itertools.islice(super()._stream(*a, **k), 2)
        raise ConnectionError("Connection reset by peer")

    def _generate(self, *a, **k):
        raise ConnectionError("Connection reset by peer")


def test_a_chat_model_that_drops_is_one_sentence_over_cli_and_http(run, settings, fake_embedder):
    """Streamed, the answer drops mid-way; invoked, the follow-up's rewrite drops at once."""
    from rag.engine import Engine

    eng = Engine(settings, embedder=fake_embedder, chat_model=DroppingChat.replying("Le phare mesure 42 mètres [1]."))
    code, out, err = run(["ask", "Combien mesure le phare ?"], engine=eng)
    assert code == 2 and one_sentence(err)
    assert "The chat model failed while answering (Connection reset by peer)" in err
    follow_up = {"question": "Et sa couleur ?", "history": [{"question": "Où est le phare ?", "answer": "À Brest."}]}
    r = TestClient(create_app(eng)).post("/ask", json=follow_up)
    assert r.status_code == 503 and r.json()["error"].startswith("The chat model failed while answering")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_any_question_is_cleaned_or_refused_with_a_sentence(text):
    try:
        q = clean_question(text)
    except InputError as e:
        assert str(e).startswith("The question is") and str(e).endswith((".", ")."))
        return
    assert q and q == q.strip() and len(q) <= MAX_QUESTION_CHARS
    assert all(c.isprintable() for c in q) and "  " not in q


def test_a_setting_the_environment_gets_wrong_is_a_sentence_naming_it(monkeypatch, capsys):
    monkeypatch.setenv("RAG_RETRY_SOURCES", "-1")
    code = cli.main(["ask", "Combien mesure le phare ?"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: the setting retry_sources is invalid")
    assert "Traceback" not in err and "internal error" not in err
