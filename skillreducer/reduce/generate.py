"""A description built from the body, for a skill whose description is missing or short.

Three parts, each from the `Skill` and nothing else (deterministic, no network):

- what it does: the title (first H1) as a sentence, then the first sentence of the
  body's first paragraph when it is third person and short;
- when to use it: task headings and "Use this skill to/when ..." sentences of the body
  ("Use when asked to merge PDFs or fill forms.", "Use when reviewing ..."), falling back to
  the instructions of list items; topic headings become "Covers a, b, and c.";
- what makes it unique: identifiers from code - imported packages, installed packages,
  shell commands, inline code names, file types - as "Works with a, b, and c.". They are
  ranked by kind (a package says more than an inline name), by how many parts of the
  skill mention them (a document-frequency table over its blocks, code blocks and
  reference files) and by how rare they are in general text (tokens the cl100k encoding
  needs for them: its merges follow the frequencies of its training corpus); names too
  common to tell skills apart (lexicon `generic_identifiers`, stopwords, everyday verbs)
  are left out.

The text is one line, third person, and fits the smaller of the profile's limit and
`generate_max_chars`: items are dropped from the longest list, then sentences from the end.
Every sentence is a form `clauses.segment` splits into one clause per item, so ddmin can
compress the result.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from skillreducer import resources, tokens
from skillreducer.model import Skill
from skillreducer.reduce.clauses import opening
from skillreducer.reduce.shorten import negates
from skillreducer.route.probes import document_part, mentions_the_skill

_LINK = re.compile(r"!\[[^\]]{0,500}\]\([^)]{0,2000}\)|\[([^\]]{0,500})\]\([^)]{0,2000}\)")
_TAG = re.compile(r"</?[A-Za-z][^>]{0,500}>|<!--.*?-->", re.S)
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_CODE_SPAN = re.compile(r"`+([^`]+)`+")
_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'(])")
_CUT = re.compile(r"\s*(?:[,;:(]|\s[-—–]\s|\.(?:\s|$))")
_USE_SENTENCE = re.compile(
    r"\b(?:use (?:this skill )?(?:when|whenever|for|to)|invoke (?:this skill )?when|trigger(?:ed)? when)\s+(?:the user |a user |claude )?(?:needs? to |wants? to |asks? (?:to|for|about) )?([^.;:\n]{6,160})",
    re.I,
)
_WHEN_HEADING = re.compile(r"\b(?:when to use|use (?:this skill )?when|triggers?|use cases?|when to apply)\b", re.I)
_SUBJECT_WHEN = re.compile(r"^(?:when|whenever|if)\s+", re.I)
_SUBJECT = re.compile(r"^(?:the |a |an )?(?:user|users|someone|developer|developers|team|agent|claude)\s+[a-z]+s\b", re.I)  # "the user asks ..."
_HOW_TO = re.compile(r"^how\s+to\s+", re.I)
_IDENTIFIER = re.compile(r"[A-Za-z@][\w.@/+-]{1,40}")
_NAME = re.compile(r"[\w@.][\w.@/+-]*")
_SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "console", "zsh", "shellsession", "powershell", "ps1", "fish", ""})
_PY_IMPORT = re.compile(r"^\s*(?:from\s+([A-Za-z_][\w]*)[\w.]*\s+import\b|import\s+([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_][\w]*)*))", re.M)
_JS_IMPORT = re.compile(r"""(?:\bfrom\s+|\brequire\(\s*|\bimport\s+)['"]((?:@[\w.-]+/)?[\w.-]+)""")
_INSTALL = re.compile(
    r"\b(?:pip3?\s+install|uv\s+(?:pip\s+install|add)|poetry\s+add|npm\s+(?:install|i|add)|yarn\s+add|pnpm\s+(?:add|install)|"
    r"brew\s+install|apt(?:-get)?\s+install|cargo\s+(?:add|install)|go\s+(?:get|install)|gem\s+install|conda\s+install)\s+([^\n;&|#]+)"
)
_QUOTED_FILE = re.compile(r"""["']([\w./-]+\.([A-Za-z][A-Za-z0-9]{1,4}))["']""")
_FILE_PATTERN = re.compile(r"\*?\.([A-Za-z][A-Za-z0-9]{1,4})")  # `.pdf`, `*.docx`
_FILE_NAME = re.compile(r"[\w./-]*[\w-]\.([A-Za-z][A-Za-z0-9]{1,4})")  # report.pdf as a command argument
_PROMPT = re.compile(r"^\s*(?:\$|>|PS>|#)\s+")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S*$")
_TITLE_WORD = re.compile(r"[A-Z][a-z]+")
_COMMAND_PREFIXES = frozenset({"sudo", "time", "exec", "command", "env", "nohup", "xargs", "watch"})

# Identifier kinds and their weight in the ranking: a package a skill imports or installs
# says more about it than a command it runs, which says more than a name in inline code.
_KIND_WEIGHT = {"package": 3.0, "command": 2.0, "code": 1.5, "file type": 1.0}


@dataclass(frozen=True)
class _Sentence:
    lead: str  # "" for a plain sentence
    items: tuple[str, ...]
    connective: str = "or"


def generate_description(skill: Skill, profile_limit_chars: int) -> str:
    """A one-line, third-person description from the body within the character limit; ""
    when the skill has neither a body nor a name to build one from."""
    if profile_limit_chars < 1:
        raise ValueError(f"profile_limit_chars must be positive, not {profile_limit_chars}")
    limits = resources.limits()["reduce_description"]
    cap = min(profile_limit_chars, int(limits["generate_max_chars"]))
    sentences = [*_what(skill, int(limits["generate_what_max_words"]))]
    asked, when, topics = _uses(skill, int(limits["generate_max_tasks"]), int(limits["generate_task_max_words"]), int(limits["generate_max_topics"]))
    if asked:
        sentences.append(_Sentence("Use when asked to", tuple(asked)))
    if when:
        sentences.append(_Sentence("Use when", tuple(when)))
    if topics:
        sentences.append(_Sentence("Covers", tuple(topics), "and"))
    identifiers = _identifiers(skill, int(limits["generate_max_identifiers"]))
    if identifiers:
        sentences.append(_Sentence("Works with", tuple(identifiers), "and"))
    if not sentences and isinstance(skill.name, str) and skill.name.strip():
        sentences.append(_Sentence("", (" ".join(re.split(r"[-_\s]+", skill.name.strip())).capitalize(),)))
    return _fit(sentences, cap)


# ------------------------------------------------------------------------ render


def _render(sentence: _Sentence) -> str:
    items = list(sentence.items)
    if len(items) == 1:
        body = items[0]
    elif len(items) == 2:
        body = f"{items[0]} {sentence.connective} {items[1]}"
    else:
        body = ", ".join(items[:-1]) + f", {sentence.connective} {items[-1]}"
    text = f"{sentence.lead} {body}" if sentence.lead else body
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _fit(sentences: list[_Sentence], cap: int) -> str:
    """Drop list items from the longest list, then sentences from the end, until it fits."""
    sentences = list(sentences)
    while sentences:
        text = " ".join(_render(s) for s in sentences)
        if len(text) <= cap:
            return text
        lists = [i for i, s in enumerate(sentences) if s.lead and len(s.items) > 1]
        if lists:
            longest = max(lists, key=lambda i: (len(sentences[i].items), i))
            s = sentences[longest]
            sentences[longest] = _Sentence(s.lead, s.items[:-1], s.connective)
        elif len(sentences) > 1:
            sentences.pop()
        else:
            return _truncate(_render(sentences[0]), cap)
    return ""


def _truncate(text: str, cap: int) -> str:
    """The words of text that fit in cap characters with a closing period."""
    words = text.rstrip(".").split()
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) + 1 > cap:
            break
        kept.append(word)
    while kept and kept[-1].lower().strip(",;:") in _stopwords():
        kept.pop()  # no "... with the." at the end
    return (" ".join(kept).rstrip(",;:") + ".") if kept else ""


# -------------------------------------------------------------------------- what


def _what(skill: Skill, max_words: int) -> list[_Sentence]:
    title = next((_clean(b.inline or b.text.lstrip("#")) for b in skill.blocks if b.kind == "heading" and b.level == 1), "")
    if _personal(title):
        title = ""
    out = [_Sentence("", (title,))] if title else []
    first = next((b for b in skill.blocks if b.kind == "paragraph"), None)
    if first is not None:
        sentence = _SENTENCE.split(_clean(first.text))[0].rstrip(".!?: ")
        if sentence and len(sentence.split()) <= max_words and not _personal(sentence) and sentence.lower() != title.lower():
            out.append(_Sentence("", (sentence,)))
    return out


@functools.cache
def _person_patterns() -> tuple[re.Pattern[str], ...]:
    data = resources.lexicon("routing-person")
    return tuple(re.compile(p) for p in [*data["first_person"], *data["second_person"]])


def _personal(text: str) -> bool:
    """First or second person: a description is injected into the system prompt in the third."""
    return any(p.search(text) for p in _person_patterns())


def _clean(markdown: str) -> str:
    text = _TAG.sub(" ", markdown)
    text = _LINK.sub(lambda m: m.group(1) or "", text)
    text = _CODE_SPAN.sub(lambda m: m.group(1).strip(), text)
    text = _EMPHASIS.sub("", text)
    text = " ".join(line.strip().lstrip("#>").strip() for line in text.split("\n"))
    return " ".join(text.split())


# -------------------------------------------------------------------------- when


@dataclass(frozen=True)
class _Words:
    generic: frozenset[str]  # identifiers too common to tell skills apart
    judgement: frozenset[str]  # "Poor assertions": an example to avoid, not a topic
    skill_folders: frozenset[str]  # "references/x.md" is the skill's own file, not what it works with
    not_task_verbs: frozenset[str]


@functools.cache
def _generate_words() -> _Words:
    data = resources.lexicon("reduce-shorten")["generate"]
    return _Words(
        generic=frozenset(w.lower() for w in data["generic_identifiers"]),
        judgement=frozenset(w.lower() for w in data["judgement_words"]),
        skill_folders=frozenset(data["skill_folders"]),
        not_task_verbs=frozenset(data["not_task_verbs"]),
    )


@functools.cache
def _stopwords() -> frozenset[str]:
    return frozenset(resources.lexicon("routing-stopwords")["words"])


def _uses(skill: Skill, max_tasks: int, task_words: int, max_topics: int) -> tuple[list[str], list[str], list[str]]:
    """(verb tasks for "asked to", gerund or subject phrases for "Use when", topics for "Covers").

    Sources, in order: items of a "When to use" section, headings, "Use this skill to ..."
    sentences, and when none of those gives a task, the items of the body's lists."""
    words = _generate_words()
    lowercase = _lowercase_words(skill.body)
    asked: list[str] = []
    when: list[str] = []
    topics: list[str] = []
    seen: set[str] = set()

    def add(text: str, as_topic: bool) -> None:
        phrase = _sentence_case(_phrase(_HOW_TO.sub("", text), task_words), lowercase)
        key = phrase.lower()
        if len(key.split()) < 2 or key in seen or _personal(phrase) or key.split()[0] in words.not_task_verbs:
            return
        if key.split()[0] in words.judgement or mentions_the_skill(phrase) or negates(phrase):
            return
        kind = opening(key)
        if kind == "verb" and all(_TITLE_WORD.fullmatch(w) for w in phrase.split()[1:]):
            return  # "Version Adapter Pattern", "Design Consultation Framework": a name, not a task
        if kind and phrase[:1].isupper() and phrase.split(" ", 1)[0][1:].islower():
            phrase = phrase[0].lower() + phrase[1:]  # a verb, not a name: "Merge PDFs" -> "merge PDFs"
        if kind == "verb" and len(asked) + len(when) < max_tasks:
            asked.append(phrase)
        elif (kind == "gerund" or _SUBJECT.match(phrase)) and len(asked) + len(when) < max_tasks:
            when.append(phrase)
        elif as_topic and not kind and key.split()[0] not in _stopwords() and len(topics) < max_topics:
            topics.append(phrase)
        else:
            return
        seen.add(key)

    for block in skill.blocks:
        if block.kind == "list" and block.heading_path and _WHEN_HEADING.search(block.heading_path[-1]):
            for item in _list_items(block.text):
                add(_SUBJECT_WHEN.sub("", item), as_topic=True)
    for block in skill.blocks:
        if block.kind == "heading" and block.level >= 2:
            heading = _strip_numbering(_clean(block.inline or block.text.lstrip("#")))
            if not document_part(heading):
                add(heading, as_topic=True)
    for block in skill.blocks:
        if block.kind in ("paragraph", "list"):
            for match in _USE_SENTENCE.finditer(_clean(block.text)):
                add(match.group(1), as_topic=False)
    if not asked and not when:
        for block in skill.blocks:
            if block.kind == "list":
                for item in _list_items(block.text):
                    add(item, as_topic=False)
    return asked, when, topics


def _list_items(text: str) -> list[str]:
    """The first line of each item of a Markdown list, cleaned."""
    return [_clean(_MARKER.sub("", line)) for line in text.split("\n") if _MARKER.match(line)]


def _lowercase_words(body: str) -> frozenset[str]:
    return frozenset(re.findall(r"(?<![\w-])[a-z][a-z-]*(?![\w-])", body))


def _sentence_case(phrase: str, lowercase: frozenset[str]) -> str:
    """'Merge Multiple PDFs' -> 'merge multiple PDFs': a capitalised word the body also writes
    in lowercase is lowercased; acronyms and names ('Docker', 'PDFs') stay."""
    words = phrase.split(" ")
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() and w.lower() in lowercase else w for w in words)


