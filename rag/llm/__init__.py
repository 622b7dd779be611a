"""Chat-model backends: the local model file and server, and the ChatOpenAI factory.

Nothing here builds prompts or chains; see ``rag.engine`` for that.
"""
from rag.llm.backends import describe_backend, make_chat_model
from rag.llm.model_file import ensure_model
from rag.llm.server import base_url, ensure_server, is_healthy, stop_server

__all__ = ["base_url", "describe_backend", "ensure_model", "ensure_server", "is_healthy", "make_chat_model", "stop_server"]
