"""``rag serve``: the HTTP API on uvicorn, with the index checked and the engine warmed first.

The index is brought up to date (or built) before the port opens, and the
embedder and retrieval are loaded, so the first request is not the slow one and
``/health`` says ``ok`` from the start. One process, one worker: the engine is
shared by all requests (see ``rag.api`` for how they take turns). Ctrl-C stops
it. What this leaves out: several worker processes (each would load its own
embedder; run several ``rag serve`` behind a proxy on one Chroma server instead).
"""
from __future__ import annotations

import socket
import sys

from .errors import ConfigError


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise ConfigError(f"Cannot listen on {host}:{port} ({e.strerror}): choose another with --port.") from e


def serve(engine, host: str = "127.0.0.1", port: int = 8000, log_level: str = "warning") -> int:
    import uvicorn

    from .api import create_app

    _check_port(host, port)  # before the slow part
    report = engine.ensure_index()
    for w in report.get("warnings", []):
        print(f"warning: {w}", file=sys.stderr)
    engine.retriever  # load BM25 and the collection now, not on the first request
    print(f"Serving {report['paragraphs']} paragraphs on http://{host}:{port} "
          f"(OpenAPI at /docs); Ctrl-C stops.", file=sys.stderr, flush=True)
    uvicorn.run(create_app(engine), host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
    return 0
