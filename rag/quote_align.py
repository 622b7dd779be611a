"""Word alignment of a quote with the stream: candidate places, then a weighted edit distance.

Candidate places are voted by the quote's words (rare words weigh more; a word
absent from the corpus votes through its nearest spellings), then the whole
quote is aligned word by word to a stretch of a window around each place (a
semi-global edit distance; stop words cost half). A quote word absent from the
window is read as the window's nearest word when it looks like a typo of it.
An edge replacement that does not swap like for like (a name for a name, a
number for a number) counts as an addition, and quote words that sit just
outside the span only moved.

What this leaves out: the word stream and verbatim search (``quote_stream``),
and scoring the alignment, its diff and critical differences (``quote_diff``).
"""
from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from rapidfuzz import fuzz, process

from .quote_diff import Alignment, score_alignment
from .quote_stream import NEGATIONS, Quote, Stream, canon, weight

MAX_DF = 5000          # words more frequent than this do not vote for candidate places
TYPO_RATIO = 80        # rapidfuzz ratio for a word to count as a typo of a source word


def semi_global(a: list[str], b: list[str], wa: list[float], wb: list[float]) -> list[list]:
    """Align all of ``a`` (the quote) to a stretch of ``b`` (free start and end in ``b``).

    Costs: an unmatched word costs its weight, a substitution a little less than
    the larger weight. Returns merged opcodes ``[tag, a0, a1, b0, b1]`` with
    rapidfuzz's tags: ``delete`` = words only in ``a``, ``insert`` = only in ``b``.
    """
    m, n = len(a), len(b)
    ids: dict[str, int] = {}
    A = np.array([ids.setdefault(w, len(ids)) for w in a])
    B = np.array([ids.setdefault(w, len(ids)) for w in b])
    WA, WB = np.asarray(wa, float), np.asarray(wb, float)
    S = np.where(A[:, None] == B[None, :], 0.0, 0.95 * np.maximum(WA[:, None], WB[None, :]))
    D = np.zeros((m + 1, n + 1))
    P = np.concatenate([[0.0], np.cumsum(WB)])
    for i in range(1, m + 1):
        e = D[i - 1] + WA[i - 1]
        e[1:] = np.minimum(e[1:], D[i - 1, :-1] + S[i - 1])
        D[i] = P + np.minimum.accumulate(e - P)
    i, j = m, int(np.argmin(D[m]))
    steps = []
    while i > 0:
        if j > 0 and abs(D[i, j] - (D[i - 1, j - 1] + S[i - 1, j - 1])) < 1e-9:
            steps.append(("equal" if A[i - 1] == B[j - 1] else "replace", i - 1, j - 1)); i -= 1; j -= 1
        elif j == 0 or abs(D[i, j] - (D[i - 1, j] + WA[i - 1])) < 1e-9:
            steps.append(("delete", i - 1, j)); i -= 1
        else:
            steps.append(("insert", i, j - 1)); j -= 1
    ops: list[list] = []
    for tag, x, y in reversed(steps):
        da, db = (0 if tag == "insert" else 1), (0 if tag == "delete" else 1)
        if ops and ops[-1][0] == tag and ops[-1][2] == x and ops[-1][4] == y:
            ops[-1][2] += da; ops[-1][4] += db
        else:
            ops.append([tag, x, x + da, y, y + db])
    return ops


