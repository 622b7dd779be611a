"""What a question asks for, and making sure the checked answer gives it, from its cited paragraphs.

Four answer types are checked, from the paragraph a sentence cites, never
from the model's knowledge:

- a speaker ("who said / asked …", "qui a dit …"): when the first cited
  paragraph is a transcript turn, the first person the answer names must be
  that turn's speaker. A small model often names the other party of the call;
  that name is replaced by the speaker's. An answer that already names the
  speaker elsewhere in its first sentence is left alone (it may say who spoke
  to whom). The turn is found by what the sentence says, names left out
  (``said``), so a wrong name does not pull the citation to its turns.
- a time ("when", "quand", "what day", "quel jour", "en quelle année", when no
  other interrogative comes first: "who asked when …" asks for a speaker): an
  answer with no date, month, year or weekday gets one more sentence giving the
  date written in the sentence that supports it, cited to the same paragraph,
  in the reader's language. If that sentence has none either, the answer
  does not say when, and the chain gives its fixed sentence (``gives_time``).
- a number ("how many", "how old", "how long", "combien", "quel âge", a
  duration, a population, a salary, a percentage): an answer without a number
  of its own (a duration: a number of hours, days…) does not answer it, so the
  chain gives its fixed "the documents do not say" (``answers``). A small
  model asked for a number the sources lack tends to quote something else,
  or a date's day ("17 missiles" from "Vendredi 17 octobre"): a number its
  cited paragraphs write only in dates does not count.
- a name ("what is the name of …", "quel est le nom de …"): an answer that
  names nobody and nothing the question does not already name ("une source
  anonyme") does not answer it either (``names_new``).
- a person ("who published …", "which reporter …", "à qui …"; not "who is X"
  nor "who said"): an answer naming only people the question names does not
  answer it ("Steve Witkoff wrote the story" for "Which reporter wrote the
  story of the Witkoff call?"); one naming nobody may (``someone_new``).

Whether an answer is about the question at all is ``relevance``'s.

Left out: other types (places, sums of money), relative dates ("la
veille", "yesterday"), dates written only in digits ("26/11").
"""
from __future__ import annotations

import re

from . import numbers
from .citations import Claim
from .dates import dates_in, has_time, only_in_dates, say_date, undated_text
from .names import LEADS, QUOTED, name_spans, names_person, whole_name, whole_names
from .support import best_sentence
from .textnorm import fold, language, stop_words, words
from .tokens import sentences

# questions about speech (broad: retrieval boosts the turns of a speaker such a question names)
SPEECH = re.compile(r"\b(sa(y|ys|id)|t[eo]ll|told|asks?|asked|propos|suggest|recommend|promis|dit|dis|d[ée]clar"
                    r"|affirm|demand|r[ée]pond|answer|repl|f[ée]licit|congratulat|quote|words?|mots?|parol)", re.I)
# "who said / asked …" (strict: its answer's name is checked against the cited turn's speaker)
SPEECH_WHO = re.compile(r"^\W*(who|qui)\b.*\b(sa(y|ys|id)|t[eo]ll|told|asks?|asked|propos|suggest|promis|dit|dis\b"
                        r"|d[ée]clar|affirm|demand|r[ée]pond|answer|repl|f[ée]licit|congratulat|wrote|[ée]crit"
                        r"|thank|remerci|recomm[ae]nd|insist)", re.I)
# "who is X?" and nothing more: the narration presenting X answers it, not X's own words
_NAME = r"[A-ZÀ-Þ][\w'’.-]*(?:[\s-]+[A-ZÀ-Þ][\w'’.-]*)*"
ASKS_IDENTITY = re.compile(rf"^\W*(?i:who|qui)\s+(?:is|was|are|were|est|était|sont|étaient)\s+(?P<name>{_NAME})"
                           rf"(?:\s*,\s*{_NAME})*(?:,?\s+(?:and|et)\s+{_NAME})?\s*\??\s*$")
