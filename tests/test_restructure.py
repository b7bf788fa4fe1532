"""Body restructuring (skillreducer.reduce.restructure) and tightening (reduce.tighten),
on real skill folders written to tmp_path and loaded with the real loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillreducer import tokens
from skillreducer.body.items import BodyItem, body_items
from skillreducer.load import load_skill
from skillreducer.model import Skill
from skillreducer.reduce.restructure import RestructureError, expected_tokens, linked_paths, normalise, restructure
from skillreducer.reduce.tighten import apply_edits, tighten

FRONTMATTER = """---
name: pdf-tools   # the folder's name
description: >-
  Merge PDF files and fill PDF forms. Use when the user asks to merge,
  split or fill PDFs.
metadata:
  owner: "docs team"
---
"""

BODY = """
# PDF tools

Always run `pdftk --version` first to check that the tool is installed.

PDF is a document format that Adobe published in 1993 to present documents the same way on every platform.

## Merging PDFs

It is important to note that you should simply merge the input files in the order the user gives them.

For example, to merge two reports:
```bash
pdftk report-1.pdf report-2.pdf cat output merged.pdf
```

Merging keeps the bookmarks of the first file only, because pdftk rewrites the outline of the output.

## Filling forms

A field file, one value per line:
```text
name=Jane Doe
date=2024-01-31
```

Always run `pdftk --version` first to check that the tool is installed.

## Output format

