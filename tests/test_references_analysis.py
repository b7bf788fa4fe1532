"""SR4xx and the loader on real files: offsets, the TOC check's order of work, size caps
at their exact boundary, Markdown with CR and NUL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from skillreducer.config import Config
from skillreducer.discover import discover
from skillreducer.lint.rules.references import fenced_lines
from skillreducer.lint.runner import lint_roots
from skillreducer.load import load_skill, markdown

FRONTMATTER = "---\nname: demo\ndescription: Demo skill for tests. Use when testing.\n---\n"


def make_skill(parent: Path, body: str, files: dict[str, str | bytes]) -> Path:
    root = parent / "demo"
    root.mkdir()
    (root / "SKILL.md").write_text(FRONTMATTER + body, encoding="utf-8")
    for rel, value in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(value.encode("utf-8") if isinstance(value, str) else value)
    return root


def found(root: Path, code: str) -> list[tuple[str, int, int]]:
    result = lint_roots(discover([str(root)]), Config(select=[code]), jobs=1)
    return sorted((os.path.relpath(d.path, root).replace(os.sep, "/"), d.line, d.column) for d in result.diagnostics if d.code == code)


# ---------------------------------------------------------------- offsets


def test_names_after_a_character_whose_lower_case_is_longer(tmp_path):
    """'İ' lower-cases to two characters: a name found in the lower-cased text must still
    be located in the text itself (names were missed, or the check ended in an IndexError)."""
    root = make_skill(
        tmp_path,
        "İİİİ Read references/a.md and İstanbul c.md.\n",
        {
            "references/a.md": "İİİİİİİİ\nİİ then read b.md\n",
            "references/b.md": "# B\n",
            "references/c.md": "# C\n",
        },
    )
    assert found(root, "SR404") == [("references/a.md", 2, "İİ then read b.md".index("b.md") + 1)]
    assert found(root, "SR405") == []


def test_mentioned_path_is_located_on_its_line(tmp_path):
    root = make_skill(
        tmp_path,
        "# Demo\n\nRun `x`, then read references/gone.md now.\n\n```\nreferences/also-gone.md\n```\n",
        {},
    )
    assert found(root, "SR401") == [("SKILL.md", 7, 20)]


@pytest.mark.parametrize(
    "prose,named",
    [
        ("Follow the __bundle-conditional__ flow.", True),
        ("Follow the bundle-conditional-- flow.", True),
        ("Follow the bundle-conditionals flow.", False),
        ("Follow the x-bundle-conditional flow.", False),
    ],
)
def test_distinct_file_stem_names_the_file_only_as_a_whole_word(tmp_path, prose, named):
    root = make_skill(tmp_path, prose + "\n", {"references/bundle-conditional.md": "# Flow\n"})
    assert found(root, "SR405") == ([] if named else [("references/bundle-conditional.md", 1, 1)])


@pytest.mark.parametrize("direct", [False, True])
def test_nested_references_are_reported_along_the_first_route(tmp_path, direct):
    """SKILL.md -> a.md -> b.md -> c.md; naming every file in SKILL.md leaves none nested."""
    body = "Read references/a.md" + (", references/b.md and references/c.md" if direct else "") + ".\n"
    root = make_skill(
        tmp_path,
        body,
        {"references/a.md": "# A\nThen read b.md.\n", "references/b.md": "# B\n\nThen c.md, and a.md again.\n", "references/c.md": "# C\n"},
    )
    nested = [("references/a.md", 2, len("Then read ") + 1), ("references/b.md", 3, len("Then ") + 1)]
    assert found(root, "SR404") == ([] if direct else nested)
    assert found(root, "SR405") == []


@pytest.mark.parametrize("prose,orphan", [("Files live in references/ by topic.", False), ("Files live elsewhere.", True)])
def test_a_named_folder_covers_its_files(tmp_path, prose, orphan):
    root = make_skill(tmp_path, prose + "\n", {"references/x.md": "# X\n"})
    assert found(root, "SR405") == ([("references/x.md", 1, 1)] if orphan else [])


def test_links_in_reference_code_are_not_checked(tmp_path):
    guide = "# Guide\n```\n[x](gone.md)\n```\nUse `[y](gone2.md)` or [z](gone3.md).\n[up](../../out.md)\n"
    root = make_skill(tmp_path, "Read references/guide.md.\n", {"references/guide.md": guide})
    assert found(root, "SR401") == [("references/guide.md", 5, len("Use `[y](gone2.md)` or [z](") + 1)]
    assert found(root, "SR402") == [("references/guide.md", 6, len("[up](") + 1)]


# ---------------------------------------------------------------- fences


@pytest.mark.parametrize(
    "text,inside",
    [
        ("a\n```\nb\n```\nc", {2, 3, 4}),
        ("a\n```py\nb\nc", {2, 3, 4}),  # unclosed: code to the end
        ("a\n```py\nb\nc\n", {2, 3, 4, 5}),
        ("~~~\n```\n~~~\nx", {1, 2, 3}),  # a fence closes only with its own character
        ("````\n```\n````\nx", {1, 2, 3}),  # and a run at least as long
        ("```\n``` info\n```\nx", {1, 2, 3}),  # a closing fence holds no info string
        ("``` `x` ```\nplain", set()),  # inline code, not a fence
        ("> ```\n> code\n> ```\nafter", {1, 2, 3}),
        ("text with ``` inside\nmore", set()),
        ("", set()),
    ],
)
def test_fenced_lines(text, inside):
    assert fenced_lines(text) == frozenset(inside)


# ---------------------------------------------------------------- SR408


def long_reference(top: list[str], headings: list[str], fenced_headings: bool = False) -> str:
    filler = [f"Line {n} of background." for n in range(120)]
    tail = [f"## {h}" for h in headings]
    if fenced_headings:
        tail = ["```markdown", *tail, "```"]
    return "\n".join([*top, *filler, *tail]) + "\n"


@pytest.mark.parametrize(
    "top,headings,fenced,has_toc",
    [
        # list items in the first lines naming headings found far below them
        (["# Ref", "- Setup", "- *Usage*", "- `Limits`"], ["Setup", "Usage", "Limits"], False, True),
        # the same headings inside a fenced block do not count
        (["# Ref", "- Setup", "- Usage", "- Limits"], ["Setup", "Usage", "Limits"], True, False),
        # too few items to make a table of contents
        (["# Ref", "- Setup", "- Usage"], ["Setup", "Usage"], False, False),
        # two items naming the same heading both count
        (["# Ref", "- Setup", "- Setup", "- Usage"], ["Setup", "Usage"], False, True),
        # anchor links alone
        (["# Ref", "[a](#a) [b](#b) [c](#c)"], [], False, True),
        # a title heading
        (["# Ref", "## Table of Contents"], [], False, True),
        # items inside a fence in the first lines are code, not a list
        (["# Ref", "```", "- Setup", "- Usage", "- Limits", "```"], ["Setup", "Usage", "Limits"], False, False),
    ],
)
def test_table_of_contents(tmp_path, top, headings, fenced, has_toc):
    root = make_skill(tmp_path, "Read references/ref.md.\n", {"references/ref.md": long_reference(top, headings, fenced)})
    assert found(root, "SR408") == ([] if has_toc else [("references/ref.md", 1, 1)])


@pytest.mark.parametrize(
    "top,has_toc",
    [
        (["**Table of Contents**"], True),
        (["## Contents ##"], True),
        (["These contents vary by release."], False),  # holds a title's word, is no title
        (["```", "## Contents", "```"], False),
    ],
)
def test_table_of_contents_title(tmp_path, top, has_toc):
    root = make_skill(tmp_path, "Read references/ref.md.\n", {"references/ref.md": long_reference(["# Ref", *top], [])})
    assert found(root, "SR408") == ([] if has_toc else [("references/ref.md", 1, 1)])


@pytest.mark.parametrize("setup_outside_code,has_toc", [(False, False), (True, True)])
def test_toc_items_name_only_headings_outside_code(tmp_path, setup_outside_code, has_toc):
    """The same heading in code and (or not) outside it; closing '#'s are not part of a heading."""
    body = ["```markdown", "## Setup", "```", "## Usage ##", "### `Limits` #"] + (["## Setup"] if setup_outside_code else [])
    text = long_reference(["# Ref", "- Setup", "- Usage", "- Limits"], []) + "\n".join(body) + "\n"
    root = make_skill(tmp_path, "Read references/ref.md.\n", {"references/ref.md": text})
    assert found(root, "SR408") == ([] if has_toc else [("references/ref.md", 1, 1)])


# ---------------------------------------------------------------- loader


@pytest.mark.parametrize("size,read", [(100, True), (101, False)])
def test_reference_size_cap_is_exact(tmp_path, size, read):
    root = make_skill(tmp_path, "Read references/r.md.\n", {"references/r.md": "x" * size})
    item = load_skill(root, {"max_file_bytes": 100}).file("references/r.md")
    assert item is not None and item.size == size
    assert (item.text, item.reason) == (("x" * size, None) if read else (None, "too-large"))


@pytest.mark.parametrize("extra,capped", [(0, False), (1, True)])
def test_skill_md_size_cap_is_exact(tmp_path, extra, capped):
    root = make_skill(tmp_path, "", {})
    cap = len(FRONTMATTER) + 10
    (root / "SKILL.md").write_text(FRONTMATTER + "b" * (10 + extra), encoding="utf-8")
    skill = load_skill(root, {"max_skill_md_bytes": cap})
    assert skill.body == "b" * 10
    assert any(p.kind == "too-large" for p in skill.problems) is capped


_FULL_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def hrefs(tokens) -> list[tuple[str, str]]:
    return [(c.type, str(c.attrGet("href") or c.attrGet("src"))) for t in tokens for c in t.children or () if c.type in ("link_open", "image")]


@pytest.mark.parametrize("text", ["a\r\n[x](y.md)\rb ![i](p.png)\r\n", "[x](a\0b.md) [y](c.md)\n", "[x](<a\0b.md>)\r\n"])
def test_markdown_with_carriage_returns_and_nul_parses_as_the_full_parser_does(text):
    assert hrefs(markdown.parse(text)) == hrefs(_FULL_PARSER.parse(text))
