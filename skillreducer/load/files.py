"""Read a skill folder's files safely: no link followed out of the root, sizes capped."""

from __future__ import annotations

import bisect
import functools
import hashlib
import os
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import unquote

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".skillreducer_cache", ".skillreducer_backup"})
TEXT_EXTENSIONS = frozenset({"md", "markdown", "mdx", "txt", "rst", "json", "yaml", "yml", "toml", "csv", "py", "sh", "js", "ts", "html", "xml"})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True, slots=True)
class RawFile:
    path: str  # posix, relative to the root
    size: int
    data: bytes | None
    reason: str | None  # why data is None
    symlink: bool


def _inside(root_real: str, candidate: str) -> bool:
    return candidate == root_real or candidate.startswith(root_real.rstrip(os.sep) + os.sep)


def scan(root: Path, max_bytes: int, max_files: int) -> tuple[list[RawFile], bool]:
    """Every file under root except SKILL.md and nested skills. Returns (files, truncated)."""
    root_real = functools.cache(lambda: os.path.realpath(root))  # needed only for symlinks: often never
    files: list[RawFile] = []
    truncated = False

    def unreadable(error: OSError) -> None:
        # os.walk skips a folder it cannot list; record it instead of losing it silently.
        if error.filename and os.path.realpath(error.filename) != root_real() and len(files) < max_files:
            rel = os.path.relpath(error.filename, root)
            files.append(RawFile(Path(rel).as_posix(), 0, None, f"unreadable: {error.strerror or error}", False))

    for directory, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=False):
        rel_dir = os.path.relpath(directory, root)
        kept = []
        for name in sorted(dirnames):
            full = os.path.join(directory, name)
            if name in SKIP_DIRS:
                continue
            if os.path.islink(full):
                if len(files) >= max_files:
                    truncated = True
                    break
                inside = _inside(root_real(), os.path.realpath(full))
                files.append(RawFile(_rel(rel_dir, name), 0, None, "symlinked-directory" if inside else "symlink-outside", True))
                continue
            if os.path.lexists(os.path.join(full, "SKILL.md")):
                continue  # a nested skill is a skill of its own
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if truncated:
                break
            if rel_dir == "." and name == "SKILL.md":
                continue
            if len(files) >= max_files:
                truncated = True
                break
            files.append(_read(root_real, os.path.join(directory, name), _rel(rel_dir, name), max_bytes))
        if truncated:
            break
    return files, truncated


def _rel(rel_dir: str, name: str) -> str:
    return name if rel_dir == "." else posixpath.join(Path(rel_dir).as_posix(), name)


def _read(root_real: Callable[[], str], full: str, rel: str, max_bytes: int) -> RawFile:
    try:
        info = os.lstat(full)
        symlink = stat.S_ISLNK(info.st_mode)
        if symlink:
            target = os.path.realpath(full)
            if not _inside(root_real(), target):
                return RawFile(rel, 0, None, "symlink-outside", True)
            info = os.stat(full)
        if not stat.S_ISREG(info.st_mode):
            return RawFile(rel, 0, None, "not-a-regular-file", symlink)
        if info.st_size > max_bytes:
            return RawFile(rel, info.st_size, None, "too-large", symlink)
        data = read_regular(full, max_bytes)
        if data is None:
            return RawFile(rel, 0, None, "not-a-regular-file", symlink)
        if len(data) > max_bytes:  # grew since the stat
            return RawFile(rel, len(data), None, "too-large", symlink)
        return RawFile(rel, len(data), data, None, symlink)
    except (OSError, ValueError) as error:
        return RawFile(rel, 0, None, f"unreadable: {getattr(error, 'strerror', None) or error}", False)


