"""Which body items are instructions the agent must follow? A transparent heuristic.

The body is split into paragraph-level items from `skill.blocks`: each paragraph, each
list item (a list block is split at its marker lines, nested items included, so no text
is counted twice), each top-level code block, table and blockquote. Headings, HTML
blocks and thematic breaks are not items.

Each text item is split into sentences (words inside double quotation marks are set
aside first: they are mentioned, not said to the agent), and each sentence is tested for

- not a step, whatever its verbs: it shows a sample ("Example: run ...", "Output from
  the model:"), announces that it repeats ("To recap: ..."), or says when the skill
  applies ("Use when ...", "Reference for ...");
- a directive: an imperative verb at its start ("Run", "Use", "Check", after list
  markers, emphasis, emoji and a short "Label:" prefix), a modal obligation ("must",
  "should", "never", "always", "do not"; not one that a capability, prediction, hedge or
  relative pronoun makes a description: "can never", "nearly always", "which has to",
  "must often"), a second-person directive ("you must"), or a conditional instruction
  ("If X, run Y");
- a background or sample cue: "is a", "was introduced", "because", "for example",
  "looks like this", ...

An item is core (actionable) when the characters of its directive sentences are at least
those of its background sentences (the first kind counts as background) and greater than
zero. An item with neither signal is decided by structure: a paragraph that is one bold
line heads what follows and is not core; a caption (it ends in a colon right before a
fenced block that is not a shell command) names sample code and is not core unless it is
a numbered step; a checklist item ("- [ ] ...") is core; under a background heading
("Overview", "Examples") it is not; a numbered step is core; under an instruction
heading ("Steps", "Rules") it is core; otherwise it is not. The skill's title is not a
section heading: "# Release checklist" says what the whole skill is about. Tables are
reference data unless their header names a Do/Don't or rules column or a decision column
("Use when", "Situation"), or at least half their rows hold a directive cell outside a
description column ("What it does"). Code blocks are example code (not core), except a
short command block right after an instruction that ends with a colon ("Run the
tests:"), which is that instruction's argument.

The cues are data: rules/lexicons/body-actionability.toml (shared with the learned body
classifier's features) and rules/lexicons/body-actionability-context.toml (this
module's own). A learned classifier may later replace this module behind the same
`classify_items(skill)` API.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Pattern

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
_PROMPT = re.compile(r"^[ \t>]*\$ ")
_QUOTATION = re.compile(r"\"[^\"\n]{1,500}\"|\u201c[^\u201d\n]{1,500}\u201d")
_PSEUDO_HEADING = re.compile(r"^[ \t]*(\*\*|__)[^*_\n]{1,200}\1[ \t]*:?[ \t]*\Z")


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
    sample_label: Pattern[str]
    sample_cues: frozenset[str]
    recap_labels: frozenset[str]
    recap: Pattern[str]
    scope: Pattern[str]
    modal_not_after: frozenset[str]
    modal_not_before: frozenset[str]
    command_languages: frozenset[str]
    decision_column: Pattern[str]
    description_column: Pattern[str]


def alternation(words: Iterable[str]) -> str:
    # Longest first so "must not" wins over "must"; word boundaries only where the cue has a word character.
    # Cues are grouped by first character ("m(?:ust not|ust)"): only one group can match at a
    # position and order within a group is kept, so matches are those of the flat alternation,
    # but the regex engine tries far fewer branches per position.
    groups: dict[str, list[str]] = {}
    for part in sorted({w.lower() for w in words}, key=len, reverse=True):
        groups.setdefault(part[0], []).append(part)
    return "|".join(
        (r"\b" if first.isalnum() else "")
        + re.escape(first)
        + "(?:"
        + "|".join(re.escape(p[1:]) + (r"\b" if p[-1].isalnum() else "") for p in parts)
        + ")"
        for first, parts in groups.items()
    )


@functools.cache
def _cues() -> _Cues:
    data = resources.lexicon("body-actionability")
    context = resources.lexicon("body-actionability-context")
    return _Cues(
        verbs=frozenset(data["imperative_verbs"]),
        not_after=frozenset(data["not_imperative_after"]),
        modal=re.compile(alternation(data["modals"])),
        second_person=re.compile(r"\byou(?:\s+|(?='))(?:" + alternation(data["second_person"]) + ")"),
        conditional=re.compile(r"^(?:" + alternation(data["conditionals"]) + r")\b(?:[^,(]|\([^)]{0,200}\)){0,200},\s*(?:then\s+)?([a-z][a-z-]*)"),  # commas inside parentheses do not end the condition
        background=re.compile(alternation([*data["background_cues"], *context["sample_cues"]])),  # one search for both
        core_heading=re.compile(alternation(data["core_headings"])),
        background_heading=re.compile(alternation(data["background_headings"])),
        command_block_max_lines=int(data.get("command_block_max_lines", 6)),
        sample_label=re.compile(r"^(?:" + alternation(context["sample_labels"]) + ")|(?:" + alternation(context["sample_labels"]) + ")$"),
        sample_cues=frozenset(context["sample_cues"]),
        recap_labels=frozenset(context["recap_labels"]),
        recap=re.compile(alternation(context["recap_cues"])),
        scope=re.compile(r"^(?:" + alternation(context["scope_openers"]) + ")"),
        modal_not_after=frozenset(context["modal_not_after"]),
        modal_not_before=frozenset(context["modal_not_before"]),
        command_languages=frozenset(context["command_languages"]),
        decision_column=_whole(context["decision_columns"]),
        description_column=_whole(context["description_columns"]),
    )


def _whole(cues: Iterable[str]) -> Pattern[str]:
    """A pattern that matches a text equal to one of the cues."""
    return re.compile(r"(?:" + "|".join(re.escape(cue) for cue in sorted(set(cues), key=len, reverse=True)) + r")\Z")


# An item before classification: (kind, text, line, end_line, ordered). Plain tuples, because
# building frozen dataclasses per item was a measurable share of `classify_items`.
RawItem = tuple[str, str, int, int, bool]


_last_raw: tuple[Skill, tuple[RawItem, ...]] | None = None


def raw_items(skill: Skill) -> tuple[RawItem, ...]:
    """The body's items in order, not yet classified. Kept for the last skill asked (a Skill
    is immutable), so SR303 and SR305, which both read them, split the body once."""
    global _last_raw
    if _last_raw is not None and _last_raw[0] is skill:
        return _last_raw[1]
    found: list[RawItem] = []
    for block in skill.blocks:
        if block.kind == "list":
            found.extend(_list_items(block))
        elif block.kind in ("paragraph", "code", "table", "blockquote"):
            found.append((block.kind, block.text, block.line, block.end_line, False))
    _last_raw = (skill, tuple(found))
    return _last_raw[1]


def _list_items(block: Block) -> Iterable[RawItem]:
    """Split a list block at its marker lines (outside fenced code inside the items)."""
    lines = block.text.split("\n")
    start = 0
    ordered = False
    marker_match = _MARKER.match
    for index, line in _outside_fences(lines) if _may_fence(block.text) else enumerate(lines):
        marker = marker_match(line)
        if marker:
            if index > start:
                yield _list_item(lines, start, index, block.line, ordered)
                start = index
            ordered = marker.group(1)[0].isdigit()
    yield _list_item(lines, start, len(lines), block.line, ordered)


def _may_fence(text: str) -> bool:
    # _FENCE needs three backticks or tildes in a row; without them no line is a fence.
    return "```" in text or "~~~" in text


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


def _list_item(lines: list[str], start: int, end: int, first_line: int, ordered: bool) -> RawItem:
    while end - 1 > start and not lines[end - 1].strip():
        end -= 1  # blank lines between loose items belong to neither
    return "list-item", "\n".join(lines[start:end]), first_line + start, first_line + end - 1, ordered


def prose(kind: str, text: str) -> str:
    """An item's words: markers, fenced code, links, emphasis and tags removed; inline code as CODE."""
    lines = text.split("\n")
    marker_line = kind == "list-item"  # the first line holds the list marker
    if _may_fence(text):
        outside = list(_outside_fences(lines))
        marker_line = marker_line and bool(outside) and outside[0][0] == 0
        lines = [line for _, line in outside]
    if kind == "blockquote":
        lines = [_QUOTE.sub("", line) for line in lines]
    elif marker_line:
        lines[0] = _CHECKBOX.sub("", _MARKER.sub("", lines[0], count=1))
    return _clean(" ".join(filter(None, map(str.strip, lines))))


def _clean(text: str) -> str:
    # Each substitution is skipped when the character its pattern needs is absent (most text).
    if "`" in text:
        text = _INLINE_CODE.sub("CODE", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub("", text)
    return text.strip()


def _lead_stripped(text: str) -> str:
    """`_LEAD.sub("", text)`, skipping the regex when text already starts with an ASCII letter."""
    return text if text[:1] in _ASCII_LETTERS else _LEAD.sub("", text)


_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _imperative(sentence: str, cues: _Cues, lower: str | None = None) -> str | None:
    # `lower` is sentence.lower() when the caller has it; usable only when _LEAD removes nothing.
    if lower is None or sentence[:1] not in _ASCII_LETTERS:
        lower = _lead_stripped(sentence).lower()
    # After _LEAD the text starts with a letter, so the first word (if any) starts at 0: test it
    # before collecting the rest.
    first = _WORD.match(lower, 0, 80)
    if first is None or first.group(0) not in cues.verbs:
        return None
    words = _WORD.findall(lower, 0, 80)
    if len(words) < 2:  # a lone word ("Correct:") is a label
        return None
    if words[1] in cues.not_after or (len(words) > 2 and words[2] in cues.not_after):
        return None  # "Test files are ...", "List of ...": a noun, not a command
    return f"imperative {words[0]!r}"


def _directive(sentence: str, cues: _Cues, lower: str | None = None) -> str | None:
    """The cue that makes a sentence an instruction, or None."""
    if sentence[:1] not in _ASCII_LETTERS and _QUOTED.match(sentence):
        return None  # a quoted request or phrase is an example, not a command
    if lower is None:
        lower = sentence.lower()
    # _LABEL needs a colon after 1-40 characters.
    label = _LABEL.match(sentence) if ":" in sentence[:41] else None
    if label and _STEP_LABEL.match(_lead_stripped(label.group(1))):
        return "numbered step"
    if label:
        # "**Validate input**: check ..." is a command; a one-word label ("Output:") is not.
        head = _imperative(label.group(1), cues) if len(_WORD.findall(label.group(1).lower())) > 1 else None
        found = head or _imperative(label.group(2), cues)
    else:
        found = _imperative(sentence, cues, lower)
    if found:
        return found
    modal = _modal(lower, cues)
    if modal:
        return f"modal {modal!r}"
    if "you" in lower and cues.second_person.search(lower):
        return "second-person directive"
    if "," in lower:  # the conditional pattern needs "If X, ..."
        match = cues.conditional.match(_lead_stripped(lower))
        if match and match.group(1) in cues.verbs:
            return "conditional instruction"
    return None


_LAST_WORD = re.compile(r"([a-z][a-z'-]*)\W*\Z")


def _modal(lower: str, cues: _Cues) -> str | None:
    """The first modal that obliges: not one a capability, prediction, hedge or relative
    pronoun right before it ("can never", "nearly always", "which has to") or a frequency
    word right after it ("must often") turns into a description."""
    described_until: int | None = None  # end of the last descriptive modal: one right after it ("what must never") is too
    for match in cues.modal.finditer(lower):
        start, end = match.span()
        if described_until is not None and lower[described_until:start].isspace():
            described_until = end
            continue
        # The word before, looked for in a short window (a whole word only: no letter before the window).
        window = max(0, start - 30)
        before = _LAST_WORD.search(lower, window, start)
        if before and before.start() == window and window and lower[window - 1].isalpha():
            before = None
        after = _WORD.match(lower, end + 1, end + 30) if lower[end : end + 1] == " " else None
        if (before and before.group(1) in cues.modal_not_after) or (after and after.group(0) in cues.modal_not_before):
            described_until = end
            continue
        return match.group(0)
    return None


def _not_a_step(sentence: str, cues: _Cues, lower: str) -> str | None:
    """Why a sentence is not an instruction whatever its verbs: it shows a sample ("Example:
    ...", "Output from the model:"), announces a recap ("To recap: ...") or says when the
    skill applies ("Use when ..."). None for any other sentence."""
    label = _LABEL.match(sentence) if ":" in sentence[:41] else None
    if label:
        head = _lead_stripped(label.group(1)).lower().strip()
        found = cues.sample_label.search(head)
        if found:
            return f"sample {found.group(0)!r}"
        if head in cues.recap_labels:
            return f"recap {head!r}"
    found = cues.recap.search(lower)
    if found:
        return f"recap {found.group(0)!r}"
    found = cues.scope.match(_lead_stripped(lower))
    if found:
        return f"scope {found.group(0)!r}"
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


def _classify_text(raw: RawItem, text_prose: str, prior: Callable[[], str | None], cues: _Cues, caption: bool = False) -> Item:
    kind, text, line, end_line, ordered = raw
    directive_chars = background_chars = 0
    directive_cue = background_cue = ""
    if '"' in text_prose or "\u201c" in text_prose:
        text_prose = _QUOTATION.sub("QUOTE", text_prose)  # quoted words are mentioned, not said to the agent
    sentences = 0
    for sentence in _SENTENCE.split(text_prose):
        if not sentence:
            continue
        sentences += 1
        lower = sentence.lower()
        cue = _directive(sentence, cues, lower)
        # What is not a step counts as background, directive or not; tested only where it decides.
        match = None if cue else cues.background.search(lower)
        not_a_step = _not_a_step(sentence, cues, lower) if match is None else None
        if not_a_step:
            background_chars += len(sentence)
            background_cue = background_cue or not_a_step
        elif cue:
            directive_chars += len(sentence)
            directive_cue = directive_cue or cue
        elif match:
            background_chars += len(sentence)
            found = match.group(0)
            background_cue = background_cue or f"{'sample' if found in cues.sample_cues else 'background'} {found!r}"
    if directive_chars or background_chars:
        if directive_chars >= background_chars:
            return Item(kind, text, line, end_line, True, directive_cue, ordered)
        return Item(kind, text, line, end_line, False, background_cue, ordered)
    if kind == "paragraph" and _PSEUDO_HEADING.match(text):
        # A paragraph that is one bold phrase ("**Key properties to set:**") heads what follows.
        return Item(kind, text, line, end_line, False, "a bold line that heads what follows", ordered)
    if caption and not ordered:
        # A caption with no instruction of its own ("Sample outline:", "Deployment snippet:")
        # names the code it introduces; neither a checkbox nor a heading makes it a step.
        return Item(kind, text, line, end_line, False, "introduces the code below", ordered)
    if kind == "list-item" and _CHECKBOX.match(_MARKER.sub("", text, count=1)):
        return Item(kind, text, line, end_line, True, "checklist item", ordered)
    heading = prior()
    if heading == "background":
        return Item(kind, text, line, end_line, False, "under a background heading", ordered)
    if ordered:
        return Item(kind, text, line, end_line, True, "numbered step", ordered)
    if heading == "core" and not (kind == "paragraph" and sentences > 1):
        # Under "Steps" or "Rules" a bare line is a step; a paragraph of several plain
        # statements is the explanation around them.
        return Item(kind, text, line, end_line, True, "under an instruction heading", ordered)
    return Item(kind, text, line, end_line, False, "no instruction", ordered)


def _classify_table(raw: RawItem, cues: _Cues) -> Item:
    """Reference data, unless its header says Do/Don't, names a decision column ("Use when")
    or most rows hold an instruction."""
    kind, text, line, end_line, ordered = raw
    rows = [row.strip().strip("|").split("|") for row in text.split("\n") if row.strip()]
    if not rows:
        return Item(kind, text, line, end_line, False, "table", ordered)
    header, body = rows[0], rows[2:]
    if cues.core_heading.search(_clean(" ".join(header)).lower()):
        return Item(kind, text, line, end_line, True, "table of rules", ordered)
    columns = [" ".join(_clean(cell).lower().split()) for cell in header]
    if any(cues.decision_column.match(column) for column in columns):
        return Item(kind, text, line, end_line, True, "table of decisions", ordered)
    described = {position for position, column in enumerate(columns) if cues.description_column.match(column)}
    directive_rows = sum(1 for row in body if any(_directive(_clean(cell), cues) for position, cell in enumerate(row) if position not in described))
    if body and directive_rows * 2 >= len(body):
        return Item(kind, text, line, end_line, True, "table of instructions", ordered)
    return Item(kind, text, line, end_line, False, "table", ordered)


def classify_items(skill: Skill) -> list[Item]:
    """Every body item with `actionable` set and the `cue` that decided it."""
    cues = _cues()
    paths = {block.line: block.heading_path for block in skill.blocks}
    block_starts = sorted(paths)
    priors: dict[tuple[str, ...], str | None] = {}  # many items share a heading path
    titles = [block.inline for block in skill.blocks if block.kind == "heading" and block.level == 1]
    title = titles[0] if len(titles) == 1 else None

    def prior_of(path: tuple[str, ...]) -> str | None:
        if path not in priors:
            # The title names the whole skill ("Release checklist"): a section says what its items are.
            priors[path] = _heading_prior(path[1:] if path[:1] == (title,) else path, cues)
        return priors[path]

    out: list[Item] = []
    previous: Item | None = None
    previous_prose: str | None = None  # the previous item's prose when already computed
    raws = raw_items(skill)
    for position, raw in enumerate(raws):
        kind, text, line, end_line, ordered = raw
        item_prose: str | None = None
        if kind in _TEXT_KINDS:
            path = paths.get(line) or _enclosing_path(paths, block_starts, line)
            item_prose = prose(kind, text)
            following = raws[position + 1] if position + 1 < len(raws) else None
            item = _classify_text(raw, item_prose, functools.partial(prior_of, path), cues, _captions_code(raw, item_prose, following, cues))
        elif kind == "table":
            item = _classify_table(raw, cues)
        elif (
            previous is not None
            and previous.actionable
            and previous.end_line >= line - 2
            and (previous_prose if previous_prose is not None else prose(previous.kind, previous.text)).rstrip().endswith(":")
            and end_line - line - 1 <= cues.command_block_max_lines  # lines between the fences
        ):
            item = Item(kind, text, line, end_line, True, "command for the instruction above", ordered)
        else:
            item = Item(kind, text, line, end_line, False, "example code", ordered)
        out.append(item)
        previous = item
        previous_prose = item_prose
    return out


def _captions_code(raw: RawItem, text_prose: str, following: RawItem | None, cues: _Cues) -> bool:
    """Whether a text item ends in a colon right before a fenced block that is not a command:
    its own (a list item holding its code) or the code item after it."""
    kind, text, _line, end_line, _ordered = raw
    if _may_fence(text):
        lines = text.split("\n")
        first_fence = next((n for n, row in enumerate(lines) if _FENCE.match(row)), None)
        if first_fence is not None:
            if first_fence == 0 or not prose(kind, "\n".join(lines[:first_fence])).endswith(":"):
                return False
            return not _command_block(lines[first_fence:], cues)
    if not text_prose.endswith(":") or following is None or following[0] != "code" or following[2] > end_line + 2:
        return False
    return not _command_block(following[1].split("\n"), cues)


def _command_block(lines: list[str], cues: _Cues) -> bool:
    """A fenced block (its lines from the opening fence) in a shell language or with "$ " prompts."""
    fence = _FENCE.match(lines[0])
    language = lines[0][fence.end() :].strip().split(" ")[0].lower() if fence else ""
    return language in cues.command_languages or any(_PROMPT.match(row) for row in lines[1:])


def _enclosing_path(paths: dict[int, tuple[str, ...]], starts: list[int], line: int) -> tuple[str, ...]:
    # List items start inside their block; take the block that starts last at or before them.
    index = bisect.bisect_right(starts, line) - 1
    return paths[starts[index]] if index >= 0 else ()


def non_actionable_share(items: list[Item]) -> tuple[int, int]:
    """(characters of non-actionable items, characters of all items)."""
    total = sum(item.size for item in items)
    return sum(item.size for item in items if not item.actionable), total
