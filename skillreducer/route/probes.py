"""Probes: user requests that should reach a skill.

Sources, first that gives any wins:

1. `--probes FILE` (the caller reads it with `read_probe_file`).
2. The skill's eval files, in `evals/` (or `eval/`) of the skill folder:
   - `*.json`: the skill-creator format `{"evals": [{"prompt": ...}, ...]}`, a list of
     such objects, a list of strings, or trigger evals `[{"query": ..., "should_trigger":
     true|false}]` (only the ones that should trigger are probes);
   - `*.jsonl`: one object per line with `prompt` or `query` (and optional
     `should_trigger`), or one JSON string per line;
   - `*.txt`: one probe per non-empty line (`#` starts a comment line).
3. Synthesized from the skill's own content, never from the description alone: items of
   a "when to use" section, "Use this skill when/to ..." sentences in the body, headings
   turned into requests, and task sentences (imperative steps). Headings that name a part
   of the document (the generator's `skip_headings`, "When to use ...") and requests about
   the skill itself ("How to use this skill?") are left out. The description's own
   trigger phrases are used only to reach the minimum count when the body gives too few.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Iterable

from skillreducer import resources
from skillreducer.model import Skill

_EVAL_DIRS = ("evals", "eval")
_WHEN_HEADING = re.compile(r"\b(when to use|use (this skill )?when|triggers?|use cases?|when to apply|activation)\b", re.I)
_USE_WHEN = re.compile(r"\b(?:use (?:this skill )?(?:when|for|to)|invoke (?:this skill )?when|trigger(?:ed)? when)\s+(?:the user |a user |you |claude )?(?:needs? to |wants? to |asks? (?:to|for|about) )?([^.;:\n]{8,160})", re.I)
_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?")
_DECORATION = re.compile(r"[*_`#>]+|\[([^\]]*)\]\([^)]*\)|<[^>]{0,200}>")
_WHEN_NOT = re.compile(r"when\s+not\b", re.I)  # "When NOT to use X": requests that must not route here
_NUMBERED = re.compile(r"^(?:step|phase|pass|part|stage|template|pattern|example|option|method|tier|level)\s*[\w.−-]{0,4}\s*[:.—–-]\s*", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.+#/_-]*")
PROBE_MAX_CHARS = 300


class ProbeFileError(ValueError):
    """A probe file that cannot be read as probes."""


def read_probe_file(path: Path) -> list[str]:
    """Probes from a file given with --probes (formats as for eval files)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProbeFileError(f"cannot read probes from {path}: {error}") from None
    probes = _parse(path.suffix.lower(), text, str(path))
    if not probes:
        raise ProbeFileError(f"{path}: no probes found (expected one request per line, a JSON list, or eval JSON)")
    return probes


def eval_probes(skill: Skill) -> list[str]:
    """Probes from the skill's eval files, in path order; [] when it has none."""
    probes: list[str] = []
    for item in sorted(skill.files, key=lambda f: f.path):
        parts = item.path.split("/")
        if len(parts) < 2 or parts[0].lower() not in _EVAL_DIRS or item.text is None:
            continue
        suffix = "." + parts[-1].rsplit(".", 1)[-1].lower() if "." in parts[-1] else ""
        try:
            probes.extend(_parse(suffix, item.text, item.path))
        except ProbeFileError:
            continue  # an eval file of another shape (a rubric, expected outputs): not probes
    return _unique(probes)


def _parse(suffix: str, text: str, where: str) -> list[str]:
    if suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ProbeFileError(f"{where}: invalid JSON: {error}") from None
        return _unique(_from_json(data))
    if suffix == ".jsonl":
        out: list[str] = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.extend(_from_json([json.loads(line)]))
            except ValueError as error:
                raise ProbeFileError(f"{where}:{number}: invalid JSON: {error}") from None
        return _unique(out)
    if suffix in (".txt", ".md", ""):
        return _unique(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    raise ProbeFileError(f"{where}: unsupported probe file type {suffix!r} (use .txt, .json or .jsonl)")


def _from_json(data: object) -> list[str]:
    if isinstance(data, dict):
        for key in ("evals", "probes", "prompts", "queries", "cases"):
            if isinstance(data.get(key), list):
                return _from_json(data[key])
        return _from_json([data])
    if not isinstance(data, list):
        raise ProbeFileError("expected a list of probes")
    out: list[str] = []
    for entry in data:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict):
            if entry.get("should_trigger") is False:
                continue
            text = next((entry[k] for k in ("prompt", "query", "probe", "request", "input") if isinstance(entry.get(k), str)), None)
            if text:
                out.append(text)
    return out


def synthesize(skill: Skill, minimum: int | None = None, maximum: int | None = None) -> list[str]:
    """Requests built from the skill's body (and its description's triggers only to reach `minimum`)."""
    limits = resources.limits()["reduce"]
    minimum = limits["probes_min"] if minimum is None else minimum
    maximum = limits["probes_max"] if maximum is None else maximum
    found: list[str] = []
    found.extend(_when_items(skill))
    found.extend(_use_when(_body_prose(skill)))
    found.extend(_heading_requests(skill))
    found.extend(_task_requests(skill))
    probes = _unique(p for p in found if 3 <= len(_WORD.findall(p)) and not mentions_the_skill(p))
    if len(probes) < minimum:
        probes = _unique([*probes, *(_request(t) for t in _use_when(skill.description_text))])
    if len(probes) < minimum and skill.name:
        probes = _unique([*probes, _request(str(skill.name).replace("-", " "))])
    return [p[:PROBE_MAX_CHARS] for p in _spread(probes, maximum)]


