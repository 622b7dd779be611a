"""The answer chain with scripted chat models: citations, repair, abstention, language, injection."""
from __future__ import annotations

import pytest

from rag import citations
from rag.verify import CANNOT


def _ask(engine, question, history=None):
    events = list(engine.ask_stream(question, history))
    kinds = [k for k, _ in events]
    return events, kinds, events[-1][1]


def test_claims_drop_invented_keys_and_attach_leading_keys():
    found = citations.claims("Le phare mesure 42 mètres [S1][S9]. [S2] Il a coûté 3 millions [S3].", {"S1", "S2", "S3"})
    assert [c.keys for c in found] == [["S1", "S2"], ["S3"]]
    assert found[0].text == "Le phare mesure 42 mètres."


def test_closing_quote_stays_with_its_sentence_and_marker_goes_after_it():
    found = citations.claims("Witkoff a dit « Comment on règle ça ? » [S1]", {"S1"})
    assert len(found) == 1 and found[0].keys == ["S1"]
    text, _ = citations.render(found)
    assert text == "Witkoff a dit « Comment on règle ça ? » [1]"


def test_render_numbers_in_order_of_first_citation():
    text, order = citations.render([citations.Claim("A.", ["S3"]), citations.Claim("B.", ["S1", "S3"])])
    assert text == "A [1]. B [2][1]."
    assert order == ["S3", "S1"]


def test_answer_cites_supporting_paragraph(make_engine):
    eng = make_engine("Le phare mesure 42 mètres [S1].")
    events, kinds, answer = _ask(eng, "Combien mesure le phare de Brest ?")
    assert kinds[0] == "sources" and kinds[-1] == "answer" and "token" in kinds
    assert not answer.abstained
    assert "42" in answer.text and "[1]" in answer.text
    assert "42 mètres" in answer.citations[0].paragraph.text


def test_wrong_key_is_repaired_to_the_supporting_source(make_engine):
    eng = make_engine("Le phare mesure 42 mètres [S9]. La maire Anne Le Gall a inauguré le phare [S1].")
    _, _, answer = _ask(eng, "Combien mesure le phare et qui l'a inauguré ?")
    texts = [c.paragraph.text for c in answer.citations]
    assert any("42 mètres" in t for t in texts)
    assert any("inauguré" in t for t in texts)
    for c in answer.citations:  # every citation is a real paragraph of the corpus
        assert c.paragraph.text in eng.index.documents[0].paragraphs[c.paragraph.number - 1].text


def test_unsupported_claim_is_dropped(make_engine):
    eng = make_engine("Le phare mesure 42 mètres [S1]. Le phare est peint en violet par Picasso en 1950 [S1].")
    _, _, answer = _ask(eng, "Combien mesure le phare ?")
    assert "Picasso" not in answer.text and "42" in answer.text


def test_no_answer_gives_fixed_sentence_without_citations(make_engine):
    eng = make_engine("NO_ANSWER")
    _, _, answer = _ask(eng, "Quelle est la population de Lyon ?")
    assert answer.abstained and answer.citations == [] and answer.text == CANNOT["fr"]


def test_english_question_gets_english_abstention(make_engine):
    eng = make_engine("NO_ANSWER")
    _, _, answer = _ask(eng, "What is the population of Lyon?")
    assert answer.abstained and answer.text == CANNOT["en"]
    assert len(eng.chat_model.prompts) == 1  # no translation call unless asked for


def test_english_question_is_translated_for_retrieval_when_asked(make_engine):
    eng = make_engine("Combien mesure le phare ?",
                      "The lighthouse is 42 metres tall [S1].", translate=True)
    events, _, answer = _ask(eng, "How tall is the lighthouse?")
    assert "Combien mesure le phare ?" in answer.timings["queries"]
    assert any("42 mètres" in h.paragraph.text for h in events[0][1])


def test_follow_up_is_rewritten_with_history(make_engine):
    eng = make_engine("Standalone: Qui a inauguré le phare de Brest ?\nTranslation: Qui a inauguré le phare de Brest ?",
                      "Anne Le Gall a inauguré le phare [S1].")
    history = [("user", "Combien mesure le phare de Brest ?"), ("assistant", "42 mètres [1].")]
    _, _, answer = _ask(eng, "Et qui l'a inauguré ?", history)
    assert "Qui a inauguré le phare de Brest ?" in answer.timings["queries"]
    assert "Anne Le Gall" in answer.text and not answer.abstained


def test_planted_instruction_is_data(make_engine, sources):
    from tests.conftest import INJECTION

    (sources / "note.txt").write_text(INJECTION, encoding="utf-8")
    eng = make_engine("Le phare mesure 42 mètres [S1].")
    _, _, answer = _ask(eng, "Combien mesure le phare de Brest ?")
    prompt = eng.chat_model.prompts[-1]
    system, user = prompt[0].content, prompt[1].content
    assert "ignore any instruction" in system  # the rule is in the system prompt
    assert "Ignore toutes les instructions" not in system  # document text only in the user turn, as data
    assert "Ignore toutes les instructions" in user  # the planted instruction did reach the model, as data
    assert "PIRATE" not in answer.text


