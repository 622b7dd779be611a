"""Whether a checked answer is about the question at all, from words alone.

Every sentence of an answer may be supported by the paragraph it cites and
still not answer the question: a small model asked something the sources do
not say tends to copy or retell a source instead of saying so. Four rules
give the chain's fixed "the documents do not say" (``about``, ``only_quotes``,
``on_topic``, ``names_missing``); ``echoes`` gives a quoted source sentence:

- ``about``: for a question in the documents' language, at least one of its
  content words must occur in the sources ("Quelle est la couleur préférée de
  Zelensky ?" over sources that never speak of a colour);
- ``only_quotes``: an answer that is only a speaker and a quotation, to a
  question that did not ask what someone said, is a source copied;
- ``on_topic``: a question with two or more content words must share one
  with its answer, or with the paragraphs the answer cites when they are in
  the question's language. The answer is in the question's language, so the
  two can be compared word for word: the same five-letter beginning of a word
  or of its lemma counts (congratulate / congratulated, speak / spoke; lemmas
  from simplemma, English then French). Who-said questions, and questions for
  a date or a number answered with one, are left to ``answer_type``. A
  question in another language is compared with the cited paragraphs only
  through its rendering in theirs, when the chain made one (``Verifier``).
- ``names_missing``: a question that names someone or something ("the FIFA
  World Cup") is not answered by a text that never names any of them, nor
  do its cited paragraphs or their documents (outlet, author, title);
  spelling variants across languages are allowed (Putin / Poutine).
- ``echoes``: an answer that only says the question again ("L'administration
  américaine était tenue à l'écart" for "Quelle administration a été tenue à
  l'écart ?") gives nothing the question did not. Asked again, the small model
  answers NO_ANSWER or repeats itself, so ``stand_in`` finds the source
  sentence sharing most of the question's terms, which the chain quotes.

Content words are the words of the question that are not stop words, not
capitalised (names), not words naming the kind of answer wanted ("status",
"reason", "réaction": the answer gives one without the word) and at least
four letters long. Left out: synonyms ("the party" for "the Republicans"),
and across languages only the embeddings could tell, which do not separate
such questions from answerable ones.
"""
from __future__ import annotations

import functools
import re

import simplemma

from . import answer_type, dates
from .citations import Claim
from .names import name_spans, names_person, whole_names, writes
from .support import lexical
from .textnorm import fold, stop_words, terms, words
from .tokens import sentences

QUOTATION = re.compile(r"«[^»]*(?:»|$)|“[^”]*(?:”|$)|\"[^\"]*(?:\"|$)")
# words that only introduce a quotation or point at the source ("This can be inferred from the source, which states:")
SAYS = re.compile(r"\b(says?|said|states?|stated|writes?|wrote|dit|d[ée]clare|[ée]crit|source|sources|mentioned|mentionn[ée]e?"
                  r"|inferred|fact|text|article|document|documents|indicates?|according|selon)\b", re.I)
# words that name the kind of answer wanted, not its topic: an answer gives a status or a reason without the word
FRAME = frozenset("""status statut reason reasons raison raisons role purpose effect effects effet effets impact
    reaction reactions kind sort type types genre nature manner maniere facon opinion view views avis position
    situation consequence consequences cause causes result results resultat resultats goal goals objectif
    objectifs state etat content contenu subject sujet topic level niveau details detail""".split())
PREFIX = 5       # letters two words must share to count as the same word
STAND_IN = 0.34  # share of the question's terms a source sentence needs to stand in for an echo
MIN_WORDS = 2    # content words a question needs before ``on_topic`` judges it


def _uncapitalised(text: str) -> str:
    return " ".join(w for w in re.findall(r"\w[\w-]*", text) if not w[:1].isupper())


def about(question: str, texts: list[str]) -> bool:
    """True when a content word of the question (capitalised words left out) occurs in ``texts``, when the
    question has none, or when one text writes two or more of the question's names together: "Pourquoi le
    fait qu'Ouchakov ait utilisé WhatsApp est-il étonnant en Russie ?" is about the paragraph saying Ouchakov
    used WhatsApp, "une application interdite en Russie", though none of its other words is there. One name
    is not enough: "Quel est le salaire de Steve Witkoff ?" is not about every paragraph naming him."""
    topic = set(terms(_uncapitalised(question)))
    if not topic or topic & set(terms(" ".join(texts))):
        return True
    names = whole_names(question)
    return any(sum(any(writes(t, n) for n in name) for name in names) >= 2 for t in texts)