ASKS_TIME = re.compile(r"\b(when|quand|what (day|date|year|month)|which (day|date|year|month)|on what date"
                       r"|quel(le)? (jour|date|ann[ée]e|mois)|en quelle ann[ée]e|à quelle date|a quelle date)\b", re.I)
# the interrogatives that, before a time word, make the question ask something else
QUESTION_WORD = re.compile(r"\b(?:(?:who|whom|whose|what|which|why|how|where|qui|que|quoi|pourquoi|comment|où"
                           r"|quel(?:le)?s?|lequel|laquelle|lesquel(?:le)?s|combien)(?![\w'’])|qu['’])", re.I)
YES_NO = re.compile(r"\best-ce qu(e\b|['’])", re.I)  # "Est-ce que … quand …" asks no other thing

ASKS_NUMBER = re.compile(r"\b(how (many|old|long)|combien|quel [âa]ge|quelle dur[ée]e|population|salary|salaire"
                         r"|percentage|pourcentage)\b", re.I)
NUMBER_WORD = re.compile(r"\d+(?:[.,]\d+)*|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
                         r"|hundred|thousand|million|billion|dozen|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze"
                         r"|douze|vingt|trente|quarante|cinquante|soixante|cent|mille|milliard|douzaine|centaine)s?\b", re.I)
# a duration: a number, then (at most one word on) a unit of time: "more than two hours", "trois longues semaines"
ASKS_DURATION = re.compile(r"\b(how long|combien de temps|quelle dur[ée]e|pendant combien)\b", re.I)
DURATION = re.compile(rf"(?P<n>{NUMBER_WORD.pattern})\s+(?:[\w'’-]+\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?"
                      r"|years?|heures?|jours?|semaines?|mois|ans|ann[ée]es?)\b", re.I)
# "what is the name of …", "quel est le nom de …", "comment s'appelle …": the answer must name someone or something
ASKS_NAME = re.compile(r"\b(?:what(?:'s| is| was| are| were) the names? of|quel(?:le)?s? (?:est|était|sont|étaient)"
                       r" (?:le|les) noms? d|comment s'appel\w*)", re.I)
# a question asking for a person: "who published …", "à qui …", "which reporter …", "quel journaliste …"
ASKS_PERSON = re.compile(r"^\W*(?:(?:à|a|avec|de|par|pour|with|to|by)\s+)?(?:who|whom|whose|qui)\b"
                         r"|\b(?:which|what|quel(?:le)?s?)\s+(?:[\w'’-]+\s+)?(?:reporters?|journalists?|journalistes?"
                         r"|writers?|auteurs?|authors?|officials?|responsables?|ministers?|ministres?|diplomat[es]*"
                         r"|advis[eo]rs?|conseill[eè]re?s?|envoys?|envoyée?s?|spokes(?:man|woman|person)|porte-parole"
                         r"|persons?|people|personnes?|man|men|woman|women|hommes?|femmes?|leaders?|dirigeante?s?"
                         r"|negotiators?|négociat(?:eur|rice)s?|ambassadors?|ambassadeur|ambassadrice|members?"
                         r"|membres?|correspondents?|correspondante?s?|editors?|rédact(?:eur|rice)s?)\b", re.I)
SAY = {"en": "This was on {date}.", "fr": "C'était le {date}."}
STAND_IN = {"en": "someone", "fr": "quelqu'un"}  # for a speaker's name in a sentence checked unnamed


def asks_speaker(question: str) -> bool:
    return bool(SPEECH_WHO.search(question))


def asks_identity(question: str) -> bool:
    """"Who is Steve Witkoff?", "Qui est Youri Ouchakov ?": a question asking only who a named person is."""
    return bool(ASKS_IDENTITY.match(question))


def identity_of(question: str) -> str | None:
    """The (first) person a "who is X?" question asks about."""
    m = ASKS_IDENTITY.match(question)
    return m.group("name") if m else None


