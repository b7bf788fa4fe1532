"""Progressive disclosure of a body: core items stay in SKILL.md, the rest moves to
reference files that SKILL.md points to, saying when to read each.

SKILL.md keeps the frontmatter byte for byte, then, in their original order: the core
items (tightened), every block that is not an item (HTML, link definitions, thematic
breaks that still separate two things), and the headings, except those whose section
has no core item left and whose moved items carry them into a reference file (the title
always stays). Examples, templates and background go to references/examples.md,
templates.md and background.md (only the non-empty ones), each opening with a `when`
line and its topics, the items grouped under their original heading paths. SKILL.md gets
one pointer line per moved file, under a References heading that says to read them when
needed: what the file holds, its name linked in place ("[examples](references/examples.md)
of merging PDFs or filling forms"), naming the headings it came from, or its most
frequent words when no heading names a topic.

Nothing is lost and nothing is overwritten:
- an existing file is never replaced: a new file takes a free name (examples-moved.md);
- a moved item whose lines an existing Markdown reference already holds (byte for byte
  but for a common indent) is not copied again: it is placed "in:<that file>", and
  SKILL.md is made to point to that file;
- an exact duplicate (same lines) in the same file as an earlier item is dropped; a
  redundant item is dropped only when the item it repeats holds its lines, and a near
  duplicate moves to background instead, so it is kept;
- an item that links a file of the skill stays in core: it is the pointer to that file,
  and its relative link would break from references/;
- an example or template that defines required output (its intro, the core item before
  it, or its heading says "must", "exactly", "output format", "schema", ...) stays in core,
  and so does a sentence ending in ":" or a bold line ("**Key settings**") that
  introduces a core item;
- items in `promote` (the gate's feedback) stay in core verbatim.
"""

from __future__ import annotations

import bisect
import functools
import posixpath
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence
from urllib.parse import unquote

from skillreducer import resources, tokens
from skillreducer.body.items import LABELS, BodyItem
from skillreducer.load import markdown
from skillreducer.model import Skill
from skillreducer.reduce.tighten import Edit, removed_filler, tighten

CORE = "SKILL.md"
MOVED_KINDS = {"example": "examples", "template": "templates", "background": "background"}
FILE_KINDS = ("examples", "templates", "background")  # order of files and pointers
DROPPED = "dropped:duplicate-of:"
IN_EXISTING = "in:"
_MARKDOWN_EXTENSIONS = frozenset({"md", "markdown", "mdx"})


class RestructureError(Exception):
    """The body cannot be restructured safely (say why); the caller keeps the original."""


@dataclass(frozen=True, slots=True)
class Placement:
    index: int
    label: str  # the label the item was given
    destination: str  # "SKILL.md" | "references/<kind>.md" | "in:<existing file>" | "dropped:duplicate-of:<k>"
    line: int  # original line span in SKILL.md
    end_line: int
    tightened: bool = False
    edits: tuple[Edit, ...] = ()  # the tightening, offsets in the item's text
    reason: str = ""  # why it is not where its label sends it ("promoted", "defines required output", ...)

    def as_dict(self) -> dict[str, object]:
        return {"index": self.index, "type": self.label, "destination": self.destination, "line": self.line,
                "end_line": self.end_line, "tightened": self.tightened, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ReferenceFile:
    path: str
    kind: str  # examples|templates|background|existing
    tokens: int
    when: str  # "" for an existing file no moved item points to
    topics: tuple[str, ...]
    new: bool

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "kind": self.kind, "tokens": self.tokens, "when": self.when, "topics": list(self.topics), "new": self.new}


@dataclass(frozen=True)
class Restructured:
    skill_md: str  # the complete new SKILL.md
    files: dict[str, str]  # new reference files: posix path relative to the skill root -> text
    placements: tuple[Placement, ...]  # one per item, by index
    removed_filler: tuple[str, ...]  # phrases tightening removed, in order
    references: tuple[ReferenceFile, ...]  # new files, then the skill's existing Markdown references
    frontmatter: str  # the original text before the body, byte for byte (a prefix of skill_md)
    before_tokens: int  # the original body
    core_tokens: int  # the new body
    promoted: frozenset[int] = field(default_factory=frozenset)

    @property
    def body(self) -> str:
        return self.skill_md[len(self.frontmatter) :]


