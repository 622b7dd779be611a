"""rag: answers you can check, over your documents — every claim cited to its paragraph."""
__version__ = "0.1.0"
