"""The answer chain: question -> sources -> cited, checked answer.

1. ``rewrite``: with a conversation, the follow-up is made standalone, and a
   question in another language than the documents is also rendered in theirs;
   one small model call does both. Without a conversation no call is made
   unless ``translate`` is set: the multilingual embedder finds French
   paragraphs for English questions well enough (dev recall@5 1.0 with
   EmbeddingGemma), and the call would cost ~2 s before the sources show.
2. Hybrid retrieval over both forms; the best paragraphs (long ones cut to their
   best sentences) that fit the token budget, each under an opaque key [S1]…
3. The prompt from ``prompts/``; the answer streams in the question's language.
4. The system, not the model, guarantees citations: invented keys are dropped,
   each sentence must be supported by the paragraph it cites (``support``), a
   wrong key is replaced by the supporting source, an unsupported sentence is
   dropped. No supported sentence, or the model's NO_ANSWER, gives the fixed
   "cannot answer" sentence with no citations.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import RunnableLambda

from . import citations, prompts, tokens
from .documents import Paragraph
from .errors import BackendError, RagError
from .results import Answer, Citation, Hit
from .support import Support, best_sentence, lexical
from .textnorm import language

CANNOT = {"en": "The documents do not contain the answer to this question.",
          "fr": "Les documents ne contiennent pas la réponse à cette question."}
LANG_NAME = {"en": "English", "fr": "French"}
# Prompt size is what the local model's first token waits for (~85 prompt tokens a second on 2 cores);
# measured on the dev set, 4 sources of 70 tokens answer in half the time but lose a quarter of the
# answers, so quality wins: 5 sources, long paragraphs cut to their sentences that share most terms
# with the question (choosing them by embedding similarity measured worse on the dev set).
SOURCES_K = 5
PER_SPEAKER = 2          # at most this many turns of one speaker among the sources: room for descriptions
PARAGRAPH_TOKENS = 150
SWITCH_MARGIN = 0.25     # a cited source this much weaker than the best-supporting one is replaced by it


@dataclass
class Source:
    key: str
    paragraph: Paragraph
    shown: str          # the text given to the model (the paragraph, or its best sentences)


class AnswerChain:
    def __init__(self, settings, retriever, model: Callable, sentence_vectors: Callable | None = None):
        self.settings = settings
        self.retriever = retriever
        self._model = model          # a callable returning the chat model (built lazily)
        self.support = Support(retriever.embedder, sentence_vectors)
        folder = settings.prompts_dir
        self.system = prompts.load(folder, "answer_system", frozenset()).format()
        self.user = prompts.load(folder, "answer_user", frozenset({"sources", "question", "language"}))
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

    # -- 2. sources ---------------------------------------------------------------
    def select(self, hits: list[Hit], queries: list[str]) -> list[Source]:
        out: list[Source] = []
        budget = self.settings.context_tokens
        per_speaker: dict[str, int] = {}
        for h in hits:
            if len(out) >= SOURCES_K:
                break
            who = h.paragraph.speaker
            if who and per_speaker.get(who, 0) >= PER_SPEAKER:
                continue
            per_speaker[who] = per_speaker.get(who, 0) + 1
            text = h.paragraph.text
            if tokens.count(text) > PARAGRAPH_TOKENS:
                text = self._best_sentences(h.paragraph, queries)
            cost = tokens.count(text) + 20
            if out and cost > budget:
                break
            budget -= cost
            out.append(Source(citations.key(len(out) + 1), h.paragraph, text))
        return out

    @staticmethod
    def _best_sentences(paragraph: Paragraph, queries: list[str]) -> str:
        """The paragraph's sentences sharing most terms with the question, in their order, within budget."""
        sents = tokens.sentences(paragraph.text)
        ranked = sorted(range(len(sents)), key=lambda i: -max(lexical(q, sents[i]) for q in queries))
        keep, used = set(), 0
        for i in ranked:
            n = tokens.count(sents[i])
            if keep and used + n > PARAGRAPH_TOKENS:
                break
            keep.add(i)
            used += n
        return " … ".join(sents[i] for i in sorted(keep))

    def _messages(self, sources: list[Source], question: str, lang: str):
        blocks = []
        for s in reversed(sources):  # the best source last, nearest the question: small models read it best
            doc = self.retriever.index_doc(s.paragraph.doc)
            head = ", ".join(filter(None, [doc.outlet or doc.author or doc.title, doc.date]))
            who = f"\n{s.paragraph.speaker} says:" if s.paragraph.speaker else ""
            blocks.append(f"[{s.key}] ({head}){who}\n{s.shown}")
        user = self.user.format(sources="\n\n".join(blocks), question=question, language=LANG_NAME[lang])
        return [SystemMessage(self.system), HumanMessage(user)]

    # -- 4. checking -------------------------------------------------------------
    def check(self, raw: str, sources: list[Source], question: str, lang: str) -> Answer:
        cannot = Answer(question=question, text=CANNOT[lang], abstained=True, language=lang)
        known = {s.key for s in sources}
        found = citations.claims(raw, known)
        found = [c for c in found if not citations.ABSTAIN_MARK.search(c.text)]
        if not found or not sources:
            return cannot
        score, rank = self.support.matrix([c.text for c in found], [s.shown for s in sources],
                                    [s.paragraph for s in sources])
        kept: list[citations.Claim] = []
        for i, c in enumerate(found):
            passing = [j for j in range(len(sources)) if score[i, j] >= 0.5]
            if not passing:
                continue  # nothing supports this sentence: dropped
            best = max(passing, key=lambda j: rank[i, j])
            good = [k for k in c.keys if int(k[1:]) - 1 in passing
                    and rank[i, int(k[1:]) - 1] >= rank[i, best] - SWITCH_MARGIN]
            if not good:
                good = [sources[best].key]  # cited to the wrong paragraph: the one that supports it
            kept.append(citations.Claim(c.text, good))
        if not kept:
            return cannot
        text, order = citations.render(kept)
        by_key = {s.key: s for s in sources}
        claim_of = {k: next(c.text for c in kept if k in c.keys) for k in order}
        cites = [Citation(n, by_key[k].paragraph, best_sentence(claim_of[k], by_key[k].paragraph.text))
                 for n, k in enumerate(order, 1)]
        return Answer(question=question, text=text, citations=cites, language=lang)

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
        generate = RunnableLambda(lambda q: self._messages(sources, q, lang)) | self._model() | StrOutputParser()
        raw, t_first = "", None
        try:
            for piece in generate.stream(standalone):
                if t_first is None:
                    t_first = time.perf_counter() - t0
                raw += piece
                yield "token", piece
        except RagError:
            raise
        except Exception as e:
            raise BackendError(f"The chat model failed while answering ({e}).") from e
        answer = self.check(raw, sources, question, lang)
        answer.sources = shown
        answer.timings = {"sources": t_sources, "first_token": t_first, "total": time.perf_counter() - t0,
                          "queries": queries, "raw": raw}
        yield "answer", answer
