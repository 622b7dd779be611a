"""What the engine returns: search hits, cited answers and quote checks, with their JSON.

The JSON forms are the batch contract of ``../shared/eval/README.md``; they are
the only shapes the CLI, the HTTP API and evaluation scripts see.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .documents import Paragraph


@dataclass
class Hit:
    paragraph: Paragraph
    score: float

    def to_json(self) -> dict:
        return {**self.paragraph.to_json(), "score": round(float(self.score), 4)}


@dataclass
class Citation:
    n: int                      # the marker number shown in the answer: [1], [2], ...
    paragraph: Paragraph
    sentence: str = ""          # the supporting sentence inside the paragraph, for highlighting

    def to_json(self) -> dict:
        return self.paragraph.to_json()


@dataclass
class Answer:
    question: str
    text: str                                   # the answer, with [n] markers
    abstained: bool = False
    citations: list[Citation] = field(default_factory=list)
    sources: list[Hit] = field(default_factory=list)
    language: str = "en"
    timings: dict = field(default_factory=dict)  # seconds: sources, first_token, total

    def to_json(self) -> dict:
        return {"answer": self.text, "abstained": self.abstained,
                "citations": [c.to_json() for c in self.citations]}


@dataclass
class QuoteMatch:
    paragraph: Paragraph
    score: float                 # 0..1, higher is closer
    start: int = 0               # character offsets of the matched span in paragraph.text
    end: int = 0
    kind: str = "verbatim"       # verbatim | close | paraphrase | altered
    diff: list[tuple[str, str, str]] | None = None  # (op, quote words, source words); op in equal/replace/insert/delete
    extra: list[Paragraph] = field(default_factory=list)  # following paragraphs a quote runs into
    extra_spans: list[tuple[int, int]] = field(default_factory=list)  # the matched span in each of them

    def to_json(self) -> dict:
        d = {**self.paragraph.to_json(), "score": round(float(self.score), 4), "start": self.start, "end": self.end,
             "kind": self.kind}
        if self.diff is not None:
            d["diff"] = [list(x) for x in self.diff]
        if self.extra:
            d["continues"] = [{"doc": p.doc, "paragraph": p.number, "start": s, "end": e}
                              for p, (s, e) in zip(self.extra, self.extra_spans)]
        return d


@dataclass
class QuoteResult:
    quote: str
    verdict: str                               # verbatim | close | paraphrase | altered | not_found
    matches: list[QuoteMatch] = field(default_factory=list)
    claimed_speaker: str | None = None
    speaker_verdict: str | None = None         # same | other | commentary | None (no claim or no match)

    def to_json(self) -> dict:
        d = {"verdict": self.verdict, "matches": [m.to_json() for m in self.matches]}
        if self.claimed_speaker is not None:
            d["claimed_speaker"] = self.claimed_speaker
            d["speaker_verdict"] = self.speaker_verdict
        return d
