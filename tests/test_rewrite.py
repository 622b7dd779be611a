"""The question's forms (``rag.rewrite``) with a scripted chat model."""
from __future__ import annotations

from rag.rewrite import Rewriter
from rag.settings import ROOT

from .fakes import ScriptedChat


def _rewriter(*replies, translate=False):
    chat = ScriptedChat.replying(*replies)
    return Rewriter(ROOT / "prompts", "fr", lambda: chat, translate), chat


def test_no_call_without_a_conversation_unless_translation_is_asked_for():
    rw, chat = _rewriter()
    assert rw.forms("How tall is the lighthouse?", []) == ["How tall is the lighthouse?"]
    assert rw.forms("Combien mesure le phare ?", []) == ["Combien mesure le phare ?"]
    rw, chat = _rewriter("Combien mesure le phare ?", translate=True)
    assert rw.forms("Combien mesure le phare ?", []) == ["Combien mesure le phare ?"]  # already in theirs
    assert chat.prompts == []
    assert rw.forms("How tall is the lighthouse?", []) == ["How tall is the lighthouse?", "Combien mesure le phare ?"]


def test_a_follow_up_gets_its_standalone_form_and_rendering_from_the_labelled_lines():
    rw, chat = _rewriter("Sure.\nStandalone: Who opened the lighthouse of Brest?\n"
                         "Translation: Qui a inauguré le phare de Brest ?\nThat is all.")
    history = [("user", "How tall is the lighthouse of Brest?"), ("assistant", "42 metres [1].")]
    assert rw.forms("And who opened it?", history) == [
        "And who opened it?", "Who opened the lighthouse of Brest?", "Qui a inauguré le phare de Brest ?"]
    prompt = str(chat.prompts[0][-1].content)
    assert "User: How tall is the lighthouse of Brest?" in prompt and "French" in prompt


def test_a_rendering_on_demand_keeps_the_first_line_without_its_label_or_quotes():
    rw, _ = _rewriter("Translation: « Qui a peint le phare ? »\nNote: names kept.")
    assert rw.render("Who painted the lighthouse?", []) == ["Who painted the lighthouse?", "Qui a peint le phare ?"]
    rw, _ = _rewriter("Who painted the lighthouse?")  # a copy of the question adds nothing
    assert rw.render("Who painted the lighthouse?", []) == ["Who painted the lighthouse?"]


def test_a_standalone_form_or_rendering_that_drops_the_questions_names_is_not_kept():
    history = [("user", "Quand a eu lieu l'appel ?"), ("assistant", "Le 14 octobre [1].")]
    rw, _ = _rewriter("Standalone: Quel format de plan de paix Witkoff y évoque-t-il ?\n"
                      "Translation: Quel type de plan de paix fait-il mention dans le texte ?")
    assert rw.forms("Quel format de plan de paix Witkoff y évoque-t-il ?", history) == [
        "Quel format de plan de paix Witkoff y évoque-t-il ?", "Quel format de plan de paix Witkoff y évoque-t-il ?"]
    rw, _ = _rewriter("Standalone: What did he say?\nTranslation: Qu'a dit Ouchakov à Witkoff ?")
    assert rw.forms("What did Ushakov tell Witkoff then?", history) == [  # a spelling variant is the same name
        "What did Ushakov tell Witkoff then?", "What did Ushakov tell Witkoff then?", "Qu'a dit Ouchakov à Witkoff ?"]
    rw, _ = _rewriter("I cannot help with that.")  # no labelled line: the question stands for itself
    assert rw.forms("Et sa couleur ?", history) == ["Et sa couleur ?", "Et sa couleur ?"]


def test_a_follow_up_in_the_documents_language_is_only_made_standalone():
    rw, chat = _rewriter("Standalone: Qui a inauguré le phare de Brest ?")
    history = [("user", "Combien mesure le phare de Brest ?"), ("assistant", "42 mètres [1].")]
    assert rw.forms("Et qui l'a inauguré ?", history) == ["Et qui l'a inauguré ?", "Qui a inauguré le phare de Brest ?"]
    prompt = str(chat.prompts[0][-1].content)
    assert "User: Combien mesure le phare de Brest ?" in prompt
    assert "Translation" not in prompt and "French" not in prompt     # nothing to translate, one line to write
