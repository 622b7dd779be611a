"""HTML building blocks: source cards, citation markers, verdict badges, highlights, diffs.

Everything that comes from a document, a model or a user goes through
``esc`` (``html.escape``) before it is put into HTML: document text is
untrusted. The snippets are shown with ``st.html`` (no Markdown or LaTeX
processing, sanitized again by Streamlit), styled by ``CSS``.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote as urlquote

import streamlit as st

CSS = """<style>
.rag-answer{font-size:1.05rem;line-height:1.6}
.rag-cite{font-size:.8em;vertical-align:super;text-decoration:none;font-weight:600;padding:0 1px}
.rag-card{border:1px solid rgba(128,128,128,.35);border-radius:.6rem;padding:.7rem .9rem;margin:.3rem 0}
.rag-card:target{outline:2px solid #f0b400}
.rag-card-head{font-weight:600}
.rag-num{display:inline-block;min-width:1.8em;color:#0969da}
.rag-meta{font-size:.85em;opacity:.75;margin:.15rem 0 .4rem}
.rag-text{line-height:1.55}
.rag-speaker{font-variant:small-caps;font-weight:600;opacity:.8}
mark.rag-hl{background:rgba(255,213,0,.5);color:inherit;padding:0 2px;border-radius:2px}
.rag-open{font-size:.85em}
.rag-chip{display:inline-block;text-decoration:none;border:1px solid rgba(128,128,128,.35);border-radius:1rem;padding:.05rem .6rem;margin:.15rem;font-size:.85em}
.rag-badge{display:inline-block;color:#fff;font-weight:700;border-radius:.4rem;padding:.2rem .7rem;font-size:1.05rem;letter-spacing:.02em}
.rag-badge-verbatim{background:#1a7f37}.rag-badge-close{background:#0969da}.rag-badge-paraphrase{background:#8250df}
.rag-badge-altered{background:#bc4c00}.rag-badge-not_found{background:#cf222e}
.rag-diff{line-height:1.9}
.rag-diff del{background:rgba(207,34,46,.18);color:#cf222e}
.rag-diff ins{background:rgba(26,127,55,.18);color:#1a7f37;text-decoration:none;border-bottom:2px solid #1a7f37}
.rag-para{padding:.35rem .5rem;border-radius:.4rem;scroll-margin-top:4rem}
.rag-para:target,.rag-para.rag-target{background:rgba(255,213,0,.22);outline:1px solid #f0b400}
.rag-pnum{display:inline-block;min-width:2.6em;opacity:.6;font-size:.85em;text-decoration:none}
.rag-section{font-weight:700;margin:.9rem 0 .2rem}
.rag-page{font-size:.8em;opacity:.6;border-top:1px dashed rgba(128,128,128,.5);margin:.6rem 0 .2rem;padding-top:.1rem}
</style>"""

VERDICTS = {
    "verbatim": ("Verbatim", "These exact words are in the documents."),
    "close": ("Close", "Nearly these words are in the documents; the differences keep the meaning."),
    "paraphrase": ("Paraphrase", "The documents say something similar in other words; it is not a quotation."),
    "altered": ("Altered", "Similar words are in the documents, but a difference changes the meaning "
                           "(a negation, a number or a name)."),
    "not_found": ("Not found", "Nothing like this was found in the documents."),
}
MARKER = re.compile(r"\[(\d+)\]")


def esc(text) -> str:
    return html.escape(str(text if text is not None else ""), quote=True)


def style() -> None:
    """Add the app's CSS to the page (once per run)."""
    st.html(CSS)


def show(snippet: str) -> None:
    st.html(snippet)


def doc_href(doc: str, number: int | None = None) -> str:
    """Link to the document view, opened at paragraph ``number``."""
    href = f"documents?doc={urlquote(doc)}"
    return f"{href}&p={number}#p-{number}" if number else href


def highlight(text: str, start: int, end: int) -> str:
    """``text`` escaped, with ``text[start:end]`` marked."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return esc(text)
    return f'{esc(text[:start])}<mark class="rag-hl">{esc(text[start:end])}</mark>{esc(text[end:])}'


def highlight_sentence(text: str, sentence: str) -> str:
    """``text`` escaped, with ``sentence`` marked where it occurs (case-insensitive)."""
    sentence = (sentence or "").strip()
    i = text.find(sentence) if sentence else -1
    if i < 0 and sentence:
        i = text.lower().find(sentence.lower())
    return highlight(text, i, i + len(sentence)) if i >= 0 else esc(text)


def paragraph_body(p, inner: str | None = None) -> str:
    """A paragraph's HTML: the speaker set apart, then the text (``inner``: the text already escaped
    and marked up; its ``SPEAKER — `` label is dropped, the speaker being shown in front)."""
    if inner is None:
        inner = esc(p.text)
    if not p.speaker:
        return inner
    label = esc(p.text[:p.speech_start]) if p.speech_start else ""
    if label and inner.startswith(label):
        inner = inner[len(label):]
    return f'<span class="rag-speaker">{esc(p.speaker)}</span> · {inner}'


def meta_line(doc, p=None) -> str:
    """``Outlet · Author · Date · ¶N · p. 3`` (escaped), skipping what is unknown (the speaker is in the text;
    the page only for a PDF)."""
    parts = [getattr(doc, "outlet", None), getattr(doc, "author", None), getattr(doc, "date", None)]
    if p is not None:
        parts.append(f"¶{p.number}")
        parts.append(f"p. {p.page}" if getattr(p, "page", None) else None)
    return " · ".join(esc(x) for x in parts if x)


def citation_string(doc, p) -> str:
    """A citation to paste: ``Title — Outlet, date, ¶12 (doc.txt)``; ``¶12, p. 3`` for a PDF."""
    title = getattr(doc, "title", None) or p.doc
    source = getattr(doc, "outlet", None) or getattr(doc, "author", None)
    page = f"p. {p.page}" if getattr(p, "page", None) else None
    where = ", ".join(x for x in (source, getattr(doc, "date", None), f"¶{p.number}", page) if x)
    who = f" [{p.speaker}]" if p.speaker else ""
    return f"{title} — {where}{who} ({p.doc})"


def answer_html(text: str, mid: str, numbers: set[int]) -> str:
    """The answer, escaped, each ``[n]`` made a link to its source card."""
    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in numbers:
            return m.group(0)
        return f'<a class="rag-cite" href="#src-{mid}-{n}" title="source {n}">[{n}]</a>'
    return f'<div class="rag-answer">{MARKER.sub(link, esc(text)).replace(chr(10), "<br>")}</div>'


def source_card(n: int | None, p, doc, sentence: str = "", anchor: str = "",
                body: str | None = None) -> str:
    """A source card: number, title, metadata, the paragraph (sentence marked), link to it."""
    title = esc(getattr(doc, "title", None) or p.doc)
    num = f'<span class="rag-num">[{n}]</span>' if n else ""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    text = body if body is not None else highlight_sentence(p.text, sentence)
    return (f'<div class="rag-card"{ident}><div class="rag-card-head">{num}{title}</div>'
            f'<div class="rag-meta">{meta_line(doc, p)}</div>'
            f'<div class="rag-text">{paragraph_body(p, text)}</div>'
            f'<a class="rag-open" href="{esc(doc_href(p.doc, p.number))}" target="_blank">'
            f'Open ¶{p.number} in the document ↗</a></div>')


def source_chips(hits, docs: dict) -> str:
    """Compact list of retrieved paragraphs: ``Title ¶N``, each a link to the document view."""
    chips = []
    for h in hits:
        p = h.paragraph
        label = esc(getattr(docs.get(p.doc), "title", None) or p.doc)
        chips.append(f'<a class="rag-chip" href="{esc(doc_href(p.doc, p.number))}" target="_blank">'
                     f'{label} ¶{p.number}</a>')
    return "".join(chips)


def verdict_badge(verdict: str) -> str:
    label, sentence = VERDICTS.get(verdict, (verdict, ""))
    cls = verdict if verdict in VERDICTS else "not_found"
    return (f'<div><span class="rag-badge rag-badge-{cls}">{esc(label)}</span> '
            f'<span class="rag-meta">{esc(sentence)}</span></div>')


def diff_html(diff) -> str:
    """Word diff: words only in the quote struck out, words only in the source underlined."""
    out = []
    for op, quoted, source in diff or []:
        if op == "equal":
            out.append(esc(source or quoted))
            continue
        if quoted:
            out.append(f'<del title="in the quote, not in the source">{esc(quoted)}</del>')
        if source:
            out.append(f'<ins title="in the source, not in the quote">{esc(source)}</ins>')
    return f'<div class="rag-diff">{" ".join(out)}</div>'
