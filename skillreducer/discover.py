"""Paths -> skill folders. A path may be a SKILL.md, a skill folder, or any tree holding skills."""

from __future__ import annotations

import os
from pathlib import Path

from skillreducer.load.files import SKIP_DIRS


class DiscoveryError(Exception):
    pass


def discover(paths: list[str]) -> list[str]:
    """Skill folders (absolute, sorted, unique). Raises DiscoveryError for a path that is not there."""
    found: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            raise DiscoveryError(f"{raw}: no such file or directory")
        if path.is_file() or (path.name == "SKILL.md" and path.is_dir()):
            if path.name != "SKILL.md":
                raise DiscoveryError(f"{raw}: not a SKILL.md file or a folder")
            found.add(os.path.abspath(path.parent))
            continue
        if not path.is_dir():
            raise DiscoveryError(f"{raw}: not a SKILL.md file or a folder")
        found.update(_walk(os.path.abspath(path)))
    return sorted(found)


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
