"""The local model as an OpenAI-compatible server on loopback, shared by CLI and app.

``ensure_server`` returns ``http://127.0.0.1:{llama_port}/v1``. If a server
there already lists our model it is reused; otherwise, under a file lock (so two
processes never start two servers), it assembles the model file if needed,
starts ``python -m rag.llm.serve`` (``llama_cpp.server`` reading every prompt
from the same place, ``serve``) detached (own session, output to
``cache_dir/llama-server-{port}.log``, pid in ``llama-server-{port}.pid``; one
set per port, so a second instance on another port never clashes) and waits
until it answers. The server outlives the process that started it; the next
CLI run or app session reuses it, unless an older version of this package
started it as plain ``llama_cpp.server``: that one is replaced.
``stop_server`` stops the one we started.

Left out: GPUs, several models per server, authentication (loopback only),
and Windows (the lock uses ``fcntl`` and the stop uses process groups).
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from rag.errors import ModelError
from rag.llm import layout
from rag.llm.model_file import Progress, ensure_model
from rag.llm.serve import NO_REPACK
from rag.settings import Settings

HOST = "127.0.0.1"
N_CTX = 4096
CHAT_FORMAT = "chatml"  # identical to Qwen2.5's own template once a system message is given
# Prompt-lookup decoding (draft tokens copied from the prompt) is off: on an
# ~800-token French prompt it needs logits for every prompt token, which made
# the first token ~20 % slower and peak RSS +1.1 GB, while the ~2x faster
# decoding of quoted text only paid off for answers over ~100 tokens.
PROMPT_LOOKUP_TOKENS = 0  # 0 = off; 10 to try it again


def base_url(settings: Settings) -> str:
    return f"http://{HOST}:{settings.llama_port}/v1"


def log_path(settings: Settings) -> Path:
    return settings.cache_dir / f"llama-server-{settings.llama_port}.log"


def pid_path(settings: Settings) -> Path:
    return settings.cache_dir / f"llama-server-{settings.llama_port}.pid"


BUSY = "busy"  # something listens on our port but does not answer in time


def probe(settings: Settings, timeout: float = 2.0) -> list[str] | str | None:
    """Model ids listed by whatever answers on our port; ``BUSY`` when it takes the connection but does
    not answer within ``timeout`` (llama_cpp.server lists its models only between two answers); None
    when nothing listens."""
    try:
        with urllib.request.urlopen(base_url(settings) + "/models", timeout=timeout) as resp:
            data = json.load(resp)
        return [m.get("id", "") for m in data.get("data", [])]
    except TimeoutError:
        return BUSY
    except urllib.error.URLError as e:
        return BUSY if isinstance(e.reason, TimeoutError) else None
    except (OSError, ValueError, AttributeError):
        return None


def served_models(settings: Settings, timeout: float = 2.0) -> list[str] | None:
    """Model ids listed by whatever answers on our port, or None if nothing does (or not in time)."""
    found = probe(settings, timeout)
    return None if found == BUSY else found


def is_healthy(settings: Settings) -> bool:
    return settings.model_name in (served_models(settings) or [])


def _ready(settings: Settings) -> bool:
    """Our model is served: listed, or the server we started is busy answering (not an outdated one)."""
    found = probe(settings)
    if found == BUSY:
        return _read_pid(settings) is not None and not _outdated(settings)
    return settings.model_name in (found or []) and not _outdated(settings)


def server_command(settings: Settings, model_path: Path, lookup_tokens: int = PROMPT_LOOKUP_TOKENS) -> list[str]:
    threads = str(settings.llama_threads)
    chosen = layout.choose(settings, model_path)
    cmd = [
        sys.executable, "-m", "rag.llm.serve",
        "--model", str(chosen.path), "--model_alias", settings.model_name,
        "--host", HOST, "--port", str(settings.llama_port),
        "--n_ctx", str(N_CTX), "--n_threads", threads, "--n_threads_batch", threads,
        "--chat_format", CHAT_FORMAT,
        # flash attention: prompts read faster (Intel Xeon with AMX: first token p50 3.25 -> 2.81 s)
        "--flash_attn", "true",
        # logits of the last token only (all of them cost time and 0.6 MB/token);
        # a draft model needs all, and 0.3.36 crashes on long prompts without the flag
        "--logits_all", "true" if lookup_tokens else "false",
        # Prompt caching: the fixed system prompt is evaluated once and kept, and
        # only it (``serve``: the same answer whatever was asked before). The extra
        # state cache (--cache) copies the state after every answer: +20-80 % CPU
        # per token, +1.4 GB RSS, so off.
        "--cache", "false",
        # queue concurrent requests (CLI and app) instead of cutting one short
        "--interrupt_requests", "false",
        "--verbose", "false",
    ]
    if chosen.repack:
        # repacked weights are copies: reading the file into them through a mapping would leave its pages
        # counted in the server's memory too (3.7 GB against 2.4 for the Q8_0 file on AMX)
        cmd += ["--use_mmap", "false"]
    else:
        cmd.append(NO_REPACK)
    if lookup_tokens:
        cmd += ["--draft_model", "prompt-lookup-decoding", "--draft_model_num_pred_tokens", str(lookup_tokens)]
    return cmd


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone); reaps it if it is our child."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return False
    except ChildProcessError:
        pass
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _read_pid(settings: Settings) -> int | None:
    """The pid in the pidfile if it is still a running llama_cpp server (not a recycled pid)."""
    pid, cmdline = _pid_and_command(settings)
    ours = b"rag.llm.serve" in cmdline or b"llama_cpp.server" in cmdline  # or one started by an older version
    return pid if pid is not None and ours and _alive(pid) else None


def _pid_and_command(settings: Settings) -> tuple[int | None, bytes]:
    try:
        pid = int(pid_path(settings).read_text().split()[0])
        return pid, Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None, b""


def _outdated(settings: Settings) -> bool:
    """True when the server we started is plain ``llama_cpp.server`` (an older version of this package),
    whose answers depend on the previous request (``serve``), or repacks against ``RAG_LLAMA_REPACK``."""
    pid, cmdline = _pid_and_command(settings)
    if pid is None:
        return False
    plain = b"llama_cpp.server" in cmdline and b"rag.llm.serve" not in cmdline
    asked = {"on": True, "off": False}.get(settings.llama_repack)  # auto takes the server as it runs
    return plain or (asked is not None and (NO_REPACK.encode() in cmdline.split(b"\0")) == asked)


def _log_tail(settings: Settings, lines: int = 5) -> str:
    try:
        tail = log_path(settings).read_text(errors="replace").strip().splitlines()[-lines:]
    except OSError:
        return ""
    return (" Last lines: " + " | ".join(tail)) if tail else ""


def _server_env() -> dict[str, str]:
    """Our environment minus variables llama_cpp.server would take as its own settings
    (it reads every field from the environment, e.g. PORT, HOST or API_KEY)."""
    from llama_cpp.server.settings import Settings as LlamaSettings

    taken = {name.upper() for name in LlamaSettings.model_fields} | {"HOST", "PORT", "CONFIG_FILE"}
    return {k: v for k, v in os.environ.items() if k.upper() not in taken} | {"PYTHONUNBUFFERED": "1"}


def _start(settings: Settings, model_path: Path, lookup_tokens: int) -> int:
    with log_path(settings).open("w") as log:
        proc = subprocess.Popen(server_command(settings, model_path, lookup_tokens), env=_server_env(),
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    pid_path(settings).write_text(f"{proc.pid} {settings.llama_port}\n")
    return proc.pid


def _wait_healthy(settings: Settings, pid: int, timeout: float, ours: bool = True) -> None:
    """Wait for the server ``pid`` to answer. One we did not start now (another process's, busy
    answering it) is never stopped here: that would cut its answers off."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_healthy(settings):
            return
        if not _alive(pid):
            pid_path(settings).unlink(missing_ok=True)
            raise ModelError(f"The local model server stopped during start-up; see {log_path(settings)}.{_log_tail(settings)}")
        time.sleep(0.25)
    if not ours:
        raise ModelError(f"The local model server is busy and did not answer within {timeout:.0f} s; try again.")
    stop_server(settings)
    raise ModelError(f"The local model server did not answer within {timeout:.0f} s; see {log_path(settings)}.{_log_tail(settings)}")


