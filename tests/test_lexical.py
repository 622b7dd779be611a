"""Lexical search (BM25): a turn is indexed by the words said, not by its speaker label."""
from rag.lexical import Lexical
from rag.sources import load_corpus


def test_a_question_naming_a_speaker_finds_the_narration_about_them_before_their_turns(sources):
    lex = Lexical(load_corpus(sources).documents)
    ranked = [p for p, _ in lex.search("Qui est Anne Le Gall ?")]
    assert ranked and ranked[0].speaker is None and "La maire de Brest, Anne Le Gall" in ranked[0].text
    assert all(p.speaker != "Anne Le Gall" for p in ranked)  # her name is no word she says
    # the words said still find the turn
    assert lex.search("combien de bateaux passent chaque jour")[0][0].speaker == "Jean Martin"
