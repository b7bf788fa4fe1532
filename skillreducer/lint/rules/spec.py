"""spec rules (SR1xx): the Agent Skills specification and hosts' upload checks."""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import re
import unicodedata
from typing import Any, Iterator

from skillreducer import resources
from skillreducer.lint.rule import Context, Edit, Finding, Fix, Rule
from skillreducer.model import Skill

NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A top-level `key: value` line of the raw frontmatter (simple keys only; quoted keys are rare).
_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z0-9_][\w.\-]*)[ \t]*:(?:[ \t]+(?P<value>.*))?$")
_COMMENT = re.compile(r"[ \t]#")  # in a plain scalar, whitespace + '#' starts a comment
_MAPPING_COLON = re.compile(r":(?:[ \t]|$)")  # what makes a strict parser see a nested mapping
_NOT_PLAIN = tuple("\"'|>[{&*!%@`")  # first characters of values that are not plain scalars
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # C0 controls except tab and line feed, plus DEL
# The same characters as UTF-8 bytes: each is one byte there, and every byte of any other
# character is 0x80 or above, so deleting these bytes tells whether a text has any (and is
# quicker than the regex scan).
_CONTROL_BYTES = bytes(byte for byte in range(0x80) if _CONTROL.match(chr(byte)))
_C0_NAMES = "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US".split()


def key_line(skill: Skill, key: str) -> int:
    """Line of a frontmatter key, else of the opening fence, else 1."""
    return skill.frontmatter.key_lines.get(key) or skill.frontmatter.start_line or 1


def value_span(skill: Skill, key: str) -> tuple[int, int]:
    """File lines of a top-level key's value: the key line through its last indented continuation."""
    fm = skill.frontmatter
    start = key_line(skill, key)
    line = skill.lines[start - 1] if 0 < start <= len(skill.lines) else ""
    indent = len(line) - len(line.lstrip())
    last = (fm.end_line - 1) if fm.end_line else len(skill.lines)
    end = start
    for number in range(start + 1, last + 1):
        text = skill.lines[number - 1]
        if not text.strip():
            continue
        if len(text) - len(text.lstrip()) <= indent:
            break
        end = number
    return start, end


