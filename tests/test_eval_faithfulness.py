"""Model-judged faithfulness with scripted chat models: claims, verdicts, the mean, what is skipped."""
from __future__ import annotations

import pytest

from rag.errors import ConfigError
from rag.evaluate.faithfulness import Faithfulness, judge_answers, parse_claims, parse_verdicts
from rag.settings import ROOT

from .fakes import ScriptedChat

PROMPTS = ROOT / "prompts"
CONTEXT = "Le nouveau phare du port de Brest mesure 42 mètres et a coûté 3 millions d'euros."


def test_share_of_supported_claims_and_what_the_judge_sees():
    chat = ScriptedChat.replying("- Le phare mesure 42 mètres.\n- Le phare a coûté 5 millions d'euros.",
                                 "1: yes\n2: no")
    j = Faithfulness(chat, PROMPTS).judge("Combien mesure le phare ?", "Il mesure 42 mètres [1] et coûte 5 M€ [1].",
                                          [CONTEXT])
    assert j.claims == ["Le phare mesure 42 mètres.", "Le phare a coûté 5 millions d'euros."]
    assert j.supported == [True, False] and j.score == 0.5 and j.unjudged == 0
    claims_prompt, verdict_prompt = (m[-1].content for m in chat.prompts)
    assert "Il mesure 42 mètres et coûte 5 M€." in claims_prompt and "[1]" not in claims_prompt
    assert CONTEXT in verdict_prompt and "2. Le phare a coûté 5 millions d'euros." in verdict_prompt


def test_a_claim_without_a_readable_verdict_counts_as_unsupported():
    chat = ScriptedChat.replying("1. Brest a un phare neuf.\n2. Le phare mesure 42 mètres.", "1: oui\nje ne sais pas")
    j = Faithfulness(chat, PROMPTS).judge("q", "Brest a un phare neuf de 42 mètres.", [CONTEXT])
    assert j.supported == [True, False] and j.unjudged == 1 and j.score == 0.5


def test_judge_answers_skips_abstentions_and_answers_without_citations():
    chat = ScriptedChat.replying("- Le phare mesure 42 mètres.", "1: yes", "- Le phare est rose.", "1: no")
    gold = [{"id": "a", "question": "Hauteur ?"}, {"id": "b", "question": "Couleur ?"},
            {"id": "c", "question": "Prix ?"}, {"id": "d", "question": "Maire ?"}, {"id": "q", "quote": "x"}]
    answers = {"a": {"answer": "42 m [1].", "abstained": False, "citations": [{"text": CONTEXT}]},
               "b": {"answer": "Rose [1].", "abstained": False, "citations": [{"text": CONTEXT}]},
               "c": {"answer": "Je ne sais pas.", "abstained": True, "citations": []},
               "d": {"answer": "Anne Le Gall.", "abstained": False, "citations": []}}
    res = judge_answers(Faithfulness(chat, PROMPTS), gold, answers)
    assert res["faithfulness"] == 0.5 and res["n"] == 2 and [i["id"] for i in res["items"]] == ["a", "b"]
    assert len(chat.prompts) == 4  # nothing was asked about c or d


@pytest.mark.parametrize("text,n,want", [
    ("1: yes\n2: no", 2, [True, False]),
    ("Claim 2 - NO\nclaim 1: **Yes**", 2, [True, False]),
    ("1. yes\n3: no", 2, [True, None]),
    ("nothing useful", 1, [None]),
])
def test_verdict_lines(text, n, want):
    assert parse_verdicts(text, n) == want


def test_claims_are_listed_lines_or_plain_lines():
    assert parse_claims("Claims:\n- A is B.\n* C is D.") == ["A is B.", "C is D."]
    assert parse_claims("A is B.\nC is D.") == ["A is B.", "C is D."]


def test_a_prompt_out_of_step_with_the_code_is_refused(tmp_path):
    (tmp_path / "faithfulness_claims.txt").write_text("Split {answer} into claims.")
    with pytest.raises(ConfigError, match="faithfulness_claims"):
        Faithfulness(ScriptedChat.replying(), tmp_path)
