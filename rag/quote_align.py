"""Lexical side of the quote check: word streams with offsets, verbatim search, word alignment.

Every paragraph's spoken words (its text after any ``NAME — `` label) are cut
into folded word tokens that keep their character offsets in ``paragraph.text``.
Consecutive paragraphs of one document form one stream, so a quote can run
across a paragraph break and past the label of the next turn.

- ``verbatim``: the quote's words, squashed together (no case, accents,
  punctuation, quote marks or spaces), occur in a stream starting and ending
  on word boundaries.
- alignment: candidate places are voted by the quote's words (rare words
  weigh more), then the whole quote is aligned word by word to a stretch of a
  window around each place (a semi-global edit distance; stop words cost
  half). Typos are matched to the window's nearest word, words that only moved
  count as matched, and the words that differ are checked for meaning: a
  negation added or removed, or a number, date or name (or a word made from a
  name, "ukrainien") that the quote puts where the source has another word.

Diff ops read from the quote's side: ``insert`` = words the quote adds,
``delete`` = source words the quote leaves out, ``replace`` = quote words in
place of source words.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from .documents import Paragraph
from .textnorm import WORD, fold, stop_words

RAW = re.compile(r"[^\W_]+")
SKIP_BACK = set(" \t\n\u00a0\u202f«»\"“”„'’‘()[]—–-")
# "ne"/"n'" alone do not count: spoken French drops them ("je sais pas") and "ne ... que" is no negation
NEGATIONS = frozenset({"pas", "jamais", "rien", "aucun", "aucune", "nullement", "guere",
                       "not", "never", "no", "nothing", "none", "nobody", "nor", "neither", "cannot"})
N_T = frozenset("don doesn didn isn aren wasn weren won wouldn couldn shouldn can haven hasn hadn mustn ain "
                "needn shan mightn".split())
NOT_NAMES = frozenset({"i"})
DEMONYM = re.compile(r"(?:ien|ienne|iens|iennes|een|eenne|eens|ean|eans|ian|ians|ain|aine|ains|aines|ais|aise|aises"
                     r"|ois|oise|oises|an|ans|ese)$")
_NUMS = ("deux two 2|trois three 3|quatre four 4|cinq five 5|six 6|sept seven 7|huit eight 8|neuf nine 9|"
         "dix ten 10|onze eleven 11|douze twelve 12|quinze fifteen 15|vingt twenty 20|trente thirty 30|"
         "quarante forty 40|cinquante fifty 50|cent hundred 100|mille thousand 1000")
DATES = frozenset("lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet "
                  "aout septembre octobre novembre decembre monday tuesday wednesday thursday friday saturday sunday "
                  "january february march april june july august september october november december "
                  "hier demain yesterday tomorrow".split())
NUMBER_WORDS = {w: g.split()[-1] for g in _NUMS.split("|") for w in g.split()}
MAX_DF = 5000          # words more frequent than this do not vote for candidate places
TYPO_RATIO = 80        # rapidfuzz ratio for a word to count as a typo of a source word


def canon(word: str) -> str:
    """The word as alignment compares it: number words become digits."""
    return NUMBER_WORDS.get(word, word)


def is_number(word: str) -> bool:
    return canon(word).isdigit()


def _initial(text: str, pos: int, start: int) -> bool:
    """Does a sentence start at ``pos``? After a colon it does only when a quotation opens."""
    k, quoted = pos - 1, False
    while k >= start and text[k] in SKIP_BACK:
        quoted = quoted or text[k] in "«“\""
        k -= 1
    return k < start or text[k] in ".!?…" or (text[k] == ":" and quoted)


def word_kind(word: str, name: bool, capitalised: bool) -> str:
    if is_number(word):
        return "number"
    if word in DATES or (word == "may" and capitalised):
        return "date"
    return "name" if name else ""


def tokenize(text: str, start: int = 0) -> list[tuple[str, int, int, bool]]:
    """(folded word, start, end, capitalised mid-sentence) for the words of ``text[start:]``."""
    out = []
    for m in RAW.finditer(text, start):
        raw = m.group()
        mid_cap = raw[:1].isupper() and not _initial(text, m.start(), start)
        for w in WORD.findall(fold(raw)):
            out.append((w, m.start(), m.end(), mid_cap))
    # "don't", "isn't": the "t" after an English auxiliary is a negation
    return [("not", s, e, c) if w == "t" and i and out[i - 1][0] in N_T else (w, s, e, c)
            for i, (w, s, e, c) in enumerate(out)]


def _runs(idx: list[int], same=lambda a, b: True) -> list[list[int]]:
    """Split indices into runs of consecutive ones."""
    runs: list[list[int]] = []
    for i in idx:
        if runs and i == runs[-1][-1] + 1 and same(runs[-1][-1], i):
            runs[-1].append(i)
        elif not (runs and i == runs[-1][-1]):
            runs.append([i])
    return runs


def weight(word: str) -> float:
    return 0.5 if word in stop_words() and word not in NEGATIONS else 1.0


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


@dataclass
class Quote:
    """The quote's tokens and what each carries: "number", "date", "name" or ""."""
    text: str
    words: list[str]
    kinds: list[str]
    spans: list[tuple[int, int]] = field(default_factory=list)   # of each word in ``text``

    @property
    def canon(self) -> list[str]:
        return [canon(w) for w in self.words]


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


