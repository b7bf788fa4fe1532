"""The body rules' and features' shortcuts give the answers of the plain reading they replace:
SR303's classifying order, early stop and label-only scoring, SR304's grouped phrase pattern,
SR305's skip of short items, the raw items kept for the last skill, the features' fence scan,
placeholder search and single-item features."""

from __future__ import annotations

import re
from pathlib import Path
from re import _parser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillreducer import profiles, resources
from skillreducer.body import features
from skillreducer.body.classifier import classify, item_label
from skillreducer.body.features import body_features, body_vectors, item_vector
from skillreducer.body.items import BodyItem, body_items
from skillreducer.config import Config
from skillreducer.discover import discover
from skillreducer.lint import actionability
from skillreducer.lint.registry import all_rules
from skillreducer.lint.rules import body as body_rules
from skillreducer.lint.rule import Context
from skillreducer.load import load_skill

from conftest import FIXTURES, ROOT

CONFIG = Config()
CTX = Context(limits=CONFIG.limits(), profile=profiles.load(CONFIG.profile))


def _skills(real: Path | None = None) -> list:
    roots = [str(ROOT / "corpus"), str(FIXTURES)]
    paths = discover(roots)
    if real is not None:
        paths += discover([str(real)])[::8]  # a fixed sample keeps the test short
    return [load_skill(path) for path in paths]


def _write(tmp_path: Path, name: str, body: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: Test skill {name}. Use when testing body rules.\n---\n\n{body}", encoding="utf-8")
    return folder


# ------------------------------------------------------------------ SR303 order and early stop


def _share_by_classifying_everything(skill) -> tuple[int, int, int, int] | None:
    """(non-core chars, chars, non-core items, items) when SR303 should report, from every item's type."""
    items = body_items(skill)
    if len(items) < CTX.limit("body", "min_items_for_share"):
        return None
    sizes = [len(" ".join(item.text.split())) for item in items]
    total = sum(sizes)
    if not total:
        return None
    labels = [found.label for found in classify(items, redundancy=False)]
    core = sum(size for size, label in zip(sizes, labels) if label == "core")
    if core and (total - core) / total <= CTX.limit("body", "non_actionable_max_share"):
        return None
    return total - core, total, sum(label != "core" for label in labels), len(items)


def _assert_share_rule_agrees(skills) -> int:
    rule = all_rules()["SR303"]()
    flagged = 0
    for skill in skills:
        findings = list(rule.check(skill, CTX))
        expected = _share_by_classifying_everything(skill)
        if expected is None:
            assert findings == [], skill.root
            continue
        other, total, kept, count = expected
        assert len(findings) == 1, skill.root
        assert f"({other:,} of {total:,} characters, {kept} of {count} items)" in findings[0].message, (skill.root, findings[0].message)
        flagged += 1
    return flagged


def test_share_rule_stops_early_only_where_every_item_agrees(tmp_path):
    background = "\n\n".join(
        f"Paragraph {n} explains the history of the format, which was introduced long ago because older tools were slow." for n in range(8)
    )
    steps = "\n".join(f"- Run `make check-{n}` and fix every error it reports before you continue." for n in range(10))
    code = "\n\n".join(f"```python\nimport os\nprint(os.getcwd(), {n})\n```" for n in range(6))
    mostly_background = _write(tmp_path, "mostly-background", f"# Notes\n\n{background}\n\n{code}\n\n## Steps\n\n- Run the tests.\n")
    mostly_steps = _write(tmp_path, "mostly-steps", f"# Steps\n\n{steps}\n\n{code}\n\n{background}\n")
    made = [load_skill(str(mostly_background)), load_skill(str(mostly_steps))]
    assert _assert_share_rule_agrees(made) == 1  # one of each: the finding and its absence
    assert _assert_share_rule_agrees(_skills()) >= 1


def test_share_rule_agrees_on_real_skills(real_corpus):
    assert _assert_share_rule_agrees(_skills(real_corpus)) >= 1


def test_label_only_scoring_gives_the_classifiers_label():
    for skill in _skills():
        items = body_items(skill)
        whole = classify(items, redundancy=False)
        for index in reversed(range(len(items))):
            assert item_label(items, index) == whole[index].label, (skill.root, index)


# ------------------------------------------------------------------ SR304 grouped phrases


def _flat_filler_pattern(phrases: list[str]) -> re.Pattern[str]:
    """The plain reading: one alternative per phrase, in order."""
    alternation = "|".join(r"\s+".join(re.escape(word).replace("'", "['’]") for word in phrase.split()) for phrase in phrases)
    return re.compile(rf"(?<![\w'-])(?:{alternation})(?![\w'-])", re.I)


_LEXICON_PHRASES = list(body_rules._filler().needles)
_PHRASE_LISTS = [
    _LEXICON_PHRASES,
    ["in order to", "in order", "it's", "'tis so", "a lot of", "a", "order", "of course"],  # shared starts, apostrophes, one-letter words
]
_FILLER_PIECES = ["In order", "in  ORDER\nto", " to", "it's", "it’s", "It’S", "'tis so", "a lot\tof", "A", "of course", "order", "-", "'", "x", " ", "\n", "Simply", "basically"]


def test_filler_lexicon_starts_each_phrase_with_lower_case_ascii():
    # What keeps the grouped pattern's matches those of the flat one: see _filler_pattern.
    assert all(phrase[0].isascii() and phrase[0] == phrase[0].lower() for phrase in _LEXICON_PHRASES)


@pytest.mark.parametrize("phrases", _PHRASE_LISTS, ids=["lexicon", "made-up"])
@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FILLER_PIECES), st.text(max_size=3)), max_size=10).map("".join))
def test_grouped_filler_pattern_matches_as_the_flat_alternation(phrases, text):
    spans = [match.span() for match in body_rules._filler_pattern(phrases).finditer(text)]
    assert spans == [match.span() for match in _flat_filler_pattern(phrases).finditer(text)]


