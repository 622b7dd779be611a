"""``rag app``: get the index and the local model ready, then serve the Streamlit app.

``run_app(port)`` builds or updates the index (progress on stderr), starts the
local model server when the backend is ``local`` (reusing one that already
runs), then runs ``streamlit run app.py`` on ``port``. Ctrl-C (or streamlit
exiting) stops streamlit and the model server, if this call started it. A
failure is one sentence on stderr and exit code 1 (the user can fix it) or 2.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from pydantic import ValidationError

from .errors import RagError
from .settings import ROOT, Settings, invalid_setting

APP = ROOT / "app.py"


def _progress():
    """A ``progress(stage, done, total)`` callback drawing one tqdm bar per stage on stderr."""
    from tqdm import tqdm

    bars: dict = {}

    def report(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            big = total > 10_000_000
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="B" if big else "it", unit_scale=big,
                                     file=sys.stderr, leave=False)
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bars.pop(stage).close()
    return report


def port_free(port: int, host: str = "") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def streamlit_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
            "--server.fileWatcherType", "none"]


def _server_pid(settings: Settings) -> int | None:
    """The pid recorded by the local model server's pidfile, if any."""
    from .llm import server

    try:
        return int(server.pid_path(settings).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _prepare(settings: Settings, mine: dict) -> None:
    """Index up to date, local model serving; ``mine["before"]`` is the server pid before we asked for one."""
    from .engine import Engine

    progress = _progress()
    report = Engine(settings, progress=progress).ensure_index()
    for warning in report.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"Index ready: {report.get('paragraphs', 0)} paragraphs.", file=sys.stderr)
    if settings.backend != "local":
        return
    if settings.blocks_engine:  # the app's process loads the model itself; the file must be ready
        from .llm.model_file import ensure_model

        ensure_model(settings.cache_dir, progress=lambda done, total: progress("model", done, total))
        return
    from .llm import ensure_server, is_healthy

    if is_healthy(settings):
        return
    print("Starting the local model server…", file=sys.stderr)
    # A busy server can miss the health check: it is ours only if the pidfile changes.
    mine["before"], mine["asked"] = _server_pid(settings), True
    ensure_server(settings, progress=lambda done, total: progress("model", done, total))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # streamlit shuts down cleanly on SIGINT
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_app(port: int = 8501, settings: Settings | None = None) -> int:
    """Prepare the index and model, serve the app until Ctrl-C; the exit code."""
    if not 0 < port < 65536:
        print(f"error: {port} is not a valid port number.", file=sys.stderr)
        return 1
    if not port_free(port):
        print(f"error: port {port} is already in use; choose another with --port.", file=sys.stderr)
        return 1
    mine: dict = {}
    proc = None
    try:
        settings = settings or Settings()
        _prepare(settings, mine)
        print(f"Serving the app on http://localhost:{port} (Ctrl-C to stop).", file=sys.stderr)
        proc = subprocess.Popen(streamlit_command(port), cwd=str(ROOT), env={**os.environ, "PYTHONPATH": _pythonpath()})
        code = proc.wait()
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):
            print(f"error: the Streamlit server stopped with exit code {code}.", file=sys.stderr)
            return 2
        return 0
    except KeyboardInterrupt:
        print("\nStopping.", file=sys.stderr)
        return 0
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except ValidationError as e:
        print(f"error: {invalid_setting(e)}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: could not start the app ({e.strerror or e}).", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - a sentence, never a traceback
        print(f"internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    finally:
        if proc is not None:
            _stop(proc)
        if mine.get("asked") and _server_pid(settings) not in (None, mine["before"]):
            from .llm import stop_server

            stop_server(settings)  # the one this call started; a server that was already there stays


def _pythonpath() -> str:
    """The repository first, so ``app.py`` imports this ``rag`` even when not installed."""
    rest = os.environ.get("PYTHONPATH", "")
    return str(ROOT) + (os.pathsep + rest if rest else "")
