"""Every rule has a doc page that agrees with its code, and the README table is current."""

from __future__ import annotations

import re

import pytest

from skillreducer import docs, resources
from skillreducer.lint.registry import all_rules
from skillreducer.lint.rule import Rule

from conftest import ROOT

SECTIONS = ("## What it checks", "## Why it matters", "## Bad", "## Good")


def test_at_least_45_rules_in_every_family():
    rules = all_rules()
    assert len(rules) >= 45
    families = {rule.family() for rule in rules.values()}
    assert families == {"spec", "routing", "body", "references", "security", "corpus"}


@pytest.mark.parametrize("code", list(all_rules()))
def test_rule_doc_page(code: str):
    rule: type[Rule] = all_rules()[code]
    assert re.fullmatch(r"SR[1-6]\d\d", code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
    assert rule.summary.endswith(".") and "\n" not in rule.summary
    page = resources.rule_doc(code)
    assert page is not None, f"rules/{code}.md is missing"
    lines = page.splitlines()
    assert lines[0] == f"# {code} {rule.name}"
    assert lines[2] == rule.summary, "the doc's first paragraph is the rule's summary"
    positions = [page.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), f"{code}: needs {SECTIONS} in order"


def test_rule_names_are_unique():
    names = [rule.name for rule in all_rules().values()]
    assert len(names) == len(set(names))


def test_readme_rule_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs.rule_table() in readme, "README rule table is stale: run `python -m skillreducer.docs`"
