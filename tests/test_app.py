"""The Streamlit app with fakes (AppTest): chat, quote check, documents, status, errors; and ``rag app``.

The engine is injected through ``st.session_state["rag_engine"]``: the real
``Engine`` over the small test corpus with the bag-of-words embedder and a
scripted chat model, or a stub with a ``quote`` method for the quote page.
"""
from __future__ import annotations

import html
import signal
import socket

import pytest
from streamlit.testing.v1 import AppTest

from rag.verify import CANNOT
from rag.documents import Document, Paragraph
from rag.errors import ConfigError, IndexError_, ModelError
from rag.results import QuoteMatch, QuoteResult
from rag.settings import ROOT
from rag.ui import components as ui
from rag.ui.state import GENERIC_ERROR

APP = str(ROOT / "app.py")
PLANTED = """Titre <script>alert('titre')</script>

Un paragraphe piégé <script>alert("pwned")</script> avec <img src=x onerror=alert(1)> dedans.

JEAN MARTIN — Une réplique & un <b>mot</b> en gras ?
"""


def start(engine, page: str | None = None, **query) -> AppTest:
    """The app with ``engine`` injected, run once, then switched to ``page`` (with ``query`` params)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["rag_engine"] = engine
    at.run()
    if page:
        for k, v in query.items():
            at.query_params[k] = v
        at.switch_page(f"rag/ui/pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def htmls(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html if not h.value.startswith("<style>"))


# -- chat ------------------------------------------------------------------------------------
def test_chat_streams_a_cited_answer_with_source_cards(make_engine):
    at = ask(start(make_engine("Le phare mesure 42 mètres [S1].")), "Combien mesure le phare de Brest ?")
    assert not at.error
    user, bot = at.chat_message
    assert user.name == "user" and bot.name == "assistant"
    page = htmls(at)
    # the answer, its marker [1] a link to source card 1
    assert '42 mètres <a class="rag-cite" href="#src-1-1"' in page
    assert 'class="rag-card" id="src-1-1"' in page
    # the card: title, outlet, author, date, paragraph number, supporting sentence highlighted, link
    assert "LE PORT DE BREST ACCUEILLE UN NOUVEAU PHARE" in page
    assert "Le Journal du Test · Marie Dupont · 3 mars 2024 · ¶1" in page
    assert '<mark class="rag-hl">Le nouveau phare du port de Brest mesure 42 mètres' in page
    assert 'href="documents?doc=brest.txt&amp;p=1#p-1"' in page
    # a citation to copy
    assert [c.value for c in at.code] == ["LE PORT DE BREST ACCUEILLE UN NOUVEAU PHARE — Le Journal du Test, "
                                          "3 mars 2024, ¶1 (brest.txt)"]
    entry = at.session_state["chat"][-1]
    assert entry["tokens"] > 1  # the answer came through st.write_stream piece by piece
    assert entry["answer"].citations[0].n == 1


def test_follow_up_passes_the_conversation(make_engine):
    eng = make_engine("Le phare mesure 42 mètres [S1].",
                      "Standalone: Qui a inauguré le phare de Brest ?\nTranslation: Qui a inauguré le phare de Brest ?",
                      "Anne Le Gall a inauguré le phare [S1].")
    calls, stream = [], eng.ask_stream
    eng.ask_stream = lambda q, h=None: (calls.append((q, h)), stream(q, h))[1]
    at = ask(ask(start(eng), "Combien mesure le phare de Brest ?"), "Et qui l'a inauguré ?")
    first = at.session_state["chat"][1]["answer"].text
    assert calls[0] == ("Combien mesure le phare de Brest ?", [])
    assert calls[1] == ("Et qui l'a inauguré ?", [("user", "Combien mesure le phare de Brest ?"), ("assistant", first)])
    assert len(at.chat_message) == 4
    assert "Anne Le Gall a inauguré le phare" in htmls(at)


def test_an_answer_found_by_the_second_try_replaces_the_status_line(make_engine):
    at = ask(start(make_engine("NO_ANSWER", "Le phare mesure 42 mètres [S1].", retry_sources=2)),
             "Combien mesure le phare de Brest ?")
    assert '42 mètres <a class="rag-cite" href="#src-1-1"' in htmls(at) and not at.info
    assert not [c.value for c in at.caption if "again" in c.value or "writing" in c.value]


def test_abstention_is_an_info_box_without_sources(make_engine):
    at = ask(start(make_engine("NO_ANSWER")), "Quelle est la population de Lyon ?")
    assert [i.value for i in at.info] == [CANNOT["fr"]]
    assert "rag-card" not in htmls(at) and "rag-chip" not in htmls(at)
    assert not at.code


def test_example_question_asks_it(make_engine):
    at = start(make_engine("Le phare mesure 42 mètres [S1]."))
    buttons = [b for b in at.button if b.key and b.key.startswith("example-")]
    assert "Qui a publié les enregistrements ?" in [b.label for b in buttons]
    buttons[0].click().run()
    assert at.session_state["chat"][0] == {"role": "user", "text": buttons[0].label}
    assert len(at.chat_message) == 2


@pytest.mark.parametrize("error, shown", [(ModelError("The local model is not available."),
                                           "The local model is not available."),
                                          (ValueError("secret internals"), GENERIC_ERROR)])
def test_failures_are_one_sentence_never_a_traceback(make_engine, error, shown):
    eng = make_engine("unused")

    def broken(question, history=None):
        raise error
    eng.ask_stream = broken
    at = ask(start(eng), "Combien mesure le phare ?")
    assert [e.value for e in at.error] == [shown]
    assert "secret" not in htmls(at)
    assert at.session_state["chat"][-1]["error"] == shown
    at.run()  # the history shows the failure again, still as a sentence
    assert [e.value for e in at.error] == [shown]


def test_index_failure_shows_the_sentence_in_the_sidebar(make_engine):
    eng = make_engine()

    def missing():
        raise IndexError_("No index at /x: run `rag index` first.")
    eng.documents = missing
    at = start(eng)
    assert "No index at /x: run `rag index` first." in [e.value for e in at.sidebar.error]


def test_sidebar_status_shows_backend_embedder_and_index(make_engine):
    at = start(make_engine())
    side = "\n".join(m.value for m in at.sidebar.markdown)
    assert "local · qwen2.5-coder-1.5b-instruct" in side
    assert "fake-bow" in side
    assert "up to date] · 1 documents, 5 paragraphs" in side
    at.sidebar.button[0].click().run()  # "Update the index"
    assert "Index up to date" in at.sidebar.success[0].value


# -- quote check -----------------------------------------------------------------------------------
class QuoteStub:
    """An engine stand-in with the three methods the quote page uses."""

    def __init__(self, result: QuoteResult, docs: list[Document]):
        self.result, self.docs, self.calls = result, docs, []

    def quote(self, text, speaker=None):
        self.calls.append((text, speaker))
        return self.result

    def documents(self):
        return self.docs

    def status(self):
        return {"backend": "stub", "embedder": "stub", "index": "ok"}


def _transcript():
    said = "ANNE LE GALL — Je suis très fière de ce phare. Nous l'attendions depuis dix ans."
    p3 = Paragraph("brest.txt", 3, said, speaker="Anne Le Gall", speech_start=len("ANNE LE GALL — "))
    p1 = Paragraph("brest.txt", 1, "Le nouveau <phare> mesure 42 mètres.")
    doc = Document("brest.txt", title="Le phare", outlet="Le Journal du Test", date="3 mars 2024",
                   paragraphs=[p1, p3])
    return doc, p1, p3


def test_quote_page_shows_badge_highlighted_span_diff_and_candidates():
    doc, p1, p3 = _transcript()
    start_ = p3.text.index("Je suis")
    end_ = start_ + len("Je suis très fière de ce phare.")
    diff = [("equal", "je suis", "je suis"), ("delete", "", "tres"), ("equal", "fiere de ce phare", "fiere de ce phare")]
    result = QuoteResult("Je suis fière de ce phare.", "close",
                         [QuoteMatch(p3, 0.93, start_, end_, "close", diff), QuoteMatch(p1, 0.4, 11, 28, "paraphrase")],
                         claimed_speaker="Anne Le Gall", speaker_verdict="same")
    stub = QuoteStub(result, [doc])
    at = start(stub, "quote")
    at.text_area(key="quote_text").input("Je suis fière de ce phare.")
    at.text_input(key="quote_speaker").input("Anne Le Gall")
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert stub.calls == [("Je suis fière de ce phare.", "Anne Le Gall")]
    page = htmls(at)
    assert 'class="rag-badge rag-badge-close">Close</span>' in page
    assert '<mark class="rag-hl">Je suis très fière de ce phare.</mark> Nous l&#x27;attendions' in page
    assert '<ins title="in the source, not in the quote">tres</ins>' in page
    assert '<span class="rag-speaker">Anne Le Gall</span>' in page
    assert "as claimed" in at.success[0].value
    assert at.expander[0].label == "Other candidates (1)"
    assert 'nouveau <mark class="rag-hl">&lt;phare&gt; mesure 42</mark>' in page  # the candidate, escaped


@pytest.mark.parametrize("verdict, speaker_verdict, expect", [("altered", "other", "not to Jean Martin"),
                                                              ("not_found", None, None)])
def test_quote_page_other_verdicts(verdict, speaker_verdict, expect):
    doc, _, p3 = _transcript()
    matches = [] if verdict == "not_found" else [
        QuoteMatch(p3, 0.85, 15, 45, verdict, [("equal", "je", "je"), ("insert", "ne", ""), ("equal", "suis", "suis")])]
    stub = QuoteStub(QuoteResult("q", verdict, matches, "Jean Martin", speaker_verdict), [doc])
    at = start(stub, "quote")
    at.text_area(key="quote_text").input("Je ne suis pas fière.")
    at.form_submit_button[0].click().run()
    page = htmls(at)
    assert f"rag-badge-{verdict}" in page
    if expect:
        assert expect in at.warning[0].value
        assert '<del title="in the quote, not in the source">ne</del>' in page
    else:
        assert "rag-card" not in page and "Nothing like this was found" in page


def test_quote_page_with_the_real_checker(make_engine):
    at = start(make_engine(), "quote")
    at.text_area(key="quote_text").input("Je suis très fière de ce phare.")
    at.form_submit_button[0].click().run()
    assert "rag-badge-verbatim" in htmls(at)
    assert '<mark class="rag-hl">Je suis très fière de ce phare</mark>' in htmls(at)


# -- documents ------------------------------------------------------------------------------------
def test_documents_page_numbers_paragraphs_with_anchors_and_escapes_planted_html(make_engine, sources):
    (sources / "piege.txt").write_text(PLANTED, encoding="utf-8")
    eng = make_engine()
    at = start(eng, "documents", doc="piege.txt", p="1")
    assert at.selectbox(key="doc").value == "piege.txt"
    page = htmls(at)
    doc = next(d for d in eng.documents() if d.name == "piege.txt")
    for p in doc.paragraphs:
        assert f'id="p-{p.number}"><a class="rag-pnum" href="#p-{p.number}">¶{p.number}</a>' in page
    assert 'class="rag-para rag-target" id="p-1"' in page
    assert "<script>alert" not in page and "<img" not in page and "<b>mot" not in page
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;mot&lt;/b&gt;" in page
    assert '<span class="rag-speaker">JEAN MARTIN</span>' in page or "rag-speaker" in page
    for md in at.markdown:  # nothing else lets raw HTML through
        assert "<script" not in md.value or not md.proto.allow_html
    scroll = [h.value for h in at.html if "scrollIntoView" in h.value]
    assert len(scroll) == 1 and 'getElementById("p-1")' in scroll[0]
    # Streamlit's sanitizer drops a script whose text contains "<" followed by a letter or digit
    assert "<" not in scroll[0].removeprefix("<script>").strip().removesuffix("</script>")


def test_documents_page_follows_the_selection(make_engine, sources):
    (sources / "piege.txt").write_text(PLANTED, encoding="utf-8")
    at = start(make_engine(), "documents", doc="brest.txt", p="3")
    assert at.header[0].value == "LE PORT DE BREST ACCUEILLE UN NOUVEAU PHARE"
    page = htmls(at)
    assert '<span class="rag-speaker">Anne Le Gall</span>' in page or "rag-speaker" in page
    assert 'class="rag-para rag-target" id="p-3"' in page
    at.selectbox(key="doc").select("piege.txt").run()
    assert at.query_params.get("doc") == "piege.txt" and "p" not in at.query_params
    assert "rag-target" not in htmls(at)


def test_documents_page_names_an_unknown_document(make_engine):
    at = start(make_engine(), "documents", doc="nope.txt", p="2")
    assert "no document named 'nope.txt'" in at.warning[0].value
    assert at.selectbox(key="doc").value == "brest.txt"
    assert "rag-target" not in htmls(at)


# -- components -----------------------------------------------------------------------------------
def test_components_escape_everything_they_are_given():
    assert ui.answer_html("<b>x</b> [1] [7]", "0", {1}) == (
        '<div class="rag-answer">&lt;b&gt;x&lt;/b&gt; <a class="rag-cite" href="#src-0-1" title="source 1">[1]</a>'
        ' [7]</div>')
    assert ui.highlight("a<b>c", 1, 4) == 'a<mark class="rag-hl">&lt;b&gt;</mark>c'
    assert ui.highlight_sentence("One. <Two>.", "<two>.") == 'One. <mark class="rag-hl">&lt;Two&gt;.</mark>'
    assert ui.diff_html([("replace", "<i>", "&")]) == ('<div class="rag-diff"><del title="in the quote, not in the '
                                                       'source">&lt;i&gt;</del> <ins title="in the source, not in '
                                                       'the quote">&amp;</ins></div>')
    assert ui.doc_href("a b&c.txt", 3) == "documents?doc=a%20b%26c.txt&p=3#p-3"
    p = Paragraph("x.txt", 2, "text")
    assert ui.citation_string(None, p) == "x.txt — ¶2 (x.txt)"
    assert html.unescape(ui.verdict_badge("<x>")).count("<x>") == 1


# -- rag app (the launcher) ------------------------------------------------------------------------
def test_launch_refuses_a_busy_port(capsys):
    from rag.launch import run_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert run_app(s.getsockname()[1]) == 1
    assert "already in use" in capsys.readouterr().err


def test_launch_reports_an_error_in_one_sentence(monkeypatch, capsys, settings):
    import rag.launch as launch

    def fail(settings, mine):
        raise ConfigError("The openai backend needs an API key.")
    monkeypatch.setattr(launch, "_prepare", fail)
    assert launch.run_app(8597, settings=settings) == 1
    assert capsys.readouterr().err.strip() == "error: The openai backend needs an API key."


@pytest.mark.parametrize("running_before, stopped", [(None, True), (99, False)])
def test_launch_builds_the_index_then_serves_and_stops_what_it_started(monkeypatch, capsys, settings,
                                                                       running_before, stopped):
    import rag.engine
    import rag.launch as launch
    import rag.llm

    events = []

    class Engine:
        def __init__(self, settings, progress=None):
            self.progress = progress

        def ensure_index(self):
            self.progress("embedding", 1, 2)
            self.progress("embedding", 2, 2)
            events.append("index")
            return {"paragraphs": 5, "warnings": []}

    class Proc:
        def __init__(self, cmd, **kw):
            events.append(("streamlit", cmd[cmd.index("--server.port") + 1], "--server.headless" in cmd))
            self.signals = []

        def wait(self, timeout=None):
            if not self.signals:
                raise KeyboardInterrupt
            return -signal.SIGINT

        def poll(self):
            return None if not self.signals else -signal.SIGINT

        def send_signal(self, sig):
            self.signals.append(sig)
            events.append("streamlit stopped")

    monkeypatch.setattr(rag.engine, "Engine", Engine)
    pid = {"now": running_before}  # 99: a busy server that missed the health check, reused as is

    def ensure_server(s, progress=None):
        events.append("server")
        pid["now"] = pid["now"] or 4242
        return "http://x"
    monkeypatch.setattr(launch, "_server_pid", lambda s: pid["now"])
    monkeypatch.setattr(rag.llm, "is_healthy", lambda s: False)
    monkeypatch.setattr(rag.llm, "ensure_server", ensure_server)
    monkeypatch.setattr(rag.llm, "stop_server", lambda s: events.append("server stopped") or True)
    monkeypatch.setattr(launch.subprocess, "Popen", Proc)
    monkeypatch.setattr("rag.llm.model_file.ensure_model", lambda cache_dir, progress=None: events.append("model file"))
    assert launch.run_app(8596, settings=settings) == 0
    assert events == ["index", "server", ("streamlit", "8596", True), "streamlit stopped"] + (
        ["server stopped"] if stopped else [])
    assert "Index ready: 5 paragraphs." in capsys.readouterr().err
    events.clear()
    # the blocks engine: the app's process loads the model; here only its file is made ready
    assert launch.run_app(8596, settings=settings.model_copy(update={"local_engine": "blocks"})) == 0
    assert events == ["index", "model file", ("streamlit", "8596", True), "streamlit stopped"]
