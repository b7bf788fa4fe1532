"""Locate and read the data in rules/: limits, profiles, lexicons, rule docs."""

from __future__ import annotations

import contextlib
import re
import functools
import tomllib
from pathlib import Path
from typing import Any, Iterable, Iterator

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def rules_dir() -> Path:
    # Installed wheels carry rules/ as skillreducer/_rules; a source checkout has it beside the package.
    packaged = _PACKAGE / "_rules"
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / "rules"


@functools.cache
def load_toml(relative: str) -> dict[str, Any]:
    with open(rules_dir() / relative, "rb") as handle:
        return tomllib.load(handle)


@functools.cache
def sample_corpus() -> Path:
    """The bundled good sample skills: `reduce`'s default routing neighbours."""
    packaged = _PACKAGE / "_corpus"
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / "corpus" / "good"


def default_limits() -> dict[str, Any]:
    """rules/limits.toml as shipped."""
    return load_toml("limits.toml")


_limits_in_force: dict[str, Any] | None = None


def limits() -> dict[str, Any]:
    """The limits in force: a project's thresholds over the defaults while a command runs
    with them (`limits_in_force`), else the defaults."""
    return _limits_in_force if _limits_in_force is not None else default_limits()


@contextlib.contextmanager
def limits_in_force(merged: dict[str, Any]) -> Iterator[None]:
    """Make `merged` (Config.limits()) what limits() returns in this process, and in the
    workers it forks, for the duration: reduce reads its limits deep in the pipeline."""
    global _limits_in_force
    previous, _limits_in_force = _limits_in_force, merged
    try:
        yield
    finally:
        _limits_in_force = previous


def lexicon(name: str) -> dict[str, Any]:
    return load_toml(f"lexicons/{name}.toml")


def phrase_alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of lexicon phrases, longest first, any run of spaces between
    their words: "use this skill" -> "use\\s+this\\s+skill". Lowercase: match with re.I."""
    ordered = sorted({p.lower() for p in phrases}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(word) for word in p.split()) for p in ordered)


def rule_doc(code: str) -> str | None:
    path = rules_dir() / f"{code}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None