def _spread(probes: list[str], maximum: int) -> list[str]:
    """At most `maximum`, taken evenly across sources so one long list does not crowd out the rest."""
    if len(probes) <= maximum:
        return probes
    step = len(probes) / maximum
    return [probes[int(i * step)] for i in range(maximum)]


def _clean(text: str) -> str:
    text = _MARKER.sub("", text)
    text = _DECORATION.sub(lambda m: m.group(1) or "", text)
    return " ".join(text.split()).strip(" -:;,")


def _body_prose(skill: Skill) -> str:
    return "\n".join(block.text for block in skill.blocks if block.kind in ("paragraph", "list", "blockquote"))


def _when_items(skill: Skill) -> Iterable[str]:
    for block in skill.blocks:
        if block.kind != "list" or not block.heading_path or not _WHEN_HEADING.search(block.heading_path[-1]):
            continue
        if re.search(r"\bnot\b|\bdon'?t\b|\bavoid\b", block.heading_path[-1], re.I):
            continue  # "When NOT to use": requests that must not route here
        for line in block.text.split("\n"):
            if _MARKER.match(line):
                item = _clean(line)
                if item:
                    yield _request(item)


def _use_when(text: str) -> Iterable[str]:
    for match in _USE_WHEN.finditer(text):
        phrase = _clean(match.group(1))
        if phrase:
            yield _request(phrase)


def _heading_requests(skill: Skill) -> Iterable[str]:
    for block in skill.blocks:
        if block.kind != "heading" or block.level < 2:
            continue
        title = _clean(re.sub(r"^[\W\d_]+", "", block.inline or block.text.lstrip("#")))
        title = _NUMBERED.sub("", title)
        title = max(re.split(r"\s+[—–-]\s+|\s*\(", title), key=len).strip(" )")  # "SCOPE — Map the boundary"
        if not title or len(_WORD.findall(title)) < 2 or _section_label(title):
            continue
        # Title Case reads as a label, not a request: lower it, but keep acronyms and identifiers.
        yield _request(" ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in title.split()))


def _task_requests(skill: Skill) -> Iterable[str]:
    """Numbered steps and imperative list items that name a concrete task."""
    verbs = _verbs()
    for block in skill.blocks:
        if block.kind != "list":
            continue
        for line in block.text.split("\n"):
            if not _MARKER.match(line):
                continue
            sentence = re.split(r"(?<=[.!?])\s", _clean(line), maxsplit=1)[0].rstrip(".")
            words = sentence.split()
            if 4 <= len(words) <= 16 and words[0].lower() in verbs and "`" not in line:
                yield _request(sentence)


def _request(phrase: str) -> str:
    """A phrase as a user would ask for it: "Merging PDFs" -> "Help me with merging PDFs"."""
    phrase = re.sub(r"^(the user |a user |user |you |claude )", "", phrase.strip().rstrip(".:"), flags=re.I)
    if not phrase:
        return ""
    first = phrase.split(" ", 1)[0].lower()
    if first in ("i", "i'm", "i've", "i'd", "my", "we", "our"):
        return phrase[:1].upper() + phrase[1:]  # already a request in the user's voice
    if re.match(r"^(how|what|why|which|where|can|could|should|is|are|do|does)$", first):
        return phrase[:1].upper() + phrase[1:] + ("" if phrase.endswith("?") else "?")
    lower = phrase[:1].lower() + phrase[1:] if phrase[1:2].islower() or len(phrase) == 1 else phrase
    if first in ("need", "needs", "want", "wants", "asks"):
        return "I " + first.rstrip("s") + lower[len(first):]
    if first in _verbs():
        return f"I need to {lower}"
    return f"Help me with {lower}"


@functools.cache
def _headings() -> tuple[frozenset[str], re.Pattern[str]]:
    data = resources.lexicon("reduce-shorten")["generate"]
    self_reference = re.compile(rf"\b(?:{resources.phrase_alternation(data['self_references'])})\b", re.I)
    return frozenset(h.lower() for h in data["skip_headings"]), self_reference


def document_part(heading: str) -> bool:
    """A heading of `skip_headings` ("Overview", "Best practices"): a part of the document,
    neither a request (here) nor a task or topic (the description generator)."""
    return heading.lower().rstrip(":") in _headings()[0]


def mentions_the_skill(text: str) -> bool:
    """'How to use this skill?', 'Use this skill when': about the skill, not what it is for."""
    return bool(_headings()[1].search(text))


def _section_label(title: str) -> bool:
    """A heading that names a part of the document ("Overview", "When to use this skill"),
    not something a user asks for."""
    return document_part(title) or bool(_WHEN_HEADING.match(title) or _WHEN_NOT.match(title))


@functools.cache
def _verbs() -> frozenset[str]:
    return frozenset(resources.lexicon("body-actionability").get("imperative_verbs", ()))


def _unique(probes: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for probe in probes:
        probe = " ".join(str(probe).split())
        key = probe.lower()
        if probe and key not in seen:
            seen.add(key)
            out.append(probe)
    return out


def probes_for(skill: Skill, probe_file: list[str] | None = None) -> tuple[list[str], str]:
    """(probes, source) where source is 'file', 'evals' or 'synthesized'."""
    if probe_file:
        return probe_file, "file"
    evals = eval_probes(skill)
    if evals:
        return evals, "evals"
    return synthesize(skill), "synthesized"
