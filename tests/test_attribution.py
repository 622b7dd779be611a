"""A sentence's speaking person against the paragraph it cites."""
from rag.attribution import founded, mend, speaker_named, speaking
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


LEAK = Paragraph("a.txt", 7, "La divulgation de ces conversations a embarrassé Washington, crispé Moscou.")
POUTINE = Paragraph("a.txt", 8, "Vladimir Poutine a déclaré que la Russie voulait la paix.")
PARAS_OUT = {"S1": LEAK, "S2": POUTINE, "S3": TURN_W}


def kept_by_founded(text, *keys):
    return [c.text for c in founded([Claim(text, list(keys))], PARAS_OUT, lambda p: ["Enderi", "Jean Dupont"])]


def test_speaker_named_finds_anyone_presented_as_speaking():
    assert speaker_named("Dmitry Peskov, the Kremlin spokesman, said that the recordings embarrassed Moscow") \
        == "Dmitry Peskov"
    assert speaker_named("Selon Dmitri Peskov, la fuite a embarrassé Moscou") == "Dmitri Peskov"
    assert speaker_named("According to Enderi, the leak embarrassed Washington") == "Enderi"
    assert speaker_named("The Kremlin said the recordings were fake") is None   # an institution
    assert speaker_named("Selon le Kremlin, la fuite est un faux") is None
    assert speaker_named("Bloomberg published the recordings") is None           # no verb of speech
    assert speaker_named("Jean Dupont writes that the leak embarrassed Washington") == "Jean Dupont"


def test_words_put_in_the_mouth_of_someone_the_paragraph_never_names_are_dropped():
    assert kept_by_founded("Dmitry Peskov, the Kremlin spokesman, said the leak embarrassed Washington.", "S1") == []
    assert kept_by_founded("Selon Dmitri Peskov, la divulgation a embarrassé Washington.", "S1") == []


def test_a_person_the_cited_paragraph_names_or_its_document_credits_is_kept():
    for text, keys in [("Vladimir Putin said that Russia wanted peace.", ["S2"]),          # Poutine / Putin
                       ("Putin said Russia wanted peace.", ["S1", "S2"]),                  # any cited paragraph
                       ("According to Enderi, the leak embarrassed Washington.", ["S1"]),  # the outlet
                       ("Jean Dupont writes that the leak embarrassed Washington.", ["S1"]),  # the author
                       ("Steve Witkoff asked how to settle it.", ["S3"]),                  # the turn's speaker
                       ("The leak embarrassed Washington.", ["S1"])]:                      # nobody speaks
        assert kept_by_founded(text, *keys) == [text], text


def test_asked_of_is_the_person_whose_words_the_question_asks_about():
    from rag.attribution import asked_of
    assert asked_of("What did Kremlin spokesman Dmitry Peskov say about the leaked recordings?") == "Dmitry Peskov"
    assert asked_of("Qu'a déclaré Dmitri Peskov sur les enregistrements ?") == "Dmitri Peskov"
    assert asked_of("Que pense Jean Dupont de la fuite ?") == "Jean Dupont"
    assert asked_of("Selon Enderi, pourquoi Witkoff est-il discrédité ?") == "Enderi"
    assert asked_of("Who published the recordings of the Witkoff calls?") is None
    assert asked_of("Qui a dit « Comment on règle ça ? »") is None


def test_pronouns_and_question_words_name_nobody():
    assert speaker_named("He said that the leak embarrassed Washington") is None
    assert speaker_named("Il a déclaré que la fuite a embarrassé Washington") is None
    from rag.attribution import asked_of
    assert asked_of("Who said the lighthouse was inaugurated?") is None
    assert asked_of("Qui a demandé combien de bateaux passent ici ?") is None
    assert kept_by_founded("He said the leak embarrassed Washington.", "S1") == ["He said the leak embarrassed Washington."]


def test_a_noun_after_a_name_is_not_a_verb_of_speech():
    assert speaker_named("The Bloomberg report allowed diplomats to focus on Gaza") is None
    assert speaker_named("This report allowed American diplomats to focus on Gaza") is None


def test_asked_what_someone_said_an_answer_saying_only_that_they_talked_does_not_answer():
    from rag.attribution import reports_words
    from rag.citations import Claim

    q = "Qu'a dit Kirill Dmitriev à Steve Witkoff pendant les appels enregistrés ?"
    assert not reports_words(q, [Claim("Kirill Dmitriev a discuté avec Steve Witkoff pendant les appels.", ["S1"])])
    assert not reports_words("What did Dmitriev tell Witkoff?", [Claim("Dmitriev spoke with Witkoff.", ["S1"])])
    assert reports_words(q, [Claim("Kirill Dmitriev a dit que le plan était prêt.", ["S1"])])
    assert reports_words(q, [Claim("Dmitriev a parlé du plan : « il faut signer ».", ["S1"])])
    assert reports_words("What did Ushakov say about the call?", [Claim("Ushakov said he would call back.", ["S1"])])
    # other questions are not concerned
    assert reports_words("Who talked to Witkoff?", [Claim("Dmitriev talked to Witkoff.", ["S1"])])
