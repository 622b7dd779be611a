"""Adding documents to the sources folder and removing them, without ever losing or overwriting a file.

``add_files(settings, items)`` takes uploaded ``(name, bytes)`` pairs or paths
and, for each, says in one sentence what became of it:

- ``added``: its format is supported (``sources.SUFFIXES``), it is within the
  size limits (``max_file_mb`` per file, ``max_batch_mb`` per batch) and it
  reads as a document with paragraphs; it is written into the sources folder.
  A different file with the same name is never overwritten: the new one gets a
  suffix (``report-2.pdf``) and the outcome says so.
- ``duplicate``: a source file has the very same bytes (sha256): not added again.
- ``refused``: unsupported, empty, too large, broken or without text; the
  reason is given, and the rest of the batch goes on.

A file is checked in a hidden staging folder inside the sources folder and only
then linked into place under a free name, so the sources folder never holds a
half-written or unusable file, and no existing file is modified.

``remove_document(settings, name)`` moves a source file out of the sources
folder into ``settings.removed_dir`` (a name clash there gets a suffix too):
nothing is deleted; moving the file back restores it. Updating the index is
the caller's part (``Engine.add_files`` / ``Engine.remove_document``).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .documents import Document
from .errors import InputError, SourceError
from .settings import Settings
from .sources import SUFFIXES, file_hash, read_document, source_files

STAGING = ".incoming"
Progress = Callable[[str, int, int], None]


@dataclass
class Outcome:
    name: str                         # the file's name as given
    status: str                       # "added", "duplicate" or "refused"
    message: str                      # one sentence for people
    stored_as: str | None = None      # the file name in the sources folder (added, or the existing duplicate)
    document: Document | None = None  # the parsed document (added)

    @property
    def refused(self) -> bool:
        return self.status == "refused"


@dataclass
class AddReport:
    outcomes: list[Outcome] = field(default_factory=list)
    index: dict | None = None         # the index build report, when something was added

    @property
    def added(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "added"]

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.refused]


def supported() -> str:
    return ", ".join(SUFFIXES[:-1]) + " or " + SUFFIXES[-1]


def safe_name(name: str) -> str:
    """A plain file name: no folders, no leading dots, no control or path characters."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = "".join(c if c.isprintable() and c not in '<>:"|?*' else "_" for c in base).strip().lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if len(base) > 150:
        base = (stem[:140] + dot + suffix) if dot else base[:150]
    return base