def dedent(text: str) -> str:
    """Remove the indentation every non-blank line shares, and nothing else.

    Unlike textwrap.dedent, a whitespace-only line keeps whatever lies past that shared
    indentation: inside a code block it is part of the code, which must survive byte for byte.
    """
    lines = text.split("\n")
    indents = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines if line.strip()]
    if not indents:
        return text
    prefix = indents[0]
    for indent in indents[1:]:
        while not indent.startswith(prefix):
            prefix = prefix[:-1]
    if not prefix:
        return text
    return "\n".join(line[len(prefix):] if line.startswith(prefix) else line.lstrip(" \t") if not line.strip() else line for line in lines)


def normalise(text: str) -> str:
    """Whitespace-normalised text: the form in which containment is tested."""
    return " ".join(text.split())


def frontmatter_text(skill: Skill) -> str:
    """SKILL.md before the first body line, exactly as loaded."""
    head = skill.lines[: skill.body_line - 1]
    return "\n".join(head) + "\n" if head else ""


def is_markdown(path: str) -> bool:
    return path.rsplit(".", 1)[-1].lower() in _MARKDOWN_EXTENSIONS


def linked_paths(text: str) -> set[str]:
    """Relative link targets of a Markdown text, as posix paths relative to its folder."""
    lines = text.split("\n")
    _, _, inlines = markdown.blocks_and_code(markdown.parse(text), lines, 1)
    out = set()
    for target, _line, _column, _image in markdown.links_from_inlines(inlines, lines, 1):
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if path and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path) and not path.startswith(("/", "~")):
            out.add(posixpath.normpath(path))
    return out


def _blank(line: str) -> bool:
    return not line.strip(" \t>")


def _aligned(lines: Sequence[str], start: int, rows: Sequence[str]) -> bool:
    """lines[start:] hold the rows byte for byte, behind one container prefix (indent,
    '>') added to or removed from every row alike: what dedenting a moved item does."""
    anchor = next((k for k, row in enumerate(rows) if not _blank(row)), None)
    if anchor is None:
        return all(_blank(lines[start + k]) for k in range(len(rows)))
    line, row = lines[start + anchor], rows[anchor]
    added = len(line) >= len(row)  # the prefix was added to the rows (else removed from them)
    longer, shorter = (line, row) if added else (row, line)
    prefix = longer[: len(longer) - len(shorter)]
    if not longer.endswith(shorter) or prefix.strip(" \t>"):
        return False
    for k, row in enumerate(rows):
        line = lines[start + k]
        if not (_blank(row) and _blank(line)) and (line != prefix + row if added else prefix + line != row):
            return False
    return True


class Lines:
    """A text's lines, indexed by their content without container prefix, so that
    `contains` looks only where the rows can start."""

    def __init__(self, lines: Sequence[str]):
        self.lines = list(lines)
        self._starts: dict[str, list[int]] | None = None

    def contains(self, rows: Sequence[str]) -> bool:
        """The rows occur as consecutive lines, byte for byte but for one common container prefix."""
        anchor = next((k for k, row in enumerate(rows) if not _blank(row)), None)
        if anchor is None:
            return not rows or any(_aligned(self.lines, start, rows) for start in range(len(self.lines) - len(rows) + 1))
        if self._starts is None:
            self._starts = {}
            for number, line in enumerate(self.lines):
                self._starts.setdefault(line.strip(" \t>"), []).append(number)
        last = len(self.lines) - len(rows)
        return any(
            0 <= number - anchor <= last and _aligned(self.lines, number - anchor, rows)
            for number in self._starts.get(rows[anchor].strip(" \t>"), ())
        )


@functools.cache
def _cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = resources.lexicon("reduce-tighten")["required_output"]

    def words(cues: list[str]) -> re.Pattern[str]:
        return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)) + r")\b", re.I)

    return words(data["intro_cues"]), words(data["heading_cues"])


_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")


def _prose_lines(code: frozenset[int], item: BodyItem) -> list[str]:
    """The item's lines up to its first code line (`code`: the skill's code lines): its introduction."""
    out = []
    for number, line in enumerate(item.text.split("\n"), start=item.line):
        if number in code or _FENCE.match(line):
            break
        out.append(line)
    return out


