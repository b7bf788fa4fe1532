"""Read a skill folder's files safely: no link followed out of the root, sizes capped."""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".skillreducer_cache"})
TEXT_EXTENSIONS = frozenset({"md", "markdown", "mdx", "txt", "rst", "json", "yaml", "yml", "toml", "csv", "py", "sh", "js", "ts", "html", "xml"})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_MD_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)\n]*)?\)")


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
    root_real = os.path.realpath(root)
    files: list[RawFile] = []
    truncated = False
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(directory, root)
        kept = []
        for name in sorted(dirnames):
            full = os.path.join(directory, name)
            if name in SKIP_DIRS:
                continue
            if os.path.islink(full):
                inside = _inside(root_real, os.path.realpath(full))
                files.append(RawFile(_rel(rel_dir, name), 0, None, "symlinked-directory" if inside else "symlink-outside", True))
                continue
            if os.path.exists(os.path.join(full, "SKILL.md")):
                continue  # a nested skill is a skill of its own
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
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


def _read(root_real: str, full: str, rel: str, max_bytes: int) -> RawFile:
    try:
        info = os.lstat(full)
        symlink = stat.S_ISLNK(info.st_mode)
        if symlink:
            target = os.path.realpath(full)
            if not _inside(root_real, target):
                return RawFile(rel, 0, None, "symlink-outside", True)
            info = os.stat(full)
        if not stat.S_ISREG(info.st_mode):
            return RawFile(rel, 0, None, "not-a-regular-file", symlink)
        if info.st_size > max_bytes:
            return RawFile(rel, info.st_size, None, "too-large", symlink)
        with open(full, "rb") as handle:
            data = handle.read(max_bytes + 1)
        return RawFile(rel, len(data), data, None, symlink)
    except OSError as error:
        return RawFile(rel, 0, None, f"unreadable: {error.strerror or error}", False)


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


def markdown_link_targets(text: str) -> list[tuple[str, int, int]]:
    """Links in a reference file, found by pattern (reference files are not parsed as Markdown)."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if "](" in line:
            for match in _MD_LINK.finditer(line):
                found.append((match.group(1), number, match.start(1) + 1))
    return found


def classify_target(root: Path, source: str, target: str) -> tuple[str, str | None, str | None]:
    """(kind, resolved path relative to root, problem) for a link written in `source`."""
    if target.startswith("#"):
        return "anchor", None, None
    if _SCHEME.match(target) and not re.match(r"^[A-Za-z]:[\\/]", target):
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
    root_real = os.path.realpath(root)
    # Walk the components so a symlink anywhere on the way is caught before it is used.
    current = str(root)
    for part in joined.split("/"):
        current = os.path.join(current, part)
        if os.path.islink(current) and not _inside(root_real, os.path.realpath(current)):
            return "path", joined, "symlink-outside"
    if not os.path.exists(full):
        return "path", joined, "missing"
    return "path", joined, None
