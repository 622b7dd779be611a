"""The llama.cpp server, reading every prompt from the same place whatever came before it.

``python -m rag.llm.serve ARGS`` runs ``llama_cpp.server`` with the same
arguments and one change to ``Llama.generate`` (``patch``): of the previous
request's cache only the prompt's first message is kept (the fixed system
prompt, up to its end-of-message token), and a prompt whose first message is
not in the cache has that message read on its own first (``align``). So a
prompt is always read in the same batches from the same position, and the same
prompt gives the same answer. Reusing the whole common prefix with the last
request, as llama-cpp-python does, made the answer depend on the question asked
before: llama.cpp's arithmetic differs slightly with where a batch starts, and
at temperature 0 that changed about one answer in thirty.

What it costs: a second try no longer reuses the sources it shares with the
first answer's prompt (they are read again), nor does a question asked twice.
Left out: a prompt without the end-of-message token (no chat template) is read
whole every time.
"""
from __future__ import annotations

from typing import Sequence

END_OF_MESSAGE = b"<|im_end|>"  # ChatML, the template the server is started with


def first_message(tokens: Sequence[int], end: int | None) -> int:
    """How many tokens the prompt's first message takes, its end-of-message token ``end`` included;
    0 when the prompt has none."""
    if end is None:
        return 0
    tokens = list(tokens)
    return tokens.index(end) + 1 if end in tokens else 0


def _end_token(llama) -> int | None:
    if not hasattr(llama, "_rag_end"):
        ids = llama.tokenize(END_OF_MESSAGE, add_bos=False, special=True)
        llama._rag_end = ids[0] if len(ids) == 1 else None
    return llama._rag_end


def align(llama, tokens: Sequence[int]) -> None:
    """Leaves in ``llama``'s cache the first message of ``tokens`` and nothing after it, reading that
    message alone if the cache does not start with it; with no first message, an empty cache."""
    fixed = first_message(tokens, _end_token(llama))
    if not 0 < fixed < len(tokens):
        llama.reset()
        return
    if llama.longest_token_prefix(list(llama._input_ids), list(tokens)) < fixed:
        llama.reset()
        llama.eval(list(tokens[:fixed]))
        return
    llama._ctx.kv_cache_seq_rm(-1, fixed, -1)
    llama.n_tokens = fixed


def patch(llama_class) -> None:
    """``llama_class.generate`` aligns the cache (``align``) before each prompt it reads anew."""
    original = llama_class.generate

    def generate(self, tokens, *args, **kwargs):
        tokens = list(tokens)
        if kwargs.get("reset", True):
            align(self, tokens)
        return original(self, tokens, *args, **kwargs)

    generate.__doc__ = original.__doc__
    llama_class.generate = generate


NO_REPACK = "--no_repack"  # ours, taken off before llama_cpp.server reads the arguments (``cpu.guard``)


def main() -> None:
    import sys

    import llama_cpp
    from llama_cpp.server.__main__ import main as serve

    from .cpu import guard

    repack = NO_REPACK not in sys.argv
    sys.argv = [a for a in sys.argv if a != NO_REPACK]
    guard(repack=repack)
    patch(llama_cpp.Llama)
    serve()


if __name__ == "__main__":
    main()