def _defines_required_output(code: frozenset[int], items: Sequence[BodyItem], index: int, in_core: Sequence[bool]) -> bool:
    intro, heading = _cues()
    item = items[index]
    if any(heading.search(h) for h in item.heading_path):
        return True
    if intro.search(" ".join(_prose_lines(code, item))):
        return True
    if index > 0 and in_core[index - 1] and items[index - 1].heading_path == item.heading_path:
        return intro.search(items[index - 1].text) is not None
    return False


_BOLD_LINE = re.compile(r"[ \t]*(\*\*|__)[^*_\n]{1,200}\1[ \t]*:?[ \t]*")


def _introduces(item: BodyItem) -> bool:
    """A paragraph that ends in a colon ("Follow these steps:", "**Key settings:**") or is one
    bold line (a heading in all but syntax): it heads the item after it."""
    return item.kind == "paragraph" and (item.text.rstrip().rstrip("*_").rstrip().endswith(":") or _BOLD_LINE.fullmatch(item.text) is not None)


def _links_skill_file(skill: Skill, line: int, end_line: int) -> bool:
    return any(
        link.kind == "path" and link.problem is None and line <= link.line <= end_line
        for link in skill.links
        if link.source == CORE
    )


def _validate(skill: Skill, items: Sequence[BodyItem], labels: Sequence[str], duplicates: Mapping[int, int], promote: frozenset[int]) -> None:
    if len(items) != len(labels):
        raise ValueError(f"{len(items)} items but {len(labels)} labels")
    bad = sorted({label for label in labels if label not in LABELS})
    if bad:
        raise ValueError(f"unknown labels {bad}; expected one of {LABELS}")
    for index, target in duplicates.items():
        if not (0 <= target < index < len(items)):
            raise ValueError(f"duplicates[{index}] = {target}: a redundant item must repeat an earlier item")
    if any(not 0 <= index < len(items) for index in promote):
        raise ValueError("promote names an item that does not exist")
    previous_end = skill.body_line - 1
    for position, item in enumerate(items):
        if item.index != position or item.line <= previous_end or item.end_line > len(skill.lines) or item.end_line < item.line:
            raise ValueError(f"item {position} is not the body item of this skill at lines {item.line}-{item.end_line}")
        if item.text != "\n".join(skill.lines[item.line - 1 : item.end_line]):
            raise ValueError(f"item {position} does not match SKILL.md lines {item.line}-{item.end_line}")
        previous_end = item.end_line
    cut = [p for p in skill.problems if p.path == CORE and p.kind in ("long-line", "too-large")]
    if cut:
        raise RestructureError(f"the body was not read whole ({cut[0].message}); restructuring it would lose text")
    entry = skill.file("references")
    if entry is not None:
        raise RestructureError("the skill has a file named 'references', so no reference folder can be created beside it")


def _free_path(kind: str, taken: set[str]) -> str:
    for suffix in ("", "-moved", *(f"-moved-{n}" for n in range(2, len(taken) + 3))):
        path = f"references/{kind}{suffix}.md"
        if path.lower() not in taken and not any(t.startswith(path.lower() + "/") for t in taken):
            taken.add(path.lower())
            return path
    raise RestructureError(f"no free file name for references/{kind}.md")


# ---- topics and the `when` line ------------------------------------------------------

_HEADING_NOISE = re.compile(r"^\W*(?:(?:step|phase|part|stage)\s*)?(?:\d+(?:\.\d+)*)?[.):]?\s*", re.I)
# "Rule: Use update()", "Priority 2: Unbounded querysets": the label names no topic.
_HEADING_LABEL = re.compile(r"^[A-Z][A-Za-z]*(?:\s+\d+(?:\.\d+)*)?\s*:\s+(?=\S)")
_INLINE_MARKS = re.compile(r"[*_`]+")
_WORDS = re.compile(r"[A-Za-z][A-Za-z-]{1,40}")


def _clean_heading(heading: str) -> str:
    text = _INLINE_MARKS.sub("", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)  # "(Optional)"
    text = " ".join(_HEADING_NOISE.sub("", text).split())
    return _HEADING_LABEL.sub("", text).rstrip(":").strip()


