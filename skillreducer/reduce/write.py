"""Writing a reduced skill: a complete copy under --out, or in place with a backup.

Safety rules: changed paths are relative and stay inside the skill folder; the output
folder must not be inside the source (nor the source inside it); an existing output
folder is replaced only with --force; symlinks are copied as links, never followed;
FIFOs, sockets and devices are skipped (reported), never opened. In place, the new
folder is built beside the skill, then the skill folder is renamed into
`.skillreducer_backup/` next to it and the new folder takes its name.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import stat
import time
from pathlib import Path, PurePosixPath
from typing import Mapping

from skillreducer.model import Skill

BACKUP_DIR = ".skillreducer_backup"


class WriteError(Exception):
    """A write that would be unsafe or cannot be done; nothing was changed."""


def yaml_string(text: str) -> str:
    """A single-line double-quoted YAML scalar (JSON's escaping is valid YAML)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def with_description(skill: Skill, description: str) -> str:
    """SKILL.md text with the description replaced (or added); every other line unchanged."""
    line = f"description: {yaml_string(description)}"
    lines = skill.text.split("\n")
    fm = skill.frontmatter
    if not fm.present:
        name = skill.folder_name
        return "\n".join(["---", f"name: {name}", line, "---", ""]) + skill.text
    if fm.data is None or fm.end_line == 0:
        raise WriteError("the frontmatter does not parse; the description was left unchanged")
    keys = sorted(fm.key_lines.items(), key=lambda kv: kv[1])
    if "description" in fm.key_lines:
        start = fm.key_lines["description"]
        later = [n for _, n in keys if n > start]
        end = (later[0] if later else fm.end_line) - 1
        while end > start and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1  # blank lines and comments before the next key stay
        return "\n".join(lines[: start - 1] + [line] + lines[end:])
    # No description key: add it after the name's value, or last.
    anchor = fm.end_line - 1
    if "name" in fm.key_lines:
        later = [n for _, n in keys if n > fm.key_lines["name"]]
        anchor = (later[0] if later else fm.end_line) - 1
    return "\n".join(lines[:anchor] + [line] + lines[anchor:])


def _safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise WriteError(f"refusing to write {path!r}: not a path inside the skill")
    return relative


def _newline_of(skill_md: Path) -> str:
    try:
        head = skill_md.read_bytes()[:65536]
    except OSError:
        return "\n"
    return "\r\n" if b"\r\n" in head else "\n"


def _copy_tree(source: Path, target: Path, skipped: list[str]) -> None:
    def copy(src: str, dst: str) -> str:
        mode = os.lstat(src).st_mode
        if not stat.S_ISREG(mode):
            skipped.append(os.path.relpath(src, source))
            return dst
        return shutil.copy2(src, dst)

    shutil.copytree(source, target, symlinks=True, copy_function=copy)


def _materialise(skill: Skill, changes: Mapping[str, str], target: Path) -> list[str]:
    """A complete copy of the skill at `target` with `changes` written; returns skipped files."""
    skipped: list[str] = []
    _copy_tree(skill.root, target, skipped)
    newline = _newline_of(skill.skill_md)
    for path, text in changes.items():
        relative = _safe_relative(path)
        destination = target.joinpath(*relative.parts)
        if destination.is_symlink():
            destination.unlink()  # never write through a link
        destination.parent.mkdir(parents=True, exist_ok=True)
        if not destination.parent.resolve().is_relative_to(target.resolve()):
            raise WriteError(f"refusing to write {path!r}: it leaves the output folder")
        data = text.replace("\n", newline) if newline != "\n" else text
        destination.write_bytes(data.encode("utf-8"))
    return skipped


def write_out(skill: Skill, changes: Mapping[str, str], out_dir: Path, force: bool = False) -> tuple[Path, list[str]]:
    """Write the reduced skill to out_dir/<folder name>/; returns (that folder, skipped files)."""
    source = skill.root.resolve()
    out_dir = out_dir.resolve()
    target = out_dir / skill.folder_name
    if out_dir.is_relative_to(source) or source.is_relative_to(target):
        raise WriteError(f"--out {out_dir} overlaps the skill folder {source}")
    if target.exists() or target.is_symlink():
        if not force:
            raise WriteError(f"{target} exists; pass --force to replace it, or choose another --out")
        if target.is_symlink() or not target.is_dir():
            raise WriteError(f"{target} exists and is not a folder; not replacing it")
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / f".{skill.folder_name}.tmp-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        skipped = _materialise(skill, changes, staging)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target, skipped


def write_in_place(skill: Skill, changes: Mapping[str, str]) -> tuple[Path, list[str]]:
    """Replace the skill folder by its reduced copy; returns (the backup folder, skipped files)."""
    source = skill.root.resolve()
    if skill.root.is_symlink():
        raise WriteError(f"{skill.root} is a symlink; reduce it with --out instead")
    backups = source.parent / BACKUP_DIR
    backups.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    backup = backups / f"{source.name}-{stamp}"
    suffix = 1
    while backup.exists():
        backup = backups / f"{source.name}-{stamp}-{suffix}"
        suffix += 1
    staging = backups / f".{source.name}.tmp-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        skipped = _materialise(skill, changes, staging)
        os.rename(source, backup)
        try:
            os.rename(staging, source)
        except OSError:
            os.rename(backup, source)  # put the original back before reporting
            raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return backup, skipped


def unified_diff(skill: Skill, changes: Mapping[str, str], label: str) -> str:
    """A unified diff of the whole folder: changed and new files (unchanged files have none)."""
    out: list[str] = []
    for path in sorted(changes):
        before_path = skill.root / path
        try:
            before = before_path.read_text(encoding="utf-8") if before_path.is_file() else ""
        except (OSError, UnicodeDecodeError):
            before = ""
        before = before.replace("\r\n", "\n")
        old_name = f"a/{label}/{path}" if before_path.exists() else "/dev/null"
        out.extend(difflib.unified_diff(before.splitlines(keepends=True), changes[path].splitlines(keepends=True), old_name, f"b/{label}/{path}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)
