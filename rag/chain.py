"""The answer chain: question -> sources -> cited, checked answer.

1. ``rewrite``: with a conversation, the follow-up is made standalone, and a
   question in another language than the documents is also rendered in theirs
   (one small model call; none without a conversation unless ``translate``).
2. Hybrid retrieval over both forms; the best paragraphs (long ones cut to their
   best sentences) that fit the token budget, each under an opaque key [S1]…
3. The prompt from ``prompts/``; the answer streams in the question's language,
   and stops when a sentence beyond the two the prompt asks for begins.
4. ``verify``: the system, not the model, guarantees citations (each sentence
   supported by the paragraph it cites, or dropped; the fixed "cannot answer"
   sentence when nothing holds). An answer in the sources' language when the
   reader asked in another is translated (a short call) and checked again.
5. An answer that does not hold up is asked for once more from the best
   sources; a foreign question the model found no answer to, or answered by
   saying it again, is then asked in the documents' language (rendered by the
   rewrite call, made only then).
"""
from __future__ import annotations

import time
from contextlib import closing
from typing import Callable, Iterator

from langchain_core.messages import HumanMessage, SystemMessage

from . import citations, prompts, relevance
from .context import LATER_TOKENS, PARAGRAPH_TOKENS, Context, Source
from .errors import chat_model_call
from .results import Answer, Hit
from .rewrite import LANG_NAME, Rewriter
from .support import Support
from .textnorm import clear_language, language
from .verify import Verifier

MAX_SENTENCES = 2       # the prompt asks for one or two; generation stops when another one begins
_SLOT = "\x00sources\x00"


