"""The HTTP API (FastAPI): search, ask, quote, health, and an OpenAI-compatible chat endpoint.

``create_app(engine)`` builds the app around an injected ``Engine`` (tests pass
one with fakes); ``rag serve`` runs it with uvicorn. Routes, JSON in and out:

    POST /search {question, k}               -> {question, results: [PARAGRAPH + score]}
    POST /ask    {question, history, stream} -> {question, answer, abstained, citations: [PARAGRAPH]}
                 stream=true: server-sent events ``sources``, ``token``..., ``status`` (slow paths), ``answer`` (or ``error``)
    POST /quote  {quote, claimed_speaker}    -> {quote, verdict, matches: [PARAGRAPH + score + span]}
    POST /v1/chat/completions                -> OpenAI's shape plus ``citations`` (see ``api_openai``)
    GET  /health                             -> {status, index, backend, embedder}; 503 when the index
                                                is missing, mismatched or unreachable (stale still serves)
    GET  /openapi.json, /docs                -> the schema and its browsable page

Errors are one sentence, ``{"error": ...}``: 413 body too large, 422 unusable
input (empty, too long, not JSON), 409 index missing or unusable, 503 a backend
failed or too many answers wait, 500 anything else (never a traceback).
Concurrency: search, quote and health run in the threadpool (they only read);
answers go through ``api_stream.GenerationGate``, one at a time.
What this leaves out: authentication, TLS and rate limiting per client (put a
reverse proxy in front for those).
"""
from __future__ import annotations

import json
from contextlib import aclosing

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse

from .api_schemas import (AskRequest, AskResponse, ErrorOut, Health, OpenAIErrorOut, QuoteRequest, QuoteResponse,
                          SearchRequest, SearchResponse)
from .api_stream import GenerationGate, InternalError, ServerBusy, answer_events
from .engine import clean_question, conversation
from .errors import IndexError_, InputError, RagError, UserError

MAX_BODY_BYTES = 64 * 1024
_STATUSES = ((409, "the index is missing or unusable"), (413, "request body too large"), (422, "unusable input"),
             (500, "internal error"), (503, "a backend failed, or too many answers are waiting"))
ERRORS = {code: {"model": ErrorOut, "description": what} for code, what in _STATUSES}
OPENAI_ERRORS = {code: {"model": OpenAIErrorOut, "description": what} for code, what in _STATUSES}


def status_for(e: RagError) -> int:
    if isinstance(e, InputError):
        return 422
    if isinstance(e, IndexError_):
        return 409
    if isinstance(e, UserError):
        return 400
    return 500 if isinstance(e, InternalError) else 503


def error_body(path: str, message: str, status: int) -> dict:
    """``{"error": sentence}``; OpenAI's ``{"error": {message, type}}`` under /v1."""
    if path.startswith("/v1/"):
        kind = "invalid_request_error" if status < 500 else "server_error"
        return {"error": {"message": message, "type": kind, "code": status}}
    return {"error": message}


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes is refused with 413 before the app sees it."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await self._refuse(scope, send)
        body, more = b"", True
        while more:  # chunked bodies are counted as they come
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            body += msg.get("body", b"")
            more = msg.get("more_body", False)
            if len(body) > self.limit:
                return await self._refuse(scope, send)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()
        await self.app(scope, replay, send)

    async def _refuse(self, scope, send):
        message = f"The request body is larger than {self.limit} bytes."
        await JSONResponse(error_body(scope["path"], message, 413), status_code=413)(scope, None, send)


def _validation_sentence(errors: list[dict]) -> str:
    e = errors[0]
    where = ".".join(str(x) for x in e.get("loc", ())[1:]) or "body"
    if e.get("type") == "json_invalid":
        return "The request body is not valid JSON."
    if where == "body":
        return "The request body must be a JSON object with the fields this route documents."
    if e.get("type") == "missing":
        return f"The field '{where}' is missing."
    return f"The field '{where}' is unusable: {e.get('msg', 'invalid')}."


