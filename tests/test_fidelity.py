"""Quotes in an answer must be the sources' own words (``rag.fidelity``), checked alone and through the chain."""
import pytest

from rag import fidelity
from rag.citations import Claim
from rag.documents import Paragraph
from rag.quote import QuoteChecker
from rag.verify import CANNOT

from .fakes import BagOfWordsEmbeddings
from .test_chain import _ask

FACT = Paragraph("a.txt", 1, "Le nouveau phare du port de Brest mesure 42 mètres.")
TURN = Paragraph("a.txt", 2, "Je suis très fière de ce phare. Nous l'attendions depuis dix ans.", speaker="Anne Le Gall")
ELSEWHERE = Paragraph("b.txt", 1, "Le maire de Quimper a dit : « Notre port n'a pas besoin d'un phare. »")


@pytest.fixture
def written():
    return QuoteChecker([FACT, TURN, ELSEWHERE], BagOfWordsEmbeddings()).written


def test_quotes_are_found_in_every_kind_of_quotation_mark():
    assert fidelity.quotes('Elle a dit « Je suis fière » puis “dix ans” et "très fière".') == [
        "Je suis fière", "dix ans", "très fière"]
    assert fidelity.quotes("Il a dit « oui ».") == []  # too short to tell anything


def test_a_quote_is_held_by_the_paragraphs_writing_it_verbatim_or_close(written):
    assert fidelity.holders("je suis tres fiere de ce phare", written) == {TURN.key}   # case and accents aside
    assert fidelity.holders("Je suis très fière de ce phare, nous l'attendions depuis dix ans", written) == {TURN.key}
    assert fidelity.holders("Nous l'attendions depuis cent ans", written) == set()   # altered: a number changed
    assert fidelity.holders("Je ne suis pas très fière de ce phare", written) == set()  # altered: a negation
    assert fidelity.holders("Nous devons discuter du plan en 28 points", written) == set()


def test_an_invented_or_altered_quote_is_dropped_and_a_real_one_cites_the_paragraph_writing_it(written):
    of = {"S1": FACT, "S2": TURN}
    invented = Claim("Anne Le Gall a dit : « Ce phare est le plus beau de France. »", ["S2"])
    altered = Claim("Anne Le Gall a dit : « Nous l'attendions depuis cent ans. »", ["S2"])
    wrong_key = Claim("Anne Le Gall a dit : « Je suis très fière de ce phare. »", ["S1"])
    right = Claim("Anne Le Gall a dit : « Nous l'attendions depuis dix ans. »", ["S2"])
    plain = Claim("Le phare mesure 42 mètres.", ["S1"])
    elsewhere = Claim("Un maire a dit : « Notre port n'a pas besoin d'un phare. »", ["S1"])  # in no source given
    kept = fidelity.checked([invented, altered, wrong_key, right, plain, elsewhere], of, "fr", written)
    assert [c.text for c in kept] == [wrong_key.text, right.text, plain.text]
    assert [c.keys for c in kept] == [["S2"], ["S2"], ["S1"]]


def test_an_english_rendering_of_a_french_line_is_not_checked_word_for_word(written):
    rendered = Claim('Anne Le Gall said she was "very proud of this lighthouse".', ["S2"])
    assert fidelity.checked([rendered], {"S2": TURN}, "fr", written) == [rendered]
    invented_french = Claim('Anne Le Gall said: "Ce phare est le plus beau de France et du monde."', ["S2"])
    assert fidelity.checked([invented_french], {"S2": TURN}, "fr", written) == []


def test_an_answer_whose_only_sentence_misquotes_abstains(make_engine):
    # the sentence shares the turn's words, so the support check alone keeps it
    reply = "Anne Le Gall a déclaré : « Je ne suis pas fière de ce phare, nous l'attendions depuis dix ans. » [S1]"
    eng = make_engine(reply)
    _, _, answer = _ask(eng, "Qu'a déclaré Anne Le Gall sur le phare ?")
    assert answer.abstained and answer.citations == [] and answer.text == CANNOT["fr"]


def test_a_real_quote_is_kept_through_the_chain(make_engine):
    eng = make_engine("Anne Le Gall a déclaré : « Je suis très fière de ce phare. » [S1]")
    _, _, answer = _ask(eng, "Qu'a déclaré Anne Le Gall sur le phare ?")
    assert not answer.abstained and "fière" in answer.text
    assert "Je suis très fière" in answer.citations[0].paragraph.text
