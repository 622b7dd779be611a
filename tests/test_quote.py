"""The quote check: verdicts, spans, speakers, the embedding cache; then e5-small on the real corpus (slow).

The fast tests use made-up paragraphs and a tiny deterministic embedder: a bag
of stems in which a few English words are first put into French, so a
translation lands near its source without any model.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

from rag.documents import Paragraph
from rag.errors import InputError
from rag.places import place_like
from rag.quote import QuoteChecker, Thresholds
from rag.quote_matches import same_person
from rag.settings import ROOT
from rag.textnorm import terms

GLOSSARY = {"we": "nous", "want": "voulons", "wheat": "blé", "agreement": "accord", "deal": "accord",
            "before": "avant", "april": "avril", "compromise": "compromis", "possible": "possible",
            "time": "temps", "think": "crois", "farmers": "agriculteurs", "guarantees": "garanties",
            "sign": "signerons", "will": "", "never": "jamais", "without": "sans", "our": "nos"}


class GlossaryEmbeddings(Embeddings):
    """Hashed bag of stems; English words in the glossary count as their French rendering."""

    name = "test-glossary-bow"
    DIM = 512

    def __init__(self):
        self.documents_embedded = 0

    def _vec(self, text: str) -> list[float]:
        text = " ".join(GLOSSARY.get(w.lower(), w) for w in re.findall(r"[\w’']+", text))
        v = np.zeros(self.DIM)
        for t in terms(text):
            v[int(hashlib.md5(t.encode()).hexdigest(), 16) % self.DIM] += 1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts):
        self.documents_embedded += len(texts)
        return [self._vec(t) for t in texts]

    def embed_query(self, text):
        return self._vec(text)


FAKE_T = Thresholds(same_language=0.6, same_margin=0.05, cross_language=0.6, cross_margin=0.05)


def turn(doc: str, number: int, name: str, speech: str) -> Paragraph:
    label = f"{name.upper()} — "
    return Paragraph(doc, number, label + speech, speaker=name, speech_start=len(label))


PARAS = [
    Paragraph("entretien.txt", 1, "Dans cet entretien publié le 3 mars, la ministre Claire Dubois et l’ambassadeur "
              "Ivan Petrov évoquent la crise du blé et les récoltes de la région."),
    turn("entretien.txt", 2, "Claire Dubois", "Bonjour, Ivan. Je vous remercie d’être venu à Lyon malgré la grève."),
    turn("entretien.txt", 3, "Ivan Petrov", "Merci, madame la ministre. Nous voulons un accord sur le blé avant "
         "le 15 avril."),
    Paragraph("entretien.txt", 4, "Nous ne signerons pas d'accord sans garanties pour nos agriculteurs. C'est notre "
              "position.", speaker="Ivan Petrov"),
    turn("entretien.txt", 5, "Ivan Petrov", "Les « prix justes » sont la clé, et je pense que les marchés vont se "
         "calmer cet été."),
    Paragraph("entretien.txt", 6, "Selon la ministre, le gouvernement proposera « un plan en 12 mesures » la "
              "semaine prochaine aux syndicats agricoles."),
    turn("entretien.txt", 7, "Claire Dubois", "Je crois qu’un compromis est possible, mais il faudra du temps "
         "et de la patience."),
    Paragraph("talks.txt", 1, "Analysts said the talks in Geneva were “constructive but slow” and that no date "
              "was set for the next round."),
    turn("talks.txt", 2, "John Smith", "We will never accept a deal that hurts our farmers. That's my promise to "
         "every family in Ohio."),
]


@pytest.fixture(scope="module")
def checker() -> QuoteChecker:
    return QuoteChecker(PARAS, GlossaryEmbeddings(), thresholds=FAKE_T)


def span(m) -> str:
    return m.paragraph.text[m.start:m.end]


# -- verbatim ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("quote, para, expected", [
    ("Je vous remercie d'être venu à Lyon", 2, "Je vous remercie d’être venu à Lyon"),            # ' for ’
    ("d’accord sans garanties pour nos agriculteurs", 4, "d'accord sans garanties pour nos agriculteurs"),  # ’ for '
    ("« prix justes » sont la clé", 5, "prix justes » sont la clé"),
    ("“Nous voulons un accord sur le blé”", 3, "Nous voulons un accord sur le blé"),
    ('"Je crois qu`un compromis est possible"', 7, "Je crois qu’un compromis est possible"),
    ("NOUS NE SIGNERONS PAS D'ACCORD", 4, "Nous ne signerons pas d'accord"),
    ("je crois qu un compromis est    possible mais il faudra", 7,
     "Je crois qu’un compromis est possible, mais il faudra"),
    ("constructive but slow", 1, "constructive but slow"),
    ("We will never accept a deal", 2, "We will never accept a deal"),
])
def test_verbatim_spans_are_exact(checker, quote, para, expected):
    r = checker.check(quote)
    assert r.verdict == "verbatim"
    top = r.matches[0]
    assert top.kind == "verbatim" and top.score == 1.0 and top.paragraph.number == para
    assert span(top) == expected


def test_verbatim_across_a_paragraph_break(checker):
    r = checker.check("avant le 15 avril. Nous ne signerons pas d'accord", speaker="Petrov")
    assert r.verdict == "verbatim"
    top = r.matches[0]
    assert top.paragraph.number == 3 and span(top) == "avant le 15 avril"
    assert [p.number for p in top.extra] == [4]
    s, e = top.extra_spans[0]
    assert top.extra[0].text[s:e] == "Nous ne signerons pas d'accord"
    assert r.speaker_verdict == "same"
    assert top.to_json()["continues"] == [{"doc": "entretien.txt", "paragraph": 4, "start": s, "end": e}]


def test_speaker_label_between_paragraphs_does_not_block(checker):
    r = checker.check("C'est notre position. Les prix justes sont la clé")
    assert r.verdict == "verbatim"
    top = r.matches[0]
    assert top.paragraph.number == 4 and span(top) == "C'est notre position"
    assert top.extra[0].number == 5
    s, e = top.extra_spans[0]
    assert top.extra[0].text[s:e] == "Les « prix justes » sont la clé"


def test_no_match_across_documents(checker):
    assert checker.check("aux syndicats agricoles. Analysts said").verdict != "verbatim"


def test_pasted_speaker_label_becomes_the_claim(checker):
    r = checker.check("IVAN PETROV — Nous voulons un accord sur le blé")
    assert r.verdict == "verbatim" and r.claimed_speaker == "Ivan Petrov" and r.speaker_verdict == "same"


@pytest.mark.parametrize("quote", ["« Nous voulons un accord sur le blé », a déclaré l'ambassadeur",
                                   "Selon Petrov, “nous voulons un accord sur le blé”."])
def test_words_outside_quotation_marks_are_not_quoted(checker, quote):
    r = checker.check(quote)
    assert r.verdict == "verbatim" and span(r.matches[0]) == "Nous voulons un accord sur le blé"


def test_empty_corpus():
    r = QuoteChecker([], DeterministicFakeEmbedding(size=8)).check("Nous voulons un accord")
    assert r.verdict == "not_found" and r.matches == []


def test_elided_quote_is_verbatim(checker):
    r = checker.check("Nous voulons un accord […] avant le 15 avril")
    assert r.verdict == "verbatim" and r.matches[0].paragraph.number == 3
    assert span(r.matches[0]) == "Nous voulons un accord sur le blé avant le 15 avril"


# -- close --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("quote, para", [
    ("Je crois qu'un compromis est possible, mais il faudra beaucoup de temps", 7),   # an added word
    ("Nous ne signerons pas d'accord sans garanties pour agriculteurs", 4),          # a dropped word
    ("Nous ne signerons pas d'acord sans garanties pour nos agriculteurs", 4),       # a typo
    ("les marchés vont se calmer cet été, je pense", 5),                             # word order
    ("We will never accept any deal that hurts our farmers", 2),                     # English, an added word
    ("Nous signerons pas d'accord sans garanties pour nos agriculteurs", 4),         # spoken French drops "ne"
])
def test_close(checker, quote, para):
    r = checker.check(quote)
    assert r.verdict == "close", r.to_json()
    top = r.matches[0]
    assert top.kind == "close" and top.paragraph.number == para and 0.8 <= top.score < 1
    assert top.diff and {op for op, *_ in top.diff} <= {"equal", "replace", "insert", "delete"}
    assert any(op != "equal" for op, *_ in top.diff)
    assert span(top).split()[0].lower().strip(",") in quote.lower()


def test_close_span_is_the_aligned_source(checker):
    top = checker.check("Nous ne signerons pas d'acord sans garanties pour nos agriculteurs").matches[0]
    assert span(top) == "Nous ne signerons pas d'accord sans garanties pour nos agriculteurs"
    assert ("replace", "acord", "accord") in [tuple(d) for d in top.diff]


# -- altered ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("quote, para, changed", [
    ("Nous voulons un accord sur le blé avant le 20 avril", 3, ("replace", "20", "15")),          # a number
    ("Je vous remercie d'être venu à Paris malgré la grève", 2, ("replace", "Paris", "Lyon")),     # a place
    ("Nous signerons un accord sans garanties pour nos agriculteurs", 4, None),                    # negation removed
    ("Je crois qu'un compromis n'est pas possible, mais il faudra du temps", 7, None),             # negation added
    ("We will always accept a deal that hurts our farmers", 2, ("replace", "always", "never")),   # English negation
    ("We will never accept a deal that hurts our farmers. That's my promise to every family in Texas", 2,
     ("replace", "Texas", "Ohio")),
])
def test_altered(checker, quote, para, changed):
    r = checker.check(quote)
    assert r.verdict == "altered", r.to_json()
    top = r.matches[0]
    assert top.kind == "altered" and top.paragraph.number == para
    if changed:
        assert changed in [tuple(d) for d in top.diff]


@pytest.mark.parametrize("quote, verdict", [
    ("d'avoir suspendu un sommet russo-chinois pour laisser les Américains travailler", "altered"),  # a people
    ("d'avoir suspendu un sommet russo-arabe pour laisser les Chinois travailler", "altered"),
    ("d'avoir suspendu une réunion russo-arabe pour laisser les Américains travailler", "close"),    # a noun
])
def test_a_peoples_word_changed_is_a_misquote(quote, verdict):
    para = Paragraph("sommet.txt", 1, "La Russie s'est félicitée d'avoir suspendu un sommet russo-arabe pour "
                     "laisser les Américains travailler.")
    r = QuoteChecker([para], GlossaryEmbeddings(), thresholds=FAKE_T).check(quote)
    assert r.verdict == verdict, r.to_json()


@pytest.mark.parametrize("word, place", [("chinois", True), ("chinoises", True), ("arabe", True), ("russes", True),
                                         ("ukrainienne", True), ("marocain", True), ("japanese", True),
                                         ("republicain", False), ("cree", False), ("vote", False),
                                         ("romain", False), ("certain", False), ("quotidien", False)])
def test_peoples_words(word, place):
    assert place_like(word) is place


def test_altered_shows_the_real_wording(checker):
    top = checker.check("Nous voulons un accord sur le blé avant le 20 avril").matches[0]
    assert span(top) == "Nous voulons un accord sur le blé avant le 15 avril"


# -- paraphrase and not found ---------------------------------------------------------------------------
def test_paraphrase_in_french(checker):
    r = checker.check("Un compromis reste possible, il faudra simplement du temps")
    assert r.verdict in ("paraphrase", "close")
    assert r.matches[0].paragraph.number == 7


def test_translation_is_a_paraphrase(checker):
    r = checker.check("We want a wheat agreement before April 15", speaker="Ivan Petrov")
    assert r.verdict == "paraphrase", r.to_json()
    top = r.matches[0]
    assert top.kind == "paraphrase" and top.paragraph.number == 3 and r.speaker_verdict == "same"
    assert "accord sur le blé" in span(top)


@pytest.mark.parametrize("quote", [
    "We want a wheat agreement before April 20",            # the number contradicts
    "We want a wheat agreement before May 15",              # the month contradicts
    "We want a wheat agreement with Morocco before April",  # a name the source lacks
    "We will sign an agreement without guarantees for our farmers",  # the source says it will not
])
def test_contradicting_translation_is_not_a_paraphrase(checker, quote):
    assert checker.check(quote).verdict == "not_found"


@pytest.mark.parametrize("quote", [
    "Le gouvernement va augmenter les impôts des ménages",
    "The minister resigned after the strike in Lyon",
    "Nous n'accepterons jamais ce plan",
])
def test_not_found(checker, quote):
    r = checker.check(quote, speaker="Petrov")
    assert r.verdict == "not_found" and r.matches == [] and r.speaker_verdict is None
    assert r.to_json() == {"verdict": "not_found", "matches": [], "claimed_speaker": "Petrov",
                           "speaker_verdict": None}


# -- speakers -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("claimed, verdict", [
    ("Petrov", "same"), ("Ivan Petrov", "same"), ("Ivan Petroff", "same"), ("ivan", "same"),
    ("Claire Dubois", "other"), ("Dubois", "other"), ("Ivan Dubois", "other"),
])
def test_speaker_verdict(checker, claimed, verdict):
    r = checker.check("Nous voulons un accord sur le blé", speaker=claimed)
    assert r.speaker_verdict == verdict and r.claimed_speaker == claimed


def test_speaker_of_a_continuation_paragraph(checker):
    assert checker.check("sans garanties pour nos agriculteurs", speaker="Petrov").speaker_verdict == "same"


def test_commentary_has_no_speaker(checker):
    r = checker.check("un plan en 12 mesures", speaker="Claire Dubois")
    assert r.verdict == "verbatim" and r.speaker_verdict == "commentary"
    assert r.to_json()["matches"][0]["speaker"] is None


def test_the_claimed_speakers_occurrence_comes_first():
    paras = [Paragraph("a.txt", 1, "Le ministre a dit « nous tiendrons bon » hier soir."),
             turn("a.txt", 2, "Paul Durand", "Je le répète : nous tiendrons bon.")]
    r = QuoteChecker(paras, DeterministicFakeEmbedding(size=16)).check("nous tiendrons bon", speaker="Durand")
    assert [m.paragraph.number for m in r.matches] == [2, 1] and r.speaker_verdict == "same"


@pytest.mark.parametrize("a, b, same", [
    ("Ouchakov", "Youri Ouchakov", True), ("Ushakov", "Youri Ouchakov", True), ("Yuri Ushakov", "Youri Ouchakov", True),
    ("Witkoff", "Steve Witkoff", True), ("Steve Witkoff", "Steve Witkoff", True), ("Poutine", "Steve Witkoff", False),
    ("Steve Bannon", "Steve Witkoff", False),
])
def test_same_person(a, b, same):
    assert same_person(a, b) is same


# -- input, limits, cache, JSON ---------------------------------------------------------------------------
@pytest.mark.parametrize("quote", ["", "   \n\t", "x" * 2001, "« … »"])
def test_unusable_quote_is_an_input_error(checker, quote):
    with pytest.raises(InputError):
        checker.check(quote)


def test_limit_and_json(checker):
    r = checker.check("la", limit=2)
    assert r.verdict == "verbatim" and len(r.matches) == 2
    d = r.to_json()
    assert set(d["matches"][0]) >= {"doc", "paragraph", "text", "speaker", "score", "start", "end", "kind"}
    close = checker.check("Nous ne signerons pas d'acord sans garanties pour nos agriculteurs").to_json()
    assert close["verdict"] == "close" and isinstance(close["matches"][0]["diff"][0], list)
    json.dumps(close)


def test_embeddings_are_cached(tmp_path):
    cache = tmp_path / "q" / "units.npz"
    emb = GlossaryEmbeddings()
    first = QuoteChecker(PARAS, emb, cache, thresholds=FAKE_T)
    n = emb.documents_embedded
    assert n > 0 and cache.exists()
    second = QuoteChecker(PARAS, emb, cache, thresholds=FAKE_T)
    assert emb.documents_embedded == n                      # warm start: nothing embedded
    assert np.array_equal(first.vectors, second.vectors)
    added = Paragraph("autre.txt", 1, "Le port de Lorient agrandit son bassin de trois cents mètres.")
    more = QuoteChecker(PARAS + [added], emb, cache, thresholds=FAKE_T)  # one added: only its unit embedded
    assert emb.documents_embedded == n + 1 and np.array_equal(more.vectors[:-1], first.vectors)
    fewer = QuoteChecker(PARAS, emb, cache, thresholds=FAKE_T)  # and removed again: nothing embedded
    assert emb.documents_embedded == n + 1 and np.array_equal(fewer.vectors, first.vectors)
    other = DeterministicFakeEmbedding(size=8)                # another embedder: embedded again
    assert QuoteChecker(PARAS, other, cache).vectors.shape[1] == 8


def test_a_cache_without_unit_hashes_is_upgraded_without_embedding(tmp_path):
    cache = tmp_path / "units.npz"
    emb = GlossaryEmbeddings()
    first = QuoteChecker(PARAS, emb, cache, thresholds=FAKE_T)
    with np.load(cache) as z:  # the cache as written before unit hashes were kept
        key, vectors = z["key"], z["vectors"]
    np.savez(cache, key=key, vectors=vectors)
    n = emb.documents_embedded
    QuoteChecker(PARAS, emb, cache, thresholds=FAKE_T)
    assert emb.documents_embedded == n
    with np.load(cache) as z:
        assert "units" in z.files and np.array_equal(z["vectors"], first.vectors)


def test_works_with_the_langchain_fake_embedder():
    r = QuoteChecker(PARAS, DeterministicFakeEmbedding(size=32)).check("Je crois qu’un compromis est possible")
    assert r.verdict == "verbatim"


# -- slow: e5-small on the real corpus, scored like ../shared/eval/score.py ----------------------------------
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
SPEAKERS = {"witkoff": ["witkoff"], "ouchakov": ["ouchakov", "ushakov", "youri", "yuri", "iouri"]}
_PUNCT = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"',
                        "–": "-", "—": "-", "\u00a0": " ", "\u202f": " "})


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").translate(_PUNCT))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", text).strip()


def _squash(text: str) -> str:
    return re.sub(r"[\s\"]", "", _norm(text))


@pytest.fixture(scope="module")
def real_checker(request, tmp_path_factory):
    from rag.embeddings import E5Embeddings
    from rag.sources import load_corpus

    paragraphs = list(load_corpus(ROOT / "index" / "sources").paragraphs())
    if not paragraphs:
        pytest.skip("no corpus in index/sources")
    cache_dir = request.config.cache.mkdir("quote") if getattr(request.config, "cache", None) \
        else tmp_path_factory.mktemp("quote")
    cache = Path(cache_dir) / "units.npz"
    return QuoteChecker(paragraphs, E5Embeddings(), cache)


@pytest.mark.slow
def test_dev_quote_metrics(real_checker):
    if not DEV.exists():
        pytest.skip(f"{DEV} not found")
    gold = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = [g for g in gold if g.get("kind") == "quote"]
    verdict_ok, match_ok, speaker_ok, failures = [], [], [], []
    for g in gold:
        out = real_checker.check(g["quote"], speaker=None).to_json()
        top = out["matches"][0] if out["matches"] else {}
        accept = g.get("accept") or {"verbatim": ["verbatim"], "paraphrase": ["paraphrase", "close"],
                                     "not_found": ["not_found"], "altered": ["altered"]}[g["verdict"]]
        verdict_ok.append(out["verdict"] in accept)
        if g["verdict"] != "not_found":
            match_ok.append(any(_squash(e) in _squash(top.get("text", "")) for e in g["evidence"]))
            if g.get("speaker"):
                speaker_ok.append(any(a in _norm(top.get("speaker") or "")
                                      for a in SPEAKERS.get(g["speaker"], [g["speaker"]])))
        if not (verdict_ok[-1] and (g["verdict"] == "not_found" or match_ok[-1])):
            failures.append((g["id"], g["verdict"], out["verdict"], top.get("paragraph")))
    assert sum(verdict_ok) / len(verdict_ok) == 1.0, failures
    assert sum(match_ok) / len(match_ok) == 1.0, failures
    assert not speaker_ok or sum(speaker_ok) / len(speaker_ok) == 1.0, failures


# made-up quotes over the real corpus (none from the gold set): verdict, paragraph of 001_*.txt or None
MADE_UP = [
    ("« Tu as fait un excellent travail »", "verbatim", 14),
    ("nous sommes ouverts à ce genre d'idées – à explorer ce qu'il faudra pour parvenir à un accord de paix. "
     "Maintenant, entre toi et moi", "verbatim", 45),
    ("Tu as fait un excelent travail, vraiment", "close", 14),
    ("le président me laissera beaucoup de latitude pour parvenir à un accord", "close", 46),
    ("Nous avons créé un plan Trump en 28 points pour la paix", "altered", 37),
    ("la Fédération de Russie n'a jamais voulu un accord de paix", "altered", 35),
    ("Zelensky vient à la Maison-Blanche lundi", "altered", 51),
    ("j'ai le plus grand respect pour le président Zelensky", "altered", 43),
    ("Tu as accompli un travail remarquable", "paraphrase", 14),
    ("Je crois que cela pourrait déboucher sur de grandes choses", "paraphrase", 49),
    ("You did excellent work. Really, excellent work.", "paraphrase", 14),
    ("Zelensky is coming to the White House on Friday", "paraphrase", 51),
    ("We suspended the organization of the first Russian-Arab summit", "paraphrase", 17),
    ("You only have one problem to solve", "paraphrase", 22),
    ("Poutine ne fera jamais de concession sur la Crimée", "not_found", None),
    ("Le sommet de Budapest aura lieu la semaine prochaine", "not_found", None),
    ("Je pense que Trump va perdre les élections", "not_found", None),
    ("I promise the sanctions will be lifted next month", "not_found", None),
    ("Russia has never wanted a peace agreement", "not_found", None),
    ("The recordings were leaked by the Ukrainian secret service", "not_found", None),
]


@pytest.mark.slow
@pytest.mark.parametrize("quote, verdict, para", MADE_UP)
def test_made_up_quotes_on_the_real_corpus(real_checker, quote, verdict, para):
    r = real_checker.check(quote)
    accept = {verdict, "close"} if verdict == "paraphrase" else {verdict}
    assert r.verdict in accept, r.to_json()
    if para is not None:
        assert r.matches[0].paragraph.doc.startswith("001_") and r.matches[0].paragraph.number == para