def sse_schema(*events: str) -> dict:
    """One server-sent event: its name (when it has one) and its data, a JSON text."""
    props = {"data": {"type": "string", "description": "JSON"}}
    if events:
        props["event"] = {"type": "string", "enum": list(events)}
    return {"type": "object", "properties": props, "required": ["data", *(["event"] if events else [])]}


def sse(event: str, data) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def create_app(engine, *, max_body_bytes: int = MAX_BODY_BYTES, max_waiting: int = 32) -> FastAPI:
    app = FastAPI(title="rag", version="1", summary="Answers you can check: every claim cited to its paragraph.")
    app.state.engine = engine
    app.state.gate = gate = GenerationGate(max_waiting)
    app.add_middleware(BodyLimit, limit=max_body_bytes)

    @app.exception_handler(RagError)
    async def on_rag_error(request: Request, e: RagError):
        status = status_for(e)
        headers = {"Retry-After": "5"} if isinstance(e, ServerBusy) else None
        return JSONResponse(error_body(request.url.path, str(e), status), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, e: RequestValidationError):
        body = error_body(request.url.path, _validation_sentence(e.errors()), 422)
        return JSONResponse({**body, "detail": jsonable_encoder(e.errors(), exclude={"input", "ctx", "url"})},
                            status_code=422)

    @app.exception_handler(Exception)
    async def on_crash(request: Request, e: Exception):
        message = f"Internal error ({type(e).__name__}: {e})."
        return JSONResponse(error_body(request.url.path, message, 500), status_code=500)

    @app.post("/search", response_model=SearchResponse, responses=ERRORS)
    def search(req: SearchRequest):
        hits = engine.search(req.question, req.k)
        return {"question": req.question, "results": [h.to_json() for h in hits]}

    @app.post("/quote", response_model=QuoteResponse, responses=ERRORS)
    def quote(req: QuoteRequest):
        return {"quote": req.quote, **engine.quote(req.quote, req.claimed_speaker).to_json()}

    @app.post("/ask", response_model=AskResponse, responses={
        **ERRORS, 200: {"content": {"text/event-stream": {"schema": sse_schema("sources", "token", "status", "answer", "error")}},
                        "description": "the checked answer; with stream=true, server-sent events"}})
    async def ask(req: AskRequest):
        question = clean_question(req.question)
        events = answer_events(gate, engine, question, conversation([(t.question, t.answer) for t in req.history]))
        if req.stream:
            return StreamingResponse(_ask_stream(events, question), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return {"question": question, **(await final_answer(events)).to_json()}

    @app.get("/health", response_model=Health, responses={503: {"model": Health, "description": "not usable"}})
    def health():
        try:
            st = engine.status()
        except RagError as e:  # e.g. the Chroma server is down: say so, do not fail the probe with a 500
            st = {"index": f"unavailable: {e}", "backend": "unknown", "embedder": "unknown"}
        ok = st.get("index") == "ok"
        usable = ok or st.get("index") == "stale"  # answers from the last build until `rag index` runs
        return JSONResponse({"status": "ok" if ok else "degraded", **st}, status_code=200 if usable else 503)

    from .api_openai import router

    app.include_router(router)
    return app


async def final_answer(events):
    """The checked Answer from an event stream; raises the stream's error."""
    async with aclosing(events):
        async for kind, value in events:
            if kind == "error":
                raise value
            if kind == "answer":
                return value
    raise RagError("The answer stream ended without an answer.")


async def _ask_stream(events, question: str):
    async with aclosing(events):
        async for kind, value in events:
            if kind == "sources":
                yield sse("sources", {"results": [h.to_json() for h in value]})
            elif kind == "token":
                yield sse("token", {"text": value})
            elif kind == "status":
                yield sse("status", {"status": value})
            elif kind == "answer":
                yield sse("answer", {"question": question, **value.to_json()})
            elif kind == "error":
                yield sse("error", {"error": str(value), "status": status_for(value)})
