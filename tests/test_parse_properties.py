"""Property tests (hypothesis) of the document parser: whatever the text, a sane numbered document."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.parse import parse_text

WORDS = ["le", "phare", "de", "Brest", "mesure", "42", "mètres", "Maison-", "Blanche", "peut-", "être", "Accueil",
         "Partager", "AUTEUR", "DATE", "3 mars 2024", "ANNE LE GALL —", "JEAN MARTIN :", "# Titre", "- item,",
         "1.", "»", "« Oui", "?", ".", "…", "\u00ad", "\u200b", "Abonnez-vous", "Crédit photo", "the", "and"]

# lines of plausible article furniture and prose, separated by single or blank lines
line = st.lists(st.sampled_from(WORDS) | st.text(min_size=1, max_size=12), min_size=0, max_size=14).map(" ".join)
article = st.lists(st.tuples(line, st.sampled_from(["\n", "\n\n", "\n \n", "\r\n", "\n\n\n"])), max_size=30).map(
    lambda parts: "".join(a + b for a, b in parts))
anything = st.text(max_size=400)


def squash(s: str) -> str:
    return "".join(s.split())


def check(text: str) -> None:
    doc = parse_text(text, "x.txt")
    assert [p.number for p in doc.paragraphs] == list(range(1, len(doc.paragraphs) + 1))
    source = squash(text)
    for p in doc.paragraphs:
        assert p.doc == "x.txt"
        assert p.text and p.text == p.text.strip()
        assert squash(p.text) in source  # one stretch of the source: only line breaks and spaces change
        assert 0 <= p.speech_start <= len(p.text)
        assert p.speaker is None or (isinstance(p.speaker, str) and p.speaker.strip())
        assert p.section is None or p.section.strip()
    assert parse_text(text, "x.txt") == doc  # deterministic


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article)
def test_articles_parse_into_numbered_stretches_of_the_source(text):
    check(text)


@settings(max_examples=200, deadline=None)
@given(anything)
def test_any_text_never_crashes(text):
    check(text)


def test_the_strategy_makes_real_paragraphs():
    example = "Le phare de Brest mesure 42 mètres\net coûte 3 millions.\n\nANNE LE GALL — Oui, peut-\nêtre.\n"
    doc = parse_text(example, "x.txt")
    assert [p.text for p in doc.paragraphs] == ["Le phare de Brest mesure 42 mètres et coûte 3 millions.",
                                               "ANNE LE GALL — Oui, peut-être."]
    check(example)
