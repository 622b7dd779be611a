"""Names in an answer: one misspelt by a letter is written as its source writes it, and nothing else is."""
from __future__ import annotations

from rag.names import respelled

SOURCE = "Youri Ouchakov, conseiller de Vladimir Poutine, a parlé avec Steve Witkoff des Américains."


def test_a_name_misspelt_by_one_letter_is_written_as_its_paragraph_writes_it():
    assert respelled("Youi Ouchakov admitted it.", [SOURCE], SOURCE) == "Youri Ouchakov admitted it."
    assert respelled("Steve Witkof called him.", [SOURCE], SOURCE) == "Steve Witkoff called him."


def test_other_spellings_and_single_words_are_left_as_they_are():
    # another transliteration is two letters away; a single word is no name of two
    assert respelled("Youri Ushakov and Vladimir Putin spoke.", [SOURCE], SOURCE) == "Youri Ushakov and Vladimir Putin spoke."
    assert respelled("The Americans agreed.", [SOURCE], SOURCE) == "The Americans agreed."
    # a word the sources or the question write is theirs, not a misspelling
    assert respelled("Youi Ouchakov spoke.", [SOURCE], SOURCE + " Youi") == "Youi Ouchakov spoke."
    # only the cited paragraphs' names mend a name
    assert respelled("Youi Ouchakov spoke.", ["Il a parlé."], SOURCE) == "Youi Ouchakov spoke."


def test_a_word_two_names_would_mend_differently_is_left_as_it_is():
    two = "Anne Martin et Anna Martin ont parlé."
    assert respelled("Anny Martin a parlé.", [two], two) == "Anny Martin a parlé."
