"""An HTML page -> the article's main text and its metadata, via trafilatura.

trafilatura finds the article in the page (menus, footers, cookie banners,
comment sections, related links and forms are left behind) and reads its
metadata (title, author, date, site name) from the page's tags. Its XML output
keeps the structure: each paragraph becomes a blank-line block, headings get
``#`` marks, list items a ``- `` bullet, line breaks stay line breaks. That text
then goes through ``parse_text`` like any text file. What this leaves out:
tables (dropped), images and their captions, and comments under the article.
"""
from __future__ import annotations

import warnings

from ..documents import Document
from ..parse import parse_text

BLOCKS = {"p", "quote", "head", "list", "item"}


def _inline(el) -> str:
    """The text of an element, ``<lb/>`` as a line break, spaces folded inside each line."""
    parts = [el.text or ""]
    for child in el:
        parts.append("\n" if child.tag == "lb" else _inline(child))
        parts.append(child.tail or "")
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n"))


def _blocks(el, out: list[str]) -> None:
    """Walk trafilatura's XML: one block per paragraph, heading and list item."""
    for child in el:
        if child.tag == "head":
            level = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}.get(child.get("rend", ""), 2)
            text = " ".join(_inline(child).split())
            if text:
                out.append("#" * level + " " + text)
        elif child.tag == "list":
            for item in child.iter("item"):
                text = " ".join(_inline(item).split())
                if text:
                    out.append("- " + text)
        elif child.tag in ("p", "quote"):
            if any(c.tag in BLOCKS for c in child):
                _blocks(child, out)
            text = _inline(child).strip()
            if text:
                out.append(text)
        elif child.tag not in ("table", "graphic", "code"):
            _blocks(child, out)


def html_to_text(raw: bytes) -> tuple[str, dict]:
    """The article's text (blank lines between paragraphs) and its metadata; raises ValueError."""
    import trafilatura
    from lxml import etree

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xml = trafilatura.extract(raw, output_format="xml", with_metadata=True, include_comments=False,
                                  include_tables=False, include_images=False, include_links=False,
                                  include_formatting=False)
    if not xml:
        raise ValueError("no article text was found in this HTML page")
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as e:  # trafilatura's own output: should not happen
        raise ValueError(f"its article text could not be read ({e})") from None
    blocks: list[str] = []
    main = root.find("main")
    _blocks(main if main is not None else root, blocks)
    meta = {k: " ".join((root.get(a) or "").split()) or None
            for k, a in (("title", "title"), ("author", "author"), ("date", "date"), ("outlet", "sitename"))}
    return "\n\n".join(blocks), meta


def read_html(raw: bytes, name: str, sha256: str) -> Document:
    text, meta = html_to_text(raw)
    if meta["title"] and not text.startswith("# "):
        text = f"# {meta['title']}\n\n{text}"  # parse_text takes it as the title, never as a paragraph
    doc = parse_text(text, name, sha256)
    for key, value in meta.items():  # the page's own tags first, then what the text says
        if value:
            setattr(doc, key, value)
    return doc
