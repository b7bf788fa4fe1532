"""All rules, by code. Importing the family modules registers their classes."""

from __future__ import annotations

import functools

from skillreducer.lint.rule import Rule


@functools.cache
def all_rules() -> dict[str, type[Rule]]:
    import skillreducer.lint.rules  # noqa: F401  (registers every rule)

    return dict(sorted(Rule.registry.items()))
