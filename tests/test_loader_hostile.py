"""The loader against hostile input: every case ends in a Problem or a frontmatter error,
never an exception and never a hang.

Each load first runs in a forked child with a generous time limit (a hang detector, not a
performance assertion: a C-level loop in libyaml or tree-sitter would not be interrupted
by a signal), then again in-process to check the model.
"""

from __future__ import annotations

import codecs
import multiprocessing
import os
import sys
import traceback
from pathlib import Path

import pytest

from skillreducer.load import load_skill, loader_limits
from skillreducer.model import Skill

HANG_SECONDS = 10


def make_skill(parent: Path, content: str | bytes, name: str = "demo") -> Path:
    root = parent / name
    root.mkdir(parents=True, exist_ok=True)
    (root / "SKILL.md").write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def _child(root: str) -> None:
    try:
        load_skill(root)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def guarded_load(root: Path) -> Skill:
    process = multiprocessing.get_context("fork").Process(target=_child, args=(str(root),))
    process.start()
    process.join(HANG_SECONDS)
    if process.is_alive():
        process.kill()
        process.join()
        pytest.fail(f"loading {root} did not finish in {HANG_SECONDS} s")
    assert process.exitcode == 0, f"loading {root} raised (traceback on stderr)"
    return load_skill(root)


def load(parent: Path, content: str | bytes) -> Skill:
    return guarded_load(make_skill(parent, content))


def kinds(skill: Skill) -> list[str]:
    return [p.kind for p in skill.problems]


def problem(skill: Skill, kind: str):
    found = [p for p in skill.problems if p.kind == kind]
    assert found, f"no {kind!r} problem in {skill.problems}"
    return found[0]


def assert_well_formed(skill: Skill) -> None:
    """Invariants every loaded skill keeps, whatever the input."""
    count = len(skill.lines)
    assert 1 <= skill.body_line <= count + 1
    for block in skill.blocks:
        assert skill.body_line <= block.line <= block.end_line <= count
    for code in skill.code_blocks:
        assert code.line <= code.end_line <= count
    for link in skill.links:
        assert 1 <= link.line <= count
    for item in skill.problems:
        assert item.line >= 1 and item.column >= 1
    assert "\r" not in skill.text and "\x00" not in skill.text


# ---------------------------------------------------------------- encodings and line breaks

DOC = "---\nname: demo\ndescription: Line breaks.\n---\n# Title\n\nSee [ref](references/a.md).\n\n```python\ndef f(:\n```\n"


def _expect_doc_lines(skill: Skill) -> None:
    fm = skill.frontmatter
    assert fm.error is None and fm.get("name") == "demo"
    assert dict(fm.key_lines) == {"name": 2, "description": 3}
    assert skill.body_line == 5
    assert [(b.kind, b.line, b.end_line) for b in skill.blocks] == [("heading", 5, 5), ("paragraph", 7, 7), ("code", 9, 11)]
    assert [(l.line, l.column) for l in skill.links] == [(7, 11)]
    assert [(e.line, e.column) for e in skill.code_blocks[0].errors] == [(10, 7)]
    assert skill.lines[4] == "# Title"


def test_utf8_bom(tmp_path):
    skill = load(tmp_path, codecs.BOM_UTF8 + DOC.encode())
    assert kinds(skill) == ["bom"]
    _expect_doc_lines(skill)
    assert not skill.text.startswith("\ufeff")


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_crlf_and_lone_cr_line_numbers_match_an_editor(tmp_path, newline):
    skill = load(tmp_path, DOC.replace("\n", newline))
    assert skill.problems == ()
    _expect_doc_lines(skill)


def test_mixed_line_breaks(tmp_path):
    # CR then CRLF is two line breaks in an editor: an empty line between
    skill = load(tmp_path, "---\r\nname: demo\r---\n# A\r\r\nB\n")
    assert skill.lines == ("---", "name: demo", "---", "# A", "", "B")
    assert skill.frontmatter.key_lines["name"] == 2 and skill.body_line == 4
    assert [(b.kind, b.line) for b in skill.blocks] == [("heading", 4), ("paragraph", 6)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "lone-cr"])
