"""Streamlit entry point: ``streamlit run app.py`` (or ``rag app``). The app itself is ``rag.ui``."""
from rag.ui.app import main

main()
