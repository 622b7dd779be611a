"""Answer types: who spoke and when, repaired from the cited paragraph."""
from rag import answer_type as at
from rag import dates
from rag.citations import Claim
from rag.documents import Paragraph

SPEAKERS = {"Youri Ouchakov", "Steve Witkoff"}


def para(text, speaker=None, number=1):
    return Paragraph(doc="a.txt", number=number, text=text, speaker=speaker)


def test_question_types():
    assert at.asks_speaker("Who asked whether it would be useful for the two leaders to speak?")
    assert at.asks_speaker("Qui a dit « Comment on règle ça ? »")
    assert not at.asks_speaker("Who is Steve Witkoff?")
    assert not at.asks_speaker("What did Witkoff say about Gaza?")
    assert at.asks_time("When did Ushakov acknowledge it?")
    assert at.asks_time("Quel jour Zelensky s'est-il rendu à la Maison-Blanche ?")
    assert at.asks_time("En quelle année le plan a-t-il été publié ?")
    assert not at.asks_time("Why is Witkoff discredited?")
    assert at.asks_time("Before which day's meeting did Witkoff want the call?")
    assert at.asks_time("Selon Enderi, quand le processus a-t-il commencé ?")
    # "when" opening a clause after another interrogative asks for no date
    assert not at.asks_time("Who asked when the other thought a call would be possible?")
    assert not at.asks_time("What seems absent when Witkoff says the United States is ready?")
    assert not at.asks_time("Qu'a dit Ouchakov quand Witkoff a proposé un appel ?")


def test_dates_in_french_and_english_text():
    assert dates.dates_in("publié par Kommersant le 26\u00a0novembre 2025, Youri") == [(26, 10, 2025)]
    assert dates.dates_in("on November 26, 2025, then the 1er octobre") == [(26, 10, 2025), (1, 9, None)]
    assert dates.dates_in("le 45 mars") == []
    assert dates.has_time("en octobre") and dates.has_time("in 2025") and not dates.has_time("the next day")


def test_say_date_in_the_readers_language():
    assert dates.say_date((26, 10, 2025), "en") == "26 November 2025"
    assert dates.say_date((1, 7, None), "fr") == "1er août"


def test_wrong_speaker_named_first_is_replaced():
    text = "Steve Witkoff asked whether it would be useful for the two leaders to speak by phone."
    assert at.fix_speaker(text, "Youri Ouchakov", SPEAKERS).startswith("Youri Ouchakov asked whether")
    assert at.fix_speaker("Witkoff asked it.", "Youri Ouchakov", SPEAKERS) == "Youri Ouchakov asked it."


def test_answer_naming_the_speaker_anywhere_is_left_alone():
    text = "Witkoff was asked by Ushakov whether they should talk."
    assert at.fix_speaker(text, "Youri Ouchakov", SPEAKERS) == text
    assert at.fix_speaker("Nobody known said it.", "Youri Ouchakov", SPEAKERS) == "Nobody known said it."


def test_complete_fixes_speaker_only_for_who_said_questions():
    turn = para("YOURI OUCHAKOV — Penses-tu que ce serait utile ?", speaker="Youri Ouchakov")
    kept = [Claim("Steve Witkoff asked whether a call would be useful.", ["S1"])]
    fixed = at.complete("Who asked whether a call would be useful?", kept, {"S1": turn}, SPEAKERS, "en")
    assert fixed[0].text.startswith("Youri Ouchakov asked")
    same = at.complete("What was asked about a call?", kept, {"S1": turn}, SPEAKERS, "en")
    assert same == kept


def test_complete_adds_the_date_of_the_supporting_sentence():
    p = para("Le contexte est tendu. Dans un entretien publié le 26 novembre 2025, Ouchakov a reconnu "
             "que la conversation s'était tenue via WhatsApp.")
    kept = [Claim("Ushakov acknowledged that the conversation took place over WhatsApp.", ["S2"])]
    out = at.complete("When did Ushakov acknowledge it?", kept, {"S2": p}, SPEAKERS, "en")
    assert out[-1] == Claim("This was on 26 November 2025.", ["S2"])
    fr = at.complete("Quand Ouchakov l'a-t-il reconnu ?", kept, {"S2": p}, SPEAKERS, "fr")
    assert fr[-1].text == "C'était le 26 novembre 2025."


def test_complete_leaves_an_answer_that_has_a_time_or_a_paragraph_without_one():
    p = para("Ouchakov a reconnu le 26 novembre 2025 que la conversation s'était tenue via WhatsApp.")
    dated = [Claim("Ushakov acknowledged it in November 2025.", ["S1"])]
    assert at.complete("When did Ushakov acknowledge it?", dated, {"S1": p}, SPEAKERS, "en") == dated
    undated = para("Ouchakov a reconnu que la conversation s'était tenue via WhatsApp.")
    kept = [Claim("Ushakov acknowledged it.", ["S1"])]
    assert at.complete("When did Ushakov acknowledge it?", kept, {"S1": undated}, SPEAKERS, "en") == kept


def test_said_leaves_out_speaker_names_or_falls_back_to_the_question():
    assert at.said("Steve Witkoff asked whether a call would help.", "Who asked?", SPEAKERS) == \
        "asked whether a call would help."
    assert at.said("Youri Ouchakov.", "Qui a dit « Comment on règle ça ? »", SPEAKERS) == \
        "Qui a dit « Comment on règle ça ? »"


