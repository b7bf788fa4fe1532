"""The faithfulness gate over a restructured body, and the feedback loop around it.

Checks, each failure naming the item to blame where there is one:
- lossless: every item's text (after re-applying its recorded tightening edits to the
  original, each edit checked to be a lexicon filler phrase, decoration or a capital)
  is contained, whitespace-normalised, in the file its placement names; or it is
  recorded as dropped and its text is contained in the item it duplicates. Every other
  body line (headings, HTML, link definitions) is in SKILL.md, or, for a heading, in a
  reference file; thematic breaks hold no text and may go. The frontmatter is kept byte for byte.
- actionable: every item the heuristic actionability check (lint.actionability, which is
  independent of the placement labels) calls an instruction is in SKILL.md.
- byte-identical: each code block of an item is in its destination line for line
  (the same bytes, only a common container indent may differ), and every URL, path,
  inline code span, number and link target occurs there at least as often as in the
  item, and survives its tightening; those of the other body lines occur in the output.
- reachable: every reference file the output uses is linked from SKILL.md by a relative
  link (so one level deep) and exists in the output or the source; every skill file the
  original SKILL.md linked is still linked.
- routing: the caller's oracle, when given.

`reduce_body` runs restructure -> gate; on failure it promotes the blamed items into
core verbatim and checks again (core only grows, so it ends), at most `max_rounds`
times ([reduce_body] in rules/limits.toml), then keeps the original body and says why.
"""

from __future__ import annotations

import bisect
import functools
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from skillreducer import resources
from skillreducer.body.items import BodyItem
from skillreducer.lint.actionability import classify_items
from skillreducer.lint.rules.body import code_spans
from skillreducer.model import Skill
from skillreducer.reduce.restructure import (
    CORE,
    DROPPED,
    IN_EXISTING,
    Lines,
    Placement,
    RestructureError,
    Restructured,
    frontmatter_text,
    linked_paths,
    normalise,
    restructure,
)
from skillreducer.reduce.tighten import Edit, apply_edits, normalise_phrase

CHECKS = ("lossless", "actionable", "byte-identical", "reachable", "routing")


@dataclass(frozen=True, slots=True)
class Failure:
    check: str  # one of CHECKS
    item: int | None  # the item to blame, None when no item is
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "item": self.item, "detail": self.detail}


@dataclass(frozen=True)
class GateReport:
    passed: bool
    lossless: bool
    actionable: bool
    byte_identical: bool
    reachable: bool
    routing: bool | None  # None when no oracle was given
    failures: tuple[Failure, ...]
    promote: frozenset[int]  # items the feedback loop moves into core verbatim

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "lossless": self.lossless,
            "actionable": self.actionable,
            "byte_identical": self.byte_identical,
            "reachable": self.reachable,
            "routing": self.routing,
            "failures": [f.as_dict() for f in self.failures],
        }


# ---- what tightening may do ---------------------------------------------------------


@dataclass(frozen=True)
class _Allowed:
    filler: Mapping[str, str]  # phrase -> replacement
    decoration: frozenset[str]  # characters a decoration edit may delete


@functools.cache
def _allowed() -> _Allowed:
    filler = {normalise_phrase(e["phrase"]): normalise_phrase(e.get("replace", "")) for e in resources.lexicon("body-filler")["filler"]}
    data = resources.lexicon("reduce-tighten")["tighten"]
    return _Allowed(filler, frozenset(data["decoration_chars"]) | frozenset("".join(data["decorative_emoji"])))


def edit_allowed(edit: Edit) -> bool:
    """A filler phrase removed or replaced as the lexicon says, decoration characters
    deleted, or one letter's case changed: nothing else."""
    allowed = _allowed()
    if edit.kind == "case":
        return len(edit.removed) == 1 and edit.removed.lower() == edit.inserted.lower()
    if edit.kind == "filler":
        phrase = normalise_phrase(edit.removed.strip(" \t,"))
        return phrase in allowed.filler and normalise_phrase(edit.inserted) in ("", allowed.filler[phrase])
    if edit.kind == "decoration":
        kept = iter(edit.removed)
        for char in edit.inserted:  # what is written must be a subsequence of what was there
            for candidate in kept:
                if candidate == char:
                    break
                if not (candidate.isspace() or candidate in allowed.decoration):
                    return False
            else:
                return False
        return all(c.isspace() or c in allowed.decoration for c in kept)
    return False


# ---- protected content --------------------------------------------------------------

_URL = re.compile(r"(?:https?|ftp|file)://[^\s<>()\[\]`\"']{1,2000}")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]{1,2000})")
_PATH = re.compile(r"(?<![\w./~-])[\w.~-]{0,200}(?:/[\w.-]{1,200})+/?")
_NUMBER = re.compile(r"(?<!\d)\d+(?:[.,]\d+)*")
_FENCE_LINE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})")