def asks_time(question: str) -> bool:
    """A question whose own interrogative asks when; not one whose "when" only opens a clause after
    another interrogative ("Who asked when …", "What seems absent when Witkoff says …")."""
    m = ASKS_TIME.search(question)
    return bool(m) and not QUESTION_WORD.search(YES_NO.sub(" ", question[:m.start()]))


def asks_number(question: str) -> bool:
    """A question asking for a number, not one asking who said something with a number in it."""
    return bool(ASKS_NUMBER.search(question)) and not re.match(r"\W*(who|whom|whose|qui)\b", question, re.I)


def answers(question: str, kept: list[Claim], paragraph_of: dict | None = None) -> bool:
    """False when the question asks for a name and the answer gives none the question does not (``names_new``:
    "une source anonyme" is not a name), or when it asks for a number and no sentence gives one of its own: a
    number the question holds ("how long did the 14 October call last?") does not answer it, and a
    question for a duration needs a number of hours, days… ("more than two hours"). With
    ``paragraph_of`` (source key → Paragraph), a number every cited paragraph writes only as a date's
    day or year ("Vendredi 17 octobre" read as "17 missiles") is not one of its own either, and the count must
    be written in a cited paragraph, in digits or words ("trois pistes" over a paragraph that counts none:
    the small model makes counts up; ``numbers``)."""
    text = " ".join(c.text for c in kept)
    if ASKS_NAME.search(question):
        return names_new(question, text)
    if asks_person(question) and not someone_new(question, text):
        return False
    if not asks_number(question):
        return True
    given = {m.group(0).lower() for m in NUMBER_WORD.finditer(question)}
    if ASKS_DURATION.search(question):  # "les deux camps" gives no duration
        return any(m.group("n").lower() not in given for m in DURATION.finditer(text))
    if not paragraph_of:
        return any(m.group(0).lower() not in given for m in NUMBER_WORD.finditer(text))
    # the answer's own dates give no count either
    undated = undated_text(text)
    cited = [paragraph_of[k].text for c in kept for k in c.keys if k in paragraph_of]
    own = [n for n in (m.group(0).lower() for m in NUMBER_WORD.finditer(undated))
           if n not in given and not all(only_in_dates(n, t) for t in cited)]
    counts = set().union(*(numbers.values(t) for t in cited))
    return any(numbers.written(n, counts) for n in own) or bool(own and numbers.runs(undated) & counts)


def names_new(question: str, text: str) -> bool:
    """True when ``text`` writes a capitalised word that is not a stop word, a sentence's lead ("According",
    "Selon") or one of the question's words (spelling variants allowed: ``names_person``); or words in
    quotation marks (a name need not be capitalised: a format « en 20 points »)."""
    if QUOTED.search(text):
        return True
    stops = stop_words() | LEADS
    return any(fold(word) not in stops and not names_person(word, question)
               for sent in sentences(text) or [text] for _, _, word in name_spans(sent))


def asks_person(question: str) -> bool:
    """"Who published …?", "Which reporter …?", "À qui …?": a question asking for a person or a body, other than
    "who is X?" (``asks_identity``) and "who said …?" (``asks_speaker``: the cited turn's speaker answers it)."""
    return bool(ASKS_PERSON.search(question)) and not asks_identity(question) and not asks_speaker(question)


def someone_new(question: str, text: str) -> bool:
    """False when ``text`` names someone, but only people or bodies the question already names ("Steve Witkoff
    wrote the story" for "Which reporter wrote the story of the Witkoff call?"): asked for a person, a small
    model falls back on the one the question gives. An answer naming nobody ("une source anonyme") passes."""
    whole = whole_names(text)
    return not whole or any(not any(names_person(w, question) for w in name) for name in whole)


