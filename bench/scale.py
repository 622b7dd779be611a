"""How cost grows with corpus size: 1k, 10k, 100k paragraphs, embedded Chroma and a Chroma server.

    python bench/scale.py [--sizes 1000,10000,100000] [--modes embedded,server] [--sample 48]
                          [--embedders e5-small,embeddinggemma] [--out docs] [--work DIR]

Embedding 100k paragraphs with the real embedders on 2 cores is not possible
in a session, so embedding is measured apart from storage: each real embedder's
paragraphs/s on a sample of synthetic paragraphs (the full-size time is that
rate extrapolated), and storage and search with vectors of the right dimension
derived from the real EmbeddingGemma vectors of the real paragraphs plus noise
(``synth.py``). Per size and mode, in a fresh process: insert time (batches of
5000), Chroma vector query p50/p95 (60 nearest, as retrieval asks), the BM25
side (build time, query p50/p95) and the whole hybrid search (query embedding
excluded: precomputed real question vectors), RSS of the process and of the
server, store size on disk. The server is ``chroma run --path DIR --port P`` on
loopback, started and stopped here. Writes ``OUT/scale.md``, ``scale.json``,
``scale.png`` (needs the ``bench`` extra: matplotlib).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np  # noqa: E402

import synth  # noqa: E402
from scale_report import machine, plot, write_table  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK_DEV = ROOT / "tests" / "data" / "dev.jsonl"
BATCH = 5000


def pct(xs, q):
    return float(np.percentile(np.asarray(xs) * 1000, q))


def proc_mb(pid: int | str = "self", field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


# -- the worker: one size, one mode, in its own process ---------------------------------
def worker(n: int, mode: str, url: str, work: Path) -> dict:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from rag import store
    from rag.chunking import Piece
    from rag.documents import Paragraph
    from rag.indexer import Index
    from rag.retrieve import Retriever

    vecs = np.array(np.load(work / "vectors.npy", mmap_mode="r")[:n])  # only these n rows in memory
    queries = np.load(work / "queries.npy")
    with open(work / "paragraphs.jsonl", encoding="utf-8") as fh:  # only the first n
        paras = [Paragraph(**json.loads(line)) for line, _ in zip(fh, range(n))]
    questions = json.loads((work / "questions.json").read_text())
    cs = ChromaSettings(anonymized_telemetry=False)
    if mode == "server":
        host, port = url.rsplit(":", 1)
        client = chromadb.HttpClient(host=host.split("//")[-1], port=int(port), settings=cs)
    else:
        client = chromadb.PersistentClient(path=str(work / f"store-{n}-{mode}"), settings=cs)
    coll = store.collection(client)
    pieces = [Piece(f"{p.key}#0", p, p.text) for p in paras]
    t = time.perf_counter()
    store.add(coll, pieces, vecs, {}, batch=BATCH)
    insert_s = time.perf_counter() - t
    rounds = 3 if n <= 10_000 else 1
    for q in queries[:3]:
        store.query(coll, q.tolist(), 60)
    dense = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            store.query(coll, q.tolist(), 60)
            dense.append(time.perf_counter() - t)
    out = {"n": n, "mode": mode, "insert_s": insert_s, "insert_per_s": n / insert_s,
           "dense_p50_ms": pct(dense, 50), "dense_p95_ms": pct(dense, 95), "rss_store_mb": proc_mb()}
    if mode == "embedded":
        by_text = dict(zip(questions, queries.tolist()))

        class Fixed:  # the real question vectors, computed once: search time without query embedding
            name = "precomputed"

            def embed_query(self, text):
                return by_text[text]

        t = time.perf_counter()
        r = Retriever(Index(None, synth.documents(paras), coll), Fixed())
        out["bm25_build_s"] = time.perf_counter() - t
        lex, hyb = [], []
        for q in questions[:3]:
            r.search(q, 10)
        for _ in range(rounds):
            for q in questions:
                t = time.perf_counter()
                r.lexical.search(q, 50)
                lex.append(time.perf_counter() - t)
                t = time.perf_counter()
                r.search(q, 10)
                hyb.append(time.perf_counter() - t)
        out.update(lexical_p50_ms=pct(lex, 50), lexical_p95_ms=pct(lex, 95), hybrid_p50_ms=pct(hyb, 50),
                   hybrid_p95_ms=pct(hyb, 95))
    out["rss_mb"], out["peak_rss_mb"] = proc_mb(), proc_mb(field="VmHWM")
    return out


# -- the parent: data, embedder rates, workers, the server ----------------------------------
def real_vectors(embedder: str):
    """The real paragraphs and their vectors from the built index (first piece of each paragraph)."""
    from rag import indexer
    from rag.settings import Settings

    s = Settings(embedder=embedder)
    index = indexer.load(s, indexer.Manifest.load(s.index_dir).embedder)
    got = index.collection.get(include=["embeddings", "metadatas"])
    first: dict[str, np.ndarray] = {}
    for pid, v in sorted(zip(got["ids"], got["embeddings"]), key=lambda x: x[0]):
        first.setdefault(pid.rsplit("#", 1)[0], np.asarray(v, dtype=np.float32))
    paras = [p for p in index.paragraphs() if p.key in first]
    return paras, np.vstack([first[p.key] for p in paras])


def embed_rates(names: list[str], texts: list[str], questions: list[str], query_embedder: str):
    from rag.embeddings import make_embedder
    from rag.settings import Settings

    rates, queries = {}, None
    for name in names:
        emb = make_embedder(Settings(embedder=name))
        emb.embed_documents(texts[:2])  # warm-up
        t = time.perf_counter()
        emb.embed_documents(texts)
        rates[name] = len(texts) / (time.perf_counter() - t)
        print(f"  {name}: {rates[name]:.1f} paragraphs/s on {len(texts)}", file=sys.stderr)
        if name == query_embedder:
            queries = np.asarray([emb.embed_query(q) for q in questions], dtype=np.float32)
        del emb
    return rates, queries


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path):
    port = free_port()
    exe = Path(sys.executable).with_name("chroma")
    log = open(path.with_suffix(".log"), "w")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"the Chroma server did not start; see {log.name}")


def run_one(n: int, mode: str, work: Path) -> dict:
    path = work / f"store-{n}-{mode}"
    proc, url = start_server(path) if mode == "server" else (None, "")
    try:
        out = subprocess.run([sys.executable, __file__, "--worker", str(n), mode, url, str(work)],
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"worker {n} {mode} failed:\n{out.stderr[-2000:]}")
        res = json.loads(out.stdout.strip().splitlines()[-1])
        if proc:
            res["server_rss_mb"], res["server_peak_mb"] = proc_mb(proc.pid), proc_mb(proc.pid, "VmHWM")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    res["disk_mb"] = dir_mb(path)
    subprocess.run(["rm", "-rf", str(path)])
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--modes", default="embedded,server")
    ap.add_argument("--embedders", default="e5-small,embeddinggemma", help="whose paragraphs/s to measure")
    ap.add_argument("--vectors", default="embeddinggemma", help="whose real vectors the synthetic ones derive from")
    ap.add_argument("--sample", type=int, default=48, help="paragraphs embedded to measure each embedder's rate")
    ap.add_argument("--work", type=Path, default=ROOT / "index" / "store" / "_scale-bench",
                    help="scratch folder (default inside the git-ignored index/store/)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    a.work.mkdir(parents=True, exist_ok=True)
    real, real_vecs = real_vectors(a.vectors)
    paras, sources = synth.paragraphs(real, max(sizes))
    dev = DEV if DEV.exists() else FALLBACK_DEV
    questions = [json.loads(x)["question"] for x in dev.read_text().splitlines() if '"question"' in x]
    print(f"{len(real)} real paragraphs ({real_vecs.shape[1]} dims); measuring embedders…", file=sys.stderr)
    embedders = [e for e in a.embedders.split(",") if e]
    rates, queries = embed_rates(embedders if a.vectors in embedders else [*embedders, a.vectors],
                                 [p.text for p in paras[: a.sample]], questions, a.vectors)
    rates = {k: v for k, v in rates.items() if k in embedders}
    np.save(a.work / "vectors.npy", synth.vectors(real_vecs, sources))
    np.save(a.work / "queries.npy", queries)
    (a.work / "paragraphs.jsonl").write_text("".join(json.dumps(p.__dict__, ensure_ascii=False) + "\n" for p in paras),
                                             encoding="utf-8")
    (a.work / "questions.json").write_text(json.dumps(questions, ensure_ascii=False))
    rows = []
    for n in sizes:
        for mode in a.modes.split(","):
            print(f"{n} paragraphs, {mode}…", file=sys.stderr)
            rows.append(run_one(n, mode, a.work))
            print("  " + json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in rows[-1].items()}),
                  file=sys.stderr)
    result = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "dims": int(real_vecs.shape[1]), "sample": a.sample, "embed_per_s": rates, "rows": rows}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "scale.json").write_text(json.dumps(result, indent=1))
    print(write_table(result, a.out / "scale.md"))
    plot(result, a.out / "scale.png")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        n, mode, url, work = sys.argv[2:6]
        print(json.dumps(worker(int(n), mode, url, Path(work))))
    else:
        main()