# ------------------------------------------------------------------ SR305 short items


def test_repeat_shorter_than_the_minimum_counts_when_casefolding_lengthens_it(tmp_path):
    minimum = CTX.limit("body", "duplicate_paragraph_min_chars")
    paragraph = ("Straße " * minimum)[: minimum - 1].strip()  # under the minimum; "ß" casefolds to "ss"
    assert len(paragraph) < minimum <= len(" ".join(paragraph.split()).casefold())
    skill = load_skill(str(_write(tmp_path, "grows", f"# Notes\n\n{paragraph}\n\nBetween.\n\n{paragraph}\n")))
    second = [number for number, line in enumerate(skill.lines, 1) if line == paragraph][1]
    assert [finding.line for finding in list(all_rules()["SR305"]().check(skill, CTX))] == [second]


# ------------------------------------------------------------------ raw items kept for the last skill


def test_raw_items_are_each_skills_own_when_skills_alternate(tmp_path):
    first = load_skill(str(_write(tmp_path, "first", "# One\n\n- Run the tests.\n- Fix what fails.\n")))
    second = load_skill(str(_write(tmp_path, "second", "# Two\n\nA paragraph.\n\n```bash\nmake\n```\n")))
    own = {id(skill): [(kind, text) for kind, text, *_ in actionability.raw_items(skill)] for skill in (first, second)}
    assert own[id(first)] == [("list-item", "- Run the tests."), ("list-item", "- Fix what fails.")]
    assert own[id(second)] == [("paragraph", "A paragraph."), ("code", "```bash\nmake\n```")]
    for skill in (first, second, second, first):
        assert [(kind, text) for kind, text, *_ in actionability.raw_items(skill)] == own[id(skill)]
    again = load_skill(str(tmp_path / "first"))  # an equal skill, another object
    assert actionability.raw_items(again) == actionability.raw_items(first)


# ------------------------------------------------------------------ features