Reply with a summary in exactly this format:
```markdown
## Merged
- files: 2
- pages: 14
```
"""

# Label of each item, keyed by the start of its text.
LABELS = {
    "Always run": "core",
    "PDF is a document": "background",
    "It is important": "core",
    "For example": "example",
    "Merging keeps": "background",
    "A field file": "template",
    "Reply with": "example",
}


def write_skill(root: Path, body: str = BODY, files: dict[str, str] | None = None, frontmatter: str = FRONTMATTER) -> Skill:
    root.mkdir(parents=True, exist_ok=True)
    (root / "SKILL.md").write_text(frontmatter + body, encoding="utf-8")
    for path, text in (files or {}).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return load_skill(root)


def labelled(skill: Skill, labels: dict[str, str] = LABELS) -> tuple[list[BodyItem], list[str], dict[int, int]]:
    """Items, their labels (the second "Always run" is a redundant repeat of the first)."""
    items = body_items(skill)
    out: list[str] = []
    duplicates: dict[int, int] = {}
    first: dict[str, int] = {}
    for item in items:
        key = next(k for k in labels if item.text.startswith(k))
        if key in first:
            out.append("redundant")
            duplicates[item.index] = first[key]
        else:
            first[key] = item.index
            out.append(labels[key])
    return items, out, duplicates


def index_of(items: list[BodyItem], start: str) -> int:
    return next(item.index for item in items if item.text.startswith(start))


@pytest.fixture
def sample(tmp_path: Path):
    skill = write_skill(tmp_path / "pdf-tools")
    items, labels, duplicates = labelled(skill)
    return skill, items, labels, duplicates, restructure(skill, items, labels, duplicates)


def test_items_move_to_the_files_their_labels_name(sample):
    skill, items, labels, duplicates, result = sample
    assert sorted(result.files) == ["references/background.md", "references/examples.md", "references/templates.md"]
    where = [(items[p.index].text[:12], p.destination) for p in result.placements]
    assert where == [
        ("Always run `", "SKILL.md"),
        ("PDF is a doc", "references/background.md"),
        ("It is import", "SKILL.md"),
        ("For example,", "references/examples.md"),
        ("Merging keep", "references/background.md"),
        ("A field file", "references/templates.md"),
        ("Always run `", "dropped:duplicate-of:0"),
        ("Reply with a", "SKILL.md"),
    ]
    assert [p.label for p in result.placements].count("redundant") == 1
    for path, text in result.files.items():
        moved = [items[p.index] for p in result.placements if p.destination == path]
        for item in moved:
            assert normalise(item.text) in normalise(text)
        assert text.startswith("Read when you need ")
        topics = text.split("\n")[2]
        assert topics.startswith("Topics: ") and 3 <= len(topics.split("; ")) <= 5
    assert "## Merging PDFs\n\nFor example, to merge two reports:" in result.files["references/examples.md"]
    assert "## Filling forms" in result.files["references/templates.md"]


def test_core_keeps_order_headings_and_one_pointer_per_file(sample):
    skill, items, labels, duplicates, result = sample
    body = result.body
    assert body.index("Always run") < body.index("merge the input files") < body.index("Reply with")
    assert body.count("Always run `pdftk --version`") == 1
    assert "# PDF tools" in body and "## Merging PDFs" in body and "## Output format" in body
    assert "## Filling forms" not in body  # nothing of its section stayed in core
    assert "PDF is a document" not in body and "A field file" not in body
    pointers = [line for line in body.split("\n") if "](references/" in line and line.startswith("- [")]
    assert len(pointers) == 3
    assert {line[3 : line.index("]")] for line in pointers} == {"examples", "templates", "background"}  # the name, not the path again
    # The heading says when to read them; each line says what its file holds, its name
    # linked in place ("[examples](...) of X"), naming at most its first two topics (the
    # file's own `when` line names up to three).
    assert "\n## References (read when needed)\n\n- [" in body
    for line in pointers:
        path = line[line.index("](") + 2 : line.index(")")]
        reference = next(r for r in result.references if r.path == path)
        what = {"examples": " of ", "templates": " for ", "background": " on "}[reference.kind]
        assert line.startswith(f"- [{reference.kind}]({path}){what}")
        named = line[len(f"- [{reference.kind}]({path}){what}") :]
        assert 1 <= sum(topic.lower() in named.lower() for topic in reference.topics[:2]) <= 2
        assert "Read when you need" not in line
    assert linked_paths(body) == set(result.files)


def test_frontmatter_is_kept_byte_for_byte(sample):
    skill, items, labels, duplicates, result = sample
    assert result.skill_md.startswith(FRONTMATTER)
    assert result.frontmatter == FRONTMATTER
    assert (skill.root / "SKILL.md").read_text(encoding="utf-8").startswith(result.frontmatter)


def test_written_output_loads_and_every_link_resolves(sample, tmp_path: Path):
    skill, items, labels, duplicates, result = sample
    out = write_skill(tmp_path / "out" / "pdf-tools", result.body, result.files, result.frontmatter)
    paths = [link for link in out.links if link.kind == "path"]
    assert {link.resolved for link in paths} == set(result.files)
    assert all(link.problem is None for link in paths)
    assert out.frontmatter.data == skill.frontmatter.data


def test_core_is_tightened_and_tokens_are_counted(sample):
    skill, items, labels, duplicates, result = sample
    placement = result.placements[index_of(items, "It is important")]
    assert placement.tightened
    assert "\n\nYou should merge the input files in the order" in result.body
    assert result.removed_filler == ("It is important to note that", "simply")
    assert result.before_tokens == tokens.count(skill.body)
    assert result.core_tokens == tokens.count(result.body)
    assert result.core_tokens < result.before_tokens
    everything = {"examples": 1.0, "templates": 1.0, "background": 1.0, "existing": 1.0}
    assert expected_tokens(result, everything) == result.core_tokens + sum(tokens.count(t) for t in result.files.values())
    assert result.core_tokens < expected_tokens(result) < expected_tokens(result, everything)


def test_required_output_example_stays_in_core(tmp_path: Path):
    body = """
## Report

Every report must have the three sections shown below.

```markdown
## Findings
## Risks
## Next steps
```

Reports are read by reviewers who skim, which is why the sections are short.

