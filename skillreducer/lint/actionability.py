"""Which body items are instructions the agent must follow? A transparent heuristic.

The body is split into paragraph-level items from `skill.blocks`: each paragraph, each
list item (a list block is split at its marker lines, nested items included, so no text
is counted twice), each top-level code block, table and blockquote. Headings, HTML
blocks and thematic breaks are not items.

Each text item is split into sentences, and each sentence is tested for

- a directive: an imperative verb at its start ("Run", "Use", "Check", after list
  markers, emphasis, emoji and a short "Label:" prefix), a modal obligation ("must",
  "should", "never", "always", "do not"), a second-person directive ("you must"), or a
  conditional instruction ("If X, run Y");
- a background cue: "is a", "was introduced", "because", "for example", ...

An item is core (actionable) when the characters of its directive sentences are at least
those of its background sentences and greater than zero. An item with neither signal is
decided by structure: a checklist item ("- [ ] ...") is core; under a background heading
("Overview", "Examples") it is not; a numbered step is core; under an instruction heading ("Steps",
"Rules") it is core; otherwise it is not. Tables are reference data unless their header
names a Do/Don't or rules column or at least half their rows hold a directive cell. Code
blocks are example code (not core), except a short command block right after an instruction that
ends with a colon ("Run the tests:"), which is that instruction's argument.

The cues are data: rules/lexicons/body-actionability.toml. A learned classifier may later
replace this module behind the same `classify_items(skill)` API.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, replace
from typing import Iterable, Iterator, Pattern

from skillreducer import resources
from skillreducer.model import Block, Skill

ITEM_KINDS = ("paragraph", "list-item", "code", "table", "blockquote")
_TEXT_KINDS = {"paragraph", "list-item", "blockquote"}

_MARKER = re.compile(r"^[ \t]*(?:>[ \t]*)*([-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_CHECKBOX = re.compile(r"^\[[ xX]\][ \t]+")
_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
# Bounded repeats keep hostile items (thousands of `[` or `<a` in a row) linear.
_LINK = re.compile(r"!?\[([^\]]{0,500})\]\([^)]{0,2000}\)")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_TAG = re.compile(r"</?[A-Za-z][^>]{0,500}>")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_LABEL = re.compile(r"^([^:.!?]{1,40}):\s+(\S.*)$")
_LEAD = re.compile(r"^[^A-Za-z]+")
_STEP_LABEL = re.compile(r"^(?:step|phase|stage)\s*\d+\b", re.I)
_WORD = re.compile(r"[a-z][a-z'-]*")
_QUOTED = re.compile(r"^\W{0,4}[\"'“‘«]")


@dataclass(frozen=True, slots=True)
class Item:
    kind: str  # paragraph|list-item|code|table|blockquote
    text: str  # source lines of the item
    line: int  # file line of its first line
    end_line: int  # inclusive
    actionable: bool = False
    cue: str = ""  # the signal that decided, for explanations ("imperative 'run'", "table")
    ordered: bool = False  # a numbered list item

    @property
    def size(self) -> int:
        """Characters with runs of whitespace counted once: indentation does not weigh."""
        return len(" ".join(self.text.split()))


@dataclass(frozen=True)
class _Cues:
    verbs: frozenset[str]
    not_after: frozenset[str]
    modal: Pattern[str]
    second_person: Pattern[str]
    conditional: Pattern[str]
    background: Pattern[str]
    core_heading: Pattern[str]
    background_heading: Pattern[str]
    command_block_max_lines: int


def _alternation(words: Iterable[str]) -> str:
    # Longest first so "must not" wins over "must"; word boundaries only where the cue has a word character.
    parts = sorted({w.lower() for w in words}, key=len, reverse=True)
    return "|".join((r"\b" if p[0].isalnum() else "") + re.escape(p) + (r"\b" if p[-1].isalnum() else "") for p in parts)


@functools.cache
def _cues() -> _Cues:
    data = resources.lexicon("body-actionability")
    return _Cues(
        verbs=frozenset(data["imperative_verbs"]),
        not_after=frozenset(data["not_imperative_after"]),
        modal=re.compile(_alternation(data["modals"])),
        second_person=re.compile(r"\byou(?:\s+|(?='))(?:" + _alternation(data["second_person"]) + ")"),
        conditional=re.compile(r"^(?:" + _alternation(data["conditionals"]) + r")\b[^,]{0,200},\s*(?:then\s+)?([a-z][a-z-]*)"),
        background=re.compile(_alternation(data["background_cues"])),
        core_heading=re.compile(_alternation(data["core_headings"])),
        background_heading=re.compile(_alternation(data["background_headings"])),
        command_block_max_lines=int(data.get("command_block_max_lines", 6)),
    )


def split_items(skill: Skill) -> list[Item]:
    """The body's items in order, not yet classified."""
    items: list[Item] = []
    for block in skill.blocks:
        if block.kind == "list":
            items.extend(_list_items(block))
        elif block.kind in ("paragraph", "code", "table", "blockquote"):
            items.append(Item(block.kind, block.text, block.line, block.end_line))
    return items