class AnswerChain:
    def __init__(self, settings, retriever, model: Callable, sentence_vectors: Callable | None = None):
        self.settings = settings
        self.retriever = retriever
        self._model = model          # a callable returning the chat model (built lazily)
        self.support = Support(retriever.embedder, sentence_vectors)
        self.context = Context(retriever, settings.context_tokens, sentence_vectors, self.support.semantic_ok,
                               # the blocks engine reads whole paragraphs ahead of the questions
                               later_tokens=PARAGRAPH_TOKENS if settings.blocks_engine else LATER_TOKENS)
        self.verifier = Verifier(retriever, self.support, self.context, sentence_vectors)
        folder = settings.prompts_dir
        self.system = prompts.load(folder, "answer_system", frozenset()).format()
        self.user = prompts.load(folder, "answer_user", frozenset({"sources", "question", "language"}))
        self.language_prompt = prompts.load(folder, "answer_language", frozenset({"language", "answer"}))
        self.rewriter = Rewriter(folder, retriever.language, model, settings.translate)

    # -- 2. sources, 3. prompt ------------------------------------------------------
    def select(self, hits: list[Hit], queries: list[str]) -> list[Source]:
        return self.context.select(hits, queries)

    def _messages(self, sources: list[Source], question: str, lang: str, blocks: bool = False):
        """The prompt. With ``blocks`` (a model that reuses source blocks, ``BlockChat``) the user message
        is a list of parts: the fixed start ends the cached prefix, and each source's block is marked."""
        user = self.user.format(sources=_SLOT, question=question, language=LANG_NAME[lang])
        before, after = user.split(_SLOT)
        parts = self.context.parts(sources)
        if not blocks:
            return [SystemMessage(self.system), HumanMessage(before + "".join(t for t, _ in parts) + after)]
        content = [{"type": "text", "text": before, "cache": "prefix"}]
        content += [{"type": "text", "text": t} | ({"cache": "block"} if reuse else {}) for t, reuse in parts]
        content.append({"type": "text", "text": after})
        return [SystemMessage(self.system), HumanMessage(content)]

    def warm(self) -> int:
        """With a model that reuses source blocks, reads every paragraph's block ahead of time (a long
        paragraph, cut to its best sentences per question, is read when asked); returns how many were new."""
        model = self._model()
        if not getattr(model, "caches_blocks", False):
            return 0
        whole = [Source(citations.key(1), p, p.speech) for p in self.retriever.paragraphs
                 if p.speech and self.context.whole(p)]
        return model.warm(self._messages(whole, "", "en", blocks=True))

    def _in_language(self, answer: Answer, raw: str, sources: list[Source], question: str, lang: str,
                     rendered: list[str]) -> Answer:
        """The small model sometimes answers in the sources' language: its answer is translated into the
        reader's (a short call without the sources; asked to answer again, the model repeats itself),
        then checked like any answer. A translation that no longer holds up keeps the first answer."""
        messages = [HumanMessage(self.language_prompt.format(language=LANG_NAME[lang], answer=raw.strip()))]
        with chat_model_call():
            again = str(self._model().invoke(messages).content)
        second = self.verifier.check(again, sources, question, lang, rendered)
        return answer if second.abstained else second

    # -- the whole chain, streamed ---------------------------------------------------
    def stream(self, question: str, history: list[tuple[str, str]]) -> Iterator[tuple[str, object]]:
        t0 = time.perf_counter()
        lang = language(question)
        queries = self.rewriter.forms(question, history)  # 1. (``rewrite``)
        hits = self.retriever.search(queries, 10)
        sources = self.select(hits, queries)
        t_sources = time.perf_counter() - t0
        score_of = {h.paragraph.key: h.score for h in hits}
        shown = [Hit(s.paragraph, score_of[s.paragraph.key]) for s in sources]
        yield "sources", shown
        standalone = queries[1] if history and len(queries) > 1 else question
        model = self._model()
        messages = self._messages(sources, standalone, lang, blocks=getattr(model, "caches_blocks", False))
        pieces = self._generate(model, messages)
        raw, t_first = "", None
        try:
            for piece in pieces:
                if t_first is None:
                    t_first = time.perf_counter() - t0
                raw += piece
                yield "token", piece
        finally:
            pieces.close()  # stops the model now, not when the generator is collected
        rendered = queries[1:]  # the question as rewritten for retrieval, judged on topic too (``Verifier``)
        answer = self.verifier.check(raw, sources, question, lang, rendered)
        retried, asked_in = None, lang
        # an answer in another language than the documents' that only says the question again ("Russian
        # actors might be behind the leak") is asked again in theirs, like a NO_ANSWER (kept if that fails)
        echo = not answer.abstained and lang != self.retriever.language and relevance.echoes(standalone, answer.text)
        if (answer.abstained or echo) and 0 < self.settings.retry_sources < len(sources) \
                and not self.verifier.settled(raw, question):
            yield "status", "second_try"
            empty = echo or bool(citations.ABSTAIN_MARK.search(raw))
            answer, raw, retried, rendered, asked_in = self._second_try(model, answer, raw, sources, question,
                                                                        standalone, lang, rendered, empty)
        if not answer.abstained and relevance.echoes(standalone, answer.text):
            answer = self.verifier.quoted(answer, sources, standalone, lang)
        # the model's own words tell its language (a date sentence we add is already in the reader's); when
        # they do not, it wrote in the language it was asked in
        if not answer.abstained and (clear_language(citations.KEY_GROUP.sub("", raw)) or asked_in) != lang:
            yield "status", "translating"
            answer = self._in_language(answer, raw, sources, question, lang, rendered)
        answer.sources = shown
        answer.timings = {"sources": t_sources, "first_token": t_first, "total": time.perf_counter() - t0,
                          "queries": queries, "raw": raw, "retried": retried}
        yield "answer", answer

    def _second_try(self, model, first: Answer, raw: str, sources: list[Source], question: str, standalone: str,
                    lang: str, rendered: list[str], empty: bool) -> tuple[Answer, str, str | None, list[str], str]:
        """An answer that did not hold up is asked for once more, from the best sources only. For a question
        in another language than the documents, the question is rendered in theirs (a short call, made only
        here). If the model said NO_ANSWER, or nothing the question does not (``empty``), the question is
        asked again in the documents' language and answered in it (translated afterwards,
        ``_in_language``): asked in English, the small model often
        misses a fact in a French paragraph that the French question gets. If it answered but the answer
        failed the checks, that answer is checked once more with the rendering (on topic through its words)
        before the question is asked again in the reader's language (a misreading, which fewer sources mend).
        Returns the answer, its raw text, the second raw answer (or None), the renderings and the language
        the kept answer was asked in."""
        ask, ask_lang, doc_lang = standalone, lang, self.retriever.language
        if lang != doc_lang:
            new = not rendered
            rendered = rendered or self.rewriter.render(standalone, [])[1:]
            in_docs = [f for f in rendered if language(f) == doc_lang]
            if in_docs and empty:
                ask, ask_lang = in_docs[-1], doc_lang
            elif in_docs and new:
                again = self.verifier.check(raw, sources, question, lang, rendered)
                if not again.abstained:
                    return again, raw, None, rendered, lang
        best = sources[:self.settings.retry_sources]
        retried = self._fewer(model, best, ask, ask_lang)
        second = self.verifier.check(retried, best, question, lang, rendered)
        if second.abstained:
            return first, raw, retried, rendered, lang
        return second, retried, retried, rendered, ask_lang

    def _generate(self, model, messages) -> Iterator[str]:
        """The model's answer piece by piece, stopped where a sentence beyond ``MAX_SENTENCES`` begins.
        The model's own stream is read (not ``model | StrOutputParser()``: closing a LangChain sequence
        drains its input, so the model would write its whole answer before the stop took effect)."""
        chunks = model.stream(messages)
        raw = ""
        with closing(chunks), chat_model_call():
            for chunk in chunks:
                piece = chunk.text
                if not piece:
                    continue
                cut = citations.sentence_cut(raw + piece, MAX_SENTENCES)
                if cut is not None:  # a sentence beyond those asked for: stop the model there
                    piece = piece[:max(0, cut - len(raw))]
                    if piece.strip():
                        yield piece
                    return
                raw += piece
                yield piece

    def _fewer(self, model, best: list[Source], question: str, lang: str) -> str:
        """The model's answer from the best sources only: given five, the small model sometimes cites the
        wrong one or says NO_ANSWER although the best ones hold the answer, and reads two more closely.
        Not streamed: the reader sees the checked answer."""
        return "".join(self._generate(model, self._messages(best, question, lang,
                                                            blocks=getattr(model, "caches_blocks", False))))
