"""routing rules (SR2xx): is the description there, specific, in the right voice, and
inside the platform's truncation. Routers see only names and descriptions, so a
description that routes badly makes the whole skill dead weight.

A missing or empty description is SR105's finding; these rules skip it.
"""

from __future__ import annotations

import functools
import re
from typing import Iterator

from skillreducer import resources, tokens
from skillreducer.lint.rule import Context, Finding, Rule
from skillreducer.model import Skill

_WORD = re.compile(r"[^\W_]+(?:['’.+#-][^\W_]+)*[+#]*")
# Quoted text and code spans are the user's voice or identifiers, not the description's.
# Every branch starts with its quote character, so the regex engine skips to the next one
# (a single quote counts after a non-word character: the lookbehind spans it too).
_QUOTED = re.compile(
    r'"[^"]{0,300}"|“[^”]{0,300}”|‘[^’]{0,300}’|`[^`]{0,300}`|«[^»]{0,300}»'
    r"|'(?<!\w')(?:[^'\n]|'(?=\w)){0,300}'(?!\w)"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.cache
def _patterns(lexicon: str, key: str, flags: int = 0) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, flags) for p in resources.lexicon(lexicon).get(key, ()))


@functools.cache
def _words(lexicon: str, key: str) -> frozenset[str]:
    return frozenset(resources.lexicon(lexicon).get(key, ()))


def _description(skill: Skill) -> str | None:
    """The description as written, or None when missing, empty or not a string."""
    value = skill.description
    return value if isinstance(value, str) and value.strip() else None


def _field(skill: Skill, key: str) -> str:
    value = skill.frontmatter.get(key)
    return value.strip() if isinstance(value, str) else ""


def _key_line(skill: Skill, key: str) -> int:
    return skill.frontmatter.key_lines.get(key) or skill.frontmatter.start_line or 1


def _value_lines(skill: Skill, key: str) -> range:
    """File lines a top-level key's value may span: up to the next key or the closing fence."""
    fm = skill.frontmatter
    start = _key_line(skill, key)
    later = [line for line in fm.key_lines.values() if line > start]
    end = min(later) if later else (fm.end_line or start + 1)
    return range(start, max(end, start + 1))


def _locate(skill: Skill, key: str, text: str, pos: int) -> tuple[int, int]:
    """(line, column) in SKILL.md of the word at `pos` of the key's parsed value `text`.

    YAML folding and escapes change characters but keep words in order, so the k-th
    occurrence of the word in the value is the k-th in the source lines.
    """
    found = _WORD.search(text, pos)
    if found is None:
        return _key_line(skill, key), 1
    word = re.compile(rf"(?<![^\W_]){re.escape(found.group())}(?![^\W_])")
    wanted = len(word.findall(text, 0, found.start()))
    seen = 0
    for number in _value_lines(skill, key):
        line = skill.lines[number - 1] if number - 1 < len(skill.lines) else ""
        if number == _key_line(skill, key):
            colon = line.find(":")
            offset = colon + 1 if colon >= 0 else 0
        else:
            offset = 0
        for match in word.finditer(line, offset):
            if seen == wanted:
                return number, match.start() + 1
            seen += 1
    return _key_line(skill, key), 1


# SR202 and SR207 ask for the same description's words one after the other (and words are
# the same with whitespace collapsed or not: they never hold whitespace).
@functools.lru_cache(maxsize=1)
def _content_words(text: str) -> tuple[str, ...]:
    stop = _words("routing-stopwords", "words")
    return tuple(w for w in _WORD.findall(text.lower()) if w not in stop and not w.isdigit())


def _stem(word: str) -> str:
    """Plural to singular, enough to match `pdf-tools` with "PDF tool"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _name_words(name: str) -> set[str]:
    return {_stem(w) for w in re.split(r"[^a-z0-9]+", _CAMEL.sub(" ", name).lower()) if w}


def _quote(words: str) -> str:
    return words.replace('"', "'")


class DescriptionTooShort(Rule):
    code = "SR201"
    name = "description-too-short"
    severity = "warning"
    summary = "The description is too short to say what the skill does and when to use it."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        text = _description(skill)
        if text is None:
            return
        minimum = ctx.limit("routing", "description_min_tokens")
        # Where the host lists when_to_use beside the description, the router reads both.
        extra = ""
        listing = ctx.profile.listing
        if listing is not None and "when_to_use" in listing.entry_fields:
            extra = _field(skill, "when_to_use")
        entry = f"{text.strip()} {extra}".strip()
        if tokens.at_least(entry, minimum):
            return
        what = "description and when_to_use are" if extra else "description is"
        count = tokens.count(entry)
        yield Finding(
            f"{what} {count} token{'s' * (count != 1)}; at least {minimum} are needed to say what the skill does and when to use it",
            _key_line(skill, "description"),
        )


class DescriptionVague(Rule):
    code = "SR202"
    name = "description-vague"
    severity = "warning"
    summary = "The description is generic: vague words or a stock opening, and few specific terms."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        text = _description(skill)
        if text is None:
            return
        line = _key_line(skill, "description")
        flat = " ".join(text.split())
        for pattern in _patterns("routing-vague", "placeholders", re.IGNORECASE):
            match = pattern.search(flat)
            if match:
                yield Finding(f'description looks like template text ("{_quote(match.group().strip())}"); say what the skill does and when to use it', line)
                return
        content = _content_words(text)
        if not content:
            yield Finding("description has no specific words: only stopwords and trigger words", line)
            return
        # A word of the skill's own name is its topic, not filler ("Use when writing skills").
        topical = _name_words(skill.name) if isinstance(skill.name, str) else set()
        vague_lexicon = _words("routing-vague", "words")
        vague = [w for w in content if w in vague_lexicon and _stem(w) not in topical]
        specific = {w for w in content if w not in vague_lexicon or _stem(w) in topical}
        share = len(vague) / len(content)
        listed = ", ".join(dict.fromkeys(vague))
        max_share = ctx.limit("routing", "vague_max_share")
        if share > max_share:
            yield Finding(
                f"{share:.0%} of the description's content words are vague ({listed}); the limit is {max_share:.0%}: name the inputs, outputs and tools instead",
                line,
            )
            return
        min_specific = ctx.limit("routing", "vague_min_specific_words")
        if len(specific) < min_specific:
            for pattern in _patterns("routing-vague", "openings", re.IGNORECASE):
                match = pattern.search(flat)
                if match:
                    words = f"{len(specific)} specific word{'s' * (len(specific) != 1)}"
                    yield Finding(f'description opens generically ("{_quote(match.group().strip())}") and has {words}; at least {min_specific} are needed', line)
                    return


class NoTrigger(Rule):
    code = "SR203"
    name = "no-trigger"
    severity = "warning"
    summary = "The description does not say when to use the skill (no trigger such as \"Use when ...\")."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        text = _description(skill)
        if text is None or _field(skill, "when_to_use"):
            return  # a when_to_use field is the trigger by definition
        flat = " ".join(text.split())
        if any(p.search(flat) for p in _patterns("routing-triggers", "patterns", re.IGNORECASE)):
            return
        yield Finding(
            'description says what the skill is but not when to use it; add a trigger such as "Use when the user asks to ..."',
            _key_line(skill, "description"),
        )


@functools.lru_cache(maxsize=1)  # SR204 and SR205 mask the same description one after the other
def _mask_user_voice(text: str) -> str:
    """Blank out quoted text, code spans and colon-introduced lists of user phrases."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"\S", " ", match.group())

    text = _QUOTED.sub(blank, text)
    for pattern in _patterns("routing-person", "user_voice_lists", re.IGNORECASE):
        text = pattern.sub(blank, text)
    return text


