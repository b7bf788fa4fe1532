"""Tighten core prose without an LLM: drop filler phrases and hedges, collapse decoration.

Only prose is edited. Protected spans are never touched: code lines (the caller passes
them from the Skill model; a fence the text shows itself is protected too), inline code,
URLs, link targets, HTML, quotations, placeholders, paths and numbers. An edit that would
touch one is not made. Every edit is recorded with its offsets in the original text, so
the gate can re-apply the edits to the original and check that each one is allowed.

The phrases are those of SR304 (rules/lexicons/body-filler.toml); decoration rules and the
words that make a filler phrase load-bearing are in rules/lexicons/reduce-tighten.toml.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Collection, Iterable, Pattern

from skillreducer import resources


@dataclass(frozen=True, slots=True)
class Edit:
    start: int  # offsets in the original text
    end: int
    removed: str  # text[start:end] of the original
    inserted: str
    kind: str  # filler|decoration|case
    rule: str  # the lexicon phrase, the decoration rule's name, or "sentence start"


@dataclass(frozen=True, slots=True)
class Tightened:
    text: str
    edits: tuple[Edit, ...]

    @property
    def removed_filler(self) -> tuple[str, ...]:
        return removed_filler(self.edits)


def removed_filler(edits: Iterable[Edit]) -> tuple[str, ...]:
    """The filler phrases the edits removed or replaced, as written."""
    return tuple(" ".join(e.removed.split()).strip(" ,") for e in edits if e.kind == "filler")


@dataclass(frozen=True)
class _Lexicon:
    filler: Pattern[str]
    replacements: dict[str, str]  # normalised phrase -> replacement ("" deletes)
    keep_after: Pattern[str]
    decoration: tuple[tuple[str, Pattern[str], str], ...]  # (name, pattern, replace template)


def normalise_phrase(text: str) -> str:
    """A phrase as the lexicon keys it: lowercase, one space between words, straight apostrophes."""
    return " ".join(text.lower().replace("\u2019", "'").split())


def _words_pattern(phrase: str) -> str:
    return r"\s+".join(re.escape(word).replace("'", "['\u2019]") for word in phrase.split())


@functools.cache
def _lexicon() -> _Lexicon:
    entries = resources.lexicon("body-filler")["filler"]
    replacements = {normalise_phrase(e["phrase"]): e.get("replace", "") for e in entries}
    phrases = sorted(replacements, key=len, reverse=True)  # "in order to" before "in order for"
    filler = re.compile(r"(?<![\w'-])(?:" + "|".join(_words_pattern(p) for p in phrases) + r")(?![\w'-])", re.I)
    data = resources.lexicon("reduce-tighten")["tighten"]
    keep = "|".join((r"\b" if word[0].isalnum() else "") + _words_pattern(word) for word in data["keep_after"])
    emoji = "|".join(re.escape(e) for e in sorted(data["decorative_emoji"], key=len, reverse=True))
    decoration = tuple((rule["name"], re.compile(rule["pattern"].replace("{emoji}", emoji)), rule["replace"]) for rule in data["decoration"])
    return _Lexicon(filler, replacements, re.compile(rf"(?:{keep})\s*$", re.I), decoration)


# Spans an edit must not touch. Bounded repeats keep hostile lines linear.
_PROTECTED = re.compile(
    r"`+[^`]*`+"  # inline code (an unmatched run protects to the next run: harmless)
    r"|\]\([^)\n]{0,2000}\)"  # link target
    r"|^[ \t]{0,3}\[[^\]\n]{1,500}\]:[^\n]*"  # link reference definition
    r"|<!--.*?-->|</?[A-Za-z][^>\n]{0,500}>|<[A-Za-z][\w+.-]{0,30}:[^>\s]{0,2000}>"  # HTML, autolinks
    r"|(?:https?|ftp|file)://[^\s<>`\"']{1,2000}|\bwww\.[^\s<>`\"']{1,2000}"  # bare URLs
    r"|\"[^\"\n]{0,2000}\"|\u201c[^\u201d\n]{0,2000}\u201d"  # quotations: a mention, not the author's words
    r"|\$\{?\w{1,100}\}?|\{[^{}\n]{0,200}\}"  # placeholders and variables
    r"|[\w.~@+-]{0,200}(?:[/\\][\w.~@+-]{1,200})+[/\\]?"  # paths
    r"|\b[\w-]{1,200}\.[A-Za-z0-9]{1,8}\b"  # file names
    r"|\d[\d.,:_]{0,100}",  # numbers
    re.M | re.S,
)
_FENCE = re.compile(r"^[ \t>]{0,40}(`{3,}|~{3,})")
_LINE_PREFIX = re.compile(r"^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:\[[ xX]\][ \t]+)?")
_SENTENCE_END = re.compile(r"[.!?][\"')\]*_]*\s+$")
_SPACE_AFTER = re.compile(r",?[ \t]+")  # a deleted phrase takes its comma and spaces along
_SPACE_BEFORE = re.compile(r",?[ \t]+$")  # ...or, before punctuation, the ones in front
_CONTINUES = re.compile(r"[^\s.!?:]\s*$")  # a line that ends mid-sentence


def _code_line_spans(text: str, code_lines: Collection[int]) -> Iterable[tuple[int, int]]:
    """(start, end) offsets of the lines to protect: the caller's code lines and fenced lines."""
    offset = 0
    fence: str | None = None
    for number, line in enumerate(text.split("\n")):
        match = _FENCE.match(line)
        inside = fence is not None or match is not None
        if fence is not None and match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
            fence = None
        elif fence is None and match:
            fence = match.group(1)
        if inside or number in code_lines:
            yield offset, offset + len(line)
        offset += len(line) + 1


