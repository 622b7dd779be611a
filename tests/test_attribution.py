"""A sentence's speaking person against the paragraph it cites."""
from rag.attribution import mend, speaking
from rag.citations import Claim
from rag.documents import Paragraph

SPEAKERS = {"Steve Witkoff", "Youri Ouchakov"}
NARRATION = Paragraph("a.txt", 3, "Reste à savoir quelle sera la position des membres du Parti républicain.")
REPORTED = Paragraph("a.txt", 4, "Dans un entretien, Youri Ouchakov a reconnu que l'appel s'était tenu via WhatsApp.")
TURN_W = Paragraph("a.txt", 5, "STEVE WITKOFF — Comment on règle ça ?", "Steve Witkoff", speech_start=16)
TURN_O = Paragraph("a.txt", 6, "YOURI OUCHAKOV — Ça va. Félicitations, mon ami.", "Youri Ouchakov", speech_start=17)
PARAS = {"S1": NARRATION, "S2": REPORTED, "S3": TURN_W, "S4": TURN_O}


def voice(p):
    return "Le Grand Continent"


def run(text, key):
    return mend([Claim(text, [key])], PARAS, SPEAKERS, voice)[0].text


def test_speaking_finds_the_subject_of_a_verb_of_speech():
    assert speaking("Steve Witkoff says that the party must decide", SPEAKERS) == "Steve Witkoff"
    assert speaking("Youri Ouchakov, conseiller de Vladimir Poutine, a reconnu que", SPEAKERS) == "Youri Ouchakov"
    assert speaking("According to Ushakov, the call was on WhatsApp", SPEAKERS) == "Youri Ouchakov"
    assert speaking("Witkoff expected a deal", SPEAKERS) is None
    assert speaking("Bloomberg published calls between Witkoff and Ouchakov", SPEAKERS) is None


def test_narration_that_never_names_the_person_speaks_with_the_outlets_voice():
    out = run("Steve Witkoff says that the position of the Republicans remains to be seen [S1].", "S1")
    assert out.startswith("Le Grand Continent says that the position")


def test_reported_speech_naming_the_person_is_left_alone():
    text = "Ushakov acknowledged that the call took place on WhatsApp."
    assert run(text, "S2") == text


def test_a_turn_of_another_speaker_gets_that_speakers_name():
    assert run("Youri Ouchakov asked: « Comment on règle ça ? »", "S3").startswith("Steve Witkoff asked")
    assert run("Steve Witkoff a dit « Félicitations, mon ami ».", "S4").startswith("Youri Ouchakov a dit")


def test_the_speakers_own_turn_and_sentences_without_speech_are_left_alone():
    assert run("Steve Witkoff asked how to settle it.", "S3") == "Steve Witkoff asked how to settle it."
    assert run("Witkoff wanted a deal.", "S4") == "Witkoff wanted a deal."