def _lower_first(text: str) -> str:
    """"Report template" -> "report template" inside a sentence; names and Title Case stay."""
    return text[0].lower() + text[1:] if text[:1].isupper() and not any(c.isupper() for c in text[1:]) else text


def _join(topics: Sequence[str]) -> str:
    # Topics that hold a comma themselves ("Prefetch in serializers, not just views") need semicolons.
    separator = "; " if any("," in topic for topic in topics) else ", "
    return topics[0] if len(topics) == 1 else separator.join(topics[:-1]) + " or " + topics[-1]


@functools.cache
def _pointer_data() -> dict:
    return resources.lexicon("reduce-tighten")["pointers"]


@functools.cache
def _stopwords() -> frozenset[str]:
    return frozenset(resources.lexicon("routing-stopwords")["words"])


def _title(skill: Skill) -> str | None:
    """The skill's title: its only level-1 heading, a heading path element that names no topic."""
    titles = [b.inline for b in skill.blocks if b.kind == "heading" and b.level == 1]
    return titles[0] if len(titles) == 1 else None


def _topics(skill: Skill, moved: Sequence[BodyItem]) -> tuple[tuple[str, ...], int]:
    """(topics, how many of the first come from headings): the headings the moved items
    sit under, most text first; then, up to three, the headings above those, the words
    their introductions use most and, for bare code, the code's own words."""
    data = _pointer_data()
    generic = frozenset(data["generic_headings"])
    title = _title(skill)
    code = skill.code_lines
    # lowercase topic -> [text, weight, first position]: the nearest heading of each item, the outer ones
    nearest: dict[str, list] = {}
    outer: dict[str, list] = {}

    def add(found: dict[str, list], text: str, weight: int) -> None:
        entry = found.setdefault(text.lower(), [text, 0, len(found)])
        entry[1] += weight

    def ranked(found: dict[str, list]) -> list[str]:
        return [entry[0] for entry in sorted(found.values(), key=lambda e: (-e[1], e[2]))]

    for item in moved:
        usable = [c for h in reversed(item.heading_path) if h != title and (c := _clean_heading(h)) and c.lower() not in generic]
        for depth, cleaned in enumerate(usable):
            add(outer if depth else nearest, cleaned, len(item.text))
    topics = ranked(nearest)[: data["max_topics"]]
    for heading in ranked(outer):
        if len(topics) >= 3:
            break
        if heading.lower() not in {t.lower() for t in topics}:
            topics.append(heading)
    from_headings = len(topics)
    skipped = _stopwords() | frozenset(data["code_words"])
    # The introductions' words first; the whole text's (code included) only when they are
    # too few, as in a file of bare code blocks.
    sources = (
        lambda item: re.sub(r"`[^`]*`", " ", " ".join(_prose_lines(code, item))),
        lambda item: "\n".join(line for line in item.text.split("\n") if not _FENCE.match(line)),
    )
    for text_of in sources:
        if len(topics) >= 3:
            break
        counts: dict[str, list] = {}
        for item in moved:
            for word in _WORDS.findall(re.sub(r"\]\([^)]*\)|https?://\S+", " ", text_of(item))):
                lower = word.lower()
                if len(lower) >= data["min_topic_word_chars"] and lower not in skipped and not lower.endswith(tuple(data["topic_word_skip_suffixes"])):
                    counts.setdefault(lower, [word, 0, len(counts)])[1] += 1
        for word, _count, _first in sorted(counts.values(), key=lambda e: (-e[1], e[2])):
            if len(topics) >= 3:
                break
            if word.lower() not in " ".join(topics).lower():
                topics.append(word)
    return tuple(topics), from_headings


def _when(kind: str, topics: Sequence[str], skill: Skill) -> str:
    """The line that opens a reference file: when to read it."""
    return _pointer_data()[kind].format(topics=_join(_named(topics[:3], skill)))


def _pointer(kind: str, path: str, topics: Sequence[str], from_headings: int, skill: Skill) -> str:
    # A heading names a topic; a frequent word only stands in when no heading does.
    named = topics[:from_headings] or topics
    return pointer_line(kind, path, _named(named[: _pointer_data()["line"]["topics"]], skill))


