"""The in-process local model as a LangChain chat model (``BlockChat``).

Messages are laid out with Qwen2.5's ChatML template. A message's content may be
a list of text parts; a part with ``"cache": "prefix"`` ends the fixed prefix
(everything up to it is read once and kept), and a part with ``"cache": "block"``
is a source block whose cache is reused across questions (``blocks.BlockEngine``).
Plain string contents are read as they are.

Left out: tool calls, images, log-probabilities; ``stop`` sequences are honoured.
"""
from __future__ import annotations

from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from rag.llm.blocks import Part

ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def chatml_parts(messages: list[BaseMessage]) -> tuple[str, list[Part]]:
    """(the fixed prefix, the parts after it) of the ChatML prompt for ``messages``."""
    pieces: list[tuple[str, str | None]] = []
    for m in messages:
        pieces.append((f"<|im_start|>{ROLES.get(m.type, m.type)}\n", None))
        if isinstance(m.content, str):
            pieces.append((m.content, None))
        else:
            for c in m.content:
                text = c if isinstance(c, str) else c.get("text", "")
                pieces.append((text, None if isinstance(c, str) else c.get("cache")))
        pieces.append(("<|im_end|>\n", None))
    pieces.append(("<|im_start|>assistant\n", None))
    end = max((i + 1 for i, (_, flag) in enumerate(pieces) if flag == "prefix"), default=0)
    prefix = "".join(text for text, _ in pieces[:end])
    parts: list[Part] = []
    for text, flag in pieces[end:]:
        if flag == "block":
            parts.append(Part(text, cache=True))
        elif parts and not parts[-1].cache:
            parts[-1] = Part(parts[-1].text + text)
        else:
            parts.append(Part(text))
    return prefix, parts


class BlockChat(BaseChatModel):
    """Chat model over a shared ``BlockEngine``; greedy, so temperature and seed do not apply."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    engine: Any = Field(exclude=True)
    model_name: str = "qwen2.5-coder-1.5b-instruct"
    max_tokens: int = 160
    caches_blocks: bool = True

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-blocks"

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        prefix, parts = chatml_parts(messages)
        pieces = self.engine.generate(prefix, parts, int(kwargs.get("max_tokens") or self.max_tokens), stop or ())
        try:
            for piece in pieces:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if run_manager:
                    run_manager.on_llm_new_token(piece, chunk=chunk)
                yield chunk
        finally:
            pieces.close()   # frees the engine at once when the reader stops early

    def warm(self, messages: list[BaseMessage]) -> int:
        """Reads the source blocks of ``messages`` ahead of time; returns how many were new."""
        prefix, parts = chatml_parts(messages)
        return self.engine.warm(prefix, [p.text for p in parts if p.cache])

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
