"""What the model reads: sources under opaque keys, with their document and speaker."""
from rag import context


def test_a_turn_is_shown_under_its_speaker_without_its_label(make_engine):
    eng = make_engine("Anne Le Gall est très fière de ce phare [S1].")
    list(eng.ask_stream("Qui est fière du phare ?", None))
    prompt = eng.chat_model.prompts[0][-1].content
    assert "Anne Le Gall says:\nJe suis très fière de ce phare." in prompt
    assert "ANNE LE GALL —" not in prompt
    assert "(Le Journal du Test" in prompt or "2024" in prompt  # the document's head


def test_long_paragraph_is_cut_to_the_sentences_that_match_the_question(make_engine):
    from rag.documents import Paragraph
    eng = make_engine("NO_ANSWER")
    text = ("Le port de Brest accueille des bateaux de pêche depuis longtemps. Le nouveau phare mesure "
            "42 mètres de haut. La mairie prévoit aussi des travaux sur les quais l'an prochain.")
    shown = eng.chain.context.shown(Paragraph("brest.txt", 9, text), ["Combien mesure le phare ?"], 12)
    assert shown == "Le nouveau phare mesure 42 mètres de haut."
    assert eng.chain.context.shown(Paragraph("brest.txt", 9, text), ["Combien mesure le phare ?"], 200) == text


def test_at_most_per_speaker_turns_of_one_speaker(make_engine, monkeypatch):
    monkeypatch.setattr(context, "PER_SPEAKER", 1)
    eng = make_engine("NO_ANSWER")
    hits = eng.chain.retriever.search(["Anne Le Gall phare bateaux"], 10)
    sources = eng.chain.select(hits, ["Anne Le Gall phare bateaux"])
    assert sum(s.paragraph.speaker == "Anne Le Gall" for s in sources) == 1


def test_a_who_said_question_gets_the_best_turn_among_its_sources():
    from rag.documents import Paragraph
    from rag.results import Hit
    narration = [Hit(Paragraph("a.txt", n, f"Récit {n}."), 1.0 - n / 10) for n in range(1, 7)]
    turn = Hit(Paragraph("a.txt", 9, "ANNE — Appelez-le.", "Anne", speech_start=7), 0.1)
    hits = narration + [turn]
    assert context.with_a_turn(hits, 5)[4] is turn and context.with_a_turn(hits, 5)[:4] == narration[:4]
    assert len(context.with_a_turn(hits, 5)) == len(hits)
    already = narration[:2] + [turn] + narration[2:]
    assert context.with_a_turn(already, 5) == already          # a turn is there already
    assert context.with_a_turn(narration, 5) == narration      # no turn to bring


def _long(n: int) -> str:
    """A paragraph of about 115 tokens whose third sentence answers "Combien mesure le phare ?"."""
    return (f"Le port numéro {n} de Brest accueille des bateaux de pêche depuis très longtemps, et les "
            "pêcheurs y débarquent chaque matin leurs caisses de poissons avant le lever du jour. La mairie "
            "prévoit aussi de longs travaux sur les quais l'an prochain, avec de nouvelles grues et des "
            "pontons. Le nouveau phare mesure 42 mètres de haut. Les touristes viennent nombreux l'été pour "
            "voir les bateaux, manger des crêpes et se promener sur la digue jusqu'au bout de la jetée.")


def test_sources_below_the_best_two_are_cut_to_their_best_sentences(make_engine):
    from rag import tokens
    from rag.documents import Paragraph
    from rag.results import Hit
    eng = make_engine("NO_ANSWER")
    hits = [Hit(Paragraph("brest.txt", n, _long(n)), 1.0 - n / 10) for n in range(1, 5)]
    assert context.LATER_TOKENS < tokens.count(_long(1)) <= context.PARAGRAPH_TOKENS
    shown = [s.shown for s in eng.chain.select(hits, ["Combien mesure le phare ?"])]
    assert shown[:2] == [_long(1), _long(2)]                      # the best two, whole
    assert all("Le nouveau phare mesure 42 mètres de haut." in s for s in shown[2:])
    assert all(tokens.count(s) <= context.LATER_TOKENS for s in shown[2:])


def test_the_blocks_engine_reads_every_short_paragraph_whole(make_engine):
    from rag.documents import Paragraph
    from rag.results import Hit
    eng = make_engine("NO_ANSWER", local_engine="blocks")       # it reads whole paragraphs ahead of the questions
    hits = [Hit(Paragraph("brest.txt", n, _long(n)), 1.0 - n / 10) for n in range(1, 5)]
    assert [s.shown for s in eng.chain.select(hits, ["Combien mesure le phare ?"])] == [_long(n) for n in range(1, 5)]
