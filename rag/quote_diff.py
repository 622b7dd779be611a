"""What a word alignment says: the diff, words that only moved, the differences that carry meaning.

``score_alignment`` reads the opcodes of the quote aligned with a stretch of
the stream (``quote_align``) and returns an ``Alignment``: the diff in the
quote's and the source's own text, the weighted Dice of matched words (stop
words weigh half, typos and moved words a little less than an exact match),
and the critical differences: a negation added or removed, or a number, date
or name (or a word made from a name, "ukrainien") that the quote puts where the
source has another word. ``sim_excl`` counts those as matched, so that an
altered quote can be told from an unrelated one.

Diff ops read from the quote's side: ``insert`` = words the quote adds,
``delete`` = source words the quote leaves out, ``replace`` = quote words in
place of source words.

What this leaves out: where to align and the alignment itself (``quote_align``),
and the verdict drawn from the scores (``quote``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .quote_stream import NEGATIONS, Quote, Stream, canon, weight


def _runs(idx: list[int], same=lambda a, b: True) -> list[list[int]]:
    """Split indices into runs of consecutive ones."""
    runs: list[list[int]] = []
    for i in idx:
        if runs and i == runs[-1][-1] + 1 and same(runs[-1][-1], i):
            runs[-1].append(i)
        elif not (runs and i == runs[-1][-1]):
            runs.append([i])
    return runs


@dataclass
class Alignment:
    start_tok: int                 # token range [start_tok, end_tok) in the stream
    end_tok: int
    sim: float                     # weighted Dice of matched words, 0..1
    sim_excl: float                # the same, counting meaning-bearing differences as matched
    critical: list[str]            # what carries meaning and differs: "negation", "number", "name"
    diff: list[tuple[str, str, str]]
    content_matched: int           # matched words that are not stop words
    n_diff: int = 0                # words left unmatched on either side (moves and typos excepted)
    matched: int = 0               # quote words matched (equal, typo or moved)


def _surface_q(q: Quote, idx: list[int]) -> str:
    """The quote's own text for these words (runs of neighbours keep their punctuation)."""
    return " ".join(q.text[q.spans[r[0]][0]:q.spans[r[-1]][1]] for r in _runs(idx)) if q.spans \
        else " ".join(q.words[i] for i in idx)


def _surface_s(stream: Stream, idx: list[int]) -> str:
    """The source's own text for these stream positions."""
    out = []
    for r in _runs(idx, lambda a, b: stream.para[a] == stream.para[b]):
        out.append(stream.paragraphs[stream.para[r[0]]].text[stream.starts[r[0]]:stream.ends[r[-1]]])
    return " ".join(out)


def score_alignment(stream: Stream, q: Quote, ops, lo: int, j0: int, j1: int, typo: dict[int, str]) -> Alignment:
    """Score the opcodes ``ops`` of ``q`` aligned to the stream from ``lo``; the span is ``[lo + j0, lo + j1)``.

    ``typo`` maps quote word indices to the window word each was read as."""
    qw = q.words
    sw = stream.words[lo + j0:lo + j1]
    matched_w = content = 0.0
    un_q: list[int] = []                 # unmatched quote word indices
    un_s: list[int] = []                 # unmatched source words (stream positions)
    partner: dict[int, list[int]] = {}   # quote index -> source positions of its replace block
    runs: list[tuple[str, list[int], list[int]]] = []   # (op, quote indices, stream positions)

    def emit(op, a, b):
        if runs and runs[-1][0] == op:
            runs[-1][1].extend(a); runs[-1][2].extend(b)
        else:
            runs.append((op, list(a), list(b)))

    for tag, a0, a1, b0, b1 in ops:
        if tag == "equal":
            for k in range(a1 - a0):
                i, s = a0 + k, lo + b0 + k
                matched_w += (0.8 if i in typo else 1.0) * weight(qw[i])
                content += weight(qw[i]) == 1.0
                emit("replace" if i in typo else "equal", [i], [s])
        elif tag == "replace":
            un_q += range(a0, a1)
            un_s += range(lo + b0, lo + b1)
            for i in range(a0, a1):
                partner[i] = list(range(lo + b0, lo + b1))
            emit("replace", range(a0, a1), range(lo + b0, lo + b1))
        elif tag == "delete":      # only in the quote: the quote adds words
            un_q += range(a0, a1)
            emit("insert", range(a0, a1), [])
        else:                      # only in the source: the quote leaves words out
            un_s += range(lo + b0, lo + b1)
            emit("delete", [], range(lo + b0, lo + b1))
    diff = [(op, _surface_q(q, a), _surface_s(stream, b)) for op, a, b in runs]
    # words that only moved count as matched
    pool_s = Counter(canon(stream.words[s]) for s in un_s)
    pool_q = Counter(canon(qw[i]) for i in un_q)
    moved = pool_s & pool_q
    left_q, left_s = [], []
    for i in un_q:
        c = canon(qw[i])
        if moved[c] > 0:
            moved[c] -= 1
            matched_w += 0.9 * weight(qw[i])
            content += weight(qw[i]) == 1.0
        else:
            left_q.append(i)
    moved = pool_s & pool_q
    for s in un_s:
        c = canon(stream.words[s])
        if moved[c] > 0:
            moved[c] -= 1
        else:
            left_s.append(s)
    left_s_set = set(left_s)
    # what differs and carries meaning; it is excused in sim_excl when it stands in for source words
    critical, excused, used = [], 0.0, set()
    for i in left_q:
        w = qw[i]
        kind = "negation" if w in NEGATIONS else q.kinds[i]
        if not kind:
            continue
        if kind not in critical:
            critical.append(kind)
        if kind == "negation":
            excused += weight(w)
            continue
        cands = [s for s in partner.get(i, []) if s in left_s_set and s not in used]
        if cands:
            same = [s for s in cands if stream.kind(s) == kind]
            s = (same or cands)[0]
            used.add(s)
            excused += weight(w) + weight(stream.words[s])
    for s in left_s:
        if stream.words[s] in NEGATIONS:
            if "negation" not in critical:
                critical.append("negation")
            excused += weight(stream.words[s])
    total = sum(weight(w) for w in qw) + sum(weight(w) for w in sw)
    sim = 2 * matched_w / total if total else 0.0
    sim_excl = min(1.0, (2 * matched_w + excused) / total) if total else 0.0
    return Alignment(lo + j0, lo + j1, sim, sim_excl, critical, diff, int(content), len(left_q) + len(left_s),
                     len(qw) - len(left_q))
