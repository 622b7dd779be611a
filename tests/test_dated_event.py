"""When-questions: the date's sentence must write the specific name the question gives its event."""
from rag import dated_event
from rag.citations import Claim
from rag.documents import Paragraph
from rag.verify import CANNOT

from .test_chain import _ask

CALL = Paragraph("a.txt", 1, "Le 16 octobre, un appel de deux heures a eu lieu entre Trump et Poutine. Les deux "
                             "présidents avaient convenu d'un sommet à Budapest, après celui d'Anchorage.")
COUNTS = {"anchorage": 2, "budapest": 1, "trump": 12, "poutine": 10}


def count(word):
    return COUNTS.get(word.lower(), 0)


def test_names_are_the_questions_capitalised_words_that_name_something():
    assert dated_event.names("On what date did the summit in Anchorage take place in October?") == ["Anchorage"]
    assert dated_event.names("Quand l'appel entre Trump et Poutine a-t-il eu lieu ?") == ["Trump", "Poutine"]


def test_a_date_written_beside_another_event_does_not_answer():
    claim = Claim("The summit in Anchorage took place on 16 October.", ["S1"])
    assert dated_event.of_event([claim], {"S1": CALL}, "When did the Anchorage summit take place?", count, 87) == []
    budapest = Claim("Le sommet de Budapest devait se tenir le 16 octobre.", ["S1"])
    assert dated_event.of_event([budapest], {"S1": CALL}, "Quand le sommet de Budapest devait-il se tenir ?",
                                count, 87) == []


def test_a_date_whose_sentence_names_the_event_or_only_common_names_is_kept():
    call = Claim("L'appel entre Trump et Poutine a eu lieu le 16 octobre.", ["S1"])
    # Trump and Poutine are in too many paragraphs to tell the event; the sentence writes them anyway
    assert dated_event.of_event([call], {"S1": CALL}, "Quand l'appel entre Trump et Poutine a-t-il eu lieu ?",
                                count, 87) == [call]
    # in a small corpus a name counts as specific when two paragraphs or fewer write it
    assert dated_event.of_event([call], {"S1": CALL}, "Quand Trump a-t-il appelé ?", lambda w: 1, 10) == [call]
    later = Paragraph("a.txt", 2, "Un sommet à Budapest était prévu. Ce sommet devait se tenir le 30 octobre.")
    claim = Claim("Le sommet de Budapest devait se tenir le 30 octobre.", ["S1"])   # "ce sommet" points back
    assert dated_event.of_event([claim], {"S1": later}, "Quand le sommet de Budapest devait-il se tenir ?",
                                count, 87) == [claim]


def _two_events(sources):
    (sources / "kerlouan.txt").write_text(
        "Le Télégramme du Test\n\nLE PHARE DE KERLOUAN\n\nLe 5 avril 2024, le conseil municipal de Plouguerneau "
        "a voté son budget annuel. Le nouveau phare de Kerlouan attend toujours son inauguration.\n", encoding="utf-8")


def test_through_the_chain_the_date_of_another_event_abstains(make_engine, sources):
    _two_events(sources)
    eng = make_engine("Le nouveau phare de Kerlouan a été inauguré le 5 avril 2024 [S1].")
    _, _, answer = _ask(eng, "Quand le nouveau phare de Kerlouan a-t-il été inauguré ?")
    assert answer.abstained and answer.text == CANNOT["fr"]


def test_through_the_chain_the_date_of_the_event_asked_about_stands(make_engine, sources):
    _two_events(sources)
    eng = make_engine("Le conseil municipal de Plouguerneau a voté son budget annuel le 5 avril 2024 [S1].")
    _, _, answer = _ask(eng, "Quand le conseil municipal de Plouguerneau a-t-il voté son budget annuel ?")
    assert not answer.abstained and "5 avril 2024" in answer.text


def test_a_date_from_a_paragraph_that_never_names_the_event_does_not_answer():
    gaza = Paragraph("a.txt", 3, "Le 13 octobre 2025, un sommet pour la paix s'est tenu à Sharm-el-Sheikh.")
    claim = Claim("Le sommet avait été fixé au 13 octobre 2025.", ["S1"])
    # a follow-up ("ce sommet") names its event in its standalone form, read with it
    asked = "Quelle date avait été fixée pour ce sommet ? Quelle date avait été fixée pour le sommet de Budapest ?"
    assert dated_event.of_event([claim], {"S1": gaza}, asked, count, 87) == []
    assert dated_event.of_event([claim], {"S1": gaza}, "Quelle date avait été fixée pour ce sommet ?", count, 87) \
        == [claim]
    # a name the corpus never spells so (Ushakov for Ouchakov) is not taken for the event's
    ushakov = Claim("Ushakov spoke on 13 October 2025.", ["S1"])
    assert dated_event.of_event([ushakov], {"S1": gaza}, "When did Ushakov speak?", count, 87) == [ushakov]
