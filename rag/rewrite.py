"""Step 1 of the answer chain: the forms of a question that retrieval and the model read.

``Rewriter.forms(question, history)`` returns the question, then (with a
conversation) its standalone form and its rendering in the documents' language,
made by one small model call (``prompts/rewrite.txt``; a follow-up already in the documents' language
is only made standalone, ``prompts/rewrite_standalone.txt``: half the words to write); a form that drops every name the question writes is
not kept (the 1.5B model's "rewrite" sometimes loses the question's subject). Without a conversation
no call is made unless ``translate`` is set: the multilingual embedder finds
French paragraphs for English questions well enough (dev recall@5 1.0 with
EmbeddingGemma), and the call would cost about 1 s before the sources show.
``render`` makes that rendering on demand (the chain's second try); without a
conversation it asks for the translation alone (``prompts/translate_question.txt``:
about 1.1 s here, against 2.3 s for the rewrite prompt, which also turned some
questions into statements). What it leaves out: checking a form beyond its names (a poor
rendering only costs the second try its chance), and resolving a pronoun the model leaves ("What did he
say…" after "Who is Steve Witkoff?").
"""
from __future__ import annotations

import re
from typing import Callable

from langchain_core.messages import HumanMessage

from . import prompts, relevance
from .errors import chat_model_call
from .textnorm import language

LANG_NAME = {"en": "English", "fr": "French"}
_LABELLED = re.compile(r"\s*(standalone|translation)\s*:\s*(.+)", re.I)
_LABEL = re.compile(r"^(translation|traduction)\s*:\s*", re.I)


class Rewriter:
    def __init__(self, prompts_dir, doc_language: str, model: Callable, translate: bool = False):
        """``doc_language``: the documents' language (the chain is rebuilt with its retriever when the
        index changes); ``model()`` returns the chat model."""
        self.doc_language = doc_language
        self._model = model
        self.translate = translate
        self.rewrite_prompt = prompts.load(prompts_dir, "rewrite", frozenset({"history", "question", "doc_language"}))
        self.standalone_prompt = prompts.load(prompts_dir, "rewrite_standalone", frozenset({"history", "question"}))
        self.translate_prompt = prompts.load(prompts_dir, "translate_question",
                                             frozenset({"question", "doc_language"}))

    def forms(self, question: str, history: list[tuple[str, str]]) -> list[str]:
        """The question and the forms retrieval also searches with (none without a conversation unless
        ``translate`` is set and the question is in another language than the documents)."""
        if not history and (language(question) == self.doc_language or not self.translate):
            return [question]
        return self.render(question, history)

    def render(self, question: str, history: list[tuple[str, str]]) -> list[str]:
        """The question, then its rendering in the documents' language when it differs; with a
        conversation, the question, its standalone form (the question itself when the model's drops its
        names or is missing), then the rendering when it differs from both."""
        name = LANG_NAME.get(self.doc_language, self.doc_language)
        if not history:
            out = self._call(self.translate_prompt.format(doc_language=name, question=question), 60)
            line = next((x.strip() for x in out.splitlines() if x.strip()), "")
            line = _LABEL.sub("", line).strip(" \"'«»")
            return [question] + ([line] if line and line != question else [])
        hist = "\n".join(f"{'User' if role == 'user' else 'Assistant'}: {text[:300]}" for role, text in history[-4:])
        if language(question) == self.doc_language:  # no translation to write
            out = self._call(self.standalone_prompt.format(history=hist, question=question), 60)
        else:
            out = self._call(self.rewrite_prompt.format(history=hist, question=question, doc_language=name), 90)
        said = {}
        for line in out.splitlines():
            if (m := _LABELLED.match(line)) and m.group(1).lower() not in said:
                said[m.group(1).lower()] = m.group(2).strip()
        # a form that drops every name the question writes is another question ("Quel format de plan de paix
        # Witkoff y évoque-t-il ?" rendered "Quel type de plan de paix fait-il mention dans le texte ?")
        kept = {k: v for k, v in said.items() if v and not relevance.names_missing(question, v, [])}
        standalone, translation = kept.get("standalone", question), kept.get("translation")
        return [question, standalone] + ([translation] if translation not in (None, question, standalone) else [])

    def _call(self, prompt: str, max_tokens: int) -> str:
        with chat_model_call():
            return str(self._model().bind(max_tokens=max_tokens).invoke([HumanMessage(prompt)]).content)
