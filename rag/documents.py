"""The data model: a source document cleaned into numbered paragraphs.

A ``Paragraph`` is the unit everything cites. Its id is the source file name
plus its 1-based number in the cleaned document; the app, the CLI, the JSON and
every citation show these numbers. Headings are not paragraphs: they become the
``section`` of the paragraphs under them. A paragraph of a PDF also knows the
``page`` it starts on (None for other formats); the JSON gains ``"page"`` only
then, so the batch contract's fields stay as they are.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Paragraph:
    doc: str                    # source file name, e.g. "article.txt"
    number: int                 # 1-based, in the cleaned document
    text: str                   # the paragraph as stored and shown (speaker label included)
    speaker: str | None = None  # who speaks, for a transcript turn or its continuation
    section: str | None = None  # the heading the paragraph sits under
    speech_start: int = 0       # offset where the spoken words start (after "NAME — ")
    page: int | None = None     # 1-based page a PDF paragraph starts on

    @property
    def key(self) -> str:
        """Stable id of the paragraph: ``doc#number``."""
        return f"{self.doc}#{self.number}"

    @property
    def speech(self) -> str:
        """The text without its speaker label."""
        return self.text[self.speech_start:]

    def to_json(self) -> dict:
        """The PARAGRAPH object of the batch contract."""
        d = {"doc": self.doc, "paragraph": self.number, "text": self.text, "speaker": self.speaker}
        if self.page is not None:
            d["page"] = self.page
        return d


@dataclass
class Document:
    name: str                          # file name in the sources folder
    sha256: str = ""                   # of the raw file bytes
    title: str | None = None
    author: str | None = None
    date: str | None = None
    outlet: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def label(self) -> str:
        """A short human name: the title, or the file name."""
        return self.title or self.name

    def meta(self) -> dict:
        d = asdict(self)
        d.pop("paragraphs")
        return d
