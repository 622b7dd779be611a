"""The local model in-process, with each source paragraph read once and reused.

On 2 cores llama.cpp reads 35-75 prompt tokens a second (by CPU), so the ~500
tokens of sources cost 7-15 s before the first answer token. But the sources are
the same paragraphs question after question. Here a prompt is a list of parts; a
part marked ``cache`` (a source block) is read once, right after the fixed prefix
(system prompt and the start of the user message), and its key/value cache is
kept (in memory, and on disk under ``cache_dir``). At question time each block's
cache is copied into place and its positions shifted to where it now sits (the
RoPE shift llama.cpp uses for context shifting); only the short parts between
blocks (the keys), the first ``relink`` tokens of each block, the question and
the template's tail are read.

The approximation: the rest of a block attends to the prefix and to its own
first tokens, not to the blocks before it (the relinked tokens, the question and
the answer attend to everything). This is the "prompt cache" / block-attention
idea; what it costs in answer quality is measured in the README.

Left out: sampling other than greedy (answers are deterministic, temperature 0),
batching several requests (requests take turns under a lock), pruning the disk
cache (a changed prompt or paragraph leaves its old blocks there), GPUs.
"""
from __future__ import annotations

import codecs
import ctypes
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

PREFIX, WORK, TEMP = 0, 1, 2   # sequence ids: the fixed prefix, the answer being built, a block being moved
BATCH = 512


@dataclass(frozen=True)
class Part:
    text: str
    cache: bool = False   # a source block: read once after the prefix, then reused


