"""Citation keys: the opaque keys we give sources, and reading them back from an answer.

Sources are shown to the model as ``[S1]``, ``[S2]``… ``claims(text, known)``
splits an answer into sentences, each with the keys written after it; keys not
among ``known`` are dropped (the model invented them), and so are sentences about the answer itself
(``ABOUT_ITSELF``), unfinished ones (``UNFINISHED``: the key where the fact should be) and the model's
NO_ANSWER (``ABSTAIN_MARK``): none is a claim. ``without_heads`` takes out a source's head the model
copied ("(Enderi, 27 Novembre 2025)"). ``sentence_cut`` finds where a given sentence
begins, to stop a long answer while it streams. ``render`` writes the
checked answer with ``[1]``, ``[2]``… numbered in order of first citation. What
this leaves out: judging whether a key is right (that is ``support``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

KEY_GROUP = re.compile(r"[\[【(]\s*((?:S|source\s*)?\d+(?:\s*[,;/&]\s*(?:S|source\s*)?\d+)*)\s*[\]】)]", re.I)
ONE_KEY = re.compile(r"(?:S|source\s*)?(\d+)", re.I)
SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[^\s»\"”’)\]])")  # never before a closing quote or bracket
# words pointing at a key, dropped with it: "…, citing source key [S1]." / "as he said in [S1] that…"
POINTER = (r"(?:[,;]?\s+(?:citing (?:the )?(?:source )?(?:keys?|sources?)|as (?:stated|mentioned|said|shown|written)"
           r" in|according to|in|from|see|selon|dans|d'après))?")
# a key opening the sentence as its teller: "Selon [S1], Witkoff…" / "According to [S2], …" (keeps "Witkoff…")
LEAD_POINTER = re.compile(r"^\s*(?:according to|selon|d['’]apr[eè]s|as (?:stated|mentioned|said|shown|written) in|in|from"
                          r"|dans|as per|per)\s*(?=[\[【(])", re.I)
SPACES = re.compile(r"\s*")
ABSTAIN_MARK = re.compile(r"\bNO_?ANSWER\b", re.I)
# a sentence about the answer itself, not about the documents: "This information is provided in [S1]",
# "Cette réponse est basée sur les informations fournies…" (it may quote a source, and so pass the check);
# what follows the verb must speak of the sources ("the response was given in a statement by Peskov" stays)
ABOUT_ITSELF = re.compile(r"^\W*(?:this|the|my|these|cette|ces|la|ma|mes) (?:answer|response|information|réponse|reponse)s?"
                          r" (?:is |are |was |est |sont )?(?:based|basée?s?|fondée?s?|provided|given|found|taken|drawn"
                          r"|fournie?s?|donnée?s?|trouvée?s?|tirée?s?|issue?s?) (?:on|upon|in|from|sur|dans|de|du|des)\b"
                          r"(?=.{0,40}\b(?:sources?|text|texte|documents?|context|contexte|passages?|extraits?|information"
                          r"|informations|S\d))", re.I)

# an unfinished sentence: the model wrote the key where the fact should be ("… to take place on [S1].",
# "… à résoudre est [S1].")
UNFINISHED = re.compile(r"(?:^|\s)(?:on|at|of|to|the|an|is|was|are|were|by|with|for|and|or|than|its|their"
                        r"|est|sont|était|étaient|de|du|des|le|la|les|un|une|à|au|aux|par|pour|avec|sur|et|ou"
                        r"|que|son|sa|ses|leur|leurs|ce|cette|ces|entre|vers|chez|comme)\s*[.!?…]*$|:\s*[.!?…]*$",
                        re.I)


def key(i: int) -> str:
    return f"S{i}"


@dataclass
class Claim:
    text: str                                   # the sentence without its keys
    keys: list[str] = field(default_factory=list)


def _keys_in(group: str, known: set[str]) -> list[str]:
    return [k for k in (f"S{m}" for m in ONE_KEY.findall(group)) if k in known]


def claims(answer: str, known: set[str]) -> list[Claim]:
    """Sentences of ``answer`` with the known keys cited after each (invented keys dropped)."""
    out: list[Claim] = []
    for sent in SENTENCE.split(answer.strip()):
        lead = KEY_GROUP.match(sent)  # keys opening a sentence belong to the one before
        while lead and out:
            out[-1].keys += [k for k in _keys_in(lead.group(1), known) if k not in out[-1].keys]
            sent = sent[lead.end():].lstrip()
            lead = KEY_GROUP.match(sent)
        if (led := LEAD_POINTER.match(sent)) and (key_at := KEY_GROUP.match(sent, led.end())) \
                and _keys_in(key_at.group(1), known):
            rest = sent[key_at.end():].lstrip(" ,;:")
            sent = rest[:1].upper() + rest[1:] + " " + key_at.group(0)
        keys: list[str] = []
        for m in KEY_GROUP.finditer(sent):
            keys += [k for k in _keys_in(m.group(1), known) if k not in keys]
        text = re.sub(POINTER + r"\s*" + KEY_GROUP.pattern, "", sent, flags=re.I)  # the key, the words before it
        text = re.sub(r"\s{2,}", " ", text).strip()
        if re.search(r"\w", text) and not ABOUT_ITSELF.match(text) and not ABSTAIN_MARK.search(text) \
                and not UNFINISHED.search(text):
            out.append(Claim(text, keys))
    return out


def without_heads(answer: str, heads: list[str]) -> str:
    """``answer`` without the sources' heads it copies ("… de la fuite : (Enderi, 27 Novembre 2025)"): the
    prompt's layout, not something a source says."""
    for head in set(heads) - {""}:
        answer = re.sub(r"[ \t]*\(\s*" + re.escape(head) + r"\s*\)", "", answer, flags=re.I)
    return answer


def sentence_cut(text: str, n: int) -> int | None:
    """Offset at which sentence ``n + 1`` of ``text`` begins, or None while the text holds at most ``n``.
    Keys after a sentence belong to it; a sentence begins with a capital or a digit."""
    bounds = [0] + [m.end() for m in SENTENCE.finditer(text)] + [len(text)]
    count = 0
    for start, end in zip(bounds, bounds[1:]):
        lead = KEY_GROUP.match(text, start)
        while lead:  # keys opening the segment belong to the sentence before
            start = SPACES.match(text, lead.end()).end()
            lead = KEY_GROUP.match(text, start)
        seg = text[start:end]
        if re.match(r"[\[【(][^\]】)]*$", seg) or not re.match(r"[\W_]*[A-ZÀ-Þ0-9]", seg):
            continue  # an unfinished key, or no capital: not a new sentence ("U.S. officials")
        count += 1
        if count > n:
            return start
    return None


def render(checked: list[Claim]) -> tuple[str, list[str]]:
    """The answer text with [n] markers, and the keys in the order of their numbers."""
    order: list[str] = []
    parts = []
    for c in checked:
        nums = []
        for k in c.keys:
            if k not in order:
                order.append(k)
            nums.append(order.index(k) + 1)
        marks = "".join(f"[{n}]" for n in nums)
        text = c.text
        if marks:  # "… fact [1]." but "« … ? » [1]": never inside a question or a quotation
            end = re.search(r"(?<![.!?…\s])\.+$", text)
            text = f"{text[:end.start()]} {marks}{end.group(0)}" if end else f"{text} {marks}"
        parts.append(text)
    return " ".join(parts), order
