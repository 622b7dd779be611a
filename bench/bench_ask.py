"""Answer benchmark for the configured backend (default: local), over the dev questions.

Prints time to sources, time to first token and full answer time (p50/p95), and
peak memory of this process (which holds the model with
``RAG_LOCAL_ENGINE=blocks``) and of the local model server (the default engine).
With the blocks engine every paragraph is read ahead first, as ``rag prepare``
does, and that time is printed.
A follow-up (a line with a "history", as in ``docs/eval-followup/``) is asked with its conversation.
Usage: .venv/bin/python bench/bench_ask.py [--questions FILE] [--limit N]
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

from rag.engine import Engine, conversation, turns_from
from rag.settings import ROOT, Settings

DEFAULT_Q = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def server_peak_mb(settings: Settings) -> float | None:
    """VmHWM of the llama.cpp server we talk to, from its pidfile."""
    for pidfile in settings.cache_dir.glob(f"llama-server-{settings.llama_port}.pid"):
        try:
            pid = int(pidfile.read_text().split()[0])
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM"):
                    return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            return None
    return None


def time_answers(eng: Engine, questions: list[str], histories: list | None = None
                 ) -> tuple[list[float], list[float], list[float]]:
    """Seconds to the sources, to the first token and to the checked answer, per question (after a warm-up);
    a follow-up is asked with its conversation (``histories``: a batch line's "history", or None)."""
    eng.ask("Qui a publié les enregistrements ?")  # warm: server up, prefix cached, models loaded
    src, first, total = [], [], []
    for q, history in zip(questions, histories or [None] * len(questions)):
        t0 = time.perf_counter()
        t_src = t_first = None
        for kind, _ in eng.ask_stream(q, conversation(turns_from(history))):
            now = time.perf_counter() - t0
            if kind == "sources" and t_src is None:
                t_src = now
            elif kind == "token" and t_first is None:
                t_first = now
        total.append(time.perf_counter() - t0)
        src.append(t_src)
        first.append(t_first if t_first is not None else total[-1])
    return src, first, total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=Path, default=DEFAULT_Q)
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    lines = [json.loads(l) for l in a.questions.read_text().splitlines() if '"question"' in l]
    lines = lines[: a.limit] if a.limit else lines
    qs, histories = [x["question"] for x in lines], [x.get("history") for x in lines]
    settings = Settings()
    eng = Engine(settings)
    warm = ""
    if settings.local_engine == "blocks":
        t0 = time.perf_counter()
        new = eng.warm_answers()  # what `rag prepare` does once: every paragraph read ahead
        warm = f" · paragraphs read ahead: {new} new in {time.perf_counter() - t0:.1f} s"
    src, first, total = time_answers(eng, qs, histories)
    engine = f"{settings.local_engine} engine, relink {settings.block_relink}" if settings.local_engine == "blocks" \
        else "server engine"
    print(f"backend: {settings.backend} ({engine}) · {settings.model_name} · embedder {settings.embedder} · "
          f"{len(qs)} questions{warm}")
    print(f"{'':18} {'p50 s':>7} {'p95 s':>7}")
    for name, xs in (("time to sources", src), ("first token", first), ("full answer", total)):
        print(f"{name:18} {statistics.median(xs):7.2f} {pct(xs, 0.95):7.2f}")
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    srv = server_peak_mb(settings) if settings.local_engine == "server" else None
    print(f"peak memory: this process {me:.0f} MB" + (f", model server {srv:.0f} MB" if srv else ""))


if __name__ == "__main__":
    main()
