"""The scale benchmark's output: the machine it ran on, a markdown table and a PNG plot.

``write_table(result, path)`` writes and returns the markdown; ``plot(result,
path)`` draws how insert time, search latency and memory grow with the number
of paragraphs (log-log; needs matplotlib, the ``bench`` extra). What it leaves
out: measuring (``scale.py``).
"""
from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    cpu = platform.machine()
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPU ({cpu}), {mem:.0f} GiB RAM, no GPU, {platform.system()} {platform.release()}"


def _f(v, fmt="{:.0f}") -> str:
    return "–" if v is None else fmt.format(v)


def _dur(s: float) -> str:
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.0f} min" if s < 7200 else f"{s / 3600:.1f} h"


def write_table(result: dict, path: Path) -> str:
    rates = result["embed_per_s"]
    lines = [f"Measured {result['date']} on {result['machine']}, while other jobs shared the 2 cores "
             "(figures are noisy).", "",
             f"Embedding (real models, {result['sample']} synthetic paragraphs): "
             + ", ".join(f"{k} {v:.1f} ¶/s" for k, v in rates.items()) + ".", "",
             "| ¶ | Chroma | embed all (extrapolated) | insert | insert ¶/s | vector query p50 / p95 ms "
             "| BM25 build | BM25 p50 / p95 ms | hybrid search p50 / p95 ms | RSS MB (peak) | server RSS MB | disk MB |",
             "|" + " --- |" * 12]
    for r in result["rows"]:
        embed = " / ".join(_dur(r["n"] / v) for v in rates.values())
        lines.append(
            f"| {r['n']:,} | {r['mode']} | {embed} | {r['insert_s']:.1f} s | {r['insert_per_s']:,.0f} "
            f"| {r['dense_p50_ms']:.1f} / {r['dense_p95_ms']:.1f} "
            f"| {_f(r.get('bm25_build_s'), '{:.1f} s')} "
            f"| {_f(r.get('lexical_p50_ms'), '{:.0f}')} / {_f(r.get('lexical_p95_ms'), '{:.0f}')} "
            f"| {_f(r.get('hybrid_p50_ms'), '{:.0f}')} / {_f(r.get('hybrid_p95_ms'), '{:.0f}')} "
            f"| {r['rss_mb']:.0f} ({r['peak_rss_mb']:.0f}) | {_f(r.get('server_rss_mb'))} | {r['disk_mb']:.0f} |")
    lines += ["", "embed all: the time the real embedders (" + " / ".join(rates) + ") would take for every paragraph "
              "at the measured rate. Storage and search use synthetic vectors of the real dimension "
              f"({result['dims']}) derived from real EmbeddingGemma vectors plus noise; the hybrid search excludes "
              "the question's embedding (see the search benchmark for it). In server mode the BM25 side, which runs "
              "in our process either way, is not measured again; RSS is then the client's. RSS counts the vectors and "
              "paragraph texts the benchmark holds to insert them (about 3 KB a paragraph: 300 MB of the 100k figure)."]
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["rows"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    modes = sorted({r["mode"] for r in rows})
    for mode in modes:
        rs = [r for r in rows if r["mode"] == mode]
        n = [r["n"] for r in rs]
        axes[0].plot(n, [r["insert_s"] for r in rs], "o-", label=f"insert, Chroma {mode}")
        axes[1].plot(n, [r["dense_p50_ms"] for r in rs], "o-", label=f"vector query p50, {mode}")
        axes[1].plot(n, [r["dense_p95_ms"] for r in rs], "o--", label=f"vector query p95, {mode}")
        axes[2].plot(n, [r["disk_mb"] for r in rs], "s-", label=f"store on disk, {mode}")
        if mode == "server":
            axes[2].plot(n, [r.get("server_rss_mb") or 0 for r in rs], "^-", label="server RSS")
        else:
            axes[1].plot(n, [r["hybrid_p50_ms"] for r in rs], "o-", label="hybrid search p50 (embedded)")
            axes[1].plot(n, [r["lexical_p50_ms"] for r in rs], "o:", label="BM25 p50")
            axes[2].plot(n, [r["rss_mb"] for r in rs], "^-", label="process RSS (embedded, with BM25)")
    sizes = sorted({r["n"] for r in rows})
    for name, rate in result["embed_per_s"].items():
        axes[0].plot(sizes, [s / rate for s in sizes], "k:" if "gemma" in name else "k-.",
                     label=f"embedding with {name} (extrapolated)")
    titles = ("seconds to index", "milliseconds per search", "megabytes")
    for ax, title in zip(axes, titles):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("paragraphs")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"Cost by corpus size — {result['machine']} ({result['date']})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
