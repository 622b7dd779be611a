"""Running one system over a gold file: its batch-contract outputs and the time each call took.

A *system* answers ``search(question)``, ``ask(question)`` and ``quote(text,
speaker)`` with the JSON of the batch contract (``../shared/eval/README.md``);
``Ours`` adapts the project's ``Engine``, ``baseline.Baseline`` the LangChain
tutorial pipeline. ``run(system, gold, parts)`` calls it for every gold line
the part applies to (``question`` lines for search and ask, ``quote`` lines for
quote), in order, timing each call after one untimed warm-up call per part
(models loaded, caches filled: the figures are warm latencies); a call that fails gets ``{"id", "error"}``
like a batch line and the run goes on. What it leaves out: scoring
(``scoring``), judging (``faithfulness``) and printing (``report``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from ..errors import RagError

PARTS = ("search", "quote", "ask")
FIELD = {"search": "question", "ask": "question", "quote": "quote"}
SEARCH_K = 10
Progress = Callable[[str, int, int], None]


class System(Protocol):
    name: str
    parts: tuple[str, ...]          # which of PARTS it can do

    def search(self, question: str) -> dict: ...
    def ask(self, question: str) -> dict: ...      # may carry "first_token" (seconds) for timing
    def quote(self, text: str, speaker: str | None) -> dict: ...


class Ours:
    """The project's engine as an evaluated system."""

    parts = PARTS

    def __init__(self, engine, name: str = "ours"):
        self.engine, self.name = engine, name

    def search(self, question: str) -> dict:
        return {"results": [h.to_json() for h in self.engine.search(question, SEARCH_K)]}

    def ask(self, question: str) -> dict:
        answer = self.engine.ask(question)
        out = answer.to_json()
        if answer.timings.get("first_token") is not None:
            out["first_token"] = answer.timings["first_token"]
        return out

    def quote(self, text: str, speaker: str | None) -> dict:
        return self.engine.quote(text, speaker).to_json()


@dataclass
class Run:
    """One system's outputs (keyed by gold id, as the scorer reads them) and latencies in seconds."""

    system: str
    outputs: dict[str, dict[str, dict]] = field(default_factory=dict)   # part -> id -> output line
    seconds: dict[str, list[float]] = field(default_factory=dict)       # part -> per-call wall time
    first_token: list[float] = field(default_factory=list)               # ask only, when known
    errors: dict[str, int] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)                            # e.g. faithfulness

    def lines(self, part: str) -> list[dict]:
        """The batch-contract lines of one part, in gold order (what ``rag PART --batch`` prints)."""
        return list(self.outputs.get(part, {}).values())


def _call(system: System, part: str, item: dict) -> dict:
    if part == "search":
        return system.search(item["question"])
    if part == "ask":
        return system.ask(item["question"])
    return system.quote(item["quote"], item.get("claimed_speaker"))


def run(system: System, gold: list[dict], parts: tuple[str, ...] = PARTS, progress: Progress | None = None,
        warm_up: bool = True, on_line: Callable[[str, dict], None] | None = None) -> Run:
    """``on_line(part, line)`` sees every output line as soon as it is made, then ``on_line("timing", {part, id,
    seconds[, first_token]})``: a long run's partial results."""
    result = Run(system.name)
    for part in (p for p in PARTS if p in parts and p in system.parts):
        items = [g for g in gold if FIELD[part] in g]
        out: dict[str, dict] = {}
        times: list[float] = []
        errors = 0
        if warm_up and items:
            try:
                _call(system, part, items[0])
            except Exception:  # noqa: BLE001 - the timed call reports it
                pass
        for n, item in enumerate(items, 1):
            t0 = time.perf_counter()
            try:
                line = {"id": item["id"], **_call(system, part, item)}
            except RagError as e:
                line, errors = {"id": item["id"], "error": str(e)}, errors + 1
            except Exception as e:  # one failing line never stops the run; it is reported in its line
                line, errors = {"id": item["id"], "error": f"Internal error: {type(e).__name__}: {e}"}, errors + 1
            times.append(time.perf_counter() - t0)
            timing = {"part": part, "id": item["id"], "seconds": round(times[-1], 4)}
            if "first_token" in line:
                result.first_token.append(line.pop("first_token"))
                timing["first_token"] = round(result.first_token[-1], 4)
            out[item["id"]] = line
            if on_line:
                on_line(part, line)
                on_line("timing", timing)
            if progress:
                progress(f"{system.name} {part}", n, len(items))
        result.outputs[part], result.seconds[part], result.errors[part] = out, times, errors
    return result