def _strip_numbering(heading: str) -> str:
    """'Step 2: Merge PDFs' -> 'Merge PDFs'; '3. Fill forms' -> 'Fill forms'."""
    return re.sub(r"^(?:(?:step|phase|part|stage|option|method)\s*\w{0,3}\s*[:.—–-]\s*|\d{1,3}[.)]\s+)", "", heading, flags=re.I).strip()


def _phrase(text: str, max_words: int) -> str:
    """A task phrase: up to its first clause break, at most max_words, no trailing stopwords."""
    text = _CUT.split(text.strip(), maxsplit=1)[0].strip()
    for opener, closer in (("\"", "\""), ("(", ")"), ("[", "]"), ("{", "}"), ("`", "`")):
        if text.count(opener) != text.count(closer) or (opener == closer and text.count(opener) % 2):
            text = text[: text.rfind(opener)]  # a quote or bracket the cut left open
    words = text.split()[:max_words]
    stop = _stopwords()
    while words and words[-1].lower() in stop:
        words.pop()
    return " ".join(words).strip(" .,;:!?")


# ------------------------------------------------------------------- identifiers


def _identifiers(skill: Skill, limit: int) -> list[str]:
    """The most specific names the skill works with, best first."""
    words = _generate_words()
    generic = words.generic
    common = _stopwords() | _verb_words()
    own_folders = words.skill_folders | {f.path.split("/", 1)[0] for f in skill.files if "/" in f.path}
    found: dict[str, str] = {}  # lowercase name -> kind; insertion order = first seen
    names: dict[str, str] = {}  # lowercase name -> as first written

    def add(name: str, kind: str) -> None:
        name = name.strip().strip(",;:()[]{}'\"")
        key = name.lower()
        if not _IDENTIFIER.fullmatch(name) or key.lstrip(".") in generic or key in common or key == str(skill.name).lower():
            return
        if "/" in name and name.split("/", 1)[0] in own_folders:
            return  # the skill's own file
        if _TITLE_WORD.fullmatch(name) and (kind == "command" or (kind == "code" and tokens.count(" " + key) == 1)):
            return  # commands are lowercase ("Breaking:" opens a line of prose); `Priority` is an everyday word (one cl100k token)
        if key not in found or _KIND_WEIGHT[kind] > _KIND_WEIGHT[found[key]]:
            found[key] = kind
        names.setdefault(key, name)

    for block in skill.code_blocks:
        _from_code(block.language, block.text, add)
    for block in skill.blocks:
        if block.kind in ("paragraph", "list", "table", "heading", "blockquote"):
            for match in _CODE_SPAN.finditer(block.text):
                _from_inline_code(match.group(1).strip(), add)
    if not found:
        return []
    # Document frequency over the skill's own parts: a name many parts mention is central to it.
    documents = [_names_in(b.text) for b in skill.blocks] + [_names_in(r.text) for r in skill.references if r.text]
    order = {key: index for index, key in enumerate(found)}

    def rank(key: str) -> tuple[float, int]:
        frequency = sum(1 for document in documents if key in document) or 1
        # How rare the name is in general text: cl100k's merges follow its training corpus,
        # so an everyday word (" public", " latest") is one token and "pdfplumber" several.
        rarity = tokens.count(" " + names[key])
        return -_KIND_WEIGHT[found[key]] * (1 + math.log(frequency)) * (1 + math.log(rarity)), order[key]

    ranked = sorted(found, key=rank)[:limit]
    return [f"{names[k]} files" if found[k] == "file type" else names[k] for k in ranked]