def test_invalid_utf8_is_located(tmp_path, newline):
    raw = newline.join(["---", "name: demo", "---", "ok", "caf\u00e9 \xff bad"]).encode("utf-8").replace(b"\xc3\xbf", b"\xff") + newline.encode()
    skill = load(tmp_path, raw)
    found = problem(skill, "encoding")
    assert (found.line, found.column) == (5, 6)  # characters, not bytes: "café " is 5 characters
    assert "0xff" in found.message
    assert skill.lines[4] == "caf\u00e9 \ufffd bad"
    assert skill.frontmatter.get("name") == "demo"
    assert_well_formed(skill)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_bom(tmp_path, codec):
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[codec]
    skill = load(tmp_path, bom + DOC.encode(codec))
    assert kinds(skill) == ["encoding"]
    assert ("UTF-32" if "32" in codec else "UTF-16") in skill.problems[0].message
    _expect_doc_lines(skill)


def test_utf16_without_bom_is_reported_not_crashed(tmp_path):
    skill = load(tmp_path, DOC.encode("utf-16-le"))
    assert "nul-bytes" in kinds(skill)
    assert_well_formed(skill)


@pytest.mark.parametrize("newline", ["\n", "\r"], ids=["lf", "lone-cr"])
def test_nul_bytes(tmp_path, newline):
    skill = load(tmp_path, newline.join(["---", "name: demo", "---", "ok", "ab\x00cd\x00"]).encode())
    found = problem(skill, "nul-bytes")
    assert (found.line, found.column) == (5, 3) and "2 NUL" in found.message
    assert skill.lines[4] == "ab\ufffdcd\ufffd"
    assert_well_formed(skill)


# ---------------------------------------------------------------- sizes


def test_five_megabyte_skill_md_is_capped(tmp_path):
    cap = 2_097_152
    line = "x" + "\u2603" * 1000 + "\n"  # 3-byte characters
    data = ("---\nname: demo\ndescription: bigg\n---\n" + line * 1700).encode()
    assert len(data) > 5_000_000
    with pytest.raises(UnicodeDecodeError):
        data[:cap].decode("utf-8")  # the cut lands inside a character
    skill = load(tmp_path, data)
    found = problem(skill, "too-large")
    assert "bytes" in found.message
    assert "encoding" not in kinds(skill)  # the cut is not an encoding error
    assert len(skill.text.encode()) <= cap and skill.text.endswith("\u2603")
    assert skill.frontmatter.get("name") == "demo"
    assert_well_formed(skill)


def test_one_megabyte_line(tmp_path):
    skill = load(tmp_path, "---\nname: demo\ndescription: x\n---\n# T\n\n" + "word " * 200_000 + "\n\nAfter.\n")
    found = problem(skill, "long-line")
    assert found.line == 7
    assert len(skill.lines[6]) == 1_000_000  # the model keeps the line; only parsing is capped
    assert skill.blocks[-1].kind == "paragraph" and skill.blocks[-1].line == 9
    assert_well_formed(skill)


def test_many_lines_are_parsed_up_to_the_cap(tmp_path):
    skill = load(tmp_path, "# T\n\n" + "- a\n" * 60_000)
    found = problem(skill, "too-large")
    assert "lines" in found.message
    assert skill.blocks and skill.blocks[-1].end_line <= 50_000
    assert len(skill.lines) == 60_002
    assert_well_formed(skill)


def test_many_links_in_one_paragraph(tmp_path):
    # locating links by scanning the paragraph from its start was quadratic (minutes)
    skill = load(tmp_path, "# T\n\n" + "".join(f"[l{i}](references/f{i}.md)\n" for i in range(20_000)))
    assert len(skill.links) == 20_000
    assert [(l.line, l.column) for l in skill.links[:3]] == [(3, 6), (4, 6), (5, 6)]
    assert skill.links[-1].line == 20_002
    assert_well_formed(skill)


