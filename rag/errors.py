"""The project's error tree. Every failure a user can meet is one of these.

    RagError                  base: carries a one-sentence message for people
    ├── UserError             the user can fix it (exit code 1)
    │   ├── ConfigError       a setting is missing or wrong
    │   ├── InputError        a question, quote or batch line is unusable
    │   ├── SourceError       a source file cannot be read or is not text
    │   └── IndexError_       the index is missing, stale or mismatched
    └── BackendError          a model or store failed at run time (exit code 2)
        └── ModelError        the chat or embedding model is unavailable

Messages are turned into output only at the edges (CLI, app, JSON); inside the
package code raises, never prints.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


class RagError(Exception):
    """Base class: ``str(err)`` is a sentence a user can read."""

    exit_code = 2


class UserError(RagError):
    exit_code = 1


class ConfigError(UserError):
    pass


class InputError(UserError):
    pass


class SourceError(UserError):
    pass


class IndexError_(UserError):  # noqa: N801 - avoid shadowing the builtin IndexError
    pass


class BackendError(RagError):
    exit_code = 2


class ModelError(BackendError):
    pass


@contextmanager
def chat_model_call(model: str = "chat model") -> Iterator[None]:
    """Any failure of a chat-model call inside becomes one ``BackendError`` sentence; our own errors pass."""
    try:
        yield
    except RagError:
        raise
    except Exception as e:
        raise BackendError(f"The {model} failed while answering ({e}).") from e
