"""The rag command: output, JSON, the batch contract and exit codes (engine with fakes)."""
from __future__ import annotations

import json

import pytest

from rag import cli
from rag.errors import ModelError


@pytest.fixture
def run(make_engine, capsys):
    def go(argv, *replies, stdin=None, monkeypatch=None):
        eng = make_engine(*replies)
        code = cli.main(argv, engine_factory=lambda args: eng)
        out, err = capsys.readouterr()
        return code, out, err
    return go


def test_search_prints_doc_paragraph_speaker_and_excerpt(run):
    code, out, _ = run(["search", "Combien de bateaux passent ?", "-k", "3"])
    assert code == 0
    assert "brest.txt ¶" in out and "Anne Le Gall" in out


def test_search_json_has_contract_fields(run):
    code, out, _ = run(["search", "phare", "--json"])
    data = json.loads(out)
    assert code == 0 and data["results"]
    assert set(data["results"][0]) >= {"doc", "paragraph", "text", "speaker", "score"}


def test_batch_search_one_line_per_question_in_order_with_errors_inline(run, tmp_path):
    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join([
        json.dumps({"id": "a", "question": "Combien mesure le phare ?"}),
        json.dumps({"id": "q", "quote": "not for search"}),
        "{not json",
        json.dumps({"id": "b", "question": "   "}),
        json.dumps({"id": "c", "question": "Qui a inauguré le phare ?", "extra": 1}),
    ]) + "\n")
    code, out, err = run(["search", "--batch", str(batch)])
    lines = [json.loads(l) for l in out.splitlines()]
    assert code == 0
    assert [l.get("id") for l in lines] == ["a", None, "b", "c"]
    assert len(lines[0]["results"]) >= 4  # the whole small corpus: at least 10 when there are 10
    assert "error" in lines[1] and "empty" in lines[2]["error"]
    assert "results" in lines[3]
    assert "done" in err


def test_batch_ask_contract(run, tmp_path):
    batch = tmp_path / "b.jsonl"
    batch.write_text(json.dumps({"id": "x", "question": "Combien mesure le phare ?"}) + "\n")
    code, out, _ = run(["ask", "--batch", str(batch)], "Le phare mesure 42 mètres [S1].")
    line = json.loads(out)
    assert code == 0 and line["id"] == "x" and line["abstained"] is False
    assert line["citations"][0]["paragraph"] >= 1 and "42 mètres" in line["citations"][0]["text"]


def test_missing_question_is_a_user_error(run):
    code, out, err = run(["search"])
    assert code == 1 and out == "" and err.startswith("error: ") and "Traceback" not in err


def test_missing_batch_file_is_a_user_error(run, tmp_path):
    code, _, err = run(["search", "--batch", str(tmp_path / "nope.jsonl")])
    assert code == 1 and "No such batch file" in err


def test_backend_failure_is_exit_2_with_a_sentence(make_engine, capsys):
    eng = make_engine()

    def broken(*a, **k):
        raise ModelError("The local model server did not start.")
    eng.ask_stream = broken
    code = cli.main(["ask", "Combien ?"], engine_factory=lambda args: eng)
    _, err = capsys.readouterr()
    assert code == 2 and "did not start" in err and "Traceback" not in err


def test_unexpected_exception_is_exit_2_without_traceback(make_engine, capsys):
    eng = make_engine()
    eng.search = lambda *a, **k: 1 / 0
    code = cli.main(["search", "phare"], engine_factory=lambda args: eng)
    _, err = capsys.readouterr()
    assert code == 2 and "internal error" in err and "Traceback" not in err


def test_batch_ask_takes_a_follow_ups_history_and_refuses_a_malformed_one(make_engine, capsys, tmp_path):
    batch = tmp_path / "b.jsonl"
    earlier = {"question": "Combien mesure le phare de Brest ?", "answer": "42 mètres [1]."}
    batch.write_text("\n".join(json.dumps(x) for x in [
        {"id": "f", "question": "Et qui l'a inauguré ?", "history": [earlier]},
        {"id": "g", "question": "Et qui l'a inauguré ?", "history": "42 mètres"},
    ]) + "\n")
    eng = make_engine("Standalone: Qui a inauguré le phare de Brest ?\nTranslation: Qui a inauguré le phare de Brest ?",
                      "Anne Le Gall a inauguré le phare [S1].")
    code = cli.main(["ask", "--batch", str(batch)], engine_factory=lambda args: eng)
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert code == 0 and first["id"] == "f" and "Anne Le Gall" in first["answer"] and not first["abstained"]
    assert f"User: {earlier['question']}" in str(eng.chat_model.prompts[0][-1].content)
    assert second["id"] == "g" and '"history" must be a list' in second["error"]
