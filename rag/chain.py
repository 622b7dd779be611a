"""The answer chain: question -> sources -> cited, checked answer.

1. ``rewrite``: with a conversation, the follow-up is made standalone, and a
   question in another language than the documents is also rendered in theirs;
   one small model call does both. Without a conversation no call is made
   unless ``translate`` is set: the multilingual embedder finds French
   paragraphs for English questions well enough (dev recall@5 1.0 with
   EmbeddingGemma), and the call would cost ~2 s before the sources show.
2. Hybrid retrieval over both forms; the best paragraphs (long ones cut to their
   best sentences) that fit the token budget, each under an opaque key [S1]…
3. The prompt from ``prompts/``; the answer streams in the question's language,
   and stops when a sentence beyond the two the prompt asks for begins.
4. The system, not the model, guarantees citations: invented keys are dropped,
   each sentence must be supported by the paragraph it cites (``support``; for
   a who-said question, the turn holding the sentence nearest what was said
   also counts), a wrong key is replaced by the supporting source, an
   unsupported sentence is dropped. No supported sentence, or the model's
   NO_ANSWER, gives the fixed "cannot answer" sentence with no citations, and
   so does an answer that is not about the question (``relevance``); an answer
   that only says the question again gives way to the source sentence nearest
   the question. What the question asks for is then checked (``answer_type``):
   who spoke, from the cited turn's speaker; when, from the date in the
   supporting sentence. A sentence that makes someone speak must cite their
   turn, or narration naming them (``attribution``).
"""
from __future__ import annotations

import re
import time
from typing import Callable, Iterator

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser

from . import answer_type, attribution, citations, prompts, relevance, when
from .context import Context, Source
from .errors import BackendError, RagError
from .results import Answer, Citation, Hit
from .support import Support, best_sentence
from .textnorm import clear_language, language

CANNOT = {"en": "The documents do not contain the answer to this question.",
          "fr": "Les documents ne contiennent pas la réponse à cette question."}
LANG_NAME = {"en": "English", "fr": "French"}
MAX_SENTENCES = 2       # the prompt asks for one or two; generation stops when another one begins
SWITCH_MARGIN = 0.25     # a cited source this much weaker than the best-supporting one is replaced by it
_SLOT = "\x00sources\x00"


