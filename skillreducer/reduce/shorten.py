"""Shorter forms of one description clause, tried after ddmin and each kept only while the
routing oracle still passes.

The rewrites are data:
- `[[rewrite]]` phrases of rules/lexicons/reduce-shorten.toml ("in order to" -> "to",
  "This skill should be used when" -> "Use when", "utilize" -> "use"), then the filler
  phrases of body-filler.toml that suit a description (not those in `body_filler_skip`);
- `drop_words`: low-information modifiers ("comprehensive", "powerful");
- `[trim]`: structural cuts that keep the grammar, for clauses that `trimmable` allows:
  a parenthetical aside dropped, or a trailing modifier cut at a link word ("tracking
  forecast accuracy with MAPE" -> "tracking forecast accuracy").

Each rule that applies gives a candidate alone, and all of them together give one more;
each trim is applied to the clause and to that all-rules form. The clause's lead-in (the
"Use this skill when" of its sentence, see clauses.py) is rewritten the same way. A
candidate is kept only if it has strictly fewer tokens than the clause (`cost`: lead-in
plus text) and some words left; candidates come fewest tokens first. Inline code, quoted text, URLs, paths, numbers and identifiers (words with digits,
dots, slashes, underscores, inner or all capitals) are never touched, nor a capitalised
drop word inside a clause (likely part of a name).
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Sequence

from skillreducer import resources, tokens
from skillreducer.reduce.clauses import Clause, opening, top_level

_PROTECTED = re.compile(
    r"`[^`]*`"  # inline code
    r"|\b(?:https?|ftp)://\S+"  # URLs
    r"|\"[^\"]*\"|“[^”]*”|(?<!\w)'[^'\n]{1,200}'(?!\w)|‘[^’]{1,200}’"  # quotations: the user's words
    r"|\S*[\d_/\\@#$%=<>{}\[\]|~^+*.]\S*"  # numbers, paths, versions, file names, e.g.
    r"|\b\w*[a-z][A-Z]\w*|\b[A-Z]{2,}\w*"  # camelCase, PascalCase inner capitals, acronyms
)
_ARTICLE_BEFORE = re.compile(r"\b([Aa]n?) $")
_WORD = re.compile(r"[\w-]+")
_ENDING_CHARS = 4  # enough to see "An " before a deleted word


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    replace: str
    drop: bool  # a drop word: kept when capitalised inside the text


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.compile(rf"(?<![\w-]){words}(?![\w-])", re.I)


@functools.cache
def _rules() -> tuple[_Rule, ...]:
    data = resources.lexicon("reduce-shorten")
    skip = {phrase.lower() for phrase in data.get("body_filler_skip", [])}
    entries: dict[str, str] = {}
    for entry in [*data.get("rewrite", []), *resources.lexicon("body-filler").get("filler", [])]:
        phrase = entry["phrase"].lower()
        if phrase not in skip:
            entries.setdefault(phrase, entry.get("replace", ""))
    # Longest phrase first, so "use this skill whenever" is rewritten before "whenever".
    rules = [_Rule(_phrase_pattern(p), r, False) for p, r in sorted(entries.items(), key=lambda e: (-len(e[0]), e[0]))]
    rules += [_Rule(_phrase_pattern(w), "", True) for w in sorted({w.lower() for w in data.get("drop_words", [])})]
    return tuple(rules)


def cost(clause: Clause) -> int:
    """Tokens a clause brings: its text and its sentence's lead-in."""
    return tokens.count(clause.lead_in) + tokens.count(clause.text)


def trimmable(clauses: Sequence[Clause], index: int) -> bool:
    """May the clause be trimmed? Not a lead or a clause another one needs (its tail ties
    the list after it: "sourced from GDPR, CCPA, and HIPAA"), nor the first item of a list
    that no lead or lead-in stands before: in "X for a, b and c" the "for" belongs to
    every item."""
    clause = clauses[index]
    if clause.role == "lead" or any(index in c.needs for c in clauses):
        return False
    if not clause.groups or any(c.groups and c.groups[-1].id == clause.groups[-1].id for c in clauses[:index]):
        return True
    before = [c for c in clauses[:index] if c.sentence == clause.sentence]
    return bool(clause.lead_in and len(clause.groups) == 1) or bool(before and before[-1].role == "lead")


def shorter_forms(clause: Clause, trim: bool = False) -> list[Clause]:
    """Shorter rewrites of the clause, fewest tokens first; [] when there is none. With
    `trim` (see `trimmable`), also the structural cuts of [trim]."""
    texts = _rewrites(clause.text)
    if trim and not negates(f"{clause.lead_in} {clause.text}"):
        texts = list(dict.fromkeys([*texts, *(cut for text in [clause.text, *texts[-1:]] for cut in _trims(text))]))
    leads = [clause.lead_in, *(_rewrites(clause.lead_in)[-1:] if clause.lead_in else [])]
    base = cost(clause)
    seen: set[tuple[str, str]] = {(clause.lead_in, clause.text)}
    found: list[tuple[int, int, str, str]] = []
    for lead in leads:
        for text in [clause.text, *texts]:
            if (lead, text) in seen or not _WORD.search(text):
                continue
            seen.add((lead, text))
            candidate = tokens.count(lead) + tokens.count(text)
            if candidate < base:
                found.append((candidate, len(lead) + len(text), lead, text))
    # A form that changes its first word no longer starts the sentence as written.
    first = clause.text.split(" ", 1)[0]
    return [
        dataclasses.replace(clause, lead_in=lead, text=text, opens=clause.opens and text.split(" ", 1)[0] == first)
        for _, _, lead, text in sorted(found)
    ]


