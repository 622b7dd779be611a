"""The metrics of the gold set (``../shared/eval/README.md``), computed inside the package.

Same definitions and same rounding as the reference scorer ``score.py`` (a copy
is kept in ``tests/data/score.py``; a test proves both give the same numbers on
the same outputs): ``answer_ok``, ``attribution_ok``, ``cite_hit``,
``cite_precision``, ``cite_real``, ``abstain_ok``, ``false_abstain``,
``verdict_ok``, ``match_ok``, ``quote_speaker_ok``, ``recall@1/5/10``, ``mrr``.
Inputs are the batch-contract outputs keyed by gold id. What it leaves out:
timing (``runner``), model-judged faithfulness (``faithfulness``) and output.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from ..errors import InputError

SPEAKERS = {
    "witkoff": ["witkoff"],
    "ouchakov": ["ouchakov", "ushakov", "ouchakov", "youri", "yuri", "iouri"],
}
PUNCT = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"',
                       "–": "-", "—": "-", "\u00a0": " ", "\u202f": " "})
DEFAULT_ACCEPT = {"verbatim": ["verbatim"], "paraphrase": ["paraphrase", "close"],
                  "not_found": ["not_found"], "altered": ["altered"]}
ANSWER_METRICS = ("answer_ok", "cite_hit", "cite_real", "abstain_ok", "false_abstain", "attribution_ok")
QUOTE_METRICS = ("verdict_ok", "match_ok", "quote_speaker_ok")


def norm(text: str) -> str:
    """Lower-case, strip accents, unify quotes and dashes, collapse spaces."""
    text = unicodedata.normalize("NFKD", (text or "").translate(PUNCT))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", text).strip()


def squash(text: str) -> str:
    """norm() without whitespace or quote marks: containment that survives re-wrapping."""
    return re.sub(r"[\s\"]", "", norm(text))


def has_word(haystack: str, needle: str) -> bool:
    """``needle`` at a word boundary: whole word for numbers and words of <= 3 letters, else a prefix."""
    n = norm(needle)
    tail = r"(?![a-z0-9])" if n.isdigit() or len(n) <= 3 else ""
    return re.search(r"(?<![a-z0-9])" + re.escape(n) + tail, norm(haystack)) is not None


def first_speaker(answer: str) -> str | None:
    """The speaker whose name comes first in the answer."""
    text = norm(answer)
    best: tuple[str | None, int] = (None, len(text) + 1)
    for who, aliases in SPEAKERS.items():
        for a in aliases:
            m = re.search(r"(?<![a-z])" + re.escape(a), text)
            if m and m.start() < best[1]:
                best = (who, m.start())
    return best[0]


def contains_any(text: str, evidence: list[str]) -> bool:
    t = squash(text)
    return any(squash(e) in t for e in evidence)


def speaker_ok(gold: str | None, got: str | None) -> bool:
    if not gold:
        return True
    return any(a in norm(got or "") for a in SPEAKERS.get(gold, [gold]))


def load_gold(path: Path) -> list[dict]:
    """The gold lines; a line that is not a JSON object is a user's error naming the line."""
    if not Path(path).is_file():
        raise InputError(f"No such gold file: {path}.")
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{path}:{n} is not JSON ({e.msg}).") from None
            if not isinstance(row, dict) or "id" not in row or "kind" not in row:
                raise InputError(f"{path}:{n} is not a gold line (it needs an id and a kind).")
            rows.append(row)
    return rows


def corpus_text(folder: Path) -> str:
    """Every file of the sources folder squashed and joined, for ``cite_real``."""
    return "".join(squash(p.read_text(encoding="utf-8", errors="replace"))
                   for p in sorted(Path(folder).iterdir()) if p.is_file())


def _ratio(values: list) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def score_search(gold: list[dict], search: dict) -> dict:
    """recall@1/5/10 and MRR of the first result holding the evidence."""
    ranks = []
    for g in gold:
        if g["kind"] == "quote" or not g["answerable"]:
            continue
        results = (search.get(g["id"]) or {}).get("results") or []
        ranks.append(next((i for i, r in enumerate(results, 1) if contains_any(r.get("text", ""), g["evidence"])),
                          None))
    n = len(ranks) or 1
    return {"recall@1": round(sum(r == 1 for r in ranks) / n, 3),
            "recall@5": round(sum(r is not None and r <= 5 for r in ranks) / n, 3),
            "recall@10": round(sum(r is not None and r <= 10 for r in ranks) / n, 3),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 3), "n_search": len(ranks)}


