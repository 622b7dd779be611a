"""Parsing source text into cleaned, numbered paragraphs.

Part (a) checks the three real articles in ``index/sources``; part (b) checks
made-up French and English texts, so the rules are general and not tuned to
the lines of those three files. Every stored paragraph must keep the source's
own words: with all whitespace removed, it must be found in the raw file.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.parse import parse_text
from rag.sources import load_corpus

SOURCES = Path(__file__).resolve().parent.parent / "index" / "sources"
WITKOFF = "001_f53b64e175bc6ce5.txt"
ENDERI = "000_c8d8a7ef9e732073.txt"
SLUG = "004_0d3873d0aa34e60f.txt"


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def all_text(doc) -> str:
    """Everything the document keeps: paragraphs, sections, title."""
    return "\n".join([p.text for p in doc.paragraphs] + [p.section or "" for p in doc.paragraphs] + [doc.title or ""])


def para(doc, start: str):
    found = [p for p in doc.paragraphs if p.text.startswith(start)]
    assert len(found) == 1, f"{len(found)} paragraphs start with {start!r}"
    return found[0]


def assert_faithful(doc, raw: str):
    raw_sq = squash(raw)
    for p in doc.paragraphs:
        assert squash(p.text) in raw_sq, f"{p.key} is not the source's words: {p.text[:80]!r}"


def assert_numbered(doc, name: str):
    assert [p.number for p in doc.paragraphs] == list(range(1, len(doc.paragraphs) + 1))
    assert all(p.doc == name and p.key == f"{name}#{p.number}" for p in doc.paragraphs)


# ---------------------------------------------------------------- (a) the real corpus

@pytest.fixture(scope="module")
def corpus():
    c = load_corpus(SOURCES)
    assert c.warnings == []
    return c.by_name()


@pytest.fixture(scope="module")
def raw():
    return {p.name: p.read_text(encoding="utf-8") for p in SOURCES.iterdir()}


@pytest.mark.parametrize("name,title,author,date,outlet", [
    (ENDERI, "Qui a fait fuité la conversation sur Whatsapp entre Witkoff- Dmitriev ?",
     "Paul-Gabriel LANTZ", "27 Novembre 2025", "Enderi"),
    (WITKOFF, "UNE FUITE EXPLOSIVE RÉVÈLE LA PROFONDEUR DU RAPPROCHEMENT TRUMP – POUTINE (TEXTE INTÉGRAL)",
     "Le Grand Continent", "26 novembre 2025", None),
    (SLUG, "Trump-Poutine-phone-call", None, None, None),
])
def test_real_metadata(corpus, name, title, author, date, outlet):
    d = corpus[name]
    assert (d.name, d.title, d.author, d.date, d.outlet) == (name, title, author, date, outlet)
    assert len(d.sha256) == 64


def test_real_paragraph_counts_and_ids(corpus):
    assert {n: len(d.paragraphs) for n, d in corpus.items()} == {ENDERI: 18, WITKOFF: 64, SLUG: 5}
    for name, d in corpus.items():
        assert_numbered(d, name)


def test_real_every_paragraph_is_the_source_words(corpus, raw):
    for name, d in corpus.items():
        assert_faithful(d, raw[name])


@pytest.mark.parametrize("junk", [
    "Accueil", "Envoyer à un ami", "Version imprimable", "Creative commons", "Palais du Kremlin",
    "Nouveau commentaire", "se réserve le droit", "ENDERI promeut", "s'abonner au Grand Continent",
    "Si vous nous lisez", "AUTEUR", "DATE 26", "Publié par",
])
def test_real_no_boilerplate_left(corpus, junk):
    for d in corpus.values():
        assert junk not in all_text(d).replace("\u00a0", " ")


def test_real_headings_are_sections_not_paragraphs(corpus):
    d = corpus[ENDERI]
    assert para(d, "Selon Bloomberg").section == "Une fuite très embarrassante pour la maison blanche"
    assert para(d, "La première hypothèse").section.startswith("Piste 1 : Une fuite issue")
    assert para(d, "La seconde hypothèse").section.startswith("Piste 2 : Une opération russe")
    assert not any(p.text.startswith(("Piste 1", "Piste 2", "Une fuite très")) for p in d.paragraphs)
    assert para(d, "Dans un entretien").section is None


def test_real_list_items_stay_apart(corpus):
    d = corpus[ENDERI]
    assert para(d, "Le plan évoqué").text.endswith("Moscou,")
    assert para(d, "Il risquait").text.endswith("européens,")
    assert para(d, "L’administration américaine").text == "L’administration américaine était divisée,"


def test_real_broken_paragraphs_healed(corpus):
    d = corpus[WITKOFF]
    gaza = para(d, "La veille de cet appel")
    assert "le Gaza Peace Summit — à Sharm-el-Sheikh" in gaza.text and gaza.speaker is None
    reste = para(d, "Reste désormais")
    assert "imposée par la Maison-Blanche, ou ces révélations" in reste.text
    turn = para(d, "STEVE WITKOFF — Peut-être qu'il dira")
    assert "faire bouger un peu les choses ; nous sommes ouverts" in turn.text
    assert turn.speaker == "Steve Witkoff"
    assert not any(p.text.startswith(("Peace Summit", "Blanche", "choses ;")) for p in d.paragraphs)


def test_real_transcript_turns(corpus):
    d = corpus[WITKOFF]
    first = para(d, "STEVE WITKOFF — Salut")
    assert first.speaker == "Steve Witkoff" and first.speech == "Salut, Youri."
    assert para(d, "YOURI OUCHAKOV — Oui, Steve").speaker == "Youri Ouchakov"
    for p in d.paragraphs:
        for label, name in (("STEVE WITKOFF —", "Steve Witkoff"), ("YOURI OUCHAKOV —", "Youri Ouchakov")):
            if p.text.startswith(label):
                assert p.speaker == name and not p.speech.startswith(("—", " "))
    assert para(d, "[Fin de l'appel]").speaker is None


@pytest.mark.parametrize("start", ["Parce que – laisse-moi te dire", "Et je pense que la question",
                                   "Maintenant, entre toi et moi"])
def test_real_continuations_keep_the_speaker(corpus, start):
    p = para(corpus[WITKOFF], start)
    assert p.speaker == "Steve Witkoff" and p.speech == p.text


@pytest.mark.parametrize("start", ["L'insistance sur l'image", "L'idée selon laquelle", "Par son impréparation",
                                   "En mai 2025", "La prudence diplomatique", "Le 16 octobre", "Vendredi 17 octobre",
                                   "Dans la nuit, Bloomberg", "De droite à gauche"])
def test_real_commentary_has_no_speaker(corpus, start):
    assert para(corpus[WITKOFF], start).speaker is None


def test_real_articles_have_no_speakers(corpus):
    assert all(p.speaker is None for n in (ENDERI, SLUG) for p in corpus[n].paragraphs)


# ---------------------------------------------------------------- (b) made-up texts

EN_INTERVIEW = """\
The Harbour Review

