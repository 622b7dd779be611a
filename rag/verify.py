"""Checking an answer against its sources: the system, not the model, guarantees citations.

``Verifier.check(raw, sources, question, lang)`` turns the model's raw text into
an ``Answer``: invented keys are dropped, each sentence must be supported by the
paragraph it cites (``support``; for a who-said question, the turn holding the
sentence nearest what was said also counts, and the named speaker's own turn is
cited rather than narration that supports the sentence about as well), a wrong key is replaced by the
supporting source, an unsupported sentence is dropped, and a person's name misspelt by one letter is written
as its paragraph writes it (``names.respelled``). What a sentence quotes must
be written in a paragraph it cites, or it cites the one writing it, or goes (``fidelity``). For a when-question the
date is the one a supporting sentence writes, and a sentence giving a day no
cited paragraph writes is dropped (``when``), and so is one whose date's sentence does not
write the specific name the question gives its event ("Anchorage": ``dated_event``). No supported sentence,
or the model's NO_ANSWER, gives the fixed "cannot answer" sentence with no
citations, and so does an answer that is not about the question
(``relevance``). What the question asks for is then checked (``answer_type``):
who spoke, from the cited turn's speaker; when, from the date in the supporting
sentence. A sentence that makes someone speak must cite their turn, or
narration naming them (``attribution``); one making speak someone no cited
paragraph names is dropped, and a question about the words of someone no cited
paragraph names gets the fixed sentence. ``quoted`` gives way to the source
sentence nearest the question when the answer only says the question again.

What it leaves out: entailment (no NLI model runs offline; see ``support``).
"""
from __future__ import annotations

from typing import Callable

from . import answer_type, attribution, citations, dated_event, dates, fidelity, names, relevance, when
from .context import Context, Source
from .results import Answer, Citation
from .support import Support, best_sentence
from .textnorm import clear_language, language

CANNOT = {"en": "The documents do not contain the answer to this question.",
          "fr": "Les documents ne contiennent pas la réponse à cette question."}
SWITCH_MARGIN = 0.25     # a cited source this much weaker than the best-supporting one is replaced by it