# ---------------------------------------------------------------- deep nesting and pathological inline


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(">" * 10_000 + " deep\n", id="10k-nested-blockquote-markers"),
        pytest.param("".join(">" * i + " x\n" for i in range(1, 300)), id="growing-blockquotes"),
        pytest.param("".join("  " * i + "- item\n" for i in range(10_000)), id="10k-nested-list-items"),
        pytest.param("- " * 10_000 + "x\n", id="10k-list-markers-one-line"),
        pytest.param("*" * 100_000 + "\n", id="100k-stars"),
        pytest.param("[" * 100_000 + "\n", id="100k-brackets"),
        pytest.param("`" * 100_000 + "\n", id="100k-backticks"),
        pytest.param("` " * 50_000 + "\n", id="50k-spaced-backticks"),
        pytest.param("*a_" * 30_000 + "\n", id="mixed-emphasis"),
        pytest.param("<" * 100_000 + "\n", id="100k-angles"),
        pytest.param("[a](" * 25_000 + "\n", id="25k-open-links"),
        pytest.param("![" * 50_000 + "\n", id="50k-image-openers"),
        pytest.param("[[[[]]]]()" * 10_000 + "\n", id="nested-link-labels"),
        pytest.param("<!--" * 25_000 + "\n", id="html-comment-openers"),
        pytest.param("| a |\n|---|\n" + "| x |\n" * 20_000, id="long-table"),
        pytest.param("```\n" * 20_001, id="20k-fences"),
        pytest.param("".join(f"[r{i}]: /x{i}\n" for i in range(20_000)), id="20k-reference-definitions"),
        pytest.param(("[" + "a" * 38 + "\n") * 49_000, id="49k-lines-opening-brackets"),
        pytest.param(("<a" + "@" * 38 + "\n") * 20_000, id="20k-lines-autolink-openers"),
    ],
)
def test_pathological_markdown_finishes(tmp_path, body):
    skill = load(tmp_path, "---\nname: demo\ndescription: x\n---\n" + body + "\n# After\n")
    assert_well_formed(skill)
    assert skill.frontmatter.get("name") == "demo"


def test_content_after_deep_blockquote_is_still_seen(tmp_path):
    skill = load(tmp_path, ">" * 10_000 + " deep\n\n# After\n")
    assert [(b.kind, b.line) for b in skill.blocks] == [("blockquote", 1), ("heading", 3)]


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("python", "(" * 100_000),
        ("python", "x = [" * 30_000),
        ("bash", "$(" * 50_000),
        ("javascript", "{" * 100_000),
        ("json", "[" * 100_000),
        ("yaml", "[" * 100_000),
        ("typescript", "<" * 100_000),
    ],
)
def test_pathological_code_blocks_finish(tmp_path, language, code):
    skill = load(tmp_path, f"# T\n\n```{language}\n{code}\n```\n")
    (block,) = skill.code_blocks
    assert block.closed and block.parsed and len(block.errors) <= 3
    assert_well_formed(skill)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("- " * 50_000 + "x", id="compact-sequences"),
        pytest.param("- " * 260 + "x", id="260-compact-sequences"),
        pytest.param("".join(" " * i + "k:\n" for i in range(300)), id="300-nested-mappings"),
        pytest.param("? - " * 300 + "x", id="explicit-keys"),
        pytest.param(": " * 600 + "x", id="colons"),
        pytest.param("".join("  " * i + "- &x\n" for i in range(300)), id="anchored-items"),
    ],
)
def test_yaml_code_block_that_crashes_tree_sitter_is_not_parsed(tmp_path, code):
    """tree-sitter-yaml segfaults at ~254 nested block levels: such a block is left unparsed."""
    skill = load(tmp_path, f"# T\n\n```yaml\n{code}\n```\n")
    (block,) = skill.code_blocks
    assert block.closed and not block.parsed and block.errors == ()


def test_moderately_nested_yaml_code_block_is_parsed(tmp_path):
    skill = load(tmp_path, "# T\n\n```yaml\n" + "- " * 90 + "x\n```\n")
    (block,) = skill.code_blocks
    assert block.parsed and block.errors == ()


# ---------------------------------------------------------------- hostile YAML


def test_yaml_deeply_nested_flow(tmp_path):
    skill = load(tmp_path, "---\nname: " + "[" * 5_000 + "\n---\n# Body\n")
    assert skill.frontmatter.error and skill.frontmatter.error_line == 2
    assert skill.body_line == 4 and skill.blocks[0].kind == "heading"


