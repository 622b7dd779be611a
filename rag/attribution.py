"""Who a sentence says spoke must be who speaks in the paragraph it cites.

A small model writes "Steve Witkoff says that …" over the editors' narration,
or names the other party of a call. A sentence in which a known speaker (one
of the transcripts' speakers) is the subject of a verb of speech ("X says",
"X, adviser to …, said", "X a déclaré", "selon X") is checked against the
first paragraph it cites:

- a turn of that speaker, or narration that names that speaker (reported
  speech): left as it is;
- a turn of another speaker: the name becomes that speaker's;
- narration that never names the person: the name becomes the voice of the
  narration, the document's outlet (or author, or title).

Someone who is not a transcript speaker ("Dmitry Peskov, the Kremlin
spokesman, said …") is checked too (``founded``): a sentence that makes them
speak must cite a paragraph naming them (or whose document's outlet, author or
title does); else the model put words in their mouth, and the sentence is
dropped, however well the rest of it matches. A question about someone's words
("What did Dmitry Peskov say…") is answered only from paragraphs naming them
(``asked_of``, ``named_in``), and not by a sentence saying only that they talked
(``reports_words``).

Left out: pronouns ("he said"), institutions after an article ("the Kremlin
said"), and all but the first person a sentence names as speaking.
"""
from __future__ import annotations

import re
from typing import Callable

from .answer_type import fix_speaker
from .citations import Claim
from .names import name_spans, names_person, whole_name
from .textnorm import fold

# after the name, an optional apposition (", adviser to Vladimir Putin,"), then a verb of speech
_VERB = (r"(?:says?|said|states?|stated|tells?|told|asks?|asked|explains?|explained|declares?|declared|adds?|added"
         r"|claims?|claimed|insists?|insisted|replies|replied|answers?|answered|admits?|admitted|acknowledges?"
         r"|acknowledged|suggests?|suggested|proposes?|proposed|writes|wrote|reported"
         r"|(?:a |avait )?(?:dit|déclaré|affirmé|expliqué|ajouté|demandé|répondu|reconnu|estimé|suggéré|proposé"
         r"|insisté|écrit|rapporté)|dit|déclare|affirme|explique|ajoute|demande|répond|reconnaît|estime|suggère"
         r"|propose|insiste|écrit|rapporte)")
AFTER_NAME = re.compile(rf"^(?:\s*,[^,.]{{0,80}},)?\s+(?:also |then |aussi |alors )?{_VERB}\b", re.I)
BEFORE_NAME = re.compile(r"\b(?:according to|selon|d'après|d’après)\s+$", re.I)
# capitalised words that name nobody: pronouns and question words at the start of a sentence
NOT_NAMES = {fold(w) for w in "I He She It We You They One Someone Everyone Nobody This That These Those There Who "
             "What Which Whom Je Il Elle On Nous Vous Ils Elles Quelqu'un Personne Ce Cela Ceci Celui Celle Qui Que "
             "Qu'a Qu'avait Qu'ont Quel Quelle Quels Quelles Lequel Laquelle".split()}
ASKED_BEFORE = re.compile(r"\b(?:qu['’](?:a|avait|ont)|que)\s+(?:t-il\s+|t-elle\s+)?(?:dit|déclaré|affirmé|répondu"
                          r"|expliqué|écrit|rapporté|demandé|reconnu|suggéré|proposé|déclare|affirme|répond|pense"
                          r"|explique|écrit|rapporte|demande|reconnaît|suggère|propose)\s+$", re.I)
ARTICLE = re.compile(r"\b(?:the|le|la|les|l['’])\s*$", re.I)
# what someone said: "Qu'a dit Kirill Dmitriev …", "What did Dmitriev tell Witkoff …"
ASKS_WORDS = re.compile(r"^\W*(?:qu['’](?:a|avait|ont)|que)\s+(?:t-il\s+|t-elle\s+)?(?:dit|déclaré|affirmé|répondu"
                        r"|raconté)\b|^\W*what\s+(?:did|does|has|had)\s+.{1,60}?\s+(?:say|said|tell|told|declare"
                        r"|reply|answer)\b", re.I)
TALK = re.compile(r"\b(?:discuss\w*|talk\w*|spoke|speak\w*|convers\w*|chat\w*|discut\w*|parl\w*|échang\w*"
                  r"|entret\w*)\b", re.I)
REPORTED = re.compile(r"[«“\":]|\b(?:that|whether|que|qu['’])", re.I)
_LEAD = re.compile(r"^(?:(?P<by>Selon|D['’]après)\s+)?(?P<art>(?:The|Le|La|Les|L['’])\s*)?")