def candidates(stream: Stream, q: Quote, k: int = 6) -> list[tuple[int, int]]:
    """Windows [lo, hi) of the stream where the quote's words gather, best first."""
    m = len(q.words)
    votes: dict[int, float] = defaultdict(float)
    for i, w in enumerate(q.canon):
        hits = stream.index.get(w)
        variants = [(w, 1.0)] if hits else []
        if not hits and len(w) >= 5 and not w.isdigit():   # a typo: vote through the nearest words
            variants = [(v, 0.8) for v, _, _ in process.extract(w, stream.vocab, scorer=fuzz.ratio, limit=3,
                                                                 score_cutoff=TYPO_RATIO)]
        for v, f in variants:
            pos = stream.index[v]
            if len(pos) > MAX_DF:
                continue
            wt = stream.idf.get(v, 1.0) * f * weight(v)
            for p in pos:
                votes[p - i] += wt
    if not votes:
        return []
    band = max(2, m // 4)
    diags = np.array(sorted(votes))
    vals = np.array([votes[d] for d in diags])
    csum = np.concatenate([[0.0], np.cumsum(vals)])
    lo_i = np.searchsorted(diags, diags - band, "left")
    hi_i = np.searchsorted(diags, diags + band, "right")
    score = csum[hi_i] - csum[lo_i]
    out: list[tuple[int, int]] = []
    taken: list[int] = []
    for idx in np.argsort(-score, kind="stable"):
        d = int(diags[idx])
        if any(abs(d - t) <= max(band, m // 2) for t in taken):
            continue
        taken.append(d)
        anchor = min(max(d + m // 2, 0), len(stream.words) - 1)
        s = stream.seg[anchor]
        lo = max(stream.seg_start[s], d - band - 1)
        hi = min(stream.seg_end[s], d + m + band + 1)
        if hi > lo:
            out.append((lo, hi))
        if len(out) >= k:
            break
    return out


def align(stream: Stream, q: Quote, lo: int, hi: int) -> Alignment | None:
    """The quote aligned to a stretch of the window [lo, hi) of the stream, scored; None if nothing matches."""
    qc = q.canon
    win = [canon(w) for w in stream.words[lo:hi]]
    present = set(win)
    typo = {}
    choices = [v for v in present if len(v) >= 4 and not v.isdigit()]
    for i, w in enumerate(qc):   # a quote word absent from the window: is it a typo of a window word?
        if w in present or w in stream.index or len(w) < 4 or w.isdigit() or w in NEGATIONS:
            continue
        best = process.extractOne(w, choices, scorer=fuzz.ratio, score_cutoff=TYPO_RATIO)
        if best:
            typo[i] = best[0]
    aligned = [typo.get(i, w) for i, w in enumerate(qc)]
    ops = semi_global(aligned, win, [weight(w) for w in aligned], [weight(w) for w in win])
    # an edge replacement that does not swap like for like is an addition: the span stops before it
    for k in (0, -1):
        if ops and ops[k][0] == "replace" and not _same_kind(stream, q, lo, ops[k]):
            o = ops[k]
            ops[k] = ["delete", o[1], o[2], o[4], o[4]] if k == 0 else ["delete", o[1], o[2], o[3], o[3]]
    span = [(o[3], o[4]) for o in ops if o[0] in ("equal", "replace")]
    if not span:
        return None
    j0, j1 = span[0][0], span[-1][1]
    ops = [o for o in ops if not (o[0] == "insert" and (o[4] <= j0 or o[3] >= j1))]
    # a quote word the alignment left out but that sits just outside the span only moved: take it in
    extra = Counter(aligned[o[1] + k] for o in ops if o[0] in ("delete", "replace") for k in range(o[2] - o[1]))
    nj0 = min((j for j in range(max(0, j0 - 3), j0) if extra[win[j]] > 0), default=j0)
    nj1 = max((j + 1 for j in range(j1, min(len(win), j1 + 3)) if extra[win[j]] > 0), default=j1)
    if nj0 < j0:
        ops.insert(0, ["insert", 0, 0, nj0, j0])
    if nj1 > j1:
        ops.append(["insert", len(aligned), len(aligned), j1, nj1])
    return score_alignment(stream, q, ops, lo, nj0, nj1, typo)


def _same_kind(stream: Stream, q: Quote, lo: int, op) -> bool:
    """An edge replacement stays one when it swaps a name for a name or a number for a number."""
    _, a0, a1, b0, b1 = op
    if a1 - a0 != b1 - b0:
        return False
    return all(q.kinds[a] and q.kinds[a] == stream.kind(lo + b)
               for a, b in zip(range(a0, a1), range(b0, b1)))