def gives_time(question: str, kept: list[Claim]) -> bool:
    """False when the question asks when and the answer, completed (``complete``), names no date, month,
    year or weekday: the sentence it cites does not say when."""
    return not asks_time(question) or any(has_time(c.text) for c in kept)


def first_speaker(text: str, speakers: set[str]) -> str | None:
    """The first known speaker ``text`` names, if any."""
    for _, _, w in name_spans(text):
        person = next((s for s in sorted(speakers) if names_person(w, s)), None)
        if person:
            return person
    return None


def fix_speaker(text: str, speaker: str, speakers: set[str]) -> str:
    """``text`` with its first-named known person replaced by ``speaker`` when that person is another
    speaker and ``speaker`` is not named in the text at all."""
    names = name_spans(text)
    if any(names_person(w, speaker) for _, _, w in names):
        return text
    others = [s for s in speakers if s != speaker]
    for i, (start, end, w) in enumerate(names):
        if any(names_person(w, o) for o in others):
            first, last = whole_name(names, i)
            return text[:names[first][0]] + speaker + text[names[last][1]:]
    return text


def _name_spans(text: str, speakers: set[str]) -> list[list[int]]:
    """Where the known speakers' whole names are in ``text`` (a name's next word joins its span)."""
    cut: list[list[int]] = []
    for a, b, w in name_spans(text):
        if any(names_person(w, s) for s in speakers):
            if cut and not text[cut[-1][1]:a].strip():
                cut[-1][1] = b  # the next word of the same name
            else:
                cut.append([a, b])
    return cut


def _replace(text: str, cut: list[list[int]], stand_in: str) -> str:
    for a, b in reversed(cut):
        text = text[:a] + (stand_in[:1].upper() + stand_in[1:] if a == 0 else stand_in) + text[b:]
    return re.sub(r"\s{2,}", " ", text).strip()


def without_names(text: str, speakers: set[str], stand_in: str = "") -> str:
    """``text`` without the names of known speakers, each whole name ("Steve Witkoff") left out or replaced
    by ``stand_in``. Checked so, a sentence is compared by what it says: a name most paragraphs hold would
    pull it towards any paragraph naming that person."""
    return _replace(text, _name_spans(text, speakers), stand_in)


def unnamed(text: str, speakers: set[str]) -> str:
    """``text`` with the speakers' names replaced by "someone" ("quelqu'un") if three words or more are
    left besides; else ``text``. A pronoun keeps it a sentence: a sentence with gaps in it embeds as a
    fragment, further from the paragraph that says it."""
    cut = _name_spans(text, speakers)
    if len(words(_replace(text, cut, ""))) < 3:
        return text
    return _replace(text, cut, STAND_IN[language(text)])


def said(claim: str, question: str, speakers: set[str]) -> str:
    """What a who-said answer says was said, to find the turn that says it: the claim without the names
    of known speakers (a name would pull the check towards that person's turns, right or wrong), or the
    question when the answer is little more than a name ("Steve Witkoff.")."""
    rest = without_names(claim, speakers)
    return rest if len(words(rest)) >= 3 else without_names(question, speakers)


def complete(question: str, kept: list[Claim], paragraph_of: dict, speakers: set[str], lang: str) -> list[Claim]:
    """The checked claims, made to give what the question asks for (see the module docstring).
    ``paragraph_of`` maps a source key to its Paragraph."""
    if not kept or not kept[0].keys:
        return kept
    first = paragraph_of[kept[0].keys[0]]
    out = list(kept)
    if asks_speaker(question) and first.speaker:
        out[0] = Claim(fix_speaker(out[0].text, first.speaker, speakers), out[0].keys)
    if asks_time(question) and not any(has_time(c.text) for c in out):
        for c in out:
            for k in c.keys:
                dates = dates_in(best_sentence(c.text, paragraph_of[k].text))
                if dates:
                    out.append(Claim(SAY.get(lang, SAY["en"]).format(date=say_date(dates[0], lang)), [k]))
                    return out
    return out
