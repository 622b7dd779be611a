"""Hybrid retrieval's sentence ranking for questions about speech (fake embedder, fake sentence vectors)."""
from rag.retrieve import VERBATIM

from .test_support import FakeUnits


def _with_units(eng, sims_of):
    """The engine's retriever with sentence vectors scoring each paragraph by ``sims_of(paragraph)``."""
    r = eng.retriever
    units = FakeUnits(r.paragraphs, [sims_of(p) for p in r.paragraphs])
    r._units = lambda: units
    return r, units


def test_paragraphs_are_ranked_by_their_best_sentence(make_engine):
    r, _ = _with_units(make_engine("NO_ANSWER"), lambda p: 0.9 if p.speaker == "Jean Martin" else 0.1)
    assert r.by_sentence("how many boats")[0].speaker == "Jean Martin"


def test_a_speech_question_looks_up_its_quotation_and_lifts_the_turn_that_holds_it(make_engine):
    eng = make_engine("NO_ANSWER")
    question = "Qui a dit « je suis très fière » à propos du nouveau phare du port de Brest ?"
    plain = [h.paragraph.key for h in eng.retriever.search([question], 10)]
    r, units = _with_units(eng, lambda p: 0.9 if "bientôt plus" in p.text else 0.1)
    lifted = [h.paragraph.key for h in r.search([question], 10)]
    assert units.asked == ["je suis très fière"]
    turn = next(p.key for p in r.paragraphs if "bientôt plus" in p.text)
    assert lifted.index(turn) < plain.index(turn)


def test_other_questions_do_not_use_sentence_vectors(make_engine):
    r, units = _with_units(make_engine("NO_ANSWER"), lambda p: 0.5)
    r.search(["Combien mesure le phare de Brest ?"], 10)
    assert units.asked == []


def test_a_paragraph_that_writes_the_quoted_words_ranks_first(make_engine):
    r = make_engine("NO_ANSWER").retriever
    # the rest of the question is about another paragraph, which ranks first on its words
    about = "à la maire de Brest qui a inauguré le phare le 2 mars 2024 devant mille personnes ?"
    for quote in ("« et bientôt plus »", '"Bateaux, et bientôt plus"'):
        hits = r.search([f"Qui a répondu {quote} {about}"], 10)
        assert "bientôt plus" in hits[0].paragraph.text and hits[0].score > VERBATIM
    # a word changed: no paragraph writes it, none is lifted
    changed = r.search([f"Qui a répondu « et bientôt moins » {about}"], 10)
    assert "mille personnes" in changed[0].paragraph.text and all(h.score < VERBATIM for h in changed)
