"""The quote check's matches: a stream range made a match, matches ordered, and whose words they are.

``match_at`` turns a token range of the word stream into a ``QuoteMatch`` (its
first paragraph, and the others it runs into). ``ordered`` puts the best first
and keeps one match a paragraph; among equals, the claimed speaker's words come
first, then any speaker's, then the editors' commentary. ``speaker_verdict``
compares the claimed speaker with the speaker of the paragraph holding most of
the best match: ``same``, ``other`` or ``commentary``.

What this leaves out: finding the matches and the verdict (``quote``), and
who speaks in a paragraph (``speakers``).
"""
from __future__ import annotations

from rapidfuzz import fuzz

from .quote_diff import Alignment
from .quote_semantic import same_name
from .quote_stream import Stream
from .results import QuoteMatch
from .textnorm import words


def same_person(claimed: str, actual: str) -> bool:
    """Loose match of two person names: a shared (or transliterated) token; surnames when both are full."""
    a = [w for w in words(claimed) if len(w) > 1]
    b = [w for w in words(actual) if len(w) > 1]
    if not a or not b:
        return False
    close = lambda x, y: same_name(x, y) or fuzz.ratio(x, y) >= 80  # noqa: E731
    if len(a) >= 2 and len(b) >= 2:
        return close(a[-1], b[-1])
    return any(close(x, y) for x in a for y in b)


def match_at(stream: Stream, i: int, j: int, score: float, kind: str, a: Alignment | None = None) -> QuoteMatch:
    """The match for the stream's tokens [i, j), with the alignment's diff if there is one."""
    by_para: dict[int, list[int]] = {}
    for k in range(i, j):
        by_para.setdefault(stream.para[k], []).append(k)
    paras = sorted(by_para)
    spans = [(stream.starts[by_para[p][0]], stream.ends[by_para[p][-1]]) for p in paras]
    return QuoteMatch(stream.paragraphs[paras[0]], score, spans[0][0], spans[0][1], kind,
                      diff=a.diff if a is not None else None,
                      extra=[stream.paragraphs[p] for p in paras[1:]], extra_spans=spans[1:])


def ordered(matches: list[QuoteMatch], speaker: str | None) -> list[QuoteMatch]:
    """Best first; among equals, the claimed speaker's words, then any speaker's, then commentary."""
    rank = {"verbatim": 0, "close": 1, "altered": 2, "paraphrase": 3}

    def key(im):
        i, m = im
        who = speaker_of(m)
        claimed = speaker is not None and who is not None and same_person(speaker, who)
        return (rank[m.kind], -round(m.score, 2), not claimed, who is None, i)

    out, seen = [], set()
    for _, m in sorted(enumerate(matches), key=key):
        if m.paragraph.key not in seen:   # one match a paragraph: its best
            seen.add(m.paragraph.key)
            out.append(m)
    return out


def speaker_of(m: QuoteMatch) -> str | None:
    """Whose words the match is: the speaker of the paragraph holding most of the span."""
    parts = [(m.end - m.start, m.paragraph)] + [(e - s, p) for p, (s, e) in zip(m.extra, m.extra_spans)]
    return max(parts, key=lambda x: x[0])[1].speaker


def speaker_verdict(m: QuoteMatch, claimed: str) -> str:
    """Is the match in the claimed speaker's words: ``same``, ``other``, or ``commentary`` (no speaker)?"""
    who = speaker_of(m)
    if who is None:
        return "commentary"
    return "same" if same_person(claimed, who) else "other"