Home | News | Interviews | Culture

"We will not wait another winter": the mayor on the bridge

By Jane Doe
Published on May 3, 2024

Share on Facebook
Print this article

The mayor of Port Ellis spoke to us on Tuesday about the budget and the new
bridge, which has divided the city council for months.

Photo: Sam Lee / The Harbour Review

JANE DOE — Thank you for seeing us. Why now?

MARIA LOPEZ — Because the bridge is falling apart. I have read the reports
and I will not wait another winter.

And let me tell you, we have the money. Our reserves are higher than they
have been in ten years.

The US Treasury has not commented on the figures.

So my answer is simple: we start in March.

JANE DOE — What about the fishermen?

MARIA LOPEZ — I met them twice. They will have a new pier, paid for by the
port authority, and

they will be consulted on every step of the work.

The fishermen's union says it was never invited.

Photo: Sam Lee / The Harbour Review

Sign up for our newsletter to get the best of The Harbour Review in your inbox every morning.

Leave a comment

Comments are moderated. We reserve the right to remove abusive or off-topic posts.
"""


def test_en_interview():
    d = parse_text(EN_INTERVIEW, "mayor.txt")
    assert d.title == '"We will not wait another winter": the mayor on the bridge'
    assert (d.author, d.date, d.outlet) == ("Jane Doe", "May 3, 2024", "The Harbour Review")
    got = [(p.speaker, p.text[:25]) for p in d.paragraphs]
    assert got == [
        (None, "The mayor of Port Ellis s"),
        ("Jane Doe", "JANE DOE — Thank you for "),
        ("Maria Lopez", "MARIA LOPEZ — Because the"),
        ("Maria Lopez", "And let me tell you, we h"),  # continuation of her turn
        (None, "The US Treasury has not c"),         # commentary: "US" is not "us"
        ("Maria Lopez", "So my answer is simple: w"),  # her speech again, after the commentary
        ("Jane Doe", "JANE DOE — What about the"),
        ("Maria Lopez", "MARIA LOPEZ — I met them "),
        (None, "The fishermen's union say"),
    ]
    assert para(d, "MARIA LOPEZ — I met").text.endswith("paid for by the port authority, and they will be consulted "
                                                          "on every step of the work.")
    assert para(d, "MARIA LOPEZ — Because").speech.startswith("Because the bridge")
    for junk in ("Home", "Share", "Print", "Photo", "newsletter", "Leave a comment", "moderated", "reserve the right"):
        assert junk not in all_text(d)
    assert_faithful(d, EN_INTERVIEW)
    assert_numbered(d, "mayor.txt")


EN_ARTICLE = """\
We use cookies to improve your experience on our site. By continuing to browse, you accept our use of cookies.
Accept all
Manage preferences

