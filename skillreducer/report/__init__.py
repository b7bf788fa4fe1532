"""Reporters: one writer per output format. Each takes a LintResult and returns text."""

from __future__ import annotations

import functools
import os
from typing import Callable

FORMATS = ("text", "json", "jsonl", "sarif", "github")


def relative(path: str) -> str:
    """Paths in output are relative to the current directory, with / separators."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = path
    return rel.replace(os.sep, "/")


def relative_paths() -> Callable[[str], str]:
    """relative() for one report, remembering each answer: a report names each file
    several times, and os.path.relpath took most of a text report's time."""
    return functools.cache(relative)


def render(fmt: str, result, rules) -> str:
    from skillreducer.report import github, json_format, sarif, text

    writer = {"text": text.render, "json": json_format.render, "jsonl": json_format.render_lines, "sarif": sarif.render, "github": github.render}[fmt]
    return writer(result, rules)