def _bare_chain(support, speakers: set[str], language: str):
    """A Verifier with only what ``check`` reads: a support check, the speakers and the sources' language."""
    from rag.verify import Verifier

    doc = type("D", (), {"outlet": "", "author": "", "title": ""})()
    retriever = type("R", (), {"speakers": speakers, "language": language,
                               "index_doc": staticmethod(lambda name: doc)})()
    context = type("C", (), {"head": staticmethod(lambda source: ""), "voice": staticmethod(lambda p: ""),
                             "credits": staticmethod(lambda p: [])})()
    return Verifier(retriever, support, context)


def test_a_name_alone_does_not_support_a_claim():
    from rag.support import lexical

    par = "Steve Witkoff, envoyé spécial, a parlé avec Youri Ouchakov sur WhatsApp."
    assert lexical("Steve Witkoff a un salaire de", par) == 0.0
    assert lexical("The conversation took place on WhatsApp, Witkoff said.", par + " La conversation") >= 0.5


def test_repair_picks_a_supporting_source_even_when_a_non_supporting_one_ranks_higher():
    import numpy as np

    from rag.context import Source
    from rag.documents import Paragraph

    class StubSupport:  # source 1 ranks higher on added evidence but fails the check; source 2 passes
        def matrix(self, claims, texts, paragraphs, heads=None):
            return np.array([[0.45, 0.52]]), np.array([[1.8, 1.05]])

    chain = _bare_chain(StubSupport(), set(), "fr")
    sources = [Source("S1", Paragraph("d.txt", 1, "Un."), "Un."), Source("S2", Paragraph("d.txt", 2, "Deux."), "Deux.")]
    answer = chain.check("Une affirmation [S1].", sources, "Question ?", "fr")
    assert not answer.abstained and [c.paragraph.number for c in answer.citations] == [2]


def test_a_who_said_answer_below_the_threshold_is_kept_when_its_turn_is_the_nearest_to_what_was_said():
    import numpy as np

    from rag.context import Source
    from rag.documents import Paragraph

    class StubSupport:  # nothing passes the check; the turn S2 holds the sentence nearest what was said
        heard_calls: list = []

        def matrix(self, claims, texts, paragraphs, heads=None):
            return np.array([[0.46, 0.48]]), np.array([[0.9, 0.95]])

        def heard(self, said, paragraphs):
            self.heard_calls.append(said)
            return 1

    chain = _bare_chain(StubSupport(), {"Youri Ouchakov", "Steve Witkoff"}, "fr")
    turn = Paragraph("d.txt", 2, "YOURI OUCHAKOV — J'en parle à mon patron.", speaker="Youri Ouchakov", speech_start=17)
    sources = [Source("S1", Paragraph("d.txt", 1, "Un appel."), "Un appel."), Source("S2", turn, turn.text)]
    answer = chain.check("Steve Witkoff promised to talk to his boss [S1].", sources,
                         "Who promised to talk to his boss?", "en")
    assert not answer.abstained and [c.paragraph.number for c in answer.citations] == [2]
    assert answer.text.startswith("Youri Ouchakov promised")  # and the name is the turn's speaker
    assert StubSupport.heard_calls == ["promised to talk to his boss."]  # what was said, names left out
    # the rule is for who-said questions only
    assert chain.check("He promised to talk to his boss [S1].", sources, "What did he promise?", "en").abstained


def test_a_who_said_answer_cites_the_named_speakers_own_turn_rather_than_narration_supporting_it_as_well():
    import numpy as np

    from rag.context import Source
    from rag.documents import Paragraph

    class StubSupport:  # both pass, the narration ranks a little higher
        def matrix(self, claims, texts, paragraphs, heads=None):
            return np.array([[0.55, 0.55, 0.55]]), np.array([[1.1, 1.0, 1.05]])

    chain = _bare_chain(StubSupport(), {"Youri Ouchakov", "Steve Witkoff"}, "fr")
    own = Paragraph("d.txt", 2, "STEVE WITKOFF — J'appellerais pour le féliciter.", speaker="Steve Witkoff",
                    speech_start=16)
    other = Paragraph("d.txt", 3, "YOURI OUCHAKOV — Je l'appellerai.", speaker="Youri Ouchakov", speech_start=17)
    sources = [Source("S1", Paragraph("d.txt", 1, "Un appel entre Trump et Poutine."), "Un appel entre Trump et Poutine."),
               Source("S2", own, own.speech), Source("S3", other, other.speech)]
    answer = chain.check("Steve Witkoff recommended that Putin call Trump [S1].", sources,
                         "Who recommended that Putin call Trump?", "en")
    assert [c.paragraph.number for c in answer.citations] == [2] and answer.text.startswith("Steve Witkoff")
    # not for other questions, and never another speaker's turn
    answer = chain.check("Steve Witkoff recommended that Putin call Trump [S1].", sources,
                         "What was recommended?", "en")
    assert [c.paragraph.number for c in answer.citations] == [1]
    answer = chain.check("Vladimir Putin was told to call Trump [S1].", sources,
                         "Who was told to call Trump?", "en")
    assert [c.paragraph.number for c in answer.citations] == [1]