# The bridge that divided Springfield

By Jane Doe and John Roe
Published on May 3, 2024

Share this article
Facebook Twitter LinkedIn Email

The city council voted on Tuesday to fund a new bridge over the river, a long-
awaited decision for the North-
West district, which had waited for more than two years.

Photo: John Roe / Springfield Ledger

The vote was close: seven in favour, six against. Opponents said the
cost, estimated at 40 million dollars, would fall on the poorest
districts.

## What happens next

Work is due to start in the spring. The council listed three priorities:

the northern access road,
the pedestrian lane,
the lighting.

Funding

The state will pay half of the cost, according to the governor's office.

Photo: John Roe / Springfield Ledger

Sign up for our newsletter and get the news in your inbox every morning.

Already a subscriber? Log in

Leave a Reply

Your email address will not be published. Required fields are marked *

Comments are moderated and will not be published if abusive.
Name *
Email *
"""


def test_en_article_metadata_and_boilerplate():
    d = parse_text(EN_ARTICLE, "bridge.md")
    assert d.title == "The bridge that divided Springfield"
    assert (d.author, d.date, d.outlet) == ("Jane Doe and John Roe", "May 3, 2024", None)
    for junk in ("cookies", "Accept all", "Manage", "Share", "Facebook", "Photo:", "newsletter", "subscriber",
                 "Leave a Reply", "email address", "Name *", "Email *", "By Jane", "Published"):
        assert junk not in all_text(d), junk
    assert_faithful(d, EN_ARTICLE)
    assert_numbered(d, "bridge.md")


def test_en_article_hyphens_lists_and_headings():
    d = parse_text(EN_ARTICLE, "bridge.md")
    first = d.paragraphs[0]
    assert "a long-awaited decision for the North-West district, which had waited" in first.text
    assert para(d, "The vote was close").text.endswith("would fall on the poorest districts.")
    assert para(d, "Work is due").section == "What happens next"
    items = [p.text for p in d.paragraphs if p.text.startswith("the ")]
    assert items == ["the northern access road,", "the pedestrian lane,", "the lighting."]
    state = para(d, "The state will pay")
    assert state.section == "Funding"                          # a short heading stays a heading
    assert not any(p.text.startswith("Funding") for p in d.paragraphs)
    assert not any("#" in p.text for p in d.paragraphs)


FR_ARTICLE_MD = """\
Le Courrier du Lac

Accueil > Régions > Savoie

Ce site utilise des cookies pour améliorer votre navigation. En poursuivant, vous acceptez leur utilisation.
Tout accepter
Paramétrer les cookies

# Le lac d'Annecy sous surveillance

Par Claire Martin, envoyée spéciale
Le 12 mars 2024 à 10h05

Partager sur Facebook
Imprimer cet article
Envoyer par e-mail

La préfecture a annoncé lundi de nouvelles mesures pour protéger la qualité de l'eau, peut-
être les plus strictes depuis vingt ans.

Le port de Talloires au printemps

Les pêcheurs, qui réclamaient depuis longtemps un plan de sauvegarde, se disent
satisfaits. « C'est un premier pas », explique l'un d'eux, rencontré sur le port de Saint-
Jorioz.

© Photo Jean Dupont

## Les mesures

Le plan comprend trois volets :

la limitation des moteurs thermiques,

le contrôle des rejets agricoles,

la surveillance des algues.

Chaque volet sera évalué à la fin de l'été par un comité indépendant, qui rendra ses conclusions au

préfet, et le comité pourra demander des analyses supplémentaires.

La CNIL n'a rien à voir avec ce dossier, mais les cookies déposés sans consentement sur le site de la préfecture font débat.

