"""The chat page: questions, streamed answers, numbered citations tied to source cards.

History lives in ``st.session_state["chat"]``: ``{"role": "user", "text": …}``
and ``{"role": "assistant", "answer": Answer, "tokens": n}`` (or ``"error"``).
A new question streams: the retrieved paragraphs are listed as soon as the
engine reports them, the raw answer streams under the question, then the
checked answer (markers ``[1]``… linking to the cards) replaces it.
"""
from __future__ import annotations

import streamlit as st

from . import components as ui
from .state import documents_by_name, get_engine, guard, prepare_model

DOING = {"second_try": "the answer did not hold up: reading the best paragraphs again…",
         "translating": "translating the answer…"}
HISTORY = "chat"
PENDING = "chat_pending"
EXAMPLES = ["Qui a publié les enregistrements ?",
            "What did Witkoff say would make everyone jump for joy?",
            "Quel plan de paix Witkoff a-t-il évoqué ?"]


def history() -> list[dict]:
    return st.session_state.setdefault(HISTORY, [])


def conversation() -> list[tuple[str, str]]:
    """The history as ``(role, text)`` pairs, as the engine wants it for follow-ups."""
    out = []
    for m in history():
        if m["role"] == "user":
            out.append(("user", m["text"]))
        elif m.get("answer") is not None:
            out.append(("assistant", m["answer"].text))
    return out


def _ask_example(question: str) -> None:
    st.session_state[PENDING] = question


def render_answer(answer, mid: str, docs: dict) -> None:
    """A finished answer: an info box when it abstains, else the text, source cards, timings."""
    if answer.abstained:
        st.info(answer.text, icon=":material/info:")
        return
    ui.show(ui.answer_html(answer.text, mid, {c.n for c in answer.citations}))
    for c in answer.citations:
        doc = docs.get(c.paragraph.doc)
        ui.show(ui.source_card(c.n, c.paragraph, doc, c.sentence, anchor=f"src-{mid}-{c.n}"))
        st.code(ui.citation_string(doc, c.paragraph), language=None, wrap_lines=True)
    t = answer.timings or {}
    if t.get("total") is not None:
        first = f" · first words after {t['first_token']:.1f} s" if t.get("first_token") else ""
        st.caption(f"Sources in {t.get('sources', 0):.1f} s{first} · done in {t['total']:.1f} s")
    if answer.sources:
        with st.expander(f"All retrieved paragraphs ({len(answer.sources)})"):
            ui.show(ui.source_chips(answer.sources, docs))


def _render_message(m: dict, mid: str, docs: dict) -> None:
    with st.chat_message(m["role"]):
        if m["role"] == "user":
            st.text(m["text"])
        elif m.get("error"):
            st.error(m["error"])
        else:
            render_answer(m["answer"], mid, docs)


def _stream(engine, question: str, past: list[tuple[str, str]], mid: str, docs: dict) -> dict:
    """Ask, showing sources then tokens as they come; returns the history entry."""
    entry: dict = {"role": "assistant", "answer": None, "tokens": 0}
    answer_slot, sources_slot = st.empty(), st.empty()
    found: list = []

    def show_sources(doing: str) -> None:
        with sources_slot.container():
            st.caption(f"Found {len(found)} paragraph(s); {doing}")
            ui.show(ui.source_chips(found, docs))

    def tokens():
        for kind, value in engine.ask_stream(question, past):
            if kind == "sources":
                found[:] = value
                show_sources("writing the answer…")
            elif kind == "status":
                show_sources(DOING.get(value, "checking the answer…"))
            elif kind == "token":
                entry["tokens"] += 1
                yield value
            elif kind == "answer":
                entry["answer"] = value

    try:
        with answer_slot.container():
            st.write_stream(tokens())
        if entry["answer"] is None:
            raise RuntimeError("the engine's stream ended without an answer")
    finally:  # the raw text and the provisional sources give way to the checked answer (or the error)
        answer_slot.empty()
        sources_slot.empty()
    with answer_slot.container():
        render_answer(entry["answer"], mid, docs)
    return entry


def render() -> None:
    """The chat page."""
    ui.style()
    st.title("Ask the documents")
    engine = get_engine()
    docs: dict = {}
    with guard():
        docs = documents_by_name(engine)
    msgs = history()
    for i, m in enumerate(msgs):
        _render_message(m, str(i), docs)
    intro = st.empty()
    if not msgs:
        with intro.container():
            st.caption("Every sentence of an answer is checked against the paragraph it cites. Try:")
            cols = st.columns(len(EXAMPLES))
            for i, (col, q) in enumerate(zip(cols, EXAMPLES)):
                col.button(q, key=f"example-{i}", on_click=_ask_example, args=(q,), width="stretch")
    typed = st.chat_input("Ask a question about the documents (French or English)")
    question = typed or st.session_state.pop(PENDING, None)
    if not question:
        if msgs:
            st.button("New conversation", on_click=msgs.clear, type="tertiary")
        return
    intro.empty()
    past = conversation()
    msgs.append({"role": "user", "text": question})
    _render_message(msgs[-1], str(len(msgs) - 1), docs)
    with st.chat_message("assistant"):
        entry: dict = {}
        with guard() as outcome:
            prepare_model(engine)
            entry = _stream(engine, question, past, str(len(msgs)), docs)
    msgs.append(entry if not outcome.error else {"role": "assistant", "answer": None, "error": outcome.error})