def _inline_code(line: str) -> list[str]:
    return [line[start:end] for start, end in code_spans(line)]


def _protected_tokens(lines: Iterable[str]) -> Counter[tuple[str, str]]:
    """(what, token) -> occurrences, for every URL, link target, path, inline code span and
    number on the lines. Every pattern is local to a line, so a text that contains an
    item's lines yields at least the item's tokens."""
    found: Counter[tuple[str, str]] = Counter()
    for line in lines:
        if not any(c.isdigit() or c in "`/:" for c in line):
            continue
        found.update(("inline code", span) for span in _inline_code(line))
        found.update(("URL", url.rstrip(".,;:!?")) for url in _URL.findall(line))
        found.update(("link", target) for target in _LINK_TARGET.findall(line))
        found.update(("path", path.rstrip(".")) for path in _PATH.findall(line) if "/" in path.strip("/"))
        found.update(("number", n) for n in _NUMBER.findall(line))
    return found


def _prose_of(code: frozenset[int], item: BodyItem) -> list[str]:
    return [line for number, line in enumerate(item.text.split("\n"), start=item.line) if number not in code and not _FENCE_LINE.match(line)]


def _code_rows(skill: Skill, item: BodyItem) -> list[tuple[int, list[str]]]:
    """(line, source lines) of each code block of the item, fences included."""
    return [
        (block.line, list(skill.lines[block.line - 1 : min(block.end_line, item.end_line)]))
        for block in skill.code_blocks
        if item.line <= block.line <= item.end_line
    ]


# ---- the checks ---------------------------------------------------------------------


class _Outputs:
    """The text of each destination, whitespace-normalised on demand."""

    def __init__(self, skill: Skill, result: Restructured):
        self.skill = skill
        self.result = result
        self._normal: dict[str, str] = {}
        self._tokens: dict[str, Counter[tuple[str, str]]] = {}
        self._lines: dict[str, Lines] = {}

    def text(self, destination: str) -> str | None:
        if destination == CORE:
            return self.result.body
        if destination in self.result.files:
            return self.result.files[destination]
        if destination.startswith(IN_EXISTING):
            found = self.skill.file(destination[len(IN_EXISTING) :])
            return found.text if found else None
        return None

    def lines(self, destination: str) -> Lines:
        if destination not in self._lines:
            self._lines[destination] = Lines((self.text(destination) or "").split("\n"))
        return self._lines[destination]

    def tokens(self, destination: str) -> Counter[tuple[str, str]]:
        if destination not in self._tokens:
            self._tokens[destination] = _protected_tokens(self.lines(destination).lines)
        return self._tokens[destination]

    def normal(self, destination: str) -> str | None:
        if destination not in self._normal:
            text = self.text(destination)
            if text is None:
                return None
            self._normal[destination] = normalise(text)
        return self._normal[destination]


def _dropped_target(destination: str) -> int | None:
    """k of "dropped:duplicate-of:<k>", None for any other destination (or a malformed one)."""
    tail = destination[len(DROPPED) :] if destination.startswith(DROPPED) else ""
    return int(tail) if tail.isdigit() else None


def _final_destination(placements: Sequence[Placement], index: int) -> str:
    """Where an item's text is: a dropped duplicate's is where the item it repeats went."""
    seen = set()
    destination = placements[index].destination
    while destination.startswith(DROPPED) and index not in seen:
        seen.add(index)
        target = _dropped_target(destination)
        if target is None or not 0 <= target < len(placements):
            return ""
        index, destination = target, placements[target].destination
    return destination


def _expected_text(item: BodyItem, edits: Sequence[Edit], failures: list[Failure]) -> str:
    """The item as it should appear: the original with its recorded, allowed edits made."""
    bad = [e for e in edits if not edit_allowed(e)]
    for edit in bad:
        failures.append(Failure("lossless", item.index, f"tightening changed {edit.removed!r} to {edit.inserted!r}, which is neither filler nor decoration"))
    if bad:
        return item.text
    try:
        return apply_edits(item.text, edits)
    except ValueError as error:
        failures.append(Failure("lossless", item.index, f"recorded tightening does not fit the item: {error}"))
        return item.text


