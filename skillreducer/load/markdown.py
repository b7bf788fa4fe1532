"""Markdown body -> typed top-level blocks, code blocks and links (markdown-it-py)."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

from skillreducer.model import Block

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


# Text that may hold a link: `](` or `][`, a URL or e-mail autolink. Reference definitions
# need no pattern: the block parser has already put them in env["references"]. Every
# alternative stops at a line end, so the search stays linear (`^\s*\[[^\]]+\]:` ran over
# the rest of the body from every line start: ~30 s for 50,000 lines starting with "[").
_LINK_HINT = re.compile(r"\][ \t]*[(\[]|<[A-Za-z][A-Za-z0-9+.-]*:|<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@")


@functools.cache
def _parser(normalize: bool):
    from markdown_it import MarkdownIt

    # commonmark's maxNesting (20) bounds deep nesting of lists and quotes. Inline
    # parsing is ~40% of the cost and only links need it, so the core inline pass is
    # off and `parse` runs it on the inline tokens that may hold a link; text_join then
    # has nothing to join. The core "normalize" pass (CR, CRLF -> LF; NUL -> U+FFFD) copies
    # the whole text, so it runs only when one is there (the loader's decode leaves none).
    skipped = ["inline", "text_join"] if normalize else ["inline", "text_join", "normalize"]
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable(skipped)


def parse(body: str):
    parser = _parser("\r" in body or "\0" in body)
    env: dict = {}
    tokens = parser.parse(body, env)
    if env.get("references") or _LINK_HINT.search(body):
        for token in tokens:
            if token.type == "inline" and (env.get("references") or _LINK_HINT.search(token.content)):
                token.children = []
                parser.inline.parse(token.content, parser, env, token.children)
    return tokens


def _fence_closed(token, lines: list[str]) -> bool:
    """Whether markdown-it found the closing fence. Its map then spans the opening line,
    the content lines and the closing line; unclosed, only the first two. Counting beats
    reading the last line, which may look like a fence and still be content (indented
    four spaces, say)."""
    start, end = token.map
    content = token.content
    rows = content.count("\n") + (1 if content and not content.endswith("\n") else 0)
    return rows == end - start - 2


def blocks_and_code(tokens, lines: list[str], offset: int) -> tuple[list[Block], list[tuple], list[tuple]]:
    """Top-level blocks; code tokens as (token, closed); inline tokens as (token, line).

    `offset` is the file line of body line 0; markdown-it maps are 0-based, end exclusive.
    """
    blocks: list[Block] = []
    code: list[tuple] = []
    inlines: list[tuple] = []
    headings: list[tuple[int, str]] = []
    path: tuple[str, ...] = ()  # the texts of `headings`, rebuilt only at a heading
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "inline":
            if token.map:
                inlines.append((token, token.map[0] + offset))
            continue
        block = _BLOCK_KIND.get(kind)
        if block is None:
            continue  # closing tokens, list items
        if block == "code":
            code.append((token, kind == "code_block" or _fence_closed(token, lines)))
        if token.level or not token.map:
            continue
        start, end = token.map
        level = 0
        inline = ""
        if block == "heading":
            level = int(token.tag[1:])
            inline = tokens[index + 1].content.strip() if index + 1 < len(tokens) else ""
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, inline))
            path = tuple(h for _, h in headings)
        end = min(end, len(lines))
        while end - 1 > start and not lines[end - 1].strip():
            end -= 1  # a list's map runs over the blank line after it; the block does not
        text = "\n".join(lines[start:end])
        blocks.append(Block(block, text, start + offset, max(start, end - 1) + offset, path, level, inline))
    return blocks, code, inlines


def links_from_inlines(inlines: list[tuple], lines: list[str], offset: int) -> list[tuple[str, int, int, bool]]:
    """(target, file line, column, is_image) for every link and image.

    markdown-it gives inline tokens no positions, so each target is located in the source:
    the line breaks seen before it give the earliest row it can be on, and the search goes
    forward from the previous link. Every search is bounded, so the cost stays linear.
    """
    found: list[tuple[str, int, int, bool]] = []
    for token, _line in inlines:
        start, end = token.map
        end = min(end, len(lines))
        cursor = (start, 0)
        breaks = 0
        open_links: list[tuple[int, int]] = []
        for child in token.children or ():
            kind = child.type
            if kind in ("softbreak", "hardbreak"):
                breaks += 1
                continue
            if kind == "link_close":
                # The href comes after the link text: move past it only now.
                if open_links:
                    cursor = max(cursor, open_links.pop())
                continue
            if kind == "link_open":
                target, image = child.attrGet("href"), False
            elif kind == "image":
                target, image = child.attrGet("src"), True
                breaks += _count_breaks(child.children or ())  # the alt text comes first
            else:
                continue
            if not target:
                if kind == "link_open":
                    open_links.append(cursor)
                continue
            target = str(target)
            earliest = start + breaks
            if earliest > cursor[0]:
                cursor = (earliest, 0)
            row, column = _locate(target, lines, cursor[0], cursor[1], end)
            if row < 0:
                row, column = _locate(target, lines, start, 0, end)  # out of the expected order
            if row < 0:
                found.append((target, min(earliest, max(end - 1, start)) + offset, 1, image))
                if kind == "link_open":
                    open_links.append(cursor)
                continue
            found.append((target, row + offset, column + 1, image))
            after = max(cursor, (row, column + 1))
            if kind == "link_open":
                open_links.append(after)
            else:
                cursor = after
    return found


_SEARCH_ROWS = 50  # how far past the row its line breaks give a target is searched for


def _count_breaks(children) -> int:
    total = 0
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            total += 1
        elif child.children:
            total += _count_breaks(child.children)
    return total


def _locate(target: str, lines: list[str], row: int, column: int, end: int) -> tuple[int, int]:
    """(row, 0-based column) of the target as written, searching forward; (-1, -1) if not found."""
    # markdown-it percent-encodes hrefs (spaces, non-ASCII) and adds mailto: to autolinks.
    forms = [target]
    plain = unquote(target)
    if plain != target:
        forms.append(plain)
    if target.startswith("mailto:"):
        forms.append(target[7:])
    last = min(end, row + _SEARCH_ROWS)
    # First as an inline destination `](target`, so link text that repeats it is skipped.
    for prefixes in (("](", "](<"), ("",)):
        for current in range(row, last):
            text = lines[current]
            from_column = column if current == row else 0
            for form in forms:
                for prefix in prefixes:
                    position = text.find(prefix + form, from_column)
                    if position >= 0:
                        return current, position + len(prefix)
    return -1, -1
