"""spec rules (SR1xx): the Agent Skills specification and hosts' upload checks."""

from __future__ import annotations

import re
from typing import Iterator

from skillreducer.lint.rule import Context, Finding, Rule
from skillreducer.model import Skill

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def key_line(skill: Skill, key: str) -> int:
    """Line of a frontmatter key, else of the opening fence, else 1."""
    return skill.frontmatter.key_lines.get(key) or skill.frontmatter.start_line or 1


class NameMissing(Rule):
    code = "SR101"
    name = "name-missing"
    severity = "error"
    summary = "The frontmatter has no `name`."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        if fm.data is not None and not (isinstance(skill.name, str) and skill.name.strip()):
            if "name" in fm.data and skill.name is not None and not isinstance(skill.name, str):
                return  # a non-string name is SR117's finding
            yield Finding("frontmatter has no `name`", key_line(skill, "name"))


class NameFormat(Rule):
    code = "SR102"
    name = "name-format"
    severity = "error"
    summary = "`name` must be lowercase letters, digits and single hyphens."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        name = skill.name
        if isinstance(name, str) and name.strip() and not _NAME.match(name):
            yield Finding(f"name {name!r} must be lowercase letters, digits and single hyphens, not starting or ending with one", key_line(skill, "name"))