def read_regular(path: str | Path, cap: int) -> bytes | None:
    """At most cap + 1 bytes of a regular file (None when it is not one), read to its end.
    O_NONBLOCK: a file swapped for a FIFO after a stat cannot block the open."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        # Reads are sized by the file's size: os.read(fd, cap + 1) would allocate cap + 1
        # bytes for every small file. One byte past the size shows whether the file grew.
        chunks: list[bytes] = []
        total, target = 0, min(info.st_size, cap) + 1
        while chunk := os.read(fd, target - total):
            chunks.append(chunk)
            total += len(chunk)
            if total == target:
                if target > cap:
                    break
                target = cap + 1
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode_text(raw: RawFile) -> tuple[str | None, str | None]:
    """(text, reason) for a reference file."""
    if raw.data is None:
        return None, raw.reason
    data = raw.data
    if b"\x00" in data[:8192]:
        return None, "binary"
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n"), None
    except UnicodeDecodeError:
        extension = raw.path.rsplit(".", 1)[-1].lower()
        return None, "decode" if extension in TEXT_EXTENSIONS else "binary"


def content_hash(skill_md: bytes, files: list[RawFile]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(skill_md)
    for raw in files:
        digest.update(b"\0" + raw.path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(raw.data if raw.data is not None else f"{raw.reason}:{raw.size}".encode())
    return digest.hexdigest()


def lines_holding(text: str, needles: tuple[str, ...], start: int = 0, number: int = 1) -> Iterator[tuple[int, int, int]]:
    """(line number, begin, end offsets) of each line of `text` that holds one of the needles,
    in order, from the line that starts at offset `start` (numbered `number`) on. Finding
    the needles visits only the few lines that matter, not every line."""
    found: set[tuple[int, int]] = set()
    for needle in needles:
        at = text.find(needle, start)
        while at >= 0:
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            found.add((max(text.rfind("\n", start, at) + 1, start), end))
            at = text.find(needle, end)
    counted = start  # line `number` starts here
    for begin, end in sorted(found):
        number += text.count("\n", counted, begin)
        counted = begin
        yield number, begin, end


def markdown_link_targets(text: str) -> list[tuple[str, int, int]]:
    """Links in a reference file, found by pattern (reference files are not parsed as Markdown)."""
    return [(target, number, column) for number, begin, end in lines_holding(text, ("](",)) for target, column in _line_links(text[begin:end])]


# What `!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+["'][^)]*)?\)` matches, found in linear time: the
# regex backtracks quadratically on lines like "[a](" * 40_000 (minutes for 160 KB).
_DEST_STOP = re.compile(r"[)\s>]")
_SPACES = re.compile(r"\s*")
_MAX_LINK_TEXT = 2000  # how far back from "](" the opening "[" is looked for


def _line_links(line: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    stops: list[int] | None = None
    closers: list[int] | None = None
    previous_end = 0
    at = line.find("](")
    while at >= 0:
        end = -1
        opener = line.rfind("[", max(previous_end, at - _MAX_LINK_TEXT), at)
        if opener >= 0 and line.find("]", opener + 1, at) < 0:
            if stops is None:
                stops = [m.start() for m in _DEST_STOP.finditer(line)]
                closers = [i for i in stops if line[i] == ")"]
            start = _SPACES.match(line, at + 2).end()
            if line.startswith("<", start):
                start += 1
            index = bisect.bisect_left(stops, start)
            stop = stops[index] if index < len(stops) else len(line)
            if stop > start:
                after = stop + 1 if line.startswith(">", stop) else stop
                if line.startswith(")", after):
                    end = after + 1
                else:
                    title = _SPACES.match(line, after).end()
                    if title > after and line[title : title + 1] in ("'", '"'):
                        index = bisect.bisect_left(closers, title + 1)
                        if index < len(closers):
                            end = closers[index] + 1
                if end > 0:
                    found.append((line[start:stop], start + 1))
        if end > 0:
            previous_end = end
            at = line.find("](", end)
        else:
            at = line.find("](", at + 1)
    return found


def classify_target(root: Path, source: str, target: str) -> tuple[str, str | None, str | None]:
    """(kind, resolved path relative to root, problem) for a link written in `source`."""
    if target.startswith("#"):
        return "anchor", None, None
    # markdown-it percent-encodes backslashes, so a Windows path arrives as "C:%5C...".
    if _SCHEME.match(target) and not _DRIVE.match(unquote(target)):
        return ("mailto" if target.lower().startswith("mailto:") else "url"), None, None
    path = unquote(target.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    if not path:
        return "anchor", None, None
    if path.startswith("/") or re.match(r"^[A-Za-z]:/", path) or path.startswith("~"):
        return "path", None, "absolute"
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    if joined == ".." or joined.startswith("../"):
        return "path", None, "outside-root"
    full = os.path.join(root, *joined.split("/"))
    # Walk the components so a symlink anywhere on the way is caught before it is used.
    current = str(root)
    for part in joined.split("/"):
        current = os.path.join(current, part)
        try:
            mode = os.lstat(current).st_mode
        except (OSError, ValueError):  # nothing further down can exist (or be a link) either
            return "path", joined, "missing"
        if stat.S_ISLNK(mode) and not _inside(os.path.realpath(root), os.path.realpath(current)):
            return "path", joined, "symlink-outside"
    if not os.path.exists(full):
        return "path", joined, "missing"
    return "path", joined, None