@dataclass
class Stream:
    """All paragraphs' spoken words in one token stream, documents separated."""
    paragraphs: list[Paragraph]
    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    para: list[int] = field(default_factory=list)     # index into paragraphs
    seg: list[int] = field(default_factory=list)      # run of consecutive paragraphs of one document
    caps: list[bool] = field(default_factory=list)

    def __post_init__(self):
        seg_bounds: list[int] = [0]
        prev = None
        for pi, p in enumerate(self.paragraphs):
            if prev is not None and (p.doc != prev.doc or p.number != prev.number + 1):
                seg_bounds.append(len(self.words))
            prev = p
            for w, s, e, c in tokenize(p.text, p.speech_start):
                self.words.append(w); self.starts.append(s); self.ends.append(e)
                self.para.append(pi); self.seg.append(len(seg_bounds) - 1); self.caps.append(c)
        seg_bounds.append(len(self.words))
        self.seg_start = seg_bounds[:-1]
        self.seg_end = seg_bounds[1:]
        # squashed text for verbatim search; "|" between segments so no match crosses them
        parts, pos, last_seg = [], 0, 0
        self.tok_at_start: dict[int, int] = {}
        self.tok_at_end: dict[int, int] = {}
        for i, w in enumerate(self.words):
            if self.seg[i] != last_seg:
                parts.append("|"); pos += 1; last_seg = self.seg[i]
            self.tok_at_start[pos] = i
            parts.append(w); pos += len(w)
            self.tok_at_end[pos] = i
        self.squashed = "".join(parts)
        index: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(self.words):
            index[canon(w)].append(i)
        self.index = dict(index)
        self.vocab = list(self.index)
        n = max(1, len(self.paragraphs))
        df = Counter(w for w, _ in {(canon(w), self.para[i]) for i, w in enumerate(self.words)})
        self.idf = {w: math.log(1 + n / c) for w, c in df.items()}
        cap, low = Counter(), Counter()   # capitalised mid-sentence vs lower case: the corpus's names
        for i, w in enumerate(self.words):
            if self.caps[i]:
                cap[w] += 1
            elif not self._initial(i):
                low[w] += 1
        self.names = {w for w, c in cap.items()
                      if c >= 2 * low[w] and len(w) > 1 and w not in NOT_NAMES and not w.isdigit()}
        self._name_prefixes = {n[:5] for n in self.names if len(n) >= 5}
        self._place_like: dict[str, bool] = {}

    def name_like(self, word: str, capitalised: bool) -> bool:
        """A name, or a word made from one ("ukrainien" from "Ukraine")."""
        if word in NOT_NAMES or word.isdigit():
            return False
        if capitalised and word not in stop_words() or word in self.names:
            return True
        if word not in self._place_like:
            self._place_like[word] = (len(word) >= 6 and word[:5] in self._name_prefixes and word not in self.names
                                      and DEMONYM.search(word) is not None and word not in stop_words())
        return self._place_like[word]

    def _initial(self, i: int) -> bool:
        p = self.paragraphs[self.para[i]]
        return _initial(p.text, self.starts[i], p.speech_start)

    # -- the quote ----------------------------------------------------------------------------------
    def quote(self, text: str) -> Quote:
        toks = tokenize(text)
        kinds = [word_kind(w, self.name_like(w, c), c) for w, _, _, c in toks]
        return Quote(text, [t[0] for t in toks], kinds, [(t[1], t[2]) for t in toks])

    def is_source_name(self, i: int) -> bool:
        return self.name_like(self.words[i], self.caps[i])

    # -- verbatim -----------------------------------------------------------------------------------
    def verbatim(self, words: list[str]) -> list[tuple[int, int]]:
        """Token ranges [i, j) where the words occur, squashed, on word boundaries."""
        q, out = "".join(words), []
        if not q:
            return out
        pos = self.squashed.find(q)
        while pos != -1:
            i, j = self.tok_at_start.get(pos), self.tok_at_end.get(pos + len(q))
            if i is not None and j is not None:
                out.append((i, j + 1))
            pos = self.squashed.find(q, pos + 1)
        return out

    def verbatim_pieces(self, pieces: list[list[str]], max_gap: int = 80) -> list[tuple[int, int]]:
        """A quote with elisions ("...", "[…]"): every piece verbatim, in order, close together."""
        out = []
        for i0, j0 in self.verbatim(pieces[0]):
            end, ok = j0, True
            for piece in pieces[1:]:
                nxt = [(i, j) for i, j in self.verbatim(piece) if end <= i <= end + max_gap
                       and self.seg[i] == self.seg[i0]]
                if not nxt:
                    ok = False
                    break
                end = nxt[0][1]
            if ok:
                out.append((i0, end))
        return out

    # -- alignment ----------------------------------------------------------------------------------
    def candidates(self, q: Quote, k: int = 6) -> list[tuple[int, int]]:
        """Windows [lo, hi) of the stream where the quote's words gather, best first."""
        m = len(q.words)
        votes: dict[int, float] = defaultdict(float)
        for i, w in enumerate(q.canon):
            hits = self.index.get(w)
            variants = [(w, 1.0)] if hits else []
            if not hits and len(w) >= 5 and not w.isdigit():   # a typo: vote through the nearest words
                variants = [(v, 0.8) for v, _, _ in process.extract(w, self.vocab, scorer=fuzz.ratio, limit=3,
                                                                     score_cutoff=TYPO_RATIO)]
            for v, f in variants:
                pos = self.index[v]
                if len(pos) > MAX_DF:
                    continue
                wt = self.idf.get(v, 1.0) * f * weight(v)
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
            anchor = min(max(d + m // 2, 0), len(self.words) - 1)
            s = self.seg[anchor]
            lo = max(self.seg_start[s], d - band - 1)
            hi = min(self.seg_end[s], d + m + band + 1)
            if hi > lo:
                out.append((lo, hi))
            if len(out) >= k:
                break
        return out

    def align(self, q: Quote, lo: int, hi: int) -> Alignment | None:
        qc = q.canon
        win = [canon(w) for w in self.words[lo:hi]]
        present = set(win)
        typo = {}
        choices = [v for v in present if len(v) >= 4 and not v.isdigit()]
        for i, w in enumerate(qc):   # a quote word absent from the window: is it a typo of a window word?
            if w in present or w in self.index or len(w) < 4 or w.isdigit() or w in NEGATIONS:
                continue
            best = process.extractOne(w, choices, scorer=fuzz.ratio, score_cutoff=TYPO_RATIO)
            if best:
                typo[i] = best[0]
        aligned = [typo.get(i, w) for i, w in enumerate(qc)]
        ops = semi_global(aligned, win, [weight(w) for w in aligned], [weight(w) for w in win])
        # an edge replacement that does not swap like for like is an addition: the span stops before it
        for k in (0, -1):
            if ops and ops[k][0] == "replace" and not self._same_kind(q, lo, ops[k]):
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
        return self._score(q, ops, lo, nj0, nj1, typo)

    @staticmethod
    def _surface_q(q: Quote, idx: list[int]) -> str:
        """The quote's own text for these words (runs of neighbours keep their punctuation)."""
        return " ".join(q.text[q.spans[r[0]][0]:q.spans[r[-1]][1]] for r in _runs(idx)) if q.spans \
            else " ".join(q.words[i] for i in idx)

    def _surface_s(self, idx: list[int]) -> str:
        """The source's own text for these stream positions."""
        out = []
        for r in _runs(idx, lambda a, b: self.para[a] == self.para[b]):
            out.append(self.paragraphs[self.para[r[0]]].text[self.starts[r[0]]:self.ends[r[-1]]])
        return " ".join(out)

    def kind(self, i: int) -> str:
        """What the stream's word ``i`` carries: "number", "date", "name" or ""."""
        return word_kind(self.words[i], self.is_source_name(i), self.caps[i])

    def _same_kind(self, q: Quote, lo: int, op) -> bool:
        """An edge replacement stays one when it swaps a name for a name or a number for a number."""
        _, a0, a1, b0, b1 = op
        if a1 - a0 != b1 - b0:
            return False
        return all(q.kinds[a] and q.kinds[a] == self.kind(lo + b)
                   for a, b in zip(range(a0, a1), range(b0, b1)))

    def _score(self, q: Quote, ops, lo: int, j0: int, j1: int, typo: dict[int, str]) -> Alignment:
        qw = q.words
        sw = self.words[lo + j0:lo + j1]
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
        diff = [(op, self._surface_q(q, a), self._surface_s(b)) for op, a, b in runs]
        # words that only moved count as matched
        pool_s = Counter(canon(self.words[s]) for s in un_s)
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
            c = canon(self.words[s])
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
                same = [s for s in cands if self.kind(s) == kind]
                s = (same or cands)[0]
                used.add(s)
                excused += weight(w) + weight(self.words[s])
        for s in left_s:
            if self.words[s] in NEGATIONS:
                if "negation" not in critical:
                    critical.append("negation")
                excused += weight(self.words[s])
        total = sum(weight(w) for w in qw) + sum(weight(w) for w in sw)
        sim = 2 * matched_w / total if total else 0.0
        sim_excl = min(1.0, (2 * matched_w + excused) / total) if total else 0.0
        return Alignment(lo + j0, lo + j1, sim, sim_excl, critical, diff, int(content), len(left_q) + len(left_s),
                         len(qw) - len(left_q))