def ensure_server(
    settings: Settings,
    progress: Progress | None = None,
    *,
    timeout: float = 180.0,
    lookup_tokens: int = PROMPT_LOOKUP_TOKENS,
) -> str:
    """Base URL of a healthy local model server, starting one if needed (and restarting one an older
    version of this package started)."""
    if _ready(settings):
        return base_url(settings)
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    with (settings.cache_dir / f"llama-server-{settings.llama_port}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _ready(settings):  # another process started it while we waited
            return base_url(settings)
        pid = _read_pid(settings)
        if pid is not None and probe(settings) is not None:
            stop_server(settings)  # ours, but outdated or serving another model name: restart it
            pid = None
        ours = pid is None
        if ours:
            others = probe(settings)
            if others is not None:
                what = "that does not answer" if others == BUSY else f"serving {others or 'no models'}"
                raise ModelError(f"Port {settings.llama_port} is used by another service ({what}); "
                                 "stop it or set RAG_LLAMA_PORT to a free port.")
            model_path = ensure_model(settings.cache_dir, progress)
            pid = _start(settings, model_path, lookup_tokens)
        _wait_healthy(settings, pid, timeout, ours)
    return base_url(settings)


def stop_server(settings: Settings, timeout: float = 15.0) -> bool:
    """Stop the server we started (per the pidfile); True if one was running."""
    pid = _read_pid(settings)
    pid_path(settings).unlink(missing_ok=True)
    if pid is None:
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                return True
            time.sleep(0.1)
    return True
