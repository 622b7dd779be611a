"""The HTTP API's request and response shapes (pydantic), which make its OpenAPI schema.

Responses carry the batch contract's JSON (``../shared/eval/README.md``): a
PARAGRAPH is ``{doc, paragraph, text, speaker}``; search hits and quote matches
add ``score``. Requests are bounded here (question and quote length, history
and message counts) so an oversized field is a 422 before any work is done.
What this leaves out: the OpenAI API's fields we do not use (tools, logprobs,
n > 1...) are accepted and ignored, never honoured.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .engine import MAX_QUESTION_CHARS
from .quote import MAX_CHARS as MAX_QUOTE_CHARS

MAX_TURNS = 20        # history turns kept from a request
MAX_MESSAGE_CHARS = 8000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchRequest(_Strict):
    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS)
    k: int = Field(10, ge=1, le=100, description="how many paragraphs")


class Turn(_Strict):
    question: str = Field(..., max_length=MAX_MESSAGE_CHARS)
    answer: str = Field(..., max_length=MAX_MESSAGE_CHARS)


class AskRequest(_Strict):
    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS)
    history: list[Turn] = Field(default_factory=list, max_length=MAX_TURNS, description="earlier turns, oldest first")
    stream: bool = Field(False, description="server-sent events: sources, tokens, then the checked answer")


class QuoteRequest(_Strict):
    quote: str = Field(..., min_length=1, max_length=MAX_QUOTE_CHARS)
    claimed_speaker: str | None = Field(None, max_length=200, description="who is said to have said it")


class ParagraphOut(BaseModel):
    doc: str
    paragraph: int
    text: str
    speaker: str | None


class HitOut(ParagraphOut):
    score: float


class MatchOut(HitOut):
    model_config = ConfigDict(extra="allow")  # start, end, kind, diff, continues
    start: int
    end: int
    kind: str


class SearchResponse(BaseModel):
    question: str
    results: list[HitOut]


class AskResponse(BaseModel):
    question: str
    answer: str
    abstained: bool
    citations: list[ParagraphOut]


class QuoteResponse(BaseModel):
    model_config = ConfigDict(extra="allow")  # claimed_speaker, speaker_verdict
    quote: str
    verdict: Literal["verbatim", "close", "paraphrase", "altered", "not_found"]
    matches: list[MatchOut]


class ErrorOut(BaseModel):
    model_config = ConfigDict(extra="allow")  # 422s also carry pydantic's "detail"
    error: str


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    code: int


class OpenAIErrorOut(BaseModel):
    error: OpenAIErrorDetail


class Health(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: Literal["ok", "degraded"]
    index: str
    backend: str
    embedder: str


# -- the OpenAI-compatible chat completions ------------------------------------------------------
class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(p.text for p in self.content if p.text)
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens...: accepted, not honoured
    model: str | None = None
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=2 * MAX_TURNS + 2)
    stream: bool = False


class ChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: ChoiceMessage
    finish_reason: Literal["stop"] = "stop"


class ChatResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    citations: list[ParagraphOut] = Field(description="the paragraphs behind the answer's [n] markers, in order")
    abstained: bool