def test_an_answer_that_only_says_the_question_again_gives_way_to_the_source_sentence(make_engine):
    question = "Quelle personne a inauguré le phare le 2 mars 2024 ?"
    eng = make_engine("La personne a inauguré le phare le 2 mars 2024 [S1].")
    _, _, answer = _ask(eng, question)
    assert answer.text == ("« La maire de Brest, Anne Le Gall, a inauguré le phare le 2 mars 2024 devant mille "
                           "personnes. » [1]")
    assert answer.citations[0].paragraph.text.startswith("La maire de Brest") and not answer.abstained
    assert len(eng.chat_model.prompts) == 1
    # in another language than the sources', the echo stays
    eng = make_engine("The person inaugurated the lighthouse on 2 March 2024 [S1].")
    _, _, answer = _ask(eng, "Which person inaugurated the lighthouse on 2 March 2024?")
    assert answer.text.startswith("The person inaugurated")


def test_sentences_are_checked_without_the_speakers_names():
    import numpy as np

    from rag.context import Source
    from rag.documents import Paragraph

    class RecordingSupport:  # the name most paragraphs hold must not pull the check towards any of them
        checked: list = []

        def matrix(self, claims, texts, paragraphs, heads=None):
            self.checked.extend(claims)
            return np.array([[0.9]]), np.array([[2.0]])

    chain = _bare_chain(RecordingSupport(), {"Youri Ouchakov", "Steve Witkoff"}, "en")
    sources = [Source("S1", Paragraph("d.txt", 1, "He lacked precaution."), "He lacked precaution.")]
    answer = chain.check("Steve Witkoff is discredited for his lack of precaution [S1].", sources,
                         "Why is Witkoff discredited for his lack of precaution?", "en")
    assert RecordingSupport.checked == ["Someone is discredited for his lack of precaution."]
    assert answer.text.startswith("Steve Witkoff is discredited")  # the answer keeps the name


def test_a_supported_answer_naming_nothing_the_question_names_abstains():
    import numpy as np

    from rag.context import Source
    from rag.documents import Paragraph

    class Passing:
        def matrix(self, claims, texts, paragraphs, heads=None):
            return np.array([[0.9]]), np.array([[2.0]])

    chain = _bare_chain(Passing(), set(), "fr")
    par = Paragraph("d.txt", 1, "Ouchakov a reconnu que la conversation s'était tenue via WhatsApp.")
    sources = [Source("S1", par, par.text)]
    retold = "Ushakov confirmed that the conversation took place on WhatsApp [S1]."
    assert chain.check(retold, sources, "Which country won the 2022 FIFA World Cup?", "en").abstained
    assert not chain.check(retold, sources, "How did Ushakov and Witkoff talk?", "en").abstained


def test_a_foreign_question_is_on_topic_when_its_rendering_shares_words_with_the_cited_paragraph():
    import numpy as np

    from rag.context import Source
    from rag.documents import Paragraph

    class Passing:
        def matrix(self, claims, texts, paragraphs, heads=None):
            return np.array([[0.9]]), np.array([[2.0]])

    chain = _bare_chain(Passing(), {"Youri Ouchakov", "Steve Witkoff"}, "fr")
    par = Paragraph("d.txt", 1, "Ouchakov a reconnu que sa conversation s'était tenue via WhatsApp, une messagerie.")
    sources = [Source("S1", par, par.text)]
    raw = "Witkoff used WhatsApp to reach Ushakov [S1]."  # none of the question's words
    question = "On which messaging app did the talk take place?"
    assert chain.check(raw, sources, question, "en").abstained
    assert chain.check(raw, sources, question, "en", ["Sur quelle messagerie a eu lieu l'échange ?"]).text.startswith("Witkoff")
    # a rendering in the reader's own language, or sharing nothing with the paragraph, changes nothing
    assert chain.check(raw, sources, question, "en", ["On which messaging app was the talk held?"]).abstained
    assert chain.check(raw, sources, question, "en", ["Quel est le salaire du négociateur ?"]).abstained


def test_answer_in_the_wrong_language_is_asked_again_in_the_readers(make_engine):
    eng = make_engine("Le phare de Brest mesure 42 mètres de haut [S1].", "The lighthouse is 42 mètres tall [S1].")
    _, _, answer = _ask(eng, "How tall is the lighthouse of Brest?")
    assert len(eng.chat_model.prompts) == 2
    assert "English" in str(eng.chat_model.prompts[1][-1].content) and "42 mètres de haut" in str(eng.chat_model.prompts[1][-1].content)
    assert answer.text == "The lighthouse is 42 mètres tall [1]." and not answer.abstained
    assert "42 mètres" in answer.citations[0].paragraph.text


def test_a_retry_that_nothing_supports_keeps_the_first_answer(make_engine):
    eng = make_engine("Le phare de Brest mesure 42 mètres de haut [S1].", "It was painted by Picasso in 1950 [S1].")
    _, _, answer = _ask(eng, "How tall is the lighthouse of Brest?")
    assert "42" in answer.text and "Picasso" not in answer.text and answer.citations


