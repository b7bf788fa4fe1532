"""Bytes -> text. BOM, UTF-16/32, non-UTF-8, NUL bytes and line breaks are met here."""

from __future__ import annotations

import codecs

from skillreducer.model import Problem

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset, counting CRLF, CR and LF as one break each,
    as editors do."""
    before = text[:offset]
    line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return line, offset - start + 1


def decode(raw: bytes, path: str = "SKILL.md") -> tuple[str, list[Problem]]:
    """Decode file bytes to text with '\\n' line breaks, reporting what was repaired."""
    problems: list[Problem] = []
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
        problems.append(Problem("bom", "file starts with a UTF-8 byte-order mark; some hosts then miss the frontmatter", path))
    wide = next(((codec, label) for bom, codec, label in _WIDE_BOMS if raw.startswith(bom)), None)
    if wide:
        text = raw.decode(wide[0], "replace")
        problems.append(Problem("encoding", f"file is {wide[1]}; hosts read SKILL.md as UTF-8", path))
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            # Locate the bad byte in characters of the valid prefix, so CR-only files and
            # non-ASCII text before it give the line and column an editor shows.
            prefix = raw[: error.start].decode("utf-8")
            line, column = _line_col(prefix, len(prefix))
            text = raw.decode("utf-8", "replace")
            problems.append(
                Problem("encoding", f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x}); undecodable bytes were replaced", path, line, column)
            )
    if "\x00" in text:
        line, column = _line_col(text, text.index("\x00"))
        problems.append(Problem("nul-bytes", f"file contains {text.count(chr(0))} NUL byte(s); they were replaced", path, line, column))
        text = text.replace("\x00", "\ufffd")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems
