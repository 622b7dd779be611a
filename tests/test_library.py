"""Adding and removing documents: rag.library, the Engine facade and ``rag add`` / ``rag remove``."""
from __future__ import annotations

import json

import pytest

from rag import cli
from rag.chunking import pieces_for
from rag.errors import InputError
from rag.library import add_files, free_name, remove_document, safe_name
from rag.quote_semantic import build_units

from .fakes import BagOfWordsEmbeddings
from .makedocs import ARTICLE_HTML, make_pdf
from .test_sources import snapshot


class RecordingEmbeddings(BagOfWordsEmbeddings):
    def __init__(self):
        self.texts: list[str] = []

    def embed_documents(self, texts):
        self.texts += texts
        return super().embed_documents(texts)


@pytest.fixture
def engine(make_engine, settings):
    from rag.engine import Engine

    eng = Engine(settings, embedder=RecordingEmbeddings())
    eng.ensure_index()
    eng.embedder.texts.clear()
    return eng


def names(eng) -> list[str]:
    return sorted(d.name for d in eng.documents())


# -- adding ----------------------------------------------------------------------------------------
def test_added_files_are_indexed_incrementally_and_searchable(engine, sources):
    before = snapshot(sources)
    report = engine.add_files([("rapport.pdf", make_pdf()), ("lorient.html", ARTICLE_HTML.encode())])
    assert [o.status for o in report.outcomes] == ["added", "added"]
    assert report.outcomes[0].message == "rapport.pdf: added «Le rapport du port», 4 paragraphs."
    assert report.index["embedded"] == 2 and report.index["kept"] == 1
    assert names(engine) == ["brest.txt", "lorient.html", "rapport.pdf"]
    # only the new files were embedded: their pieces for the index, their sentences for the quote check
    docs = {d.name: d for d in engine.documents()}
    unit_texts = lambda d: [d.paragraphs[u.para].text[u.start:u.end] for u in build_units(d.paragraphs)]  # noqa: E731
    known = set(unit_texts(docs["brest.txt"]))  # a sentence both files share is not embedded again
    expected = [pc.text for n in ("lorient.html", "rapport.pdf") for pc in pieces_for(docs[n], 300)]
    expected += dict.fromkeys(t for n in ("lorient.html", "rapport.pdf") for t in unit_texts(docs[n]) if t not in known)
    assert sorted(engine.embedder.texts) == sorted(expected)
    hits = engine.search("Quand le bassin sera-t-il dragué pour les grands navires ?", 3)
    assert (hits[0].paragraph.doc, hits[0].paragraph.number, hits[0].paragraph.page) == ("rapport.pdf", 2, 1)
    # nothing already in the sources folder was touched; the staging folder is gone
    after = snapshot(sources)
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(p.name for p in sources.iterdir()) == ["brest.txt", "lorient.html", "rapport.pdf"]


def test_duplicate_is_reported_and_not_added_twice(engine, sources):
    same = (sources / "brest.txt").read_bytes()
    report = engine.add_files([("copie.txt", same)])
    (o,) = report.outcomes
    assert o.status == "duplicate" and o.stored_as == "brest.txt" and "already in the library as brest.txt" in o.message
    assert report.index is None and engine.embedder.texts == []
    assert sorted(p.name for p in sources.iterdir()) == ["brest.txt"]
    # the same file twice in one batch: added once
    report = engine.add_files([("a.pdf", make_pdf()), ("b.pdf", make_pdf())])
    assert [o.status for o in report.outcomes] == ["added", "duplicate"]


def test_a_different_file_with_an_existing_name_gets_a_suffix(engine, sources):
    original = (sources / "brest.txt").read_bytes()
    text = "Le port de Lorient agrandit son bassin de trois cents mètres, annonce la direction du port.\n"
    (o,) = engine.add_files([("brest.txt", text.encode())]).outcomes
    assert o.status == "added" and o.stored_as == "brest-2.txt"
    assert "added as brest-2.txt (brest.txt is another file)" in o.message
    assert (sources / "brest.txt").read_bytes() == original
    assert [p.doc for p in next(d for d in engine.documents() if d.name == "brest-2.txt").paragraphs] == ["brest-2.txt"]


def test_bad_files_are_refused_with_a_reason_and_the_batch_goes_on(settings, sources, tmp_path):
    small = settings.model_copy(update={"max_file_mb": 0.01, "max_batch_mb": 0.005})
    good = "Un article sur le port de Lorient et ses bateaux de pêche, assez long pour être du contenu.\n"
    outcomes = add_files(small, [
        ("notes.docx", b"PK\x03\x04whatever"),
        ("vide.txt", b""),
        ("casse.pdf", b"%PDF-1.4\n%broken\n"),
        ("menu.html", b"<html><body><nav><a href='/'>Accueil</a></nav></body></html>"),
        ("gros.txt", ("mot " * 5000).encode()),
        ("bon.txt", good.encode()),
        ("bon2.txt", (good + " " * 8000).encode()),    # under the file limit, but over the batch limit now
        (tmp_path / "absent.txt"),
    ])
    by = {o.name: o for o in outcomes}
    assert [o.status for o in outcomes] == ["refused"] * 5 + ["added"] + ["refused"] * 2
    assert "not a supported format (use .txt, .md, .html, .htm or .pdf)" in by["notes.docx"].message
    assert "empty" in by["vide.txt"].message
    assert "not a valid PDF" in by["casse.pdf"].message
    assert "no article text" in by["menu.html"].message or "no paragraph" in by["menu.html"].message
    assert "too large (0.0191 MB; at most 0.01 MB a file)" in by["gros.txt"].message
    assert "the batch is over 0.005 MB; add this file in another batch" in by["bon2.txt"].message
    assert "no such file" in by["absent.txt"].message
    assert sorted(p.name for p in sources.iterdir()) == ["bon.txt", "brest.txt"]


