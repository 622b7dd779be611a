"""The quote page (a script, so that st.navigation gives it its own URL)."""
from rag.ui.quote import render

render()
