"""Scoring outputs already on disk: ``rag eval GOLD --from DIR``, no system is run
(``--faithfulness`` still judges the saved answers).

Reads the files ``rag eval --out`` writes (``SYSTEM.search.jsonl``,
``SYSTEM.answers.jsonl``, ``SYSTEM.quotes.jsonl``, ``SYSTEM.timings.jsonl``),
also those of an interrupted run, which are appended line by line. Each part
is scored on the gold lines that every system in the folder has an output for,
so systems stopped at different points are compared on the same items (the
number scored is in brackets). What it leaves out: running anything.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from . import scoring
from .report import FILES
from .runner import Run


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def load_runs(folder: Path) -> list[Run]:
    names = sorted({p.name.split(".")[0] for p in Path(folder).glob("*.jsonl")
                    if p.name.split(".")[1] in FILES.values()})
    if not names:
        raise InputError(f"No outputs of `rag eval --out` in {folder}.")
    runs = []
    for name in names:
        run = Run(name)
        for part, file in FILES.items():
            rows = _rows(Path(folder) / f"{name}.{file}.jsonl")
            if rows:
                run.outputs[part] = {r["id"]: r for r in rows}
                run.errors[part] = sum("error" in r for r in rows)
        for t in _rows(Path(folder) / f"{name}.timings.jsonl"):
            if t["id"] in run.outputs.get(t["part"], {}):
                run.seconds.setdefault(t["part"], []).append(t["seconds"])
                if "first_token" in t:
                    run.first_token.append(t["first_token"])
        runs.append(run)
    return runs


def score_runs(gold: list[dict], corpus: str, runs: list[Run]) -> list[dict]:
    """Metrics per run, each part on the gold ids every run that has the part answered."""
    metrics = []
    common: dict[str, set] = {}
    for part in FILES:
        having = [set(r.outputs[part]) for r in runs if part in r.outputs]
        if having:
            common[part] = set.intersection(*having)
    for r in runs:
        m = scoring.score(gold, None, None, corpus)
        m["failures"] = []
        for part, ids in common.items():
            if part not in r.outputs:
                continue
            sub = [g for g in gold if g["id"] in ids]
            out = {k: v for k, v in r.outputs[part].items() if k in ids}
            if part == "search":
                m.update(scoring.score_search(sub, out))
                continue
            got = scoring.score(sub, out if part == "ask" else None, out if part == "quote" else None, corpus)
            keys = scoring.ANSWER_METRICS + ("cite_precision",) if part == "ask" else scoring.QUOTE_METRICS
            m.update({k: got[k] for k in keys})
            m["n"].update({k: got["n"][k] for k in keys if k in got["n"]})
            m["failures"] += got["failures"]
        metrics.append(m)
    return metrics
