"""Adding and removing documents in the app: the uploader and the remove button of the documents page.

Files dropped on the uploader are handed to ``Engine.add_files`` at once (one
batch), with a progress bar while they are read and embedded; each file then
gets one line: added (the first added document is opened), duplicate, or
refused with the reason. The uploader is emptied after each batch (a fresh
widget key), so a rerun never adds the same files again. Removing asks for a
confirmation, then ``Engine.remove_document`` moves the file to the removed
folder and drops it from the index. Messages outlive the rerun that follows
(``st.session_state[NOTES]``) and are shown once.
"""
from __future__ import annotations

import math

import streamlit as st

from .state import guard, progress_bar

GEN = "upload_gen"          # the uploader's generation: a new key empties it
NOTES = "library_notes"     # [(kind, sentence)] to show once after the rerun
CONFIRM = "remove_confirm"  # the document waiting for a confirmed removal
KINDS = {"added": "success", "duplicate": "info", "refused": "error"}


def _limits(engine) -> tuple[str, int | None]:
    """The limits for the help text, and the per-file limit in whole MB for the uploader itself."""
    s = getattr(engine, "settings", None)
    if s is None:
        return "", None
    return (f"; at most {s.max_file_mb:g} MB a file and {s.max_batch_mb:g} MB a batch",
            max(1, math.ceil(s.max_file_mb)))


def show_notes() -> None:
    for kind, text in st.session_state.pop(NOTES, []):
        getattr(st, kind)(text)


def uploader(engine) -> None:
    """The file uploader; a batch dropped on it is added, indexed, and the page reruns on the result."""
    gen = st.session_state.setdefault(GEN, 0)
    limits, per_file = _limits(engine)
    files = st.file_uploader("Add documents", accept_multiple_files=True, key=f"upload-{gen}",
                             max_upload_size=per_file,
                             help=f"Text (.txt, .md), web pages (.html, .htm) or PDF (.pdf){limits}. "
                                  "A file already in the library is not added twice.")
    if not files:
        show_notes()
        return
    notes: list[tuple[str, str]] = []
    slot = st.container()
    with guard(slot) as outcome:
        with progress_bar(slot):
            report = engine.add_files([(f.name, f.getvalue()) for f in files])
        notes = [(KINDS.get(o.status, "info"), o.message) for o in report.outcomes]
        if report.added:
            st.query_params.pop("p", None)
            st.query_params["doc"] = report.added[0].stored_as
    st.session_state[NOTES] = notes + ([("error", outcome.error)] if outcome.error else [])
    st.session_state[GEN] = gen + 1
    st.rerun()


def _ask(name: str) -> None:
    st.session_state[CONFIRM] = name


def _cancel() -> None:
    st.session_state.pop(CONFIRM, None)


def remove_button(engine, doc) -> None:
    """'Remove…', then a confirmation naming the document and where its file goes."""
    if st.session_state.get(CONFIRM) != doc.name:
        st.button("Remove this document…", key="remove", icon=":material/delete:", on_click=_ask,
                  args=(doc.name,), type="tertiary")
        return
    where = getattr(getattr(engine, "settings", None), "removed_dir", None)
    st.warning(f"Remove «{doc.label}» ({doc.name}) from the library? Its file is moved to "
               f"{where or 'the removed folder'}, not deleted.", icon=":material/delete:")
    yes, no = st.columns(2)
    no.button("Cancel", key="remove-cancel", on_click=_cancel)
    if not yes.button("Remove", key="remove-confirm", type="primary"):
        return
    _cancel()
    with guard() as outcome:
        with progress_bar():
            moved, _ = engine.remove_document(doc.name)
        st.session_state[NOTES] = [("success", f"Removed {doc.name}: its file is now {moved} "
                                               "(move it back into the sources folder to restore it).")]
    if outcome.error:
        return
    st.session_state.pop("doc", None)
    st.query_params.pop("doc", None)
    st.query_params.pop("p", None)
    st.rerun()