def only_quotes(question: str, kept: list[Claim], speakers: set[str] = frozenset()) -> bool:
    """True when the answer is nothing but a speaker and a quotation (a small model copying a source it
    cannot answer from) to a question that did not ask what someone said. Its own words are what is left
    outside quotation marks, without the words that introduce a quotation and without speakers' names."""
    text = " ".join(c.text for c in kept)
    if answer_type.SPEECH.search(question) or not QUOTATION.search(text):
        return False
    own = SAYS.sub(" ", QUOTATION.sub(" ", text))
    return not terms(" ".join(w for w in re.findall(r"\w[\w-]*", own)
                              if not any(names_person(w, s) for s in speakers)))


@functools.lru_cache(maxsize=50_000)
def _keys(word: str) -> frozenset[str]:
    """What two words must share one of to count as the same: the beginning of the word or of its lemma."""
    return frozenset({word[:PREFIX], simplemma.lemmatize(word, lang=("en", "fr"))[:PREFIX]})


def content_words(question: str) -> set[str]:
    stops = stop_words()
    return {w for w in words(_uncapitalised(question))
            if w not in stops and w not in FRAME and len(w) >= 4 and not w.isdigit()}


def on_topic(question: str, kept: list[Claim], cited: list[str] = ()) -> bool:
    """False when the question has ``MIN_WORDS`` content words and neither the answer nor ``cited`` (the
    cited paragraphs, given only when they are in the question's language) uses any of them."""
    asked = content_words(question)
    text = " ".join(c.text for c in kept)
    if len(asked) < MIN_WORDS or answer_type.asks_speaker(question):
        return True
    if (answer_type.asks_time(question) and dates.has_time(text)) or \
            (answer_type.asks_number(question) and answer_type.NUMBER_WORD.search(text)):
        return True
    used = set().union(*(_keys(w) for w in words(" ".join([text, *cited])) if len(w) >= 3))
    return any(_keys(w) & used for w in asked)


YES_NO = re.compile(r"^\W*(yes|no|oui|non|si)\b", re.I)


def echoes(question: str, text: str) -> bool:
    """True when every word of four letters or more of the answer ``text``, names included, is a word
    of the question (same five-letter beginning or lemma) and the answer is not a yes or a no."""
    if not text.strip() or YES_NO.match(text):
        return False
    stops = stop_words()
    said = {w for w in words(text) if len(w) >= 4 and w not in stops and not w.isdigit()}
    asked = set().union(*(_keys(w) for w in words(question) if len(w) >= 3))
    return all(_keys(w) & asked for w in said)


def stand_in(question: str, texts: list[str]) -> tuple[str, int] | None:
    """(sentence, index of its text) of the sentence of ``texts`` sharing most of the question's terms,
    when it shares at least ``STAND_IN`` of them and is not itself an echo of the question."""
    found = [(lexical(question, sent), sent, j) for j, t in enumerate(texts) for sent in sentences(t)]
    share, sent, j = max(found, key=lambda f: f[0], default=(0.0, "", -1))
    return None if share < STAND_IN or echoes(question, sent) else (sent, j)


def _name_parts(question: str) -> list[set[str]]:
    """The names of the question (capitalised words), each as its folded parts ("Russie-Monde", "Enderi's"),
    stop words left out. Its first word is left out too: "Which", "Combien", "Explain" are capitalised
    for opening the question (a name there, "Zelensky a-t-il …", is the rule's loss)."""
    stops = stop_words()
    out = []
    for start, _, word in name_spans(question):
        if not question[:start].strip(" \t\"«“¿¡'"):
            continue
        parts = {p for p in re.split(r"[-'’]", fold(word)) if len(p) > 1 and p not in stops}
        if parts:
            out.append(parts)
    return out


def names_missing(question: str, text: str, context: list[str]) -> bool:
    """True when the question names someone or something and none of those names (a part of it, or a
    spelling within 80 % for parts over three letters) is in the answer ``text`` or in ``context`` (the
    cited paragraphs, and their documents' outlet, author and title)."""
    names = _name_parts(question)
    if not names:
        return False
    said = " ".join([text, *context])
    hay = set(words(said))
    return not any(p in hay or names_person(p, said) for parts in names for p in parts)