Le préfet n'a fait aucun commentaire sur ces propos, jugés insultants par l'opposition.

Bilan

Les élus locaux saluent un plan « ambitieux ». Le nombre d'abonnés au service des eaux augmente.

Le port de Talloires au printemps
© Photo Jean Dupont

Abonnez-vous à notre newsletter pour ne rien manquer de l'actualité de votre région.

Réservé aux abonnés

Réagir à cet article

Votre commentaire

La rédaction se réserve le droit de supprimer tout commentaire injurieux ou diffamatoire.
"""


def test_fr_markdown_article():
    d = parse_text(FR_ARTICLE_MD, "lac.md")
    assert (d.title, d.author, d.date, d.outlet) == (
        "Le lac d'Annecy sous surveillance", "Claire Martin", "12 mars 2024", "Le Courrier du Lac")
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == ("La préfecture a annoncé lundi de nouvelles mesures pour protéger la qualité de l'eau, "
                        "peut-être les plus strictes depuis vingt ans.")
    assert texts[1].endswith("rencontré sur le port de Saint-Jorioz.")
    assert texts[2:6] == ["Le plan comprend trois volets :", "la limitation des moteurs thermiques,",
                          "le contrôle des rejets agricoles,", "la surveillance des algues."]
    assert "conclusions au préfet, et le comité" in texts[6]
    assert [p.section for p in d.paragraphs[:2]] == [None, None]
    assert {p.section for p in d.paragraphs[2:9]} == {"Les mesures"}
    assert para(d, "Les élus locaux").section == "Bilan"
    # content that merely mentions cookies, comments or subscribers is kept
    assert para(d, "La CNIL") and para(d, "Le préfet n'a fait aucun commentaire")
    assert "abonnés au service des eaux" in para(d, "Les élus locaux").text
    for junk in ("Accueil", "Régions", "cookies pour", "Tout accepter", "Paramétrer", "Partager", "Imprimer",
                 "Envoyer", "Photo", "Abonnez", "Réservé", "Réagir", "Votre commentaire", "réserve le droit",
                 "Courrier du Lac", "Par Claire", "10h05", "Talloires"):  # a repeated caption is dropped
        assert junk not in all_text(d), junk
    assert len(d.paragraphs) == 10
    assert_faithful(d, FR_ARTICLE_MD)
    assert_numbered(d, "lac.md")


FR_TRANSCRIPT = """\
ENTRETIEN AVEC LA MAIRE DE VILLENEUVE

AUTEUR La Gazette du Nord

DATE 4 février 2024

Nous publions ci-dessous la transcription de l'entretien, relue par nos soins, avec de courts commentaires de la rédaction.

MARIE DUPONT — Bonjour. Je vous remercie d'être venus jusqu'ici, à Villeneuve.

PAUL MARTIN — Merci à vous. Parlons du budget : où en est-il ?

MARIE DUPONT — Il est bouclé. Nous avons dû faire des choix difficiles, et je les assume
entièrement.

Je veux dire par là que nous avons renoncé à la piscine, et je sais que mes électeurs

ne sont pas tous d'accord.

Le budget de la commune a baissé de 3 % en deux ans, selon la chambre régionale des comptes.

Mais vous savez, une piscine coûte cher.

PAUL MARTIN — Et l'école ?

MARIE DUPONT — Elle sera rénovée en 2025.

La rénovation avait été promise dès 2019 par son prédécesseur.

Les suites

Nous y reviendrons dans notre prochaine édition.
"""


def test_fr_transcript_continuations_and_commentary():
    d = parse_text(FR_TRANSCRIPT, "villeneuve.txt")
    assert (d.title, d.author, d.date) == ("ENTRETIEN AVEC LA MAIRE DE VILLENEUVE", "La Gazette du Nord", "4 février 2024")
    got = [(p.speaker, p.text[:22]) for p in d.paragraphs]
    assert got == [
        (None, "Nous publions ci-desso"),
        ("Marie Dupont", "MARIE DUPONT — Bonjour"),
        ("Paul Martin", "PAUL MARTIN — Merci à "),
        ("Marie Dupont", "MARIE DUPONT — Il est "),
        ("Marie Dupont", "Je veux dire par là qu"),   # continuation, healed across the blank line
        (None, "Le budget de la commun"),             # the editors' commentary
        ("Marie Dupont", "Mais vous savez, une p"),   # her speech resumes after the commentary
        ("Paul Martin", "PAUL MARTIN — Et l'éco"),
        ("Marie Dupont", "MARIE DUPONT — Elle se"),
        (None, "La rénovation avait ét"),
        (None, "Nous y reviendrons dan"),            # under a heading: the transcript is over
    ]
    assert para(d, "MARIE DUPONT — Il est").text.endswith("je les assume entièrement.")
    assert para(d, "Je veux dire").text.endswith("mes électeurs ne sont pas tous d'accord.")
    assert para(d, "Nous y reviendrons").section == "Les suites"
    assert_faithful(d, FR_TRANSCRIPT)


EN_MIXED_CASE_TRANSCRIPT = """\
Transcript of the press call