def test_names_are_made_safe_and_free():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\Users\\x\\rapport final.pdf") == "rapport final.pdf"
    assert safe_name(".cache.md") == "cache.md"
    assert safe_name('a<b>:"c".txt') == "a_b___c_.txt"


def test_free_name(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"1")
    (tmp_path / "a-2.pdf").write_bytes(b"2")
    assert free_name(tmp_path, "a.pdf") == "a-3.pdf" and free_name(tmp_path, "b.pdf") == "b.pdf"


# -- removing --------------------------------------------------------------------------------------
def test_removal_moves_the_file_and_drops_it_from_the_index(engine, sources, settings):
    engine.add_files([("lorient.html", ARTICLE_HTML.encode())])
    content = (sources / "lorient.html").read_bytes()
    moved, report = engine.remove_document("lorient.html")
    assert moved == settings.removed_dir / "lorient.html" and moved.read_bytes() == content
    assert report["dropped"] == 1 and not (sources / "lorient.html").exists()
    assert names(engine) == ["brest.txt"]
    assert all(h.paragraph.doc == "brest.txt" for h in engine.search("Lorient bassin chalutiers", 10))
    metas = engine.index.collection.get(include=["metadatas"])["metadatas"]
    assert {m["doc"] for m in metas} == {"brest.txt"}
    # the same name removed again later: a suffix, the first removed file is kept
    engine.add_files([("lorient.html", ARTICLE_HTML.replace("300 mètres", "400 mètres").encode())])
    moved2, _ = engine.remove_document("lorient.html")
    assert moved2.name == "lorient-2.html" and moved.read_bytes() == content


@pytest.mark.parametrize("name", ["nope.txt", "../brest.txt/..", ".incoming", ""])
def test_removing_an_unknown_document_is_a_user_error(settings, name):
    with pytest.raises(InputError, match="no document named"):
        remove_document(settings, name)
    assert (settings.sources_dir / "brest.txt").exists()


# -- the command line ------------------------------------------------------------------------------
def test_rag_add_one_line_per_file_exit_1_when_one_is_refused(engine, tmp_path, capsys, sources):
    (tmp_path / "rapport.pdf").write_bytes(make_pdf())
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / "page.html").write_text(ARTICLE_HTML, encoding="utf-8")
    files = [str(tmp_path / n) for n in ("rapport.pdf", "notes.docx", "page.html")]
    code = cli.main(["add", *files], engine_factory=lambda args: engine)
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == ["added: rapport.pdf: added «Le rapport du port», 4 paragraphs.",
                                "refused: notes.docx: not a supported format (use .txt, .md, .html, .htm or .pdf).",
                                "added: page.html: added «Le port de Lorient agrandit son bassin», 5 paragraphs."]
    assert "Index up to date" in err
    assert sorted(p.name for p in sources.iterdir()) == ["brest.txt", "page.html", "rapport.pdf"]
    code = cli.main(["add", files[0]], engine_factory=lambda args: engine)  # again: a duplicate, not an error
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("duplicate: rapport.pdf: already in the library as rapport.pdf")


def test_rag_remove(engine, capsys, settings):
    engine.add_files([("page.html", ARTICLE_HTML.encode())])
    code = cli.main(["remove", "page.html", "nope.txt"], engine_factory=lambda args: engine)
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"removed: page.html: moved to {settings.removed_dir / 'page.html'}")
    assert lines[1].startswith("not removed: There is no document named 'nope.txt'")
    assert names(engine) == ["brest.txt"]


def test_ask_json_and_text_show_the_page_of_a_pdf_citation(make_engine, capsys):
    eng = make_engine("Le bassin serait dragué avant la fin de l'année pour accueillir les grands navires [S1].")
    eng.add_files([("rapport.pdf", make_pdf())])
    code = cli.main(["ask", "Quand le bassin sera-t-il dragué pour les grands navires ?", "--json"],
                    engine_factory=lambda args: eng)
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["citations"]
    cite = data["citations"][0]
    assert (cite["doc"], cite["paragraph"], cite["page"]) == ("rapport.pdf", 2, 1)
    assert set(cite) == {"doc", "paragraph", "text", "speaker", "page"}
    hits = eng.search("phare de Brest", 10)
    assert all("page" not in h.to_json() for h in hits if h.paragraph.doc == "brest.txt")


def test_cli_where_shows_the_page():
    from rag.documents import Paragraph

    assert cli._where(Paragraph("r.pdf", 3, "x", speaker="Anne", page=2)) == "r.pdf ¶3 (p. 2) · Anne"
    assert cli._where(Paragraph("r.txt", 3, "x")) == "r.txt ¶3"
