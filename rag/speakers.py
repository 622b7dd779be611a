"""Transcripts: who is speaking in each paragraph.

A turn starts with a speaker label, ``NAME — text`` (an upper-case name before a
dash or colon, or a capitalised name before a dash). An upper-case label alone
in a document and opening its first paragraph is a dateline ("WASHINGTON — The
Senate voted…"), not a turn. A capitalised, mixed-case label counts only in a
document where some mixed-case name opens at least two paragraphs, so that a
phrase such as "Peace Summit — à Sharm-el-Sheikh" is not taken for a speaker.
Unlabelled paragraphs that follow keep the last speaker when they read as speech
(first and second person outside quotation marks; an all-capitals "US" is not
"us"); otherwise they are the editors' commentary and have no speaker, but the
speaker is remembered for a later continuation. A heading ends the transcript.
What this leaves out: interviews written as Q/A without names, and speech told
in the third person.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_UP = "A-ZÀ-ÖØ-Þ"
_NAME_UP = rf"[{_UP}][{_UP}'’.\- ]{{1,40}}?"
_NAME_CAP = rf"[{_UP}][\w'’.\-]+(?: (?:de |du |van |von |al-|el-)?[{_UP}][\w'’.\-]+){{0,3}}"
LABEL = re.compile(rf"^\s*(?P<name>{_NAME_UP}|{_NAME_CAP})\s*(?:[—–]|-{{1,2}}|:)\s+(?=\S)")
LABEL_CAP = re.compile(rf"^\s*(?P<name>{_NAME_CAP})\s*[—–]\s+(?=\S)")

FIRST_SECOND = {
    # French
    "je", "j", "me", "m", "moi", "tu", "te", "t", "toi", "nous", "vous", "mon", "ma", "mes", "ton", "ta", "tes",
    "notre", "nos", "votre", "vos", "écoute", "écoutez",
    # English
    "i", "i'm", "i've", "i'll", "me", "my", "mine", "we", "us", "our", "you", "your", "yours", "listen",
}
QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"|\[[^\]]*\]|\([^)]*\)")
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Turn:
    speaker: str      # readable name
    start: int        # offset of the spoken words in the paragraph


def readable(name: str) -> str:
    """'STEVE WITKOFF' -> 'Steve Witkoff'; mixed-case names are kept."""
    name = " ".join(name.split()).strip(" .")
    return name.title() if name.isupper() else name


def label_of(text: str) -> Turn | None:
    """The speaker label opening a paragraph, if any."""
    m = LABEL.match(text)
    if not m:
        return None
    name = m.group("name").strip()
    upper = name.isupper()
    if not upper and not LABEL_CAP.match(text):
        return None  # mixed-case names need a dash: "Piste 1 : ..." or "Selon X: ..." are not turns
    if any(c.isdigit() for c in name) or len(name.split()) > 4 or len(name) < 2:
        return None
    if upper and len(name.replace(" ", "")) < 3:
        return None
    return Turn(readable(name), m.end())


def strong_label(text: str) -> bool:
    """True when the paragraph opens with an upper-case speaker label ("STEVE WITKOFF — ")."""
    m = LABEL.match(text)
    return bool(m) and label_of(text) is not None and m.group("name").strip().isupper()


def speech_score(text: str) -> int:
    """How many first- and second-person words the text uses outside quotations."""
    plain = QUOTED.sub(" ", text).replace("’", "'")
    return sum(1 for w in WORD.findall(plain)
               if w.lower() in FIRST_SECOND and not (len(w) > 1 and w.isupper()))


def reads_as_speech(text: str) -> bool:
    n_words = max(1, len(text.split()))
    score = speech_score(text)
    return score >= 2 or (score == 1 and n_words <= 20)


def assign(texts: list[str], section_breaks: set[int] = frozenset()) -> list[Turn | None]:
    """For each paragraph text, its Turn (speaker and label end), or None.

    ``section_breaks`` are indices where a heading precedes the paragraph: the
    transcript context ends there.
    """
    out: list[Turn | None] = []
    current: str | None = None
    labels = [label_of(t) for t in texts]
    strong = [bool(t) and strong_label(text) for t, text in zip(labels, texts)]
    weak = Counter(t.speaker for t, s in zip(labels, strong) if t and not s)
    mixed_style = any(n > 1 for n in weak.values())  # the document labels its turns with mixed-case names
    dialogue = sum(strong) > 1  # else a lone "WASHINGTON — …" opening the text is a dateline, not a turn
    for i, text in enumerate(texts):
        if i in section_breaks:
            current = None
        turn = labels[i] if labels[i] and (strong[i] and (dialogue or i > 0) or not strong[i] and mixed_style) else None
        if turn:
            current = turn.speaker
            out.append(turn)
        elif current and not text.lstrip().startswith("[") and reads_as_speech(text):
            out.append(Turn(current, 0))
        else:
            out.append(None)
    return out
