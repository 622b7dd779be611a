"""The evaluation report: metrics and latency percentiles per system, as a table, JSON and markdown.

``summary(run, metrics)`` turns one system's run and scores into a flat record;
``table(records)`` prints systems side by side (one column each, one row per
metric, "–" where a metric does not apply); ``markdown`` adds the setup and the
failures; ``write(folder, ...)`` saves ``report.md``, ``report.json`` and each
system's batch outputs (``SYSTEM.search.jsonl`` …), which ``score.py`` reads as
they are; ``appender`` writes those outputs line by line during the run, so an
interrupted run keeps what it did. What it leaves out: running and scoring.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .runner import Run

QUALITY = ("recall@1", "recall@5", "recall@10", "mrr", "answer_ok", "attribution_ok", "cite_hit",
           "cite_precision", "cite_real", "abstain_ok", "false_abstain", "faithfulness",
           "verdict_ok", "match_ok", "quote_speaker_ok")
LATENCY = (("search_ms", "search p50 / p95 (ms)", 1000), ("quote_ms", "quote p50 / p95 (ms)", 1000),
           ("first_token_s", "ask first token p50 / p95 (s)", 1), ("ask_s", "ask total p50 / p95 (s)", 1))


def percentiles(xs: list[float], scale: float = 1.0) -> dict | None:
    if not xs:
        return None
    a = np.asarray(xs, dtype=float) * scale
    return {"p50": round(float(np.percentile(a, 50)), 3), "p95": round(float(np.percentile(a, 95)), 3),
            "n": len(xs)}


def summary(run: Run, metrics: dict) -> dict:
    lat = {"search_ms": percentiles(run.seconds.get("search", []), 1000),
           "quote_ms": percentiles(run.seconds.get("quote", []), 1000),
           "first_token_s": percentiles(run.first_token),
           "ask_s": percentiles(run.seconds.get("ask", []))}
    return {"system": run.system, "metrics": {k: v for k, v in metrics.items() if k not in ("failures",)},
            "latency": lat, "errors": run.errors, "failures": metrics.get("failures", []), **run.extra}


def _cell(rec: dict, key: str) -> str:
    v = rec["metrics"].get(key)
    if v is None:
        return "–"
    n = rec["metrics"].get("n", {}).get(key) or (rec["metrics"].get("n_search") if key.startswith(("recall", "mrr"))
                                                 else None)
    return f"{v:.3f}" if key == "mrr" or n is None else f"{v:.2f} ({n})"


def _lat(rec: dict, key: str) -> str:
    v = rec["latency"].get(key)
    if not v:
        return "–"
    fmt = "{:.0f}" if key.endswith("_ms") else "{:.1f}"
    return f"{fmt.format(v['p50'])} / {fmt.format(v['p95'])}"


def rows(records: list[dict]) -> list[list[str]]:
    out = [["metric", *(r["system"] for r in records)]]
    for key in QUALITY:
        cells = [_cell(r, key) for r in records]
        if any(c != "–" for c in cells):
            out.append([key, *cells])
    for key, label, _ in LATENCY:
        cells = [_lat(r, key) for r in records]
        if any(c != "–" for c in cells):
            out.append([label, *cells])
    out.append(["errors", *(str(sum(r["errors"].values())) for r in records)])
    return out


def table(records: list[dict]) -> str:
    grid = rows(records)
    widths = [max(len(r[i]) for r in grid) for i in range(len(grid[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
                     for r in grid)


def markdown(records: list[dict], setup: dict) -> str:
    grid = rows(records)
    lines = ["# Evaluation report", "", *(f"- {k}: {v}" for k, v in setup.items()), "",
             "Rates are shares of the scored items (their number in brackets); latencies are wall time per call.", "",
             "| " + " | ".join(grid[0]) + " |", "|" + " --- |" * len(grid[0])]
    lines += ["| " + " | ".join(r) + " |" for r in grid[1:]]
    for r in records:
        lines += ["", f"## Failures: {r['system']}", ""]
        lines += [f"- {f}" for f in r["failures"]] or ["none"]
    return "\n".join(lines) + "\n"


FILES = {"search": "search", "ask": "answers", "quote": "quotes"}
PARTIAL = {**FILES, "timing": "timings"}


def appender(folder: Path | None, system: str):
    """A callback appending each output line to ``folder/SYSTEM.PART.jsonl`` as it comes (None without a folder)."""
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    safe = system.replace("/", "-")
    for name in PARTIAL.values():
        (folder / f"{safe}.{name}.jsonl").unlink(missing_ok=True)

    def append(part: str, line: dict) -> None:
        with open(folder / f"{safe}.{PARTIAL[part]}.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return append


def write(folder: Path, records: list[dict], runs: list[Run], setup: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.md").write_text(markdown(records, setup), encoding="utf-8")
    (folder / "report.json").write_text(json.dumps({"setup": setup, "systems": records}, ensure_ascii=False,
                                                   indent=1), encoding="utf-8")
    for run in runs:
        safe = run.system.replace("/", "-")
        for part, name in FILES.items():
            if part in run.outputs:
                text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in run.lines(part))
                (folder / f"{safe}.{name}.jsonl").write_text(text, encoding="utf-8")
