"""Every rule against its fixtures: exactly the expected diagnostics, at the expected lines."""

from __future__ import annotations

import os

import pytest

from skillreducer.config import Config
from skillreducer.discover import discover
from skillreducer.lint.registry import all_rules
from skillreducer.lint.runner import lint_roots

from conftest import FIXTURES
from fixture_cases import cases, expected

CASES = cases(FIXTURES)


@pytest.mark.parametrize("code,case", CASES, ids=[f"{c}-{p.name}" for c, p in CASES])
def test_fixture(code: str, case):
    assert code in all_rules(), f"fixture folder for unknown rule {code}"
    want = expected(case, code)
    if case.name.startswith("fail"):
        assert want, f"{case} is a failing fixture but expects nothing"
    else:
        assert case.name.startswith("pass"), f"{case}: case folders are named fail* or pass*"
        assert not want, f"{case} is a passing fixture but expects diagnostics"
    # SR399 judges only suppressions of rules that ran, so its fixtures run every rule.
    select = ["ALL"] if code == "SR399" else [code]
    result = lint_roots(discover([str(case)]), Config(select=select), jobs=1)
    got = {(d.code, os.path.relpath(d.path, case).replace(os.sep, "/"), d.line) for d in result.diagnostics if d.code == code}
    assert got == want, "\n".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}" for d in result.diagnostics)


def test_every_rule_has_failing_and_passing_fixtures():
    by_code: dict[str, set[str]] = {}
    for code, case in CASES:
        by_code.setdefault(code, set()).add("fail" if case.name.startswith("fail") else "pass")
    missing = [code for code in all_rules() if by_code.get(code) != {"fail", "pass"}]
    assert not missing, f"rules without both a failing and a passing fixture: {missing}"
