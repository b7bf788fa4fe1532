"""Descriptions as clauses: the units description compression keeps or drops.

`segment` splits a description into sentences and each sentence into units:

- a trigger lead-in ("Use when", "Use this skill when the user asks to", "Triggers:")
  or a list lead-in ("Covers", "Supports") is kept out of the clauses and written before
  the sentence's first kept clause, so each trigger item is a clause of its own;
- a list ("a, b, and c", "a, b and c", "(1) a, (2) b", "a; b; or c", bullet lines) gives
  one clause per item; a head before it ("PDF toolkit for extracting ..., creating ...")
  is a clause too, tied to the list by its link word ("for"), dropped with the head;
- a colon, a spaced dash, a semicolon or a comma that does not coordinate separates units.

Nothing is split inside inline code, URLs, brackets or quotes; "e.g.", "i.e." and
"v1.2" do not end a sentence.

Each `Clause` records what `join` needs to rebuild grammar from any subset of a
description's clauses in their original order: its sentence and that sentence's lead-in
and end punctuation, its unit and the link before it, and the lists (`Group`) it is an
item of, with their separator, final connective and numbering; and the clauses it is a
fragment without (`needs`, closed over by `anchored`). `join` of all the clauses
is the description with whitespace collapsed, except that a sentence without end
punctuation gets a period. A sentence that starts with a lowercase word after its first
clause was dropped (or shortened) is capitalised. A sentence whose parse does not rebuild
it exactly is one clause.

The words the segmenter looks for are data: [segment] in rules/lexicons/reduce-shorten.toml;
the list thresholds are [reduce_description] in rules/limits.toml.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence, Union

from skillreducer import resources

ROLES = (
    "sentence",  # a whole sentence that has no lead-in and no list
    "lead",  # the head of a list: says what the list is about
    "item",  # an item of a list (or of a "Covers ..." sentence)
    "trigger-item",  # any clause of a trigger sentence ("Use when ...", "Triggers: ...")
    "phrase",  # another unit of a sentence: after a colon, dash, semicolon or comma
)


@dataclass(frozen=True, slots=True)
class Group:
    """A coordination: items with a separator, a final connective and optional numbering."""

    id: int  # unique within one description
    size: int  # items in the original
    separator: str = ","  # between items: ",", ";" or "" (bullets, "(1) a then (2) b")
    connective: str = ""  # before the last item: "and", "or", "and/or", "then"; "" none
    serial: bool = False  # the separator comes before the connective too ("a, b, and c")
    marker: str = ""  # "(1)", "1)", "1.", "-", "*", "•", "+": items are numbered (renumbered on join) or bulleted
    lead_in: str = ""  # before its first kept item, for a nested list ("when the user mentions")
    tail: str = ""  # after its last kept item (", etc")


@dataclass(frozen=True, slots=True)
class Clause:
    text: str
    role: str  # one of ROLES
    sentence: int  # index of its sentence in the description
    position: int  # index of the clause in the description; shorter forms keep it
    unit: int = 0  # index of its unit in the sentence
    link: str = ""  # joins its unit to kept text before it in the sentence (" for ", ": ", ", ")
    lead_in: str = ""  # the sentence's lead-in, written before its first kept clause
    groups: tuple[Group, ...] = field(default=())  # lists it is an item of, outermost first
    terminal: str = ""  # the sentence's end punctuation as written ("" when it had none)
    opens: bool = False  # its text starts its sentence as written: join keeps the author's case
    needs: tuple[int, ...] = ()  # positions of clauses without which it is a fragment (see `anchored`)


# ---------------------------------------------------------------------------- words


@dataclass(frozen=True)
class _Words:
    abbreviations: frozenset[str]
    trigger_leads: tuple[re.Pattern[str], ...]
    what_leads: tuple[re.Pattern[str], ...]
    nested_leads: tuple[re.Pattern[str], ...]
    head_link: re.Pattern[str]  # a link word inside a first list part: " for ", " including "
    strong_link: re.Pattern[str]  # a list part that starts with "including", "such as", ...
    head_tail: re.Pattern[str]  # link words and punctuation ending the text before "(1)"
    connective: re.Pattern[str]  # a list part that starts with "and", "or", "and/or"
    connective_words: frozenset[str]
    inner_connective: re.Pattern[str]  # " and " / " or " inside the last part of "a, b and c"
    list_tail: re.Pattern[str]
    subordinator: re.Pattern[str]
    fronted: re.Pattern[str]  # a preposition that opens a sentence: "For X and Y, use Z instead"
    gerund_links: frozenset[str]  # strong links that are one more item in a list of "-ing" items
    request_verb: re.Pattern[str]  # an item that opens with what a user does: "wants a digest"
    particle: re.Pattern[str]  # a text that opens with one is no object: "to create a file"
    determiners: frozenset[str]


@functools.cache
def _words() -> _Words:
    data = resources.lexicon("reduce-shorten")["segment"]

    def leads(key: str) -> tuple[re.Pattern[str], ...]:
        # A lead-in ends at a word boundary, with a colon taken along.
        return tuple(re.compile(rf"(?:{p})(?:\s*:)?(?=\s|$)", re.I) for p in data[key])

    links = resources.phrase_alternation(data["head_links"])
    connectives = resources.phrase_alternation(data["connectives"])
    return _Words(
        abbreviations=frozenset(a.lower() for a in data["abbreviations"]),
        trigger_leads=leads("trigger_leads"),
        what_leads=leads("what_leads"),
        nested_leads=tuple(re.compile(rf"(?:{p})(?=\s)", re.I) for p in data["nested_leads"]),
        head_link=re.compile(rf"\s(?:{links})\s", re.I),
        strong_link=re.compile(rf"(?:{resources.phrase_alternation(data['strong_links'])}),?\s+(?=\S)", re.I),
        head_tail=re.compile(rf"(?:[,;:]?\s*(?:{links})?[,:]?\s*)$", re.I),
        connective=re.compile(rf"(?:{connectives})\s+(?=\S)", re.I),
        connective_words=frozenset(w.lower() for w in data["connectives"]),
        inner_connective=re.compile(rf"\s({connectives})\s", re.I),
        list_tail=re.compile(rf"(?:{resources.phrase_alternation(data['list_tails'])})$", re.I),
        subordinator=re.compile(rf"(?:{resources.phrase_alternation(data['subordinators'])})\b", re.I),
        fronted=re.compile(rf"(?:{resources.phrase_alternation(data['fronted'])})\s", re.I),
        gerund_links=frozenset(w.lower() for w in data["gerund_links"]),
        request_verb=re.compile(rf"(?:{resources.phrase_alternation(data['request_verbs'])})\b"),  # as written: lowercase
        particle=re.compile(rf"(?:{resources.phrase_alternation(data['particles'])})\b", re.I),
        determiners=frozenset(w.lower() for w in data["determiners"]),
    )


# ----------------------------------------------------------------- protected text

_BACKTICKS = re.compile(r"`+")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`]+")
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_QUOTE_OPEN_AFTER = frozenset(" \t\n([{/—-")
_QUOTE_MAX_CHARS = 400  # a lone apostrophe must not swallow a paragraph


def _mask(text: str) -> bytearray:
    """1 for each character inside inline code, a URL, brackets or quotes (delimiters included)."""
    n = len(text)
    mask = bytearray(n)
    for start, end in _code_spans(text):
        mask[start:end] = b"\x01" * (end - start)
    for match in _URL.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in ".,;:!?)'\"":
            end -= 1
        mask[match.start() : end] = b"\x01" * (end - match.start())
    pairs: dict[int, int] = {}
    stack: list[int] = []
    closers: dict[str, list[int]] = {"\"": [], "”": [], "'": [], "’": []}  # candidate closing quotes
    for i, char in enumerate(text):
        if mask[i]:
            continue
        if char in _OPEN:
            stack.append(i)
        elif char in _CLOSE and stack and text[stack[-1]] == _CLOSE[char]:
            pairs[stack.pop()] = i  # a closer without its opener is plain text
        elif char in closers and (char in "\"”" or (i > 0 and not text[i - 1].isspace() and (i + 1 == n or not text[i + 1].isalnum()))):
            closers[char].append(i)
    i = 0
    while i < n:
        end = None if mask[i] else _span_end(text, i, pairs, closers)
        if end is None:
            i += 1
            continue
        mask[i : end + 1] = b"\x01" * (end + 1 - i)
        i = end + 1
    return mask


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Inline code: a run of backticks up to the next run of the same length (CommonMark)."""
    runs = [m.span() for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = by_length[end - start]
        after = bisect.bisect_right(same, index)
        if after < len(same):
            spans.append((start, runs[same[after]][1]))
            index = same[after] + 1
        else:
            index += 1
    return spans


def _span_end(text: str, i: int, pairs: dict[int, int], closers: dict[str, list[int]]) -> int | None:
    """Where the bracket or quotation opening at i closes; None when nothing opens there."""
    char = text[i]
    if i in pairs:
        return pairs[i]
    if char in "\"“":
        candidates, limit = closers["\"" if char == "\"" else "”"], len(text)
    elif char in "'‘" and (i == 0 or text[i - 1] in _QUOTE_OPEN_AFTER) and i + 1 < len(text) and not text[i + 1].isspace():
        candidates, limit = closers["'" if char == "'" else "’"], i + _QUOTE_MAX_CHARS
    else:
        return None
    index = bisect.bisect_right(candidates, i + (char == "'"))
    return candidates[index] if index < len(candidates) and candidates[index] < limit else None


def top_level(text: str, pattern: re.Pattern[str], starts_only: bool = False) -> list[re.Match[str]]:
    """Matches of `pattern` in `text` outside inline code, URLs, brackets and quotes (with
    `starts_only`, matches that start outside them: " (an aside)")."""
    mask = _mask(text)
    return [m for m in pattern.finditer(text) if _top(mask, m.start(), m.start() + 1 if starts_only else m.end())]


def _top(mask: bytearray, start: int, end: int) -> bool:
    return mask.find(1, start, end) == -1


def _split_top(text: str, pattern: re.Pattern[str]) -> list[str]:
    """text split at the top-level matches of pattern (separators dropped)."""
    mask = _mask(text)
    parts: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if match.start() > start and _top(mask, match.start(), match.end()):
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def _split_top_kept(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """(separator before, piece) for the top-level matches of pattern; the first separator is ""."""
    mask = _mask(text)
    out: list[tuple[str, str]] = []
    start, link = 0, ""
    for match in pattern.finditer(text):
        if match.start() > start and _top(mask, match.start(), match.end()):
            out.append((link, text[start : match.start()]))
            start, link = match.end(), match.group(0)
    out.append((link, text[start:]))
    return out


# ------------------------------------------------------------------- sentences

_BULLET = re.compile(r"^\s*(?:([-*•+])|(\d{1,2})([.)]))\s+(?=\S)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_END = re.compile(r"[.!?]+[\"'”’]?")
_QUOTE_CLOSERS = "\"'”’"
_COMMA_IN_CLOSING_QUOTE = re.compile(r",([\"'”’])$")
_CLOSED_END = re.compile(r"[.!?][\"'”’]*$")
_SENTENCE_START = frozenset("\"'“‘`*([")


def _normal(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(description: str) -> list[tuple[str, list[str], str]]:
    """(text, bullet items, bullet marker) per paragraph; whitespace collapsed."""
    out: list[tuple[str, list[str], str]] = []
    for paragraph in _PARAGRAPH.split(description):
        intro: list[str] = []
        items: list[str] = []
        markers: list[tuple[str, str]] = []  # (bullet char or number, number's punctuation)
        for line in paragraph.split("\n"):
            match = _BULLET.match(line)
            if match:
                markers.append((match.group(1) or match.group(2), match.group(3) or ""))
                items.append(line[match.end() :])
            elif items:
                items[-1] += " " + line  # a wrapped bullet line
            else:
                intro.append(line)
        marker = _bullet_marker(markers)
        if len(items) >= 2 and marker:
            out.append((_normal(" ".join(intro)), [_normal(item) for item in items], marker))
        elif _normal(paragraph):
            out.append((_normal(paragraph), [], ""))
    return out


def _bullet_marker(markers: list[tuple[str, str]]) -> str:
    """The marker style when every item uses the same one (numbers counting from 1)."""
    if not markers:
        return ""
    if all(punct == "" and char == markers[0][0] for char, punct in markers):
        return markers[0][0]
    if all(punct == markers[0][1] and char == str(n) for n, (char, punct) in enumerate(markers, 1)):
        return "1" + markers[0][1]
    return ""


def _sentences(text: str) -> list[tuple[str, str]]:
    """(body, end punctuation) per sentence; the punctuation is "" when there is none."""
    words = _words()
    mask = _mask(text)
    out: list[tuple[str, str]] = []
    start = 0
    for match in _END.finditer(text):
        after = match.end()
        if after >= len(text) or not text[after].isspace():
            continue
        # Either the punctuation is top-level, or it ends a quote: "... or 'copy sweep.' This ..."
        inside_quote = text[after - 1] in _QUOTE_CLOSERS
        if inside_quote and not (mask[after - 1] and not mask[after]):
            continue
        if not inside_quote and not _top(mask, match.start(), after):
            continue
        following = after
        while following < len(text) and text[following].isspace():
            following += 1
        if following >= len(text):
            continue
        first = text[following]
        if not (first.isupper() or first.isdigit() or first in _SENTENCE_START):
            continue
        if match.group(0) == "." and _abbreviation(text, match.start(), words.abbreviations):
            continue
        body = text[start : after if inside_quote else match.start()].strip()
        if body:
            out.append((body, "" if inside_quote else match.group(0)))
        start = following
    rest = text[start:].strip()
    if rest:
        end = re.search(r"[.!?]+$", rest)
        if end and _top(mask, start + end.start(), start + end.end()) and end.start() > 0:
            out.append((rest[: end.start()].rstrip(), end.group(0)))
        else:
            out.append((rest, ""))
    return out


def _abbreviation(text: str, dot: int, abbreviations: frozenset[str]) -> bool:
    begin = dot
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    word = text[begin : dot + 1].lstrip("([{\"'“‘").lower()
    # A single capital ("J. Smith") is an initial.
    return word in abbreviations or (len(word) == 2 and text[dot - 1].isupper())


# ------------------------------------------------------------------ sentence parse

@dataclass
class _List:
    children: list[Union[str, "_List"]]
    separator: str = ","
    connective: str = ""
    serial: bool = False
    marker: str = ""
    lead_in: str = ""
    tail: str = ""


_Node = Union[str, _List]


@dataclass
class _Unit:
    link: str
    node: _Node
    head: bool = False  # a lead tied to the list that follows
    main: bool = False  # the main clause after a fronted "If X," or "For X and Y,": the sentence needs it
    continues: bool = False  # a list that goes on from the last item of the list before: "A, or B that x, y, or z"
    head_in_first: bool = False  # its items after the first are objects of the first's verb: "link to or open a trace, span, or session"


_STRONG_SEPARATOR = re.compile(r":\s+|\s+(?:—|–|--|-)\s+")
_SEMICOLON = re.compile(r";\s+")
_COMMA = re.compile(r",\s+")
_QUOTED_ITEMS = re.compile(r"(?<=,['\"”’])\s+(?=(?:(?:and|or)\s+)?['\"“‘])")
_NUMBER = re.compile(r"(?:(?<=\s)|^)(?:\((\d{1,2})\)|(\d{1,2})\))\s+(?=\S)")
_NUMBERED_END = re.compile(r"(?s)(.*?)\s*(?:([,;])\s*)?(?:(and/or|and|or|then)\s*)?$")
_GERUND = re.compile(r"[a-z]{2,}ing\b")
# The verb that ends a lead-in like "Use when the user asks to" (see _lead).
_LEAD_VERB = re.compile(r"\s+(?:asks?|says?|wants?|needs?|mentions?|requests?|types?|provides?|uploads?|shares?|reports?|describes?|references?|has|have|is|are)(?:\s+(?:to|for|about|you\s+to))?(?:\s*:)?$", re.I)
_LOWER_START = re.compile(r"[a-z]+(?:[-/][a-z]+)*(?=[\s,;:!?)]|$)")  # a word, not an identifier like "pd.read_csv"


def _longest_lead(body: str, patterns: tuple[re.Pattern[str], ...]) -> re.Match[str] | None:
    best = None
    for pattern in patterns:
        match = pattern.match(body)
        if match and (best is None or match.end() > best.end()):
            best = match
    return best


def _lead(body: str, has_bullets: bool) -> tuple[str, str, str]:
    """(lead-in, kind "trigger"|"what"|"", rest of the sentence)."""
    words = _words()
    for kind, patterns in (("trigger", words.trigger_leads), ("what", words.what_leads)):
        match = _longest_lead(body, patterns)
        if match:
            lead = match.group(0)
            verb = _LEAD_VERB.search(lead)
            if verb and any(_LEAD_VERB.match(" " + part.split(" ", 1)[0]) for part in _split_top(body[match.end() :], _COMMA)[1:]):
                # "Use when a user wants X, asks Y, needs Z": the verb starts each item.
                lead = lead[: verb.start()]
            rest = body[len(lead) :].strip()
            if rest or has_bullets:
                return lead, kind, rest
    return "", "", body


def _parse_sentence(body: str, bullets: list[str], marker: str) -> tuple[str, str, list[_Unit]]:
    lead, kind, rest = _lead(body, bool(bullets))
    units = _units(rest, kind == "trigger") if rest else []
    if kind == "trigger" and units:
        lead = _shared_verb(lead, units[0])
    if bullets:
        units.append(_Unit(" " if units else "", _List(list(bullets), separator="", marker=marker)))
    return lead, kind, units


_INFINITIVE_END = re.compile(r"\bto$")


def _shared_verb(lead: str, unit: _Unit) -> str:
    """'when the user wants to' + 'optimize onboarding, user activation, or time-to-value':
    after an infinitive "to", items that are no verb phrases are objects of the first
    item's verb, so the verb joins the lead-in and each item can go alone ("... wants to
    optimize user activation"). A verb with a particle ("link to or open a trace") stays,
    and the other items need the first. Changes the unit in place; returns the lead-in."""
    node = unit.node
    if not (_INFINITIVE_END.search(lead) and isinstance(node, _List) and isinstance(node.children[0], str)):
        return lead
    words = _words()
    first, others = node.children[0], node.children[1:]
    verb, _, rest = first.partition(" ")
    if _verb_form(first) != "base" or not rest or unit.link:
        return lead
    # Objects are no verb phrases: no verb or link word first.
    if any(not isinstance(o, str) or not o.strip() or _item_opening(o) or words.particle.match(o) or words.subordinator.match(o) for o in others):
        return lead
    if words.particle.match(rest):
        # "link to or open a trace, span, or session": the verb cannot go alone, so the
        # others keep the first item (a wrong guess only costs tokens).
        unit.head_in_first = True
        return lead
    # Moving the verb needs surer objects: a few words, no article second ("size an
    # experiment" is a verb phrase whose verb the lexicon lacks).
    short = int(resources.limits()["reduce_description"]["shared_verb_object_words"])
    for other in others:
        split = other.split()
        if len(split) > short or (len(split) > 1 and split[1].lower() in words.determiners):
            return lead
    node.children[0] = rest
    return f"{lead} {verb}"


def _units(text: str, trigger: bool) -> list[_Unit]:
    units: list[_Unit] = []
    for link, piece in _split_top_kept(text, _STRONG_SEPARATOR):
        piece_units = _piece_units(piece, trigger)
        piece_units[0].link = link
        units.extend(piece_units)
    return units


def _piece_units(text: str, trigger: bool) -> list[_Unit]:
    parts = _split_top(text, _SEMICOLON)
    if len(parts) == 1:
        return _comma_units(text, trigger)
    connective = _words().connective.match(parts[-1])
    if connective:
        # "a, b, or c; d; or e": one list of the semicolon parts, each perhaps a list itself.
        children = [_comma_list(part) for part in parts[:-1]]
        children.append(_comma_list(parts[-1][connective.end() :]))
        return [_Unit("", _List(children, ";", _connective_word(connective), True))]
    units: list[_Unit] = []
    for part in parts:
        part_units = _comma_units(part, trigger)
        part_units[0].link = "; " if units else ""
        units.extend(part_units)
    return units


def _connective_word(match: re.Match[str]) -> str:
    return match.group(0).strip()  # as written, so that join gives the original back


def _comma_list(text: str) -> _Node:
    """An item of a semicolon list: a comma list when it is one, else the text."""
    units = _coordinate(*_comma_parts(text))
    if len(units) == 1 and not units[0].link:
        return units[0].node
    return text


def _comma_parts(text: str) -> tuple[list[str], str]:
    """Parts at top-level ", " and the separator; "" for quoted items that hold their own
    commas ("'edit this copy,' 'proofread,' or 'polish'")."""
    parts = _split_top(text, _COMMA)
    if len(parts) == 1:
        quoted = _split_top(text, _QUOTED_ITEMS)
        if len(quoted) > 1:
            return quoted, ""
    return parts, ","


def _comma_units(text: str, trigger: bool) -> list[_Unit]:
    numbered = _numbered(text)
    if numbered:
        return numbered
    words = _words()
    parts, separator = _comma_parts(text)
    if len(parts) == 1:
        return [_Unit("", _predicates(text))]
    if separator:
        for k in range(1, len(parts)):
            strong = words.strong_link.match(parts[k])
            if strong and strong.group(0).split()[0].lower() in words.gerund_links and all(_GERUND.match(p) for p in parts[:k]):
                strong = None  # "building X, writing Y, using Z": one more item, not "X, using a, b"
            if strong:
                # "X, including a, b and c": the list starts at the link word.
                rest = _coordinate([parts[k][strong.end() :], *parts[k + 1 :]], separator)
                rest[0].link = ", " + strong.group(0)
                return [_Unit("", ", ".join(parts[:k]), head=True), *rest]
        participle = _participle(parts)
        if participle:
            return participle
        if words.subordinator.match(parts[0]):
            rest = _coordinate(parts[1:], separator)
            rest[0].link = ", "
            rest[-1].main = isinstance(rest[-1].node, str)
            return [_Unit("", parts[0]), *rest]
    units = _coordinate(parts, separator)
    last = units[-1]
    if len(units) > 1 and words.fronted.match(parts[0]) and isinstance(last.node, str) and opening(last.node) == "verb":
        last.main = True  # "For flowcharts and circuits, use X instead": not "For flowcharts and circuits."
    first = units[0]
    if isinstance(first.node, _List) and isinstance(first.node.children[0], str):
        split = _head_split(first.node.children[0], first.node.children[1:])
        if split:
            head, link, item = split
            first.node.children[0] = item
            first.link = link
            return [_Unit("", head, head=True), *units]
    return units


def _participle(parts: list[str]) -> list[_Unit] | None:
    """'Reviews plans before apply, flagging deletions, exposure, or drift': a participle
    after a main clause that opens with a verb is no item of a list with it. Its objects
    are the list ("flagging" the link), or, when more participles follow ("..., flagging
    deletions, noting drift"), the participial phrases are. None when there is none."""
    if opening(parts[0]) != "verb":
        return None
    for k in range(1, len(parts)):
        if _words().connective.match(parts[k]) or not _GERUND.match(parts[k]):
            continue
        if any(opening(p) == "gerund" for p in parts[1:k]):
            return None
        word, _, rest = parts[k].partition(" ")
        head = _Unit("", ", ".join(parts[:k]), head=True)
        if not rest or any(_GERUND.match(p) or opening(_words().connective.sub("", p, count=1)) == "gerund" for p in parts[k + 1 :]):
            tail = _coordinate(parts[k:])
            tail[0].link = ", "
            return [head, *tail]
        tail = _coordinate([rest, *parts[k + 1 :]])
        tail[0].link = f", {word} "
        return [head, *tail]
    return None


def _predicates(text: str) -> _Node:
    """'reviewing pull requests or writing tests', 'Reads the config file and enforces the
    privacy rules': two predicates of one form joined by one "and" or "or", each of two
    words or more, as two items; else the text."""
    found = [m for m in top_level(text, _words().inner_connective) if _verb_form(text[m.end() :])]
    if len(found) != 1:
        return text
    left, right = text[: found[0].start()], text[found[0].end() :]
    if _verb_form(left) == _verb_form(right) and all(len(side.split()) >= 2 for side in (left, right)):
        return _List([left, right], connective=found[0].group(1))
    return text


def _verb_form(text: str) -> str:
    """'gerund', 's' (third person), 'base' for a verb of the lexicon opening the text; else ''."""
    word = text.split(" ", 1)[0].lower()
    kind = opening(word)
    if kind != "verb":
        return kind
    return "base" if word in _verbs() else "s"


def _coordinate(parts: list[str], separator: str = ",") -> list[_Unit]:
    """Parts as lists and leftover phrases, each a unit (those after the first linked by the separator)."""
    words = _words()
    units: list[_Unit] = []
    current: list[_Node] = []
    between = f"{separator} " if separator else " "

    def close(node: _Node) -> None:
        units.append(_Unit(between if units else "", node, continues=bool(units) and _continues(units[-1].node, node)))

    i = 0
    while i < len(parts):
        part = parts[i]
        tail = words.list_tail.fullmatch(part)
        connective = words.connective.match(part)
        if tail and len(current) >= 2:
            node = _List(list(current), separator, tail=between + part)
            close(node)
            current = []
        elif connective and current and _shared_object([*current, part[connective.end() :]]):
            # "Generate, modify, and style React components": one phrase, not a list.
            current = [between.join([*map(str, current), part])]
        elif connective and current:
            rest = part[connective.end() :]
            nested, i = _nested(rest, parts, i, separator)
            items = [*current, nested or rest]
            close(items[0] if len(items) == 1 else _List(items, separator, _connective_word(connective), bool(separator)))
            current = []
        else:
            current.append(part)
        i += 1
    if current:
        close(_unclosed(current, separator))
    return units


def _continues(before: _Node, node: _Node) -> bool:
    """Does a closed list go on from the last item of the closed list before it ("refactoring
    code that clones X, takes Y, or returns Z"), rather than add items parallel to its
    first ("working with X, fitting A or B, handling Y, or implementing Z")?"""
    if not (isinstance(before, _List) and before.connective and isinstance(node, _List) and node.connective):
        return False
    first = before.children[0]
    items = [c for c in node.children if isinstance(c, str)]
    return not (isinstance(first, str) and _GERUND.match(first) and items and all(_GERUND.match(c) for c in items))


def _nested(rest: str, parts: list[str], i: int, separator: str) -> tuple[_List | None, int]:
    """'... or when the user mentions a, b, or c': the nested list and the index of its last part."""
    words = _words()
    lead = _longest_lead(rest, words.nested_leads)
    if not lead:
        return None, i
    for m in range(i + 1, len(parts)):
        connective = words.connective.match(parts[m])
        if connective:
            children: list[_Node] = [rest[lead.end() :].strip(), *parts[i + 1 : m], parts[m][connective.end() :]]
            return _List(children, separator, _connective_word(connective), bool(separator), lead_in=lead.group(0)), m
    return None, i


def _unclosed(parts: list[_Node], separator: str) -> _Node:
    """Parts that no ", and" closes: "a, b and c", "a, b, c", or one phrase."""
    words = _words()
    between = f"{separator} " if separator else " "
    last = parts[-1]
    if len(parts) >= 2 and isinstance(last, str):
        mask = _mask(last)
        inner = [m for m in words.inner_connective.finditer(last) if _top(mask, m.start(), m.end())]
        if inner:
            split = inner[-1]
            items = [*parts[:-1], last[: split.start()], last[split.end() :]]
            if _shared_object(items):
                return between.join(str(p) for p in parts)
            if _parallel(items, len(parts)):
                return _List(items, separator, split.group(1), False)
    if len(parts) >= int(resources.limits()["reduce_description"]["list_min_items_unjoined"]) and not _shared_object(parts):
        return _List(list(parts), separator)
    return between.join(str(p) for p in parts)


def _shared_object(items: list[_Node]) -> bool:
    """One-word verbs before a longer last item share its object: 'create, read and delete records'."""
    *verbs, last = items
    return (
        all(isinstance(v, str) and len(v.split()) == 1 and opening(v) == "verb" for v in verbs)
        and isinstance(last, str)
        and len(last.split()) >= 2
    )


def _parallel(items: list[_Node], parts: int) -> bool:
    """Do the items of a list closed by a bare 'and' look like list items?"""
    texts = [item for item in items if isinstance(item, str)]
    if any(not t.strip() for t in texts):
        return False
    gerunds = [bool(_GERUND.match(t)) for t in texts[1:]]
    if sum(gerunds) * 2 > len(gerunds) and not _GERUND.match(texts[-1]):
        return False  # "comparing x, building y and z systems": z is not an item
    # Two comma parts ("secure, high-performance links using VPN and ...") are a list only
    # when all three items are short.
    short = int(resources.limits()["reduce_description"]["list_short_item_words"])
    return parts >= 3 or all(len(t.split()) <= short for t in texts)


def _head_split(first: str, others: list[_Node]) -> tuple[str, str, str] | None:
    """'PDF toolkit for extracting text' -> ('PDF toolkit', ' for ', 'extracting text')."""
    words = _words()
    mask = _mask(first)
    links = [m for m in words.head_link.finditer(first) if _top(mask, m.start(), m.end())]
    if not links:
        return None
    kinds = [_item_opening(o) for o in others if isinstance(o, str)]
    for kind in ("gerund", "verb"):
        if kinds and kinds.count(kind) * 2 > len(kinds):
            # Items are "-ing" or verb phrases: so is the first, after a link word or from the start.
            if opening(first) == kind:
                return None
            links = [m for m in links if opening(first[m.end() :]) == kind]
            if not links:
                return None
    link = links[-1]
    head, item = first[: link.start()], first[link.end() :]
    if len(head.split()) < 2 or not item.strip() or head.split()[-1].lower() in words.connective_words:
        return None  # a one-word head ("Works from a, b or c") says nothing alone; "x and" is no head
    return head, link.group(0), item


@functools.cache
def _verbs() -> frozenset[str]:
    extra = resources.lexicon("reduce-shorten")["segment"]["verbs"]
    return frozenset([*resources.lexicon("body-actionability")["imperative_verbs"], *extra])


def _item_opening(text: str) -> str:
    """`opening`, and 'verb' for what a request says a user does: "wants a digest",
    "asks 'what is open'" are items parallel to a first one, never objects of its verb."""
    return opening(text) or ("verb" if _words().request_verb.match(text) else "")


def opening(text: str) -> str:
    """'gerund', 'verb' (a base or third-person verb of the imperative lexicon) or '' for the first word."""
    word = text.split(" ", 1)[0].lower()
    if _GERUND.fullmatch(word):
        return "gerund"
    verbs = _verbs()
    if word in verbs or (word.endswith("s") and (word[:-1] in verbs or (word.endswith("es") and word[:-2] in verbs))):
        return "verb"
    return ""


def _numbered(text: str) -> list[_Unit] | None:
    """'... including (1) a, (2) b, or (3) c' as a head and a numbered list; None when not one."""
    mask = _mask(text)
    marks = []
    for match in _NUMBER.finditer(text):
        number = int(match.group(1) or match.group(2))
        if (match.start() == 0 or not mask[match.start() - 1]) and number == len(marks) + 1:
            marks.append(match)
    if len(marks) < 2 or any(bool(m.group(1)) != bool(marks[0].group(1)) for m in marks):
        return None
    ends = [_NUMBERED_END.match(text[a.end() : b.start()]) for a, b in zip(marks, marks[1:])]
    items = [end.group(1) for end in ends] + [text[marks[-1].end() :].strip()]
    separators = {end.group(2) or "" for end in ends[:-1]}
    last_separator, connective = ends[-1].group(2) or "", (ends[-1].group(3) or "").lower()
    separator = separators.pop() if separators else last_separator
    if separators or (not connective and last_separator != separator) or any(not item for item in items):
        return None
    if connective and last_separator not in ("", separator):
        return None
    node = _List(items, separator, connective, bool(connective and last_separator), marker="(1)" if marks[0].group(1) else "1)")
    head_text = text[: marks[0].start()]
    if not head_text:
        return [_Unit("", node)]
    tail = _words().head_tail.search(head_text)
    head = head_text[: tail.start()] if tail else head_text
    if not head.strip():
        return None  # link words with nothing to tie them to
    return [_Unit("", head, head=True), _Unit(head_text[len(head) :], node)]


# ---------------------------------------------------------------------- building


def segment(description: str) -> list[Clause]:
    """The clauses of a description, in order; [] for an empty one."""
    if not isinstance(description, str):
        raise TypeError(f"a description is a string, not {type(description).__name__}")
    clauses: list[Clause] = []
    group_ids = itertools.count()
    number = 0
    for text, bullets, marker in _paragraphs(description):
        sentences = _sentences(text) if text else []
        if bullets and sentences and not sentences[-1][1]:
            body, _ = sentences.pop()
            planned = [(s, t, [], "") for s, t in sentences] + [(body, "", bullets, marker)]
        else:
            planned = [(s, t, [], "") for s, t in sentences] + ([("", "", bullets, marker)] if bullets else [])
        for body, terminal, items, style in planned:
            built = _build_sentence(body, terminal, items, style, number, len(clauses), group_ids)
            clauses.extend(built)
            number += 1
    return clauses


def _build_sentence(body: str, terminal: str, bullets: list[str], marker: str, number: int, first: int, group_ids: Iterator[int]) -> list[Clause]:
    lead, kind, units = _parse_sentence(body, bullets, marker)
    built: list[Clause] = []
    if units and (lead or sum(_leaves(u.node) for u in units) > 1):
        spans: list[range] = []  # positions of each unit's clauses
        for index, unit in enumerate(units):
            role = _role(kind, unit)
            start = first + len(built)
            built.extend(_emit(unit.node, (), role, number, start, index, unit.link, lead, terminal, group_ids))
            spans.append(range(start, first + len(built)))
        main = tuple(p for unit, span in zip(units, spans) if unit.main for p in span)
        # A nested list without a lead-in of its own has its head in its first item:
        # "when auditing evidence for forged results, replay, or expiry".
        group_first: dict[int, int] = {}
        for clause in built:
            for group in clause.groups:
                group_first.setdefault(group.id, clause.position)
        for index, (unit, span) in enumerate(zip(units, spans)):
            needs = main + ((spans[index - 1][-1],) if unit.continues else ())
            for p in span:
                own = (span[0],) if unit.head_in_first and p != span[0] else ()
                clause = built[p - first]
                heads = tuple(group_first[g.id] for g in clause.groups[1:] if not g.lead_in)
                built[p - first] = dataclasses.replace(clause, needs=tuple(dict.fromkeys(n for n in needs + own + heads if n != p)))
        if built and not lead:
            built[0] = dataclasses.replace(built[0], opens=True)
        if _render_sentence(built) == _finish(_sentence_text(body, bullets, marker), terminal, capitalise=False):
            return built
    # One clause: the sentence as written.
    return [Clause(_sentence_text(body, bullets, marker), "sentence", number, first, terminal=terminal, opens=True)]


def _sentence_text(body: str, bullets: list[str], marker: str) -> str:
    if not bullets:
        return body
    marks = [_marker(marker, n) for n in range(1, len(bullets) + 1)]
    return " ".join([body, *(f"{m} {b}" for m, b in zip(marks, bullets))]).strip()


def _leaves(node: _Node) -> int:
    return 1 if isinstance(node, str) else sum(_leaves(child) for child in node.children)


def _role(kind: str, unit: _Unit) -> str:
    if kind == "trigger":
        return "trigger-item"
    if isinstance(unit.node, _List) or kind == "what":
        return "item"
    return "lead" if unit.head else "phrase"


def _emit(node: _Node, groups: tuple[Group, ...], role: str, sentence: int, position: int, unit: int, link: str, lead: str, terminal: str, group_ids: Iterator[int]) -> list[Clause]:
    if isinstance(node, str):
        return [Clause(node.strip(), role, sentence, position, unit, link, lead, groups, terminal)]
    group = Group(next(group_ids), len(node.children), node.separator, node.connective, node.serial, node.marker, node.lead_in, node.tail)
    out: list[Clause] = []
    for child in node.children:
        out.extend(_emit(child, (*groups, group), role, sentence, position + len(out), unit, link, lead, terminal, group_ids))
    return out


# -------------------------------------------------------------------------- join


def anchored(clauses: Sequence[Clause], indices: Iterable[int]) -> tuple[int, ...]:
    """`indices` (into `clauses`, all the clauses of one description: `needs` holds their
    positions) plus what each kept clause needs not to be a fragment, and
    so on: the clause that opens its sentence ("A non-root user.", "Flagging breaking
    changes."), the main clause after a fronted "For X, Y and Z," ("For flowcharts and
    circuits." says the opposite of "..., use the diagrams skill instead"), the item a
    nested list goes on from ("refactoring code that clones X, ..., or returns Y") or holds
    its head in ("auditing evidence for forged results, ..., or expiry"). A lead-in ("Use
    when", "Covers") is written before any kept clause, so the items of its first unit
    stand alone; a later unit needs the first unless it goes on from an item."""
    first: dict[int, int] = {}
    for index, clause in enumerate(clauses):
        first.setdefault(clause.sentence, index)
    kept: set[int] = set()
    todo = list(indices)
    while todo:
        index = todo.pop()
        if index in kept:
            continue
        kept.add(index)
        clause = clauses[index]
        todo.extend(clause.needs)
        # A later unit of a lead-in sentence needs the first, unless it goes on from an item.
        if not clause.lead_in or (clause.unit and not clause.needs):
            todo.append(first[clause.sentence])
    return tuple(sorted(kept))


def join(clauses: Sequence[Clause]) -> str:
    """Text from clauses of one description in their original order (any subset)."""
    for before, after in zip(clauses, clauses[1:]):
        if after.position <= before.position:
            raise ValueError("join needs the clauses of one description in their original order")
    sentences: list[str] = []
    run: list[Clause] = []
    for clause in clauses:
        if run and clause.sentence != run[-1].sentence:
            sentences.append(_render_sentence(run))
            run = []
        run.append(clause)
    if run:
        sentences.append(_render_sentence(run))
    return " ".join(s for s in sentences if s)


def _render_sentence(clauses: Sequence[Clause]) -> str:
    pieces: list[str] = []
    after_list = False  # the last piece rendered is an item of a list
    i = 0
    while i < len(clauses):
        j = i
        while j < len(clauses) and clauses[j].unit == clauses[i].unit:
            j += 1
        body = _render_unit(clauses[i:j])
        link = clauses[i].link
        group = clauses[i].groups[0] if clauses[i].groups else None
        if body and after_list and group and group.connective and not group.lead_in and link.strip() in (",", ";") and _items(clauses[i:j], 0) == 1:
            # A list after a list item, kept to one item, keeps its connective: "from source
            # notes, facts, or drafts" -> "from source notes or drafts"; "working with X,
            # fitting A or B, or handling Z" -> "working with X or handling Z". After a main
            # clause the comma stays: "Reviews plans, noting drift".
            body, link = f"{group.connective} {body}", " "
        if body:
            pieces.append(link + body if pieces else body)
            after_list = group is not None
        i = j
    text = "".join(pieces)
    lead = clauses[0].lead_in
    if lead and text:
        text = _prefix(lead, text)
    return _finish(text, clauses[0].terminal, capitalise=not (lead or clauses[0].opens))  # a lead-in is as written


def _items(clauses: Sequence[Clause], depth: int) -> int:
    """How many items of the list at `depth` the clauses hold (a nested list is one item)."""
    return len({c.groups[depth + 1].id if len(c.groups) > depth + 1 else -1 - c.position for c in clauses})


def _render_unit(clauses: Sequence[Clause]) -> str:
    if not clauses[0].groups:
        return " ".join(c.text for c in clauses if c.text)
    return _render_group(clauses, 0)


def _render_group(clauses: Sequence[Clause], depth: int) -> str:
    group = clauses[0].groups[depth]
    children: list[str] = []
    nested = False  # a child is itself a list: a semicolon list keeps its semicolons
    i = 0
    while i < len(clauses):
        clause = clauses[i]
        if len(clause.groups) > depth + 1:
            inner = clause.groups[depth + 1]
            j = i
            while j < len(clauses) and len(clauses[j].groups) > depth + 1 and clauses[j].groups[depth + 1].id == inner.id:
                j += 1
            children.append(_render_group(clauses[i:j], depth + 1))
            nested = True
            i = j
        else:
            if clause.text:
                children.append(clause.text)
            i += 1
    if not children:
        return ""
    body = _coordinate_text(group, children, nested)
    return _prefix(group.lead_in, body) if group.lead_in else body


def _marker(style: str, number: int) -> str:
    if style == "(1)":
        return f"({number})"
    if style[:1] == "1":
        return f"{number}{style[1:]}"
    return style


def _coordinate_text(group: Group, children: list[str], nested: bool) -> str:
    items = [f"{_marker(group.marker, n)} {child}" if group.marker else child for n, child in enumerate(children, 1)]
    between = f"{group.separator} " if group.separator else " "
    if len(items) == 1 or not group.connective:
        text = between.join(items)
    else:
        # "a and b", "a, b, and c"; a two-item list keeps the comma only if written so, and a
        # semicolon list keeps its semicolon when its items are lists or hold commas.
        serial = group.serial and (len(items) > 2 or group.size == 2 or (group.separator == ";" and (nested or any("," in c for c in children))))
        text = between.join(items[:-1]) + (group.separator if serial else "") + f" {group.connective} {items[-1]}"
    return text + group.tail


_OWN_CONDITION = re.compile(r"\b(?:when(?:ever)?|if)\b", re.I)


def _prefix(lead: str, body: str) -> str:
    """lead + body, without repeating words the body starts with ('Use when' + 'when the user ...')."""
    lead_words, body_words = lead.split(), body.split(" ")
    for k in range(min(len(lead_words), len(body_words), 3), 0, -1):
        if [w.lower() for w in lead_words[-k:]] == [w.lower() for w in body_words[:k]]:
            return " ".join([*lead_words[:-k], body])
    verb = _LEAD_VERB.search(lead)
    if verb and _words().request_verb.match(body):
        # "Use when the user mentions" + "wants to speed up NumPy": the item brings its own verb.
        return f"{lead[: verb.start()]} {body}"
    if _OWN_CONDITION.match(body):
        # "Use when asked to" + "when a scan flags root": the item brings its own condition.
        conditions = list(_OWN_CONDITION.finditer(lead))
        if conditions:
            head = lead[: conditions[-1].start()].rstrip()
            return f"{head} {body}" if head else body[:1].upper() + body[1:]
    return f"{lead} {body}"


def _finish(text: str, terminal: str, capitalise: bool) -> str:
    """A sentence: capitalised, ending with its punctuation (a period when it had none)."""
    text = text.strip()
    if text.endswith(":"):
        text = text[:-1].rstrip()  # a colon with nothing after it
    text = _COMMA_IN_CLOSING_QUOTE.sub(r"\1", text)  # 'who is my customer,' ended a list item
    if not text:
        return ""
    if capitalise and _LOWER_START.match(text):
        text = text[0].upper() + text[1:]
    if terminal and not (terminal == "." and text.endswith(".")):
        text += terminal
    elif not terminal and not _CLOSED_END.search(text):
        text += "."  # e.g. a sentence ended by a paragraph break
    return text
