"""Evaluation over a gold file: scoring (same numbers as score.py), running systems, faithfulness, the baseline.

``command`` is ``rag eval``; ``scoring`` the metrics; ``runner`` the timed calls;
``faithfulness`` the model-judged metric; ``baseline`` the LangChain tutorial
pipeline; ``report`` the table, JSON and markdown.
"""