class BlockEngine:
    """Greedy generation over prompts made of parts; blocks' caches are kept and reused."""

    def __init__(self, model_path: Path, *, n_ctx: int = 4096, threads: int = 2,
                 cache_dir: Path | None = None, max_blocks: int = 128, relink: int = 32,
                 repack: bool = True):
        import llama_cpp
        from llama_cpp import llama_cpp as C

        from .cpu import guard

        guard(repack=repack)  # without repacking, every model this process loads after it (``cpu``)
        self.C = C
        self._llm = llama_cpp.Llama(str(model_path), n_ctx=64, n_threads=threads, n_threads_batch=threads,
                                    use_mmap=not repack,  # repacked weights are copies (``server``)
                                    verbose=False)  # the model and tokenizer; its own tiny context is unused
        params = C.llama_context_default_params()
        params.n_ctx, params.n_batch, params.n_ubatch = n_ctx, BATCH, BATCH
        params.n_threads, params.n_threads_batch = threads, threads
        params.n_seq_max, params.kv_unified = 3, True
        self.ctx = C.llama_init_from_model(self._llm._model.model, params)
        if not self.ctx:
            raise RuntimeError("llama.cpp could not create a context")
        self.mem = C.llama_get_memory(self.ctx)
        self.vocab = C.llama_model_get_vocab(self._llm._model.model)
        self.n_vocab = C.llama_vocab_n_tokens(self.vocab)
        self.n_ctx = n_ctx
        self._batch = C.llama_batch_init(BATCH, 0, 1)
        self._prefix: list[int] = []
        self._blocks: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._max_blocks = max_blocks
        self._model_id = hashlib.sha256(f"{model_path.name}:{model_path.stat().st_size}:"
                                        f"{llama_cpp.__version__}:{n_ctx}".encode()).hexdigest()[:16]
        self._disk = (cache_dir / self._model_id) if cache_dir else None
        self.relink = relink   # a block's first tokens are read again after what precedes it
        self.lock = threading.Lock()
        self.stats = {"read": 0, "reused": 0}  # prompt tokens read vs. taken from block caches

    # -- tokens ---------------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def _piece(self, token: int) -> bytes:
        buf = ctypes.create_string_buffer(64)
        n = self.C.llama_token_to_piece(self.vocab, token, buf, 64, 0, False)
        return buf.raw[:n] if n > 0 else b""

    # -- the KV cache ---------------------------------------------------------------
    def _decode(self, tokens: Sequence[int], seq: int, start: int, want_logits: bool = False,
                prompt: bool = True) -> None:
        for i in range(0, len(tokens), BATCH):
            chunk = tokens[i:i + BATCH]
            b = self._batch
            b.n_tokens = len(chunk)
            for j, t in enumerate(chunk):
                b.token[j], b.pos[j], b.n_seq_id[j] = t, start + i + j, 1
                b.seq_id[j][0] = seq
                b.logits[j] = want_logits and i + j == len(tokens) - 1
            if self.C.llama_decode(self.ctx, b) != 0:
                raise RuntimeError("llama.cpp failed to read the prompt (context full?)")
        if prompt:
            self.stats["read"] += len(tokens)

    def _ensure_prefix(self, tokens: list[int]) -> None:
        if tokens == self._prefix:
            return
        self.C.llama_memory_seq_rm(self.mem, PREFIX, -1, -1)
        self._prefix = []
        self._decode(tokens, PREFIX, 0)
        self._prefix = tokens

    def _block_state(self, tokens: list[int]) -> tuple[int, bytes]:
        """The saved cache of a block read right after the prefix (computed once)."""
        key = hashlib.sha256(np.asarray(self._prefix + [-1] + tokens, dtype=np.int32).tobytes()).hexdigest()
        hit = self._blocks.get(key)
        if hit is None and self._disk and (self._disk / key).is_file():
            hit = (len(tokens), (self._disk / key).read_bytes())
        if hit is None:
            C, p = self.C, len(self._prefix)
            C.llama_memory_seq_rm(self.mem, TEMP, -1, -1)
            C.llama_memory_seq_cp(self.mem, PREFIX, TEMP, -1, -1)
            self._decode(tokens, TEMP, p)
            C.llama_memory_seq_rm(self.mem, TEMP, 0, p)       # keep only the block's own cells
            size = C.llama_state_seq_get_size(self.ctx, TEMP)
            buf = (ctypes.c_uint8 * size)()
            C.llama_state_seq_get_data(self.ctx, buf, size, TEMP)
            C.llama_memory_seq_rm(self.mem, TEMP, -1, -1)
            hit = (len(tokens), bytes(buf))
            if self._disk:
                self._disk.mkdir(parents=True, exist_ok=True)
                tmp = self._disk / f"{key}.tmp"
                tmp.write_bytes(hit[1])
                tmp.replace(self._disk / key)
        else:
            self.stats["reused"] += hit[0]
        self._blocks[key] = hit
        self._blocks.move_to_end(key)
        while len(self._blocks) > self._max_blocks:
            self._blocks.popitem(last=False)
        return hit

    def _place_block(self, tokens: list[int], at: int, skip: int = 0) -> None:
        """Copy a block's cache, without its first ``skip`` tokens, into the answer's sequence at ``at``."""
        C = self.C
        _, state = self._block_state(tokens)
        buf = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
        if C.llama_state_seq_set_data(self.ctx, buf, len(state), TEMP) == 0:
            raise RuntimeError("llama.cpp could not load a cached source block")
        p = len(self._prefix)
        if skip:
            C.llama_memory_seq_rm(self.mem, TEMP, p, p + skip)
        C.llama_memory_seq_add(self.mem, TEMP, -1, -1, at - p - skip)
        C.llama_memory_seq_cp(self.mem, TEMP, WORK, -1, -1)
        C.llama_memory_seq_rm(self.mem, TEMP, -1, -1)

    def warm(self, prefix: str, blocks: Sequence[str]) -> int:
        """Read ``blocks`` after ``prefix`` ahead of time; returns how many were not cached yet."""
        with self.lock:
            self._ensure_prefix(self.tokenize(prefix))
            new = 0
            for text in blocks:
                before = self.stats["read"]
                self._block_state(self.tokenize(text))
                new += self.stats["read"] > before
            return new

    # -- generation -----------------------------------------------------------------
    def generate(self, prefix: str, parts: Sequence[Part], max_tokens: int,
                 stop: Sequence[str] = ()) -> Iterator[str]:
        """Greedy tokens for ``prefix`` (kept across calls when unchanged) followed by ``parts``."""
        with self.lock:
            yield from self._generate(prefix, list(parts), max_tokens, stop)

    def _generate(self, prefix: str, parts: list[Part], max_tokens: int, stop: Sequence[str]) -> Iterator[str]:
        C = self.C
        head = self.tokenize(prefix) if prefix else []
        if not head and any(p.cache for p in parts):
            raise ValueError("cached blocks need a fixed prefix to be read after")
        body = [(self.tokenize(p.text), p.cache) for p in parts]
        total = len(head) + sum(len(t) for t, _ in body) + max_tokens
        if total > self.n_ctx:
            raise ValueError(f"the prompt and answer ({total} tokens) do not fit the model's context ({self.n_ctx})")
        C.llama_memory_seq_rm(self.mem, WORK, -1, -1)
        pos = 0
        if head:
            self._ensure_prefix(head)
            C.llama_memory_seq_cp(self.mem, PREFIX, WORK, -1, -1)
            pos = len(head)
        pending: list[int] = []
        for toks, cache in body:
            k = min(self.relink, len(toks))
            if not cache or k == len(toks):   # text, or a block with nothing left to reuse: read it
                pending += toks
                continue
            self._decode(pending + toks[:k], WORK, pos)   # the key and the block's first tokens, read live
            pos += len(pending) + k
            pending = []
            self._place_block(toks, pos, k)
            pos += len(toks) - k
        if not pending:
            raise ValueError("a prompt must end with text to read, not a cached block")
        self._decode(pending, WORK, pos, want_logits=True)
        pos += len(pending)
        utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = ""
        try:
            for _ in range(max_tokens):
                logits = np.ctypeslib.as_array(C.llama_get_logits_ith(self.ctx, -1), shape=(self.n_vocab,))
                token = int(np.argmax(logits))
                if C.llama_vocab_is_eog(self.vocab, token):
                    break
                piece = utf8.decode(self._piece(token))
                text += piece
                hit = next((s for s in stop if s in text), None)
                if hit is not None:
                    cut = text.index(hit)
                    if cut > len(text) - len(piece):
                        yield piece[:cut - (len(text) - len(piece))]
                    break
                if piece:
                    yield piece
                self._decode([token], WORK, pos, want_logits=True, prompt=False)
                pos += 1
        finally:
            C.llama_memory_seq_rm(self.mem, WORK, -1, -1)

    def close(self) -> None:
        if self.ctx:
            self.C.llama_batch_free(self._batch)
            self.C.llama_free(self.ctx)
            self.ctx = None
        self._llm.close()