def free_name(folder: Path, name: str) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``… : the first that does not exist in ``folder``."""
    path = Path(name)
    candidate, n = name, 1
    while (folder / candidate).exists():
        n += 1
        candidate = f"{path.stem}-{n}{path.suffix}"
    return candidate


def _mb(n: float) -> str:
    return f"{n / (1024 * 1024):.3g} MB"


def _place(staged: Path, folder: Path, name: str) -> str:
    """Link the checked file into ``folder`` under a free name (never replacing a file); returns that name."""
    for _ in range(100):
        target = free_name(folder, name)
        try:
            os.link(staged, folder / target)
            return target
        except FileExistsError:
            continue  # taken meanwhile: try the next suffix
        except OSError:  # no hard links on this file system: exclusive create
            try:
                with open(folder / target, "xb") as fh:
                    fh.write(staged.read_bytes())
                return target
            except FileExistsError:
                continue
    raise SourceError(f"No free name for {name} in {folder}.")


def _check(settings: Settings, name: str, raw: bytes, staging: Path) -> tuple[Path, Document]:
    """Stage the bytes under their final name and parse them; raises ValueError with the reason."""
    final = free_name(settings.sources_dir, name)
    folder = staging / uuid.uuid4().hex
    folder.mkdir(parents=True)
    staged = folder / final
    staged.write_bytes(raw)
    return staged, read_document(staged, settings.max_file_bytes)


def add_files(settings: Settings, items: Iterable[tuple[str, bytes] | Path],
              progress: Progress | None = None) -> list[Outcome]:
    """Add each file to the sources folder (see the module's docstring); one outcome per item, in order."""
    items = list(items)
    sources = settings.sources_dir
    sources.mkdir(parents=True, exist_ok=True)
    known = {file_hash(p): p.name for p in source_files(sources)}
    staging = sources / STAGING / uuid.uuid4().hex  # this call's own: a concurrent one keeps its files
    outcomes: list[Outcome] = []
    batch = 0
    try:
        for i, item in enumerate(items):
            if progress:
                progress("reading", i, len(items))
            outcomes.append(_add_one(settings, item, known, staging, batch))
            if not outcomes[-1].refused:  # the batch limit counts what is taken in
                batch += _size(item)
        if progress:
            progress("reading", len(items), len(items))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        try:
            staging.parent.rmdir()  # only when no other call is staging files
        except OSError:
            pass
    return outcomes


def _size(item) -> int:
    if isinstance(item, Path):
        try:
            return item.stat().st_size
        except OSError:
            return 0
    return len(item[1])


def _add_one(settings: Settings, item, known: dict[str, str], staging: Path, batch: int) -> Outcome:
    given = item.name if isinstance(item, Path) else str(item[0])
    refuse = lambda why: Outcome(given, "refused", f"{given}: {why}.")  # noqa: E731
    name = safe_name(given)
    if not name or Path(name).suffix.lower() not in SUFFIXES:
        return refuse(f"not a supported format (use {supported()})")
    if isinstance(item, Path) and not item.is_file():
        return refuse("not a file" if item.exists() else "no such file")
    size = _size(item)
    if size == 0:
        return refuse("the file is empty")
    if size > settings.max_file_bytes:
        return refuse(f"the file is too large ({_mb(size)}; at most {_mb(settings.max_file_bytes)} a file)")
    if batch + size > settings.max_batch_bytes:
        return refuse(f"the batch is over {_mb(settings.max_batch_bytes)}; add this file in another batch")
    try:
        raw = item.read_bytes() if isinstance(item, Path) else bytes(item[1])
    except OSError as e:
        return refuse(f"it cannot be read ({e.strerror or e})")
    digest = hashlib.sha256(raw).hexdigest()
    if digest in known:
        return Outcome(given, "duplicate", f"{given}: already in the library as {known[digest]} "
                                           "(same content); not added again.", stored_as=known[digest])
    try:
        staged, doc = _check(settings, name, raw, staging)
    except ValueError as e:
        return refuse(str(e))
    stored = _place(staged, settings.sources_dir, name)
    if stored != doc.name:  # the name was taken while we checked: the paragraphs carry the new one
        doc = read_document(settings.sources_dir / stored, settings.max_file_bytes)
    known[digest] = stored
    renamed = f" as {stored} ({name} is another file)" if stored != name else ""
    label = f" «{doc.title}»" if doc.title else ""
    return Outcome(given, "added", f"{given}: added{renamed}{label}, {len(doc.paragraphs)} paragraphs.",
                   stored_as=stored, document=doc)


def remove_document(settings: Settings, name: str) -> Path:
    """Move the source file ``name`` into the removed folder; returns where it went."""
    plain = Path(name).name
    src = settings.sources_dir / plain
    if not plain or plain.startswith(".") or src.suffix.lower() not in SUFFIXES or not src.is_file():
        raise InputError(f"There is no document named {name!r} in {settings.sources_dir}.")
    dest_dir = settings.removed_dir
    dest_dir.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        dest = dest_dir / free_name(dest_dir, plain)
        try:
            os.link(src, dest)
        except FileExistsError:
            continue
        except OSError:  # another file system, or no hard links: copy without replacing, then unlink
            with open(src, "rb") as fin, open(dest, "xb") as fout:
                shutil.copyfileobj(fin, fout)
            shutil.copystat(src, dest)
        src.unlink()
        return dest
    raise SourceError(f"No free name for {plain} in {dest_dir}.")
