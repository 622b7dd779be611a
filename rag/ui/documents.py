"""The document view: metadata and numbered paragraphs, each with an anchor ``id="p-N"``.

On top, the uploader that adds documents; under a document's header, the
button that removes it (``library``). A PDF's paragraphs show where each page
starts.

The URL picks what is shown: ``documents?doc=NAME&p=12#p-12`` opens document
NAME with paragraph 12 marked and scrolled into view (the small script only
scrolls; it carries no document text). Paragraph text is escaped.
"""
from __future__ import annotations

import streamlit as st

from . import components as ui
from . import library
from .state import documents_by_name, get_engine, guard

# No "<" inside the script: Streamlit's sanitizer drops a script whose text looks like markup.
SCROLL = """<script>
(function(){{var tries=0;function go(){{var el=document.getElementById("p-{n}");
if(el){{el.scrollIntoView({{block:"center"}});}}else if(40 > tries++){{setTimeout(go,100);}}}}go();}})();
</script>"""


def _target() -> int | None:
    try:
        return int(st.query_params.get("p", ""))
    except ValueError:
        return None


def paragraphs_html(doc, target: int | None = None) -> str:
    """Every paragraph: its number (a link to itself), speaker, text; section headings between."""
    out, section, page = [], None, None
    for p in doc.paragraphs:
        if p.page and p.page != page:
            page = p.page
            out.append(f'<div class="rag-page">page {int(page)}</div>')
        if p.section and p.section != section:
            section = p.section
            out.append(f'<div class="rag-section">{ui.esc(section)}</div>')
        cls = "rag-para rag-target" if p.number == target else "rag-para"
        out.append(f'<div class="{cls}" id="p-{p.number}"><a class="rag-pnum" href="#p-{p.number}">'
                   f'¶{p.number}</a> {ui.paragraph_body(p)}</div>')
    return "\n".join(out)


def _follow_selection() -> None:
    """Another document was picked: put it in the URL, drop the paragraph of the previous one."""
    st.query_params.pop("p", None)
    st.query_params["doc"] = st.session_state["doc"]


def render() -> None:
    """The documents page."""
    ui.style()
    engine = get_engine()
    library.uploader(engine)
    docs: dict = {}
    with guard():
        docs = documents_by_name(engine)
    if not docs:
        st.title("Documents")
        st.info("No documents are indexed yet: add some above, or put files in the sources folder and "
                "rebuild the index.")
        return
    names = list(docs)
    wanted = st.query_params.get("doc")
    if wanted in docs and st.session_state.get("doc") != wanted:
        st.session_state["doc"] = wanted  # a citation link names the document
    elif wanted and wanted not in docs:
        st.warning(f"There is no document named {wanted!r}; showing another one.")
        st.query_params.pop("p", None)
    name = st.selectbox("Document", names, key="doc", format_func=lambda n: f"{docs[n].label} ({n})",
                        on_change=_follow_selection)
    if st.query_params.get("doc") != name:
        st.query_params["doc"] = name
    doc = docs[name]
    target = _target()
    st.header(doc.label, anchor=False)
    meta = " · ".join(x for x in (ui.meta_line(doc), f"{len(doc.paragraphs)} paragraphs", f"file {ui.esc(doc.name)}") if x)
    ui.show(f'<div class="rag-meta">{meta}</div>')
    library.remove_button(engine, doc)
    if target is not None and not 1 <= target <= len(doc.paragraphs):
        st.warning(f"This document has no paragraph {target}.")
        target = None
    ui.show(paragraphs_html(doc, target))
    if target is not None:
        st.html(SCROLL.format(n=int(target)), unsafe_allow_javascript=True)
