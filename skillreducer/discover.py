"""Paths -> skill folders. A path may be a SKILL.md, a skill folder, or any tree holding skills."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from skillreducer.load.files import SKIP_DIRS


class DiscoveryError(Exception):
    pass


def discover(paths: list[str], skipped: list[str] | None = None) -> list[str]:
    """Skill folders (absolute, sorted, unique).

    A file other than SKILL.md stands for the skill that holds it (so a pre-commit hook
    can pass changed reference files); files in no skill are appended to `skipped`.
    Raises DiscoveryError for a path that does not exist.
    """
    found: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            raise DiscoveryError(f"{raw}: no such file or directory")
        if path.name == "SKILL.md":
            found.add(os.path.abspath(path.parent))
        elif path.is_dir():
            found.update(_walk(os.path.abspath(path)))
        else:
            owner = _owning_skill(os.path.abspath(path))
            if owner:
                found.add(owner)
            elif skipped is not None:
                skipped.append(raw)
    return sorted(found)


def discover_and_warn(paths: list[str]) -> list[str]:
    """discover(), telling stderr about each file that belongs to no skill."""
    skipped: list[str] = []
    roots = discover(paths, skipped)
    for path in skipped:
        print(f"skillreducer: {path}: not part of a skill; skipped", file=sys.stderr)
    return roots


def _owning_skill(file_path: str) -> str | None:
    directory = os.path.dirname(file_path)
    while True:
        if os.path.lexists(os.path.join(directory, "SKILL.md")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _walk(top: str) -> list[str]:
    skills = []
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as entries:
                children = []
                for entry in entries:
                    if entry.name == "SKILL.md":
                        skills.append(directory)
                    elif entry.is_dir(follow_symlinks=False) and entry.name not in SKIP_DIRS:
                        children.append(entry.path)
                stack.extend(children)
        except OSError:
            continue  # unreadable folders are skipped, as a directory walk would
    return skills