def _check_lossless(skill: Skill, items: Sequence[BodyItem], result: Restructured, outputs: _Outputs) -> tuple[list[Failure], dict[int, str]]:
    failures: list[Failure] = []
    expected: dict[int, str] = {}
    if result.frontmatter != frontmatter_text(skill) or not result.skill_md.startswith(result.frontmatter):
        failures.append(Failure("lossless", None, "the frontmatter was changed"))
    placements = result.placements
    if len(placements) != len(items) or any(p.index != i for i, p in enumerate(placements)):
        failures.append(Failure("lossless", None, "placements do not list every item once, in order"))
        return failures, expected
    for item, placement in zip(items, placements):
        destination = placement.destination
        if destination.startswith(DROPPED):
            target = _dropped_target(destination)
            if target is None or not 0 <= target < item.index or normalise(item.text) not in normalise(items[target].text):
                failures.append(Failure("lossless", item.index, f"dropped as a duplicate of item {target}, which does not contain its text"))
            continue
        text = _expected_text(item, placement.edits, failures)
        expected[item.index] = text
        holder = outputs.normal(destination)
        if holder is None:
            failures.append(Failure("lossless", item.index, f"placed in {destination}, which the output does not have"))
        elif normalise(text) not in holder and normalise(item.text) not in holder:
            failures.append(Failure("lossless", item.index, f"not found in {destination}"))
    return failures, expected


def _check_actionable(skill: Skill, items: Sequence[BodyItem], result: Restructured) -> list[Failure]:
    failures = []
    starts = [item.line for item in items]
    for found in classify_items(skill):
        if not found.actionable:
            continue
        # The body item holding it: items may join an introduction with its code block.
        position = bisect.bisect_right(starts, found.line) - 1
        if position < 0 or items[position].end_line < found.end_line:
            continue
        destination = _final_destination(result.placements, position)
        if destination != CORE:
            failures.append(Failure("actionable", position, f"an instruction ({found.cue}, line {found.line}) is in {destination}, not SKILL.md"))
    return failures


def _check_bytes(skill: Skill, items: Sequence[BodyItem], result: Restructured, outputs: _Outputs, expected: Mapping[int, str]) -> list[Failure]:
    failures = []
    code = skill.code_lines
    for item in items:
        destination = _final_destination(result.placements, item.index)
        text = outputs.text(destination)
        if text is None:
            continue  # lossless has reported it
        for line, rows in _code_rows(skill, item):
            if not outputs.lines(destination).contains(rows):
                failures.append(Failure("byte-identical", item.index, f"the code block at line {line} is not in {destination} byte for byte"))
        own = _protected_tokens(_prose_of(code, item))
        if not own:
            continue
        edited = _protected_tokens(expected.get(item.index, item.text).split("\n"))
        there = outputs.tokens(destination)
        for (kind, token), times in own.items():
            if edited[(kind, token)] < times or there[(kind, token)] < times:
                failures.append(Failure("byte-identical", item.index, f"{kind} {token!r} is missing from {destination}"))
    return failures


def _check_other_lines(skill: Skill, items: Sequence[BodyItem], result: Restructured, outputs: _Outputs) -> tuple[list[Failure], list[Failure]]:
    """(lossless, byte-identical) failures for the body lines no item holds: headings (kept,
    or carried into a reference file above the items that moved), HTML and link
    definitions (kept in SKILL.md); thematic breaks are skipped."""
    covered = {n for item in items for n in range(item.line, item.end_line + 1)}
    headings = {n: block for block in skill.blocks if block.kind == "heading" for n in range(block.line, block.end_line + 1)}
    # A thematic break holds no text: restructure drops those that separate nothing.
    breaks = {block.line for block in skill.blocks if block.kind == "hr"}
    files = [normalise(text) for text in result.files.values()]
    core = outputs.normal(CORE) or ""
    lossless: list[Failure] = []
    others: list[str] = []
    for number in range(skill.body_line, len(skill.lines) + 1):
        line = skill.lines[number - 1]
        if number in covered or number in breaks or not line.strip():
            continue
        others.append(line)
        heading = headings.get(number)
        if heading is not None:
            if normalise(heading.inline) not in core and not any(normalise(heading.inline) in text for text in files):
                lossless.append(Failure("lossless", None, f"the heading at line {heading.line} is in no output file"))
        elif normalise(line) not in core:
            lossless.append(Failure("lossless", None, f"line {number} is not in SKILL.md"))
    everything = _protected_tokens([*outputs.lines(CORE).lines, *(row for text in result.files.values() for row in text.split("\n"))])
    missing = [f"{kind} {token!r}" for (kind, token), times in _protected_tokens(others).items() if everything[(kind, token)] < times]
    return lossless, [Failure("byte-identical", None, f"{what}, outside the items, is missing from the output") for what in missing]


def _relative(path: str) -> bool:
    return not (path.startswith(("/", "../")) or path == ".." or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path))


