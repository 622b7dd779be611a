"""The index manifest: which embedder, which chunking, which source files (by hash).

Written last by a build, read first by every search: an index whose embedder or
chunking differs from the settings is rebuilt or refused, never silently used;
files whose hash changed, appeared or vanished are re-embedded.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .chunking import CONTEXT_VERSION
from .parse import CHUNKING_VERSION

MANIFEST = "manifest.json"
FORMAT = 1


def chunking_id(budget: int) -> str:
    return f"{CHUNKING_VERSION}/{CONTEXT_VERSION}/tok{budget}"


@dataclass
class Manifest:
    embedder: str
    chunking: str
    files: dict[str, str] = field(default_factory=dict)   # file name -> sha256
    skipped: dict[str, str] = field(default_factory=dict)  # file name -> reason
    paragraphs: int = 0
    pieces: int = 0
    format: int = FORMAT

    def save(self, folder: Path) -> None:
        tmp = folder / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.replace(folder / MANIFEST)

    @classmethod
    def load(cls, folder: Path) -> "Manifest | None":
        path = folder / MANIFEST
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return None
            return cls(**data)
        except (ValueError, TypeError):
            return None

    def mismatch(self, embedder: str, chunking: str) -> str | None:
        """Why this index cannot be used with these settings, or None."""
        if self.embedder != embedder:
            return f"it was built with the embedder {self.embedder!r}, not {embedder!r}"
        if self.chunking != chunking:
            return f"it was built with chunking {self.chunking!r}, not {chunking!r}"
        return None

    def changes(self, current: dict[str, str]) -> tuple[set[str], set[str]]:
        """(files to (re)embed, files to drop) to bring this index to ``current``."""
        changed = {n for n, h in current.items() if self.files.get(n) != h}
        gone = set(self.files) - set(current)
        return changed, gone | (changed & set(self.files))