def test_yaml_deeply_nested_closed_flow_and_block(tmp_path):
    skill = load(tmp_path, "---\nname: " + "[" * 5_000 + "]" * 5_000 + "\n---\n")
    assert skill.frontmatter.error
    block = "".join("  " * i + "k:\n" for i in range(2_000))
    skill = load(tmp_path / "b", "---\n" + block + "---\n")
    assert skill.frontmatter.error and skill.frontmatter.data is None


def test_yaml_alias_bomb(tmp_path):
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    skill = load(tmp_path, "---\nname: demo\n" + "\n".join(lines) + "\n---\n# Body\n")
    fm = skill.frontmatter
    assert fm.data is None and "alias" in fm.error and fm.error_line == 2
    assert skill.body_line == len(lines) + 4


@pytest.mark.parametrize("yaml_text", ["a: &a [*a]", "a: &a\n  b: *a", "a: &a {x: [*a, *a]}"])
def test_yaml_recursive_alias(tmp_path, yaml_text):
    fm = load(tmp_path, f"---\n{yaml_text}\n---\n").frontmatter
    assert fm.data is None and fm.error and "recursive" in fm.error


def test_yaml_python_tags_are_never_executed(tmp_path):
    witness = tmp_path / "PWNED"
    other = tmp_path / "PWNED2"
    skill = load(
        tmp_path / "s",
        "---\nname: demo\n"
        f"a: !!python/object/apply:os.system ['touch {witness}']\n"
        f"b: !!python/object/apply:subprocess.call [['touch', '{other}']]\n"
        "c: !!python/name:os.system\n"
        "---\n# Body\n",
    )
    assert not witness.exists() and not other.exists()
    fm = skill.frontmatter
    assert fm.data is None and fm.error and "constructor" in fm.error and fm.error_line == 3
    assert [(t.tag, t.line) for t in fm.tags] == [
        ("!!python/object/apply:os.system", 3),
        ("!!python/object/apply:subprocess.call", 4),
        ("!!python/name:os.system", 5),
    ]
    assert fm.key_order == ("name", "a", "b", "c")


@pytest.mark.parametrize(
    ("yaml_text", "line"),
    [("- a\n- b", 2), ("just a scalar", 2), ("'quoted'", 2), ("\n\n- late list", 4), ("42", 2)],
)
def test_frontmatter_not_a_mapping(tmp_path, yaml_text, line):
    skill = load(tmp_path, f"---\n{yaml_text}\n---\nBody.\n")
    assert skill.frontmatter.data is None
    assert skill.frontmatter.error == "frontmatter is not a mapping of keys to values"
    assert skill.frontmatter.error_line == line
    assert skill.lines[skill.body_line - 1] == "Body."


def test_unclosed_frontmatter(tmp_path):
    skill = load(tmp_path, "---\nname: demo\ndescription: x\n# Heading\n")
    fm = skill.frontmatter
    assert fm.present and fm.end_line == 0 and fm.data is None
    assert fm.error and "never closed" in fm.error and fm.error_line == 1
    assert skill.body_line == 1
    assert_well_formed(skill)


def test_huge_yaml_integer(tmp_path):
    fm = load(tmp_path, "---\nname: demo\nn: " + "9" * 100_000 + "\n---\n").frontmatter
    assert fm.error and fm.data is None


def test_frontmatter_over_the_byte_cap(tmp_path):
    fm = load(tmp_path, "---\nname: demo\n" + "".join(f"k{i}: {'v' * 1000}\n" for i in range(70)) + "---\n").frontmatter
    assert fm.error and "larger than" in fm.error and fm.error_line == 2 and fm.data is None


def test_yaml_control_character_is_located(tmp_path):
    fm = load(tmp_path, "---\nname: demo\ndescription: bell\x07 here\n---\n").frontmatter
    assert fm.error and "#x0007" in fm.error and "\n" not in fm.error
    assert fm.error_line == 3


