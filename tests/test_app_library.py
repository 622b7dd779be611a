"""The documents page's uploader and remove button (AppTest, real Engine with the bag-of-words embedder)."""
from __future__ import annotations

from .makedocs import ARTICLE_HTML, make_pdf
from .test_app import htmls, start


def upload(at, *files):
    at.file_uploader[0].set_value([(name, data, "application/octet-stream") for name, data in files]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_upload_adds_indexes_and_opens_the_new_document(make_engine, sources):
    eng = make_engine()
    at = start(eng, "documents")
    assert at.file_uploader[0].accept_multiple_files
    upload(at, ("rapport.pdf", make_pdf()), ("notes.docx", b"PK\x03\x04"), ("vide.txt", b""),
           ("lorient.html", ARTICLE_HTML.encode()))
    # one line per file; the good ones are in the index and the documents view, the first one opened
    assert [s.value for s in at.success] == ["rapport.pdf: added «Le rapport du port», 4 paragraphs.",
                                             "lorient.html: added «Le port de Lorient agrandit son bassin», "
                                             "5 paragraphs."]
    errors = [e.value for e in at.error]
    assert errors == ["notes.docx: not a supported format (use .txt, .md, .html, .htm or .pdf).",
                      "vide.txt: the file is empty."]
    assert sorted(d.name for d in eng.documents()) == ["brest.txt", "lorient.html", "rapport.pdf"]
    assert at.selectbox(key="doc").value == "rapport.pdf"
    assert set(at.selectbox(key="doc").options) >= {"Le rapport du port (rapport.pdf)"}
    page = htmls(at)
    assert '<div class="rag-page">page 2</div>' in page and 'id="p-4"' in page
    assert "3 documents" in "\n".join(m.value for m in at.sidebar.markdown)
    # the uploader was emptied: the next run adds nothing again and the messages are gone
    assert at.file_uploader[0].value in (None, [])
    at.run()
    assert not at.success and not at.error
    assert sorted(p.name for p in sources.iterdir()) == ["brest.txt", "lorient.html", "rapport.pdf"]


def test_uploading_a_duplicate_says_so(make_engine, sources):
    at = start(make_engine(), "documents")
    upload(at, ("copie.txt", (sources / "brest.txt").read_bytes()))
    assert [i.value for i in at.info] == ["copie.txt: already in the library as brest.txt (same content); "
                                          "not added again."]
    assert not at.success and sorted(p.name for p in sources.iterdir()) == ["brest.txt"]


def test_remove_asks_then_moves_the_file_and_drops_the_document(make_engine, sources, settings):
    eng = make_engine()
    eng.add_files([("lorient.html", ARTICLE_HTML.encode())])
    at = start(eng, "documents", doc="lorient.html")
    at.button(key="remove").click().run()
    assert "Remove «Le port de Lorient agrandit son bassin» (lorient.html) from the library?" in at.warning[0].value
    at.button(key="remove-cancel").click().run()  # changed my mind
    assert not at.warning and (sources / "lorient.html").exists()
    at.button(key="remove").click().run()
    at.button(key="remove-confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    moved = settings.removed_dir / "lorient.html"
    assert [s.value for s in at.success] == [f"Removed lorient.html: its file is now {moved} "
                                             "(move it back into the sources folder to restore it)."]
    assert moved.exists() and not (sources / "lorient.html").exists()
    assert [d.name for d in eng.documents()] == ["brest.txt"]
    assert at.selectbox(key="doc").value == "brest.txt" and "lorient.html" not in str(at.selectbox(key="doc").options)
    assert at.query_params.get("doc") == "brest.txt"


def test_pdf_citation_card_shows_the_page(make_engine):
    from .test_app import ask

    eng = make_engine("Le bassin serait dragué avant la fin de l'année pour accueillir les grands navires [S1].")
    eng.add_files([("rapport.pdf", make_pdf())])
    at = ask(start(eng), "Quand le bassin sera-t-il dragué pour les grands navires ?")
    assert "Marie Dupont · ¶2 · p. 1" in htmls(at)
    assert [c.value for c in at.code] == ["Le rapport du port — Marie Dupont, ¶2, p. 1 (rapport.pdf)"]