```python
print("an illustration, nothing more")
```
"""
    skill = write_skill(tmp_path / "report", body)
    items = body_items(skill)
    labels = ["core", "example", "background", "example"]
    result = restructure(skill, items, labels, {})
    destinations = [p.destination for p in result.placements]
    assert destinations == ["SKILL.md", "SKILL.md", "references/background.md", "references/examples.md"]
    assert result.placements[1].reason == "defines required output"
    assert "## Findings\n## Risks\n## Next steps" in result.body


def test_existing_reference_is_never_overwritten(tmp_path: Path):
    old = "# Old examples\n\nKept exactly as it was.\n"
    skill = write_skill(tmp_path / "pdf-tools", files={"references/examples.md": old})
    items, labels, duplicates = labelled(skill)
    result = restructure(skill, items, labels, duplicates)
    assert "references/examples.md" not in result.files
    assert "references/examples-moved.md" in result.files
    moved = result.placements[index_of(items, "For example")]
    assert moved.destination == "references/examples-moved.md"
    assert "- [examples-moved](references/examples-moved.md): " in result.body
    assert (skill.root / "references" / "examples.md").read_text(encoding="utf-8") == old
    assert any(r.path == "references/examples.md" and r.kind == "existing" and not r.new for r in result.references)


def test_item_already_in_an_existing_reference_is_not_copied(tmp_path: Path):
    forms = "# Forms\n\nThe field file:\n\n    A field file, one value per line:\n    ```text\n    name=Jane Doe\n    date=2024-01-31\n    ```\n\nMore about forms.\n"
    skill = write_skill(tmp_path / "pdf-tools", files={"references/forms.md": forms})
    items, labels, duplicates = labelled(skill)
    result = restructure(skill, items, labels, duplicates)
    assert result.placements[index_of(items, "A field file")].destination == "in:references/forms.md"
    assert "references/templates.md" not in result.files
    assert "A field file" not in "".join(result.files.values())
    assert "references/forms.md" in linked_paths(result.body)
    pointer = next(line for line in result.body.split("\n") if "(references/forms.md)" in line)
    assert "): details on " in pointer


def test_existing_reference_with_different_code_gets_a_copy(tmp_path: Path):
    # Whitespace-normalised, the text is there, but the code block is indented
    # differently: a copy keeps it byte for byte.
    forms = "A field file, one value per line:\n```text\n  name=Jane Doe\n  date=2024-01-31\n```\n"
    skill = write_skill(tmp_path / "pdf-tools", files={"references/forms.md": forms})
    items, labels, duplicates = labelled(skill)
    result = restructure(skill, items, labels, duplicates)
    assert result.placements[index_of(items, "A field file")].destination == "references/templates.md"


def test_exact_duplicate_core_items_are_merged(tmp_path: Path):
    rule = "Never write to the input file; always write the result to a new file next to it."
    skill = write_skill(tmp_path / "dup", f"\n{rule}\n\nRun the converter.\n\n{rule}\n")
    items = body_items(skill)
    result = restructure(skill, items, ["core"] * 3, {})
    assert [p.destination for p in result.placements] == ["SKILL.md", "SKILL.md", "dropped:duplicate-of:0"]
    assert result.body.count(rule) == 1


def test_a_bold_line_stays_with_the_core_item_it_heads(tmp_path: Path):
    body = "\n## Deploy\n\n**Key settings:**\n\n- Set `replicas` to 3.\n\n**History**\n\nThe chart was split in 2021.\n"
    skill = write_skill(tmp_path / "deploy", body)
    items = body_items(skill)
    result = restructure(skill, items, ["background", "core", "background", "background"], {})
    destinations = [(p.destination, p.reason) for p in result.placements]
    assert destinations[0] == ("SKILL.md", "introduces the core item after it")
    assert destinations[2][0] == destinations[3][0] == "references/background.md"  # heads a moved item: moves with it
    assert "Key settings:\n\n- Set `replicas` to 3." in result.body  # its bold is tightened away


def test_near_duplicate_is_kept_as_background(tmp_path: Path):
    body = "\nAlways validate the form before you save it to disk.\n\nAlways validate the form before saving it to the disk.\n"
    skill = write_skill(tmp_path / "near", body)
    items = body_items(skill)
    result = restructure(skill, items, ["core", "redundant"], {1: 0})
    assert result.placements[1].destination == "references/background.md"
    assert result.placements[1].reason == "near duplicate, kept"


def test_item_linking_a_skill_file_stays_in_core(tmp_path: Path):
    body = "\nThe field names are listed in [the forms guide](references/forms.md).\n"
    skill = write_skill(tmp_path / "links", body, {"references/forms.md": "# Forms\n"})
    items = body_items(skill)
    result = restructure(skill, items, ["background"], {})
    assert result.placements[0].destination == "SKILL.md"
    assert result.files == {}


def test_promoted_item_stays_verbatim(sample):
    skill, items, labels, duplicates, _ = sample
    index = index_of(items, "It is important")
    result = restructure(skill, items, labels, duplicates, promote=frozenset({index}))
    assert result.placements[index].destination == "SKILL.md"
    assert not result.placements[index].tightened
    assert items[index].text in result.body


def test_bad_arguments_are_clear_errors(sample, tmp_path: Path):
    skill, items, labels, duplicates, _ = sample
    with pytest.raises(ValueError, match="labels"):
        restructure(skill, items, labels[:-1], duplicates)
    with pytest.raises(ValueError, match="unknown labels"):
        restructure(skill, items, ["core"] * (len(items) - 1) + ["misc"], {})
    with pytest.raises(ValueError, match="earlier item"):
        restructure(skill, items, labels, {0: 3})
    other = write_skill(tmp_path / "other", "\nSomething else entirely.\n")
    with pytest.raises(ValueError, match="not the body item|does not match"):
        restructure(other, items, labels, duplicates)
    blocked = write_skill(tmp_path / "blocked", files={"references": "a file, not a folder\n"})
    items, labels, duplicates = labelled(blocked)
    with pytest.raises(RestructureError, match="references"):
        restructure(blocked, items, labels, duplicates)


def test_tighten_removes_filler_but_never_code_urls_or_numbers():
    text = (
        "It is important to note that you should simply run `simply --in-order-to 3` in order to fetch\n"
        "https://example.com/simply/in-order-to 3 times!!! Do not simply copy \"simply\" files, basically.\n"
        "- 🚀 ***Deploy*** the build   \n"
        "- ✅ Keep this mark\n"
        "```bash\n"
        "# simply in order to keep 42!!!\n"
        "```"
    )
    result = tighten(text, {4, 5, 6})
    assert result.text == (
        "You should run `simply --in-order-to 3` to fetch\n"
        "https://example.com/simply/in-order-to 3 times! Do not simply copy \"simply\" files.\n"
        "- **Deploy** the build\n"
        "- ✅ Keep this mark\n"
        "```bash\n"
        "# simply in order to keep 42!!!\n"
        "```"
    )
    assert result.removed_filler == ("It is important to note that", "simply", "in order to", "basically")
    assert apply_edits(text, result.edits) == result.text
    with pytest.raises(ValueError):
        apply_edits(text.upper(), result.edits)


def test_tighten_unbolds_line_labels_but_keeps_emphasis():
    text = (
        "- **Placeholders**: `%s` (string), `%d` (integer)\n"
        "**Important:** the **last** matching pattern wins.\n"
        "> **Note**: run it twice.\n"
        "- **`--dry-run`**: prints the plan\n"
        "Use **only** the pinned version: 1.4."
    )
    assert tighten(text).text == (
        "- Placeholders: `%s` (string), `%d` (integer)\n"
        "Important: the **last** matching pattern wins.\n"
        "> Note: run it twice.\n"
        "- **`--dry-run`**: prints the plan\n"  # the edit would touch inline code: left alone
        "Use **only** the pinned version: 1.4."
    )


def test_tighten_protects_code_even_without_code_lines():
    text = "Run this:\n```\nbasically in order to\n```\n\n\n\nThen basically stop."
    result = tighten(text)
    assert result.text == "Run this:\n```\nbasically in order to\n```\n\nThen stop."


def test_headings_stay_unless_their_moved_items_carry_them(tmp_path: Path):
    body = """
