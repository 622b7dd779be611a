"""The app's main script: page setup, navigation, and the status sidebar.

Pages: Chat (default, ``/chat``), Quote check (``/quote``), Documents
(``/documents?doc=NAME&p=N``). The sidebar shows which model answers, the
embedder and the index state, with a button to update the index; the first
run of a session loads (or builds, with a progress bar) the index.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from .state import documents_by_name, get_engine, guard, progress_bar

PAGES = Path(__file__).resolve().parent / "pages"
INDEX_STATES = {"ok": "up to date", "stale": "out of date (sources changed)", "missing": "not built yet",
                "unknown": "not loaded yet"}


def _index_line(state: str) -> str:
    if state.startswith("mismatch"):
        return f"needs a rebuild ({state.partition(':')[2].strip()})"
    return INDEX_STATES.get(state, state)


def sidebar_status() -> None:
    """Backend, embedder and index state; an 'Update the index' button."""
    box = st.sidebar.container()
    box.subheader("Status")
    engine = get_engine()
    with guard(box):
        docs = documents_by_name(engine)
        status = engine.status()
        state = str(status.get("index", "unknown"))
        paragraphs = sum(len(d.paragraphs) for d in docs.values())
        line = (f":green[:material/check_circle: {_index_line(state)}]" if state == "ok"
                else f":orange[:material/warning: {_index_line(state)}]")
        box.markdown(f"**Model**  \n{status.get('backend', '?')}")
        box.markdown(f"**Embedder**  \n{status.get('embedder', '?')}")
        box.markdown(f"**Index**  \n{line} · {len(docs)} documents, {paragraphs} paragraphs")
        if box.button("Update the index", help="Re-read the sources folder; only changed files are embedded."):
            with progress_bar(box):
                report = engine.ensure_index()
            box.success(f"Index up to date: {report.get('embedded', 0)} file(s) embedded, "
                        f"{report.get('kept', 0)} unchanged, {report.get('dropped', 0)} removed.")
            for warning in report.get("warnings", []):
                box.warning(warning)


def main() -> None:
    st.set_page_config(page_title="Ask the documents", page_icon=":material/newspaper:", layout="wide")
    pages = [
        st.Page(PAGES / "chat.py", title="Chat", icon=":material/forum:", url_path="chat", default=True),
        st.Page(PAGES / "quote.py", title="Quote check", icon=":material/format_quote:", url_path="quote"),
        st.Page(PAGES / "documents.py", title="Documents", icon=":material/article:", url_path="documents"),
    ]
    page = st.navigation(pages)
    sidebar_status()
    page.run()
