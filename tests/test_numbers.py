"""Numbers as values: digits and French and English number words that write the same count."""
from __future__ import annotations

from rag import numbers


def test_a_count_is_the_same_in_digits_and_in_either_language():
    assert numbers.written("two", numbers.values("Deux pistes peuvent être explorées."))
    assert numbers.written("2", numbers.values("Deux pistes peuvent être explorées."))
    assert numbers.written("deux", numbers.values("There are 2 leads."))
    assert not numbers.written("trois", numbers.values("Deux pistes peuvent être explorées."))
    assert not numbers.written("3", numbers.values("Deux pistes peuvent être explorées."))


def test_runs_of_number_words_are_read_as_one_count():
    assert {2, 100, 200} <= numbers.values("Environ deux cents bateaux, et bientôt plus.")
    assert numbers.written("28", numbers.values("un plan en vingt-huit points"))
    assert numbers.runs("a twenty-eight point plan, two sides") == {28}
    assert numbers.values("trois mille euros") >= {3, 1000, 3000}


def test_what_is_not_read_as_a_count_is_taken_as_written():
    assert numbers.value("1,5") is None and numbers.written("1,5", numbers.values("rien"))
    assert numbers.value("million") is None and numbers.written("millions", numbers.values("rien"))
    assert numbers.value("Trois") == 3 and numbers.value("cents") == 100 and numbers.value("un") is None