def _rewrites(text: str) -> list[str]:
    """Each applicable rule alone, then all of them (the last entry), without repeats."""
    if not text:
        return []
    singles: list[str] = []
    combined = text
    protected = _protected(text)
    for rule in _rules():
        if not rule.pattern.search(text):
            continue
        once = _apply(text, rule, protected)
        if once != text:
            singles.append(once)
            combined = _apply(combined, rule, _protected(combined))
    out = list(dict.fromkeys([*singles, combined]))
    return [t for t in out if t != text]


@dataclass(frozen=True)
class _TrimWords:
    tail_link: re.Pattern[str]
    negation: re.Pattern[str]
    head_stop: frozenset[str]
    min_head_words: int


def negates(text: str) -> bool:
    """Does the text hold a word that negates or redirects (`negations` of the lexicon)?"""
    return bool(_trim_words().negation.search(text))


@functools.cache
def _trim_words() -> _TrimWords:
    lexicon = resources.lexicon("reduce-shorten")
    data = lexicon["trim"]

    return _TrimWords(
        tail_link=re.compile(rf"\s(?:{resources.phrase_alternation(data['tail_links'])})\s", re.I),
        negation=re.compile(rf"(?<![\w-])(?:{resources.phrase_alternation(lexicon['negations'])})(?![\w-])", re.I),
        head_stop=frozenset(w.lower() for w in data["head_stop"]),
        min_head_words=int(resources.limits()["reduce_description"]["trim_min_head_words"]),
    )


_ASIDE = re.compile(r"\s+\([^()]*\)")
_NOT_A_NOUN_END = re.compile(r"(?:ly|ed|ing)$", re.I)  # adverb, participle, gerund: they want what follows


def _trims(text: str) -> list[str]:
    """Each parenthetical aside dropped, all of them dropped, and the text cut before each
    trailing modifier whose head still ends on a noun."""
    words = _trim_words()
    asides = top_level(text, _ASIDE, starts_only=True)
    out = [text[: aside.start()] + text[aside.end() :] for aside in asides]
    if len(asides) > 1:
        ends = [0, *(e for a in asides for e in a.span()), len(text)]
        out.append("".join(text[ends[i] : ends[i + 1]] for i in range(0, len(ends), 2)))
    for link in top_level(text, words.tail_link):
        head = text[: link.start()].rstrip(" ,;:")
        head_words = head.split()
        last = head_words[-1].lower().strip("\"'“”‘’") if head_words else ""
        noun_end = last not in words.head_stop and not _NOT_A_NOUN_END.search(last) and not opening(last)
        if len(head_words) >= words.min_head_words and noun_end:
            out.append(head)
    return [t for t in dict.fromkeys(out) if t.strip() and t != text]


def _protected(text: str) -> list[tuple[int, int]]:
    """Spans never rewritten, sorted and not overlapping."""
    return [m.span() for m in _PROTECTED.finditer(text)]


def _apply(text: str, rule: _Rule, protected: list[tuple[int, int]]) -> str:
    starts = [a for a, _ in protected]
    out: list[str] = []  # pieces of the result; only their last few characters are ever edited
    last = 0
    for match in rule.pattern.finditer(text):
        start, end = match.span()
        before = bisect.bisect_left(starts, end) - 1  # the last span starting before the match ends
        if before >= 0 and protected[before][1] > start:
            continue
        if rule.drop and start > 0 and match.group(0)[0].isupper():
            continue  # "Robust Intelligence": part of a name
        out.append(text[last:start])
        last = end
        if rule.replace:
            # Capitalised only where the phrase opened the text: "Claude needs to" mid-text is a name.
            first = rule.replace[0].upper() if start == 0 and match.group(0)[0].isupper() else rule.replace[0]
            out.append(first + rule.replace[1:])
            continue
        # A deleted phrase takes one space with it; "a" / "an" before it fits the next word.
        ending = _ending(out)
        following = text[end:]
        if following.startswith(" ") and (not ending or ending.endswith((" ", "("))):
            last += 1
        elif following.startswith(", ") and ending.endswith(" "):
            last += 2  # "comprehensive, systematic reviews" -> "systematic reviews"
        elif ending.endswith(" ") and (not following or following[:1] in ",;:.!?)"):
            out.append(_ending(out, drop=1))
            ending = _ending(out)
        article = _ARTICLE_BEFORE.search(ending)
        if article:
            kept = _ending(out, drop=len(ending) - article.start())
            out.append(kept + _article(article.group(1), text[last:]))
    out.append(text[last:])
    return "".join(out).strip()


def _ending(out: list[str], drop: int = 0) -> str:
    """The last few characters of the pieces; with drop, pops them and returns them less the
    last `drop` characters (for the caller to append back)."""
    tail = ""
    while out and len(tail) < _ENDING_CHARS:
        tail = out.pop() + tail
    if not drop:
        out.append(tail)
        return tail[-_ENDING_CHARS:]
    return tail[:-drop]


def _article(article: str, following: str) -> str:
    """'a' or 'an' (case kept) for the word that now follows it."""
    chosen = "an" if following[:1].lower() in tuple("aeiou") else "a"
    return (chosen.capitalize() if article[0].isupper() else chosen) + " "
