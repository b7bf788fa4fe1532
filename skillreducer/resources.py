"""Locate and read the data in rules/: limits, profiles, lexicons, rule docs."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

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


def limits() -> dict[str, Any]:
    return load_toml("limits.toml")


def lexicon(name: str) -> dict[str, Any]:
    return load_toml(f"lexicons/{name}.toml")


def rule_doc(code: str) -> str | None:
    path = rules_dir() / f"{code}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None
