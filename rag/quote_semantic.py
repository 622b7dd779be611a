"""Semantic side of the quote check: sentence-level embeddings and the lexical checks on them.

Each paragraph's spoken words are cut into units: sentences, clauses (pieces
of four words or more between commas, colons, semicolons and dashes), pairs of
adjacent sentences, and the whole paragraph when it is longer. Units
are embedded once as passages; the vectors are cached in an ``.npz`` keyed by
the embedder's name and a hash of the paragraph texts (with each unit's text
hash, so that after a document is added only its units are embedded). A quote is embedded as a
query and compared with every unit (one matrix product).

A semantic match only counts when it does not contradict the source: every
number of the quote occurs in the unit's sentence, every name of the quote
matches (same word, a transliteration, a common English/French rendering) a
word of that sentence, and the quote and unit agree on negation.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from rapidfuzz import fuzz
from stop_words import get_stop_words

from .documents import Paragraph
from .embeddings import embedder_name
from .quote_stream import canon, is_number, tokenize
from .textnorm import words
from .tokens import sentence_spans

UNITS_VERSION = "units-2"
POLARITY = frozenset({"pas", "jamais", "rien", "aucun", "aucune", "nullement", "guere",
                      "not", "never", "no", "nothing", "none", "nobody", "cannot"})
CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s+[—–-]\s+|\s*[()\[\]]\s*|\s*…\s*")
# capitalised English words whose French rendering shares no letters with them
EN_FR = {"white": "blanche", "house": "maison", "united": "unis", "states": "etats", "state": "etat",
         "peace": "paix", "summit": "sommet", "national": "nationale", "security": "securite", "council": "conseil",
         "monday": "lundi", "tuesday": "mardi", "wednesday": "mercredi", "thursday": "jeudi", "friday": "vendredi",
         "saturday": "samedi", "sunday": "dimanche", "january": "janvier", "february": "fevrier", "march": "mars",
         "april": "avril", "may": "mai", "june": "juin", "july": "juillet", "august": "aout",
         "september": "septembre", "october": "octobre", "november": "novembre", "december": "decembre",
         "yesterday": "hier", "tomorrow": "demain", "kyiv": "kiev", "moscow": "moscou", "germany": "allemagne",
         "england": "angleterre", "britain": "bretagne", "london": "londres", "nato": "otan", "beijing": "pekin",
         "greece": "grece"}
_TRANSLIT = [("sch", "s"), ("tch", "s"), ("sh", "s"), ("ch", "s"), ("ph", "f"), ("ck", "k"), ("ou", "u"),
             ("y", "i"), ("w", "v"), ("q", "k"), ("c", "k"), ("j", "i"), ("x", "ks"), ("z", "s")]


def translit(word: str) -> str:
    for a, b in _TRANSLIT:
        word = word.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", word)


def same_name(a: str, b: str) -> bool:
    """Loose equality of two folded name tokens: spelling, transliteration, cognate (Kyiv/Kiev, Putin/Poutine)."""
    if a == b:
        return True
    ta, tb = translit(a), translit(b)
    if min(len(ta), len(tb)) < 3:
        return False
    r = fuzz.ratio(ta, tb)
    if r >= 85 or (r >= 75 and ta[0] == tb[0]):
        return True
    da, db = DEMONYM_END.sub("", a), DEMONYM_END.sub("", b)   # russian / russe / russo / Russie
    return len(da) >= 4 and da == db


DEMONYM_END = re.compile(r"(?:iennes|ienne|iens|ien|ians|ian|aines|aine|ains|ain|aises|aise|ais|oises|oise|ois"
                         r"|eens|een|eans|ean|ese|ique|ia|ie|an|e|o|a)$")


@functools.lru_cache(maxsize=1)
def _lang_words() -> tuple[frozenset[str], frozenset[str]]:
    fr = {w for s in get_stop_words("french") for w in words(s)}
    en = {w for s in get_stop_words("english") for w in words(s)}
    # the lists share words; these settle the commonest
    core_fr = set("je j que qu oui et la il elle c est ce qui pas ne n d l un une des du au aux".split())
    core_en = set("i the and is are yes no not it that this of to you we he she they be".split())
    return frozenset((fr - en) | core_fr), frozenset((en - fr) - core_fr | core_en)


def language(tokens: list[str]) -> str | None:
    """"fr" or "en" by their stop words, None when it cannot tell."""
    fr, en = _lang_words()
    n_fr, n_en = sum(w in fr for w in tokens), sum(w in en for w in tokens)
    return "fr" if n_fr > n_en else "en" if n_en > n_fr else None


def polarity(words: list[str]) -> bool:
    """True when the words hold a negation."""
    return any(w in POLARITY for w in words)


@dataclass(frozen=True)
class Unit:
    para: int        # index into the checker's paragraphs
    start: int       # span in paragraph.text
    end: int
    ctx_start: int   # the sentence(s) around it, for the lexical checks
    ctx_end: int


def _n_words(text: str) -> int:
    return len(tokenize(text))


def build_units(paragraphs: list[Paragraph]) -> list[Unit]:
    units: list[Unit] = []
    for pi, p in enumerate(paragraphs):
        seen: set[tuple[int, int]] = set()

        def add(s, e, cs, ce):
            if (s, e) not in seen and _n_words(p.text[s:e]) >= 3:
                seen.add((s, e))
                units.append(Unit(pi, s, e, cs, ce))

        sents = sentence_spans(p.text, p.speech_start)
        for k, (s, e) in enumerate(sents):
            add(s, e, s, e)
            if k + 1 < len(sents):
                add(s, sents[k + 1][1], s, sents[k + 1][1])
            pieces, pos = [], s
            for m in CLAUSE_BREAK.finditer(p.text, s, e):
                if m.start() > pos:
                    pieces.append((pos, m.start()))
                pos = m.end()
            if pos < e:
                pieces.append((pos, e))
            if len(pieces) > 1:
                for a, b in pieces:
                    if _n_words(p.text[a:b]) >= 4:
                        add(a, b, s, e)
        if len(sents) > 2:
            add(sents[0][0], sents[-1][1], sents[0][0], sents[-1][1])
    return units


def corpus_key(embedder: Embeddings, paragraphs: list[Paragraph]) -> str:
    h = hashlib.sha256(UNITS_VERSION.encode())
    for p in paragraphs:
        h.update(f"{p.doc}\x00{p.number}\x00{p.speech_start}\x00{p.text}\x01".encode())
    return f"{embedder_name(embedder)}|{h.hexdigest()}"


def embed_units(embedder: Embeddings, paragraphs: list[Paragraph], units: list[Unit],
                cache_path: Path | None) -> np.ndarray:
    """Unit vectors (L2-normalised float32), from the cache when its key matches. When the corpus
    changed (a document added or removed), the vectors of units whose text is unchanged are reused
    and only the new units are embedded."""
    key = corpus_key(embedder, paragraphs)
    texts = [paragraphs[u.para].text[u.start:u.end] for u in units]
    hashes = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    known: dict[str, np.ndarray] = {}
    if cache_path is not None and cache_path.exists():
        try:
            with np.load(cache_path, allow_pickle=False) as z:
                if str(z["key"]) == key and z["vectors"].shape[0] == len(units):
                    if "units" in z.files:
                        return z["vectors"]
                    known = dict(zip(hashes, z["vectors"]))  # a cache from before unit hashes: add them
                elif str(z["key"]).split("|")[0] == key.split("|")[0] and "units" in z.files:
                    known = dict(zip((str(h) for h in z["units"]), z["vectors"]))
        except (OSError, ValueError, KeyError):
            pass  # unreadable or stale: embed again
    new: dict[str, int] = {}  # each text not embedded yet, once (a repeated sentence is embedded once)
    for i, h in enumerate(hashes):
        if h not in known and h not in new:
            new[h] = i
    if new:
        fresh = normalise(np.asarray(embedder.embed_documents([texts[i] for i in new.values()]), dtype=np.float32))
        known.update(zip(new, fresh))
    vecs = np.stack([known[h] for h in hashes]).astype(np.float32) if texts else np.zeros((0, 1), np.float32)
    if cache_path is not None:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_path.with_name(cache_path.name + f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.savez(f, key=np.array(key), vectors=vecs, units=np.array(hashes, dtype="U40"))
        tmp.replace(cache_path)
    return vecs


def normalise(vecs: np.ndarray) -> np.ndarray:
    vecs = np.atleast_2d(vecs).astype(np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.where(norms == 0, 1, norms)


def contradiction(q_words: list[str], q_kinds: list[str], ctx_words: list[str], unit_words: list[str]) -> str | None:
    """Why the quote cannot be a rendering of the unit: "number", "date", "name", "negation" - or None."""
    ctx = set(ctx_words)
    ctx_nums = {canon(w) for w in ctx_words if is_number(w)}
    for w, kind in zip(q_words, q_kinds):
        if kind == "number" and canon(w) not in ctx_nums:
            return "number"
        if kind == "date" and w not in ctx and EN_FR.get(w, "mai" if w == "may" else None) not in ctx:
            return "date"
        if kind == "name" and w not in ctx and EN_FR.get(w) not in ctx \
                and not any(same_name(w, c) for c in ctx if len(c) > 2):
            return "name"
    if polarity(q_words) != polarity(unit_words):
        return "negation"
    return None
