"""The quote check's word stream: folded word tokens with offsets, word classes, verbatim search.

Every paragraph's spoken words (its text after any ``NAME — `` label) are cut
into folded word tokens that keep their character offsets in ``paragraph.text``.
Consecutive paragraphs of one document form one stream, so a quote can run
across a paragraph break and past the label of the next turn. A word carries a
number, a date, a name (capitalised mid-sentence more often than not in the
corpus, or made from such a name) or nothing. ``verbatim``: the quote's words,
squashed together (no case, accents, punctuation, quote marks or spaces), occur
in the stream starting and ending on word boundaries.

What this leaves out: near matches aligned word by word (``quote_align``) and
judging the words that differ (``quote_diff``).
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .documents import Paragraph
from .numbers import canon, is_number
from .places import made_from, place_like
from .textnorm import WORD, fold, stop_words

RAW = re.compile(r"[^\W_]+")
SKIP_BACK = set(" \t\n\u00a0\u202f«»\"“”„'’‘()[]—–-")
# "ne"/"n'" alone do not count: spoken French drops them ("je sais pas") and "ne ... que" is no negation
NEGATIONS = frozenset({"pas", "jamais", "rien", "aucun", "aucune", "nullement", "guere",
                       "not", "never", "no", "nothing", "none", "nobody", "nor", "neither", "cannot"})
N_T = frozenset("don doesn didn isn aren wasn weren won wouldn couldn shouldn can haven hasn hadn mustn ain "
                "needn shan mightn".split())
NOT_NAMES = frozenset({"i"})
DATES = frozenset("lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet "
                  "aout septembre octobre novembre decembre monday tuesday wednesday thursday friday saturday sunday "
                  "january february march april june july august september october november december "
                  "hier demain yesterday tomorrow".split())


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


def weight(word: str) -> float:
    """How much a word counts in an alignment: stop words half, negations in full."""
    return 0.5 if word in stop_words() and word not in NEGATIONS else 1.0


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
        """A name, or a word made from one ("ukrainien" from "Ukraine"), or a people's word (``places``)."""
        if word in NOT_NAMES or word.isdigit():
            return False
        if capitalised and word not in stop_words() or word in self.names:
            return True
        if word not in self._place_like:
            self._place_like[word] = (made_from(word, self._name_prefixes) and word not in self.names
                                      or place_like(word))
        return self._place_like[word]

    def _initial(self, i: int) -> bool:
        p = self.paragraphs[self.para[i]]
        return _initial(p.text, self.starts[i], p.speech_start)

    def is_source_name(self, i: int) -> bool:
        return self.name_like(self.words[i], self.caps[i])

    def kind(self, i: int) -> str:
        """What the stream's word ``i`` carries: "number", "date", "name" or ""."""
        return word_kind(self.words[i], self.is_source_name(i), self.caps[i])

    # -- the quote ----------------------------------------------------------------------------------
    def quote(self, text: str) -> Quote:
        toks = tokenize(text)
        kinds = [word_kind(w, self.name_like(w, c), c) for w, _, _, c in toks]
        return Quote(text, [t[0] for t in toks], kinds, [(t[1], t[2]) for t in toks])

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
