"""Index and search benchmark, for each embedder, on the corpus in index/sources.

Prints: cold index build time, no-change `rag index` time, paragraphs embedded
per second, warm search latency p50/p95 (question embedding included).
Usage: .venv/bin/python bench/bench_search.py [--embedders e5-small,embeddinggemma] [--questions FILE]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from rag import indexer
from rag.embeddings import make_embedder
from rag.retrieve import Retriever
from rag.settings import ROOT, Settings

DEFAULT_Q = ROOT.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK_Q = ["Who published the recordings?", "Quel format de plan de paix ?", "Qui a dit « Comment on règle ça ? »",
              "What did Witkoff say would make everyone jump for joy?", "Why is Witkoff discredited?"]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def questions(path: Path) -> list[str]:
    if path.exists():
        return [json.loads(l)["question"] for l in path.read_text().splitlines() if '"question"' in l]
    return FALLBACK_Q


def bench(embedder_name: str, qs: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings(embedder=embedder_name, index_dir=Path(tmp) / "store")
        t = time.perf_counter()
        emb = make_embedder(s)
        load = time.perf_counter() - t
        report = indexer.build(s, emb)
        cold = report["seconds"]
        again = indexer.build(s, emb)["seconds"]
        r = Retriever(indexer.load(s, emb.name), emb)
        for q in qs[:3]:
            r.search(q, 10)  # warm up
        lat = []
        for _ in range(3):
            for q in qs:
                getattr(emb, "forget_queries", lambda: None)()  # time the question's embedding too
                t = time.perf_counter()
                r.search(q, 10)
                lat.append((time.perf_counter() - t) * 1000)
        return {"embedder": embedder_name, "load_s": load, "cold_build_s": cold, "nochange_s": again,
                "paragraphs": report["paragraphs"], "para_per_s": report["pieces_embedded"] / cold,
                "search_p50_ms": statistics.median(lat), "search_p95_ms": pct(lat, 0.95)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedders", default="e5-small,embeddinggemma")
    ap.add_argument("--questions", type=Path, default=DEFAULT_Q)
    a = ap.parse_args()
    qs = questions(a.questions)
    rows = [bench(e, qs) for e in a.embedders.split(",")]
    print(f"{'embedder':16} {'load s':>7} {'cold build s':>12} {'no-change s':>11} {'¶/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for r in rows:
        print(f"{r['embedder']:16} {r['load_s']:7.2f} {r['cold_build_s']:12.1f} {r['nochange_s']:11.2f} "
              f"{r['para_per_s']:7.1f} {r['search_p50_ms']:7.1f} {r['search_p95_ms']:7.1f}")


if __name__ == "__main__":
    main()