def _protection_mask(text: str, code_lines: Collection[int]) -> bytearray:
    mask = bytearray(len(text))
    for start, end in _code_line_spans(text, code_lines):
        mask[start:end] = b"\1" * (end - start)
    for match in _PROTECTED.finditer(text):
        mask[match.start() : match.end()] = b"\1" * (match.end() - match.start())
    return mask


def _free(mask: bytearray, start: int, end: int) -> bool:
    return start < end and not any(mask[start:end])


def _sentence_start(text: str, position: int) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    before = _LINE_PREFIX.sub("", text[line_start:position], count=1)
    if any(ch.isalnum() for ch in before):
        return _SENTENCE_END.search(before) is not None
    line_end = text.find("\n", line_start)
    if line_start == 0 or _LINE_PREFIX.match(text[line_start : len(text) if line_end < 0 else line_end]).end() > 0:
        return True  # first line, or a line that opens a list item or quote
    previous = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1]
    return not _CONTINUES.search(previous)  # a soft-wrapped line continues its sentence


def _same_case(replacement: str, found: str) -> str:
    return replacement[:1].upper() + replacement[1:] if found[:1].isupper() else replacement


def _filler_edits(text: str, mask: bytearray, lexicon: _Lexicon) -> list[Edit]:
    edits: list[Edit] = []
    for match in lexicon.filler.finditer(text):
        start, end = match.span()
        if not _free(mask, start, end) or lexicon.keep_after.search(text, max(0, start - 24), start):
            continue
        phrase = normalise_phrase(match.group(0))
        replacement = lexicon.replacements.get(phrase, "")
        if replacement:
            edit = Edit(start, end, match.group(0), _same_case(replacement, match.group(0)), "filler", phrase)
            mask[start:end] = b"\1" * (end - start)
            edits.append(edit)
            continue
        after = _SPACE_AFTER.match(text, end)
        before = _SPACE_BEFORE.search(text, max(0, start - 8), start)
        if after:
            end = after.end()
        elif before:
            start = before.start()
        if not _free(mask, start, end):
            continue
        capital = match.group(0)[:1].isupper() and _sentence_start(text, match.start())
        edits.append(Edit(start, end, text[start:end], "", "filler", phrase))
        mask[start:end] = b"\1" * (end - start)
        # The next word now opens the sentence: give it the capital the phrase had.
        if capital and end < len(text) and text[end].islower() and not mask[end]:
            edits.append(Edit(end, end + 1, text[end], text[end].upper(), "case", "sentence start"))
            mask[end] = 1
    return edits


def _decoration_edits(text: str, mask: bytearray, lexicon: _Lexicon) -> list[Edit]:
    edits: list[Edit] = []
    for name, pattern, replace in lexicon.decoration:
        for match in pattern.finditer(text):
            start, end = match.span()
            inserted = match.expand(replace)
            if inserted == match.group(0) or not _free(mask, start, end):
                continue
            edits.append(Edit(start, end, match.group(0), inserted, "decoration", name))
            mask[start:end] = b"\1" * (end - start)
    return edits


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The text with the edits made; ValueError if they overlap or do not match the text."""
    out: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: e.start):
        if edit.start < position or text[edit.start : edit.end] != edit.removed:
            raise ValueError(f"edit at {edit.start} does not match the text")
        out.append(text[position : edit.start])
        out.append(edit.inserted)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


def tighten(text: str, code_lines: Collection[int] = ()) -> Tightened:
    """`text` without filler and decoration. `code_lines`: 0-based lines of `text` that are code."""
    lexicon = _lexicon()
    mask = _protection_mask(text, code_lines)
    edits = _filler_edits(text, mask, lexicon)
    edits += _decoration_edits(text, mask, lexicon)
    edits.sort(key=lambda e: e.start)
    return Tightened(apply_edits(text, edits), tuple(edits))
