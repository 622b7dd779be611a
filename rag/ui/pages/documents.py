"""The documents page (a script, so that st.navigation gives it its own URL)."""
from rag.ui.documents import render

render()
