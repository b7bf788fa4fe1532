"""A body as paragraph-level items: the unit that is classified, placed and checked.

The items are those of `lint.actionability.raw_items` (a paragraph, a list item, a code
block, a table, a blockquote), each with its heading path; a nested list item is merged
into its parent, so an item is a list item with its children. A code block
right after a one-sentence paragraph that ends with a colon ("Run the tests:") becomes
one item with it: the sentence introduces the code and the two move together.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from skillreducer.lint.actionability import raw_items
from skillreducer.model import Skill

LABELS = ("core", "background", "example", "template", "redundant")


@dataclass(frozen=True, slots=True)
class BodyItem:
    index: int  # position in the body, 0-based
    kind: str  # paragraph|list-item|code|table|blockquote
    text: str  # Markdown source lines, exactly as in SKILL.md
    line: int  # file line of the first line
    end_line: int  # inclusive
    heading_path: tuple[str, ...]  # enclosing headings, outermost first


def body_items(skill: Skill) -> list[BodyItem]:
    """The body's items in order, each with the headings that enclose it."""
    headings = [(block.line, block.heading_path) for block in skill.blocks if block.kind == "heading"]
    starts = [line for line, _ in headings]
    lines = skill.lines
    out: list[BodyItem] = []
    pending = None  # a colon-ended one-line paragraph that may introduce the next code block
    for kind, text, line, end_line, _ordered in raw_items(skill):
        if kind == "list-item" and out and out[-1].kind == "list-item" and text[:1] in (" ", "\t") and out[-1].end_line < line <= out[-1].end_line + 2:
            # A nested item belongs to its parent: they move and are judged together.
            parent = out[-1]
            out[-1] = BodyItem(parent.index, "list-item", "\n".join(lines[parent.line - 1 : end_line]), parent.line, end_line, parent.heading_path)
            pending = None
            continue
        if kind == "code" and pending is not None and _adjacent(lines, pending.end_line, line):
            out[-1] = BodyItem(pending.index, "code", "\n".join(lines[pending.line - 1 : end_line]), pending.line, end_line, pending.heading_path)
            pending = None
            continue
        index = bisect.bisect_right(starts, line) - 1
        item = BodyItem(len(out), kind, text, line, end_line, headings[index][1] if index >= 0 else ())
        out.append(item)
        pending = item if kind == "paragraph" and _introduces(text) else None
    return out


def _introduces(text: str) -> bool:
    stripped = text.strip()
    return stripped.endswith(":") and "\n" not in stripped and stripped.count(". ") == 0


def _adjacent(lines: tuple[str, ...], end_line: int, next_line: int) -> bool:
    """Only blank lines between the two."""
    return all(not lines[n - 1].strip() for n in range(end_line + 1, next_line))
