"""Bytes -> text. BOM, UTF-16, non-UTF-8, NUL bytes and line breaks are met here."""

from __future__ import annotations

import codecs

from skillreducer.model import Problem


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def decode(raw: bytes, path: str = "SKILL.md") -> tuple[str, list[Problem]]:
    """Decode file bytes to text with '\\n' line breaks, reporting what was repaired."""
    problems: list[Problem] = []
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
        problems.append(Problem("bom", "file starts with a UTF-8 byte-order mark; some hosts then miss the frontmatter", path))
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16", "replace")
        problems.append(Problem("encoding", "file is UTF-16; hosts read SKILL.md as UTF-8", path))
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line, column = _line_col(raw, error.start)
            text = raw.decode("utf-8", "replace")
            problems.append(
                Problem("encoding", f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x}); undecodable bytes were replaced", path, line, column)
            )
    if "\x00" in text:
        first = text.index("\x00")
        line = text.count("\n", 0, first) + 1
        problems.append(Problem("nul-bytes", f"file contains {text.count(chr(0))} NUL byte(s); they were replaced", path, line))
        text = text.replace("\x00", "\ufffd")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems
