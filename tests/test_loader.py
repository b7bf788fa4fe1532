"""The loader on good input: real files on disk, the model checked field by field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from skillreducer import tokens
from skillreducer.discover import DiscoveryError, discover
from skillreducer.load import load_skill
from skillreducer.model import Skill


def make_skill(parent: Path, content: str | bytes, name: str = "demo", files: dict[str, str | bytes] | None = None) -> Path:
    root = parent / name
    root.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    (root / "SKILL.md").write_bytes(data)
    for rel, value in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(value.encode("utf-8") if isinstance(value, str) else value)
    return root


def load(parent: Path, content: str | bytes, **kwargs) -> Skill:
    return load_skill(make_skill(parent, content, **kwargs))


def col(skill: Skill, line: int, needle: str) -> int:
    """1-based column of needle on a file line."""
    return skill.lines[line - 1].index(needle) + 1


# ---------------------------------------------------------------- frontmatter

FRONTMATTER_DOC = """\
---
name: demo
description: 'single quoted'
title: "double quoted"
long: |
  literal line one
  literal line two
folded: >
  folded line one
  folded line two
meta:
  author: someone
tools:
  - Read
  - Bash
tagged: !custom value
typed: !!str 123
name: again
---
# Demo

Body text.
"""


def test_frontmatter_keys_lines_styles_duplicates_tags(tmp_path):
    skill = load(tmp_path, FRONTMATTER_DOC)
    fm = skill.frontmatter
    assert fm.present and fm.start_line == 1 and fm.end_line == 19 and fm.first_line == 2
    # the custom tag cannot be constructed by the safe loader: data is None, the rest is still located
    assert fm.error is not None and "custom" in fm.error and fm.error_line == 16
    assert fm.key_order == ("name", "description", "title", "long", "folded", "meta", "tools", "tagged", "typed")
    assert dict(fm.key_lines) == {
        "name": 2, "description": 3, "title": 4, "long": 5, "folded": 8,
        "meta": 11, "tools": 13, "tagged": 16, "typed": 17,
    }
    assert dict(fm.styles) == {
        "name": "plain", "description": "single", "title": "double", "long": "literal",
        "folded": "folded", "meta": "mapping", "tools": "sequence", "tagged": "plain", "typed": "plain",
    }
    assert fm.duplicate_keys == (("name", 18),)
    assert [(t.tag, t.line, t.column) for t in fm.tags] == [("!custom", 16, 9), ("!!str", 17, 8)]
    assert skill.body_line == 20 and skill.lines[skill.body_line - 1] == "# Demo"


def test_frontmatter_data_when_valid(tmp_path):
    skill = load(tmp_path, FRONTMATTER_DOC.replace("tagged: !custom value\n", ""))
    fm = skill.frontmatter
    assert fm.error is None and fm.error_line is None
    assert fm.data is not None and fm.data["name"] == "again"  # the last duplicate wins, as in PyYAML
    assert fm.data["long"] == "literal line one\nliteral line two\n"
    assert fm.data["folded"] == "folded line one folded line two\n"
    assert fm.data["typed"] == "123" and fm.data["tools"] == ["Read", "Bash"]
    assert skill.name == "again" and skill.description_text == "single quoted"
    assert [t.tag for t in fm.tags] == ["!!str"]


def test_tag_after_an_anchor_is_found(tmp_path):
    fm = load(tmp_path, "---\nname: demo\na: &x !foo bar\nb: !bar &y baz\n---\n").frontmatter
    assert [(t.tag, t.line, t.column) for t in fm.tags] == [("!foo", 3, 7), ("!bar", 4, 4)]


@pytest.mark.parametrize(
    ("yaml_text", "line", "fragment"),
    [
        ("name: demo\ndescription: 'unterminated\n", 3, "end of stream"),
        ("name: demo\n  bad: : x\n", 3, "mapping values"),
        ("name: demo\ndescription: [a, b\nother: 1\n", 4, ""),
        ("name: demo\n\tdescription: tab\n", 3, ""),
    ],
)
def test_invalid_yaml_error_and_line(tmp_path, yaml_text, line, fragment):
    skill = load(tmp_path, f"---\n{yaml_text}---\n# Body\n")
    fm = skill.frontmatter
    assert fm.present and fm.data is None
    assert fm.error and fm.error.startswith("invalid YAML") and fragment in fm.error
    assert fm.error_line == line
    assert skill.lines[skill.body_line - 1] == "# Body"


def test_no_frontmatter(tmp_path):
    skill = load(tmp_path, "# Title\n\nText.\n")
    assert not skill.frontmatter.present and skill.frontmatter.data is None
    assert skill.body_line == 1 and skill.name is None and skill.description_text == ""


def test_empty_frontmatter_is_an_empty_mapping(tmp_path):
    skill = load(tmp_path, "---\n---\nBody.\n")
    assert skill.frontmatter.error is None and dict(skill.frontmatter.data) == {}
    assert skill.body_line == 3


def test_dot_dot_dot_closes_frontmatter(tmp_path):
    skill = load(tmp_path, "---\nname: demo\n...\nBody.\n")
    assert skill.frontmatter.end_line == 3 and skill.frontmatter.get("name") == "demo" and skill.body_line == 4


def test_frontmatter_only_file(tmp_path):
    skill = load(tmp_path, "---\nname: demo\n---\n")
    assert skill.body == "" and skill.blocks == () and skill.body_line == 4
    assert len(skill.lines) == 3


# ---------------------------------------------------------------- blocks

BLOCKS_DOC = """\
---
name: demo
description: Blocks.
---
# Top

Intro paragraph
over two lines.

## Steps

1. first
2. second

- bullet
  - nested

| a | b |
|---|---|
| 1 | 2 |

> quoted
> text

<!-- a comment -->

---

### Deep

    indented code

```python
print("hi")
```

# Second top

Last.
"""


def test_blocks_kinds_spans_and_heading_paths(tmp_path):
    skill = load(tmp_path, BLOCKS_DOC)
    assert skill.body_line == 5
    got = [(b.kind, b.line, b.end_line, b.heading_path) for b in skill.blocks]
    top, steps, deep = ("Top",), ("Top", "Steps"), ("Top", "Steps", "Deep")
    assert got == [
        ("heading", 5, 5, top),
        ("paragraph", 7, 8, top),
        ("heading", 10, 10, steps),
        ("list", 12, 13, steps),
        ("list", 15, 16, steps),
        ("table", 18, 20, steps),
        ("blockquote", 22, 23, steps),
        ("html", 25, 25, steps),
        ("hr", 27, 27, steps),
        ("heading", 29, 29, deep),
        ("code", 31, 31, deep),
        ("code", 33, 35, deep),
        ("heading", 37, 37, ("Second top",)),
        ("paragraph", 39, 39, ("Second top",)),
    ]
    headings = [b for b in skill.blocks if b.kind == "heading"]
    assert [(h.level, h.inline) for h in headings] == [(1, "Top"), (2, "Steps"), (3, "Deep"), (1, "Second top")]
    for block in skill.blocks:
        assert block.text == "\n".join(skill.lines[block.line - 1 : block.end_line])
    assert skill.body == "\n".join(skill.lines[4:])


def test_setext_heading_and_lines(tmp_path):
    skill = load(tmp_path, "Title\n=====\n\nText\n")
    assert [(b.kind, b.line, b.end_line, b.level, b.inline) for b in skill.blocks] == [
        ("heading", 1, 2, 1, "Title"),
        ("paragraph", 4, 4, 0, ""),
    ]


# ---------------------------------------------------------------- code blocks

CODE_DOC = """\
---
name: demo
description: Code.
---
# Code

```python
x = 1
def f(:
    pass
```

```bash
echo ok
if [ -f x ]; then
  echo y
```

```js
const a = 1;
let = ;
```

```ts
function f(x: ) {}
```

```json
{
  "a": 1,
  "b": ,
}
```

```yaml
a: 1
b: [1, 2
c: 3
```

```python
print("fine")
```

```
no language
```

```python
never closed
"""


def test_code_blocks_languages_and_syntax_errors(tmp_path):
    skill = load(tmp_path, CODE_DOC)
    blocks = skill.code_blocks
    assert [(c.language, c.line, c.end_line, c.closed, c.parsed) for c in blocks] == [
        ("python", 7, 11, True, True),
        ("bash", 13, 17, True, True),
        ("js", 19, 22, True, True),
        ("ts", 24, 26, True, True),
        ("json", 28, 33, True, True),
        ("yaml", 35, 39, True, True),
        ("python", 41, 43, True, True),
        ("", 45, 47, True, False),
        ("python", 49, 50, False, False),  # unclosed: never parsed
    ]
    python, bash, js, ts, json_block, yaml_block, fine, plain, unclosed = blocks
    assert [(e.line, e.column) for e in python.errors][:1] == [(9, 7)]  # def f(: -> missing ')'
    assert bash.errors and bash.errors[0].line == 16 and "fi" in bash.errors[0].message  # end of the last code row
    assert [(e.line, e.column) for e in js.errors] == [(21, 5)]
    assert [(e.line, e.column) for e in ts.errors] == [(25, 13)]
    # tree-sitter's error recovery picks which token is "unexpected"; it must be in the block
    assert json_block.errors and 29 <= json_block.errors[0].line <= 32
    assert yaml_block.errors and 36 <= yaml_block.errors[0].line <= 38
    for code in blocks:
        for issue in code.errors:
            assert code.first_code_line <= issue.line < code.end_line
            assert 1 <= issue.column <= len(skill.lines[issue.line - 1]) + 1
    assert fine.errors == () and plain.errors == () and unclosed.errors == ()
    assert python.info == "python" and python.fenced and python.first_code_line == 8
    assert python.text == "x = 1\ndef f(:\n    pass\n"
    assert unclosed.text == "never closed"  # the file ends inside the fence


def test_code_error_columns_are_file_columns(tmp_path):
    """Code in a list item or a blockquote loses its indent in the content; columns must not."""
    doc = "# T\n\n- item\n  ```js\n  let = ;\n  ```\n\n> ```js\n> let = ;\n> ```\n\n```js\nlet s = 'éé'; let = ;\n```\n"
    skill = load(tmp_path, doc)
    errors = [(c.line, c.errors[0].line, c.errors[0].column) for c in skill.code_blocks]
    # '=' is the 7th character in "  let = ;" and in "> let = ;"; characters, not UTF-8 bytes
    assert errors == [(4, 5, 7), (8, 9, 7), (12, 13, 19)]
    for code in skill.code_blocks:
        issue = code.errors[0]
        assert skill.lines[issue.line - 1][issue.column - 1] == "="


def test_indented_and_tilde_fences(tmp_path):
    doc = "# T\n\n    echo indented\n\n~~~~sh\necho tilde\n~~~~\n\n````python\n```\nstill inside\n````\n"
    skill = load(tmp_path, doc)
    assert [(c.language, c.line, c.end_line, c.fenced, c.closed) for c in skill.code_blocks] == [
        ("", 3, 3, False, True),
        ("sh", 5, 7, True, True),
        ("python", 9, 12, True, True),
    ]
    assert skill.code_blocks[0].first_code_line == 3


def test_fence_closed_by_end_of_list_item_is_unclosed(tmp_path):
    skill = load(tmp_path, "- item\n  ```python\n  x = 1\n\ntext after\n")
    (code,) = skill.code_blocks
    assert not code.closed and not code.parsed


# ---------------------------------------------------------------- links


def test_links_of_each_kind(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("secret", encoding="utf-8")
    doc = (
        "# Links\n"
        "\n"
        "[ok](references/guide.md) and [gone](references/missing.md)\n"
        "[web](https://example.com/x) [mail](mailto:a@example.com) [anchor](#links)\n"
        "[up](../outside/secret.md) [abs](/etc/passwd) [home](~/.ssh/id_rsa)\n"
        "[esc](ext/secret.md) ![img](assets/logo.png)\n"
        "[enc](references/my%20guide.md) [dots](%2e%2e/outside/secret.md) [win](C:\\\\x\\\\y.md)\n"
        "[frag](references/guide.md#part) [back](references\\\\guide.md)\n"
    )
    root = make_skill(tmp_path, doc, files={"references/guide.md": "# Guide\n", "references/my guide.md": "x\n", "assets/logo.png": b"\x89PNG\r\n\x1a\n\x00"})
    os.symlink(outside, root / "ext")
    skill = load_skill(root)
    got = {link.target: (link.kind, link.resolved, link.problem, link.line, link.column, link.image) for link in skill.links}
    assert got["references/guide.md"] == ("path", "references/guide.md", None, 3, col(skill, 3, "(references/guide.md") + 1, False)
    assert got["references/missing.md"] == ("path", "references/missing.md", "missing", 3, col(skill, 3, "references/missing.md"), False)
    assert got["https://example.com/x"][:3] == ("url", None, None)
    assert got["mailto:a@example.com"][:3] == ("mailto", None, None)
    assert got["#links"][:3] == ("anchor", None, None)
    assert got["../outside/secret.md"][:3] == ("path", None, "outside-root")
    assert got["/etc/passwd"][:3] == ("path", None, "absolute")
    assert got["~/.ssh/id_rsa"][:3] == ("path", None, "absolute")
    assert got["ext/secret.md"][:3] == ("path", "ext/secret.md", "symlink-outside")
    assert got["assets/logo.png"] == ("path", "assets/logo.png", None, 6, col(skill, 6, "assets/logo.png"), True)
    assert got["references/my%20guide.md"][:3] == ("path", "references/my guide.md", None)
    assert got["%2e%2e/outside/secret.md"][:3] == ("path", None, "outside-root")
    win = next(link for link in skill.links if link.target.startswith("C:"))
    assert win.problem == "absolute"
    assert got["references/guide.md#part"][:3] == ("path", "references/guide.md", None)
    back = next(link for link in skill.links if link.target.startswith("references") and "guide.md" in link.target and "5C" in link.target)
    assert back.resolved == "references/guide.md" and back.problem is None
    for link in skill.links:
        assert link.source == "SKILL.md"
        assert 1 <= link.line <= len(skill.lines)


def test_autolinks_and_reference_links(tmp_path):
    doc = "# T\n\nMail <someone@example.com> or see <https://example.com/a>.\n\nUse [the guide][g] and [g].\n\n[g]: references/guide.md\n"
    root = make_skill(tmp_path, doc, files={"references/guide.md": "x\n"})
    skill = load_skill(root)
    got = [(l.target, l.kind, l.line, l.column, l.problem) for l in skill.links]
    assert got[:2] == [("mailto:someone@example.com", "mailto", 3, col(skill, 3, "someone@"), None), ("https://example.com/a", "url", 3, col(skill, 3, "https:"), None)]
    # reference links are located on the line that uses them
    assert [(t, k, line, p) for t, k, line, _, p in got[2:]] == [("references/guide.md", "path", 5, None)] * 2


def test_link_positions_repeated_and_encoded_targets(tmp_path):
    doc = (
        "# T\n"
        "\n"
        "see [a](ref.md) and\n"
        "[b](ref.md) then [ref.md](ref.md)\n"
        "\n"
        "| x | [t](tab.md) |\n"
        "|---|---|\n"
        "| [r](row.md) | y |\n"
        "\n"
        "- item\n"
        "  > [q](q.md)\n"
        "\n"
        "[e](refs/é.md) `code\n"
        "span` [f](f.md)\n"
        "\n"
        "[![img](i.png)](l.md)\n"
    )
    skill = load(tmp_path, doc)
    got = [(link.target, link.line, link.column) for link in skill.links]
    assert got == [
        ("ref.md", 3, 9),
        ("ref.md", 4, 5),
        ("ref.md", 4, 27),  # the destination, not the link text
        ("tab.md", 6, 11),
        ("row.md", 8, 7),
        ("q.md", 11, 9),
        ("refs/%C3%A9.md", 13, 5),  # markdown-it percent-encodes; located as written
        ("f.md", 14, 11),
        ("l.md", 16, 17),
        ("i.png", 16, 9),
    ]


def test_links_in_reference_files(tmp_path):
    root = make_skill(
        tmp_path,
        "---\nname: demo\ndescription: x\n---\nSee [guide](references/guide.md).\n",
        files={"references/guide.md": "# Guide\n\nSee [other](other.md) and [up](../SKILL.md) and [far](../../x.md).\n", "references/other.md": "x\n"},
    )
    skill = load_skill(root)
    guide = skill.file("references/guide.md")
    assert guide is not None and guide.text is not None and guide.line_count == 3
    row = guide.text.split("\n")[2]
    assert [(l.target, l.resolved, l.problem, l.line, l.column, l.source) for l in guide.links] == [
        ("other.md", "references/other.md", None, 3, row.index("other.md") + 1, "references/guide.md"),
        ("../SKILL.md", "SKILL.md", None, 3, row.index("../SKILL.md") + 1, "references/guide.md"),
        ("../../x.md", None, "outside-root", 3, row.index("../../x.md") + 1, "references/guide.md"),
    ]
    assert [l.resolved for l in skill.links] == ["references/guide.md"]


# ---------------------------------------------------------------- files


def test_files_binary_decode_too_large_symlinks_nested(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("TOP SECRET outside the skill\n", encoding="utf-8")
    root = make_skill(
        tmp_path,
        "---\nname: demo\ndescription: x\n---\nBody.\n",
        files={
            "references/good.md": "# Good\r\nline two\r\n",
            "references/latin1.md": "caf\xe9\n".encode("latin-1"),
            "references/blob.bin": "caf\xe9".encode("latin-1"),
            "references/nul.md": b"text\x00more",
            "references/huge.md": b"x" * (1_048_576 + 1),
            "references/bom.md": b"\xef\xbb\xbfbom text\n",
            "scripts/run.py": "print('hi')\n",
            "nested/SKILL.md": "---\nname: nested\n---\n",
            "nested/own.md": "belongs to the nested skill\n",
            "node_modules/pkg/index.js": "skipped\n",
            ".git/config": "skipped\n",
        },
    )
    os.symlink(outside, root / "references" / "link-out.md")
    os.symlink(root / "references" / "good.md", root / "references" / "link-in.md")
    os.symlink(tmp_path, root / "references" / "dir-out")
    skill = load_skill(root)
    files = {f.path: f for f in skill.files}
    assert set(files) == {
        "references/good.md", "references/latin1.md", "references/blob.bin", "references/nul.md",
        "references/huge.md", "references/bom.md", "scripts/run.py",
        "references/link-out.md", "references/link-in.md", "references/dir-out",
    }
    assert files["references/good.md"].text == "# Good\nline two\n" and files["references/good.md"].reason is None
    assert files["references/latin1.md"].text is None and files["references/latin1.md"].reason == "decode"
    assert files["references/blob.bin"].reason == "binary"
    assert files["references/nul.md"].reason == "binary"
    assert files["references/huge.md"].reason == "too-large" and files["references/huge.md"].size == 1_048_577
    assert files["references/bom.md"].text == "bom text\n"
    out = files["references/link-out.md"]
    assert out.symlink and out.text is None and out.reason == "symlink-outside" and out.size == 0
    inside = files["references/link-in.md"]
    assert inside.symlink and inside.text == "# Good\nline two\n"
    assert files["references/dir-out"].reason == "symlink-outside"
    assert not any("TOP SECRET" in (f.text or "") for f in skill.files)
    assert [f.path for f in skill.references] == sorted(p for p in files if p.endswith(".md"))
    assert files["scripts/run.py"].tokens == tokens.count("print('hi')\n")


def test_content_hash_changes_with_any_file(tmp_path):
    root = make_skill(tmp_path, "# A\n", files={"references/a.md": "one\n"})
    first = load_skill(root).content_hash
    assert load_skill(root).content_hash == first
    (root / "references" / "a.md").write_text("two\n", encoding="utf-8")
    assert load_skill(root).content_hash != first


def test_too_many_files(tmp_path):
    root = make_skill(tmp_path, "# A\n", files={f"assets/{i:03}.txt": "x" for i in range(12)})
    skill = load_skill(root, {"max_files": 5})
    assert len(skill.files) == 5
    assert [p.kind for p in skill.problems] == ["too-many-files"]


# ---------------------------------------------------------------- discovery


def test_discover_skill_md_folder_and_tree(tmp_path):
    one = make_skill(tmp_path / "tree", "# one\n", name="one")
    two = make_skill(tmp_path / "tree" / "group", "# two\n", name="two")
    nested = make_skill(two, "# nested\n", name="inner")
    for skipped in (".git", "node_modules", ".venv"):
        make_skill(tmp_path / "tree" / skipped, "# hidden\n", name="hidden")
    hidden_ok = make_skill(tmp_path / "tree" / ".claude" / "skills", "# claude\n", name="claude")
    assert discover([str(one / "SKILL.md")]) == [str(one)]
    assert discover([str(one)]) == [str(one)]
    assert discover([str(tmp_path / "tree")]) == sorted(str(p) for p in (one, two, nested, hidden_ok))
    # the same skill twice is listed once
    assert discover([str(one), str(one / "SKILL.md")]) == [str(one)]


def test_discover_missing_path_raises(tmp_path):
    with pytest.raises(DiscoveryError):
        discover([str(tmp_path / "nope")])


def test_discover_does_not_follow_directory_symlinks(tmp_path):
    make_skill(tmp_path / "tree", "# one\n", name="one")
    os.symlink(tmp_path / "tree", tmp_path / "tree" / "loop")
    assert discover([str(tmp_path / "tree")]) == [str(tmp_path / "tree" / "one")]


# ---------------------------------------------------------------- tokens


def test_token_counts_and_bounds():
    for text in ("", "hello world", "Use `pdfplumber` to extract tables.\n" * 5, "naïve café — 日本語 🙂", "a-b_c.d/e"):
        lower, upper = tokens.bounds(text)
        assert lower <= tokens.count(text) <= upper
        assert tokens.at_least(text, lower) and not tokens.at_least(text, upper + 1)
    assert tokens.count("hello world") == 2
    assert tokens.decode(tokens.encode("round trip")) == "round trip"


@pytest.mark.parametrize("special", ["<|endoftext|>", "<|fim_prefix|>", "<|im_start|>system", "<|endofprompt|>"])
def test_special_token_strings_are_plain_text(special):
    assert tokens.count(special) > 1
    lower, upper = tokens.bounds(special)
    assert lower <= tokens.count(special) <= upper


def test_skill_token_properties(tmp_path):
    skill = load(tmp_path, "---\nname: demo\ndescription: x\n---\nHello <|endoftext|> world.\n")
    assert skill.body_tokens == tokens.count("Hello <|endoftext|> world.")


def test_good_skill_has_no_problems(tmp_path):
    skill = load(tmp_path, "---\nname: demo\ndescription: Does a thing. Use when asked.\n---\n# Demo\n\nDo it.\n")
    assert skill.problems == ()
    assert skill.frontmatter.error is None
    assert skill.folder_name == "demo" and skill.skill_md == skill.root / "SKILL.md"
    assert skill.body_lines == ("# Demo", "", "Do it.")


@pytest.mark.parametrize(
    ("doc", "closed"),
    [
        ("```python\nx = 1\n```\n", True),
        ("```python\nx = 1\n    ```\n", False),  # indented four spaces: content, not a closing fence
        ("   ```python\n   x = 1\n      ```\n", False),
        ("> ```python\n> x = 1\n> ```\n", True),
        ("> ```python\n> x = 1\n", False),
        ("````python\n```\n````\n", True),
        ("```python\n```\n", True),
        ("```python\n", False),
        ("```python\n\n\n", False),
    ],
)
def test_fence_closed_or_not(tmp_path, doc, closed):
    (code,) = load(tmp_path, doc).code_blocks
    assert code.closed is closed and code.parsed is closed
