"""The chat page (a script, so that st.navigation gives it its own URL)."""
from rag.ui.chat import render

render()
