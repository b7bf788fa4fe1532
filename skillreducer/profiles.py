"""Platform profiles: the limits of one harness, read from rules/profiles/*.toml."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from skillreducer import resources

DEFAULT_PROFILE = "claude-code"


@dataclass(frozen=True)
class Listing:
    budget_chars: int
    entry_max_chars: int
    entry_fields: tuple[str, ...]
    hidden_key: str


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    allowed_keys: frozenset[str]
    name_max_chars: int
    description_max_chars: int
    collapse_whitespace: bool
    listing: Listing | None = field(default=None)
    description_budget_tokens: int = 0  # reduce's token budgets ([budgets] in the profile)
    body_budget_tokens: int = 0

    def measure(self, text: str) -> int:
        """Length in characters as this harness counts it."""
        return len(" ".join(text.split())) if self.collapse_whitespace else len(text)


def available() -> list[str]:
    return sorted(p.stem for p in (resources.rules_dir() / "profiles").glob("*.toml"))


@functools.cache
def load(name: str) -> Profile:
    if name not in available():
        raise KeyError(f"unknown profile {name!r}; choose from {', '.join(available())}")
    data: dict[str, Any] = resources.load_toml(f"profiles/{name}.toml")
    listing = None
    if "listing" in data:
        raw = data["listing"]
        listing = Listing(
            budget_chars=int(raw["context_window_tokens"] * raw["budget_share"] * raw["chars_per_token"]),
            entry_max_chars=raw["entry_max_chars"],
            entry_fields=tuple(raw["entry_fields"]),
            hidden_key=raw.get("hidden_key", ""),
        )
    return Profile(
        name=data["name"],
        summary=data["summary"],
        allowed_keys=frozenset(data["allowed_keys"]),
        name_max_chars=data["name_max_chars"],
        description_max_chars=data["description_max_chars"],
        collapse_whitespace=data["collapse_whitespace"],
        listing=listing,
        description_budget_tokens=int(data.get("budgets", {}).get("description_tokens", 0)),
        body_budget_tokens=int(data.get("budgets", {}).get("body_tokens", 0)),
    )
