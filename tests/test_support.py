"""The support check's rule for who-said answers: the turn nearest what was said (``Support.heard``)."""
from types import SimpleNamespace

import numpy as np

from rag.documents import Paragraph
from rag.support import HEARD_OK, Support, without_source

TURN = Paragraph("call.txt", 4, "YOURI OUCHAKOV — Je vais en parler à mon patron.", speaker="Youri Ouchakov",
                 speech_start=17)
OTHER_TURN = Paragraph("call.txt", 5, "STEVE WITKOFF — D'accord.", speaker="Steve Witkoff", speech_start=16)
NARRATION = Paragraph("call.txt", 2, "Le conseiller promet d'en parler au président.")


class FakeUnits:
    """Sentence vectors with scripted similarities, one unit per paragraph."""

    def __init__(self, paragraphs, sims):
        self.paragraphs = paragraphs
        self.units = [SimpleNamespace(para=i) for i in range(len(paragraphs))]
        self.sims = np.array(sims)
        self.asked = []

    def similarities(self, text):
        self.asked.append(text)
        return self.sims


def support(units, name="embeddinggemma-300m"):
    return Support(SimpleNamespace(name=name), lambda: units)


def test_a_turn_holding_the_nearest_sentence_is_heard_below_the_semantic_threshold():
    sims = [HEARD_OK["embeddinggemma"] + 0.02, 0.30, 0.35]
    s = support(FakeUnits([TURN, OTHER_TURN, NARRATION], sims))
    assert sims[0] < s.semantic_ok
    assert s.heard("promised to talk to his boss", [NARRATION, TURN]) == 1


def test_nothing_is_heard_when_too_far_from_narration_or_from_another_source():
    low = support(FakeUnits([TURN, NARRATION], [HEARD_OK["embeddinggemma"] - 0.03, 0.2]))
    assert low.heard("said the moon landing was fake", [TURN]) is None
    narration = support(FakeUnits([TURN, NARRATION], [0.41, 0.5]))
    assert narration.heard("promised to talk to the president", [TURN, NARRATION]) is None
    assert support(FakeUnits([TURN, NARRATION], [0.6, 0.2])).heard("promised", [NARRATION]) is None


def test_the_rule_is_off_for_an_embedder_it_was_not_measured_with():
    assert support(FakeUnits([TURN], [0.99]), name="fake-bow").heard("promised", [TURN]) is None


def test_the_phrase_naming_who_tells_a_claim_is_left_out_of_the_comparison():
    assert without_source("WhatsApp is not legal in Russia, according to Enderi.") == "WhatsApp is not legal in Russia."
    assert without_source("Le plan, d’après Le Grand Continent, a échoué.") == "Le plan a échoué."
    assert without_source("Selon Bloomberg, les enregistrements ont fuité.") == "les enregistrements ont fuité."
    # only a name is left out, never the claim itself
    assert without_source("selon lui la Russie veut la paix.") == "selon lui la Russie veut la paix."


class FixedUnits:
    """Sentence vectors giving every sentence-paragraph pair the same cosine."""

    def __init__(self, cosine):
        self.cosine = cosine

    def best_unit_similarity(self, text, paragraph):
        return self.cosine


def test_a_sentence_in_its_paragraphs_language_needs_a_higher_cosine_than_a_translation():
    from rag.support import SAME_LANGUAGE_OK, SEMANTIC_OK

    par = Paragraph("a.txt", 1, "Elle survient alors que Bloomberg a rendu publics des enregistrements d'appels, "
                                "déclenchant une secousse diplomatique immédiate.")
    cosine = (SEMANTIC_OK["embeddinggemma"] + SAME_LANGUAGE_OK["embeddinggemma"]) / 2
    s = Support(SimpleNamespace(name="embeddinggemma-300m"), lambda: FixedUnits(cosine))
    french = "Dmitriev a dit que l'ambassade russe avait été fermée par un incident diplomatique."
    english = "The release of the call recordings caused an immediate diplomatic shock."
    score, _ = s.matrix([french, english], [par.text], [par])
    assert score[0, 0] < 0.5 <= score[1, 0]  # same topic, other facts, same language: not supported
    # an embedder without a measured same-language threshold keeps its one threshold
    e5 = Support(SimpleNamespace(name="e5-small"), lambda: FixedUnits(SEMANTIC_OK["e5-small"] + 0.01))
    assert e5.matrix([french], [par.text], [par])[0][0, 0] >= 0.5
