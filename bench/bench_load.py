"""Load over HTTP: requests per second and latency of search and quote against `rag serve`.

    python bench/bench_load.py [--embedder embeddinggemma|e5-small] [--requests 200] [--concurrency 8]
                               [--url http://127.0.0.1:8000]   # an already running server instead

Starts ``python -m rag serve`` on a free loopback port (the real embedder; the
index is built first if needed), waits for ``/health``, warms up, then sends
``--requests`` searches and as many quote checks, ``--concurrency`` at a time,
from client threads in this process (they share the machine's cores with the
server). Questions and quotes come from ``../shared/eval/dev.jsonl`` when it is
there. Prints requests per second, p50 / p95 latency, errors and the server's
memory before and after.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
QUESTIONS = ["Who published the recordings of the Witkoff calls?", "Quel format de plan de paix Witkoff évoque-t-il ?",
             "Qui a dit « Comment on règle ça ? »", "What did Witkoff advise Ushakov?"]
QUOTES = ["Tu as fait un excellent travail", "I have the utmost respect for President Putin",
          "Nous avons créé un plan Trump en 28 points pour la paix"]


def workload() -> tuple[list[str], list[dict]]:
    questions, quotes = list(QUESTIONS), [{"quote": q} for q in QUOTES]
    if DEV.exists():
        items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
        questions = [i["question"] for i in items if i.get("question")] or questions
        quotes = [{"quote": i["quote"]} for i in items if i.get("quote")] or quotes
    return questions, quotes


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(embedder: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "RAG_EMBEDDER": embedder}
    proc = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"rag serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("rag serve did not become healthy in 10 minutes")


def run(url: str, path: str, bodies: list[dict], n: int, concurrency: int) -> dict:
    client = httpx.Client(base_url=url, timeout=120, limits=httpx.Limits(max_connections=concurrency))

    def one(i: int) -> tuple[float, int]:
        t = time.perf_counter()
        r = client.post(path, json=bodies[i % len(bodies)])
        return time.perf_counter() - t, r.status_code

    for i in range(min(10, n)):  # warm-up
        one(i)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(n)))
    wall = time.perf_counter() - t0
    client.close()
    lat = sorted(x for x, _ in results)
    return {"rps": n / wall, "p50": statistics.median(lat) * 1000,
            "p95": lat[min(len(lat) - 1, int(0.95 * len(lat)))] * 1000,
            "errors": sum(code != 200 for _, code in results)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedder", default="embeddinggemma")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--url", help="an already running `rag serve`")
    args = ap.parse_args()
    questions, quotes = workload()
    proc = None
    if args.url:
        url = args.url
    else:
        print(f"starting rag serve ({args.embedder})...", file=sys.stderr)
        proc, url = start_server(args.embedder)
    try:
        before = rss_mb(proc.pid) if proc else float("nan")
        rows = {"search": run(url, "/search", [{"question": q} for q in questions], args.requests, args.concurrency),
                "quote": run(url, "/quote", quotes, args.requests, args.concurrency)}
        after = rss_mb(proc.pid) if proc else float("nan")
    finally:
        if proc:
            proc.terminate()
            proc.wait(30)
    print(f"{args.requests} requests each, {args.concurrency} at a time, {os.cpu_count()} cores, "
          f"embedder {args.embedder}")
    print(f"{'route':<8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for name, r in rows.items():
        print(f"{name:<8} {r['rps']:>7.1f} {r['p50']:>8.0f} {r['p95']:>8.0f} {r['errors']:>7}")
    print(f"server RSS: {before:.0f} MB after start, {after:.0f} MB after the load")


if __name__ == "__main__":
    main()
