"""The ``rag`` command: index, search, ask, quote, eval, add, remove, app, serve, status.

Results go to standard output (readable text, or JSON with ``--json`` and
``--batch``); progress, warnings and errors go to standard error. Exit codes:
0 ok, 1 a user's error (one line saying what to do), 2 an internal error.
Errors are turned into sentences here, at the edge, and nowhere deeper.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import time

from pydantic import ValidationError

from .errors import RagError

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _progress():
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def report(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            unit = "B" if total > 10_000_000 else "it"
            bar = bars[stage] = tqdm(total=total, desc=stage, unit=unit, unit_scale=unit == "B",
                                     file=sys.stderr, leave=False)
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()
            bars.pop(stage, None)
    return report


def _engine(args):
    if getattr(args, "engine_factory", None):
        return args.engine_factory(args)
    from .engine import Engine
    from .settings import Settings

    overrides = {k: v for k, v in (("embedder", getattr(args, "embedder", None)),
                                   ("backend", getattr(args, "backend", None))) if v}
    return Engine(Settings(**overrides), progress=_progress())


def _excerpt(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _where(p) -> str:
    who = f" · {p.speaker}" if p.speaker else ""
    page = f" (p. {p.page})" if getattr(p, "page", None) else ""
    return f"{p.doc} ¶{p.number}{page}{who}"


def cmd_index(args) -> int:
    eng = _engine(args)
    report = eng.ensure_index(force=args.force)
    for w in report.get("warnings", []):
        print(f"warning: {w}", file=sys.stderr)
    print(f"Index up to date: {report['paragraphs']} paragraphs; {report['embedded']} file(s) embedded, "
          f"{report['kept']} unchanged, {report['dropped']} removed ({report['seconds']:.1f} s).")
    return 0


def _batch(args, field: str, handle) -> int:
    from .batch import run_batch

    done, errors = run_batch(args.batch, field, handle, sys.stdout)
    print(f"{done} line(s) done, {errors} with an error.", file=sys.stderr)
    return 0


def cmd_search(args) -> int:
    eng = _engine(args)
    k = max(args.k, 10) if args.batch else args.k
    if args.batch:
        return _batch(args, "question", lambda it: {"results": [h.to_json() for h in eng.search(it["question"], k)]})
    hits = eng.search(_need(args.question, "a question"), k)
    if args.json:
        print(json.dumps({"question": args.question, "results": [h.to_json() for h in hits]}, ensure_ascii=False))
        return 0
    for i, h in enumerate(hits, 1):
        print(f"{i:>2}. {_where(h.paragraph)}  ({h.score:.3f})")
        print(textwrap.indent(_excerpt(h.paragraph.text), "    "))
    return 0


def cmd_ask(args) -> int:
    eng = _engine(args)
    if args.batch:
        from .engine import conversation, turns_from

        return _batch(args, "question",
                      lambda it: eng.ask(it["question"], conversation(turns_from(it.get("history")))).to_json())
    question = _need(args.question, "a question")
    if args.json:
        print(json.dumps({"question": question, **eng.ask(question).to_json()}, ensure_ascii=False))
        return 0
    answer = None
    for kind, value in eng.ask_stream(question):
        if kind == "token":
            print(value, end="", flush=True, file=sys.stderr if not sys.stdout.isatty() else sys.stdout)
        elif kind == "answer":
            answer = value
    if sys.stdout.isatty():
        print("\r\033[K", end="")
    print("\n" + answer.text if not sys.stdout.isatty() else answer.text)
    for c in answer.citations:
        print(f"  [{c.n}] {_where(c.paragraph)}: {_excerpt(c.sentence or c.paragraph.text, 140)}")
    return 0


def cmd_quote(args) -> int:
    eng = _engine(args)
    if args.batch:
        return _batch(args, "quote", lambda it: eng.quote(it["quote"], it.get("claimed_speaker")).to_json())
    res = eng.quote(_need(args.quote, "a quote"), args.speaker)
    if args.json:
        print(json.dumps({"quote": args.quote, **res.to_json()}, ensure_ascii=False))
        return 0
    print(f"Verdict: {res.verdict}" + (f" · speaker: {res.speaker_verdict}" if res.speaker_verdict else ""))
    for m in res.matches[:3]:
        print(f"  {_where(m.paragraph)} [{m.kind}, {m.score:.2f}]: «{m.paragraph.text[m.start:m.end]}»")
        if m.diff and m.kind in ("close", "altered"):
            changes = [f"{q or '∅'} → {s or '∅'}" for op, q, s in m.diff if op != "equal"]
            print("    differences: " + "; ".join(changes))
    return 0


def cmd_add(args) -> int:
    """One line per file on standard output; exit code 1 if any file was refused (the others are added)."""
    from pathlib import Path

    report = _engine(args).add_files([Path(f) for f in args.files])
    for o in report.outcomes:
        print(f"{o.status}: {o.message}")
    if report.index is not None:
        print(f"Index up to date: {report.index['paragraphs']} paragraphs; {report.index['embedded']} file(s) "
              f"embedded ({report.index['seconds']:.1f} s).", file=sys.stderr)
    return 1 if report.refused else 0


def cmd_remove(args) -> int:
    from .errors import UserError

    eng, code = _engine(args), 0
    for name in args.docs:
        try:
            moved, _ = eng.remove_document(name)
        except UserError as e:
            print(f"not removed: {e}")
            code = 1
            continue
        print(f"removed: {name}: moved to {moved} (move it back into {eng.settings.sources_dir} to restore it).")
    return code


def cmd_prepare(args) -> int:
    """Everything a first run needs: the chat model file, the embedder weights, the index."""
    eng = _engine(args)
    if eng.settings.backend == "local":
        from .llm.layout import choose
        from .llm.model_file import ensure_model

        path = ensure_model(eng.settings.cache_dir, progress=lambda d, t: eng.progress("chat model", d, t))
        print(f"Chat model ready: {path}", file=sys.stderr)
        choose(eng.settings, path, report=lambda line: print(line, file=sys.stderr))
    code = cmd_index(args)
    if code == 0 and eng.settings.blocks_engine:
        t0 = time.perf_counter()
        print("Reading the paragraphs with the local model (once; answers then start faster)…", file=sys.stderr)
        new = eng.warm_answers()
        print(f"Paragraphs read: {new} new ({time.perf_counter() - t0:.0f} s).", file=sys.stderr)
    return code


def cmd_status(args) -> int:
    eng = _engine(args)
    eng.embedder
    print(json.dumps(eng.status(), indent=1, ensure_ascii=False))
    return 0


def cmd_eval(args) -> int:
    from argparse import Namespace

    from .evaluate.command import run

    return run(args, lambda backend: _engine(Namespace(**{**vars(args), "backend": backend or args.backend})),
               progress=_progress())


def cmd_app(args) -> int:
    from .launch import run_app

    # the Streamlit process reads its settings from the environment: pass the overrides on
    for var, value in (("RAG_EMBEDDER", args.embedder), ("RAG_BACKEND", args.backend)):
        if value:
            os.environ[var] = value
    return run_app(port=args.port)


def cmd_serve(args) -> int:
    from .serve import serve

    return serve(_engine(args), host=args.host, port=args.port)


def _need(value: str | None, what: str) -> str:
    if not value:
        from .errors import InputError

        raise InputError(f"Give {what}, or --batch FILE.")
    return value


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="rag", description="Answers you can check, over your documents.")
    ap.add_argument("--embedder", choices=["e5-small", "embeddinggemma", "openai"], help="override RAG_EMBEDDER")
    ap.add_argument("--backend", choices=["local", "openai"], help="override RAG_BACKEND")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("index", help="build or update the index")
    p.add_argument("--force", action="store_true", help="rebuild from scratch")
    p.set_defaults(fn=cmd_index)
    for name, fn, what in (("search", cmd_search, "question"), ("ask", cmd_ask, "question"),
                           ("quote", cmd_quote, "quote")):
        p = sub.add_parser(name, help=f"{name} ({what} or --batch FILE)")
        p.add_argument(what, nargs="?")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--batch", metavar="FILE", help="JSONL in, JSONL out (see the README)")
        if name == "search":
            p.add_argument("-k", type=int, default=10, help="how many paragraphs")
        if name == "quote":
            p.add_argument("--speaker", help="who is said to have said it")
        p.set_defaults(fn=fn)
    p = sub.add_parser("add", help="add documents (.txt, .md, .html, .htm, .pdf) and index them")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(fn=cmd_add)
    p = sub.add_parser("remove", help="remove documents from the index (the files move to the removed folder)")
    p.add_argument("docs", nargs="+", metavar="DOC", help="the document's file name, as `rag search` shows it")
    p.set_defaults(fn=cmd_remove)
    p = sub.add_parser("prepare", help="assemble the local model, fetch embedder weights, build the index")
    p.set_defaults(fn=cmd_prepare, force=False)
    p = sub.add_parser("status", help="backend, embedder and index state")
    p.set_defaults(fn=cmd_status)
    p = sub.add_parser("eval", help="score search, quote and ask over a gold file; --baseline compares")
    from .evaluate.command import add_arguments as eval_arguments

    eval_arguments(p)
    p.set_defaults(fn=cmd_eval)
    p = sub.add_parser("app", help="start the local model if needed and serve the Streamlit app")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(fn=cmd_app)
    p = sub.add_parser("serve", help="serve the HTTP API (search, ask, quote, OpenAI-compatible chat)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(fn=cmd_serve)
    return ap


def main(argv: list[str] | None = None, engine_factory=None) -> int:
    """Run the command; ``engine_factory(args)`` replaces the real Engine (tests inject fakes)."""
    args = parser().parse_args(argv)
    args.engine_factory = engine_factory
    try:
        return args.fn(args)
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except ValidationError as e:  # a RAG_* variable the settings refuse
        from .settings import invalid_setting

        print(f"error: {invalid_setting(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # never a traceback for users
        print(f"internal error: {type(e).__name__}: {e} (set RAG_DEBUG=1 for details)", file=sys.stderr)
        if os.environ.get("RAG_DEBUG"):
            raise
        return 2
