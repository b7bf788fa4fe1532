"""JSON and JSON Lines. Other tools depend on this shape; change it only with a version bump."""

from __future__ import annotations

import json
from typing import Callable

from skillreducer import __version__
from skillreducer.report import relative_paths


def diagnostic_dict(d, relative: Callable[[str], str]) -> dict:
    fix = None
    if d.fix:
        fix = {
            "description": d.fix["description"],
            "safe": d.fix["safe"],
            "edits": [{**edit, "path": relative(edit["path"])} for edit in d.fix["edits"]],
        }
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity,
        "path": relative(d.path),
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "message": d.message,
        "fix": fix,
    }


def render(result, rules) -> str:
    relative = relative_paths()
    payload = {
        "version": __version__,
        "skills_checked": len(result.skills),
        "diagnostics": [diagnostic_dict(d, relative) for d in result.diagnostics],
        "summary": result.counts(),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def render_lines(result, rules) -> str:
    relative = relative_paths()
    return "".join(json.dumps(diagnostic_dict(d, relative), ensure_ascii=False) + "\n" for d in result.diagnostics)
