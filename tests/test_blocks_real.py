"""The in-process engine with the real local model: cached source blocks (slow; CI runs it).

What a reader of ``rag/llm/blocks.py`` must be able to trust: a block read from
its cache is the block read again (exactly, where nothing precedes it), blocks
moved to other positions still read right, the caches are reused and kept on
disk, and an answer stopped early frees the engine. The engine here runs the
plain weight layout (no extra buffer types). On the Intel Xeon, with llama.cpp's AMX
kernels (``rag/llm/layout.py``), the first test's cached block read only nearly the same
("Bloomberg published the transcript." where the plain read gave "Bloomberg"): their
results depend on how a text is cut into reads (a one-token read takes another kernel).
"""
from __future__ import annotations

import pytest

from rag.llm.blocks import BlockEngine, Part
from rag.llm.model_file import ensure_model
from rag.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PREFIX = ("<|im_start|>system\nYou answer questions using only the sources.<|im_end|>\n"
          "<|im_start|>user\nSources:\n")
CALL = " (Le Monde, 2025-11-26)\nLe 14 octobre, Steve Witkoff a appelé Iouri Ouchakov au sujet du plan de paix.\n\n"
LEAK = " (Bloomberg, 2025-11-25)\nBloomberg a publié la transcription de l'appel, transmise par une source anonyme.\n\n"


def tail(question: str) -> str:
    return f"Question: {question}\nAnswer in English.<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def model_path():
    return ensure_model(Settings().cache_dir)


@pytest.fixture(scope="module")
def engine(model_path, tmp_path_factory):
    eng = BlockEngine(model_path, cache_dir=tmp_path_factory.mktemp("blocks"), relink=0, repack=False)
    yield eng
    eng.close()


def answer(eng: BlockEngine, prefix: str, parts: list[Part], n: int = 24) -> str:
    return "".join(eng.generate(prefix, parts, n))


def test_a_block_right_after_the_prefix_reads_exactly_as_plain_text(engine):
    plain = answer(engine, "", [Part(PREFIX + "[S1]" + LEAK + tail("Who published the transcript?"))])
    cached = answer(engine, PREFIX, [Part("[S1]"), Part(LEAK, cache=True), Part(tail("Who published the transcript?"))])
    again = answer(engine, PREFIX, [Part("[S1]"), Part(LEAK, cache=True), Part(tail("Who published the transcript?"))])
    assert "Bloomberg" in plain
    assert cached == plain == again


def test_blocks_moved_after_others_still_read_right(engine):
    q = tail("Who published the transcript, and whom did Witkoff call?")
    first = answer(engine, PREFIX, [Part("[S2]"), Part(CALL, cache=True), Part("[S1]"), Part(LEAK, cache=True), Part(q)], 40)
    swapped = answer(engine, PREFIX, [Part("[S2]"), Part(LEAK, cache=True), Part("[S1]"), Part(CALL, cache=True), Part(q)], 40)
    for text in (first, swapped):  # a block at the wrong positions reads as noise
        assert "Bloomberg" in text and ("Ouchakov" in text or "Ushakov" in text)


def test_an_answer_does_not_depend_on_what_was_asked_before(engine):
    q = [Part("[S2]"), Part(CALL, cache=True), Part("[S1]"), Part(LEAK, cache=True), Part(tail("Whom did Witkoff call?"))]
    first = answer(engine, PREFIX, q, 32)
    answer(engine, PREFIX, [Part("[S1]"), Part(CALL, cache=True), Part(tail("Who published the transcript?"))], 8)
    assert answer(engine, PREFIX, q, 32) == first


def test_cached_blocks_are_not_read_again(engine):
    parts = [Part("[S2]"), Part(CALL, cache=True), Part("[S1]"), Part(LEAK, cache=True), Part(tail("Who called?"))]
    answer(engine, PREFIX, parts, 4)
    read, reused = engine.stats["read"], engine.stats["reused"]
    answer(engine, PREFIX, parts, 4)
    live = len(engine.tokenize("[S2]")) + len(engine.tokenize("[S1]")) + len(engine.tokenize(tail("Who called?")))
    assert engine.stats["read"] - read == live   # the keys and the question only
    assert engine.stats["reused"] - reused == len(engine.tokenize(CALL)) + len(engine.tokenize(LEAK))


def test_relinked_tokens_are_read_after_what_precedes_them(engine):
    parts = [Part("[S2]"), Part(CALL, cache=True), Part("[S1]"), Part(LEAK, cache=True), Part(tail("Who called?"))]
    answer(engine, PREFIX, parts, 1)
    engine.relink = 8
    try:
        read = engine.stats["read"]
        assert "Witkoff" in answer(engine, PREFIX, parts, 8)
        live = len(engine.tokenize("[S2]")) + len(engine.tokenize("[S1]")) + len(engine.tokenize(tail("Who called?")))
        assert engine.stats["read"] - read == live + 2 * 8
    finally:
        engine.relink = 0


def test_block_caches_are_kept_on_disk(engine, model_path):
    engine.warm(PREFIX, [CALL, LEAK])
    other = BlockEngine(model_path, cache_dir=engine._disk.parent, relink=0, repack=False)
    try:
        assert other.warm(PREFIX, [CALL, LEAK]) == 0
        assert other.warm(PREFIX, [CALL.replace("14 octobre", "15 octobre")]) == 1
    finally:
        other.close()


def test_an_answer_stopped_early_frees_the_engine(engine):
    parts = [Part("[S1]"), Part(LEAK, cache=True), Part(tail("Who published the transcript?"))]
    pieces = engine.generate(PREFIX, parts, 24)
    next(pieces)
    pieces.close()
    assert engine.lock.acquire(timeout=1)
    engine.lock.release()
    assert "Bloomberg" in answer(engine, PREFIX, parts)


def test_a_prompt_too_long_for_the_context_is_refused(engine):
    with pytest.raises(ValueError, match="do not fit"):
        answer(engine, "", [Part("mot " * 5000)])


def test_the_whole_chain_answers_with_the_blocks_engine():
    from rag.engine import Engine

    eng = Engine(Settings(embedder="e5-small", local_engine="blocks"))
    assert eng.warm_answers() >= 0
    model = eng.chat_model.engine
    a = eng.ask("Quels missiles Zelensky a-t-il demandés à la Maison-Blanche ?")
    assert not a.abstained and "tomahawk" in a.text.lower()
    assert any("Tomahawk" in c.paragraph.text for c in a.citations)
    read = model.stats["read"]
    eng.ask("Quels missiles Zelensky a-t-il demandés à la Maison-Blanche ?")
    assert model.stats["read"] - read < 300   # the paragraphs were not read again, only keys, starts and question