# Tool

## Empty section with https://example.com/spec

## History

The tool was written in 2019 because the old one was slow.

## [Forms guide](references/forms.md)

The guide covers every field type that the forms support today.
"""
    skill = write_skill(tmp_path / "tool", body, {"references/forms.md": "# Forms\n"})
    items = body_items(skill)
    result = restructure(skill, items, ["background", "background"], {})
    assert "## Empty section with https://example.com/spec" in result.body  # nothing carries it
    assert "## History" not in result.body  # its item carries it into background.md
    assert "## History\n\nThe tool was written" in result.files["references/background.md"]
    assert "## [Forms guide](references/forms.md)" in result.body  # the only pointer to the guide
    assert "references/forms.md" in linked_paths(result.body)


def test_thematic_breaks_that_separate_nothing_are_dropped(tmp_path: Path):
    body = """
# Tool

Run `tool check` before every release.

---

## History

The tool was written in 2019 because the old one was slow.

***

Keep the config in `tool.toml`.

---

## Usage

Pass `--fast` on CI.

---
"""
    skill = write_skill(tmp_path / "tool", body)
    items = body_items(skill)
    result = restructure(skill, items, ["core", "background", "core", "core"], {})
    # Right after a heading, before one or at the end, a break separates nothing.
    assert result.body.startswith(
        "\n# Tool\n\nRun `tool check` before every release.\n\n## History\n\nKeep the config in `tool.toml`.\n\n"
        "## Usage\n\nPass `--fast` on CI.\n\n## References (read when needed)\n"
    )
    # Between two core paragraphs it still separates them.
    kept = write_skill(tmp_path / "kept", "\nRun `tool check` first.\n\n---\n\nKeep the config in `tool.toml`.\n")
    assert "first.\n\n---\n\nKeep" in restructure(kept, body_items(kept), ["core", "core"], {}).body


def test_pointer_names_heading_topics_before_frequent_words(tmp_path: Path):
    body = """
