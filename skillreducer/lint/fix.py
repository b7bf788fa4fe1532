"""Apply safe fixes: line-range edits, bottom-up, written atomically."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict


def apply_safe_fixes(diagnostics) -> list[tuple[str, str]]:
    """Apply every safe fix; returns (path, description) of each applied fix."""
    by_file: dict[str, list[tuple[dict, str]]] = defaultdict(list)
    for d in diagnostics:
        if d.fix and d.fix["safe"]:
            for edit in d.fix["edits"]:
                by_file[edit["path"]].append((edit, d.fix["description"]))
    applied: list[tuple[str, str]] = []
    for path, edits in by_file.items():
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError:
            continue
        bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            text = raw[3 if bom else 0 :].decode("utf-8")
        except UnicodeDecodeError:
            continue  # fixes are never applied to files the loader had to repair
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = text.replace("\r\n", "\n").split("\n")
        # Bottom-up so earlier line numbers stay valid; overlapping edits are left for the next run.
        taken_from = len(lines) + 1
        for edit, description in sorted(edits, key=lambda e: (e[0]["start_line"], e[0]["end_line"]), reverse=True):
            start, end = edit["start_line"], edit["end_line"]
            if end >= taken_from or start < 1 or end > len(lines):
                continue
            lines[start - 1 : end] = edit["replacement"]
            taken_from = start
            applied.append((path, description))
        data = (b"\xef\xbb\xbf" if bom else b"") + newline.join(lines).encode("utf-8")
        _atomic_write(path, data)
    return applied


def _atomic_write(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o777
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".skillreducer-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
