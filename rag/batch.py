"""The batch contract: JSONL in, one JSONL line out per handled line, in order.

``run_batch(path, field, handle, out)`` reads ``path`` (``-`` for stdin), calls
``handle(line_dict)`` for each line that has ``field`` and writes
``{"id": ..., **result}``. A line that is not JSON, or whose handling fails with
a ``RagError``, still gets ``{"id", "error"}``; the batch goes on. Nothing but
result lines goes to ``out``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, TextIO

from .errors import InputError, RagError


def _lines(path: str):
    if path == "-":
        yield from sys.stdin
        return
    p = Path(path)
    if not p.is_file():
        raise InputError(f"No such batch file: {path}.")
    with p.open(encoding="utf-8", errors="replace") as fh:
        yield from fh


def run_batch(path: str, field: str, handle: Callable[[dict], dict], out: TextIO,
              on_item: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Returns (lines handled, lines that got an error)."""
    done = errors = 0
    for n, raw in enumerate(_lines(path), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            if not isinstance(item, dict):
                raise ValueError("not an object")
        except ValueError as e:
            result = {"id": None, "line": n, "error": f"Line {n} is not a JSON object ({e})."}
            errors += 1
        else:
            if field not in item:
                continue
            try:
                result = {"id": item.get("id"), **handle(item)}
            except RagError as e:
                result = {"id": item.get("id"), "error": str(e)}
                errors += 1
            except Exception as e:  # the batch goes on; the error is reported in its line
                result = {"id": item.get("id"), "error": f"Internal error: {type(e).__name__}: {e}"}
                errors += 1
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
        done += 1
        if on_item:
            on_item(done)
    return done, errors