def pointer_line(kind: str, path: str, topics: Sequence[str]) -> str:
    """SKILL.md's line for a reference file: its link and what it holds (the heading says when).
    When the file's name is the line's first word ("examples of ..."), that word is the link
    rather than being said twice."""
    stem, target = _stem(path), _link_target(path)
    what = _pointer_data()["line"][kind].format(topics=_join(topics))
    first, _, rest = what.partition(" ")
    if first == stem and rest:
        return f"- [{stem}]({target}) {rest}"
    return f"- [{stem}]({target}): {what}"


def _named(topics: Sequence[str], skill: Skill) -> list[str]:
    return [_lower_first(t) for t in topics] or [str(skill.name or skill.folder_name)]


def _stem(path: str) -> str:
    """The link text of a pointer: the file's name alone, as the target says where it is."""
    name = posixpath.basename(path)
    return name.rsplit(".", 1)[0] if is_markdown(name) else name


def _link_target(path: str) -> str:
    return f"<{path}>" if re.search(r"[\s()<>]", path) else path


def _reference_text(kind: str, moved: Sequence[BodyItem], when: str, topics: Sequence[str]) -> str:
    out = [when]
    if topics:
        out += ["", f"{_pointer_data()['topics_label']}: {'; '.join(topics)}."]
    previous: tuple[str, ...] = ()
    for item in moved:
        path = item.heading_path
        common = 0
        while common < min(len(path), len(previous)) and path[common] == previous[common]:
            common += 1
        if path and common == len(path) and len(path) < len(previous):
            common -= 1  # back under a shorter path: repeat its heading
        for depth in range(common, len(path)):
            out += ["", "#" * min(6, depth + 2) + " " + path[depth]]
        out += ["", dedent(item.text)]
        previous = path
    return "\n".join(out) + "\n"


# ---- SKILL.md ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Unit:
    line: int
    end_line: int
    kind: str  # heading|html|hr|loose|item
    level: int = 0
    item: int = -1  # index of the item


def _units(skill: Skill, items: Sequence[BodyItem]) -> list[_Unit]:
    """Every non-blank body line in exactly one unit: items, other blocks, loose lines."""
    units = [_Unit(i.line, i.end_line, "item", item=i.index) for i in items]
    units += [_Unit(b.line, b.end_line, b.kind, b.level) for b in skill.blocks if b.kind in ("heading", "html", "hr")]
    covered = set()
    for unit in units:
        covered.update(range(unit.line, unit.end_line + 1))
    run_start = None
    for number in range(skill.body_line, len(skill.lines) + 2):
        loose = number <= len(skill.lines) and number not in covered and skill.lines[number - 1].strip() != ""
        if loose and run_start is None:
            run_start = number
        elif not loose and run_start is not None:
            units.append(_Unit(run_start, number - 1, "loose"))
            run_start = None
    units.sort(key=lambda u: u.line)
    return units


def _kept_headings(skill: Skill, units: Sequence[_Unit], core_lines: Sequence[int], moved_lines: Sequence[int]) -> set[int]:
    """Lines of the headings that stay: the skill's title, those whose section still holds
    a core item, those no moved item carries into a reference file (their text would be
    lost), and those that link a file of the skill (a heading can be the only pointer to a
    reference)."""

    def inside(lines: Sequence[int], start: int, end: int | None) -> bool:
        first = bisect.bisect_right(lines, start)
        return first < len(lines) and (end is None or lines[first] < end)

    headings = [u for u in units if u.kind == "heading"]
    titles = [h.line for h in headings if h.level == 1]
    kept = {h.line for h in headings if _links_skill_file(skill, h.line, h.end_line)} | set(titles if len(titles) == 1 else ())
    for position, heading in enumerate(headings):
        end = next((h.line for h in headings[position + 1 :] if h.level <= heading.level), None)
        if inside(core_lines, heading.end_line, end) or not inside(moved_lines, heading.end_line, end):
            kept.add(heading.line)
    return kept


