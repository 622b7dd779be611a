"""End to end in a real browser: ``streamlit run app.py`` driven by headless Debian chromium.

Ask a question, see the sources then the cited answer, open a citation in the
document view, check a quote, and make sure HTML planted in a document does not
run. Screenshots go to ``docs/screenshots/`` (chat.png, documents.png, quote.png).

By default the app runs on the real documents with fakes injected through
``RAG_UI_ENGINE_FACTORY=tests.test_browser:fake_engine`` (bag-of-words
embedder, a chat model that answers with the first sentence of source S1), so
no model is needed. With ``RAG_E2E_REAL=1`` a second run uses the real engine
(e5 embedder, local model server; slow) and saves to ``docs/screenshots/real/``.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from rag.settings import ROOT

from .fakes import BagOfWordsEmbeddings
from .servers import streamlit_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "docs" / "screenshots"
PLANTED = """Note piégée

Ce texte essaie <script>window.__pwned = 1</script> et <img src=x onerror="window.__pwned = 2"> sans effet.

Un second paragraphe, tout à fait ordinaire.
"""

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed "
                                 "(apt-get install chromium)")]


class ExtractiveChat(BaseChatModel):
    """A stand-in model: answers with the first sentence of source S1, word by word; rewrites trivially."""

    delay: float = 0.12

    @property
    def _llm_type(self) -> str:
        return "extractive-fake"

    def _reply(self, messages) -> str:
        text = str(messages[-1].content)
        if "Last question:" in text:
            q = re.search(r"Last question: (.+)", text).group(1).strip()
            return f"Standalone: {q}\nTranslation: {q}"
        block = re.search(r"\[(S\d+)\] \([^\n]*\)\n(.+)", text)
        if not block:
            return "NO_ANSWER"
        first = re.split(r"(?<=[.!?])\s+", block.group(2).strip())[0]
        return f"{first} [{block.group(1)}]"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self._reply(messages)))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        for piece in re.findall(r"\S+\s*", self._reply(messages)):
            time.sleep(self.delay)
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


def fake_engine():
    """The app's engine in fake mode (named by ``RAG_UI_ENGINE_FACTORY``): RAG_* settings, fake models."""
    from rag.engine import Engine
    from rag.settings import Settings

    return Engine(Settings(), embedder=BagOfWordsEmbeddings(), chat_model=ExtractiveChat())


@pytest.fixture(params=["fake", "real"])
def app_url(request, tmp_path):
    """A running app on a free loopback port; yields (base URL, mode)."""
    mode = request.param
    if mode == "real" and os.environ.get("RAG_E2E_REAL") != "1":
        pytest.skip("the real-engine run needs RAG_E2E_REAL=1 (local model, minutes)")
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "index" / "sources", sources)
    (sources / "zz_piege.txt").write_text(PLANTED, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAG_SOURCES_DIR": str(sources),
           "RAG_INDEX_DIR": str(tmp_path / "store"), "ANONYMIZED_TELEMETRY": "False"}
    env.pop("RAG_UI_ENGINE_FACTORY", None)
    if mode == "fake":
        env["RAG_UI_ENGINE_FACTORY"] = "tests.test_browser:fake_engine"
    # a local model server started by the real run stays up: it is shared (CLI, app), like `rag ask` leaves it
    with streamlit_app(env, tmp_path / "streamlit.log") as url:
        yield url, mode