def test_one_item_features_equal_the_whole_body_features_in_any_order():
    for skill in _skills():
        items = body_items(skill)
        whole = body_vectors(items)
        for index in reversed(range(len(items))):
            assert item_vector(items, index) == whole[index], (skill.root, index)


def test_one_item_features_read_the_colon_before_a_table_or_a_bare_fence():
    items = [
        BodyItem(0, "paragraph", "The report has two parts. Use this output format:", 1, 1, ("Report",)),
        BodyItem(1, "table", "| Field | Meaning |\n| --- | --- |\n| id | the key |", 3, 5, ("Report",)),
        BodyItem(2, "paragraph", "Check the schema first. Then run:", 7, 7, ("Report",)),
        BodyItem(3, "code", "```bash\nmake check\n```", 9, 11, ("Report",)),
    ]
    whole = body_features(items)
    assert whole[1]["defines_output"] == 1.0 and whole[3]["colon_code"] == 1.0  # the cases read the item before
    assert [item_vector(items, index) for index in range(len(items))] == body_vectors(items)


_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})[ \t]*([\w+-]*)")
_INLINE_CODE = re.compile(r"`+[^`\n]*`+")


def _code_chars_line_by_line(text: str) -> tuple[int, str, bool]:
    """The plain reading: every line visited, fenced lines counted with their newline."""
    fenced, language, fence_first = 0, "", False
    if "```" in text or "~~~" in text:
        inside = None
        for number, line in enumerate(text.split("\n")):
            match = _FENCE.match(line)
            if inside is not None:
                fenced += len(line) + 1
                if match and match.group(1)[0] == inside[0] and len(match.group(1)) >= len(inside):
                    inside = None
            elif match:
                inside = match.group(1)
                fenced += len(line) + 1
                language = language or match.group(2).lower()
                fence_first = fence_first or number == 0
            elif "`" in line:
                fenced += sum(map(len, _INLINE_CODE.findall(line)))
    elif "`" in text:
        fenced = sum(map(len, _INLINE_CODE.findall(text)))
    return fenced, language, fence_first


_LINES = ["```", "```Python", "````", "~~~", "~~~~ sh", "  ```js", "> ```", "`a` b `c`", "``x``", "plain", "", "x ``` y", "```` ```"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_LINES), st.text(alphabet="`~> \tpy-+_\n", max_size=12)), max_size=14).map("\n".join))
def test_fence_scan_counts_as_the_line_by_line_reading(text):
    assert features._code_chars(text) == _code_chars_line_by_line(text)


_PLACEHOLDERS = resources.lexicon("body-classifier")["placeholder_patterns"]
_PATTERN_LISTS = [
    _PLACEHOLDERS,
    ["(x)y", r"(a)\1"],  # groups are numbered across the alternation: \1 is (x) there
    [],  # the empty alternation matches everywhere
    [r"\bab", "a?c", "[xy]z", r"x\d+y"],  # no literal start for some
]
_PIECES = ["<your-name>", "<NAME>", "{{title}}", "YOUR_KEY", "TODO", "TODOs", "[Your name]", "[link](x)", "aa", "ab", "c", "xz", "x12y", "<", "[", "{{", "_", " ", "\n"]


@pytest.mark.parametrize("patterns", _PATTERN_LISTS, ids=["placeholders", "group", "empty", "mixed"])
@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=8).map("".join))
def test_placeholder_search_answers_as_the_alternation(patterns, text):
    alternation = re.compile("|".join(f"(?:{p})" for p in patterns))
    assert features._AnyPattern(patterns).search(text) == bool(alternation.search(text))


@pytest.mark.parametrize(
    "pattern,start",
    [(r"\bTODO\b", "TODO"), ("ab*c", "a"), ("abc|abd", "ab"), (r"\{\{x", "{{x"), ("(?:ab)c", "abc"), ("(?i)abc", ""), ("a|b", ""), ("(a)b", ""), ("[ab]c", ""), (r"^\s*x", "")],
)
def test_literal_start_is_what_every_match_starts_with(pattern, start):
    assert features._literal_start(_parser.parse(pattern)) == start