class Verifier:
    def __init__(self, retriever, support: Support, context: Context, quotes: Callable | None = None):
        """``retriever`` gives the sources' language and the speakers; ``context`` each source's head and credits;
        ``quotes()`` the quote checker, whose ``written`` tells where an answer's quotes are written
        (``fidelity``; without it, quotes are not checked)."""
        self.retriever = retriever
        self.quotes = quotes
        self.support = support
        self.context = context

    def check(self, raw: str, sources: list[Source], question: str, lang: str,
              rendered: list[str] = ()) -> Answer:
        """``rendered``: the question as the chain rendered it for retrieval (``rewrite.Rewriter``)."""
        cannot = Answer(question=question, text=CANNOT[lang], abstained=True, language=lang)
        known = {s.key for s in sources}
        found = citations.claims(citations.without_heads(raw, [self.context.head(s) for s in sources]), known)
        if not found or not sources:
            return cannot
        texts = [s.shown for s in sources]
        if lang == self.retriever.language and not relevance.about(question, texts):
            return cannot  # the sources never speak of what is asked
        by_key = {s.key: s for s in sources}
        paragraph_of = {k: s.paragraph for k, s in by_key.items()}
        kept = self.cite(found, sources, question, lang)
        written = " ".join([question, *(s.paragraph.text for s in sources)])
        for c in kept:  # "Youi Ouchakov" written as its paragraph writes it
            c.text = names.respelled(c.text, [paragraph_of[k].text for k in c.keys], written)
        if self.quotes is not None:
            kept = fidelity.checked(kept, paragraph_of, self.retriever.language, self.quotes().written)
        asks_time = answer_type.asks_time(question)
        if asks_time:
            kept = when.in_text(kept, paragraph_of)
        if not kept or not answer_type.answers(question, kept, paragraph_of) \
                or self.off_topic(question, kept, sources, lang, rendered):
            return cannot
        kept = attribution.mend(kept, paragraph_of, self.retriever.speakers, self.context.voice)
        kept = attribution.founded(kept, paragraph_of, self.context.credits)
        if who := answer_type.identity_of(question):  # "who is X?": every sentence is about X, its paragraph names X
            kept = [c for c in kept
                    if attribution.named_in([paragraph_of[k] for k in c.keys], who, self.context.credits)]
        asked = attribution.asked_of(question)
        if not kept or not answer_type.answers(question, kept, paragraph_of) or asked and not attribution.named_in(
                [paragraph_of[k] for c in kept for k in c.keys], asked, self.context.credits) \
                or not attribution.reports_words(question, kept):
            return cannot  # words put in the mouth of someone, or asked of someone, no cited paragraph names
        kept = answer_type.complete(question, kept, paragraph_of, self.retriever.speakers, lang)
        if asks_time:  # the date's sentence speaks of the event asked about; a follow-up names its event in
            # its standalone form (``rendered``)
            kept = dated_event.of_event(kept, paragraph_of, " ".join([question, *rendered]),
                                        self.retriever.lexical.count, len(self.retriever.paragraphs))
        if not answer_type.gives_time(question, kept):
            return cannot  # asked when, answered with a sentence that says no date
        text, order = citations.render(kept)
        claim_of = {k: next(c.text for c in kept if k in c.keys) for k in order}
        cites = [Citation(n, by_key[k].paragraph, best_sentence(claim_of[k], by_key[k].paragraph.text))
                 for n, k in enumerate(order, 1)]
        return Answer(question=question, text=text, citations=cites, language=lang)

    def cite(self, found: list[citations.Claim], sources: list[Source], question: str,
             lang: str) -> list[citations.Claim]:
        """The claims some source supports, each citing its supporting sources; the others are dropped.
        A claim is checked by what it says, speakers' names left out (``answer_type.said``/``unnamed``)."""
        who, speakers, texts = answer_type.asks_speaker(question), self.retriever.speakers, [s.shown for s in sources]
        said = [answer_type.said(c.text, question, speakers) if who else answer_type.unnamed(c.text, speakers)
                for c in found]
        paragraphs, heads = [s.paragraph for s in sources], [self.context.head(s) for s in sources]
        score, rank = self.support.matrix(said, texts, paragraphs, heads)
        # the date is the one a supporting sentence writes (``when``); checked again only if a claim gives one
        dated = answer_type.asks_time(question) and any(dates.dates_in(c.text) for c in found)
        if dated:
            bare = [when.undated(s) for s in said]
            d_score, d_rank = self.support.matrix(bare, texts, paragraphs, heads)
        kept: list[citations.Claim] = []
        keys = [s.key for s in sources]
        index = {k: j for j, k in enumerate(keys)}
        for i, c in enumerate(found):
            own = dated and when.own_date(c.text, score[i], rank[i], texts)
            redated = dated and not own \
                and when.cite_dated(c, bare[i], d_score[i], d_rank[i], keys, texts, lang, SWITCH_MARGIN)
            if redated:
                kept.append(redated)
                continue
            passing = [j for j in range(len(sources)) if score[i, j] >= 0.5]
            if not passing and who:  # the turn nearest what the answer says was said
                heard = self.support.heard(said[i], paragraphs)
                passing = [] if heard is None else [heard]
            if not passing:
                continue  # nothing supports this sentence: dropped
            best = max(passing, key=lambda j: rank[i, j])
            near = [j for j in passing if rank[i, j] >= rank[i, best] - SWITCH_MARGIN]
            good = [k for k in c.keys if index[k] in near]
            if who and (own := self._own_turn(c.text, near, paragraphs, rank[i])) is not None \
                    and not any(paragraphs[index[k]].speaker == paragraphs[own].speaker for k in good):
                good = [keys[own]]  # who said it: their own words rather than narration about the call
            # cited to the wrong paragraph: the one that supports it
            kept.append(citations.Claim(when.our_way(c.text, lang) if own else c.text, good or [keys[best]]))
        return kept

    def _own_turn(self, claim: str, near: list[int], paragraphs: list, rank) -> int | None:
        """Among the supporting sources ``near`` the best, the best-ranked turn of the first known speaker
        the claim names, if any."""
        person = answer_type.first_speaker(claim, self.retriever.speakers)
        own = [j for j in near if person and paragraphs[j].speaker == person]
        return max(own, key=lambda j: rank[j]) if own else None

    @staticmethod
    def settled(raw: str, question: str) -> bool:
        """True when the model's own answer shows the sources name nobody for a question asking for a name
        ("la source … est anonyme"): asked again from fewer sources, the small model then names someone
        the paragraph only mentions ("… est Steve Witkoff"), so the fixed sentence stands without a second try."""
        said = " ".join(c.text for c in citations.claims(raw, set()))
        return bool(answer_type.ASKS_NAME.search(question)) and bool(said) and not answer_type.names_new(question, said)

    def off_topic(self, question: str, kept: list[citations.Claim], sources: list[Source], lang: str,
                  rendered: list[str] = ()) -> bool:
        """The answer copies a source, names none of what the question names, or (in the reader's
        language) never uses the question's words, nor do the cited paragraphs use those of the question
        or of its rendering in their language (``rendered``; words compared only within one language)."""
        if relevance.only_quotes(question, kept, self.retriever.speakers):
            return True
        keys = {k for c in kept for k in c.keys}
        cited = [s.paragraph for s in sources if s.key in keys]
        cited_texts = [p.text for p in cited]
        one_each = {p.doc: p for p in cited}.values()
        context = cited_texts + [x for p in one_each for x in self.context.credits(p)]
        text = " ".join(c.text for c in kept)
        if relevance.names_missing(question, text, context):
            return True
        if clear_language(text) not in (None, lang):
            return False  # judged again once translated
        doc_lang = self.retriever.language
        if lang == doc_lang:
            return not relevance.on_topic(question, kept, cited_texts)
        if relevance.on_topic(question, kept):
            return False
        # on_topic holds for a question of too few content words: such a rendering proves nothing here
        theirs = [r for r in rendered
                  if language(r) == doc_lang and len(relevance.content_words(r)) >= relevance.MIN_WORDS]
        return not any(relevance.on_topic(r, [], cited_texts) for r in theirs)

    def quoted(self, answer: Answer, sources: list[Source], question: str, lang: str) -> Answer:
        """An echo of the question gives way to the source sentence nearest it (``relevance.stand_in``),
        quoted with its key; in another language than the sources' the echo stays."""
        found = relevance.stand_in(question, [s.shown for s in sources]) if lang == self.retriever.language else None
        if found is None:
            return answer
        sent, j = found
        return Answer(question=question, text=f"« {sent} » [1]", language=lang,
                      citations=[Citation(1, sources[j].paragraph, sent)])
