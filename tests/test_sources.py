"""Reading the sources folder: what is loaded, what is skipped (with a warning naming the file), and
that source files are never modified."""
from __future__ import annotations

import os
from pathlib import Path

from rag.sources import load_corpus, read_document, source_files

REAL = Path(__file__).resolve().parent.parent / "index" / "sources"

GOOD_TXT = ("Titre de l'article\n\nPremier paragraphe de l'article, avec assez de mots pour être du contenu "
            "et pas un titre.\n\nSecond paragraphe, tout aussi réel que le premier.\n")
GOOD_MD = "# A heading\n\nA paragraph of content in a Markdown file, long enough to be read as content.\n"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Bytes, modification time and mode of every file in the folder."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in sorted(folder.iterdir()) if p.is_file()}


def make_folder(tmp_path: Path) -> Path:
    d = tmp_path / "sources"
    d.mkdir()
    (d / "good.txt").write_text(GOOD_TXT, encoding="utf-8")
    (d / "good.md").write_text(GOOD_MD, encoding="utf-8")
    (d / "bom.txt").write_bytes("\ufeff".encode("utf-8") + GOOD_TXT.encode("utf-8"))
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.md").write_text(" \n\n\t\n", encoding="utf-8")
    (d / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (d / "latin1.txt").write_bytes("Un café à Genève, déjà vu, où l'été est très chaud.\n".encode("latin-1"))
    (d / "utf16.txt").write_text(GOOD_TXT, encoding="utf-16")
    (d / "controls.txt").write_bytes(bytes(range(1, 9)) * 40)
    (d / "nav_only.txt").write_text("Accueil\nMenu\nPartager\nImprimer\n", encoding="utf-8")
    (d / "notes.docx").write_bytes(b"PK\x03\x04 not a source")
    (d / "sub.txt").mkdir()
    return d


def test_good_files_load_and_bad_ones_are_skipped_with_a_warning(tmp_path):
    d = make_folder(tmp_path)
    corpus = load_corpus(d)
    assert sorted(doc.name for doc in corpus.documents) == ["bom.txt", "good.md", "good.txt"]
    bad = ["blank.md", "controls.txt", "empty.txt", "image.txt", "latin1.txt", "nav_only.txt", "utf16.txt"]
    assert len(corpus.warnings) == len(bad)
    for name in bad:
        assert sum(name in w for w in corpus.warnings) == 1, name
    text = "\n".join(corpus.warnings)
    assert "notes.docx" not in text and "sub.txt" not in text   # not a source file: ignored silently
    by = {w.split()[1].rstrip(":"): w for w in corpus.warnings}
    assert "empty" in by["empty.txt"] and "empty" in by["blank.md"]
    assert "UTF-8" in by["latin1.txt"] and "UTF-8" in by["utf16.txt"]
    assert "not a text file" in by["image.txt"] and "not a text file" in by["controls.txt"]


def test_loaded_documents(tmp_path):
    d = make_folder(tmp_path)
    docs = load_corpus(d).by_name()
    good, bom = docs["good.txt"], docs["bom.txt"]
    assert good.title == bom.title == "Titre de l'article"             # the BOM is not part of the title
    assert [p.text for p in good.paragraphs] == [p.text for p in bom.paragraphs]
    assert [p.key for p in good.paragraphs] == ["good.txt#1", "good.txt#2"]
    assert good.sha256 != bom.sha256 and len(good.sha256) == 64         # hash of the raw bytes
    assert docs["good.md"].title == "A heading" and len(docs["good.md"].paragraphs) == 1


def test_source_files_lists_supported_formats_only(tmp_path):
    d = make_folder(tmp_path)
    (d / "UPPER.TXT").write_text(GOOD_TXT, encoding="utf-8")
    (d / ".hidden.txt").write_text(GOOD_TXT, encoding="utf-8")
    names = [p.name for p in source_files(d)]
    assert names == sorted(names)
    assert "UPPER.TXT" in names and "good.md" in names
    assert not {"notes.docx", "sub.txt", ".hidden.txt"} & set(names)
    assert source_files(tmp_path / "missing") == []


def test_sources_are_never_modified(tmp_path):
    d = make_folder(tmp_path)
    old = os.stat(d / "good.txt")
    os.utime(d / "good.txt", ns=(old.st_atime_ns, old.st_mtime_ns - 10**9))  # an older mtime, to see any rewrite
    before = snapshot(d)
    load_corpus(d)
    for p in source_files(d):
        try:
            read_document(p)
        except ValueError:
            pass
    assert snapshot(d) == before


def test_real_sources_are_never_modified():
    before = snapshot(REAL)
    corpus = load_corpus(REAL)
    assert len(corpus.documents) == len(before) and corpus.warnings == []
    assert snapshot(REAL) == before
