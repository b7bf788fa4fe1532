"""Property tests: whatever the bytes, the loader returns a Skill whose line numbers make
sense. Real files on disk; hypothesis writes each example into one skill folder."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from skillreducer import tokens
from skillreducer.load import load_skill, markdown
from skillreducer.load.files import markdown_link_targets
from skillreducer.model import Skill

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def skill_root(tmp_path_factory) -> Path:
    """One skill folder with a few real targets for links, reused by every example."""
    base = tmp_path_factory.mktemp("prop")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("secret\n", encoding="utf-8")
    root = base / "demo"
    (root / "references").mkdir(parents=True)
    (root / "references" / "a.md").write_text("# A\n\n[back](../SKILL.md) [up](../../outside/secret.md)\n", encoding="utf-8")
    (root / "references" / "a b.md").write_text("spaced\n", encoding="utf-8")
    (root / "scripts").mkdir()
    (root / "scripts" / "run.sh").write_text("echo hi\n", encoding="utf-8")
    os.symlink(outside, root / "ext")
    os.symlink("..", root / "references" / "loop")
    return root


def write_and_load(root: Path, data: bytes) -> Skill:
    (root / "SKILL.md").write_bytes(data)
    return load_skill(root)


def check_invariants(skill: Skill) -> None:
    count = len(skill.lines)
    assert count >= 1
    assert 1 <= skill.body_line <= count + 1
    assert "\r" not in skill.text and "\x00" not in skill.text
    assert skill.lines == tuple(skill.text.split("\n")[:count])

    fm = skill.frontmatter
    if fm.present:
        assert fm.start_line == 1
        last = fm.end_line or count
        for line in fm.key_lines.values():
            assert 2 <= line <= last
        for _, line in fm.duplicate_keys:
            assert 2 <= line <= last
        for tag in fm.tags:
            assert 2 <= tag.line <= last and tag.column >= 1
        if fm.error is not None:
            assert fm.data is None and fm.error_line is not None and 1 <= fm.error_line <= count
        if fm.end_line:
            assert skill.body_line == fm.end_line + 1

    previous_end = skill.body_line - 1
    for block in skill.blocks:
        assert block.line > previous_end, "blocks overlap or are out of order"
        assert skill.body_line <= block.line <= block.end_line <= count
        assert block.text == "\n".join(skill.lines[block.line - 1 : block.end_line])
        assert block.kind in {"heading", "paragraph", "list", "code", "table", "html", "blockquote", "hr"}
        previous_end = block.end_line
        if block.kind == "heading":
            assert block.heading_path and 1 <= block.level <= 6

    previous_line = 0
    for code in skill.code_blocks:
        assert skill.body_line <= code.line <= code.end_line <= count
        assert code.line >= previous_line
        previous_line = code.line
        assert not (code.parsed and not code.closed)
        for issue in code.errors:
            assert code.first_code_line <= issue.line <= code.end_line and issue.column >= 1

    for link in skill.links:
        assert skill.body_line <= link.line <= count and link.column >= 1
        assert link.kind in {"url", "anchor", "mailto", "path"}
        assert link.problem in {None, "absolute", "outside-root", "symlink-outside", "missing"}
        if link.resolved is not None:
            assert link.kind == "path" and not link.resolved.startswith(("../", "/")) and link.resolved != ".."
        if link.problem in ("absolute", "outside-root"):
            assert link.resolved is None

    for problem in skill.problems:
        assert problem.column >= 1
        if problem.path == "SKILL.md":
            assert 1 <= problem.line <= count

    for item in skill.files:
        assert (item.text is None) == (item.reason is not None)


# ---------------------------------------------------------------- random bytes

_BYTE_PIECES = st.sampled_from(
    [b"---\n", b"---\r\n", b"\r", b"\r\n", b"\n", b"\x00", b"\xff", b"\xc3", b"\xe2\x80\xa8", b"\xef\xbb\xbf",
     b"```", b"~~~", b"- ", b"> ", b"# ", b"[a](", b")", b"name: ", b"&a ", b"*a", b"!!python/object ", b"|", b"\t"]
)


@st.composite
def hostile_bytes(draw) -> bytes:
    prefix = draw(st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, b"---\n"]))
    parts = draw(st.lists(st.one_of(st.binary(max_size=40), _BYTE_PIECES), max_size=40))
    return prefix + b"".join(parts)


@SETTINGS
@given(data=hostile_bytes())
def test_random_bytes_never_raise(skill_root, data):
    check_invariants(write_and_load(skill_root, data))


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_uniform_random_bytes_never_raise(skill_root, data):
    check_invariants(write_and_load(skill_root, data))


# ---------------------------------------------------------------- grammar of hostile Markdown

_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_safe_words = st.text(alphabet="abcxyz éü日🙂_*`[]()<>!&#|\\-", max_size=12)

_targets = st.one_of(
    st.sampled_from(
        ["references/a.md", "references/a%20b.md", "references/missing.md", "../outside/secret.md", "%2e%2e/outside/secret.md",
         "..%2Foutside", "/etc/passwd", "~/.ssh/id_rsa", "C:\\x.md", "C:%5Cx.md", "ext/secret.md", "references/loop/a.md",
         "#anchor", "https://example.com/a?b#c", "mailto:a@b.c", "user.name+x@example.com", "javascript:alert(1)", "%00", "%", ".", "..", "./references/a.md",
         "references/../references/a.md", "<references/a b.md>", "scripts/run.sh", "", " "]
    ),
    _safe_words,
)

_yaml_values = st.one_of(
    _safe_words,
    st.sampled_from(["'quoted'", '"dq \\u263a"', "|\n  literal\n  text", ">\n  folded", "[a, b", "{a: 1}", "&x anchor", "*x", "!tag v",
                     "!!python/object/apply:os.getcwd []", "- item", "  nested: 1", "? key", ":", "'unterminated", "\u2028", "null", "~"]),
)


@st.composite
def frontmatter(draw) -> str:
    keys = draw(st.lists(st.sampled_from(["name", "description", "allowed-tools", "metadata", "x", "name"]) | _safe_words, max_size=6))
    body = "".join(f"{key}: {draw(_yaml_values)}\n" for key in keys)
    closing = draw(st.sampled_from(["---\n", "...\n", "", "--- extra\n"]))
    return "---\n" + body + closing


def _line(draw) -> str:
    kind = draw(st.integers(0, 15))
    text = draw(_safe_words)
    indent = " " * draw(st.integers(0, 9))
    if kind == 0:
        return "#" * draw(st.integers(1, 8)) + " " + text
    if kind == 1:
        fence = draw(st.sampled_from(["```", "````", "~~~", "``", "~~~~~"]))
        info = draw(st.sampled_from(["", "python", "py", "bash", "sh", "js", "ts", "tsx", "json", "yaml", "{.python}", "python `x`", "😀", "x y z"]) | _words)
        return indent + fence + info
    if kind == 2:
        return indent + draw(st.sampled_from(["- ", "* ", "+ ", "1. ", "2) ", "- [ ] ", "-", "10. "])) + text
    if kind == 3:
        return "| " + " | ".join(draw(st.lists(_safe_words, min_size=1, max_size=4))) + " |"
    if kind == 4:
        return draw(st.sampled_from(["|---|---|", "|:-|-:|", "| --- |", "---", "===", "***", "- - -"]))
    if kind == 5:
        return draw(st.sampled_from(["<!--", "-->", "<!-- c -->", "<div>", "</div>", "<details>", "<script>", "<?php", "<![CDATA["])) + text
    if kind == 6:
        target = draw(_targets)
        return text + draw(st.sampled_from(["[{t}]({g})", "![{t}]({g})", "[{t}](<{g}>)", "<{g}>", "[{t}]: {g}", "[{t}][{t}]", '[{t}]({g} "title")'])).format(t=text, g=target)
    if kind == 7:
        return ">" * draw(st.integers(1, 30)) + " " + text
    if kind == 8:
        return "    " + text
    if kind == 9:
        return ""
    if kind == 10:
        return draw(st.sampled_from(["*", "_", "`", "[", "]", "(", ")", "<", "\\", "&#", "~~"])) * draw(st.integers(1, 300))
    if kind == 11:
        return indent + "```" + draw(_words) + "`"
    if kind == 12:
        return draw(st.sampled_from(["def f(:", "let = ;", "{\"a\": ,}", "if [ x", "a: [1", "- " * 300 + "x", "\t\tx", "x\u2028y", "\ufeff"]))
    return draw(_words)


@st.composite
def hostile_markdown(draw) -> str:
    head = draw(st.one_of(st.just(""), frontmatter()))
    lines = [_line(draw) for _ in range(draw(st.integers(0, 40)))]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return head.replace("\n", newline) + newline.join(lines) + draw(st.sampled_from(["", newline]))


def expected_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


@SETTINGS
@given(text=hostile_markdown())
def test_hostile_markdown_never_raises(skill_root, text):
    skill = write_and_load(skill_root, text.encode("utf-8"))
    check_invariants(skill)
    if not text.startswith("\ufeff"):
        assert skill.text == expected_text(text)


@SETTINGS
@given(text=hostile_markdown(), codec=st.sampled_from(["utf-8-sig", "utf-16", "utf-32"]))
def test_hostile_markdown_in_other_encodings(skill_root, text, codec):
    skill = write_and_load(skill_root, text.encode(codec))
    check_invariants(skill)
    # a text that itself starts with U+FEFF keeps it after the encoding's own mark
    assert skill.text == expected_text(text)


# ---------------------------------------------------------------- tokens


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400) | st.text(alphabet="ab <|>endoftext_- \n\t日🙂é'", max_size=200))
def test_token_bounds_hold(text):
    lower, upper = tokens.bounds(text)
    exact = tokens.count(text)
    assert 0 <= lower <= exact <= upper
    assert tokens.at_least(text, exact) and not tokens.at_least(text, exact + 1)


@SETTINGS
@given(text=st.text(alphabet="[]()<> \t\"'ab!\n\u00a0#.", max_size=80))
def test_reference_link_targets_point_at_their_text(text):
    lines = text.split("\n")
    for target, line, column in markdown_link_targets(text):
        assert target and lines[line - 1][column - 1 : column - 1 + len(target)] == target
        assert "](" in lines[line - 1][: column - 1]


_FULL_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _hrefs(tokens) -> list[tuple[str, str]]:
    found = []
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                found.append(("link", str(child.attrGet("href"))))
            elif child.type == "image":
                found.append(("image", str(child.attrGet("src"))))
    return found


@SETTINGS
@given(text=hostile_markdown())
def test_inline_prefilter_loses_no_links(text):
    """The loader runs the inline parser only where a link may be: it must find every link
    a full parse finds."""
    body = expected_text(text)
    assert _hrefs(markdown.parse(body)) == _hrefs(_FULL_PARSER.parse(body))