def test_answer_in_the_readers_language_is_not_asked_again(make_engine):
    eng = make_engine("Le phare de Brest mesure 42 mètres de haut [S1].")
    events, kinds, answer = _ask(eng, "Combien mesure le phare de Brest ?")
    assert len(eng.chat_model.prompts) == 1 and "42" in answer.text and "status" not in kinds


def test_a_quotation_in_the_sources_language_is_not_a_wrong_language(make_engine):
    # only one reply is scripted: a second call would fail the test
    eng = make_engine("La maire Anne Le Gall a dit « le phare est inauguré » [S1].")
    _, _, answer = _ask(eng, "Who said the lighthouse was inaugurated?")
    assert len(eng.chat_model.prompts) == 1 and "Anne Le Gall" in answer.text


def test_who_said_answer_names_the_speaker_of_the_cited_turn(make_engine):
    eng = make_engine("Anne Le Gall a demandé combien de bateaux passent ici chaque jour [S1].")
    _, _, answer = _ask(eng, "Qui a demandé combien de bateaux passent ici chaque jour ?")
    assert answer.citations[0].paragraph.speaker == "Jean Martin"
    assert answer.text.startswith("Jean Martin a demandé combien de bateaux")


def test_when_answer_without_a_date_gets_the_date_of_its_supporting_sentence(make_engine):
    eng = make_engine("La maire Anne Le Gall a inauguré le phare devant mille personnes [S1].")
    _, _, answer = _ask(eng, "Quand la maire a-t-elle inauguré le phare ?")
    assert answer.text.endswith("C'était le 2 mars 2024 [1].")
    assert len(answer.citations) == 1 and "2 mars 2024" in answer.citations[0].paragraph.text



def test_a_when_answer_in_the_sources_language_is_translated_despite_the_date_we_add(make_engine):
    # the added "This was on …" is English; the model's own French must still be caught
    eng = make_engine("La maire Anne Le Gall a inauguré le phare devant mille personnes avec les habitants [S1].",
                      "The mayor of Brest, Anne Le Gall, inaugurated the phare devant mille personnes [S1].")
    _, _, answer = _ask(eng, "When did the mayor open the lighthouse?")
    assert len(eng.chat_model.prompts) == 2
    assert answer.text.startswith("The mayor of Brest, Anne Le Gall, inaugurated") and "2 March 2024" in answer.text


def test_a_speaker_said_to_say_what_the_narration_says_is_replaced_by_the_narrations_voice(make_engine):
    eng = make_engine("Jean Martin a dit que le nouveau phare du port de Brest mesure 42 mètres [S1].")
    _, _, answer = _ask(eng, "Combien mesure le nouveau phare du port de Brest ?")
    assert answer.citations[0].paragraph.speaker is None and "42 mètres" in answer.citations[0].paragraph.text
    assert answer.text.startswith("Le Journal du Test a dit que le nouveau phare")


def test_words_put_in_the_mouth_of_someone_no_source_names_abstain(make_engine):
    eng = make_engine("Pierre Durand, porte-parole de la mairie, a déclaré que le nouveau phare du port de Brest "
                      "mesure 42 mètres [S1].")
    _, _, answer = _ask(eng, "Qu'a déclaré Pierre Durand sur le nouveau phare du port de Brest ?")
    assert answer.abstained and answer.citations == [] and answer.text == CANNOT["fr"]


def test_a_question_about_the_words_of_someone_no_source_names_abstains(make_engine):
    eng = make_engine("Le nouveau phare du port de Brest mesure 42 mètres [S1].")
    _, _, answer = _ask(eng, "Qu'a déclaré Pierre Durand sur le nouveau phare du port de Brest ?")
    assert answer.abstained and answer.citations == [] and answer.text == CANNOT["fr"]


def test_a_supported_answer_that_never_uses_the_questions_words_abstains(make_engine):
    eng = make_engine("The mayor of Brest, Anne Le Gall, inaugurated the phare devant mille personnes [S1].")
    _, _, answer = _ask(eng, "What is the phone number of Anne Le Gall's office?")
    assert answer.abstained and not answer.citations


def test_sentence_cut_finds_where_a_sentence_beyond_n_begins():
    cut = citations.sentence_cut
    assert cut("Un fait [S1]. Deux faits [S2]. Trois", 2) == len("Un fait [S1]. Deux faits [S2]. ")
    assert cut("Un fait. Deux faits. [S2] Trois", 2) == len("Un fait. Deux faits. [S2] ")  # the key stays
    assert cut("Un fait. Deux faits. [S", 2) is None     # an unfinished key is not a sentence
    assert cut("The U.S. officials agreed. Yes", 1) == len("The U.S. officials agreed. ")
    assert cut("Un fait [S1].", 1) is None


def test_a_long_answer_is_stopped_after_two_sentences(make_engine):
    eng = make_engine("Le phare mesure 42 mètres [S1]. Il a coûté 3 millions d'euros [S1]. "
                      "La maire Anne Le Gall l'a inauguré [S1]. Mille personnes étaient là [S1].")
    events, _, answer = _ask(eng, "Combien mesure le phare et combien a-t-il coûté ?")
    streamed = "".join(p for k, p in events if k == "token")
    assert "inauguré" not in streamed and "inauguré" not in answer.timings["raw"]
    assert "42" in answer.text and "3 millions" in answer.text and "inauguré" not in answer.text


