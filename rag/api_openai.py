"""An OpenAI-compatible ``POST /v1/chat/completions`` (and ``GET /v1/models``) whose answers carry citations.

The last user message is the question; earlier user/assistant pairs are the
history; system messages are ignored (the project's own prompts decide how to
answer). The reply is OpenAI's ``chat.completion`` with the checked answer,
``[n]`` markers included, as the message content, plus two fields of ours:
``citations`` (the PARAGRAPHs behind ``[1]``, ``[2]``..., in order) and
``abstained``. Streamed (``stream: true``), it is OpenAI's ``chat.completion.chunk``
events ending in ``data: [DONE]``: the role first, then SSE comment lines while
the model writes (keep-alives that clients ignore), then the *checked* answer's
text in pieces, then a last chunk with ``finish_reason`` and the citations.
Content is sent only once checked because a client concatenates deltas, and the
check can change the raw text (markers renumbered, unsupported claims removed);
``POST /ask`` with ``stream`` is the route for raw tokens as they come.
What this leaves out: tools, n > 1, logprobs, token usage counts and sampling
parameters (accepted, ignored: the settings decide).
"""
from __future__ import annotations

import json
import re
import time
import uuid
from contextlib import aclosing

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from .api import OPENAI_ERRORS, answer_events, final_answer, sse_schema, status_for
from .api_schemas import ChatRequest, ChatResponse
from .engine import clean_question, conversation
from .errors import InputError

router = APIRouter()


def _conversation(req: ChatRequest) -> tuple[str, list[tuple[str, str]]]:
    turns = [m for m in req.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise InputError("The last message must be the user's question.")
    history, pending = [], None
    for m in turns[:-1]:
        if m.role == "user":
            pending = m.text()
        elif pending is not None:
            history.append((pending, m.text()))
            pending = None
    return clean_question(turns[-1].text()), conversation(history[-10:])


def _model_name(request: Request, req: ChatRequest) -> str:
    settings = getattr(request.app.state.engine, "settings", None)
    return req.model or (settings.model_name if settings else "rag")


def _chunk(cid: str, created: int, model: str, delta: dict, finish: str | None = None, **extra) -> str:
    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


@router.get("/v1/models")
def models(request: Request):
    settings = getattr(request.app.state.engine, "settings", None)
    name = settings.model_name if settings else "rag"
    return {"object": "list", "data": [{"id": name, "object": "model", "created": 0, "owned_by": "rag"}]}


@router.post("/v1/chat/completions", response_model=ChatResponse, responses={
    **OPENAI_ERRORS, 200: {"content": {"text/event-stream": {"schema": sse_schema()}},
          "description": "a chat.completion; with stream=true, chat.completion.chunk events"}})
async def chat_completions(req: ChatRequest, request: Request):
    question, history = _conversation(req)
    events = answer_events(request.app.state.gate, request.app.state.engine, question, history)
    cid, created, model = f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), _model_name(request, req)
    if not req.stream:
        answer = await final_answer(events)
        return {"id": cid, "created": created, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text},
                             "finish_reason": "stop"}],
                "citations": [c.to_json() for c in answer.citations], "abstained": answer.abstained}

    async def stream():
        yield _chunk(cid, created, model, {"role": "assistant", "content": ""})
        async with aclosing(events):
            async for kind, value in events:
                if kind == "token":
                    yield ": generating\n\n"
                elif kind == "error":
                    body = {"error": {"message": str(value), "type": "server_error", "code": status_for(value)}}
                    yield f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
                    break
                elif kind == "answer":
                    for piece in re.findall(r"\S+\s*|\s+", value.text):
                        yield _chunk(cid, created, model, {"content": piece})
                    yield _chunk(cid, created, model, {}, "stop", citations=[c.to_json() for c in value.citations],
                                 abstained=value.abstained)
        yield "data: [DONE]\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
