"""Reading the sources folder: every ``.txt``, ``.md``, ``.html``/``.htm`` and ``.pdf`` file becomes a Document.

Text files are parsed here; HTML pages and PDFs are read by ``rag.formats``
(dispatched by suffix) and then go through the same ``parse_text``.

A file that is empty (or only blank space), not UTF-8 (UTF-16 included) or not
text (NUL bytes, or many control characters) is skipped with a warning naming
it; so is a file in which no paragraph of content is found. The rest is read.
Source files are only ever read, never written. Hidden files (``.name``) and
sub-folders are not looked at.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .documents import Document
from .formats import reader_for
from .parse import parse_text

SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def paragraphs(self):
        for d in self.documents:
            yield from d.paragraphs

    def by_name(self) -> dict[str, Document]:
        return {d.name: d for d in self.documents}


def source_files(folder: Path) -> list[Path]:
    """The candidate source files, sorted by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                  and not p.name.startswith("."))


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    """Parse one file; raises ValueError with a reason when it cannot be used."""
    size = path.stat().st_size
    if size == 0:
        raise ValueError("it is empty")
    if size > max_bytes:
        raise ValueError(f"it is larger than {max_bytes / (1024 * 1024):g} MB")
    raw = path.read_bytes()
    reader = reader_for(path.suffix)
    if reader is not None:
        doc = reader(raw, path.name, hashlib.sha256(raw).hexdigest())
        if not doc.paragraphs:
            raise ValueError("no paragraph of content was found in it")
        return doc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("it is not UTF-8 text (it is UTF-16)")
    if b"\x00" in raw[:8192]:
        raise ValueError("it is not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"it is not UTF-8 text (byte {e.start})") from None
    if not text.strip():
        raise ValueError("it is empty (only blank space)")
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\t\n\r\f\v")
    if controls > max(8, len(text[:8192]) // 100):
        raise ValueError("it is not a text file")
    doc = parse_text(text, path.name, hashlib.sha256(raw).hexdigest())
    if not doc.paragraphs:
        raise ValueError("no paragraph of content was found in it")
    return doc


def load_corpus(folder: Path, max_bytes: int = MAX_BYTES) -> Corpus:
    """Every usable document in ``folder``, with a warning for each skipped file."""
    corpus = Corpus()
    for path in source_files(folder):
        try:
            corpus.documents.append(read_document(path, max_bytes))
        except (ValueError, OSError) as e:
            corpus.warnings.append(f"Skipped {path.name}: {e}.")
    return corpus
