"""Quote-check latency: cold and warm setup, then warm check latency p50/p95.

    python bench/bench_quote.py [--embedder e5-small|embeddinggemma] [--rounds 3] [--omp-threads 1]
                                [--keep-cache FILE.npz] [--fake] [--sources index/sources]

Cold setup embeds every unit (no cache); warm setup reads the .npz cache. The
quotes below are made up over the sample corpus and cover every verdict;
the query embedding is timed apart from the rest of the check (verbatim, close
and altered quotes never embed the query).
Target: p50 <= 100 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.quote import QuoteChecker  # noqa: E402
from rag.sources import load_corpus  # noqa: E402

QUOTES = [
    ("« Tu as fait un excellent travail »", "Ouchakov"),
    ("j’ai le plus grand respect pour le président Poutine", "Witkoff"),
    ("nous sommes ouverts à ce genre d'idées – à explorer ce qu'il faudra pour parvenir à un accord de paix. "
     "Maintenant, entre toi et moi", None),
    ("Tu as fait un excelent travail, vraiment", None),
    ("le président me laissera beaucoup de latitude pour parvenir à un accord", "Steve Witkoff"),
    ("Nous avons créé un plan Trump en 28 points pour la paix", None),
    ("la Fédération de Russie n'a jamais voulu un accord de paix", "Witkoff"),
    ("Je vais en parler à Trump, et je reviendrai vers toi", "Ushakov"),
    ("Tu as accompli un travail remarquable", None),
    ("I have the utmost respect for President Putin", "Witkoff"),
    ("Zelensky is coming to the White House on Friday", None),
    ("Between you and me, I know what it will take to get a peace deal: Donetsk and maybe a land swap somewhere",
     "Witkoff"),
    ("We suspended the organization of the first Russian-Arab summit", "Yuri Ushakov"),
    ("Poutine ne fera jamais de concession sur la Crimée", None),
    ("Le sommet de Budapest aura lieu la semaine prochaine", None),
    ("I promise the sanctions will be lifted next month", "Witkoff"),
    ("Nos services ont enregistré cet appel", None),
    ("The recordings were leaked by the Ukrainian secret service", None),
]


class TimedEmbedder:
    """Wraps an embedder to time its query calls."""

    def __init__(self, inner):
        self.inner, self.name, self.query_s = inner, getattr(inner, "name", type(inner).__name__), []

    def embed_documents(self, texts):
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        t = time.perf_counter()
        out = self.inner.embed_query(text)
        self.query_s.append(time.perf_counter() - t)
        return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=Path, default=ROOT / "index" / "sources")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--embedder", choices=["e5-small", "embeddinggemma"], default="e5-small")
    ap.add_argument("--fake", action="store_true", help="a deterministic fake embedder instead of a model")
    ap.add_argument("--omp-threads", type=int, help="set OMP_NUM_THREADS for the embedder (1 is steadier on a "
                    "busy machine)")
    ap.add_argument("--keep-cache", type=Path, help="use this .npz cache instead of a fresh one (skips the cold run "
                    "when it is warm)")
    a = ap.parse_args()
    if a.omp_threads:
        os.environ["OMP_NUM_THREADS"] = str(a.omp_threads)

    paragraphs = list(load_corpus(a.sources).paragraphs())
    t = time.perf_counter()
    if a.fake:
        from langchain_core.embeddings import DeterministicFakeEmbedding
        inner = DeterministicFakeEmbedding(size=384)
    else:
        from rag.embeddings import make_embedder
        from rag.settings import Settings
        inner = make_embedder(Settings(embedder=a.embedder))
    emb = TimedEmbedder(inner)
    load_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        cache = a.keep_cache or Path(tmp) / "quote-units.npz"
        t = time.perf_counter()
        checker = QuoteChecker(paragraphs, emb, cache)
        cold_s = time.perf_counter() - t
        t = time.perf_counter()
        checker = QuoteChecker(paragraphs, emb, cache)
        warm_s = time.perf_counter() - t
    print(f"embedder: {emb.name}")
    print(f"corpus: {len(paragraphs)} paragraphs, {len(checker.units)} embedded units, "
          f"{len(checker.stream.words)} words")
    print(f"embedder load {load_s * 1000:.0f} ms; setup cold (embed units unless --keep-cache) {cold_s:.2f} s; "
          f"setup warm (cache) {warm_s * 1000:.0f} ms")

    for q, sp in QUOTES:  # warm-up: first calls initialise the model session
        checker.check(q, sp)
    emb.query_s.clear()
    total, per_call, verdicts = [], [], Counter()
    for _ in range(a.rounds):
        for q, sp in QUOTES:
            checker._queries.clear()   # time the embedding every call, not the checker's query cache
            n = len(emb.query_s)
            t = time.perf_counter()
            r = checker.check(q, sp)
            total.append(time.perf_counter() - t)
            per_call.append(sum(emb.query_s[n:]))
            verdicts[r.verdict] += 1
    ms = [x * 1000 for x in total]
    qms = [x * 1000 for x in emb.query_s]
    print(f"warm check over {len(ms)} calls ({dict(verdicts)}):")
    print(f"  total      p50 {statistics.median(ms):6.1f} ms   p95 {pct(ms, 95):6.1f} ms   max {max(ms):6.1f} ms")
    if qms:
        print(f"  embedding  p50 {statistics.median(qms):6.1f} ms   p95 {pct(qms, 95):6.1f} ms   "
              f"({len(qms)} query embeddings)")
    rest = [(x - y) * 1000 for x, y in zip(total, per_call)]
    print(f"  the rest   p50 {statistics.median(rest):6.1f} ms   p95 {pct(rest, 95):6.1f} ms   "
          "(tokens, verbatim search, alignment, unit ranking)")
    verdict = "OK" if statistics.median(ms) <= 100 else "over target"
    print(f"target p50 <= 100 ms: {verdict}")


if __name__ == "__main__":
    main()
