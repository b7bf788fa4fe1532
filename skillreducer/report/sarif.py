"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json

from skillreducer import __version__
from skillreducer.report import relative_paths

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result, rules) -> str:
    codes = sorted({d.code for d in result.diagnostics} | set(rules))
    index = {code: i for i, code in enumerate(codes)}
    driver_rules = []
    for code in codes:
        rule = rules[code]
        driver_rules.append(
            {
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "help": {"text": f"skillreducer rule {code}"},
                "defaultConfiguration": {"level": _LEVEL[rule.severity]},
                "properties": {"family": rule.family()},
            }
        )
    relative = relative_paths()
    results = []
    for d in result.diagnostics:
        region = {"startLine": max(1, d.line), "startColumn": max(1, d.column), "endLine": max(d.line, d.end_line, 1)}
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _LEVEL[d.severity],
                "message": {"text": d.message},
                "locations": [
                    {"physicalLocation": {"artifactLocation": {"uri": relative(d.path), "uriBaseId": "%SRCROOT%"}, "region": region}}
                ],
            }
        )
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "skillreducer", "version": __version__, "semanticVersion": __version__, "rules": driver_rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
