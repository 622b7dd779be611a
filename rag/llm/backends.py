"""The chat model, whatever serves it: always ``langchain_openai.ChatOpenAI``.

Backend ``local`` talks to the shared llama.cpp server on loopback (started on
demand by ``rag.llm.server``); backend ``openai`` talks to api.openai.com or to
any OpenAI-compatible server named by ``OPENAI_BASE_URL`` (vLLM, Ollama, a
remote llama.cpp). Both get the same temperature, seed and answer budget, so a
chain built on one runs unchanged on the other. tiktoken is pointed at the
offline cache first so langchain-openai never downloads its BPE files.

Left out: other client libraries, retries beyond ChatOpenAI's own, and any
check that a remote server really has the named model (the first call tells).
"""
from __future__ import annotations

from urllib.parse import urlparse

from langchain_core.language_models import BaseChatModel

from rag.errors import ConfigError
from rag.llm.model_file import Progress
from rag.llm.server import HOST, ensure_server
from rag.settings import Settings
from rag.tokens import use_offline_cache


def make_chat_model(settings: Settings, *, streaming: bool = True, progress: Progress | None = None) -> BaseChatModel:
    """A ready chat model for ``settings.backend`` (starts the local server if needed)."""
    from langchain_openai import ChatOpenAI

    use_offline_cache(settings.tiktoken_dir)
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


def describe_backend(settings: Settings) -> str:
    """One line for people: which model answers, and where."""
    if settings.backend == "local":
        return f"local · {settings.model_name} (llama.cpp on {HOST}:{settings.llama_port})"
    host = urlparse(settings.openai_base_url).netloc if settings.openai_base_url else "api.openai.com"
    return f"openai · {settings.model_name} ({host or settings.openai_base_url})"
