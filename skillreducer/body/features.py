"""Transparent, named features of one body item in its body: what the classifier sees.

Every feature is a float with a name (`FEATURES`); most are 0/1 cues. Cue words are data:
rules/lexicons/body-actionability.toml (imperative verbs, modals, conditionals, background
cues, shared with the heuristic in `lint.actionability`) and rules/lexicons/body-classifier.toml
(the rest). Sentence cues are read on the item's prose (markers, fenced code, links and
emphasis removed, as `lint.actionability.prose` does), so the words inside a code block
count only where the feature says so. The features run inside `check` on the items SR303
classifies in every skill (`item_vector`): keep them to a few regex searches per item.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from dataclasses import dataclass
from re import _constants, _parser  # private, but the one exact reading of the regex syntax
from typing import Iterable, Pattern, Sequence

from skillreducer import resources
from skillreducer.body.items import BodyItem
from skillreducer.lint.actionability import ITEM_KINDS, alternation, prose

HEADING_GROUPS = ("example", "background", "template", "core", "output")

FEATURES: tuple[str, ...] = (
    *(f"kind_{kind.replace('-', '_')}" for kind in ITEM_KINDS),
    "imperative_start",  # the first sentence starts with an imperative verb
    "imperative_share",  # share of sentences that do
    "modal",  # must, should, never, always, make sure, ...
    "prohibition",  # never, do not, avoid, ...
    "second_person",  # you, your
    "agent_obligation",  # "the agent should", "Claude must"
    "conditional",  # "If X, run Y"
    "checklist",  # "- [ ] ..."
    "numbered",  # "1. ..." or "Step 2: ..."
    "question",
    "quoted",  # a quoted phrase of a few words: sample wording, a request, a message
    "code_share",  # characters in fenced code and inline code spans
    "placeholder",  # <your-name>, {{title}}, YOUR_KEY, TODO
    "example_cue",  # "for example", "e.g.", "sample"
    "template_cue",  # "template", "copy", "fill in"
    "io_cue",  # "Input:", "Output:", "User:", "Bad:", "Good:"
    "background_cue",  # "is a", "because", "provides", ...
    "history_cue",  # past tense, versions, "no longer"
    "has_link",
    *(f"heading_{group}" for group in HEADING_GROUPS),  # 1 innermost heading, 0.5 an outer one
    "rule_table",  # a table whose header names rules (Do/Don't, When, Rule)
    "position",  # 0 first item .. 1 last item
    "log_chars",
    "log_sentences",
    "colon_code",  # code introduced by a sentence ending with a colon
    "command_block",  # shell fence or "$ " prompts
    "defines_output",  # code or table whose introduction or heading says it defines the output
)

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_LEAD = re.compile(r"^[^A-Za-z]+")
_LABEL = re.compile(r"^([^:.!?]{1,40}):\s+(\S.*)$", re.S)
_FIRST_WORDS = re.compile(r"([a-z][a-z'-]*)(?:[^a-z]+([a-z][a-z'-]*))?(?:[^a-z]+([a-z][a-z'-]*))?")
_MARKER = re.compile(r"^[ \t]*(?:[-*+]|(\d{1,9})[.)])(?:[ \t]+|$)")
_CHECKBOX = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX]\]")
_STEP = re.compile(r"^\W{0,4}(?:step|phase|stage)\s*\d+\b", re.I)
_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})[ \t]*([\w+-]*)")
_FENCE_LINE = re.compile(_FENCE.pattern, re.M)  # _FENCE at the start of every line
_INLINE_CODE = re.compile(r"`+[^`\n]*`+")  # never spans lines
_QUOTED = re.compile(r"[\"“][^\"”\n]{12,}[\"”]")
_YOU = re.compile(r"\byou(?:r|rs|rself)?\b")
_PROMPT = re.compile(r"^[ \t]*\$ ", re.M)


class _Lexicon:
    """Several cue lists matched in one pass: which lists have a cue in a text.

    One regex finds, at every position, the longest cue starting there (a lookahead, so
    matches may overlap); every shorter cue matching there is a prefix of it, so the lists
    of a match are precomputed as those of all its prefix cues. One pass over the text
    instead of one search per list: this is most of the features' speed.
    """

    def __init__(self, lists: dict[str, Iterable[str]]):
        cues: dict[str, set[str]] = {}
        for name, words in lists.items():
            for word in words:
                cues.setdefault(word.lower(), set()).add(name)
        self._lists = {
            phrase: frozenset().union(*(names for cue, names in cues.items() if phrase == cue or (phrase.startswith(cue) and _ends_at_boundary(phrase, len(cue)))))
            for phrase in cues
        }
        self._pattern = re.compile(f"(?=({_words(cues)}))")

    def lists(self, lower: str) -> set[str]:
        return set().union(*map(self._lists.__getitem__, set(self._pattern.findall(lower))))


def _ends_at_boundary(phrase: str, length: int) -> bool:
    """Whether the cue phrase[:length] matches inside phrase (its trailing \\b holds there)."""
    return not phrase[length - 1].isalnum() or not (phrase[length].isalnum() or phrase[length] == "_")


class _AnyPattern:
    """Whether a text matches the alternation of several regexes, told faster: each is
    searched alone (one that opens with literal text gets the regex engine's fast scan for
    it), and only when the literal text its matches start with is in the text."""

    def __init__(self, patterns: Iterable[str]):
        patterns = list(patterns)
        trees = [_parser.parse(pattern) for pattern in patterns]
        if not patterns or any(tree.state.groups > 1 for tree in trees):
            # An empty alternation matches everywhere; groups are numbered across the alternation.
            self._checks = [(re.compile("|".join(f"(?:{p})" for p in patterns)), "")]
        else:
            self._checks = [(re.compile(pattern), _literal_start(tree)) for pattern, tree in zip(patterns, trees)]

    def search(self, text: str) -> bool:
        for pattern, start in self._checks:
            if (not start or start in text) and pattern.search(text):
                return True
        return False


def _literal_start(tree: _parser.SubPattern) -> str:
    """The literal text every match of a parsed regex starts with, after zero-width
    assertions such as \\b ("" when none): a repeat, class or group ends it."""
    start = []
    if not tree.state.flags & re.IGNORECASE:
        for op, value in tree:
            if op is _constants.LITERAL:
                start.append(chr(value))
            elif op is not _constants.AT or start:
                break
    return "".join(start)


@dataclass(frozen=True)
class _Cues:
    verbs: frozenset[str]
    not_after: frozenset[str]
    prose: _Lexicon  # cue lists read on the lowercased prose, by name
    agent_obligation: Pattern[str]
    conditional: Pattern[str]
    io: Pattern[str]
    output: Pattern[str]
    placeholder: _AnyPattern
    shell_languages: frozenset[str]
    headings: _Lexicon  # the heading groups, by name


_words = alternation  # one builder of cue alternations for the heuristic and the features


def _compiled(words: Iterable[str]) -> Pattern[str]:
    return re.compile(_words(words))


@functools.cache
def _cues() -> _Cues:
    shared = resources.lexicon("body-actionability")
    own = resources.lexicon("body-classifier")
    prose_lists = {
        "modal": shared["modals"],
        "prohibition": own["prohibitions"],
        "example": own["example_cues"],
        "template": own["template_cues"],
        "background": shared["background_cues"],
        "history": own["history_cues"],
        "output": own["output_cues"],
        "agent_subject": own["agent_subjects"],
    }
    return _Cues(
        verbs=frozenset(shared["imperative_verbs"]),
        not_after=frozenset(shared["not_imperative_after"]),
        prose=_Lexicon(prose_lists),
        agent_obligation=re.compile(f"(?:{_words(own['agent_subjects'])})\\s+(?:{_words(own['agent_obligations'])})"),
        conditional=re.compile(r"^(?:" + _words(shared["conditionals"]) + r")[^,]{0,200},\s*(?:then\s+)?([a-z][a-z-]*)"),
        io=_compiled(own["io_cues"]),
        output=_compiled(own["output_cues"]),
        placeholder=_AnyPattern(own["placeholder_patterns"]),
        shell_languages=frozenset(own["shell_languages"]),
        headings=_Lexicon({group: own["heading_groups"][group] for group in HEADING_GROUPS}),
    )


def lexicon_fingerprint() -> str:
    """Hash of the cue lists the features read: a model fitted on other lists is stale."""
    data = {name: resources.lexicon(name) for name in ("body-actionability", "body-classifier")}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def body_features(items: Sequence[BodyItem]) -> list[dict[str, float]]:
    """The features of each item of one body, in order."""
    return [dict(zip(FEATURES, values, strict=True)) for values in body_vectors(items)]


def body_vectors(items: Sequence[BodyItem]) -> list[list[float]]:
    """body_features(items) as rows of values in FEATURES order (what the model multiplies)."""
    cues = _cues()
    last = max(1, len(items) - 1)
    out: list[list[float]] = []
    previous_prose = ""
    for position, item in enumerate(items):
        text_prose = item_prose(item)
        out.append(_features(item, text_prose, previous_prose, position / last, cues))
        previous_prose = text_prose
    return out


def item_vector(items: Sequence[BodyItem], index: int) -> list[float]:
    """The feature values of one item, equal to body_vectors(items)[index] (for callers that
    classify a few items and stop early)."""
    item = items[index]
    # Only a table or a code block that opens with its fence reads the item before it.
    previous_prose = item_prose(items[index - 1]) if index and _reads_previous(item) else ""
    return _features(item, item_prose(item), previous_prose, index / max(1, len(items) - 1), _cues())


def _reads_previous(item: BodyItem) -> bool:
    """Whether `_features` reads the previous item's prose: only for its colon before a
    table or a code block that opens with its fence (`_code_chars`' fence_first)."""
    return item.kind == "table" or (item.kind == "code" and _FENCE.match(item.text) is not None)


def item_prose(item: BodyItem) -> str:
    """The item's words: markers, fenced code, links, emphasis and tags removed; inline code as CODE."""
    return prose(item.kind, item.text)


def _imperative(sentence: str, cues: _Cues) -> bool:
    if sentence[:1] not in _ASCII_LETTERS:
        sentence = _LEAD.sub("", sentence)
    if ":" in sentence[:41]:
        label = _LABEL.match(sentence)
        if label:
            head = label.group(1)
            # "**Validate input**: check ..." is a command; a one-word label ("Output:") is not.
            if " " in head.strip() and _starts_imperative(head.lower(), cues):
                return True
            sentence = label.group(2)
    return _starts_imperative(sentence.lower(), cues)


def _starts_imperative(lower: str, cues: _Cues) -> bool:
    words = _FIRST_WORDS.match(lower, 0, 80)
    if words is None or words.group(1) not in cues.verbs or words.group(2) is None:
        return False  # a lone word ("Correct:") is a label
    return words.group(2) not in cues.not_after and words.group(3) not in cues.not_after


_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


_KIND_VALUES = {kind: tuple(1.0 if kind == k else 0.0 for k in ITEM_KINDS) for kind in ITEM_KINDS}  # the kind_* features
_NO_KIND = (0.0,) * len(ITEM_KINDS)


@functools.lru_cache(maxsize=4096)
def _heading_scores(path: tuple[str, ...]) -> tuple[float, ...]:
    """The heading_* features: 1 when the innermost heading names the group, 0.5 when an outer one does."""
    inner = _heading_groups(path[-1]) if path else frozenset()
    outer = frozenset().union(*map(_heading_groups, path[:-1]))
    return tuple(1.0 if group in inner else 0.5 if group in outer else 0.0 for group in HEADING_GROUPS)


@functools.lru_cache(maxsize=4096)
def _heading_groups(heading: str) -> frozenset[str]:
    """The heading groups one heading names (outer headings are shared by many paths)."""
    return frozenset(_cues().headings.lists(heading.lower()))


def _code_chars(text: str) -> tuple[int, str, bool]:
    """(characters in fenced code and inline code, first fence language, whether a fence opens the item)."""
    fenced = 0
    language = ""
    fence_first = False
    if "```" in text or "~~~" in text:
        # Only the fence lines are visited; a fenced block counts its lines with their newlines.
        inside: str | None = None  # the opening fence while in fenced code
        opened = outside = 0  # where the open block starts; where the text outside fences resumes
        for match in _FENCE_LINE.finditer(text):
            fence = match.group(1)
            if inside is None:
                fenced += sum(map(len, _INLINE_CODE.findall(text, outside, match.start())))
                inside = fence
                opened = match.start()
                language = language or match.group(2).lower()
                fence_first = fence_first or opened == 0
            elif fence[0] == inside[0] and len(fence) >= len(inside):
                end = text.find("\n", match.end())
                outside = len(text) if end < 0 else end + 1
                fenced += outside - opened + (end < 0)  # the last line counts a newline too
                inside = None
        if inside is None:
            fenced += sum(map(len, _INLINE_CODE.findall(text, outside)))
        else:
            fenced += len(text) + 1 - opened  # an unclosed fence runs to the end
    elif "`" in text:
        fenced = sum(map(len, _INLINE_CODE.findall(text)))
    return fenced, language, fence_first


def _features(item: BodyItem, text_prose: str, previous_prose: str, position: float, cues: _Cues) -> list[float]:
    """The item's feature values, in FEATURES order."""
    text = item.text
    kind = item.kind
    lower = text_prose.lower()
    sentences = [s for s in _SENTENCE.split(text_prose) if s]
    imperatives = [_imperative(s, cues) for s in sentences]
    newline = text.find("\n")
    first_line = text if newline < 0 else text[:newline]
    code_chars, language, fence_first = _code_chars(text) if "`" in text or "~~~" in text else (0, "", False)
    has_code = kind in ("code", "table") or bool(language) or code_chars > len(text) // 2
    # The introduction of code or a table: its own leading sentence (items.body_items merges a
    # colon-ended sentence into the code item) or the item before it when that ends with a colon.
    colon_before = previous_prose.rstrip().endswith(":")
    introduced = kind == "code" and (not fence_first or colon_before)
    found = cues.prose.lists(lower)
    if kind == "table" or (kind == "code" and fence_first):
        intro_defines = colon_before and bool(cues.output.search(previous_prose.lower()))
    else:
        intro_defines = "output" in found
    defines_output = has_code and (intro_defines or _heading_defines_output(item.heading_path))
    marker = _MARKER.match(first_line) if kind == "list-item" else None
    return [
        *_KIND_VALUES.get(kind, _NO_KIND),  # kind_*
        1.0 if imperatives and imperatives[0] else 0.0,  # imperative_start
        sum(imperatives) / len(imperatives) if imperatives else 0.0,  # imperative_share
        1.0 if "modal" in found else 0.0,  # modal
        1.0 if "prohibition" in found else 0.0,  # prohibition
        1.0 if "you" in lower and _YOU.search(lower) else 0.0,  # second_person
        1.0 if "agent_subject" in found and cues.agent_obligation.search(lower) else 0.0,  # agent_obligation
        1.0 if "," in lower and _conditional(sentences, cues) else 0.0,  # conditional
        1.0 if marker and _CHECKBOX.match(first_line) else 0.0,  # checklist
        1.0 if (marker and marker.group(1)) or _STEP.match(text_prose) else 0.0,  # numbered
        1.0 if "?" in text_prose else 0.0,  # question
        1.0 if ('"' in text_prose or "“" in text_prose) and _QUOTED.search(text_prose) else 0.0,  # quoted
        code_chars / len(text) if text else 0.0,  # code_share
        1.0 if cues.placeholder.search(text) else 0.0,  # placeholder
        1.0 if "example" in found else 0.0,  # example_cue
        1.0 if "template" in found else 0.0,  # template_cue
        1.0 if ":" in text and cues.io.search(text.lower()) else 0.0,  # io_cue
        1.0 if "background" in found else 0.0,  # background_cue
        1.0 if "history" in found else 0.0,  # history_cue
        1.0 if "](" in text or "://" in text else 0.0,  # has_link
        *_heading_scores(item.heading_path),  # heading_*
        1.0 if kind == "table" and _rule_header(first_line, cues) else 0.0,  # rule_table
        position,
        math.log1p(len(text)),  # log_chars
        math.log1p(len(sentences)),  # log_sentences
        1.0 if introduced else 0.0,  # colon_code
        1.0 if kind == "code" and (language in cues.shell_languages or _PROMPT.search(text)) else 0.0,  # command_block
        1.0 if defines_output else 0.0,  # defines_output
    ]


@functools.lru_cache(maxsize=4096)
def _heading_defines_output(path: tuple[str, ...]) -> bool:
    return bool(path) and bool(_cues().output.search(path[-1].lower()))


def _conditional(sentences: list[str], cues: _Cues) -> bool:
    for sentence in sentences:
        if "," in sentence:
            match = cues.conditional.match(_LEAD.sub("", sentence).lower())
            if match and match.group(1) in cues.verbs:
                return True
    return False


def _rule_header(header: str, cues: _Cues) -> bool:
    lower = header.lower()
    return "core" in cues.headings.lists(lower) or "modal" in cues.prose.lists(lower)