def _names_in(text: str) -> set[str]:
    """The lowercase names a text mentions, and the file types (".pdf") of its file names."""
    names = {word.rstrip(".,;:") for word in _NAME.findall(text.lower())}
    return names | {"." + name.rsplit(".", 1)[1] for name in names if "." in name}


@functools.cache
def _verb_words() -> frozenset[str]:
    return frozenset(resources.lexicon("body-actionability")["imperative_verbs"])


def _from_inline_code(span: str, add) -> None:
    """`pdfplumber` a name, `pdftotext -layout` a command, `*.docx` or `.pdf` a file type."""
    file_type = _FILE_PATTERN.fullmatch(span)
    if file_type:
        add("." + file_type.group(1).lower(), "file type")
        return
    words = span.split()
    if len(words) > 1 and words[1].startswith("-"):
        add(words[0], "command")
    elif len(words) == 1 and not span.startswith("-"):
        add(span, "code")


def _from_code(language: str, text: str, add) -> None:
    language = language.lower()
    for match in _INSTALL.finditer(text):
        for word in match.group(1).split():
            if not word.startswith("-"):
                add(re.split(r"[=<>\[@~^]", word, maxsplit=1)[0] or word, "package")
    if language in ("python", "py", "python3", "ipython"):
        for match in _PY_IMPORT.finditer(text):
            for name in (match.group(1) or match.group(2)).split(","):
                add(name.strip(), "package")
    elif language in ("javascript", "js", "typescript", "ts", "tsx", "jsx", "mjs"):
        for match in _JS_IMPORT.finditer(text):
            if not match.group(1).startswith("."):
                add(match.group(1), "package")
    elif language in _SHELL_LANGUAGES:
        for line in text.split("\n"):
            line = _PROMPT.sub("", line).strip()
            if not line or line.startswith("#"):
                continue
            for segment in re.split(r"\|\|?|&&|;", line):
                words = [w for w in segment.split() if not _ASSIGNMENT.match(w)]
                while words and words[0] in _COMMAND_PREFIXES:
                    words = words[1:]
                if words and "/" not in words[0]:
                    add(words[0], "command")
                for word in words[1:]:
                    file_name = _FILE_NAME.fullmatch(word.strip("'\""))
                    if file_name:
                        add("." + file_name.group(1).lower(), "file type")
    for match in _QUOTED_FILE.finditer(text):
        add("." + match.group(2).lower(), "file type")