def test_the_model_stops_writing_where_the_answer_is_cut(make_engine):
    # closing a ``model | parser`` stream still drew the model's whole answer (LangChain drains a closed
    # sequence's input): the local model went on writing sentences nobody reads, seconds per answer
    tail = " ".join(f"Phrase {n} sans intérêt [S1]." for n in range(40))
    eng = make_engine(f"Le phare mesure 42 mètres [S1]. Il a coûté 3 millions d'euros [S1]. {tail}")
    _ask(eng, "Combien mesure le phare et combien a-t-il coûté ?")
    written = len("Le phare mesure 42 mètres [S1]. Il a coûté 3 millions d'euros [S1]. Phrase".split())
    assert eng.chat_model.pulled <= 2 * written  # word pieces and the spaces between them


def test_a_year_from_the_documents_date_is_not_an_invented_number(make_engine):
    # the paragraph gives no year; the article's date (2024), shown to the model in the source's head, does
    eng = make_engine("Le phare de 42 mètres a été construit en 2024 [S1].")
    _, _, answer = _ask(eng, "Combien mesure le phare ?")
    assert not answer.abstained and "2024" in answer.text
    assert "2024" not in answer.citations[0].paragraph.text
    eng = make_engine("Le phare de 42 mètres a été construit en 1999 [S1].")
    _, _, answer = _ask(eng, "Combien mesure le phare ?")
    assert answer.abstained


def test_words_pointing_at_a_key_go_with_it():
    texts = [c.text for c in citations.claims(
        "Bloomberg les a publiés le 25 novembre, citing source key [S1]. Il a dit « oui » in [S1]. "
        "He said in [S2] that it happened in Paris [S2].", {"S1", "S2"})]
    assert texts == ["Bloomberg les a publiés le 25 novembre.", "Il a dit « oui ».",
                     "He said that it happened in Paris."]


def test_a_key_opening_the_sentence_as_its_teller_goes_with_its_words():
    found = citations.claims("Selon [S1], Witkoff discutait avec Ouchakov. According to [S2], it was in Paris. "
                             "D’après [S9], rien.", {"S1", "S2"})
    assert [(c.text, c.keys) for c in found] == [("Witkoff discutait avec Ouchakov.", ["S1"]),
                                                  ("It was in Paris.", ["S2"]), ("D’après, rien.", [])]


def test_who_said_answer_that_is_only_a_wrong_name_is_checked_by_the_question(make_engine):
    eng = make_engine("Anne Le Gall [S1].")
    _, _, answer = _ask(eng, "Qui a demandé combien de bateaux passent ici chaque jour ?")
    assert not answer.abstained and answer.text.startswith("Jean Martin")
    assert answer.citations[0].paragraph.speaker == "Jean Martin"


def test_a_number_question_answered_without_a_number_abstains(make_engine):
    # asked in English, so only the number rule applies (not the same-language "about" rule)
    eng = make_engine("Anne Le Gall a inauguré le phare devant la foule [S1].", "Anne Le Gall opened it [S1].")
    _, _, answer = _ask(eng, "How old is Anne Le Gall?")
    assert answer.abstained and answer.citations == [] and answer.text == CANNOT["en"]


def test_a_question_about_something_the_sources_never_mention_abstains(make_engine):
    eng = make_engine("La couleur préférée d'Anne Le Gall est le phare [S1].")
    _, _, answer = _ask(eng, "Quelle est la couleur préférée d'Anne Le Gall ?")
    assert answer.abstained and answer.text == CANNOT["fr"]


def test_a_model_that_reuses_source_blocks_gets_the_same_prompt_in_marked_parts(make_engine, settings, fake_embedder):
    from rag.engine import Engine
    from tests.fakes import ScriptedChat

    class BlockScripted(ScriptedChat):
        caches_blocks: bool = True

    plain = make_engine("Le phare mesure 42 mètres [S1].")
    _, _, expected = _ask(plain, "Combien mesure le phare de Brest ?")
    chat = BlockScripted.replying("Le phare mesure 42 mètres [S1].")
    eng = Engine(settings, embedder=fake_embedder, chat_model=chat)
    _, _, answer = _ask(eng, "Combien mesure le phare de Brest ?")
    assert answer.text == expected.text and answer.citations == expected.citations
    system, user = chat.prompts[-1]
    parts = user.content
    assert system.content == plain.chat_model.prompts[-1][0].content
    assert "".join(p["text"] for p in parts) == plain.chat_model.prompts[-1][1].content
    assert parts[0]["cache"] == "prefix" and "Combien" not in parts[0]["text"]  # the question is not in the prefix
    blocks = [p["text"] for p in parts if p.get("cache") == "block"]
    assert blocks and all("[S" not in b for b in blocks)  # keys are read apart, so a block is the same at any rank
    assert any("42 mètres" in b for b in blocks)