# Tool

Run `tool check` before every release.

## Release history

The releaser tool was rewritten twice, and the releaser tool now signs every releaser artifact.
"""
    skill = write_skill(tmp_path / "tool", body)
    items = body_items(skill)
    result = restructure(skill, items, ["core", "background"], {})
    reference = result.references[0]
    assert reference.topics[0] == "Release history" and len(reference.topics) == 3  # words fill the file's topics
    assert "- [background](references/background.md) on release history\n" in result.body + "\n"


def test_topics_drop_heading_labels_and_fall_back_to_outer_headings(tmp_path: Path):
    body = """
# Review

Report only what you can prove.

## Priority 1: N+1 Queries (CRITICAL)

### Rule: Prefetch in serializers, not just views

```python
queryset = Book.objects.prefetch_related("authors")
```
"""
    skill = write_skill(tmp_path / "review", body)
    items = body_items(skill)
    result = restructure(skill, items, ["core", "template"], {})
    reference = result.references[0]
    # The code-only item gives no prose words: the heading above its own fills in, then
    # the code's own words (less keywords and words the topics already hold).
    assert reference.topics == ("Prefetch in serializers, not just views", "N+1 Queries", "queryset")
    assert reference.when == "Read when you need a template to copy for prefetch in serializers, not just views; N+1 Queries or queryset."


def test_no_frontmatter_and_empty_body(tmp_path: Path):
    bare = write_skill(tmp_path / "bare", "# Tool\n\nThe tool was written in 2019 because the old one was slow.\n", frontmatter="")
    result = restructure(bare, body_items(bare), ["background"], {})
    assert result.frontmatter == "" and result.skill_md.startswith("# Tool\n")
    empty = write_skill(tmp_path / "empty", "")
    result = restructure(empty, body_items(empty), [], {})
    assert result.skill_md == FRONTMATTER and result.files == {} and result.core_tokens == 0


def test_report_entries(sample):
    skill, items, labels, duplicates, result = sample
    entry = result.placements[index_of(items, "For example")].as_dict()
    assert entry == {"index": 3, "type": "example", "destination": "references/examples.md", "line": entry["line"],
                     "end_line": entry["end_line"], "tightened": False, "reason": ""}
    assert entry["line"] == items[3].line and entry["end_line"] == items[3].end_line
    reference = next(r for r in result.references if r.path == "references/examples.md").as_dict()
    assert reference["tokens"] == tokens.count(result.files["references/examples.md"])
    assert reference["when"].startswith("Read when you need a worked example of ")
    assert reference["topics"] and reference["kind"] == "examples" and reference["new"]
