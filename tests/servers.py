"""Real servers the integration tests start on loopback: a Chroma server, the API on uvicorn.

Each listens on a free port of 127.0.0.1 and stops when the test module is done.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_binary() -> str:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else (shutil.which("chroma") or "chroma")


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> httpx.Response:
    """Poll ``url`` until it answers 200 (returned); fail with the end of ``log`` if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            r = httpx.get(url, timeout=2)
            if r.status_code == 200:
                return r
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{url} did not come up (exit code {proc.poll()}): {log.read_text()[-2000:]}")
        time.sleep(0.3)


@contextmanager
def chroma_server(data: Path):
    """A `chroma run` on a free loopback port with its data in ``data``; yields its URL."""
    port = free_port()
    log = open(data.parent / "chroma.log", "wb")
    proc = subprocess.Popen([chroma_binary(), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/api/v2/heartbeat", proc, data.parent / "chroma.log", 60)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def api_server(app):
    """The ASGI ``app`` on uvicorn in a thread, on a free loopback port; yields its base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", limit_concurrency=1000, backlog=2048))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@contextmanager
def streamlit_app(env: dict, log_path: Path, timeout: float = 90):
    """``streamlit run app.py`` with ``env`` on a free loopback port; yields its base URL. The end of
    its log is printed when it stops (pytest shows it for a failing test)."""
    from rag.settings import ROOT

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true", "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"],
                            cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"{url}/_stcore/health", proc, log_path, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        print(log_path.read_text()[-3000:])