Maria Lopez — Good morning. I will be brief.

Tom Hale — Thank you, mayor. What about the pier?

Maria Lopez — The pier will open in June, and I expect it to be busy.

The pier was first promised in 2019 — as Harbour Day — and then delayed twice.

Tom Hale — One last question: the budget?

Maria Lopez — Balanced, as I said.

Ann Lee — And the lighting? I was promised new lamps last year.
"""


def test_en_mixed_case_labels():
    d = parse_text(EN_MIXED_CASE_TRANSCRIPT, "call.txt")
    speakers = [p.speaker for p in d.paragraphs]
    # "Ann Lee" speaks once: in a document that labels its turns with mixed-case names, she is a speaker too
    assert speakers == ["Maria Lopez", "Tom Hale", "Maria Lopez", None, "Tom Hale", "Maria Lopez", "Ann Lee"]
    assert d.paragraphs[0].speech == "Good morning. I will be brief."


def test_mixed_case_phrase_before_a_dash_is_not_a_speaker():
    text = ("Le sommet s'est tenu à Gaza, puis à Paris. Les délégations sont arrivées tôt le matin, "
            "et les discussions ont duré toute la journée.\n\n"
            "Peace Summit — c'est le nom retenu par les organisateurs pour la rencontre de l'après-midi.\n")
    d = parse_text(text, "x.txt")
    assert [p.speaker for p in d.paragraphs] == [None, None]


def test_a_lone_dateline_is_not_a_speaker():
    text = ("WASHINGTON — The Senate voted on Tuesday to extend the program for another year, after a long night.\n\n"
            "\"We will not give up,\" the majority leader told reporters. Our correspondent says you could feel it.\n\n"
            "We will update this story as it develops.\n")
    d = parse_text(text, "x.txt")
    assert [(p.speaker, p.speech_start) for p in d.paragraphs] == [(None, 0)] * 3


def test_sentence_broken_after_a_comma_is_healed_but_list_items_are_not():
    text = ("Le texte a été voté par les députés de la majorité présidentielle et une partie de l'opposition,\n\n"
            "ce qui a surpris les observateurs de la vie parlementaire.\n\n"
            "Le texte prévoit trois mesures :\n\n"
            "la baisse des taxes,\n\nla hausse des aides,\n\nla fin des exonérations.\n")
    d = parse_text(text, "x.txt")
    assert [p.text for p in d.paragraphs] == [
        "Le texte a été voté par les députés de la majorité présidentielle et une partie de l'opposition, "
        "ce qui a surpris les observateurs de la vie parlementaire.",
        "Le texte prévoit trois mesures :", "la baisse des taxes,", "la hausse des aides,", "la fin des exonérations.",
    ]


def test_fragment_ending_in_an_article_is_not_a_heading():
    text = ("Le conseil municipal s'est réuni hier soir pour examiner le projet de budget, longuement discuté.\n\n"
            "Selon la maire, il faudra encore consulter le\n\n"
            "Président de la région avant de voter.\n")
    d = parse_text(text, "x.txt")
    assert d.paragraphs[-1].text == ("Selon la maire, il faudra encore consulter le Président de la région "
                                     "avant de voter.")
    assert d.paragraphs[-1].section is None


FR_LOCAL = """\
Le maire a rencontré jeudi les représentants des commerçants puis il s'est entretenu avec le préfet
Jean Martin et son adjoint pendant plus de deux heures, sans faire d'annonce à la sortie.

Lire aussi : Le centre-ville se vide de ses commerces

Plan A

Le premier scénario prévoit une zone piétonne élargie dès l'été prochain, selon la mairie.

Soutenez une rédaction indépendante : faites un don.