def type_name(value: Any) -> str:
    """How YAML typed a value, in words."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, bytes):
        return "binary data"
    return f"a {type(value).__name__}"


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list, tuple, set, frozenset))


def _not_string_message(key: str, value: Any) -> str:
    found = type_name(value)
    if _is_scalar(value):
        return f"`{key}` is {found} ({value!s}), not a string: YAML typed the unquoted value; quote it"
    return f"`{key}` is {found}, not a string"


def _fold(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def _reserved_words() -> tuple[str, ...]:
    return tuple(w.lower() for w in resources.lexicon("reserved-words")["words"])


@functools.cache
def _xml_tag() -> re.Pattern[str]:
    return re.compile(resources.lexicon("spec-upload")["xml_tag_pattern"])


@functools.cache
def _safe_tags() -> frozenset[str]:
    return frozenset(resources.lexicon("spec-yaml")["safe_tags"])


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name.strip())


class NameMissing(Rule):
    code = "SR101"
    name = "name-missing"
    severity = "error"
    summary = "The frontmatter has no `name`."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        if fm.data is not None and not (isinstance(skill.name, str) and skill.name.strip()):
            if "name" in fm.data and skill.name is not None and not isinstance(skill.name, str):
                return  # a non-string name is SR117's finding
            yield Finding("frontmatter has no `name`", key_line(skill, "name"))


class NameFormat(Rule):
    code = "SR102"
    name = "name-format"
    severity = "error"
    summary = "`name` must be lowercase letters, digits and single hyphens."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        name = skill.name
        if isinstance(name, str) and name.strip() and not NAME.match(name):
            yield Finding(f"name {name!r} must be lowercase letters, digits and single hyphens, not starting or ending with one", key_line(skill, "name"))


class NameTooLong(Rule):
    code = "SR103"
    name = "name-too-long"
    severity = "error"
    summary = "`name` is longer than the platform allows (64 characters)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        name = skill.name
        if isinstance(name, str):
            size, limit = ctx.profile.measure(name.strip()), ctx.profile.name_max_chars
            if size > limit:
                yield Finding(f"name is {size:,} characters; the limit is {limit:,} ({ctx.profile.name})", key_line(skill, "name"))


class NameFolderMismatch(Rule):
    code = "SR104"
    name = "name-folder-mismatch"
    severity = "warning"
    summary = "`name` differs from the name of the skill's folder."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        name = skill.name
        # An ill-formed name is SR102's finding; fixing it usually settles the folder question too.
        if not isinstance(name, str) or not NAME.match(name.strip()):
            return
        if _name_key(name) != _name_key(skill.folder_name):
            yield Finding(f"name {name.strip()!r} differs from the folder name {skill.folder_name!r}", key_line(skill, "name"))


class DescriptionMissing(Rule):
    code = "SR105"
    name = "description-missing"
    severity = "error"
    summary = "The frontmatter has no `description`, or an empty one."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        if fm.data is None:
            return  # no frontmatter or an unparsable one: SR119 / SR120
        value = fm.data.get("description")
        if "description" not in fm.data:
            yield Finding("frontmatter has no `description`; agents choose skills by it", key_line(skill, "description"))
        elif value is None or (isinstance(value, str) and not value.strip()):
            yield Finding("`description` is empty; agents choose skills by it", key_line(skill, "description"))


class DescriptionNotString(Rule):
    code = "SR106"
    name = "description-not-string"
    severity = "error"
    summary = "`description` is not a string (a list, mapping, number, boolean or date)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        # Owns every non-string description, coerced scalars included; SR117 skips `description`.
        value = skill.description
        if value is not None and not isinstance(value, str):
            yield Finding(_not_string_message("description", value), key_line(skill, "description"))


class DescriptionTooLong(Rule):
    code = "SR107"
    name = "description-too-long"
    severity = "error"
    summary = "`description` is longer than the platform allows (1,024 characters)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        value = skill.description
        if isinstance(value, str):
            size, limit = ctx.profile.measure(value.strip()), ctx.profile.description_max_chars
            if size > limit:
                how = " after collapsing whitespace" if ctx.profile.collapse_whitespace else ""
                start, end = value_span(skill, "description")
                yield Finding(f"description is {size:,} characters{how}; the limit is {limit:,} ({ctx.profile.name})", start, end_line=end)


class CompatibilityTooLong(Rule):
    code = "SR108"
    name = "compatibility-too-long"
    severity = "error"
    summary = "`compatibility` is not a string of at most 500 characters."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        # Owns non-string `compatibility` too; SR117 skips the key.
        value = skill.frontmatter.get("compatibility")
        if value is None:
            return
        line = key_line(skill, "compatibility")
        if not isinstance(value, str):
            yield Finding(_not_string_message("compatibility", value), line)
            return
        size, limit = len(value.strip()), ctx.limit("spec", "compatibility_max_chars")
        if size > limit:
            yield Finding(f"compatibility is {size:,} characters; the limit is {limit:,}", line)


class MetadataNotStringMap(Rule):
    code = "SR109"
    name = "metadata-not-string-map"
    severity = "warning"
    summary = "`metadata` is not a mapping of string keys to string values."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        value = skill.frontmatter.get("metadata")
        if value is None:
            return
        line = key_line(skill, "metadata")
        if not isinstance(value, dict):
            yield Finding(f"`metadata` is {type_name(value)}; the spec wants a mapping of string keys to string values", line)
            return
        for key, item in value.items():
            if not isinstance(key, str):
                problem = f"`metadata` key {key!s} is {type_name(key)}, not a string"
            elif not isinstance(item, str):
                problem = f"`metadata.{key}` is {type_name(item)}" + (f" ({item!s}), not a string; quote it" if _is_scalar(item) else ", not a string")
            else:
                continue
            bad = sum(1 for k, v in value.items() if not (isinstance(k, str) and isinstance(v, str)))
            more = f" ({bad - 1} more entr{'y' if bad == 2 else 'ies'} like it)" if bad > 1 else ""
            yield Finding(problem + more, self._entry_line(skill, line, key))
            return  # the first offender; the message counts the rest

    @staticmethod
    def _entry_line(skill: Skill, line: int, key: Any) -> int:
        start, end = value_span(skill, "metadata")
        entry = re.compile(rf"^\s+[\"']?{re.escape(str(key))}[\"']?\s*:")
        for number in range(start + 1, end + 1):
            if entry.match(skill.lines[number - 1]):
                return number
        return line


class AllowedToolsType(Rule):
    code = "SR110"
    name = "allowed-tools-type"
    severity = "warning"
    summary = "`allowed-tools` is neither a space-delimited string nor a list of strings."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        value = skill.frontmatter.get("allowed-tools")
        if value is None or isinstance(value, str):
            return
        if isinstance(value, list):
            bad = [item for item in value if not isinstance(item, str)]
            if bad:
                yield Finding(f"`allowed-tools` lists {type_name(bad[0])} ({bad[0]!s}); every entry must be a tool name string", key_line(skill, "allowed-tools"))
            return
        yield Finding(f"`allowed-tools` is {type_name(value)}; write a space-delimited string or a list of tool names", key_line(skill, "allowed-tools"))


class UnknownFrontmatterKey(Rule):
    code = "SR111"
    name = "unknown-frontmatter-key"
    severity = "warning"
    summary = "A frontmatter key that the platform profile does not know."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        allowed = ctx.profile.allowed_keys
        for key in skill.frontmatter.key_order:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key.lower().replace("_", "-"), sorted(allowed), n=1, cutoff=0.75)
            close += difflib.get_close_matches(key.lower(), sorted(allowed), n=1, cutoff=0.75)
            if close:
                hint = f"; did you mean `{close[0]}`?"
            else:
                hint = "; put custom fields under `metadata`" if "metadata" in allowed else ""
            yield Finding(f"frontmatter key `{key}` is not one that {ctx.profile.name} reads{hint}", key_line(skill, key))


class XmlTagInFrontmatter(Rule):
    code = "SR112"
    name = "xml-tag-in-frontmatter"
    severity = "warning"
    summary = "`name` or `description` contains an XML/HTML tag, which the Claude API upload rejects."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        pattern = _xml_tag()
        for key in ("name", "description"):
            value = skill.frontmatter.get(key)
            if not isinstance(value, str):
                continue
            match = pattern.search(value)
            if match is None:
                continue
            tag = match.group(0)
            line = key_line(skill, key)
            start, end = value_span(skill, key)
            for number in range(start, end + 1):  # point at the line holding the tag when it is on one
                if tag in skill.lines[number - 1]:
                    line = number
                    break
            yield Finding(f"`{key}` contains the tag {tag!r}; the Claude API upload rejects XML tags in it", line)


class ReservedWordInName(Rule):
    code = "SR113"
    name = "reserved-word-in-name"
    severity = "warning"
    summary = "`name` contains a word the Claude API reserves (\"anthropic\", \"claude\")."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        name = skill.name
        if not isinstance(name, str):
            return
        lowered = name.lower()
        # Substrings, not just hyphen-separated words: the upload check refuses "claudebot" too.
        for word in _reserved_words():
            if word in lowered:
                yield Finding(f"name {name.strip()!r} contains the reserved word {word!r}; the Claude API upload rejects it", key_line(skill, "name"))
                return


class DescriptionBlockScalar(Rule):
    code = "SR114"
    name = "description-block-scalar"
    severity = "warning"
    summary = "`description` is a YAML block scalar (`|` or `>`), which some harnesses misread."
    fixable = True

    _KEY = re.compile(r"^(\s*(?:description|\"description\"|'description')\s*:)")

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        style = fm.styles.get("description")
        value = skill.description
        if style not in ("literal", "folded") or not isinstance(value, str) or not value.strip():
            return
        start, end = value_span(skill, "description")
        indicator = "|" if style == "literal" else ">"
        message = f"description is a block scalar (`{indicator}`); some harnesses read the indicator literally or keep its line breaks"
        match = self._KEY.match(skill.lines[start - 1])
        fix = None
        duplicated = any(key == "description" for key, _ in fm.duplicate_keys)  # the value parsed is the last one
        if match and not duplicated:
            line = f"{match.group(1)} {json.dumps(_fold(value), ensure_ascii=False)}"
            fix = Fix("rewrite the description as one double-quoted line", True, (Edit("SKILL.md", start, end, (line,)),))
        yield Finding(message, start, end_line=end, fix=fix)


def _raw_top_level(skill: Skill) -> Iterator[tuple[int, str, str, str, int]]:
    """(file line, key, value, trailing comment, value column) of raw single-line plain `key: value` lines.

    Works without a parse: skips values that are quoted, block, flow, tagged or anchored,
    values that continue on indented lines, and lines inside multi-line quoted scalars.
    """
    fm = skill.frontmatter
    if not fm.present or not fm.end_line:
        return
    first, last = fm.first_line, fm.end_line - 1
    quote = ""
    for number in range(first, last + 1):
        text = skill.lines[number - 1]
        if quote:  # inside a multi-line quoted scalar: wait for its closing quote
            if _closing(text, quote, 0) is not None:
                quote = ""
            continue
        match = _TOP_KEY.match(text)
        if not match or not match.group("value"):
            continue
        raw = match.group("value")
        if raw.startswith(("\"", "'")):
            if _closing(raw, raw[0], 1) is None:
                quote = raw[0]
            continue
        if raw.startswith("#"):  # `key: #...` is an empty value and a comment
            yield number, match.group("key"), "", raw, match.start("value") + 1
            continue
        if raw.startswith(_NOT_PLAIN):
            continue
        following = skill.lines[number] if number < last else ""
        if following.strip() and following[:1] in " \t" and not following.lstrip().startswith("#"):
            continue  # a multi-line plain scalar: quoting one line would break it
        comment = _COMMENT.search(raw)
        value, tail = (raw[: comment.start()], raw[comment.start() :]) if comment else (raw, "")
        yield number, match.group("key"), value.rstrip(), tail, match.start("value") + 1


# The rest of a double-quoted scalar through its closing quote: a backslash escapes the
# character after it.
_DOUBLE_QUOTED_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def _closing(text: str, quote: str, start: int) -> int | None:
    """Index of the quote that closes a quoted scalar in text[start:], else None."""
    if quote == '"':
        match = _DOUBLE_QUOTED_REST.match(text, start)
        return match.end() - 1 if match else None
    index = text.find("'", start)
    while index >= 0 and text.startswith("''", index):  # '' is an escaped quote
        index = text.find("'", index + 2)
    return index if index >= 0 else None


class UnquotedColonInValue(Rule):
    code = "SR115"
    name = "unquoted-colon-in-value"
    severity = "error"
    summary = "An unquoted frontmatter value contains `: `, which strict YAML parsers reject."
    fixable = True

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        # Only when strict parsing failed: if PyYAML read the file, no plain value held ': '.
        if skill.frontmatter.error is None:
            return
        for number, key, value, tail, start in _raw_top_level(skill):
            colon = _MAPPING_COLON.search(value)
            if colon is None:
                continue
            column = start + colon.start()
            replacement = f"{key}: {json.dumps(value, ensure_ascii=False)}{tail}"
            fix = Fix(f"quote the value of `{key}`", True, (Edit("SKILL.md", number, number, (replacement,)),))
            yield Finding(
                f"unquoted value of `{key}` contains ': '; strict YAML parsers reject it ('mapping values are not allowed') while lenient ones accept it; quote the value",
                number,
                column,
                fix=fix,
            )


class DuplicateFrontmatterKey(Rule):
    code = "SR116"
    name = "duplicate-frontmatter-key"
    severity = "error"
    summary = "A frontmatter key appears more than once."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        for key, line in fm.duplicate_keys:
            first = fm.key_lines.get(key)
            where = f" (first on line {first})" if first else ""
            yield Finding(f"key `{key}` appears again{where}; hosts disagree on which one wins", line)


class NonStringValue(Rule):
    code = "SR117"
    name = "non-string-value"
    severity = "warning"
    summary = "`name`, `license` or `when_to_use` is not a string (YAML typed an unquoted value)."

    # description is SR106's and compatibility SR108's, so each value is reported once.
    KEYS = ("name", "license", "when_to_use")

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        if fm.data is None:
            return
        for key in self.KEYS:
            value = fm.data.get(key)
            if value is not None and not isinstance(value, str):
                yield Finding(_not_string_message(key, value), key_line(skill, key))


class YamlTagRule(Rule):
    code = "SR118"
    name = "yaml-tag"
    severity = "error"
    summary = "The frontmatter uses a non-standard YAML tag such as `!!python/object` or `!custom`."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        safe = _safe_tags()
        for tag in skill.frontmatter.tags:
            if tag.tag == "!" or _core_name(tag.tag) in safe:
                continue  # standard tags (`!!str 2024`) are read the same everywhere
            yield Finding(
                f"YAML tag {tag.tag!r}: hosts that load YAML unsafely act on it, safe loaders reject the file",
                tag.line,
                tag.column,
            )


def _core_name(tag: str) -> str:
    """'str' for '!!str' and '!<tag:yaml.org,2002:str>', '' for anything else."""
    if tag.startswith("!!"):
        return tag[2:]
    prefix = "!<tag:yaml.org,2002:"
    if tag.startswith(prefix) and tag.endswith(">"):
        return tag[len(prefix) : -1]
    return ""


class FrontmatterMissing(Rule):
    code = "SR119"
    name = "frontmatter-missing"
    severity = "error"
    summary = "`SKILL.md` has no YAML frontmatter."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        if skill.frontmatter.present or not skill.text.strip():
            return  # an empty or unreadable file is SR122's finding
        lines = skill.lines
        for index, text in enumerate(lines[:20]):
            if text.strip() != "---":
                continue
            # A fence that is not on line 1 (or indented): only when it looks like frontmatter,
            # i.e. nothing but blank lines before it or a `key:` line after it, not a Markdown rule.
            following = next((t for t in lines[index + 1 : index + 4] if t.strip()), "")
            if all(not t.strip() for t in lines[:index]) or _TOP_KEY.match(following):
                yield Finding(f"no frontmatter: the opening '---' must be the very first line, unindented; found it on line {index + 1}", index + 1)
                return
            break
        yield Finding("no frontmatter: SKILL.md must start with '---', the name and description, and '---'", 1)


class FrontmatterInvalid(Rule):
    code = "SR120"
    name = "frontmatter-invalid"
    severity = "error"
    summary = "The frontmatter cannot be read: invalid YAML, unclosed, not a mapping, or too large."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        if fm.present and fm.error is not None:
            # Some parser errors carry a second "in <unicode string>, position n" line; keep the first.
            message = fm.error.split("\n", 1)[0].rstrip()
            if message.startswith("invalid YAML: "):
                message = "frontmatter is not valid YAML: " + message[len("invalid YAML: ") :]
            elif not message.startswith("frontmatter"):
                message = f"frontmatter cannot be read: {message}"
            yield Finding(message, fm.error_line or fm.start_line or 1)


class CommentTruncatesValue(Rule):
    code = "SR121"
    name = "comment-truncates-value"
    severity = "warning"
    summary = "An unquoted frontmatter value is cut short at ` #`, which YAML reads as a comment."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        if fm.data is None:
            return
        for number, key, value, tail, start in _raw_top_level(skill):
            if fm.key_lines.get(key) != number or fm.styles.get(key) != "plain":
                continue
            # ' #12' or ' #tag' reads as content that was lost; ' # note' as a deliberate comment.
            cut = tail.lstrip()
            if len(cut) < 2 or cut[1].isspace():
                continue
            parsed = fm.data.get(key)
            if not value and isinstance(parsed, str) and parsed.strip():
                continue  # `key: #note` followed by the value on the next lines
            column = len(skill.lines[number - 1]) - len(cut) + 1  # `cut` ends the line
            kept = f"the value is {value!r}" if value else "the value is empty"
            shown = cut if len(cut) <= 24 else cut[:24].rstrip() + "…"
            yield Finding(
                f"`{key}` is cut at {shown!r}: YAML reads ' #' as the start of a comment, so {kept}; quote the whole value",
                number,
                column,
            )


class SkillFileUnreadable(Rule):
    code = "SR122"
    name = "skill-file-unreadable"
    severity = "error"
    summary = "`SKILL.md` is missing, not a file, empty, over the size cap, or the folder holds too many files."

    KINDS = frozenset({"not-a-file", "empty", "too-large", "too-many-files"})

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for problem in skill.problems:
            if problem.kind in self.KINDS:
                yield Finding(problem.message, problem.line, problem.column, path=problem.path)


class FileEncoding(Rule):
    code = "SR123"
    name = "file-encoding"
    severity = "error"
    summary = "`SKILL.md` is not plain UTF-8: UTF-16, invalid bytes, or a byte-order mark."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for problem in skill.problems:
            if problem.kind in ("encoding", "bom"):
                yield Finding(problem.message, problem.line, problem.column, path=problem.path)


class ControlCharacters(Rule):
    code = "SR124"
    name = "control-characters"
    severity = "error"
    summary = "`SKILL.md` contains NUL bytes or other control characters."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for problem in skill.problems:
            if problem.kind == "nul-bytes":  # the loader replaced them, so skill.text no longer has them
                yield Finding(problem.message, problem.line, problem.column, path=problem.path)
        text = skill.text
        raw = text.encode("utf-8", "surrogatepass")
        if len(raw.translate(None, _CONTROL_BYTES)) == len(raw):
            return
        found = _CONTROL.findall(text)
        cap = ctx.limit("spec", "control_chars_max_reports")
        for index, match in enumerate(_CONTROL.finditer(text)):
            if index == cap:
                break
            offset = match.start()
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            code = ord(match.group(0))
            label = _C0_NAMES[code] if code < 32 else "DEL"
            rest = len(found) - cap
            more = f" ({rest:,} more not shown)" if index == cap - 1 and rest > 0 else ""
            yield Finding(f"control character U+{code:04X} ({label}); invisible in most editors, it can hide text or break parsers{more}", line, column)
