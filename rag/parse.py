"""Plain text of a web article -> a cleaned ``Document`` of numbered paragraphs.

Steps: split into blank-line blocks; drop navigation, credit and repeated
caption lines; read metadata lines (author, date, outlet) and the title from the
head of the page; drop comment-policy and subscription paragraphs; rejoin
paragraphs broken in the middle of a sentence or of a hyphenated word; turn
short unpunctuated lines into section headings; assign transcript speakers.
The text of each paragraph keeps the source's own words: only line breaks and
surrounding spaces change. What this leaves out: tables, lists' nesting, and
any markup (HTML or Markdown is read as text; ``#`` heading marks are honoured).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from . import boilerplate, metadata, speakers
from .documents import Document, Paragraph

CHUNKING_VERSION = "parse-3"
END_PUNCT = tuple(".!?…:;»\"”’)]")
MAX_HEADING_WORDS = 20


def _blocks(text: str) -> list[list[str]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks, cur = [], []
    for line in text.split("\n"):
        line = line.rstrip()
        if not line.strip() or not unicodedata.normalize("NFKC", line).strip():
            if cur:
                blocks.append(cur)
            cur = []
        else:
            cur.append(line.strip())
    if cur:
        blocks.append(cur)
    return blocks


def _clean(s: str) -> str:
    """Whitespace of every kind folded to single spaces (for titles and headings)."""
    return " ".join(s.split())


def _join(a: str, b: str) -> str:
    """Join two pieces of one sentence; a trailing hyphen is kept before a capital (Maison-Blanche)."""
    if re.search(r"\w-$", a) and not a.endswith(" -"):
        return a + b if b[:1].isupper() or b[:1].isdigit() else a[:-1] + b
    return a + " " + b


def _is_heading(text: str) -> bool:
    s = text.strip()
    if s.startswith("#"):
        return True
    words = s.split()
    if len(words) > 8 and ", " in s:
        return False  # a sentence with clauses, cut before its end
    return (0 < len(words) <= MAX_HEADING_WORDS and not s.endswith(END_PUNCT + (",", "-"))
            and not s.startswith(("[", "(", "-", "•", "*", "«", "\"", "“")) and not speakers.label_of(s)
            and (s[:1].isupper() or s[:1].isdigit()))


def _broken(prev: str, nxt: str) -> bool:
    """True when ``nxt`` continues the sentence ``prev`` left unfinished."""
    if nxt.startswith(("[", "#")) or speakers.label_of(nxt) and speakers.LABEL.match(nxt).group("name").isupper():
        return False  # an upper-case speaker label always opens a new turn
    if re.search(r"\w-$", prev):
        return True
    if prev.endswith(END_PUNCT):
        return False
    if nxt[:1].islower():
        return True
    return not prev.endswith(",") and not _is_heading(prev)


def _is_title(text: str) -> bool:
    s = text.strip()
    return len(s.split()) <= 30 and (_is_heading(s) or s.isupper() or s.endswith(("?", ")")))


def _lines_to_paragraphs(lines: list[str]) -> list[str]:
    """Lines of one block -> paragraphs: soft-wrapped lines joined, a new paragraph at a speaker label."""
    out: list[str] = []
    for line in lines:
        if out and not speakers.label_of(line) and not _is_heading(out[-1]):
            out[-1] = _join(out[-1], line)
        elif out and _is_heading(out[-1]) and not speakers.label_of(line) and line[:1].islower():
            out[-1] = _join(out[-1], line)
        else:
            out.append(line)
    return out


def parse_text(text: str, name: str, sha256: str = "") -> Document:
    """Clean one document's text into a Document with numbered paragraphs."""
    doc = Document(name=name, sha256=sha256 or hashlib.sha256(text.encode()).hexdigest())
    blocks = _blocks(text)
    all_lines = [ln for b in blocks for ln in b]
    repeated = {s for s in boilerplate.repeated_lines(all_lines)
                if not speakers.label_of(s) and (not s.endswith(END_PUNCT) or boilerplate.CREDIT_LINE.search(s))}

    # 1. the head of the page: site name, navigation, metadata, title
    pieces: list[str] = []
    seen_content = False  # the body has started: later lines are not page-head metadata
    for bi, block in enumerate(blocks):
        kept = []
        for line in block:
            if line in repeated or boilerplate.is_noise_line(line):
                continue
            meta = metadata.parse_meta_line(line) if len(line.split()) <= 12 else None
            if meta and (not seen_content or line.split()[0].isupper() or len(meta) > 1):
                for k, v in meta.items():
                    setattr(doc, k, getattr(doc, k) or _clean(v))
                continue
            kept.append(line)
        if (bi == 0 and len(kept) == 1 and len(blocks) > 1 and len(kept[0].split()) <= 3
                and not kept[0].endswith(END_PUNCT) and all(boilerplate.is_noise_line(x) for x in blocks[1])):
            doc.outlet = doc.outlet or kept[0].lstrip("# ")  # a site name above its navigation bar
            continue
        for para in _lines_to_paragraphs(kept):
            if doc.title is None and not seen_content and _is_title(para):
                doc.title = _clean(para.lstrip("# "))
                continue
            pieces.append(para)
            seen_content = seen_content or len(para.split()) >= 15

    # 2. drop paragraph-level boilerplate, heal broken paragraphs
    healed: list[str] = []
    for para in pieces:
        if boilerplate.is_noise_paragraph(para):
            continue
        if healed and _broken(healed[-1], para):
            healed[-1] = _join(healed[-1], para)
        else:
            healed.append(para)

    # 3. headings become sections; the rest are numbered paragraphs
    texts, sections, breaks = [], [], set()
    section = None
    for para in healed:
        if _is_heading(para):
            section = _clean(para.lstrip("# "))
            breaks.add(len(texts))
            continue
        texts.append(para)
        sections.append(section)
    turns = speakers.assign(texts, breaks)
    for i, (t, sec, turn) in enumerate(zip(texts, sections, turns), 1):
        doc.paragraphs.append(Paragraph(doc=name, number=i, text=t, section=sec,
                                        speaker=turn.speaker if turn else None,
                                        speech_start=turn.start if turn else 0))
    return doc