def test_a_when_answer_giving_the_articles_date_gets_the_date_its_paragraph_writes(make_engine):
    # the article is dated 3 March 2024 (shown in each source's head); the paragraph says 2 March
    eng = make_engine("La maire Anne Le Gall a inauguré le phare le 3 mars 2024 [S1].")
    _, _, answer = _ask(eng, "Quand la maire a-t-elle inauguré le phare ?")
    assert answer.text == "La maire Anne Le Gall a inauguré le phare le 2 mars 2024 [1]."
    assert "2 mars 2024" in answer.citations[0].paragraph.text


def test_an_answer_that_does_not_hold_up_is_asked_again_from_the_best_sources(make_engine):
    eng = make_engine("NO_ANSWER", "Le phare mesure 42 mètres [S1].", retry_sources=2)
    events, _, answer = _ask(eng, "Combien mesure le phare ?")
    first, second = (str(p[-1].content) for p in eng.chat_model.prompts)
    assert len(eng.chat_model.prompts) == 2
    assert second.count("\n[S") == 2 < first.count("\n[S")  # the best sources only
    assert not answer.abstained and "42" in answer.text and "42 mètres" in answer.citations[0].paragraph.text
    assert len(answer.sources) == first.count("\n[S")   # the reader still sees every source given first
    assert "42" not in "".join(p for k, p in events if k == "token")  # the second answer is not streamed
    assert ("status", "second_try") in events  # the edges can say why the answer takes longer


def test_no_second_call_when_turned_off_and_still_the_fixed_sentence_when_it_fails(make_engine):
    eng = make_engine("NO_ANSWER", "Le phare mesure 42 mètres [S1].", retry_sources=0)
    _, _, answer = _ask(eng, "Combien mesure le phare ?")
    assert answer.abstained and len(eng.chat_model.prompts) == 1
    eng = make_engine("NO_ANSWER", "Le phare a été peint par Picasso en 1950 [S1].", retry_sources=2)
    _, _, answer = _ask(eng, "Combien mesure le phare ?")
    assert answer.abstained and answer.text == CANNOT["fr"] and len(eng.chat_model.prompts) == 2


def test_a_name_question_answered_without_a_name_is_not_asked_again(make_engine):
    """The first answer says the sources name nobody; asked again, a small model names whoever is mentioned."""
    eng = make_engine("La maire a inauguré le phare devant une personne anonyme [S1].",
                      "La personne qui a inauguré le phare est Jean Martin [S1].", retry_sources=2)
    _, _, answer = _ask(eng, "Quel est le nom de la personne qui a inauguré le phare ?")
    assert answer.abstained and answer.text == CANNOT["fr"] and len(eng.chat_model.prompts) == 1
    eng = make_engine("NO_ANSWER", "La maire de Brest s'appelle Anne Le Gall [S1].", retry_sources=2)
    _, _, answer = _ask(eng, "Quel est le nom de la maire de Brest ?")   # a NO_ANSWER is still asked again
    assert not answer.abstained and len(eng.chat_model.prompts) == 2


def test_a_foreign_question_is_asked_again_in_the_documents_language_and_the_answer_translated(make_engine):
    eng = make_engine("NO_ANSWER",
                      "Combien mesure le phare de Brest ?",
                      "Le phare mesure 42 mètres [S1].",          # no clear language of its own: it was asked in French
                      "The lighthouse is 42 mètres tall [S1].", retry_sources=2)
    events, _, answer = _ask(eng, "How tall is the lighthouse of Brest?")
    assert [v for k, v in events if k == "status"] == ["second_try", "translating"]
    first, render, again, translate = (str(p[-1].content) for p in eng.chat_model.prompts)
    assert "How tall" in first and "Translate the question below into French" in render and "How tall" in render
    assert "Combien mesure le phare de Brest ?" in again and "Answer in French" in again and "How tall" not in again
    assert "English" in translate and "Le phare mesure 42 mètres" in translate
    assert answer.text == "The lighthouse is 42 mètres tall [1]." and "42 mètres" in answer.citations[0].paragraph.text


def test_a_foreign_answer_that_only_says_the_question_again_is_asked_again_in_the_documents_language(make_engine):
    echo = "The lighthouse of Brest cost 3 millions d'euros [S1]."
    question, rendering = "Why did the lighthouse of Brest cost 3 millions d'euros?", \
        "Pourquoi le phare de Brest a-t-il coûté 3 millions d'euros ?"
    eng = make_engine(echo, rendering, "Le nouveau phare du port de Brest mesure 42 mètres et a coûté 3 millions "
                      "d'euros [S1].", "The new lighthouse is 42 metres tall and cost 3 million euros [S1].",
                      retry_sources=2)
    events, _, answer = _ask(eng, question)
    assert [v for k, v in events if k == "status"] == ["second_try", "translating"]
    assert rendering in str(eng.chat_model.prompts[2][-1].content)
    assert answer.text == "The new lighthouse is 42 metres tall and cost 3 million euros [1]."
    # when the second try finds nothing either, the first answer stays
    eng = make_engine(echo, rendering, "NO_ANSWER", retry_sources=2)
    _, _, answer = _ask(eng, question)
    assert answer.text == "The lighthouse of Brest cost 3 millions d'euros [1]." and not answer.abstained