def speaking(text: str, speakers: set[str]) -> str | None:
    """The known speaker that ``text`` presents as speaking, if any (the first one)."""
    names = name_spans(text)
    for i, (start, end, word) in enumerate(names):
        person = next((s for s in speakers if names_person(word, s)), None)
        if person is None:
            continue
        first, last = whole_name(names, i)
        if AFTER_NAME.match(text[names[last][1]:]) or BEFORE_NAME.search(text[:names[first][0]]):
            return person
    return None


def speaker_named(text: str) -> str | None:
    """The first name (known speaker or not) that ``text`` presents as speaking; None when there is
    none, or when the one speaking is an institution after an article ("the Kremlin said")."""
    names = name_spans(text)
    i = 0
    while i < len(names):
        first, last = whole_name(names, i)
        i = last + 1
        while first <= last and fold(names[first][2]) in NOT_NAMES:
            first += 1  # "Who said", "He said", "Qu'a déclaré X"
        if first > last:
            continue
        start, end = names[first][0], names[last][1]
        lead = _LEAD.match(text[start:end])
        if not (lead.group("by") or BEFORE_NAME.search(text[:start]) or AFTER_NAME.match(text[end:])):
            continue
        if lead.group("art") or ARTICLE.search(text[:start]):
            return None
        return text[start + lead.end():end] or None
    return None


def asked_of(question: str) -> str | None:
    """The person whose words the question asks about ("What did Dmitry Peskov say…", "Qu'a déclaré
    Dmitri Peskov…", "According to Enderi, …"), if any."""
    names = name_spans(question)
    for i, (start, _, _) in enumerate(names):
        if ASKED_BEFORE.search(question[:start]):
            _, last = whole_name(names, i)
            return question[start:names[last][1]]
    return speaker_named(question)


def reports_words(question: str, kept: list[Claim]) -> bool:
    """False when the question asks what someone said and the answer only says they talked: a verb of talk
    ("a discuté avec", "spoke with"), none of speech, and no quotation, colon or "that"/"que" clause.
    "Kirill Dmitriev a discuté avec Steve Witkoff pendant les appels" does not say what he said."""
    if not ASKS_WORDS.search(question):
        return True
    text = " ".join(c.text for c in kept)
    return bool(REPORTED.search(text) or not TALK.search(text) or re.search(rf"\b{_VERB}\b", text, re.I))


def founded(kept: list[Claim], paragraph_of: dict, context_of: Callable) -> list[Claim]:
    """The claims whose speaking person, if any, is named (their last name, spelling variants allowed)
    by a paragraph they cite, as its speaker or in its document's outlet, author or title
    (``context_of(paragraph)`` gives those); the others are dropped."""
    return [c for c in kept
            if (name := speaker_named(c.text) if c.keys else None) is None
            or named_in([paragraph_of[k] for k in c.keys], name, context_of)]


def named_in(paragraphs: list, name: str, context_of: Callable) -> bool:
    """True when one of the paragraphs names the person ``name`` (see ``founded``)."""
    return any(_has_name(" ".join([p.text, p.speaker or "", *context_of(p)]), _surname(name)) for p in paragraphs)


def _surname(name: str) -> str:
    return re.findall(r"\w[\w'’-]*", name)[-1]


def _has_name(text: str, name: str) -> bool:
    """True when ``text`` writes ``name`` (a spelling within 80 % for names over three letters)."""
    if len(fold(name)) <= 3:
        return fold(name) in set(re.findall(r"\w+", fold(text)))
    return _mentions(text, name)


def mend(kept: list[Claim], paragraph_of: dict, speakers: set[str], voice: Callable) -> list[Claim]:
    """The claims with their speaking person made to match their first cited paragraph (see the module
    docstring). ``paragraph_of`` maps a key to its Paragraph; ``voice(paragraph)`` names its document."""
    out = []
    for c in kept:
        person = speaking(c.text, speakers) if c.keys else None
        if person is None:
            out.append(c)
            continue
        p = paragraph_of[c.keys[0]]
        if p.speaker and not _mentions(p.speaker, person):
            out.append(Claim(fix_speaker(c.text, p.speaker, speakers), c.keys))
        elif not p.speaker and not _mentions(p.text, person) and (outlet := voice(p)):
            out.append(Claim(fix_speaker(c.text, outlet, speakers), c.keys))
        else:
            out.append(c)
    return out


def _mentions(text: str, person: str) -> bool:
    return any(names_person(w, person) for w in re.findall(r"\w[\w'’-]*", text))
