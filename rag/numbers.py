"""Numbers as values: digits and the French and English words that write the same count.

``canon`` turns a number word into its digits ("deux", "two" -> "2"), ``values``
lists the counts a text writes (digits, number words, and runs of them:
"deux cents" -> 200, "vingt-huit" -> 28; ``runs``: those only), and ``written`` tells whether a
number an answer gives is among such counts. What it leaves out: "un"/"one" (articles as often
as counts), ordinals, decimals, and numbers written with separators ("1 000",
"2,5": these are taken as written).
"""
from __future__ import annotations

import re

from .textnorm import fold

_NUMS = ("deux two 2|trois three 3|quatre four 4|cinq five 5|six 6|sept seven 7|huit eight 8|neuf nine 9|"
         "dix ten 10|onze eleven 11|douze twelve 12|quinze fifteen 15|vingt twenty 20|trente thirty 30|"
         "quarante forty 40|cinquante fifty 50|cent hundred 100|mille thousand 1000")
NUMBER_WORDS = {w: g.split()[-1] for g in _NUMS.split("|") for w in g.split()}
_TOKEN = re.compile(r"\d+|[^\W\d_]+")


def canon(word: str) -> str:
    """The word as alignment compares it: number words become digits."""
    return NUMBER_WORDS.get(word, word)


def is_number(word: str) -> bool:
    return canon(word).isdigit()


def value(number: str) -> int | None:
    """The count a number word or digits write ("Trois", "cents", "28"); None when it is not one we read."""
    n = fold(number).lower()
    if n.endswith("s") and n[:-1] in NUMBER_WORDS:  # "deux cents", "hundreds"
        n = n[:-1]
    n = NUMBER_WORDS.get(n, n)
    return int(n) if n.isdigit() else None


def values(text: str) -> set[int]:
    """Every count ``text`` writes: each number, and each run of number words read as one ("deux cents")."""
    single, runs = _read(text)
    return single | runs


def runs(text: str) -> set[int]:
    """The counts ``text`` writes as runs of number words ("twenty-eight": 28, "deux cents": 200)."""
    return _read(text)[1]


def _read(text: str) -> tuple[set[int], set[int]]:
    single: set[int] = set()
    runs: set[int] = set()
    run: list[int] = []
    for tok in _TOKEN.findall(fold(text).lower()) + [""]:
        v = value(tok) if tok else None
        if v is not None and not tok.isdigit():
            run.append(v)
        elif len(run) > 1:
            runs.add(_compound(run))
        if v is None or tok.isdigit():
            run = []
        if v is not None:
            single.add(v)
    return single, runs


def _compound(run: list[int]) -> int:
    """A run of number words as one count: "deux cents" 200, "vingt huit" 28, "trois mille" 3000."""
    total = current = 0
    for v in run:
        if v == 100:
            current = max(current, 1) * 100
        elif v == 1000:
            total, current = total + max(current, 1) * 1000, 0
        else:
            current += v
    return total + current


def written(number: str, counts: set[int]) -> bool:
    """True when ``counts`` (``values`` of a text) hold the count ``number`` gives, in digits or words; a number
    we do not read (separators, "million") is taken as written."""
    v = value(number)
    return v is None or v in counts