def test_ask_open_citation_check_quote(app_url):
    from playwright.sync_api import expect, sync_playwright

    base, mode = app_url
    slow = 900_000 if mode == "real" else 60_000
    shots = SHOTS / "real" if mode == "real" else SHOTS
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.goto(base, wait_until="domcontentloaded")

        # chat: sources first, then the cited answer
        box = page.get_by_placeholder("Ask a question about the documents")
        expect(box).to_be_visible(timeout=slow)
        box.fill("Qui a publié les enregistrements ?")
        box.press("Enter")
        expect(page.locator(".rag-chip").first).to_be_visible(timeout=slow)
        if mode == "fake":  # the answer is still streaming while the sources are shown
            assert page.locator(".rag-cite").count() == 0
            (SHOTS / "tmp").mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "tmp" / "chat-streaming.png"))
        expect(page.locator(".rag-cite").first).to_be_visible(timeout=slow)
        card = page.locator(".rag-card").first
        expect(card).to_be_visible()
        expect(card.locator("mark.rag-hl")).to_have_count(1)
        expect(page.locator("[data-testid='stCode']").first).to_contain_text("¶")
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "chat.png"))

        # the citation link opens the document at that paragraph (in a new tab: the chat stays)
        doc_page = _open_paragraph(context, card.locator("a.rag-open"), slow)

        # planted HTML is shown as text and never runs
        doc_page.goto(f"{base}/documents?doc=zz_piege.txt", wait_until="domcontentloaded")
        expect(doc_page.locator("#p-1")).to_contain_text("<script>window.__pwned = 1</script>", timeout=slow)
        assert doc_page.evaluate("window.__pwned") is None
        assert doc_page.locator(".rag-para img").count() == 0
        doc_page.close()

        # quote check: verbatim with the right speaker, then an altered one with its word diff
        page.goto(f"{base}/quote", wait_until="domcontentloaded")
        _check_quote(page, "Je pense que si nous pouvons résoudre l'affaire Russie-Ukraine, tout le monde sautera de joie.",
                     "Steve Witkoff", slow)
        expect(page.locator(".rag-badge")).to_have_text("Verbatim")
        expect(page.locator(".rag-card mark.rag-hl").first).to_contain_text("tout le monde sautera de joie")
        expect(page.get_by_text("as claimed")).to_be_visible()
        # the matched paragraph, opened from the quote result: a transcript turn deep in the document
        doc_page = _open_paragraph(context, page.locator(".rag-card a.rag-open").first, slow)
        doc_page.wait_for_timeout(500)
        doc_page.screenshot(path=str(shots / "documents.png"))
        doc_page.close()

        _check_quote(page, "Je pense que si nous ne pouvons pas résoudre l'affaire Russie-Ukraine, "
                     "tout le monde sautera de joie.", "Youri Ouchakov", slow)
        expect(page.locator(".rag-badge")).to_have_text("Altered", timeout=slow)
        expect(page.locator(".rag-diff del").first).to_be_visible()
        expect(page.get_by_text("not to Youri Ouchakov")).to_be_visible()
        page.set_viewport_size({"width": 1280, "height": 1400})  # badge, card, diff and speaker verdict
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / "quote.png"))
        browser.close()


def _open_paragraph(context, link, timeout):
    """Click a paragraph link; the new tab shows that paragraph marked and scrolled into view."""
    from playwright.sync_api import expect

    number = re.search(r"¶(\d+)", link.inner_text()).group(1)
    with context.expect_page() as opened:
        link.click()
    doc_page = opened.value
    target = doc_page.locator(f"#p-{number}")
    expect(target).to_be_visible(timeout=timeout)
    expect(target).to_have_class(re.compile("rag-target"))
    expect(target).to_be_in_viewport(timeout=5000)  # the scroll script retries until the paragraph is there
    assert f"p={number}" in doc_page.url and doc_page.url.endswith(f"#p-{number}")
    return doc_page


def _check_quote(page, text, speaker, timeout):
    from playwright.sync_api import expect

    quote = page.get_by_role("textbox", name="Quote", exact=True)
    expect(quote).to_be_visible(timeout=timeout)
    quote.fill(text)
    page.get_by_role("textbox", name="Said by (optional)").fill(speaker)
    page.get_by_role("button", name="Check the quote").click()
    expect(page.locator(".rag-badge")).to_be_visible(timeout=timeout)
    expect(page.locator("[data-testid='stForm'] textarea")).to_have_value(text)
