"""Whether an answer is about the question: sources' words, copied quotes, the question's own words."""
from rag import relevance as rel
from rag.citations import Claim

SPEAKERS = {"Youri Ouchakov", "Steve Witkoff"}


def claims(*texts):
    return [Claim(t, ["S1"]) for t in texts]


def test_about_needs_a_content_word_of_the_question_in_the_sources():
    texts = ["Vendredi 17 octobre, le président Zelensky s'est rendu à la Maison-Blanche."]
    assert not rel.about("Quelle est la couleur préférée de Zelensky ?", texts)
    assert rel.about("Quel jour Zelensky s'est-il rendu à la Maison-Blanche ?", texts)
    assert rel.about("Zelensky ?", texts)  # nothing but a name: not decided here


def test_a_question_is_about_a_source_writing_two_of_its_names_together():
    texts = ["Youri Ouchakov a reconnu que sa conversation s'était tenue via WhatsApp, une application "
             "interdite en Russie.", "Steve Witkoff est l'envoyé spécial de Donald Trump."]
    assert rel.about("Pourquoi le fait qu'Ouchakov ait utilisé WhatsApp est-il étonnant en Russie ?", texts)
    assert not rel.about("Quel est le salaire de Steve Witkoff ?", texts)   # one whole name
    assert not rel.about("Quel est le salaire de Witkoff et d'Ouchakov ?", texts)  # never written together


def test_an_answer_that_only_quotes_a_source_does_not_answer_other_questions():
    dump = claims("Steve Witkoff says: « Oui, parce que, écoute ce que je dis.",
                  "Je veux juste que tu dises cela au président Poutine. »")
    assert rel.only_quotes("What is Witkoff's favourite football team?", dump, SPEAKERS)
    assert not rel.only_quotes("What did Witkoff say to Ushakov?", dump)  # asked what someone said
    assert not rel.only_quotes("What did Ushakov congratulate Witkoff on?",
                               claims("Ushakov congratulated Witkoff on the « super travail » in Gaza."))


def test_an_answer_that_only_points_at_a_quoted_source_does_not_answer():
    meta = claims("This can be inferred from the fact that he was mentioned in the source, which states: "
                  "« Cette précision éclaire le contexte technique. »")
    assert rel.only_quotes("Who is Kirill Dmitriev?", meta)
    assert not rel.only_quotes("Who is Kirill Dmitriev?", claims("According to the source, he is « l'émissaire » of Putin."))


def test_an_answer_that_never_uses_the_questions_words_is_off_topic():
    assert not rel.on_topic("Quel est le numéro de téléphone de Witkoff ?",
                            claims("Steve Witkoff a affiché un « profond respect » pour Vladimir Poutine."),
                            ["Witkoff a affiché un « profond respect » pour Vladimir Poutine."])
    assert not rel.on_topic("Which football club does Ushakov support?",
                            claims("He is described as a presidential adviser and is mentioned in the call."))


def test_a_shared_word_beginning_in_the_answer_or_the_cited_paragraph_is_on_topic():
    assert rel.on_topic("What did Ushakov congratulate Witkoff on at the start of the call?",
                        claims("Ushakov congratulated Witkoff on the super work done by the US."))
    assert rel.on_topic("What language did Witkoff speak with Ushakov?", claims("Witkoff spoke English with him."))
    # a short French answer whose cited paragraph holds the question's words
    assert rel.on_topic("Qu'a fait la Russie pour laisser le champ libre aux efforts américains ?",
                        claims("Elle a suspendu le premier sommet russo-arabe."),
                        ["La Russie a suspendu le sommet russo-arabe pour laisser le champ libre aux efforts américains."])


def test_questions_left_to_the_answer_type_rules_or_with_one_content_word_are_not_judged():
    assert rel.on_topic("Who asked whether the leaders should speak by phone?", claims("Youri Ouchakov."))
    assert rel.on_topic("When did Bloomberg publish the recordings?", claims("On 25 November 2025."))
    assert rel.on_topic("How many points did the peace plan have?", claims("Twenty."))
    assert rel.on_topic("What missiles did Zelensky ask for?", claims("Tomahawks."))  # one content word
    assert not rel.on_topic("When did Bloomberg publish the recordings?", claims("Someone leaked them."))


def test_words_naming_the_kind_of_answer_are_not_asked_of_it():
    # "status" names what is wanted; the answer gives one without the word, and "legal" alone is not judged
    assert rel.content_words("What is the legal status of WhatsApp in Russia?") == {"legal"}
    assert rel.on_topic("What is the legal status of WhatsApp in Russia?", claims("WhatsApp is banned in Russia."))
    assert rel.content_words("Quelle a été la réaction du Kremlin à la fuite ?") == {"fuite"}


def test_an_answer_that_only_says_the_question_again_echoes_it():
    q = "Selon Enderi, quelle administration américaine a été largement tenue à l'écart de ce plan ?"
    assert rel.echoes(q, ("L'administration américaine était largement tenue à l'écart de ce plan."))
    assert rel.echoes("Dans quelle ville Zelensky est-il allé ?",
                      ("Dans quelle ville Zelensky est-il allé ?"))
    assert not rel.echoes(q, ("Le département d'État a été largement tenu à l'écart de ce plan."))
    assert not rel.echoes("Who asked whether the leaders should speak?", ("Youri Ouchakov asked it."))
    assert not rel.echoes("Did Witkoff say the call went well?", ("Yes, Witkoff said the call went well."))


def test_an_echo_gives_way_to_the_source_sentence_sharing_most_of_the_questions_terms():
    q = "Selon Enderi, quelle administration américaine a été largement tenue à l'écart de ce plan ?"
    texts = ["Le plan était perçu comme trop favorable à Moscou.",
             "Il contournait les circuits diplomatiques. Le Département d'État a été largement tenu à l'écart."]
    assert rel.stand_in(q, texts) == ("Le Département d'État a été largement tenu à l'écart.", 1)
    assert rel.stand_in(q, ["Le plan était perçu comme trop favorable à Moscou."]) is None  # too few shared
    assert rel.stand_in(q, ["L'administration américaine a été largement tenue à l'écart de ce plan."]) is None


def test_an_answer_that_names_none_of_what_the_question_names_is_off_topic():
    retold = "Ushakov confirmed the call took place on WhatsApp, which is not allowed in Russia."
    cited = ["Youri Ouchakov a reconnu que la conversation s'était tenue via WhatsApp.", "Enderi"]
    assert rel.names_missing("Which country won the 2022 FIFA World Cup?", retold, cited)
    # a name found in the answer, in a cited paragraph or in its document's outlet, spelling variants allowed
    assert not rel.names_missing("What did Putin say about the call?", "Poutine said nothing of it.", [])
    assert not rel.names_missing("Why, according to Enderi, was the call leaked?", "To end the process.", cited)
    assert not rel.names_missing("À quelle date le sommet Russie-Monde arabe était-il prévu ?", "Le 15 octobre.",
                                 ["Le premier sommet Russie–Monde arabe était prévu le 15 octobre."])
    assert not rel.names_missing("Combien mesure le phare ?", "42 mètres.", [])  # no name: not judged