def test_yaml_only_line_breaks_do_not_shift_lines(tmp_path):
    # YAML 1.1 breaks lines at U+2028, U+2029 and NEL; editors do not
    fm = load(tmp_path, "---\nname: 'a\u2028b\u2029c\x85d'\ndescription: x\nother: 1\n---\n").frontmatter
    assert fm.error is None
    assert dict(fm.key_lines) == {"name": 2, "description": 3, "other": 4}
    fm = load(tmp_path / "b", "---\nname: 'a\u2028b'\ndescription: x\nbad: [\n---\n").frontmatter
    assert fm.error and fm.error_line in (4, 5)


def test_yaml_document_markers_and_directives(tmp_path):
    for index, text in enumerate(["%YAML 1.1\n--- \nname: x", "name: x\n--- # second\nname: y", "&a", "*nope", "? [a, b]\n: c", "{", "!!binary AAAA"]):
        skill = load(tmp_path / str(index), f"---\n{text}\n---\nBody.\n")
        assert skill.frontmatter.present
        assert_well_formed(skill)


# ---------------------------------------------------------------- SKILL.md itself


@pytest.mark.parametrize("content", ["", " \n\n\t\n"], ids=["empty", "whitespace"])
def test_empty_skill_md(tmp_path, content):
    skill = load(tmp_path, content)
    assert "empty" in kinds(skill)
    assert skill.blocks == () and skill.frontmatter.present is False
    assert_well_formed(skill)


def test_skill_md_is_a_directory(tmp_path):
    root = tmp_path / "demo"
    (root / "SKILL.md").mkdir(parents=True)
    skill = guarded_load(root)
    assert kinds(skill) == ["not-a-file"] and "directory" in skill.problems[0].message
    assert skill.text == "" and skill.blocks == ()


def test_skill_md_missing(tmp_path):
    root = tmp_path / "demo"
    root.mkdir()
    skill = guarded_load(root)
    assert kinds(skill) == ["not-a-file"] and "does not exist" in skill.problems[0].message