Soutenez-vous ce projet ? Les commerçants, eux, restent partagés.
"""


def test_wrapped_line_related_link_donation():
    d = parse_text(FR_LOCAL, "local.txt")
    assert d.title is None
    assert [p.text for p in d.paragraphs] == [
        "Le maire a rencontré jeudi les représentants des commerçants puis il s'est entretenu avec le préfet "
        "Jean Martin et son adjoint pendant plus de deux heures, sans faire d'annonce à la sortie.",
        "Le premier scénario prévoit une zone piétonne élargie dès l'été prochain, selon la mairie.",
        "Soutenez-vous ce projet ? Les commerçants, eux, restent partagés.",
    ]
    assert [p.section for p in d.paragraphs] == [None, "Plan A", "Plan A"]


def test_bullets_and_hashtags():
    text = ("# Programme\n\nLe festival annonce ses temps forts, qui seront détaillés lors d'une conférence de presse jeudi.\n\n"
            "- un concert d'ouverture sur la plage\n- une nuit du cinéma\n- un bal populaire\n\n"
            "#MeToo a changé la manière dont le festival recrute ses bénévoles.\n")
    d = parse_text(text, "x.md")
    assert d.title == "Programme"
    assert [p.text for p in d.paragraphs[1:4]] == ["- un concert d'ouverture sur la plage", "- une nuit du cinéma",
                                                   "- un bal populaire"]
    assert d.paragraphs[-1].text.startswith("#MeToo a changé") and d.paragraphs[-1].section is None


def test_invisible_line_separates_paragraphs():
    text = ("Le premier paragraphe est assez long pour être du contenu, sans aucun doute possible ici.\n"
            "\u200b\n"
            "Un second paragraphe commence ici, et il est bien distinct du premier.\n"
            "\u00a0\n"
            "Un troisième paragraphe, séparé par une espace insécable seule sur sa ligne.\n")
    d = parse_text(text, "x.txt")
    assert len(d.paragraphs) == 3 and d.title is None
    assert all("\u200b" not in p.text for p in d.paragraphs)


def test_never_joins_across_dropped_text():
    # a paragraph must stay one stretch of the source: the halves around a dropped line are not glued together
    text = ("Le maire a longuement présenté son projet aux habitants réunis dans la salle des fêtes de la\n"
            "Photo : Jean Dupont\n"
            "commune, avant de répondre à leurs nombreuses questions sur le calendrier des travaux.\n\n"
            "Les travaux devraient commencer au printemps, a-t-il précisé, et durer jusqu'à l'automne de l'année\n\n"
            "[Abonnez-vous pour lire la suite de vos articles préférés]\n\n"
            "suivante, si le budget est voté à temps.\n\n"
            "Le chantier du port sera, lui, confié à une entreprise de la Maison-\n\u200b\nBlanche voisine.\n")
    d = parse_text(text, "x.txt")
    assert [p.text for p in d.paragraphs] == [
        "Le maire a longuement présenté son projet aux habitants réunis dans la salle des fêtes de la",
        "commune, avant de répondre à leurs nombreuses questions sur le calendrier des travaux.",
        "Les travaux devraient commencer au printemps, a-t-il précisé, et durer jusqu'à l'automne de l'année",
        "suivante, si le budget est voté à temps.",
        "Le chantier du port sera, lui, confié à une entreprise de la Maison-",
        "Blanche voisine.",
    ]
    assert_faithful(d, text)


def test_lead_sentence_is_not_a_byline():
    text = ("By the end of the day\n\nThe talks had failed, and both delegations went home without a date "
            "for the next round of negotiations.\n")
    d = parse_text(text, "x.txt")
    assert d.author is None
    assert d.title == "By the end of the day"


def test_crlf_and_bom_free_text():
    text = EN_MIXED_CASE_TRANSCRIPT.replace("\n", "\r\n")
    d = parse_text(text, "call.txt")
    assert [p.speaker for p in d.paragraphs] == ["Maria Lopez", "Tom Hale", "Maria Lopez", None, "Tom Hale",
                                                 "Maria Lopez", "Ann Lee"]
    assert not any("\r" in p.text for p in d.paragraphs)


@pytest.mark.parametrize("text", [EN_INTERVIEW, EN_ARTICLE, FR_ARTICLE_MD, FR_TRANSCRIPT, EN_MIXED_CASE_TRANSCRIPT, FR_LOCAL])
def test_made_up_texts_are_faithful_and_numbered(text):
    d = parse_text(text, "t.txt")
    assert d.paragraphs
    assert_faithful(d, text)
    assert_numbered(d, "t.txt")
    assert all(p.text == p.text.strip() and "\n" not in p.text for p in d.paragraphs)
