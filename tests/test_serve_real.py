"""`rag serve` for real: the command in a subprocess, the e5-small embedder, the index on a `chroma run` server."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from rag.settings import ROOT

from .servers import chroma_server, free_port, wait_until_up

pytestmark = pytest.mark.slow


def test_rag_serve_on_a_chroma_server_answers_search_quote_and_health(tmp_path, sources):
    with chroma_server(tmp_path / "chroma") as chroma_url:
        port = free_port()
        env = {**os.environ, "RAG_CHROMA_URL": chroma_url, "RAG_EMBEDDER": "e5-small", "RAG_SOURCES_DIR": str(sources),
               "RAG_INDEX_DIR": str(tmp_path / "local"), "ANONYMIZED_TELEMETRY": "False"}
        log = open(tmp_path / "serve.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            health = wait_until_up(f"{url}/health", proc, tmp_path / "serve.log", 180)
            assert health.json()["index"] == "ok"
            r = httpx.post(f"{url}/search", json={"question": "Combien de bateaux passent ici ?", "k": 3}, timeout=60)
            assert r.status_code == 200 and r.json()["results"][0]["doc"] == "brest.txt"
            r = httpx.post(f"{url}/quote", json={"quote": "Je suis très fière de ce phare"}, timeout=60)
            assert r.json()["verdict"] == "verbatim"
            assert httpx.post(f"{url}/search", json={"question": " "}, timeout=10).status_code == 422
        finally:
            proc.terminate()
            proc.wait(30)
            log.close()
        assert not (tmp_path / "local" / "manifest.json").exists()  # the index lives on the server