def _list_items(block: Block) -> Iterable[Item]:
    """Split a list block at its marker lines (outside fenced code inside the items)."""
    lines = block.text.split("\n")
    start = 0
    ordered = False
    for index, line in _outside_fences(lines):
        marker = _MARKER.match(line)
        if marker and index > start:
            yield _list_item(lines, start, index, block.line, ordered)
            start = index
        if marker and index == start:
            ordered = marker.group(1)[0].isdigit()
    yield _list_item(lines, start, len(lines), block.line, ordered)


def _outside_fences(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(index, line) of the lines that are neither a fence nor inside fenced code."""
    fence: str | None = None
    for index, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            continue
        yield index, line


def _list_item(lines: list[str], start: int, end: int, first_line: int, ordered: bool) -> Item:
    while end - 1 > start and not lines[end - 1].strip():
        end -= 1  # blank lines between loose items belong to neither
    return Item("list-item", "\n".join(lines[start:end]), first_line + start, first_line + end - 1, ordered=ordered)


def prose(item: Item) -> str:
    """The item's words: markers, fenced code, links, emphasis and tags removed; inline code as CODE."""
    kept: list[str] = []
    for number, line in _outside_fences(item.text.split("\n")):
        if item.kind == "blockquote":
            line = _QUOTE.sub("", line)
        if number == 0 and item.kind == "list-item":
            line = _CHECKBOX.sub("", _MARKER.sub("", line, count=1))
        kept.append(line.strip())
    return _clean(" ".join(part for part in kept if part))


def _clean(text: str) -> str:
    text = _INLINE_CODE.sub("CODE", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    return _EMPHASIS.sub("", text).strip()


def _imperative(sentence: str, cues: _Cues) -> str | None:
    words = _WORD.findall(_LEAD.sub("", sentence).lower()[:80])
    if len(words) < 2 or words[0] not in cues.verbs:  # a lone word ("Correct:") is a label
        return None
    if any(w in cues.not_after for w in words[1:3]):
        return None  # "Test files are ...", "List of ...": a noun, not a command
    return f"imperative {words[0]!r}"


def _directive(sentence: str, cues: _Cues) -> str | None:
    """The cue that makes a sentence an instruction, or None."""
    if _QUOTED.match(sentence):
        return None  # a quoted request or phrase is an example, not a command
    label = _LABEL.match(sentence)
    if label and _STEP_LABEL.match(_LEAD.sub("", label.group(1))):
        return "numbered step"
    if label:
        # "**Validate input**: check ..." is a command; a one-word label ("Output:") is not.
        head = _imperative(label.group(1), cues) if len(_WORD.findall(label.group(1).lower())) > 1 else None
        found = head or _imperative(label.group(2), cues)
    else:
        found = _imperative(sentence, cues)
    if found:
        return found
    lower = sentence.lower()
    match = cues.modal.search(lower)
    if match:
        return f"modal {match.group(0)!r}"
    if cues.second_person.search(lower):
        return "second-person directive"
    match = cues.conditional.match(_LEAD.sub("", lower))
    if match and match.group(1) in cues.verbs:
        return "conditional instruction"
    return None


def _heading_prior(path: tuple[str, ...], cues: _Cues) -> str | None:
    """'core' or 'background' from the innermost heading that says either."""
    for heading in reversed(path):
        lower = heading.lower()
        if cues.background_heading.search(lower):
            return "background"
        if cues.core_heading.search(lower):
            return "core"
    return None


def _classify_text(item: Item, path: tuple[str, ...], cues: _Cues) -> Item:
    directive_chars = background_chars = 0
    directive_cue = background_cue = ""
    for sentence in _SENTENCE.split(prose(item)):
        if not sentence:
            continue
        cue = _directive(sentence, cues)
        if cue:
            directive_chars += len(sentence)
            directive_cue = directive_cue or cue
            continue
        match = cues.background.search(sentence.lower())
        if match:
            background_chars += len(sentence)
            background_cue = background_cue or f"background {match.group(0)!r}"
    if directive_chars or background_chars:
        if directive_chars >= background_chars:
            return replace(item, actionable=True, cue=directive_cue)
        return replace(item, actionable=False, cue=background_cue)
    if item.kind == "list-item" and _CHECKBOX.match(_MARKER.sub("", item.text, count=1)):
        return replace(item, actionable=True, cue="checklist item")
    prior = _heading_prior(path, cues)
    if prior == "background":
        return replace(item, actionable=False, cue="under a background heading")
    if item.ordered:
        return replace(item, actionable=True, cue="numbered step")
    if prior == "core":
        return replace(item, actionable=True, cue="under an instruction heading")
    return replace(item, actionable=False, cue="no instruction")


def _classify_table(item: Item, cues: _Cues) -> Item:
    """Reference data, unless its header says Do/Don't or most rows hold an instruction."""
    rows = [row.strip().strip("|").split("|") for row in item.text.split("\n") if row.strip()]
    if not rows:
        return replace(item, cue="table")
    header, body = rows[0], rows[2:]
    if cues.core_heading.search(_clean(" ".join(header)).lower()):
        return replace(item, actionable=True, cue="table of rules")
    directive_rows = sum(1 for row in body if any(_directive(_clean(cell), cues) for cell in row))
    if body and directive_rows * 2 >= len(body):
        return replace(item, actionable=True, cue="table of instructions")
    return replace(item, cue="table")


def classify_items(skill: Skill) -> list[Item]:
    """Every body item with `actionable` set and the `cue` that decided it."""
    cues = _cues()
    paths = {block.line: block.heading_path for block in skill.blocks}
    block_starts = sorted(paths)
    out: list[Item] = []
    previous: Item | None = None
    for item in split_items(skill):
        if item.kind in _TEXT_KINDS:
            path = paths.get(item.line) or _enclosing_path(paths, block_starts, item.line)
            item = _classify_text(item, path, cues)
        elif item.kind == "table":
            item = _classify_table(item, cues)
        elif (
            previous is not None
            and previous.actionable
            and previous.end_line >= item.line - 2
            and prose(previous).rstrip().endswith(":")
            and item.end_line - item.line - 1 <= cues.command_block_max_lines  # lines between the fences
        ):
            item = replace(item, actionable=True, cue="command for the instruction above")
        else:
            item = replace(item, cue="example code")
        out.append(item)
        previous = item
    return out


def _enclosing_path(paths: dict[int, tuple[str, ...]], starts: list[int], line: int) -> tuple[str, ...]:
    # List items start inside their block; take the block that starts last at or before them.
    index = bisect.bisect_right(starts, line) - 1
    return paths[starts[index]] if index >= 0 else ()


def non_actionable_share(items: list[Item]) -> tuple[int, int]:
    """(characters of non-actionable items, characters of all items)."""
    total = sum(item.size for item in items)
    return sum(item.size for item in items if not item.actionable), total