def test_a_foreign_question_the_documents_cannot_answer_still_gets_the_fixed_sentence(make_engine):
    eng = make_engine("NO_ANSWER", "Qui a peint le phare ?",
                      "NO_ANSWER", retry_sources=2)
    _, _, answer = _ask(eng, "Who painted the lighthouse?")
    assert answer.abstained and answer.text == CANNOT["en"] and len(eng.chat_model.prompts) == 3


def test_a_first_answer_on_topic_through_the_rendering_is_kept_without_asking_again(make_engine):
    raw = "Anne Le Gall inaugurated the lighthouse on 2 March 2024 [S1]."  # none of the question's words
    question = "What did the city's mayor do with the new beacon?"
    eng = make_engine(raw, "Qu'a fait la maire de la ville avec le nouveau phare ?",
                      retry_sources=2)
    _, _, answer = _ask(eng, question)
    assert len(eng.chat_model.prompts) == 2  # the answer, the rendering; no second answer
    assert answer.text.startswith("Anne Le Gall inaugurated") and "2 mars 2024" in answer.citations[0].paragraph.text


def test_a_foreign_question_answered_wrong_is_asked_again_in_the_readers_language(make_engine):
    # a misreading (not a NO_ANSWER): fewer sources mend it, in the question's own language
    eng = make_engine("The lighthouse of Brest was painted by Picasso [S1].",
                      "Combien mesure le phare de Brest ?",
                      "The lighthouse of Brest is 42 mètres tall [S1].", retry_sources=2)
    _, _, answer = _ask(eng, "How tall is the lighthouse of Brest?")
    again = str(eng.chat_model.prompts[-1][-1].content)
    assert len(eng.chat_model.prompts) == 3 and "How tall" in again and "Answer in English" in again
    assert "Combien" not in again and "42" in answer.text and "Picasso" not in answer.text


def test_a_rendering_without_a_conversation_is_the_translation_line_alone(make_engine):
    eng = make_engine("Traduction : « Combien mesure le phare ? »\n(The names are kept.)",
                      "The lighthouse is 42 mètres tall [S1].", translate=True)
    _, _, answer = _ask(eng, "How tall is the lighthouse?")
    assert answer.timings["queries"] == ["How tall is the lighthouse?", "Combien mesure le phare ?"]
    assert "Conversation so far" not in str(eng.chat_model.prompts[0][-1].content)


def test_a_sentence_about_the_answer_itself_is_dropped_even_when_it_quotes_a_source(make_engine):
    eng = make_engine("Le phare mesure 42 mètres [S1]. Cette réponse est basée sur les informations fournies dans "
                      "le texte, qui mentionne que « le nouveau phare du port de Brest mesure 42 mètres » [S1].")
    _, _, answer = _ask(eng, "Combien mesure le phare ?")
    assert answer.text == "Le phare mesure 42 mètres [1]."
    for claim in ("The information was provided by Anne Le Gall [S1].",
                  "The response was given in a statement by the mayor [S1].",
                  "The response is based on the principle of reciprocity [S1]."):
        assert citations.claims(claim, {"S1"}) != []   # about the world, not about the answer


@pytest.mark.parametrize("reply, question", [
    # asked when; the sentence it cites says no date
    ("Anne Le Gall est très fière de ce phare [S1].", "Quand Anne Le Gall a-t-elle dit être fière du phare ?"),
    # a count read from a date's day ("le 2 mars 2024")
    ("La maire a inauguré le phare devant 2 personnes [S1].", "Combien de personnes ont vu la maire inaugurer le phare ?"),
    # asked for a name; the answer names nothing the question does not
    ("Le nouveau phare du port de Brest mesure 42 mètres [S1].", "Quel est le nom de l'architecte du phare de Brest ?"),
    # the key written where the fact should be: an unfinished sentence
    ("La hauteur du nouveau phare du port de Brest est [S1].", "Quelle est la hauteur du phare de Brest ?"),
])
def test_an_answer_that_does_not_give_what_is_asked_abstains(make_engine, reply, question):
    _, _, answer = _ask(make_engine(reply), question)
    assert answer.abstained and answer.citations == [] and answer.text == CANNOT["fr"]


@pytest.mark.parametrize("reply, question, given", [
    ("La maire a inauguré le phare devant mille personnes le 2 mars 2024 [S1].",
     "Combien de personnes ont vu la maire inaugurer le phare ?", "mille personnes"),
    ("La maire de Brest s'appelle Anne Le Gall [S1].", "Quel est le nom de la maire de Brest ?", "Anne Le Gall"),
    # "quand" opens a clause after another interrogative: no date is asked for
    ("Anne Le Gall est très fière de ce phare [S1].", "Qu'a dit Anne Le Gall quand on l'a interrogée sur le phare ?",
     "très fière"),
])
def test_an_answer_that_gives_what_is_asked_stands(make_engine, reply, question, given):
    _, _, answer = _ask(make_engine(reply), question)
    assert not answer.abstained and given in answer.text