def _core_body(skill: Skill, items: Sequence[BodyItem], core_text: Mapping[int, str], moved: Iterable[int], pointers: str) -> str:
    """The new body from the core items' texts; `moved` are the items copied to new files
    (with their headings). `pointers` (the References section) goes at the end, or before
    a code fence that is never closed, which would otherwise swallow it."""
    units = _units(skill, items)
    unclosed = next((block.line for block in skill.code_blocks if not block.closed), None)
    headings = _kept_headings(skill, units, sorted(items[i].line for i in core_text), sorted(items[i].line for i in moved))
    leading_blank = 1 < skill.body_line <= len(skill.lines) and not skill.lines[skill.body_line - 1].strip()
    kept = [
        position
        for position, unit in enumerate(units)
        if (unit.item in core_text if unit.kind == "item" else unit.kind != "heading" or unit.line in headings)
    ]
    # A thematic break separates nothing at the start, right after a heading, or when a
    # heading, another break or the end comes next (what stood between has moved, or the
    # heading already opens a section): decoration.
    kept = [
        position
        for at, position in enumerate(kept)
        if units[position].kind != "hr"
        or (0 < at and units[kept[at - 1]].kind != "heading" and at + 1 < len(kept) and units[kept[at + 1]].kind not in ("hr", "heading"))
    ]
    parts: list[str] = []
    previous: int | None = None  # position in `units` of the last unit written

    def write(text: str, separator: str) -> None:
        parts.append((separator if parts else "\n" if leading_blank else "") + text)

    for position in kept:
        unit = units[position]
        text = core_text[unit.item] if unit.kind == "item" else "\n".join(skill.lines[unit.line - 1 : unit.end_line])
        if pointers and unclosed is not None and unit.line <= unclosed <= unit.end_line:
            write(pointers, "\n\n")
            pointers, previous = "", None
        separator = "\n\n"
        gap = unit.line - (units[position - 1].end_line if position else skill.body_line - 1) - 1
        if previous is not None and (previous == position - 1 or _both_list_items(items, units[previous], unit)):
            separator = "\n" * (min(gap, 1) + 1)  # keeps a tight list tight; one blank line at most
        write(text, separator)
        previous = position
    if pointers:
        write(pointers, "\n\n")
    return "".join(parts)


def _both_list_items(items: Sequence[BodyItem], first: _Unit, second: _Unit) -> bool:
    return first.kind == second.kind == "item" and items[first.item].kind == items[second.item].kind == "list-item"


def _wanted(
    skill: Skill,
    items: Sequence[BodyItem],
    index: int,
    label: str,
    duplicates: Mapping[int, int],
    promote: frozenset[int],
    in_core: Sequence[bool],
    rows: Sequence[list[str]],
    code: frozenset[int],
) -> tuple[str, str]:
    """(destination, reason) from the item's label and what keeps it in core."""
    item = items[index]
    if index in promote:
        return CORE, "promoted"
    if label == "core":
        return CORE, ""
    if _links_skill_file(skill, item.line, item.end_line):
        return CORE, "links a file of the skill"
    if label in ("example", "template") and _defines_required_output(code, items, index, in_core):
        return CORE, "defines required output"
    if label != "redundant":
        return MOVED_KINDS[label], ""
    target = duplicates.get(index)
    if target is None:
        return "background", "redundant without a target, kept"
    if Lines(rows[target]).contains(rows[index]):
        return DROPPED + str(target), ""
    return "background", "near duplicate, kept"


