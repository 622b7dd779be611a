"""One typed settings object, read from ``RAG_*`` environment variables.

Build it once at an edge (CLI, app, tests) and pass it down; nothing deeper in
the package reads the environment. ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``
are read under their usual names for the OpenAI backend.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


def _cache_home() -> Path:
    return Path.home() / ".cache" / "rag"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    # where things are
    sources_dir: Path = Field(ROOT / "index" / "sources", description="folder of source documents")
    index_dir: Path | None = Field(None, description="where the built index lives (default index/store/EMBEDDER)")
    cache_dir: Path = Field(default_factory=_cache_home, description="model files and tiktoken cache")
    prompts_dir: Path = Field(ROOT / "prompts", description="prompt templates")
    removed_dir: Path | None = Field(None, description="where removed documents are moved (default: "
                                                       "a 'removed' folder beside the sources folder)")

    # adding documents (rag add, the app's upload)
    max_file_mb: float = Field(20, gt=0, description="largest source file read or added, in MB")
    max_batch_mb: float = Field(100, gt=0, description="largest total of one batch of added files, in MB")

    # retrieval
    embedder: Literal["e5-small", "embeddinggemma", "openai"] = Field("embeddinggemma", description="embedding model")
    chroma_url: str | None = Field(None, description="a Chroma server (http://host:port); embedded if unset")
    chroma_collection: str = Field("rag", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,60}$",
                                   description="name prefix of the index's collections on a Chroma server")
    top_k: int = Field(10, ge=1, le=100, description="paragraphs returned by search")
    chunk_tokens: int = Field(300, ge=50, description="token budget of one embedded piece")
    translate: bool = Field(False, description="also render a foreign-language question in the documents' language "
                                                "(one model call before retrieval)")
    context_tokens: int = Field(900, ge=60, description="token budget of the sources given to the chat model")
    retry_sources: int = Field(2, ge=0, description="when the answer does not hold up, ask once more with only "
                                                    "this many best sources (0: never)")

    # answering
    backend: Literal["local", "openai"] = Field("local", description="chat model backend")
    chat_model: str = Field("", description="chat model name (defaults per backend)")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    seed: int = 7
    max_answer_tokens: int = Field(160, ge=16)
    local_engine: Literal["server", "blocks"] = Field(
        "server", description="how the local model runs: as a shared OpenAI-compatible llama.cpp server on "
                              "loopback (server), or in this process, reusing each source's cache (blocks)")
    block_relink: int = Field(32, ge=0, le=512, description="blocks engine: tokens at the start of each cached "
                              "source read again after the sources before it (0 = none; more = closer to reading "
                              "everything, and slower)")
    llama_repack: Literal["auto", "on", "off"] = Field(
        "auto", description="llama.cpp's weight layouts (off: its --no-repack); auto times the repacked and plain "
                            "layouts, and Q8_0 weights where llama.cpp has AMX kernels, once on this CPU and keeps "
                            "the fastest (rag/llm/layout.py)")
    llama_port: int = Field(8765, description="loopback port of the local model server")
    llama_threads: int = Field(2, ge=1)
    openai_api_key: str | None = Field(None, validation_alias=AliasChoices("OPENAI_API_KEY", "RAG_OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=AliasChoices("OPENAI_BASE_URL", "RAG_OPENAI_BASE_URL"))
    openai_embedding_model: str = "text-embedding-3-small"

    @model_validator(mode="after")
    def _default_index_dir(self) -> "Settings":
        if self.index_dir is None:  # one index per embedder, so switching back and forth costs nothing
            self.index_dir = ROOT / "index" / "store" / self.embedder
        if self.removed_dir is None:
            self.removed_dir = self.sources_dir.parent / "removed"
        return self

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_batch_bytes(self) -> int:
        return int(self.max_batch_mb * 1024 * 1024)

    @property
    def blocks_engine(self) -> bool:
        """True when the local model runs in this process, reusing each source's cache (``local_engine=blocks``)."""
        return self.backend == "local" and self.local_engine == "blocks"

    @property
    def tiktoken_dir(self) -> Path:
        return self.cache_dir / "tiktoken"

    @property
    def model_name(self) -> str:
        if self.chat_model:
            return self.chat_model
        return "qwen2.5-coder-1.5b-instruct" if self.backend == "local" else "gpt-4o-mini"


def invalid_setting(e: ValidationError) -> str:
    """One sentence naming the first setting the environment got wrong, and what is wrong with it."""
    first = e.errors()[0]
    where = ".".join(str(x) for x in first.get("loc", ())) or "a setting"
    return f"the setting {where} is invalid ({first.get('msg', 'bad value')}); check your RAG_* variables."
