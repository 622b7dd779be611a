"""Model-judged faithfulness, as RAGAS defines it: the share of an answer's claims its context supports.

Two calls to any chat model (the local one by default): the first splits the
answer into short, self-contained claims (``prompts/faithfulness_claims.txt``),
the second judges every claim against the context at once, yes or no
(``prompts/faithfulness_verdicts.txt``). The context is the text of the
paragraphs the answer cites. Faithfulness = supported claims / claims. A claim
the judge gives no readable verdict for counts as unsupported (and is counted
in ``unjudged``). What it leaves out: answers that abstain or cite nothing
(there is nothing to judge: ``None``), and any check of the judge itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from .. import prompts
from ..errors import chat_model_call

MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
CLAIM_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*(.+?)\s*$")
VERDICT_LINE = re.compile(r"^\s*(?:claim\s*)?(\d+)\s*[.:)\-]?\s*(?:[:\-–]\s*)?\**\s*(yes|no|oui|non)\b", re.I)
MAX_CLAIMS = 12
CALL_TOKENS = 300


@dataclass
class Judgement:
    claims: list[str] = field(default_factory=list)
    supported: list[bool] = field(default_factory=list)
    unjudged: int = 0

    @property
    def score(self) -> float | None:
        return sum(self.supported) / len(self.claims) if self.claims else None


def parse_claims(text: str) -> list[str]:
    """The listed claims: one per line, as ``- claim`` or ``1. claim``; plain lines if none is marked."""
    lines = [ln for ln in str(text).splitlines() if ln.strip()]
    marked = [m.group(1) for m in map(CLAIM_LINE.match, lines) if m]
    claims = marked or [ln.strip() for ln in lines]
    return [c for c in claims if len(c.split()) >= 2][:MAX_CLAIMS]


def parse_verdicts(text: str, n: int) -> list[bool | None]:
    """Verdict of claim i (1-based ``i: yes|no`` lines); None where none is readable."""
    out: list[bool | None] = [None] * n
    for line in str(text).splitlines():
        m = VERDICT_LINE.match(line)
        if m and 1 <= int(m.group(1)) <= n and out[int(m.group(1)) - 1] is None:
            out[int(m.group(1)) - 1] = m.group(2).lower() in ("yes", "oui")
    return out


class Faithfulness:
    def __init__(self, model: BaseChatModel, prompts_dir: Path):
        self.model = model
        self.claims_prompt = prompts.load(prompts_dir, "faithfulness_claims", frozenset({"question", "answer"}))
        self.verdicts_prompt = prompts.load(prompts_dir, "faithfulness_verdicts", frozenset({"context", "claims"}))

    def _call(self, prompt: str) -> str:
        with chat_model_call("judging chat model"):
            return str(self.model.bind(max_tokens=CALL_TOKENS).invoke([HumanMessage(prompt)]).content)

    def judge(self, question: str, answer: str, contexts: list[str]) -> Judgement:
        answer = MARKERS.sub("", answer).strip()
        if not answer or not contexts:
            return Judgement()
        claims = parse_claims(self._call(self.claims_prompt.format(question=question, answer=answer)))
        if not claims:
            return Judgement()
        listed = "\n".join(f"{i}. {c}" for i, c in enumerate(claims, 1))
        context = "\n\n".join(contexts)
        verdicts = parse_verdicts(self._call(self.verdicts_prompt.format(context=context, claims=listed)), len(claims))
        return Judgement(claims, [bool(v) for v in verdicts], sum(v is None for v in verdicts))


def judge_answers(judge: Faithfulness, gold: list[dict], answers: dict[str, dict]) -> dict:
    """Mean faithfulness over the answers that answered with citations, with every judgement."""
    scores, items, unjudged = [], [], 0
    for g in gold:
        r = answers.get(g["id"]) or {}
        if "question" not in g or r.get("abstained") or not r.get("citations"):
            continue
        j = judge.judge(g["question"], r.get("answer") or "", [c.get("text", "") for c in r["citations"]])
        if j.score is None:
            continue
        scores.append(j.score)
        unjudged += j.unjudged
        items.append({"id": g["id"], "score": round(j.score, 3),
                      "claims": [{"claim": c, "supported": s} for c, s in zip(j.claims, j.supported)]})
    return {"faithfulness": round(sum(scores) / len(scores), 3) if scores else None, "n": len(scores),
            "unjudged_claims": unjudged, "items": items}
