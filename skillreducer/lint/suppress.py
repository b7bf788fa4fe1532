"""Inline suppressions: <!-- skillreducer: disable=SR301 --> (or a YAML comment in the
frontmatter), disable-next-line, enable. A directive without codes covers every rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MARK = "skillreducer:"
_DIRECTIVE = re.compile(r"(?:<!--|#)\s*skillreducer:\s*(disable-next-line|disable|enable)(?:\s*=\s*([A-Za-z0-9_, ]+?))?\s*(?:-->|$)")


@dataclass
class Directive:
    kind: str
    codes: tuple[str, ...]  # empty = all rules
    line: int
    column: int
    used: set[str] = field(default_factory=set)

    def covers(self, code: str) -> bool:
        return not self.codes or code in self.codes


def parse(lines: tuple[str, ...] | list[str]) -> list[Directive]:
    directives = []
    for number, line in enumerate(lines, 1):
        if MARK not in line:
            continue
        for match in _DIRECTIVE.finditer(line):
            codes = tuple(c.strip().upper() for c in (match.group(2) or "").split(",") if c.strip())
            directives.append(Directive(match.group(1), codes, number, match.start() + 1))
    return directives


def suppressing(directives: list[Directive], code: str, line: int) -> Directive | None:
    """The directive that silences `code` at `line`, if any."""
    active: Directive | None = None
    for directive in directives:
        if directive.line > line:
            break
        if directive.kind == "disable-next-line":
            if directive.line == line - 1 and directive.covers(code):
                return directive
        elif directive.kind == "disable" and directive.covers(code):
            active = directive
        elif directive.kind == "enable" and active is not None and directive.covers(code):
            active = None
    return active