class _VoiceRule(Rule):
    key: str  # the pattern list in routing-person.toml
    wanted: str
    example: str

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        text = _description(skill)
        if text is None:
            return
        masked = _mask_user_voice(text)
        hits = sorted((m for p in _patterns("routing-person", self.key) for m in p.finditer(masked)), key=lambda m: m.start())
        if not hits:
            return
        first = hits[0]
        said = ", ".join(f'"{w}"' for w in dict.fromkeys(text[m.start() : m.end()] for m in hits))
        line, column = _locate(skill, "description", text, first.start())
        yield Finding(f"description {self.wanted} ({said}); it is injected into the system prompt, so write it in the third person ({self.example})", line, column)


class FirstPersonDescription(_VoiceRule):
    code = "SR204"
    name = "first-person-description"
    severity = "warning"
    summary = "The description speaks in the first person (\"I can\", \"we\", \"my\")."
    key = "first_person"
    wanted = "speaks in the first person"
    example = '"Converts ...", not "I convert ..."'


class SecondPersonDescription(_VoiceRule):
    code = "SR205"
    name = "second-person-description"
    severity = "info"
    summary = "The description addresses the reader (\"you\", \"your\")."
    key = "second_person"
    wanted = "addresses the reader"
    example = '"Use when the user needs ...", not "Use when you need ..."'


class DescriptionTruncated(Rule):
    code = "SR206"
    name = "description-truncated"
    severity = "warning"
    summary = "The listing entry (description, plus when_to_use where listed) is longer than the platform shows."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        listing = ctx.profile.listing
        if listing is None or _description(skill) is None:
            return
        # The entry as the host measures it: listed fields joined by one space.
        fields: list[tuple[str, str]] = []
        for key in listing.entry_fields:
            value = _field(skill, key)
            if value:
                fields.append((key, " ".join(value.split()) if ctx.profile.collapse_whitespace else value))
        entry = " ".join(value for _, value in fields)
        size = ctx.profile.measure(entry)
        cap = listing.entry_max_chars
        if size <= cap:
            return
        # Find the field the cut falls in and the position inside it.
        start = 0
        for key, value in fields:
            if cap <= start + len(value):
                break
            start += len(value) + 1
        cut = max(0, cap - start)
        kept_words = value[:cut].split()
        tail = " ".join(kept_words[-5:]) if kept_words else ""
        line, column = _locate(skill, key, value, value.rfind(kept_words[-1], 0, cut) if kept_words else 0)
        what = " + ".join(k for k, _ in fields)
        where = f' after "…{_quote(tail)}"' if tail else ""
        yield Finding(
            f"{what} is {size:,} characters; {ctx.profile.name} shows the first {cap:,}, so the last {size - cap:,} are cut{where} (in {key})",
            line,
            column,
        )


class DescriptionRestatesName(Rule):
    code = "SR207"
    name = "description-restates-name"
    severity = "warning"
    summary = "The description only restates the skill's name."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        text = _description(skill)
        name = skill.name
        if text is None or not isinstance(name, str) or not name.strip():
            return
        filler = _words("routing-stopwords", "filler")
        said = {_stem(w) for w in _content_words(text) if w not in filler}
        named = _name_words(name)
        if not said or not said & named:
            return
        extra = said - named
        if len(extra) > ctx.limit("routing", "restate_max_extra_words"):
            return
        also = f" (plus {', '.join(sorted(extra))})" if extra else ""
        yield Finding(
            f'description "{_quote(" ".join(text.split())[:80])}" only restates the name {name!r}{also}; say what the skill does and when to use it',
            _key_line(skill, "description"),
        )
