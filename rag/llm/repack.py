"""Whether llama.cpp repacks the model's weights on this CPU: measured once, then remembered.

llama.cpp can lay the weights out again for its SIMD kernels ("repacking", on by default; its
``--no-repack`` turns it off). Which is faster depends on the CPU: on a 2-core Xeon with AVX-512 the
repacked layout read a 900-token prompt in 9.6 s against 6.7 s without it, and generated 13 tokens a
second against 10.5; elsewhere repacking is the faster. With ``RAG_LLAMA_REPACK=auto`` (the default)
``choose`` times both layouts once in a subprocess each (``python -m rag.llm.repack``: load, read
``PROMPT`` tokens, generate ``GENERATE``; about 15 s in all), scales the times to a typical answer
(``CONTEXT`` prompt tokens, ``ANSWER`` generated) and keeps the faster, in ``cache_dir/llama-repack.json``
under the CPU's name, the llama-cpp-python version, the model file and the thread count; ``on``/``off`` decide
without measuring. What it leaves out: a machine whose load changes the winner, and the prompt cache
(both layouts reuse the fixed system prompt alike).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from .serve import NO_REPACK

PROMPT, GENERATE = 256, 16        # what one measurement reads and writes
CONTEXT, ANSWER = 900, 40         # a typical answer: the sources' token budget, one or two sentences
_TEXT = ("Dans cet enregistrement daté du 14 octobre, deux conseillers des présidents discutent ouvertement "
         "d'un cessez-le-feu, d'un plan de paix en vingt points et d'un appel entre leurs dirigeants. ")

Measure = Callable[[Path, bool, int], float]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def measure(model_path: Path, repack: bool, threads: int) -> float:
    """Seconds a typical answer would take with this layout, from one run in a subprocess."""
    cmd = [sys.executable, "-m", "rag.llm.repack", str(model_path), str(threads)] + ([] if repack else [NO_REPACK])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=True).stdout.split()
    prompt_s, gen_s = float(out[-2]), float(out[-1])
    return prompt_s * CONTEXT / PROMPT + gen_s * ANSWER / GENERATE


def choose(settings, model_path: Path, measure: Measure = measure, report: Callable[[str], None] | None = None) -> bool:
    """True when llama.cpp should repack: ``settings.llama_repack`` on/off, or auto (measured, remembered)."""
    if settings.llama_repack != "auto":
        return settings.llama_repack == "on"
    import llama_cpp

    key = f"{cpu_name()} | llama-cpp-python {llama_cpp.__version__} | {model_path.name} | {settings.llama_threads} threads"
    path = settings.cache_dir / "llama-repack.json"
    try:
        known = json.loads(path.read_text())
        if known.get("key") == key and isinstance(known.get("repack"), bool):
            return known["repack"]
    except (OSError, ValueError, AttributeError):
        pass
    if report:
        report("Timing llama.cpp's weight layouts on this CPU (once, about 15 s)…")
    try:
        seconds = {r: measure(model_path, r, settings.llama_threads) for r in (True, False)}
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return True  # llama.cpp's own default; measured again next time
    repack = seconds[True] <= seconds[False]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"key": key, "repack": repack, "answer_seconds": {
        "repacked": round(seconds[True], 2), "not_repacked": round(seconds[False], 2)}}, indent=1))
    if report:
        report(f"Weight repacking {'on' if repack else 'off'}: a typical answer {seconds[True]:.1f} s repacked, "
               f"{seconds[False]:.1f} s not.")
    return repack


def _run(model_path: str, threads: int, repack: bool) -> tuple[float, float]:
    """Seconds to read ``PROMPT`` tokens and to generate ``GENERATE`` more, with this layout."""
    from llama_cpp import Llama

    from .cpu import guard

    guard(repack=repack)
    llm = Llama(model_path, n_ctx=PROMPT + GENERATE + 8, n_batch=512, n_threads=threads, n_threads_batch=threads,
                verbose=False)
    tokens = (llm.tokenize(_TEXT.encode()) * (PROMPT // 20 + 1))[:PROMPT]
    t0 = time.perf_counter()
    llm.eval(tokens)
    t1 = time.perf_counter()
    for _ in range(GENERATE):
        llm.eval([llm.sample(temp=0.0)])
    return t1 - t0, time.perf_counter() - t1


if __name__ == "__main__":
    print(*_run(sys.argv[1], int(sys.argv[2]), NO_REPACK not in sys.argv))
