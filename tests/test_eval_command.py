"""`rag eval` end to end with fakes, and the tutorial baseline's chunk-to-paragraph mapping."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag import cli
from rag.documents import Document, Paragraph
from rag.evaluate.baseline import Baseline
from rag.settings import ROOT

from .fakes import BagOfWordsEmbeddings, ScriptedChat

DATA = Path(__file__).parent / "data"
GOLD = [
    {"id": "a1", "kind": "qa", "question": "Combien mesure le phare ?", "answerable": True,
     "expect": [["42"]], "evidence": ["mesure 42 mètres"]},
    {"id": "a2", "kind": "attribution", "question": "Qui est fière du phare ?", "answerable": True,
     "expect": [["gall"]], "evidence": ["très fière de ce phare"], "speaker": "anne le gall"},
    {"id": "a3", "kind": "qa", "question": "Quelle est la couleur du phare ?", "answerable": False,
     "expect": [], "evidence": []},
    {"id": "q1", "kind": "quote", "quote": "Je suis très fière de ce phare", "verdict": "verbatim",
     "speaker": "anne le gall", "evidence": ["très fière de ce phare"]},
    {"id": "q2", "kind": "quote", "quote": "Le port de Marseille a fermé hier soir", "verdict": "not_found",
     "evidence": []},
]


@pytest.fixture
def gold(tmp_path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in GOLD), encoding="utf-8")
    return path


def eval_cli(make_engine, capsys, argv, *replies):
    eng = make_engine(*replies)
    code = cli.main(["eval", *argv], engine_factory=lambda args: eng)
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_scores_like_score_py_and_compares_the_baseline(make_engine, capsys, gold, sources, tmp_path):
    out_dir = tmp_path / "report"
    code, out, err = eval_cli(make_engine, capsys, [str(gold), "--baseline", "--out", str(out_dir), "--json"],
                              # ours: a warm-up and three answers; then the baseline's
                              "Le phare mesure 42 mètres [S1].", "Le phare mesure 42 mètres [S1].", "Anne Le Gall est très fière du phare [S1].",
                              "NO_ANSWER",
                              "The lighthouse is 42 metres tall.", "The lighthouse is 42 metres tall.", "Anne Le Gall.",
                              "I don't know.")
    assert code == 0, err
    report = json.loads(out)
    ours, base = report["systems"]
    assert (ours["system"], base["system"]) == ("ours", "baseline")
    for rec, prefix in ((ours, "ours"), (base, "baseline")):
        args = [sys.executable, str(DATA / "score.py"), str(gold), "--corpus", str(sources), "--json",
                "--search", str(out_dir / f"{prefix}.search.jsonl"), "--answers", str(out_dir / f"{prefix}.answers.jsonl")]
        if prefix == "ours":
            args += ["--quotes", str(out_dir / "ours.quotes.jsonl")]
        ref = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
        assert rec["failures"] == ref.pop("failures")
        assert rec["metrics"] == ref
    assert ours["metrics"]["answer_ok"] == 1.0 and ours["metrics"]["abstain_ok"] == 1.0
    assert base["metrics"]["abstain_ok"] == 1.0 and base["metrics"]["verdict_ok"] is None  # no quote check
    assert ours["latency"]["search_ms"]["n"] == 3 and ours["latency"]["quote_ms"]["n"] == 2
    assert base["latency"]["first_token_s"]["n"] == 3
    md = (out_dir / "report.md").read_text()
    assert "| answer_ok |" in md and "baseline" in md and "machine" in md


def test_eval_table_and_only_one_part(make_engine, capsys, gold):
    code, out, _ = eval_cli(make_engine, capsys, [str(gold), "--only", "search"])
    assert code == 0
    assert out.splitlines()[0].split() == ["metric", "ours"]
    assert "recall@5" in out and "search p50" in out and "answer_ok" not in out and "quote p50" not in out


def test_eval_with_faithfulness_uses_the_judge_model(make_engine, capsys, gold):
    code, out, err = eval_cli(make_engine, capsys, [str(gold), "--only", "ask", "--faithfulness", "--json"],
                              "Le phare mesure 42 mètres [S1].", "Le phare mesure 42 mètres [S1].", "Anne Le Gall est très fière du phare [S1].",
                              "NO_ANSWER",
                              "- Le phare mesure 42 mètres.", "1: yes",
                              "- Anne Le Gall est fière du phare.\n- Le phare est rose.", "1: yes\n2: no")
    assert code == 0, err
    rec = json.loads(out)["systems"][0]
    assert rec["metrics"]["faithfulness"] == 0.75 and rec["faithfulness"]["n"] == 2


@pytest.mark.parametrize("argv,msg", [(["--only", "search,translate"], "Unknown part translate"),
                                      (["--system", "theirs"], "Unknown system theirs")])
def test_eval_bad_choices_are_user_errors(make_engine, capsys, gold, argv, msg):
    code, out, err = eval_cli(make_engine, capsys, [str(gold), *argv])
    assert code == 1 and out == "" and msg in err


def test_missing_gold_file_is_a_user_error(make_engine, capsys, tmp_path):
    code, _, err = eval_cli(make_engine, capsys, [str(tmp_path / "nope.jsonl")])
    assert code == 1 and "No such gold file" in err


def _long_document() -> Document:
    paras = [Paragraph("long.txt", i, f"Paragraphe {i}. " + " ".join(f"mot{i}x{j}" for j in range(40 + 7 * (i % 5))))
             for i in range(1, 31)]
    return Document("long.txt", title="Long", paragraphs=paras)


def test_baseline_chunks_map_to_the_paragraphs_they_overlap():
    doc = _long_document()
    base = Baseline([doc], BagOfWordsEmbeddings(), ScriptedChat.replying(), ROOT / "prompts")
    joined = "\n\n".join(p.text for p in doc.paragraphs)
    assert len(base.chunks) > 5 and all(len(c.page_content) <= 1000 for c in base.chunks)
    for c in base.chunks:
        start = c.metadata["start_index"]
        assert joined[start:start + len(c.page_content)] == c.page_content
        paras = base.paragraphs_of(c)
        assert paras and all(any(w in c.page_content for w in p.text.split()[1:]) for p in paras)
        first, last = paras[0].number, paras[-1].number
        assert [p.number for p in paras] == list(range(first, last + 1))


def test_baseline_answers_with_the_tutorial_prompt_and_cites_its_chunks_paragraphs():
    doc = _long_document()
    chat = ScriptedChat.replying("It is mot12x3.", "I don't know.")
    base = Baseline([doc], BagOfWordsEmbeddings(), chat, ROOT / "prompts")
    out = base.ask("mot12x3 mot12x4")
    prompt = chat.prompts[0][-1].content
    assert prompt.startswith("You are an assistant for question-answering tasks.") and "mot12x3" in prompt
    assert not out["abstained"] and 12 in [c["paragraph"] for c in out["citations"]]
    assert all(c["text"] in prompt or c["text"][:40] in prompt or c["text"][-40:] in prompt for c in out["citations"])
    again = base.ask("couleur du phare")
    assert again["abstained"] and again["citations"] == []
    top_chunk = base.paragraphs_of(base.store.similarity_search("mot20x1", k=1)[0])
    results = [r["paragraph"] for r in base.search("mot20x1")["results"]]
    assert top_chunk and results[:len(top_chunk)] == [p.number for p in top_chunk]


def test_outputs_are_appended_line_by_line_during_the_run(make_engine, tmp_path):
    from rag.evaluate import report, runner

    class Broken(runner.Ours):  # the run stops on something that is not a line's error
        def quote(self, text, speaker):
            raise KeyboardInterrupt

    system = Broken(make_engine())
    with pytest.raises(KeyboardInterrupt):
        runner.run(system, GOLD, ("search", "quote"), warm_up=False, on_line=report.appender(tmp_path, "ours"))
    lines = [json.loads(x) for x in (tmp_path / "ours.search.jsonl").read_text().splitlines()]
    assert [x["id"] for x in lines] == ["a1", "a2", "a3"] and lines[0]["results"]
    assert not (tmp_path / "ours.quotes.jsonl").exists()
    timings = [json.loads(x) for x in (tmp_path / "ours.timings.jsonl").read_text().splitlines()]
    assert [(t["part"], t["id"]) for t in timings] == [("search", "a1"), ("search", "a2"), ("search", "a3")]


def test_two_backends_side_by_side(make_engine, capsys, gold):
    seen = []

    def factory(args):
        seen.append(args.backend)
        return make_engine(backend=args.backend or "local")
    code = cli.main(["eval", str(gold), "--only", "search", "--backend", "local,openai", "--json"],
                    engine_factory=factory)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [r["system"] for r in json.loads(out)["systems"]] == ["ours/local", "ours/openai"]
    assert seen == ["local", "openai"]


def test_from_scores_saved_outputs_on_the_items_every_system_has(make_engine, capsys, gold, tmp_path):
    out_dir = tmp_path / "runs"
    code, _, err = eval_cli(make_engine, capsys, [str(gold), "--baseline", "--out", str(out_dir)],
                            "Le phare mesure 42 mètres [S1].", "Le phare mesure 42 mètres [S1].",
                            "Anne Le Gall est très fière du phare [S1].", "NO_ANSWER",
                            "The lighthouse is 42 metres tall.", "The lighthouse is 42 metres tall.",
                            "Anne Le Gall.", "I don't know.")
    assert code == 0, err
    answers = out_dir / "baseline.answers.jsonl"  # as if the baseline had been stopped after one answer
    answers.write_text(answers.read_text().splitlines()[0] + "\n")
    code, out, err = eval_cli(make_engine, capsys, [str(gold), "--from", str(out_dir), "--json"])
    assert code == 0, err
    base, ours = json.loads(out)["systems"]  # sorted by name
    assert (base["system"], ours["system"]) == ("baseline", "ours")
    assert ours["metrics"]["n"]["answer_ok"] == base["metrics"]["n"]["answer_ok"] == 1
    assert ours["metrics"]["abstain_ok"] is None and ours["metrics"]["n_search"] == 2
    assert ours["metrics"]["n"]["verdict_ok"] == 2 and base["metrics"]["verdict_ok"] is None
    assert ours["latency"]["ask_s"]["n"] == 3 and base["latency"]["ask_s"]["n"] == 1


def test_from_with_faithfulness_judges_the_saved_answers(make_engine, capsys, gold, tmp_path):
    out_dir = tmp_path / "runs"
    code, _, err = eval_cli(make_engine, capsys, [str(gold), "--only", "ask", "--out", str(out_dir)],
                            "Le phare mesure 42 mètres [S1].", "Le phare mesure 42 mètres [S1].",
                            "Anne Le Gall est très fière du phare [S1].", "NO_ANSWER")
    assert code == 0, err
    code, out, err = eval_cli(make_engine, capsys, [str(gold), "--from", str(out_dir), "--faithfulness", "--json"],
                              "- Le phare mesure 42 mètres.", "1: yes", "- Anne Le Gall est rose.", "1: no")
    assert code == 0, err
    rec = json.loads(out)["systems"][0]
    assert rec["metrics"]["faithfulness"] == 0.5 and [i["id"] for i in rec["faithfulness"]["items"]] == ["a1", "a2"]