def test_skill_md_symlink_outside_is_not_read(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nname: stolen\n---\nTOP SECRET\n", encoding="utf-8")
    root = tmp_path / "demo"
    root.mkdir()
    os.symlink(secret, root / "SKILL.md")
    skill = guarded_load(root)
    assert kinds(skill) == ["not-a-file"] and "outside" in skill.problems[0].message
    assert skill.text == "" and skill.name is None


def test_skill_md_symlink_to_outside_directory_is_not_inspected(tmp_path):
    root = tmp_path / "demo"
    root.mkdir()
    os.symlink(tmp_path, root / "SKILL.md")
    skill = guarded_load(root)
    assert kinds(skill) == ["not-a-file"] and "outside" in skill.problems[0].message


def test_skill_md_symlink_inside_is_read(tmp_path):
    root = make_skill(tmp_path, "x")
    (root / "real.md").write_text("---\nname: demo\n---\nBody.\n", encoding="utf-8")
    (root / "SKILL.md").unlink()
    os.symlink("real.md", root / "SKILL.md")
    skill = guarded_load(root)
    assert skill.problems == () and skill.name == "demo"


def test_skill_md_dangling_and_looping_symlinks(tmp_path):
    root = tmp_path / "dangling"
    root.mkdir()
    os.symlink("nowhere.md", root / "SKILL.md")
    assert kinds(guarded_load(root)) == ["not-a-file"]
    root = tmp_path / "loop"
    root.mkdir()
    os.symlink("SKILL.md", root / "SKILL.md")
    assert kinds(guarded_load(root)) == ["not-a-file"]


def test_skill_md_fifo_is_never_opened(tmp_path):
    root = tmp_path / "demo"
    root.mkdir()
    os.mkfifo(root / "SKILL.md")
    skill = guarded_load(root)
    assert kinds(skill) == ["not-a-file"] and "not a regular file" in skill.problems[0].message


def test_skill_md_symlink_to_fifo_inside(tmp_path):
    root = tmp_path / "demo"
    root.mkdir()
    os.mkfifo(root / "pipe")
    os.symlink("pipe", root / "SKILL.md")
    skill = guarded_load(root)
    assert "not-a-file" in kinds(skill)
    assert skill.file("pipe").reason == "not-a-regular-file"


def test_skill_md_device_symlink_outside(tmp_path):
    root = tmp_path / "demo"
    root.mkdir()
    os.symlink("/dev/zero", root / "SKILL.md")
    assert kinds(guarded_load(root)) == ["not-a-file"]


# ---------------------------------------------------------------- the rest of the folder


def test_reference_symlink_loops(tmp_path):
    root = make_skill(tmp_path, "---\nname: demo\ndescription: x\n---\nSee [a](references/loop/references/loop/x.md).\n")
    (root / "references").mkdir()
    os.symlink("..", root / "references" / "loop")
    os.symlink(".", root / "references" / "self")
    os.symlink("me", root / "references" / "me")
    skill = guarded_load(root)
    files = {f.path: f for f in skill.files}
    assert files["references/loop"].reason == "symlinked-directory"
    assert files["references/self"].reason == "symlinked-directory"
    assert files["references/me"].text is None
    assert len(skill.files) == 3
    (link,) = skill.links
    assert link.problem == "missing"


def test_references_folder_is_a_symlink_to_its_parent(tmp_path):
    root = make_skill(tmp_path, "# Demo\n")
    os.symlink(".", root / "references")
    skill = guarded_load(root)
    assert [(f.path, f.reason) for f in skill.files] == [("references", "symlinked-directory")]


def test_reference_fifo_and_device_are_not_opened(tmp_path):
    root = make_skill(tmp_path, "# Demo\n")
    (root / "references").mkdir()
    os.mkfifo(root / "references" / "pipe.md")
    os.symlink("pipe.md", root / "references" / "to-pipe.md")
    os.symlink("/dev/zero", root / "references" / "zero.md")
    skill = guarded_load(root)
    reasons = {f.path: f.reason for f in skill.files}
    assert reasons == {"references/pipe.md": "not-a-regular-file", "references/to-pipe.md": "not-a-regular-file", "references/zero.md": "symlink-outside"}


def test_unreadable_reference(tmp_path):
    root = make_skill(tmp_path, "# Demo\n")
    locked = root / "references" / "locked.md"
    locked.parent.mkdir()
    locked.write_text("secret\n", encoding="utf-8")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root: permissions do not stop reads (the FIFO tests cover 'never opened')")
        skill = guarded_load(root)
        item = skill.file("references/locked.md")
        assert item.text is None and item.reason.startswith("unreadable")
    finally:
        locked.chmod(0o644)


def test_unreadable_folder(tmp_path):
    root = make_skill(tmp_path, "# Demo\n")
    locked = root / "references"
    locked.mkdir()
    (locked / "a.md").write_text("x\n", encoding="utf-8")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root: permissions do not stop reads")
        skill = guarded_load(root)
        assert [(f.path, f.reason.split(":")[0]) for f in skill.files] == [("references", "unreadable")]
    finally:
        locked.chmod(0o755)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux allows any bytes in file names")
def test_undecodable_file_name(tmp_path):
    root = make_skill(tmp_path, "---\nname: demo\ndescription: x\n---\nSee [a](references/caf%E9.md).\n")
    (root / "references").mkdir()
    with open(os.path.join(os.fsencode(root / "references"), b"caf\xe9.md"), "wb") as handle:
        handle.write(b"latin-1 name\n")
    skill = guarded_load(root)
    assert len(skill.files) == 1 and skill.files[0].text == "latin-1 name\n"
    assert_well_formed(skill)


@pytest.mark.parametrize(
    "target",
    [
        "%00", "a%00b.md", "x" * 5_000 + ".md", "%2e%2e/%2e%2e/etc/passwd", "..%2F..%2Fetc", "references/../../x",
        "C:/Windows/win.ini", "\\\\server\\share", "file:///etc/passwd", "javascript:alert(1)", "//evil.example/x",
        "~root/.ssh", "%", "%zz", "references/%2F%2F", ".", "./", "..", "#", "?q=1", "<>",
    ],
)
def test_hostile_link_targets(tmp_path, target):
    skill = load(tmp_path, f"# T\n\n[x]({target}) [y](<{target}>)\n")
    assert_well_formed(skill)
    for link in skill.links:
        assert link.kind in ("url", "anchor", "mailto", "path")
        if link.resolved is not None:
            assert not link.resolved.startswith("..") and not link.resolved.startswith("/")


def test_link_through_symlinked_folder_outside(tmp_path):
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "x.md").write_text("x", encoding="utf-8")
    root = make_skill(tmp_path, "# T\n\n[a](ext/deep/x.md) [b](ext/deep/missing.md)\n")
    os.symlink(outside, root / "ext")
    skill = guarded_load(root)
    assert [link.problem for link in skill.links] == ["symlink-outside", "symlink-outside"]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("[a](" * 40_000, id="open-links"),
        pytest.param("![](" * 40_000, id="open-images"),
        pytest.param("[a](<" * 40_000, id="open-angle-links"),
        pytest.param('[a](x "' * 40_000, id="open-titles"),
        pytest.param("[" * 500_000 + "](x", id="brackets"),
        pytest.param("](" * 400_000, id="closers"),
    ],
)
def test_pathological_links_in_reference_files(tmp_path, line):
    # the link pattern for reference files backtracked quadratically (minutes for 160 KB)
    root = make_skill(tmp_path, "# Demo\n")
    (root / "references").mkdir()
    (root / "references" / "a.md").write_text(line + "\n[ok](b.md)\n", encoding="utf-8")
    skill = guarded_load(root)
    assert [(l.target, l.line) for l in skill.file("references/a.md").links] == [("b.md", 2)]


