"""HTML pages and PDF files as sources: main text, metadata, paragraph numbers, pages, broken files."""
from __future__ import annotations

import json

import pytest

from rag.formats.html import html_to_text
from rag.formats.pdf import strip_furniture
from rag.sources import load_corpus, read_document

from .makedocs import ARTICLE_HTML, BOILERPLATE, HEADER, IN_ARTICLE, make_pdf
from .test_sources import GOOD_TXT, snapshot


def _write(folder, name, data):
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return folder / name


# -- HTML ------------------------------------------------------------------------------------------
def test_html_main_text_metadata_and_numbers(tmp_path):
    doc = read_document(_write(tmp_path, "lorient.html", ARTICLE_HTML))
    assert doc.title == "Le port de Lorient agrandit son bassin"      # not "… | Le Courrier du Test"
    assert (doc.author, doc.date, doc.outlet) == ("Paul Le Bihan", "2024-05-14", "Le Courrier du Test")
    texts = [p.text for p in doc.paragraphs]
    assert [p.number for p in doc.paragraphs] == [1, 2, 3, 4, 5]
    assert texts[0].startswith("Le port de pêche de Lorient va agrandir son bassin principal de 300 mètres")
    assert texts[0].endswith("devant les armateurs réunis.")           # the source's line wrap is joined
    assert "présenté mardi aux élus" in texts[1]                          # inline markup is only text
    assert [p.speaker for p in doc.paragraphs[2:]] == ["Marc Kerjean", "Paul Le Bihan", "Marc Kerjean"]
    assert doc.paragraphs[2].section == "Entretien avec le directeur"   # an <h2> is a section, not a paragraph
    assert all(p.page is None for p in doc.paragraphs)
    assert "page" not in doc.paragraphs[0].to_json()                    # the batch contract is unchanged


def test_html_boilerplate_is_gone(tmp_path):
    text, _ = html_to_text(ARTICLE_HTML.encode())
    for furniture in BOILERPLATE:  # the page's furniture: left behind by the extractor
        assert furniture not in text, furniture
    doc = read_document(_write(tmp_path, "lorient.html", ARTICLE_HTML))
    stored = "\n".join([p.text for p in doc.paragraphs] + [p.section or "" for p in doc.paragraphs])
    for furniture in BOILERPLATE + IN_ARTICLE:  # sharing row, paywall prompt, photo credit: the text rules
        assert furniture not in stored, furniture


def test_html_without_an_article_is_refused(tmp_path):
    page = "<html><body><nav><a href='/'>Accueil</a> <a href='/x'>Sport</a></nav></body></html>"
    with pytest.raises(ValueError, match="no article text|no paragraph of content"):
        read_document(_write(tmp_path, "menu.html", page))


def test_html_encoding_is_read_from_the_page(tmp_path):
    latin = ARTICLE_HTML.replace('charset="utf-8"', 'charset="iso-8859-1"').replace("manœuvrer", "manoeuvrer").replace("—", ":")
    doc = read_document(_write(tmp_path, "latin.htm", latin.encode("latin-1")))
    assert "Le port de pêche de Lorient" in doc.paragraphs[0].text
    assert doc.paragraphs[2].text.startswith("MARC KERJEAN : Nous") and doc.paragraphs[2].speaker == "Marc Kerjean"


# -- PDF -------------------------------------------------------------------------------------------
def test_pdf_paragraphs_know_their_page_and_a_page_break_is_healed(tmp_path):
    doc = read_document(_write(tmp_path, "rapport.pdf", make_pdf()))
    assert doc.title == "Le rapport du port" and doc.author == "Marie Dupont"
    texts = [p.text for p in doc.paragraphs]
    assert [p.number for p in doc.paragraphs] == [1, 2, 3, 4]
    assert [p.page for p in doc.paragraphs] == [1, 1, 2, 3]
    # cut by the page break after "elle a annoncé que", rejoined; the header and "Page 1" between are gone
    assert texts[1].endswith("et elle a annoncé que le bassin serait dragué avant la fin de l'année pour "
                             "accueillir les grands navires.")
    assert doc.paragraphs[2].speaker == "Anne Le Gall"
    assert not any(HEADER in t or "Page " in t for t in texts)
    assert json.loads(json.dumps(doc.paragraphs[2].to_json()))["page"] == 2


def test_pdf_without_running_header_keeps_its_lines(tmp_path):
    doc = read_document(_write(tmp_path, "plain.pdf", make_pdf(header=None, numbers=False, title=None)))
    assert [p.page for p in doc.paragraphs] == [1, 1, 2, 3]
    assert doc.title == "Le rapport du port"


def test_page_furniture_is_recognised():
    pages = ["Journal du port\nUn texte.\n\n3", "Journal du port\nUn autre texte.\n\nPage 4 of 9",
             "Une page sans furniture.\n12 / 40"]
    assert strip_furniture(pages) == ["Un texte.", "Un autre texte.", "Une page sans furniture."]
    # a long line that recurs at the top of pages is text (a repeated sentence), not a running header
    long = "Le conseil municipal a voté le budget du port et les élus ont débattu des travaux du bassin"
    pages = [f"{long} 1.\nUne suite.", f"{long} 2.\nUne autre suite."]
    assert strip_furniture(pages) == pages


@pytest.mark.parametrize("data, reason", [
    (b"%PDF-1.4\n%broken beyond repair\n", "not a valid PDF"),
    (b"%PDF-1.7 " + bytes(range(256)) * 8, "not a valid PDF"),
])
def test_broken_pdf_is_refused_with_a_reason(tmp_path, data, reason):
    with pytest.raises(ValueError, match=reason):
        read_document(_write(tmp_path, "broken.pdf", data))


def test_pdf_without_text_is_refused(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 50, 50)  # a drawing, no text: what a scan looks like to a text extractor
    with pytest.raises(ValueError, match="no text"):
        read_document(_write(tmp_path, "scan.pdf", bytes(pdf.output())))


def test_folder_with_every_format_and_files_left_untouched(tmp_path):
    d = tmp_path / "sources"
    _write(d, "a.txt", GOOD_TXT)
    _write(d, "b.html", ARTICLE_HTML)
    _write(d, "c.pdf", make_pdf())
    _write(d, "d.pdf", b"%PDF-1.4 not really")
    before = snapshot(d)
    corpus = load_corpus(d)
    assert [x.name for x in corpus.documents] == ["a.txt", "b.html", "c.pdf"]
    assert len(corpus.warnings) == 1 and corpus.warnings[0].startswith("Skipped d.pdf: it is not a valid PDF")
    assert snapshot(d) == before


def test_repeated_body_text_at_page_edges_is_not_taken_for_furniture(tmp_path):
    same = "Le conseil municipal a voté le budget du port, les élus ont débattu des travaux. " * 4
    pages = [[f"Page {n} paragraphe {i} : {same}" for i in range(2)] for n in range(1, 7)]
    doc = read_document(_write(tmp_path, "long.pdf", make_pdf(pages)))
    assert [p.page for p in doc.paragraphs] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    assert all(p.text.endswith("débattu des travaux.") for p in doc.paragraphs)
    assert doc.title == "Rapport 2024"  # the running header is dropped; the PDF's own title fills in
