"""``rag eval GOLD.jsonl``: search, quote and ask over a gold file, scored, timed, systems side by side.

Systems: ``ours`` (the engine) and ``baseline`` (the LangChain tutorial
pipeline, ``--baseline``), each once per chat backend (``--backend
local,openai``). Prints a table (``--json``: the whole report) and with ``--out
DIR`` writes ``report.md``, ``report.json`` and the batch outputs; ``--from DIR``
scores such outputs again without running (``rescore``). Engines come
from the CLI's factory (tests inject fakes). What it leaves out: the scale
benchmarks (``bench/``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path
from typing import Callable

from ..errors import InputError

SYSTEMS = ("ours", "baseline")
PARTS = ("search", "quote", "ask")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("gold", type=Path, help="gold JSONL (the format of ../shared/eval/dev.jsonl)")
    p.add_argument("--only", default=",".join(PARTS), help="parts to run, of search,quote,ask (default: all)")
    p.add_argument("--system", default="ours", help="systems to run, of ours,baseline (default: ours)")
    p.add_argument("--baseline", action="store_true", help="also run the LangChain tutorial baseline")
    p.add_argument("--backend", dest="eval_backends", metavar="B1,B2",
                   help="chat backends to compare, of local,openai (default: RAG_BACKEND)")
    p.add_argument("--faithfulness", action="store_true", help="judge the answers' claims with a chat model")
    p.add_argument("--judge", choices=["local", "openai"], default="local", help="backend of the judging model")
    p.add_argument("--corpus", type=Path, help="folder the citations must come from (default: the sources folder)")
    p.add_argument("--limit", type=int, default=0, help="only the first N gold lines")
    p.add_argument("--json", action="store_true", help="print the whole report as JSON")
    p.add_argument("--out", type=Path, metavar="DIR", help="write report.md, report.json and the outputs here")
    p.add_argument("--from", dest="from_dir", type=Path, metavar="DIR",
                   help="score the outputs an earlier --out wrote (also an interrupted run's) instead of running")


def _choices(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    got = [x.strip() for x in text.split(",") if x.strip()]
    bad = [x for x in got if x not in allowed]
    if bad or not got:
        raise InputError(f"Unknown {what} {', '.join(bad) or '(none)'}: use some of {', '.join(allowed)}.")
    return got


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (OSError, ValueError):
        mem = 0
    return f"{os.cpu_count()} CPU ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def _judge(args, engine, gold: list[dict], r, metrics: dict) -> None:
    """Model-judged faithfulness of the run's answers, into ``r.extra`` and ``metrics``."""
    from .faithfulness import Faithfulness, judge_answers

    judge_engine = engine(args.judge)
    judge = Faithfulness(judge_engine.chat_model, judge_engine.settings.prompts_dir)
    r.extra["faithfulness"] = judge_answers(judge, gold, r.outputs["ask"])
    metrics["faithfulness"] = r.extra["faithfulness"]["faithfulness"]
    metrics["n"]["faithfulness"] = r.extra["faithfulness"]["n"]


def run(args, make_engine: Callable[[str | None], object], progress=None) -> int:
    from . import report, runner, scoring

    parts = tuple(_choices(args.only, PARTS, "part"))
    systems = _choices(args.system, SYSTEMS, "system")
    if args.baseline and "baseline" not in systems:
        systems.append("baseline")
    backends = _choices(args.eval_backends, ("local", "openai"), "backend") if args.eval_backends else [None]
    gold = scoring.load_gold(args.gold)
    gold = gold[: args.limit] if args.limit else gold
    engines: dict = {}

    def engine(b):  # one engine per backend; None is the configured one
        if b not in engines:
            eng = make_engine(b)
            engines[b] = engines.setdefault(eng.settings.backend, eng)
        return engines[b]

    first = engine(backends[0])
    corpus = scoring.corpus_text(args.corpus or first.settings.sources_dir)
    records, runs = [], []
    if args.from_dir:
        from .rescore import load_runs, score_runs

        runs = load_runs(args.from_dir)
        metrics = score_runs(gold, corpus, runs)
        for r, m in zip(runs, metrics):
            if args.faithfulness and "ask" in r.outputs:
                _judge(args, engine, gold, r, m)
        records = [report.summary(r, m) for r, m in zip(runs, metrics)]
        parts, backends = tuple(p for p in PARTS if any(p in r.outputs for r in runs)), []
    for b in backends:
        eng = engine(b)
        tag = f"/{eng.settings.backend}" if len(backends) > 1 else ""
        for name in systems:
            if name == "ours":
                system = runner.Ours(eng, "ours" + tag)
            else:
                from .baseline import Baseline

                print(f"building the baseline's index ({eng.settings.embedder})…", file=sys.stderr)
                system = Baseline(eng.documents(), eng.embedder, eng.chat_model if "ask" in parts else None,
                                  eng.settings.prompts_dir, name="baseline" + tag)
            r = runner.run(system, gold, parts, progress, on_line=report.appender(args.out, system.name))
            metrics = scoring.score_all(gold, corpus, search=r.outputs.get("search"), answers=r.outputs.get("ask"),
                                        quotes=r.outputs.get("quote"))
            if args.faithfulness and "ask" in r.outputs:
                _judge(args, engine, gold, r, metrics)
            records.append(report.summary(r, metrics))
            runs.append(r)
    models = {f"{engine(b).settings.backend} · {engine(b).settings.model_name}" for b in backends or [None]}
    setup = {"gold": str(args.gold), "gold lines": len(gold), "parts": ",".join(parts),
             "embedder": first.settings.embedder,
             "chat models": ", ".join(sorted(models)) if "ask" in parts else "not used",
             **({"scored from": str(args.from_dir)} if args.from_dir else {}),
             "machine": _machine(), "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    if args.out:
        report.write(args.out, records, runs, setup)
        print(f"report written to {args.out}/report.md", file=sys.stderr)
    if args.json:
        print(json.dumps({"setup": setup, "systems": records}, ensure_ascii=False, indent=1))
    else:
        print(report.table(records))
    return 0