def test_a_number_question_needs_a_number_in_the_answer():
    assert at.asks_number("How old is Yuri Ushakov?") and at.asks_number("Combien mesure le phare ?")
    assert not at.asks_number("How much room did Witkoff expect?")  # "how much" is not always a number
    assert not at.asks_number("Qui a demandé combien de bateaux passent ici ?")
    # a duration is a number: "several hours" over a paragraph that never gives one does not answer
    assert at.asks_number("How long did the call last?") and at.asks_number("Quelle durée a eu l'appel ?")
    assert not at.answers("How long did the call last?", [Claim("The call lasted for several hours.", ["S1"])])
    assert at.answers("How long did the call last?", [Claim("More than two hours.", ["S1"])])
    # the question's own numbers do not answer it
    assert not at.answers("How long did the 14 October call last?", [Claim("The 14 October call lasted hours.", ["S1"])])
    assert at.answers("How many points did the 2025 plan have?", [Claim("The 2025 plan had 28 points.", ["S1"])])
    assert not at.answers("How long did the call last?", [Claim("It shows « les deux camps » close.", ["S1"])])
    assert at.answers("Combien de temps a duré l'appel ?", [Claim("Plus de deux longues heures.", ["S1"])])
    assert not at.answers("How old is Yuri Ushakov?", [Claim("Steve Witkoff says: « Salut, Youri. »", ["S1"])])
    assert at.answers("Combien de bateaux ?", [Claim("Environ deux cents bateaux.", ["S1"])])
    assert at.answers("How many points?", [Claim("A plan in 28 points.", ["S1"])])
    assert not at.answers("What is the population of Donetsk?", [Claim("Donetsk is in the centre.", ["S1"])])
    assert at.answers("Who published it?", [Claim("Bloomberg.", ["S1"])])


def test_a_sentence_is_checked_without_the_speakers_names_when_enough_is_left():
    text = "Steve Witkoff is discredited for his lack of precaution."
    assert at.unnamed(text, SPEAKERS) == "Someone is discredited for his lack of precaution."
    text = "Steve Witkoff used WhatsApp to call Youri Ouchakov."  # one stand-in per whole name
    assert at.unnamed(text, SPEAKERS) == "Someone used WhatsApp to call someone."
    text = "Witkoff a conseillé à Ouchakov de féliciter Trump."  # in the sentence's language
    assert at.unnamed(text, SPEAKERS) == "Quelqu'un a conseillé à quelqu'un de féliciter Trump."
    assert at.unnamed("Steve Witkoff and Youri Ouchakov.", SPEAKERS) == "Steve Witkoff and Youri Ouchakov."
    assert at.unnamed("Vladimir Putin thanked him.", SPEAKERS) == "Vladimir Putin thanked him."  # not a speaker


def test_a_question_for_a_name_needs_a_name_the_question_does_not_write():
    q = "Quel est le nom de la source qui a transmis les enregistrements à Bloomberg ?"
    assert not at.answers(q, [Claim("Selon Bloomberg, les enregistrements viennent d'une source anonyme.", ["S1"])])
    assert at.answers(q, [Claim("La source s'appelle Jean Dupont.", ["S1"])])
    assert at.answers("What is the name of Putin's adviser?", [Claim("Ushakov.", ["S1"])])
    assert not at.answers("What is the name of Poutine's adviser?", [Claim("According to Putin, nobody.", ["S1"])])
    assert at.answers("Who is Putin's adviser?", [Claim("He is not named.", ["S1"])])  # not a name question
    plan = "Quel est le nom du plan évoqué par Witkoff ?"
    assert at.answers(plan, [Claim("Witkoff évoque un format en « 20 points ».", ["S1"])])   # quoted
    assert not at.answers(plan, [Claim("Witkoff évoque un plan de paix.", ["S1"])])


def test_asks_identity_is_who_is_a_name_and_nothing_more():
    from rag.answer_type import asks_identity, identity_of
    assert identity_of("Who is Steve Witkoff?") == "Steve Witkoff"
    assert identity_of("Qui est Youri Ouchakov ?") == "Youri Ouchakov"
    assert identity_of("Who are Witkoff and Ushakov?") == "Witkoff"
    assert asks_identity("Qui sont Witkoff, Ouchakov et Dmitriev ?")
    for q in ("Who is the envoy?", "Qui est à l'origine de la fuite ?", "Who is Witkoff talking to?",
              "Who said Steve Witkoff?", "Qu'est Witkoff ?"):
        assert not asks_identity(q), q


def test_a_question_for_a_person_needs_someone_the_question_does_not_name():
    q = "Which Bloomberg reporter wrote the story revealing the recordings of the Witkoff call?"
    assert at.asks_person(q) and at.asks_person("Quel journaliste a révélé la fuite ?")
    assert at.asks_person("À qui Witkoff a-t-il parlé ?") and at.asks_person("Who published the recordings?")
    for other in ("Who is Steve Witkoff?", "Qui a dit « Comment on règle ça ? »", "What plan did Witkoff propose?"):
        assert not at.asks_person(other)
    assert not at.answers(q, [Claim("Steve Witkoff wrote the story revealing the recordings.", ["S1"])])
    assert not at.answers(q, [Claim("According to Bloomberg, the story was written by its staff.", ["S1"])])
    assert at.answers(q, [Claim("Bloomberg reporter Jane Doe wrote it.", ["S1"])])
    assert at.answers(q, [Claim("The story was written by an anonymous reporter.", ["S1"])])  # names nobody
    assert at.answers(q, [Claim("He wrote « Witkoff a parlé » in the story.", ["S1"])])  # quoted names are not his
    # "who said" is checked against the cited turn's speaker instead
    assert at.answers("Who said Witkoff was right?", [Claim("Witkoff said it.", ["S1"])])