# tree-sitter's error recovery is superlinear on runs of operators: 10 KB of `/*` in a
# python block took 6 s and 4.7 GB in one parse. Small blocks share a per-file time
# budget; big blocks are parsed in a child stopped by an alarm and a memory limit.
PATHOLOGICAL_SMALL = "\n".join(["/*a" * 60] * 10)  # under 2 KB, about 0.1 s each
PATHOLOGICAL_BIG = "\n".join(["/*" * 1000] * 5)  # 10 KB


def test_many_slow_small_code_blocks_share_one_budget(tmp_path):
    blocks = "\n".join(f"```python\n{PATHOLOGICAL_SMALL}\n```\n" for _ in range(40))
    skill = load(tmp_path, f"---\nname: s\ndescription: d\n---\n\n{blocks}\n```python\nx = (\n```\n")
    assert "code-not-parsed" in kinds(skill)
    assert any(block.parsed for block in skill.code_blocks)
    assert not skill.code_blocks[-1].parsed  # the budget was spent before the last block


def test_a_big_pathological_block_is_stopped_in_a_child(tmp_path):
    skill = load(tmp_path, f"---\nname: s\ndescription: d\n---\n\n```python\n{PATHOLOGICAL_BIG}\n```\n\n```python\nx = 1\n```\n")
    first, second = skill.code_blocks
    assert not first.parsed and problem(skill, "code-not-parsed").line == first.line
    assert second.parsed and not second.errors


def test_many_big_pathological_blocks_share_their_own_budget(tmp_path):
    blocks = "\n".join(f"```python\n{PATHOLOGICAL_BIG}\n```\n" for _ in range(4))
    root = make_skill(tmp_path, f"---\nname: s\ndescription: d\n---\n\n{blocks}\n```python\nx = 1\n```\n")
    skill = load_skill(root, loader_limits({"parse_isolated_budget_seconds": 0.0}))
    messages = [p.message for p in skill.problems if p.kind == "code-not-parsed"]
    assert len(messages) == 4 and sum("already took" in m for m in messages) == 3  # one child, then the budget is spent
    assert skill.code_blocks[-1].parsed  # small blocks keep their own budget


def test_a_big_ordinary_block_is_parsed_in_a_child_with_its_errors(tmp_path):
    code = "\n".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(200)) + "\ndef broken(:\n    pass\n"
    skill = load(tmp_path, f"---\nname: s\ndescription: d\n---\n\n```python\n{code}```\n")
    [block] = skill.code_blocks
    assert len(code) > 2048 and block.parsed
    assert block.errors and block.errors[0].line == block.line + 1 + code.split("\n").index("def broken(:")