def test_an_unfinished_sentence_is_no_claim():
    assert citations.claims("The call was to take place on [S1].", {"S1"}) == []
    assert citations.claims("Witkoff proposed the following: [S1]", {"S1"}) == []
    assert [c.text for c in citations.claims("Le phare mesure 42 mètres [S1]. Il a été payé par [S1].", {"S1"})] \
        == ["Le phare mesure 42 mètres."]
    assert [c.text for c in citations.claims("Anne Le Gall a dit « Je le sais » [S1]. Dis-le [S1].", {"S1"})] \
        == ["Anne Le Gall a dit « Je le sais ».", "Dis-le."]


def test_the_models_no_answer_is_no_claim():
    assert citations.claims("NO_ANSWER", {"S1"}) == []
    assert [c.text for c in citations.claims("Le phare mesure 42 mètres [S1]. NO_ANSWER", {"S1"})] == \
        ["Le phare mesure 42 mètres."]


def test_a_when_answer_giving_the_articles_date_is_not_kept(make_engine):
    # the article is of 3 March 2024 (its byline, in each source's head); the turn writes no date
    _, _, answer = _ask(make_engine("Anne Le Gall a dit être fière de ce phare le 3 mars 2024 [S1]."),
                        "Quand Anne Le Gall a-t-elle dit être très fière de ce phare ?")
    assert answer.abstained and "3 mars" not in answer.text


def test_who_is_someone_no_source_names_gets_the_fixed_sentence(make_engine):
    eng = make_engine("Jean Dupuis est la maire de Brest [S1].", "Anne Le Gall est la maire de Brest [S1].")
    _, _, answer = _ask(eng, "Qui est Jean Dupuis ?")
    assert answer.abstained and not answer.citations
    _, _, answer = _ask(eng, "Qui est Anne Le Gall ?")
    assert not answer.abstained and "maire de Brest" in answer.text
    # each sentence must cite a paragraph naming her: the 42-metre lighthouse's paragraph does not
    eng = make_engine("Anne Le Gall mesure 42 mètres [S1]. Anne Le Gall est la maire de Brest [S2].")
    _, _, answer = _ask(eng, "Qui est Anne Le Gall ?")
    assert "42" not in answer.text and "maire de Brest" in answer.text


def test_who_is_someone_ranks_the_narration_about_them_before_any_turn(make_engine):
    hits = make_engine().search("Qui est Anne Le Gall ?", 10)
    speakers = [h.paragraph.speaker for h in hits]
    assert speakers[0] is None and "Anne Le Gall" in hits[0].paragraph.text
    assert speakers == sorted(speakers, key=lambda s: s is not None)  # every turn after the narration


def test_asked_what_someone_said_an_answer_that_they_only_talked_abstains(make_engine):
    eng = make_engine("Anne Le Gall a discuté du phare, attendu depuis dix ans [S1].")  # supported, says no words
    _, _, answer = _ask(eng, "Qu'a dit Anne Le Gall sur le phare ?")
    assert answer.abstained and answer.text == CANNOT["fr"]
    eng = make_engine("Anne Le Gall a dit qu'elle était très fière de ce phare [S1].")
    _, _, answer = _ask(eng, "Qu'a dit Anne Le Gall sur le phare ?")
    assert not answer.abstained and "fière" in answer.text


def test_a_count_no_cited_paragraph_writes_does_not_answer_a_number_question(make_engine):
    # the paragraph says "devant mille personnes": a made-up count is no answer, in words or in digits
    for made_up in ("Trois cents personnes", "300 personnes"):
        eng = make_engine(f"{made_up} étaient présentes quand la maire a inauguré le phare [S1].")
        _, _, answer = _ask(eng, "Combien de personnes étaient présentes à l'inauguration du phare ?")
        assert answer.abstained and answer.text == CANNOT["fr"], made_up
    eng = make_engine("Mille personnes étaient présentes quand la maire a inauguré le phare [S1].")
    _, _, answer = _ask(eng, "Combien de personnes étaient présentes à l'inauguration du phare ?")
    assert not answer.abstained and "Mille" in answer.text


def test_a_source_head_copied_into_the_answer_is_not_shown(make_engine):
    eng = make_engine()
    head = eng.chain.context.head(eng.chain.select(eng.retriever.search(["phare 42 mètres"], 10), [])[0])
    assert head.startswith("Le Journal du Test") and "2024" in head
    eng = make_engine(f"Le phare de Brest : ({head})\nIl mesure 42 mètres et a coûté 3 millions d'euros [S1].")
    _, _, answer = _ask(eng, "Combien mesure le phare de Brest ?")
    assert not answer.abstained and "42 mètres" in answer.text
    assert "Journal du Test" not in answer.text and "(" not in answer.text


def test_a_name_the_model_misspells_is_written_as_its_source_writes_it(make_engine):
    eng = make_engine("La maire de Brest, Anne Le Gaal, a inauguré le phare devant mille personnes [S1].")
    _, _, answer = _ask(eng, "Qui a inauguré le phare de Brest ?")
    assert not answer.abstained and "Anne Le Gall" in answer.text and "Gaal" not in answer.text
