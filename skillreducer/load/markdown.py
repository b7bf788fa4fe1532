"""Markdown body -> typed top-level blocks, code blocks and links (markdown-it-py)."""

from __future__ import annotations

import functools
import re

from skillreducer.model import Block, CodeBlock, Link

_BLOCK_KIND = {
    "heading_open": "heading",
    "paragraph_open": "paragraph",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "table_open": "table",
    "blockquote_open": "blockquote",
    "fence": "code",
    "code_block": "code",
    "html_block": "html",
    "hr": "hr",
}
_FENCE_PREFIX = re.compile(r"^[ \t>]*")


_LINK_HINT = re.compile(r"\]\s*[(\[]|<[A-Za-z][A-Za-z0-9+.-]*:|^\s*\[[^\]]+\]:", re.M)


@functools.cache
def _parser():
    from markdown_it import MarkdownIt

    # commonmark's maxNesting (20) bounds deep nesting of lists and quotes. Inline
    # parsing is ~40% of the cost and only links need it, so the core inline pass is
    # off and `parse` runs it on the inline tokens that may hold a link.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("inline")


def parse(body: str):
    parser = _parser()
    env: dict = {}
    tokens = parser.parse(body, env)
    if env.get("references") or _LINK_HINT.search(body):
        for token in tokens:
            if token.type == "inline" and (env.get("references") or _LINK_HINT.search(token.content)):
                token.children = []
                parser.inline.parse(token.content, parser, env, token.children)
    return tokens


def _fence_closed(token, lines: list[str]) -> bool:
    start, end = token.map
    if end - start < 2 or end > len(lines):
        return False
    last = _FENCE_PREFIX.sub("", lines[end - 1]).rstrip()
    marker = token.markup
    return bool(last) and set(last) == {marker[0]} and len(last) >= len(marker)


def blocks_and_code(tokens, lines: list[str], offset: int) -> tuple[list[Block], list[tuple], list[tuple]]:
    """Top-level blocks; code tokens as (token, closed); inline tokens as (token, line).

    `offset` is the file line of body line 0; markdown-it maps are 0-based, end exclusive.
    """
    blocks: list[Block] = []
    code: list[tuple] = []
    inlines: list[tuple] = []
    headings: list[tuple[int, str]] = []
    index = 0
    count = len(tokens)
    while index < count:
        token = tokens[index]
        if token.type in ("fence", "code_block"):
            code.append((token, token.type == "code_block" or _fence_closed(token, lines)))
        elif token.type == "inline" and token.map:
            inlines.append((token, token.map[0] + offset))
        if token.level == 0 and token.type in _BLOCK_KIND and token.map:
            start, end = token.map
            kind = _BLOCK_KIND[token.type]
            level = 0
            inline = ""
            if kind == "heading":
                level = int(token.tag[1:])
                inline = tokens[index + 1].content.strip() if index + 1 < count else ""
                while headings and headings[-1][0] >= level:
                    headings.pop()
                headings.append((level, inline))
            text = "\n".join(lines[start:end])
            blocks.append(Block(kind, text, start + offset, max(start, end - 1) + offset, tuple(h for _, h in headings), level, inline))
        index += 1
    return blocks, code, inlines


def links_from_inlines(inlines: list[tuple], lines: list[str], offset: int) -> list[tuple[str, int, int, bool]]:
    """(target, file line, column, is_image) for every link and image."""
    found: list[tuple[str, int, int, bool]] = []
    for token, line in inlines:
        for child in token.children or ():
            if child.type == "link_open":
                target, image = child.attrGet("href"), False
            elif child.type == "image":
                target, image = child.attrGet("src"), True
            else:
                continue
            if not target:
                continue
            target = str(target)
            start, end = token.map
            found_line, column = line, 1
            for row in range(start, min(end, len(lines))):
                position = lines[row].find(target)
                if position >= 0:
                    found_line, column = row + offset, position + 1
                    break
            found.append((target, found_line, column, image))
    return found
