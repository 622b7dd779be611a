"""End to end in a real browser: upload a PDF through the documents page, ask about it, get a citation into it.

``streamlit run app.py`` on a free loopback port with the real index machinery
(Chroma, manifest, incremental builds) over a temporary sources and index
folder, the bag-of-words embedder and a chat model that answers with the first
sentence of source S1 and cites it (``CitingChat``), so the citation comes
from retrieval over the uploaded file. Debian's chromium drives the page; the
documents page after the upload is saved as ``docs/screenshots/upload.png``.
"""
from __future__ import annotations

import os
import re

import pytest

from rag.settings import ROOT

from .conftest import ARTICLE
from .fakes import BagOfWordsEmbeddings
from .makedocs import make_pdf
from .servers import streamlit_app
from .test_browser import CHROMIUM, CHROMIUM_ARGS, ExtractiveChat, pytestmark  # noqa: F401

SHOTS = ROOT / "docs" / "screenshots"
QUESTION = "Combien d'emplois le projet doit-il créer sur le port ?"


class CitingChat(ExtractiveChat):
    """Answers with the first sentence of source S1 (the best retrieved paragraph; sources are listed best
    last) and cites [S1]."""

    def _reply(self, messages) -> str:
        text = str(messages[-1].content)
        if "Last question:" in text:
            return super()._reply(messages)
        block = re.search(r"^\[S1\] \([^\n]*\)\n(?:[^\n]* says:\n)?(.+)", text, re.M)
        if not block:
            return "NO_ANSWER"
        first = re.split(r"(?<=[.!?])\s+", block.group(1).strip())[0]
        return f"{first} [S1]"


def upload_engine():
    """Named by ``RAG_UI_ENGINE_FACTORY``: RAG_* settings (temporary folders), fake models, real index."""
    from rag.engine import Engine
    from rag.settings import Settings

    return Engine(Settings(), embedder=BagOfWordsEmbeddings(), chat_model=CitingChat(delay=0.02))


@pytest.fixture
def app(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "brest.txt").write_text(ARTICLE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAG_SOURCES_DIR": str(sources),
           "RAG_INDEX_DIR": str(tmp_path / "store"), "ANONYMIZED_TELEMETRY": "False",
           "RAG_UI_ENGINE_FACTORY": "tests.test_browser_upload:upload_engine"}
    with streamlit_app(env, tmp_path / "streamlit.log") as url:
        yield url, sources


def test_upload_a_pdf_then_ask_about_it(app):
    from playwright.sync_api import expect, sync_playwright

    base, sources = app
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        page.goto(f"{base}/documents", wait_until="domcontentloaded")
        uploader = page.locator("[data-testid='stFileUploader'] input[type='file']")
        expect(uploader).to_have_count(1, timeout=60_000)
        uploader.set_input_files([{"name": "rapport.pdf", "mimeType": "application/pdf", "buffer": make_pdf()},
                                  {"name": "notes.docx", "mimeType": "application/octet-stream", "buffer": b"PK"}])
        expect(page.get_by_text("rapport.pdf: added «Le rapport du port», 4 paragraphs.")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("notes.docx: not a supported format")).to_be_visible()
        # the documents view shows it at once, its pages marked
        expect(page.get_by_role("heading", name="Le rapport du port")).to_be_visible()
        expect(page.locator("#p-3")).to_contain_text("Je suis très fière de ce phare")
        expect(page.locator(".rag-page").nth(1)).to_have_text("page 2")
        assert sorted(p.name for p in sources.iterdir()) == ["brest.txt", "rapport.pdf"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / "upload.png"))

        page.locator("[data-testid='stSidebarNav'] a", has_text="Chat").click()  # same session
        box = page.get_by_placeholder("Ask a question about the documents")
        expect(box).to_be_visible(timeout=60_000)
        box.fill(QUESTION)
        box.press("Enter")
        expect(page.locator(".rag-cite").first).to_be_visible(timeout=60_000)
        card = page.locator(".rag-card").first
        expect(card.locator(".rag-card-head")).to_contain_text("Le rapport du port")
        expect(card.locator(".rag-meta")).to_contain_text("¶4 · p. 3")
        expect(card.locator("mark.rag-hl")).to_contain_text("quarante emplois")
        expect(page.locator("[data-testid='stCode']").first).to_contain_text("(rapport.pdf)")
        # the card's link opens the paragraph in the document view, under its page mark
        with page.context.expect_page() as opened:
            card.locator("a.rag-open").click()
        doc_page = opened.value
        expect(doc_page.locator("#p-4")).to_have_class(re.compile("rag-target"), timeout=60_000)
        expect(doc_page.locator("#p-4")).to_contain_text("quarante emplois")
        (SHOTS / "tmp").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "tmp" / "upload-chat.png"))
        browser.close()
