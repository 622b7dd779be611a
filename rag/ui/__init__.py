"""The Streamlit app: chat with cited answers, quote check, document view, status.

``app.py`` at the repository root only calls :func:`rag.ui.app.main`. Pages
live in ``pages/`` (thin scripts, so ``st.navigation`` gives them real URLs:
``/chat``, ``/quote``, ``/documents?doc=NAME&p=12#p-12``) and call the
renderers in ``chat``, ``quote`` and ``documents``. ``components`` builds the
HTML (always escaping document text), ``state`` holds the shared ``Engine``
and turns its progress reports into progress bars. The UI talks to the engine
through ``rag.engine.Engine``'s public methods only.
"""