class AnswerChain:
    def __init__(self, settings, retriever, model: Callable, sentence_vectors: Callable | None = None):
        self.settings = settings
        self.retriever = retriever
        self._model = model          # a callable returning the chat model (built lazily)
        self.support = Support(retriever.embedder, sentence_vectors)
        self.context = Context(retriever, settings.context_tokens, sentence_vectors, self.support.semantic_ok)
        folder = settings.prompts_dir
        self.system = prompts.load(folder, "answer_system", frozenset()).format()
        self.user = prompts.load(folder, "answer_user", frozenset({"sources", "question", "language"}))
        self.language_prompt = prompts.load(folder, "answer_language", frozenset({"language", "answer"}))
        self.rewrite_prompt = prompts.load(folder, "rewrite", frozenset({"history", "question", "doc_language"}))

    # -- 1. rewrite -------------------------------------------------------------
    def rewrite(self, question: str, history: list[tuple[str, str]]) -> list[str]:
        doc_lang = self.retriever.language
        if not history and (language(question) == doc_lang or not self.settings.translate):
            return [question]
        hist = "\n".join(f"{'User' if role == 'user' else 'Assistant'}: {text[:300]}" for role, text in history[-4:])
        prompt = self.rewrite_prompt.format(history=hist or "(none)", question=question,
                                            doc_language=LANG_NAME.get(doc_lang, doc_lang))
        try:
            out = self._model().bind(max_tokens=90).invoke([HumanMessage(prompt)]).content
        except Exception as e:
            raise BackendError(f"The chat model did not answer ({e}).") from e
        forms = [question]
        for line in str(out).splitlines():
            m = re.match(r"\s*(standalone|translation)\s*:\s*(.+)", line, re.I)
            if m and m.group(2).strip() not in forms:
                forms.append(m.group(2).strip())
        return forms

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

    # -- 4. checking -------------------------------------------------------------
    def check(self, raw: str, sources: list[Source], question: str, lang: str) -> Answer:
        cannot = Answer(question=question, text=CANNOT[lang], abstained=True, language=lang)
        known = {s.key for s in sources}
        found = citations.claims(raw, known)
        found = [c for c in found if not citations.ABSTAIN_MARK.search(c.text)]
        if not found or not sources:
            return cannot
        texts = [s.shown for s in sources]
        if lang == self.retriever.language and not relevance.about(question, texts):
            return cannot  # the sources never speak of what is asked
        who, speakers = answer_type.asks_speaker(question), self.retriever.speakers
        said = [answer_type.said(c.text, question, speakers) if who else answer_type.unnamed(c.text, speakers)
                for c in found]
        paragraphs, heads = [s.paragraph for s in sources], [self.context.head(s) for s in sources]
        score, rank = self.support.matrix(said, texts, paragraphs, heads)
        dated = answer_type.asks_time(question)
        if dated:  # the date is the one a supporting sentence writes (``when``)
            bare = [when.undated(s) for s in said]
            d_score, d_rank = self.support.matrix(bare, texts, paragraphs, heads)
        kept: list[citations.Claim] = []
        index = {s.key: j for j, s in enumerate(sources)}
        keys = [s.key for s in sources]
        for i, c in enumerate(found):
            redated = dated and when.cite_dated(c, bare[i], d_score[i], d_rank[i], keys, texts, lang, SWITCH_MARGIN)
            if redated:
                kept.append(redated)
                continue
            passing = [j for j in range(len(sources)) if score[i, j] >= 0.5]
            if not passing and who:  # the turn nearest what the answer says was said
                heard = self.support.heard(said[i], [s.paragraph for s in sources])
                passing = [] if heard is None else [heard]
            if not passing:
                continue  # nothing supports this sentence: dropped
            best = max(passing, key=lambda j: rank[i, j])
            good = [k for k in c.keys if index[k] in passing and rank[i, index[k]] >= rank[i, best] - SWITCH_MARGIN]
            if not good:
                good = [sources[best].key]  # cited to the wrong paragraph: the one that supports it
            kept.append(citations.Claim(c.text, good))
        if not kept or not answer_type.answers(question, kept) or self._off_topic(question, kept, sources, lang):
            return cannot
        by_key = {s.key: s for s in sources}
        paragraph_of = {k: s.paragraph for k, s in by_key.items()}
        kept = attribution.mend(kept, paragraph_of, self.retriever.speakers, self.context.voice)
        kept = answer_type.complete(question, kept, paragraph_of, self.retriever.speakers, lang)
        text, order = citations.render(kept)
        claim_of = {k: next(c.text for c in kept if k in c.keys) for k in order}
        cites = [Citation(n, by_key[k].paragraph, best_sentence(claim_of[k], by_key[k].paragraph.text))
                 for n, k in enumerate(order, 1)]
        return Answer(question=question, text=text, citations=cites, language=lang)

    def _off_topic(self, question: str, kept: list[citations.Claim], sources: list[Source], lang: str) -> bool:
        """The answer copies a source, names none of what the question names, or (in the reader's
        language) never uses the question's words."""
        if relevance.only_quotes(question, kept, self.retriever.speakers):
            return True
        keys = {k for c in kept for k in c.keys}
        cited = [s.paragraph for s in sources if s.key in keys]
        docs = [self.retriever.index_doc(name) for name in {p.doc for p in cited}]
        cited_texts = [p.text for p in cited]
        context = cited_texts + [x for d in docs for x in (d.outlet, d.author, d.title) if x]
        text = " ".join(c.text for c in kept)
        if relevance.names_missing(question, text, context):
            return True
        if clear_language(text) not in (None, lang):
            return False  # judged again once translated
        return not relevance.on_topic(question, kept, cited_texts if lang == self.retriever.language else [])

    def _in_language(self, answer: Answer, raw: str, sources: list[Source], question: str, lang: str) -> Answer:
        """The small model sometimes answers in the sources' language: its answer is translated into the
        reader's (a short call without the sources; asked to answer again, the model repeats itself),
        then checked like any answer. A translation that no longer holds up keeps the first answer."""
        messages = [HumanMessage(self.language_prompt.format(language=LANG_NAME[lang], answer=raw.strip()))]
        try:
            again = str(self._model().invoke(messages).content)
        except Exception as e:
            raise BackendError(f"The chat model failed while answering ({e}).") from e
        second = self.check(again, sources, question, lang)
        return answer if second.abstained else second

    def _quoted(self, answer: Answer, sources: list[Source], question: str, lang: str) -> Answer:
        """An echo of the question gives way to the source sentence nearest it (``relevance.stand_in``),
        quoted with its key; in another language than the sources' the echo stays."""
        found = relevance.stand_in(question, [s.shown for s in sources]) if lang == self.retriever.language else None
        if found is None:
            return answer
        sent, j = found
        return Answer(question=question, text=f"« {sent} » [1]", language=lang,
                      citations=[Citation(1, sources[j].paragraph, sent)])

    # -- the whole chain, streamed ---------------------------------------------------
    def stream(self, question: str, history: list[tuple[str, str]]) -> Iterator[tuple[str, object]]:
        t0 = time.perf_counter()
        lang = language(question)
        queries = self.rewrite(question, history)
        hits = self.retriever.search(queries, 10)
        sources = self.select(hits, queries)
        t_sources = time.perf_counter() - t0
        score_of = {h.paragraph.key: h.score for h in hits}
        shown = [Hit(s.paragraph, score_of[s.paragraph.key]) for s in sources]
        yield "sources", shown
        standalone = queries[1] if history and len(queries) > 1 else question
        model = self._model()
        messages = self._messages(sources, standalone, lang, blocks=getattr(model, "caches_blocks", False))
        pieces = (model | StrOutputParser()).stream(messages)
        raw, t_first = "", None
        try:
            for piece in pieces:
                if t_first is None:
                    t_first = time.perf_counter() - t0
                cut = citations.sentence_cut(raw + piece, MAX_SENTENCES)
                if cut is not None:  # a sentence beyond those asked for: stop the model there
                    piece = piece[:max(0, cut - len(raw))]
                    raw += piece
                    if piece.strip():
                        yield "token", piece
                    break
                raw += piece
                yield "token", piece
        except RagError:
            raise
        except Exception as e:
            raise BackendError(f"The chat model failed while answering ({e}).") from e
        finally:
            pieces.close()  # stops the model now, not when the generator is collected
        answer = self.check(raw, sources, question, lang)
        if not answer.abstained and relevance.echoes(standalone, answer.text):
            answer = self._quoted(answer, sources, standalone, lang)
        # the model's own words tell its language (a date sentence we add is already in the reader's)
        if not answer.abstained and clear_language(citations.KEY_GROUP.sub("", raw)) not in (None, lang):
            answer = self._in_language(answer, raw, sources, question, lang)
        answer.sources = shown
        answer.timings = {"sources": t_sources, "first_token": t_first, "total": time.perf_counter() - t0,
                          "queries": queries, "raw": raw}
        yield "answer", answer
