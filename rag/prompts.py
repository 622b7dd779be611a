"""Prompt templates, kept as files in ``prompts/`` and loaded with their variables checked.

``load(folder, name, variables)`` reads ``name.txt`` and refuses a template whose
``{placeholders}`` differ from the variables the code will fill, so a prompt
edited out of step with the code fails at load time with a clear message, not
with a KeyError in the middle of an answer.
"""
from __future__ import annotations

import functools
import string
from pathlib import Path

from .errors import ConfigError


class Template:
    def __init__(self, name: str, text: str, variables: frozenset[str]):
        self.name, self.text, self.variables = name, text, variables

    def format(self, **values: str) -> str:
        missing = self.variables - set(values)
        if missing:
            raise ConfigError(f"Prompt {self.name} needs {', '.join(sorted(missing))}.")
        return self.text.format(**{k: values[k] for k in self.variables})


def placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@functools.lru_cache(maxsize=32)
def load(folder: Path, name: str, variables: frozenset[str]) -> Template:
    path = Path(folder) / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8").strip() + "\n"
    except OSError as e:
        raise ConfigError(f"The prompt file {path} cannot be read ({e.strerror}).") from None
    try:
        found = placeholders(text)
    except ValueError as e:
        raise ConfigError(f"The prompt file {path} is not a valid template ({e}).") from None
    if found != set(variables):
        raise ConfigError(f"The prompt file {path} uses {sorted(found)}; the code fills {sorted(variables)}.")
    return Template(name, text, frozenset(variables))
