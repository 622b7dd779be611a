"""When-questions: the date comes from the supporting sentence, not from the article's date."""
from rag import when
from rag.citations import Claim


def test_undated_drops_the_date_and_its_preposition():
    assert when.undated("Bloomberg published the recordings on November 26, 2025.") == \
        "Bloomberg published the recordings."
    assert when.undated("Zelensky s'est rendu à la Maison-Blanche le vendredi 17 octobre.") == \
        "Zelensky s'est rendu à la Maison-Blanche."
    assert when.undated("Le 1er août, il a parlé.") == "il a parlé."
    assert when.undated("It lasted two hours.") == "It lasted two hours."


def test_redate_replaces_the_first_date_and_keeps_a_year_the_sentence_lacks():
    assert when.redate("Published on November 26, 2025.", (25, 10, None), "en") == "Published on 25 November 2025."
    assert when.redate("Publié le 26 novembre.", (25, 10, 2024), "fr") == "Publié le 25 novembre 2024."
    assert when.redate("Published at night.", (25, 10, None), "en") == "Published at night."


def test_dated_sentence_is_the_nearest_sentence_writing_a_date():
    text = "Dans la nuit, Bloomberg a publié. Le 25 novembre, Bloomberg a publié les enregistrements. Le 3 mars, rien."
    assert when.dated_sentence("Bloomberg published the enregistrements", text).startswith("Le 25 novembre")
    assert when.dated_sentence("Bloomberg published", "Dans la nuit, Bloomberg a publié.") is None


def test_cite_dated_moves_the_citation_to_the_source_writing_the_date():
    texts = ["Dans la nuit, Bloomberg a publié la transcription.",
             "Bloomberg, le 25 novembre, a rendu publics des enregistrements."]
    claim = Claim("Bloomberg published the recordings on November 26, 2025.", ["S1"])
    out = when.cite_dated(claim, "Bloomberg published the recordings.", [0.9, 0.8], [2.0, 1.9], ["S1", "S2"],
                          texts, "en", 0.25)
    assert out.keys == ["S2"] and out.text == "Bloomberg published the recordings on 25 November 2025."
    # no supporting source writes a date: nothing to do here, the claim is checked as written
    assert when.cite_dated(claim, "x", [0.9, 0.2], [2.0, 0.1], ["S1", "S2"], texts, "en", 0.25) is None
    # a claim without a date is left to answer_type.complete
    assert when.cite_dated(Claim("Bloomberg published them.", ["S2"]), "Bloomberg published them.",
                           [0.9, 0.9], [2.0, 2.0], ["S1", "S2"], texts, "en", 0.25) is None


def test_a_source_writing_the_claims_own_date_is_preferred_to_the_cited_one():
    texts = ["Le 14 octobre, Witkoff a appelé Ouchakov.", "Le 16 octobre, Trump a appelé Poutine."]
    claim = Claim("Trump called Putin on 16 October.", ["S1"])
    out = when.cite_dated(claim, "Trump called Putin.", [0.8, 0.7], [1.9, 1.6], ["S1", "S2"], texts, "en", 0.25)
    assert out.keys == ["S2"] and out.text == "Trump called Putin on 16 October."


def test_a_day_the_sources_do_not_write_gives_way_to_the_month_they_write_alone():
    texts = ["En mai 2025, Vladimir Poutine avait annoncé qu'un premier sommet serait organisé le 15 octobre 2025."]
    claim = Claim("Vladimir Putin announced the first summit on May 20, 2025.", ["S1"])
    out = when.cite_dated(claim, "Vladimir Putin announced the first summit.", [0.9], [2.0], ["S1"], texts, "en", 0.25)
    assert out.keys == ["S1"] and out.text == "Vladimir Putin announced the first summit in May 2025."
    fr = Claim("Le 20 mai, Poutine a annoncé le sommet.", ["S1"])
    out = when.cite_dated(fr, "Poutine a annoncé le sommet.", [0.9], [2.0], ["S1"], texts, "fr", 0.25)
    assert out.text == "En mai 2025, Poutine a annoncé le sommet."
    # the day the source writes wins over its month alone
    claim = Claim("The summit was to be held on October 15, 2025.", ["S1"])
    out = when.cite_dated(claim, "The summit was to be held.", [0.9], [2.0], ["S1"], texts, "en", 0.25)
    assert out.text == "The summit was to be held on 15 October 2025."


def test_months_alone_are_the_months_written_without_a_day():
    from rag.dates import months_alone
    assert months_alone("En mai 2025, il a annoncé un sommet le 15 octobre 2025.") == [(4, 2025)]
    assert months_alone("Le 3 mars, puis en avril.") == [(3, None)]


def test_a_day_no_cited_paragraph_writes_is_dropped():
    from rag.documents import Paragraph
    turn = Paragraph(doc="a.txt", number=3, text="Je pense que nous devrions avoir l'appel avant la réunion de vendredi.")
    dated = Paragraph(doc="a.txt", number=4, text="Vendredi 17 octobre, Zelensky est venu à la Maison-Blanche.")
    paragraph_of = {"S1": turn, "S2": dated}
    kept = [Claim("He wanted the call before the 26 November meeting.", ["S1"]),  # the article's date
            Claim("Zelensky came on 17 October.", ["S2"]), Claim("He wanted the call first.", ["S1"])]
    assert [c.text for c in when.in_text(kept, paragraph_of)] == ["Zelensky came on 17 October.",
                                                                  "He wanted the call first."]


def test_a_date_the_best_supporting_source_writes_is_its_own_and_kept():
    texts = ["La fuite a eu lieu alors que Bloomberg, le 25 novembre, a rendu publics des appels entre Witkoff et Ouchakov.",
             "Dans cet enregistrement daté du 14 octobre, Witkoff et Ouchakov se parlent."]
    claim = "L'appel entre Witkoff et Ouchakov a eu lieu le 14 octobre."
    # as written, the claim is best supported by the paragraph writing 14 October: no other date replaces it
    assert when.own_date(claim, [0.0, 0.75], [0.0, 2.3], texts)
    # best supported by a paragraph that does not write the claim's date: redating may go on
    assert not when.own_date(claim, [0.9, 0.75], [2.7, 2.3], texts)
    assert not when.own_date(claim, [0.3, 0.4], [0.6, 0.7], texts)  # nothing supports it as written
    assert not when.own_date("Ils se sont parlé le 3 mars.", [0.0, 0.75], [0.0, 2.3], texts)


def test_a_date_kept_is_written_our_way():
    assert when.our_way("Bloomberg made them public on November 25th.", "en") == "Bloomberg made them public on 25 November."
    assert when.our_way("It happened on October 14, 2025.", "en") == "It happened on 14 October 2025."
    assert when.our_way("Il a eu lieu le 1er août.", "fr") == "Il a eu lieu le 1er août."
    assert when.our_way("No date here.", "en") == "No date here."
