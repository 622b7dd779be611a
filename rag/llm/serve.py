"""The llama.cpp server, reading every prompt from the same place whatever came before it.

``python -m rag.llm.serve ARGS`` runs ``llama_cpp.server`` with the same
arguments and one change to ``Llama.generate`` (``patch``): of the previous
request's cache only the prompt's first message is kept (the fixed system
prompt, up to its end-of-message token), and a prompt whose first message is
not in the cache has that message read on its own first, or restored from a copy kept when it was
(``align``, ``Heads``). So a
prompt is always read in the same batches from the same position, and the same
prompt gives the same answer. Reusing the whole common prefix with the last
request, as llama-cpp-python does, made the answer depend on the question asked
before: llama.cpp's arithmetic differs slightly with where a batch starts, and
at temperature 0 that changed about one answer in thirty.

What it costs: a second try no longer reuses the sources it shares with the
first answer's prompt (they are read again), nor does a question asked twice. The
system prompt is no longer read again after a call without it (a translation):
about 0.7 s saved on the next answer.
Left out: a prompt without the end-of-message token (no chat template) is read
whole every time.

Second change (``MainThread``): llama.cpp's computations run on the process's main
thread, whichever of the server's worker threads asks for them. llama.cpp, built
with OpenMP, has its threads spin between two steps only while libgomp manages no
more threads than there are CPUs. The model is loaded on the main thread (a team of
threads) and the server answered from worker threads (a team each): on 2 CPUs the
threads then slept between steps and were woken, and the model wrote about 10.9
tokens a second instead of 14.8 (Intel Xeon 2-core, the same prompt read in the
main thread and in another). The HTTP server (uvicorn) runs in a thread beside it.
"""
from __future__ import annotations

import ctypes
import queue
import threading
from collections import OrderedDict
from concurrent.futures import Future
from typing import Callable, Sequence

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


class Heads:
    """The cache of the last few first messages, each as read alone from an empty cache (a copy of its
    key/value cells: 3-4 MB for the system prompt), so a prompt's first message is read once, not again
    after each call that had another one (the chain's translations have no system prompt)."""

    KEPT = 4

    def __init__(self):
        self._states: OrderedDict[tuple[int, ...], bytes] = OrderedDict()

    def restore(self, llama, head: Sequence[int]) -> bool:
        """Puts ``head``'s cells alone in ``llama``'s cache; False when none were kept or they do not fit."""
        import llama_cpp

        state = self._states.get(tuple(head))
        if state is None:
            return False
        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        buf = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
        if llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, buf, len(state), 0) != len(state):
            llama.reset()
            return False
        llama.input_ids[:len(head)] = head
        llama.n_tokens = len(head)
        llama._requires_eval = True  # what follows is read before anything is sampled
        self._states.move_to_end(tuple(head))
        return True

    def keep(self, llama, head: Sequence[int]) -> None:
        """Keeps a copy of the cells of ``head``, which ``llama``'s cache holds alone."""
        import llama_cpp

        size = llama_cpp.llama_state_seq_get_size(llama._ctx.ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        n = llama_cpp.llama_state_seq_get_data(llama._ctx.ctx, buf, size, 0)
        self._states[tuple(head)] = bytes(buf)[:n]
        while len(self._states) > self.KEPT:
            self._states.popitem(last=False)


def align(llama, tokens: Sequence[int]) -> None:
    """Leaves in ``llama``'s cache the first message of ``tokens`` and nothing after it: what it holds
    already, or a copy kept when that message was read alone (``Heads``), or the message read alone now;
    with no first message, an empty cache."""
    fixed = first_message(tokens, _end_token(llama))
    if not 0 < fixed < len(tokens):
        llama.reset()
        return
    if llama.longest_token_prefix(list(llama._input_ids), list(tokens)) < fixed:
        heads = llama.__dict__.setdefault("_rag_heads", Heads())
        head = list(tokens[:fixed])
        if not heads.restore(llama, head):
            llama.reset()
            llama.eval(head)
            heads.keep(llama, head)
        return
    llama._ctx.kv_cache_seq_rm(-1, fixed, -1)
    llama.n_tokens = fixed


class MainThread:
    """Runs calls on the main thread while it ``serve``s; until then (or on the main thread) a call runs
    where it is made. A call's exception is raised in the thread that made it."""

    def __init__(self):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._serving = False

    def call(self, fn: Callable, *args):
        if not self._serving or threading.current_thread() is threading.main_thread():
            return fn(*args)
        done: Future = Future()
        self._jobs.put((fn, args, done))
        return done.result()

    def serve(self, thread: threading.Thread) -> None:
        """Starts ``thread`` and runs the calls asked for from other threads, one at a time, until it ends."""
        self._serving = True
        try:
            thread.start()
            while thread.is_alive():
                try:
                    fn, args, done = self._jobs.get(timeout=0.2)
                except queue.Empty:
                    continue
                self._run(fn, args, done)
        finally:
            self._serving = False
            while not self._jobs.empty():  # asked for just as serving ended: run, so no thread waits forever
                self._run(*self._jobs.get())

    @staticmethod
    def _run(fn, args, done: Future) -> None:
        try:
            done.set_result(fn(*args))
        except BaseException as e:  # handed to the thread that asked; an interrupt stops the server too
            done.set_exception(e)
            if not isinstance(e, Exception):
                raise


MAIN = MainThread()


def patch(llama_class) -> None:
    """``llama_class.generate`` aligns the cache (``align``) before each prompt it reads anew, and
    ``llama_class.eval`` (every computation of the model) runs on the main thread (``MAIN``)."""
    original, original_eval = llama_class.generate, llama_class.eval

    def generate(self, tokens, *args, **kwargs):
        tokens = list(tokens)
        if kwargs.get("reset", True):
            align(self, tokens)
        return original(self, tokens, *args, **kwargs)

    def eval(self, tokens):
        return MAIN.call(original_eval, self, tokens)

    generate.__doc__, eval.__doc__ = original.__doc__, original_eval.__doc__
    llama_class.generate, llama_class.eval = generate, eval


def beside_main(run: Callable) -> Callable:
    """``run`` (``uvicorn.run``) started in a thread of its own, the main thread serving ``MAIN`` until
    it ends."""
    def run_beside(*args, **kwargs):
        MAIN.serve(threading.Thread(target=run, args=args, kwargs=kwargs, name="http", daemon=True))
    return run_beside


NO_REPACK = "--no_repack"  # ours, taken off before llama_cpp.server reads the arguments (``cpu.guard``)


def main() -> None:
    import sys

    import llama_cpp
    import uvicorn
    from llama_cpp.server.__main__ import main as serve

    from .cpu import guard

    repack = NO_REPACK not in sys.argv
    sys.argv = [a for a in sys.argv if a != NO_REPACK]
    guard(repack=repack)
    patch(llama_cpp.Llama)
    uvicorn.run = beside_main(uvicorn.run)
    serve()


if __name__ == "__main__":
    main()
