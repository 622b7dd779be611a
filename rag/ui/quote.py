"""The quote-check page: is this quote in the documents, word for word, and who said it?

A form takes the quote and, optionally, who is said to have said it. The
result shows the verdict as a coloured badge, the source paragraph with the
matched words marked (``text[start:end]``, continuing into the next paragraphs
when the quote runs on), a word diff for close and altered quotes, the speaker
verdict, and the other candidates.
"""
from __future__ import annotations

import streamlit as st

from . import components as ui
from .state import documents_by_name, get_engine, guard

RESULT = "quote_result"
EXAMPLES = {"Si nous pouvons résoudre l'affaire Russie-Ukraine, tout le monde sautera de joie.": "Steve Witkoff",
            "Je n'ai aucun respect pour le président Poutine.": "Youri Ouchakov"}


def _speaker_line(result) -> None:
    """The speaker verdict as an alert, or who speaks in the source when nobody was named."""
    claimed, verdict = result.claimed_speaker, result.speaker_verdict
    top = result.matches[0].paragraph if result.matches else None
    said_by = top.speaker if top is not None else None
    if claimed and verdict == "same":
        st.success(f"Speaker: the document gives these words to {said_by or claimed}, as claimed.", icon=":material/check_circle:")
    elif claimed and verdict == "other":
        st.warning(f"Speaker: the document gives these words to {said_by or 'someone else'}, not to {claimed}.",
                   icon=":material/warning:")
    elif claimed and verdict == "commentary":
        st.warning(f"Speaker: in the document these words are the writer's own commentary, "
                   f"not something {claimed} said.", icon=":material/warning:")
    elif claimed:
        st.caption(f"Speaker {claimed!r} not checked: there is no matching passage.")
    elif said_by:
        st.caption(f"In the document these words are spoken by {said_by}.")


def match_card(m, docs: dict, n: int | None = None) -> str:
    """A source card for a match: the paragraph with the matched span marked, then any continuation."""
    doc = docs.get(m.paragraph.doc)
    body = ui.highlight(m.paragraph.text, m.start, m.end)
    card = ui.source_card(n, m.paragraph, doc, body=body)
    for p, (start, end) in zip(m.extra, m.extra_spans):
        card += ui.source_card(None, p, docs.get(p.doc), body=ui.highlight(p.text, start, end))
    return card


def render_result(result, docs: dict) -> None:
    ui.show(ui.verdict_badge(result.verdict))
    if not result.matches:
        return
    best = result.matches[0]
    st.caption(f"Best match: {best.kind}, similarity {best.score:.2f}")
    ui.show(match_card(best, docs))
    if best.diff and best.kind in ("close", "altered"):
        st.markdown("**Differences** (struck out: only in your quote · underlined: only in the source)")
        ui.show(ui.diff_html(best.diff))
    _speaker_line(result)
    others = result.matches[1:]
    if others:
        with st.expander(f"Other candidates ({len(others)})"):
            for m in others:
                st.caption(f"{m.kind}, similarity {m.score:.2f}")
                ui.show(match_card(m, docs))


def _use_example(quote: str, speaker: str) -> None:
    st.session_state["quote_text"], st.session_state["quote_speaker"] = quote, speaker


def render() -> None:
    """The quote-check page."""
    ui.style()
    st.title("Check a quote")
    st.caption("Paste a quotation to find out whether the documents contain it word for word, "
               "nearly, in other words, or with its meaning changed — and who said it.")
    engine = get_engine()
    for i, (q, who) in enumerate(EXAMPLES.items()):
        st.button(f"Try: “{q}” — {who}", key=f"quote-example-{i}", on_click=_use_example, args=(q, who),
                  type="tertiary", icon=":material/arrow_forward:")
    with st.form("quote"):
        text = st.text_area("Quote", key="quote_text", height=110,
                            placeholder="« Tout le monde sautera de joie. »")
        speaker = st.text_input("Said by (optional)", key="quote_speaker", placeholder="e.g. Steve Witkoff")
        submitted = st.form_submit_button("Check the quote", type="primary")
    if submitted:
        st.session_state.pop(RESULT, None)
        with guard():
            st.session_state[RESULT] = engine.quote(text, (speaker or "").strip() or None)
    result = st.session_state.get(RESULT)
    if result is not None:
        docs: dict = {}
        with guard():
            docs = documents_by_name(engine)
        render_result(result, docs)
