"""Which weights, in which layout, llama.cpp runs the local model with on this CPU: timed once, remembered.

The candidates (``Layout``):
- the shipped Q4_K_M file, repacked: llama.cpp lays the weights out again for its SIMD kernels (its
  default; where llama.cpp has them, its AMX int8 kernels take the weights this way);
- the same file, not repacked (llama.cpp's ``--no-repack``);
- where llama.cpp has AMX int8 kernels (``cpu.built_with_amx``): the same weights re-quantised to Q8_0
  (``model_file.derive_q8_0``, about 12 s and 1.8 GB once), repacked for AMX.
Which is fastest depends on the CPU. On a 2-core Intel Xeon with AMX (2026-12-07, 512 prompt tokens, 32
written): Q4_K_M 111 prompt tokens/s and 8.0 written not repacked, 122 and 9.6 repacked (AMX), Q8_0 166 and
11.3 (AMX); on AMD EPYC machines without AMX, Q4_K_M repacked was fastest.

With ``RAG_LLAMA_REPACK=auto`` (the default) ``choose`` times every candidate once in a subprocess
(``python -m rag.llm.layout``: load, then the best of two rounds, after a first, of reading ``PROMPT``
tokens and writing ``GENERATE``), scales the times to a typical answer (``CONTEXT`` prompt tokens,
``ANSWER`` written), keeps the fastest and remembers it in
``cache_dir/llama-layout.json`` under the CPU's name, the llama-cpp-python version, the model file and the
thread count. A candidate whose run fails is left out: that is also the safety check for a library built
elsewhere with AMX kernels that crash (``native/amx_tilecfg.h``). ``on``/``off``: the shipped file, repacked
or not, without timing. What it leaves out: a machine whose load changes the winner, and the prompt cache
(every candidate reuses the fixed system prompt alike).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rag.errors import ModelError

from .serve import NO_REPACK

PROMPT, GENERATE = 256, 16        # what one measurement reads and writes
CONTEXT, ANSWER = 900, 40         # a typical answer: the sources' token budget, one or two sentences
_TEXT = ("Dans cet enregistrement daté du 14 octobre, deux conseillers des présidents discutent ouvertement "
         "d'un cessez-le-feu, d'un plan de paix en vingt points et d'un appel entre leurs dirigeants. ")

Measure = Callable[[Path, bool, int], float]


@dataclass(frozen=True)
class Layout:
    path: Path      # the model file llama.cpp loads
    repack: bool    # False: llama.cpp's --no-repack (no extra buffer types, AMX's included)


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
    """Seconds a typical answer would take with this file and layout, from one run in a subprocess."""
    cmd = [sys.executable, "-m", "rag.llm.layout", str(model_path), str(threads)] + ([] if repack else [NO_REPACK])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=True).stdout.split()
    prompt_s, gen_s = float(out[-2]), float(out[-1])
    return prompt_s * CONTEXT / PROMPT + gen_s * ANSWER / GENERATE


def _amx() -> bool:
    import llama_cpp.llama_cpp as C

    from .cpu import built_with_amx

    return built_with_amx(C.llama_print_system_info().decode(errors="replace"))


def _derive(model_path: Path) -> Path:
    from .model_file import derive_q8_0

    return derive_q8_0(model_path)


def choose(settings, model_path: Path, measure: Measure = measure, report: Callable[[str], None] | None = None,
           amx: Callable[[], bool] = _amx, derive: Callable[[Path], Path] = _derive) -> Layout:
    """The file and layout to run: ``settings.llama_repack`` on/off, or auto (timed, remembered)."""
    if settings.llama_repack != "auto":
        return Layout(model_path, settings.llama_repack == "on")
    import llama_cpp

    key = f"{cpu_name()} | llama-cpp-python {llama_cpp.__version__} | {model_path.name} | {settings.llama_threads} threads"
    path = settings.cache_dir / "llama-layout.json"
    try:
        known = json.loads(path.read_text())
        chosen = Layout(Path(known["path"]), known["repack"])
        if known.get("key") == key and isinstance(chosen.repack, bool) and chosen.path.is_file():
            return chosen
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass
    if report:
        report("Timing llama.cpp's weight layouts on this CPU (once, about a minute)…")
    candidates = [Layout(model_path, True), Layout(model_path, False)]
    try:
        if amx():
            candidates.append(Layout(derive(model_path), True))
    except (OSError, RuntimeError, ValueError, ModelError) as e:  # the two Q4_K_M layouts are still timed
        if report:
            report(f"No Q8_0 weights for llama.cpp's AMX kernels ({e}).")
    seconds: dict[Layout, float] = {}
    for c in candidates:
        try:
            seconds[c] = measure(c.path, c.repack, settings.llama_threads)
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            pass  # this one crashed or failed: left out
    if not seconds:
        return Layout(model_path, False)  # the plainest layout; timed again next time
    best = min(seconds, key=seconds.get)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"key": key, "path": str(best.path), "repack": best.repack, "answer_seconds": {
        f"{c.path.name}{'' if c.repack else ' (not repacked)'}": round(s, 2) for c, s in seconds.items()}}, indent=1))
    if report:
        report(f"llama.cpp runs {best.path.name}{'' if best.repack else ' not repacked'}: a typical answer in "
               f"{seconds[best]:.1f} s ({len(seconds)} of {len(candidates)} layouts timed).")
    return best


def _run(model_path: str, threads: int, repack: bool, rounds: int = 3) -> tuple[float, float]:
    """Seconds to read ``PROMPT`` tokens and to generate ``GENERATE`` more, with this layout: the best of
    ``rounds`` after the first (a first read pays for warming up, and single reads varied by 40 %)."""
    from llama_cpp import Llama

    from .cpu import guard

    guard(repack=repack)
    llm = Llama(model_path, n_ctx=PROMPT + GENERATE + 8, n_batch=512, n_threads=threads, n_threads_batch=threads,
                flash_attn=True, verbose=False)  # as the server runs it
    tokens = (llm.tokenize(_TEXT.encode()) * (PROMPT // 20 + 1))[:PROMPT]
    times = []
    for _ in range(rounds):
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(tokens)
        t1 = time.perf_counter()
        for _ in range(GENERATE):
            llm.eval([llm.sample(temp=0.0)])
        times.append((t1 - t0, time.perf_counter() - t1))
    later = times[1:] or times
    return min(t for t, _ in later), min(g for _, g in later)


if __name__ == "__main__":
    print(*_run(sys.argv[1], int(sys.argv[2]), NO_REPACK not in sys.argv))
