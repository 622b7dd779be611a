"""Paragraphs -> the pieces that are embedded, each still citing its paragraph.

A piece's text carries context so a short turn can be found: the document title
and section, the speaker, and for a one-line turn ("Oui.") the turn before it.
A paragraph over the token budget is split at sentence boundaries; every piece
keeps the paragraph's id. What is shown and cited is always the paragraph, never
the piece.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import tokens
from .documents import Document, Paragraph

CONTEXT_VERSION = "ctx-2"
SHORT_TURN_WORDS = 12
PREVIOUS_WORDS = 60


@dataclass(frozen=True)
class Piece:
    id: str               # "doc#paragraph#i"
    paragraph: Paragraph
    text: str             # what is embedded


def _header(doc: Document, p: Paragraph) -> str:
    head = doc.label
    if p.section and p.section != doc.title:
        head += f" — {p.section}"
    return head


def pieces_for(doc: Document, budget: int) -> list[Piece]:
    """The embedded pieces of one document, in paragraph order."""
    out: list[Piece] = []
    prev: Paragraph | None = None
    for p in doc.paragraphs:
        body = p.speech.strip()
        who = f"{p.speaker} : " if p.speaker else ""
        before = ""
        if len(body.split()) < SHORT_TURN_WORDS and prev is not None:
            words = prev.text.split()
            before = " ".join(words[-PREVIOUS_WORDS:]) + "\n"
        head = _header(doc, p) + "\n" + before
        room = max(50, budget - tokens.count(head + who))
        for i, chunk in enumerate(tokens.split_to_budget(body, room)):
            out.append(Piece(id=f"{p.key}#{i}", paragraph=p, text=f"{head}{who}{chunk}"))
        prev = p
    return out