def restructure(
    skill: Skill,
    items: Sequence[BodyItem],
    labels: Sequence[str],
    duplicates: Mapping[int, int],
    *,
    promote: frozenset[int] = frozenset(),
) -> Restructured:
    """Core items in SKILL.md, the rest in reference files; see the module docstring.

    ValueError when the arguments do not fit the skill; RestructureError when the body
    cannot be restructured without losing text.
    """
    _validate(skill, items, labels, duplicates, promote)
    min_chars = resources.limits()["reduce_body"]["duplicate_min_chars"]
    existing = {f.path: Lines(f.text.split("\n")) for f in skill.references if f.text and is_markdown(f.path)}
    norms = [normalise(item.text) for item in items]
    # Duplicates are judged on the dedented lines, not on normalised text: a blank line or
    # an indent inside code is part of the code.
    rows = [dedent(item.text).split("\n") for item in items]
    code = skill.code_lines

    destination: list[str] = []
    reasons: list[str] = []
    in_core: list[bool] = []
    for item, label in zip(items, labels):
        place, reason = _wanted(skill, items, item.index, label, duplicates, promote, in_core, rows, code)
        destination.append(place)
        reasons.append(reason)
        in_core.append(place == CORE)
    # A sentence that introduces a core item ("Follow these steps:") stays with it.
    for index in range(len(items) - 2, -1, -1):
        item, after = items[index], items[index + 1]
        if destination[index] in FILE_KINDS and destination[index + 1] == CORE and _introduces(item) and item.heading_path == after.heading_path:
            destination[index], reasons[index] = CORE, "introduces the core item after it"
    seen: dict[tuple[str, str], int] = {}  # (destination, dedented text) -> first item there
    for index, place in enumerate(destination):
        if place.startswith(DROPPED) or len(norms[index]) < min_chars:
            continue
        if place in FILE_KINDS:
            holder = next((path for path, lines in existing.items() if lines.contains(rows[index])), None)
            if holder is not None:
                place = destination[index] = IN_EXISTING + holder
                reasons[index] = "already in an existing reference"
        first = seen.setdefault((place, "\n".join(rows[index])), index)
        if first != index and index not in promote:
            destination[index], reasons[index] = DROPPED + str(first), "exact duplicate"

    # Core text: tightened, except promoted items (verbatim) and tables (cell layout).
    core_text: dict[int, str] = {}
    edits: dict[int, tuple[Edit, ...]] = {}
    for index, place in enumerate(destination):
        if place != CORE:
            continue
        item = items[index]
        if index in promote or item.kind == "table":
            core_text[index] = item.text
            continue
        result = tighten(item.text, {n - item.line for n in range(item.line, item.end_line + 1) if n in code})
        core_text[index] = result.text
        edits[index] = result.edits

    taken = {f.path.lower() for f in skill.files}
    files: dict[str, str] = {}
    references: list[ReferenceFile] = []
    pointers: list[str] = []
    for kind in FILE_KINDS:
        moved = [items[i] for i, place in enumerate(destination) if place == kind]
        if not moved:
            continue
        path = _free_path(kind, taken)
        topics, from_headings = _topics(skill, moved)
        when = _when(kind, topics, skill)
        files[path] = _reference_text(kind, moved, when, topics)
        references.append(ReferenceFile(path, kind, tokens.count(files[path]), when, topics, True))
        pointers.append(_pointer(kind, path, topics, from_headings, skill))
        destination = [path if place == kind else place for place in destination]

    moved = [i for i, place in enumerate(destination) if place in files]
    linked = linked_paths(_core_body(skill, items, core_text, moved, ""))
    for path in existing:
        holders = [items[i] for i, place in enumerate(destination) if place == IN_EXISTING + path]
        topics, from_headings = _topics(skill, holders) if holders else ((), 0)
        when = _when("existing", topics, skill) if holders else ""
        if holders and posixpath.normpath(path) not in linked:
            pointers.append(_pointer("existing", path, topics, from_headings, skill))
        references.append(ReferenceFile(path, "existing", skill.file(path).tokens, when, topics, False))
    section = ""
    if pointers:
        section = _pointer_data()["heading"] + "\n\n" + "\n".join(pointers)
    body = _core_body(skill, items, core_text, moved, section).rstrip("\n")
    body = body + "\n" if body else body
    head = frontmatter_text(skill)
    placements = tuple(
        Placement(i, labels[i], destination[i], items[i].line, items[i].end_line, bool(edits.get(i)), edits.get(i, ()), reasons[i])
        for i in range(len(items))
    )
    removed = tuple(phrase for i in sorted(edits) for phrase in removed_filler(edits[i]))
    return Restructured(head + body, files, placements, removed, tuple(references), head, tokens.count(skill.body), tokens.count(body), frozenset(promote))


def expected_tokens(result: Restructured, read_probability: Mapping[str, float] | None = None) -> float:
    """Core tokens + each reference file's tokens times the stated read probability of its kind."""
    probability = read_probability or resources.limits()["reduce_body"]["read_probability"]
    return result.core_tokens + sum(ref.tokens * probability[ref.kind] for ref in result.references)
