"""Fast tests of the in-process chat model's plumbing (``rag.llm.local_chat``) with a fake engine,
and of the prompt the chain gives a model that reuses source blocks. No model weights."""
from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser

from rag.llm.blocks import Part
from rag.llm.local_chat import BlockChat, chatml_parts


class FakeEngine:
    """Records what it is asked and replies word by word; notes when the reader stops it."""

    def __init__(self, reply: str = "Bloomberg a publié [S1]. Rien d'autre."):
        self.reply, self.calls, self.closed, self.warmed = reply, [], 0, []

    def generate(self, prefix, parts, max_tokens, stop=()):
        self.calls.append((prefix, list(parts), max_tokens, tuple(stop)))
        try:
            for word in self.reply.split(" ")[:max_tokens]:
                yield word + " "
        finally:
            self.closed += 1

    def warm(self, prefix, blocks):
        self.warmed.append((prefix, list(blocks)))
        return len(blocks)


def _messages():
    return [SystemMessage("Rules."),
            HumanMessage([{"type": "text", "text": "Sources:\n", "cache": "prefix"},
                          {"type": "text", "text": "[S2]"}, {"type": "text", "text": " (A)\nfirst\n\n", "cache": "block"},
                          {"type": "text", "text": "[S1]"}, {"type": "text", "text": " (B)\nsecond\n\n", "cache": "block"},
                          {"type": "text", "text": "Question: q?\n"}])]


def test_chatml_prefix_ends_at_the_marked_part_and_blocks_are_kept_apart():
    prefix, parts = chatml_parts(_messages())
    assert prefix == "<|im_start|>system\nRules.<|im_end|>\n<|im_start|>user\nSources:\n"
    assert parts == [Part("[S2]"), Part(" (A)\nfirst\n\n", True), Part("[S1]"), Part(" (B)\nsecond\n\n", True),
                     Part("Question: q?\n<|im_end|>\n<|im_start|>assistant\n")]


def test_plain_messages_have_no_prefix_and_one_part():
    prefix, parts = chatml_parts([HumanMessage("Translate: bonjour")])
    assert prefix == ""
    assert parts == [Part("<|im_start|>user\nTranslate: bonjour<|im_end|>\n<|im_start|>assistant\n")]


def test_stream_passes_the_answer_budget_and_stop_words():
    engine = FakeEngine()
    chat = BlockChat(engine=engine, max_tokens=3)
    assert chat.invoke(_messages()).content == "Bloomberg a publié "
    assert chat.bind(max_tokens=2).invoke(_messages(), stop=["\n"]).content == "Bloomberg a "
    assert [c[2] for c in engine.calls] == [3, 2] and engine.calls[1][3] == ("\n",)


def test_a_reader_that_stops_early_stops_the_engine():
    engine = FakeEngine()
    pieces = (BlockChat(engine=engine) | StrOutputParser()).stream(_messages())
    assert next(pieces) == "Bloomberg "
    pieces.close()
    assert engine.closed == 1


def test_warm_reads_only_the_blocks():
    engine = FakeEngine()
    assert BlockChat(engine=engine).warm(_messages()) == 2
    assert engine.warmed == [(chatml_parts(_messages())[0], [" (A)\nfirst\n\n", " (B)\nsecond\n\n"])]