def _check_reachable(skill: Skill, items: Sequence[BodyItem], result: Restructured) -> list[Failure]:
    failures = []
    linked = linked_paths(result.body)
    sources = {f.path for f in skill.files}
    holders: dict[str, list[int]] = {}
    for placement in result.placements:
        destination = placement.destination
        path = destination[len(IN_EXISTING) :] if destination.startswith(IN_EXISTING) else destination
        if destination != CORE and not destination.startswith(DROPPED):
            holders.setdefault(path, []).append(placement.index)
    for path in sorted(set(holders) | set(result.files)):
        blame = holders.get(path) or [None]
        if not _relative(path) or posixpath.normpath(path) not in linked:
            failures += [Failure("reachable", index, f"{path} is not linked from SKILL.md by a relative link") for index in blame]
        elif path not in result.files and path not in sources:
            failures += [Failure("reachable", index, f"{path} exists neither in the output nor in the skill") for index in blame]
    for target in sorted(linked - linked_paths(skill.body)):
        if target not in result.files and target not in sources:
            failures.append(Failure("reachable", None, f"SKILL.md links {target}, which does not exist"))
    starts = [item.line for item in items]
    for link in skill.links:
        if link.source != CORE or link.kind != "path" or link.problem is not None or link.resolved in linked:
            continue
        position = bisect.bisect_right(starts, link.line) - 1
        index = position if position >= 0 and items[position].end_line >= link.line else None
        failures.append(Failure("reachable", index, f"the original link to {link.resolved} (line {link.line}) is no longer in SKILL.md"))
    return failures


def check_faithfulness(skill: Skill, items: Sequence[BodyItem], restructured: Restructured, routing_ok: Callable[[], bool] | None = None) -> GateReport:
    """Run every check; see the module docstring."""
    outputs = _Outputs(skill, restructured)
    lossless, expected = _check_lossless(skill, items, restructured, outputs)
    lossless_others, bytes_others = _check_other_lines(skill, items, restructured, outputs)
    lossless += lossless_others
    actionable = _check_actionable(skill, items, restructured)
    byte_identical = _check_bytes(skill, items, restructured, outputs, expected) + bytes_others
    reachable = _check_reachable(skill, items, restructured)
    routing = None if routing_ok is None else bool(routing_ok())
    failures = lossless + actionable + byte_identical + reachable
    if routing is False:
        failures.append(Failure("routing", None, "the description no longer passes the routing oracle"))
    return GateReport(
        passed=not failures,
        lossless=not lossless,
        actionable=not actionable,
        byte_identical=not byte_identical,
        reachable=not reachable,
        routing=routing,
        failures=tuple(failures),
        promote=frozenset(f.item for f in failures if f.item is not None),
    )


# ---- the feedback loop --------------------------------------------------------------


@dataclass(frozen=True)
class BodyResult:
    skill_md: str  # the new SKILL.md, or the original text after a fallback
    files: dict[str, str]  # new reference files ({} after a fallback)
    restructured: Restructured | None  # what the gate passed; None after a fallback
    gate: GateReport | None  # the last gate report; None when restructuring was refused
    rounds: int  # promote-and-recheck rounds run after the first check
    fell_back: bool
    reason: str  # why it fell back ("" when it did not)
    promoted: frozenset[int] = field(default_factory=frozenset)

    def as_dict(self) -> dict[str, Any]:
        gate = self.gate.as_dict() if self.gate else {"passed": False, "lossless": None, "failures": []}
        return {**gate, "passed": not self.fell_back, "rounds": self.rounds, "fell_back": self.fell_back, "reason": self.reason, "promoted": sorted(self.promoted)}


def reduce_body(
    skill: Skill,
    items: Sequence[BodyItem],
    labels: Sequence[str],
    duplicates: Mapping[int, int],
    routing_ok: Callable[[], bool] | None = None,
    max_rounds: int | None = None,
) -> BodyResult:
    """Restructure behind the gate; promote the blamed items and re-check on failure;
    keep the original body when the gate still fails after `max_rounds` rounds."""
    limit = resources.limits()["reduce_body"]["max_rounds"] if max_rounds is None else max_rounds
    promote: frozenset[int] = frozenset()
    rounds = 0
    while True:
        try:
            result = restructure(skill, items, labels, duplicates, promote=promote)
        except RestructureError as error:
            return BodyResult(skill.text, {}, None, None, rounds, True, str(error), promote)
        report = check_faithfulness(skill, items, result, routing_ok)
        if report.passed:
            return BodyResult(result.skill_md, dict(result.files), result, report, rounds, False, "", promote)
        grown = promote | report.promote
        if grown == promote:
            unrepaired = "; ".join(f"{f.check}: {f.detail}" for f in report.failures[:3])
            reason = f"the gate failed on what promoting items cannot repair ({unrepaired})"
        elif rounds >= limit:
            reason = f"the gate still failed after {rounds} round(s) of promoting items into core ({len(report.failures)} failures)"
        else:
            promote = grown
            rounds += 1
            continue
        return BodyResult(skill.text, {}, None, report, rounds, True, reason, promote)