def _score_quote(g: dict, r: dict | None, m: dict, failures: list[str]) -> None:
    gid = g["id"]
    if r is None:
        failures.append(f"{gid}: no quote result")
        m["verdict_ok"].append(False)
        return
    verdict, matches = r.get("verdict"), r.get("matches") or []
    top = matches[0] if matches else {}
    want = g["verdict"]
    ok = verdict in (g.get("accept") or DEFAULT_ACCEPT[want])
    m["verdict_ok"].append(ok)
    if not ok:
        failures.append(f"{gid}: verdict {verdict!r}, want {want!r}: {g['quote'][:60]}")
    if want == "not_found":
        return
    hit = contains_any(top.get("text", ""), g["evidence"])
    m["match_ok"].append(hit)
    if not hit:
        failures.append(f"{gid}: top match is not the source paragraph")
    if g.get("speaker"):
        sp = speaker_ok(g["speaker"], top.get("speaker"))
        m["quote_speaker_ok"].append(sp)
        if not sp:
            failures.append(f"{gid}: speaker {top.get('speaker')!r}, want {g['speaker']!r}")


def _score_answer(g: dict, r: dict | None, corpus: str, m: dict, precision: list, failures: list[str]) -> None:
    gid = g["id"]
    if r is None:
        failures.append(f"{gid}: no answer")
        m["answer_ok"].append(False)
        return
    answer, cites = r.get("answer") or "", r.get("citations") or []
    for c in cites:
        real = squash(c.get("text", "")) in corpus and len(squash(c.get("text", ""))) > 0
        m["cite_real"].append(real)
        if not real:
            failures.append(f"{gid}: cited text is not in the corpus: {c.get('text', '')[:60]!r}")
    abstained = bool(r.get("abstained"))
    if not g["answerable"]:
        m["abstain_ok"].append(abstained)
        if not abstained:
            failures.append(f"{gid}: answered an unanswerable question: {answer[:80]!r}")
        return
    m["false_abstain"].append(abstained)
    ok = all(any(has_word(answer, alt) for alt in group) for group in g["expect"])
    if g["kind"] == "attribution":  # the first person the answer names must be the speaker
        ok = ok and first_speaker(answer) == g["speaker"]
    m["attribution_ok" if g["kind"] == "attribution" else "answer_ok"].append(ok)
    if not ok:
        failures.append(f"{gid}: answer misses {g['expect']}: {answer[:100]!r}")
    hit = any(contains_any(c.get("text", ""), g["evidence"]) for c in cites)
    m["cite_hit"].append(hit)
    if not hit:
        failures.append(f"{gid}: no citation holds the evidence")
    if cites:
        precision.append(sum(contains_any(c.get("text", ""), g["evidence"]) for c in cites) / len(cites))


def score(gold: list[dict], answers: dict | None, quotes: dict | None, corpus: str) -> dict:
    """Answer and quote metrics (None where nothing was scored), ``n`` per metric and the failures."""
    m: dict[str, list[bool]] = {k: [] for k in (*ANSWER_METRICS, *QUOTE_METRICS)}
    precision: list[float] = []
    failures: list[str] = []
    for g in gold:
        if g["kind"] == "quote":
            if quotes is not None:
                _score_quote(g, quotes.get(g["id"]), m, failures)
        elif answers is not None:
            _score_answer(g, answers.get(g["id"]), corpus, m, precision, failures)
    out: dict = {k: _ratio(v) for k, v in m.items()}
    out["cite_precision"] = round(sum(precision) / len(precision), 3) if precision else None
    out["n"] = {k: len(v) for k, v in m.items()}
    out["failures"] = failures
    return out


def score_all(gold: list[dict], corpus: str, *, search: dict | None = None, answers: dict | None = None,
              quotes: dict | None = None) -> dict:
    """What ``score.py GOLD --search --answers --quotes --json`` prints."""
    res = score(gold, answers, quotes, corpus)
    if search is not None:
        res.update(score_search(gold, search))
    return res
