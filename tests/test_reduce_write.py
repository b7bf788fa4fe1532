"""Writing reduced skills: frontmatter edits keep everything else, outputs stay inside
--out, in-place keeps a backup, hostile folders are handled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from skillreducer.load import load_skill
from skillreducer.reduce.write import WriteError, unified_diff, with_description, write_in_place, write_out


def make_skill(root: Path, text: str, files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True)
    (root / "SKILL.md").write_bytes(text.encode())
    for path, content in (files or {}).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(content)
    return root


FRONTMATTER = """---
name: pdf-tools
# routing text below
description: >
  Long folded description
  over two lines.

license: MIT
metadata:
  owner: docs
---
# PDF tools

Body.
"""


def test_description_replaced_and_every_other_line_kept(tmp_path):
    skill = load_skill(make_skill(tmp_path / "pdf-tools", FRONTMATTER))
    text = with_description(skill, 'Fills PDF forms: "AcroForm" fields.')
    data = yaml.safe_load(text.split("---")[1])
    assert data["description"] == 'Fills PDF forms: "AcroForm" fields.'
    assert list(data) == ["name", "description", "license", "metadata"]
    kept = [line for line in FRONTMATTER.split("\n") if "description" not in line and "over two lines" not in line and "Long folded" not in line]
    assert [line for line in text.split("\n") if "description" not in line] == kept


def test_missing_description_is_added_after_name_and_missing_frontmatter_created(tmp_path):
    skill = load_skill(make_skill(tmp_path / "a", "---\nname: a\nlicense: MIT\n---\nBody\n"))
    text = with_description(skill, "Does a.")
    assert text.startswith('---\nname: a\ndescription: "Does a."\nlicense: MIT\n---\n')
    bare = load_skill(make_skill(tmp_path / "b", "# B\n\nBody\n"))
    assert with_description(bare, "Does b.") == '---\nname: b\ndescription: "Does b."\n---\n# B\n\nBody\n'


def test_unparsable_frontmatter_is_not_edited(tmp_path):
    skill = load_skill(make_skill(tmp_path / "c", "---\nname: [c\ndescription: x\n---\nBody\n"))
    with pytest.raises(WriteError, match="does not parse"):
        with_description(skill, "Does c.")


def test_write_out_copies_everything_and_keeps_crlf(tmp_path):
    root = make_skill(tmp_path / "src" / "s", "---\r\nname: s\r\ndescription: old\r\n---\r\nBody\r\n", {"references/r.md": "ref", "scripts/x.py": "print(1)"})
    os.symlink("references/r.md", root / "link.md")
    os.mkfifo(root / "pipe")
    skill = load_skill(root)
    target, skipped = write_out(skill, {"SKILL.md": with_description(skill, "new"), "references/new.md": "moved\n"}, tmp_path / "out")
    assert target == (tmp_path / "out" / "s").resolve()
    assert (target / "SKILL.md").read_bytes() == b'---\r\nname: s\r\ndescription: "new"\r\n---\r\nBody\r\n'
    assert (target / "references/r.md").read_text() == "ref"
    assert (target / "references/new.md").read_text() == "moved\n"
    assert os.readlink(target / "link.md") == "references/r.md"
    assert skipped == ["pipe"] and not (target / "pipe").exists()
    assert (root / "SKILL.md").read_bytes().startswith(b"---\r\nname: s\r\ndescription: old")  # source untouched


def test_write_out_refuses_unsafe_targets(tmp_path):
    root = make_skill(tmp_path / "s", "---\nname: s\ndescription: d\n---\n")
    skill = load_skill(root)
    with pytest.raises(WriteError, match="overlaps"):
        write_out(skill, {}, root / "out")
    with pytest.raises(WriteError, match="not a path inside"):
        write_out(skill, {"../escape.md": "x"}, tmp_path / "out")
    assert not (tmp_path / "escape.md").exists()
    write_out(skill, {}, tmp_path / "out2")
    with pytest.raises(WriteError, match="exists"):
        write_out(skill, {}, tmp_path / "out2")
    write_out(skill, {"SKILL.md": "changed"}, tmp_path / "out2", force=True)
    assert (tmp_path / "out2" / "s" / "SKILL.md").read_text() == "changed"


def test_write_never_follows_a_symlink_out_of_the_folder(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("keep me")
    root = make_skill(tmp_path / "s", "---\nname: s\ndescription: d\n---\n", {"references/keep.md": "k"})
    os.symlink(outside, root / "references" / "examples.md")
    skill = load_skill(root)
    target, _ = write_out(skill, {"references/examples.md": "moved"}, tmp_path / "out")
    assert outside.read_text() == "keep me"
    assert (target / "references/examples.md").read_text() == "moved"


def test_in_place_keeps_a_backup(tmp_path):
    root = make_skill(tmp_path / "skills" / "s", "---\nname: s\ndescription: old\n---\nBody\n", {"references/r.md": "ref"})
    skill = load_skill(root)
    backup, _ = write_in_place(skill, {"SKILL.md": with_description(skill, "new")})
    assert backup.parent.name == ".skillreducer_backup"
    assert (backup / "SKILL.md").read_text() == "---\nname: s\ndescription: old\n---\nBody\n"
    assert (root / "SKILL.md").read_text() == '---\nname: s\ndescription: "new"\n---\nBody\n'
    assert (root / "references/r.md").read_text() == "ref"


def test_unified_diff_names_changed_and_new_files(tmp_path):
    root = make_skill(tmp_path / "s", "---\nname: s\ndescription: old\n---\nBody\n")
    skill = load_skill(root)
    diff = unified_diff(skill, {"SKILL.md": with_description(skill, "new"), "references/background.md": "bg\n"}, "s")
    assert "--- a/s/SKILL.md\n+++ b/s/SKILL.md\n" in diff
    assert '-description: old\n+description: "new"\n' in diff
    assert "--- /dev/null\n+++ b/s/references/background.md\n" in diff
