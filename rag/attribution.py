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

Left out: pronouns ("he said"), people who are not transcript speakers, and
all but the first speaker a sentence names as speaking.
"""
from __future__ import annotations

import re
from typing import Callable

from .answer_type import fix_speaker, name_spans, names_person, whole_name
from .citations import Claim

# after the name, an optional apposition (", adviser to Vladimir Putin,"), then a verb of speech
_VERB = (r"(?:says?|said|states?|stated|tells?|told|asks?|asked|explains?|explained|declares?|declared|adds?|added"
         r"|claims?|claimed|insists?|insisted|replies|replied|answers?|answered|admits?|admitted|acknowledges?"
         r"|acknowledged|suggests?|suggested|proposes?|proposed|(?:a |avait )?(?:dit|déclaré|affirmé|expliqué"
         r"|ajouté|demandé|répondu|reconnu|estimé|suggéré|proposé|insisté)|dit|déclare|affirme|explique|ajoute"
         r"|demande|répond|reconnaît|estime|suggère|propose|insiste)")
AFTER_NAME = re.compile(rf"^(?:\s*,[^,.]{{0,80}},)?\s+(?:also |then |aussi |alors )?{_VERB}\b", re.I)
BEFORE_NAME = re.compile(r"\b(?:according to|selon|d'après|d’après)\s+$", re.I)


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
