"""The package's scoring gives the same numbers as the reference score.py on the same outputs.

Outputs are built deterministically from the real corpus (``index/sources``) and
the dev gold set (``tests/data/dev.jsonl``) with BM25 and a fixed mix of right
and wrong answers, citations and verdicts, so every branch of the scorer is hit
and nothing slow runs.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.evaluate import scoring
from rag.lexical import Lexical
from rag.settings import ROOT
from rag.sources import load_corpus

DATA = Path(__file__).parent / "data"
SHARED = ROOT.parent / "shared" / "eval" / "score.py"
SOURCES = ROOT / "index" / "sources"
VERDICTS = ["verbatim", "close", "paraphrase", "altered", "not_found"]


def reference_scores(script: Path, gold: Path, folder: Path, corpus: Path = SOURCES) -> dict:
    out = subprocess.run([sys.executable, str(script), str(gold), "--corpus", str(corpus),
                          "--search", str(folder / "s.jsonl"), "--answers", str(folder / "a.jsonl"),
                          "--quotes", str(folder / "q.jsonl"), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def synthetic_outputs(gold: list[dict]) -> tuple[dict, dict, dict]:
    """search / answers / quotes keyed by id: BM25 results, answers that are right, wrong, abstained,
    invented or missing in turn, verdicts cycling through every kind."""
    docs = load_corpus(SOURCES).documents
    lex = Lexical(docs)
    search, answers, quotes = {}, {}, {}
    for i, g in enumerate(gold):
        text = g.get("question") or g.get("quote")
        ranked = [p for p, _ in lex.search(text, 12)] or [p for d in docs for p in d.paragraphs][:3]
        if g["kind"] == "quote":
            if i % 7 == 3:
                continue  # a missing quote result
            verdict = g["verdict"] if i % 2 else VERDICTS[i % len(VERDICTS)]
            quotes[g["id"]] = {"id": g["id"], "verdict": verdict,
                               "matches": [{**p.to_json(), "score": 0.5} for p in ranked[:3]]}
            continue
        search[g["id"]] = {"id": g["id"], "results": [{**p.to_json(), "score": 1.0} for p in ranked[:10]]}
        if i % 6 == 5:
            continue  # a missing answer
        cites = [p.to_json() for p in ranked[: 1 + i % 3]]
        if i % 5 == 2:
            cites.append({"doc": "x.txt", "paragraph": 1, "text": "Invented text nowhere in the corpus.", "speaker": None})
        expected = " ".join(group[0] for group in g.get("expect", []))
        answer = {0: f"{expected} is the answer.", 1: "Ushakov asked it, not Witkoff.",
                  2: "Witkoff " + expected, 3: ""}[i % 4]
        abstained = i % 4 == 3
        answers[g["id"]] = {"id": g["id"], "answer": answer, "abstained": abstained,
                            "citations": [] if abstained else cites}
    return search, answers, quotes


def write(folder: Path, search: dict, answers: dict, quotes: dict) -> None:
    for name, rows in (("s", search), ("a", answers), ("q", quotes)):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows.values()),
                                              encoding="utf-8")


@pytest.fixture
def scored(tmp_path):
    gold = scoring.load_gold(DATA / "dev.jsonl")
    search, answers, quotes = synthetic_outputs(gold)
    write(tmp_path, search, answers, quotes)
    ours = scoring.score_all(gold, scoring.corpus_text(SOURCES), search=search, answers=answers, quotes=quotes)
    return tmp_path, ours


def test_same_numbers_as_the_vendored_score_py(scored):
    folder, ours = scored
    ref = reference_scores(DATA / "score.py", DATA / "dev.jsonl", folder)
    assert ours == ref
    # the synthetic outputs exercise the scorer: neither all right nor all wrong, failures of every kind
    assert 0 < ref["answer_ok"] < 1 and 0 < ref["verdict_ok"] < 1 and ref["cite_real"] < 1
    assert any("no answer" in f for f in ref["failures"]) and any("no quote result" in f for f in ref["failures"])


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared/eval/score.py beside this checkout")
def test_same_numbers_as_the_shared_score_py(scored):
    folder, ours = scored
    assert ours == reference_scores(SHARED, DATA / "dev.jsonl", folder)


def test_a_gold_line_without_id_is_a_user_error(tmp_path):
    bad = tmp_path / "g.jsonl"
    bad.write_text('{"kind": "qa"}\n')
    with pytest.raises(InputError, match="g.jsonl:1"):
        scoring.load_gold(bad)
    with pytest.raises(InputError, match="No such gold file"):
        scoring.load_gold(tmp_path / "nope.jsonl")


def test_word_rules_match_the_readme():
    assert scoring.has_word("le 20 octobre", "20") and not scoring.has_word("en 2025", "20")
    assert scoring.has_word("they underestimated it", "underestimat")
    assert scoring.first_speaker("Youri Ouchakov a demandé, pas Witkoff") == "ouchakov"
