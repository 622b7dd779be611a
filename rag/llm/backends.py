"""The chat model, whatever serves it.

Backend ``local`` talks through ``langchain_openai.ChatOpenAI`` to the shared
llama.cpp server on loopback (started on demand by ``rag.llm.server``), or, with
``local_engine=blocks``, runs the model in this process (``BlockChat``, which
reuses each source paragraph's cache across questions); backend ``openai`` talks to api.openai.com or to
any OpenAI-compatible server named by ``OPENAI_BASE_URL`` (vLLM, Ollama, a
remote llama.cpp). Both get the same temperature, seed and answer budget, so a
chain built on one runs unchanged on the other. tiktoken is pointed at the
offline cache first so langchain-openai never downloads its BPE files.

Left out: other client libraries, retries beyond ChatOpenAI's own, and any
check that a remote server really has the named model (the first call tells).
"""
from __future__ import annotations

import atexit
import threading
from urllib.parse import urlparse

from langchain_core.language_models import BaseChatModel

from rag.errors import ConfigError, ModelError
from rag.llm import layout
from rag.llm.model_file import Progress, ensure_model
from rag.llm.server import HOST, N_CTX, ensure_server
from rag.settings import Settings
from rag.tokens import use_offline_cache


def make_chat_model(settings: Settings, *, streaming: bool = True, progress: Progress | None = None) -> BaseChatModel:
    """A ready chat model for ``settings.backend`` (starts the local server if needed)."""
    from langchain_openai import ChatOpenAI

    use_offline_cache(settings.tiktoken_dir)
    if settings.blocks_engine:
        from rag.llm.local_chat import BlockChat

        return BlockChat(engine=block_engine(settings, progress), model_name=settings.model_name,
                         max_tokens=settings.max_answer_tokens)
    if settings.backend == "local":
        base_url, api_key, retries = ensure_server(settings, progress), "local", 1
    elif settings.backend == "openai":
        if not settings.openai_api_key:
            raise ConfigError(
                "The openai backend needs an API key: set OPENAI_API_KEY "
                "(any non-empty value for a server that does not check keys)."
            )
        base_url, api_key, retries = settings.openai_base_url, settings.openai_api_key, 2
    else:  # pragma: no cover - Settings validates the literal
        raise ConfigError(f"Unknown chat backend {settings.backend!r}; use local or openai.")
    return ChatOpenAI(
        model=settings.model_name,
        base_url=base_url,
        api_key=api_key,
        temperature=settings.temperature,
        seed=settings.seed,
        max_tokens=settings.max_answer_tokens,
        streaming=streaming,
        max_retries=retries,
        timeout=300,
    )


_ENGINES: dict[tuple, object] = {}
_ENGINES_LOCK = threading.Lock()


@atexit.register
def _close_engines() -> None:
    """Frees the models before the interpreter tears llama.cpp's bindings down."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.close()
        _ENGINES.clear()


def block_engine(settings: Settings, progress: Progress | None = None):
    """The process's in-process engine for the local model (loaded once, shared by every chain)."""
    from rag.llm.blocks import BlockEngine

    chosen = layout.choose(settings, ensure_model(settings.cache_dir, progress))
    path = chosen.path
    key = (str(path), settings.llama_threads, settings.block_relink, chosen.repack)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            try:
                _ENGINES[key] = BlockEngine(path, n_ctx=N_CTX, threads=settings.llama_threads,
                                            cache_dir=settings.cache_dir / "blocks", relink=settings.block_relink,
                                            repack=chosen.repack)
            except (OSError, RuntimeError, ValueError) as e:
                raise ModelError(f"The local model could not be loaded from {path} ({e}).") from e
        return _ENGINES[key]


def describe_backend(settings: Settings) -> str:
    """One line for people: which model answers, and where."""
    if settings.blocks_engine:
        return f"local · {settings.model_name} (llama.cpp in this process)"
    if settings.backend == "local":
        return f"local · {settings.model_name} (llama.cpp on {HOST}:{settings.llama_port})"
    host = urlparse(settings.openai_base_url).netloc if settings.openai_base_url else "api.openai.com"
    return f"openai · {settings.model_name} ({host or settings.openai_base_url})"
