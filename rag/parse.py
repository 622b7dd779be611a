"""Plain text of a web article -> a cleaned ``Document`` of numbered paragraphs.

Steps: split into blank-line blocks; drop navigation, credit and repeated
caption lines; read metadata lines (author, date, outlet); split each block into
paragraphs (soft-wrapped lines joined; a speaker label, a bullet or a list item
ending in a comma starts a new one); drop comment-policy, subscription and
cookie paragraphs; pick the title from the head of the page (a Markdown ``# ``
heading first; a short line above the site's menu is the site name); rejoin
paragraphs broken in the middle of a sentence or of a hyphenated word; turn
short unpunctuated lines into section headings; assign transcript speakers.
Each paragraph is one stretch of the source: only line breaks and surrounding
spaces change, a hyphen at a break is kept ("Maison-Blanche", "peut-être"), and
nothing is joined across dropped text (a credit line, a prompt, a line of
zero-width characters). What this leaves out: tables, lists' nesting, and any
markup (HTML or Markdown is read as text; ``#`` heading marks are honoured).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from . import boilerplate, metadata, speakers
from .documents import Document, Paragraph

CHUNKING_VERSION = "parse-4"
END_PUNCT = tuple(".!?…:;»\"”’)]")
MAX_HEADING_WORDS = 20
MD_HEADING = re.compile(r"^#{1,6}\s")
CUT_WORD = re.compile(r"(\w-|\u00ad)$")  # a line ending inside a hyphenated (or soft-hyphenated) word
BULLET = re.compile(r"^(?:[-*•–]\s|\d{1,2}[.)]\s)")
# A line ending in one of these words stops mid-phrase: it is no heading ("Il a dit que le").
OPEN_WORDS = {"le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "et", "ou", "à", "au", "aux", "en", "que", "qui",
              "pour", "par", "sur", "dans", "avec", "the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "with", "that"}


def _blocks(text: str) -> list[tuple[list[str], bool]]:
    """Blank-line blocks, each with whether a line of zero-width characters (kept in the raw text) preceded it."""
    blocks, cur, hidden = [], [], False
    for line in text.splitlines() + [""]:
        visible = "".join(c for c in unicodedata.normalize("NFKC", line) if unicodedata.category(c) not in ("Cf", "Cc"))
        if visible.strip():
            cur.append(line.strip())
            continue
        if cur:
            blocks.append((cur, hidden))
            cur, hidden = [], False
        hidden = hidden or bool(line.strip())
    return blocks


def _clean(s: str) -> str:
    """Whitespace of every kind folded to single spaces (for titles and headings)."""
    return " ".join(s.split())


def _join(a: str, b: str) -> str:
    """Join two pieces of one sentence; a hyphen at the break is kept (Maison-Blanche, peut-être)."""
    return a + b if CUT_WORD.search(a) else a + " " + b


def _is_heading(text: str) -> bool:
    s = text.strip()
    if MD_HEADING.match(s):
        return True
    words = s.split()
    if len(words) > 8 and ", " in s:
        return False  # a sentence with clauses, cut before its end
    last = re.split(r"[\W_]+", words[-1].replace("’", "'"))[-1] if words else ""
    return (0 < len(words) <= MAX_HEADING_WORDS and not s.endswith(END_PUNCT + (",", "-")) and last not in OPEN_WORDS
            and not s.startswith(("[", "(", "-", "•", "*", "«", "\"", "“")) and not speakers.label_of(s)
            and (s[:1].isupper() or s[:1].isdigit()))


def _opens_turn(prev: str | None, line: str) -> bool:
    """A speaker label opens a new turn: an upper-case name always, a mixed-case one after a finished sentence."""
    return speakers.label_of(line) is not None and (speakers.strong_label(line) or prev is None or prev.endswith(END_PUNCT))


def _broken(before: str | None, prev: str, nxt: str) -> bool:
    """True when ``nxt`` continues the sentence ``prev`` left unfinished (``before`` precedes ``prev``)."""
    if nxt.startswith(("[", "#")) or MD_HEADING.match(prev) or _opens_turn(prev, nxt) or BULLET.match(nxt):
        return False
    if CUT_WORD.search(prev):
        return True
    if prev.endswith(END_PUNCT):
        return False
    if prev.endswith(",") and before is not None and before.endswith((":", ",", ";")):
        return False  # an item of a list: "trois volets :" / "la limitation des moteurs," / "le contrôle,"
    if nxt[:1].islower():
        return True
    return not prev.endswith(",") and not _is_heading(prev)


def _is_title(text: str) -> bool:
    s = text.strip()
    return (len(s.split()) <= 30 and not speakers.label_of(s) and not s.endswith((".", ",", ";", ":"))
            and (_is_heading(s) or s.isupper() or s[:1] in "«\"“" or s.endswith(("?", ")", "!"))))


def _list_item(lines: list[str], i: int) -> bool:
    """True when ``lines[i]`` opens an item of a list whose items end in a comma or a semicolon."""
    if i == 0 or not lines[i - 1].endswith((",", ";", ":")):
        return False
    if lines[i - 1].endswith(":"):
        return lines[i].endswith((",", ";"))  # the first item, after its introduction
    j = i - 1  # the first item of the run of comma-ended lines
    while j > 0 and lines[j - 1].endswith((",", ";")):
        j -= 1
    return j > 0 and lines[j - 1].endswith(":") or (i - j) + lines[i].endswith((",", ";", ".")) >= 3


def _lines_to_paragraphs(lines: list[str], gaps: set[int], after_colon: bool = False) -> list[tuple[str, bool]]:
    """Lines of one block -> (paragraph, starts where a line was dropped). Wrapped lines are joined; a new paragraph
    starts at a speaker label, a bullet, a list item, after a short heading line, and where a line was dropped."""
    out: list[tuple[str, bool]] = []
    marked = [":" if after_colon else ""] + lines
    longest = max((len(x) for x in lines), default=0)
    for i, line in enumerate(lines):
        prev = out[-1][0] if out else ""
        heading = out and _is_heading(prev) and (len(prev) <= 0.6 * longest or MD_HEADING.match(prev))
        new = (not out or _opens_turn(prev, line) or BULLET.match(line) or _list_item(marked, i + 1)
               or heading and not line[:1].islower())
        if out and i not in gaps and (CUT_WORD.search(prev) or not new):
            out[-1] = (_join(prev, line), out[-1][1])
        else:
            out.append((line, i in gaps))
    return out


def _pick_title(doc: Document, pieces: list[tuple[str, bool, bool]], sites: set[str]) -> list[tuple[str, bool]]:
    """Take the title (a Markdown ``# `` heading first) and the site name from the head of the page.
    Returns the other pieces as (text, something was dropped just before it)."""
    head = [i for i, (p, early, _) in enumerate(pieces) if early and _is_title(p)]
    ti = site = None
    if head:
        ti = ([i for i in head if re.match(r"#\s", pieces[i][0])] or [i for i in head if pieces[i][0] not in sites]
              or head)[0]
        doc.title = doc.title or _clean(pieces[ti][0].lstrip("# "))
        site = next((i for i in head if i < ti and pieces[i][0] in sites), None)
        if site is not None:
            doc.outlet = doc.outlet or _clean(pieces[site][0].lstrip("# "))
    return [(p, gap or i - 1 in (ti, site)) for i, (p, _, gap) in enumerate(pieces) if i not in (ti, site)]


def parse_text(text: str, name: str, sha256: str = "") -> Document:
    """Clean one document's text into a Document with numbered paragraphs."""
    doc = Document(name=name, sha256=sha256 or hashlib.sha256(text.encode()).hexdigest())
    blocks = _blocks(text)
    all_lines = [ln for b, _ in blocks for ln in b]
    repeated = {s for s in boilerplate.repeated_lines(all_lines)
                if not speakers.label_of(s) and (not s.endswith(END_PUNCT) or boilerplate.CREDIT_LINE.search(s))}
    # a short line followed by a site menu line is the site's name
    sites = {a for a, b in zip(all_lines, all_lines[1:])
             if len(a.split()) <= 6 and not a.endswith(END_PUNCT) and not boilerplate.is_noise_line(a)
             and boilerplate.is_menu_line(b)}

    # 1. lines: drop furniture, read metadata; paragraphs: drop boilerplate
    pieces: list[tuple[str, bool, bool]] = []  # (paragraph, in the head of the page, something dropped before it)
    seen_content = False  # the body has started: later lines are not page-head metadata
    line_gap = para_gap = False  # a line / a paragraph was dropped since the last one kept
    for block, hidden in blocks:
        kept, gaps, line_gap = [], set(), line_gap or hidden
        for line in block:
            meta = metadata.parse_meta_line(line) if len(line.split()) <= 12 else None
            meta = meta if meta and (not seen_content or line.split()[0].isupper() or len(meta) > 1) else None
            for k, v in (meta or {}).items():
                setattr(doc, k, getattr(doc, k) or _clean(v))
            if meta or line in repeated or boilerplate.is_noise_line(line):
                line_gap = True
                continue
            gaps.update([len(kept)] if line_gap else [])
            kept.append(line)
            line_gap = False
        after_colon = bool(pieces) and pieces[-1][0].endswith(":")
        for para, gap in _lines_to_paragraphs(kept, gaps, after_colon):
            if boilerplate.is_noise_paragraph(para) and not speakers.label_of(para):
                para_gap = True
                continue
            pieces.append((para, not seen_content, gap or para_gap))
            para_gap = False
            seen_content = seen_content or len(para.split()) >= 15

    # 2. title and site name from the head of the page; heal broken paragraphs (never across dropped text)
    healed: list[str] = []
    for para, gap in _pick_title(doc, pieces, sites):
        if healed and not gap and _broken(healed[-2] if len(healed) > 1 else None, healed[-1], para):
            healed[-1] = _join(healed[-1], para)
        else:
            healed.append(para)

    # 3. headings become sections; the rest are numbered paragraphs
    texts, sections, breaks, section = [], [], set(), None
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
