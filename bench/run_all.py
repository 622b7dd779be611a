"""Every benchmark in one command, one table: index, search, quote, ask.

    python bench/run_all.py [--embedders e5-small,embeddinggemma] [--skip-ask] [--limit N] [--json]

Per embedder (a fresh index in a temporary folder): embedder load, cold index
build, paragraphs embedded per second, a no-change update, warm search p50/p95
(question embedding included; ``bench_search.bench``). With the configured
embedder and its built index (``rag index``): warm quote check p50/p95 over the
gold quotes, and unless ``--skip-ask`` (the slow part: the chat model) time to
sources, first token and full answer p50/p95 over the gold questions, with the
peak memory of this process and of the local model server. Scale (1k–100k
paragraphs) is ``bench/scale.py``; quality is ``rag eval``.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench_ask import server_peak_mb, time_answers  # noqa: E402
from bench_search import bench as bench_search  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.settings import Settings  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK_DEV = ROOT / "tests" / "data" / "dev.jsonl"


def p50_95(xs: list[float], scale: float = 1.0) -> tuple[float, float]:
    a = np.asarray(xs) * scale
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def bench_quote(eng: Engine, quotes: list[dict], rounds: int = 3) -> dict:
    for q in quotes:  # warm: sentence vectors loaded, model session started
        eng.quote(q["quote"], q.get("claimed_speaker"))
    times = []
    for _ in range(rounds):
        for q in quotes:
            eng.quote_checker._queries.clear()  # embed the quote every time, as a new quote would
            t = time.perf_counter()
            eng.quote(q["quote"], q.get("claimed_speaker"))
            times.append(time.perf_counter() - t)
    p50, p95 = p50_95(times, 1000)
    return {"quote_p50_ms": p50, "quote_p95_ms": p95, "quotes": len(times)}


def bench_ask(eng: Engine, questions: list[str]) -> dict:
    src, first, total = time_answers(eng, questions)
    out = {"questions": len(questions)}
    for name, xs in (("sources", src), ("first_token", first), ("answer", total)):
        out[f"{name}_p50_s"], out[f"{name}_p95_s"] = p50_95(xs)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["server_peak_mb"] = server_peak_mb(eng.settings)
    return out


ROWS = [("load_s", "embedder load", "{:.1f} s"), ("cold_build_s", "cold index build", "{:.1f} s"),
        ("paragraphs", "paragraphs", "{:.0f}"), ("para_per_s", "paragraphs embedded / s", "{:.1f}"),
        ("nochange_s", "`rag index` with no change", "{:.2f} s"),
        (("search_p50_ms", "search_p95_ms"), "warm search p50 / p95", "{:.0f} / {:.0f} ms"),
        (("quote_p50_ms", "quote_p95_ms"), "warm quote check p50 / p95", "{:.0f} / {:.0f} ms"),
        (("sources_p50_s", "sources_p95_s"), "ask: sources p50 / p95", "{:.2f} / {:.2f} s"),
        (("first_token_p50_s", "first_token_p95_s"), "ask: first token p50 / p95", "{:.1f} / {:.1f} s"),
        (("answer_p50_s", "answer_p95_s"), "ask: full answer p50 / p95", "{:.1f} / {:.1f} s"),
        ("peak_mb", "ask: peak memory, this process", "{:.0f} MB"),
        ("server_peak_mb", "ask: peak memory, model server", "{:.0f} MB")]


def table(results: dict[str, dict]) -> str:
    names = list(results)
    lines = ["| measure | " + " | ".join(names) + " |", "|" + " --- |" * (len(names) + 1)]
    for key, label, fmt in ROWS:
        keys = key if isinstance(key, tuple) else (key,)
        cells = [fmt.format(*(r[k] for k in keys)) if all(r.get(k) is not None for k in keys) else "–"
                 for r in results.values()]
        if any(c != "–" for c in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedders", default="e5-small,embeddinggemma")
    ap.add_argument("--gold", type=Path, default=DEV if DEV.exists() else FALLBACK_DEV)
    ap.add_argument("--skip-ask", action="store_true", help="leave out the slow part (the chat model)")
    ap.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    gold = [json.loads(x) for x in a.gold.read_text(encoding="utf-8").splitlines() if x.strip()]
    questions = [g["question"] for g in gold if "question" in g]
    results: dict[str, dict] = {}
    for name in a.embedders.split(","):
        print(f"index and search: {name}…", file=sys.stderr)
        results[name] = bench_search(name, questions)
    settings = Settings()
    eng = Engine(settings)
    eng.ensure_index()
    print(f"quote check: {settings.embedder}…", file=sys.stderr)
    main_row = results.setdefault(settings.embedder, {})
    main_row.update(bench_quote(eng, [g for g in gold if "quote" in g]))
    if not a.skip_ask:
        print(f"ask: {settings.backend} · {settings.model_name}…", file=sys.stderr)
        main_row.update(bench_ask(eng, questions[: a.limit] if a.limit else questions))
    if a.json:
        print(json.dumps(results, indent=1))
        return
    print(f"{len(questions)} questions from {a.gold}; quote and ask with {settings.embedder} and "
          f"{settings.backend} · {settings.model_name}")
    print(table(results))


if __name__ == "__main__":
    main()
