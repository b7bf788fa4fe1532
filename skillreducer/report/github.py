"""GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

from skillreducer.report import relative_paths

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(result, rules) -> str:
    relative = relative_paths()
    lines = []
    for d in result.diagnostics:
        props = f"file={_escape_property(relative(d.path))},line={d.line},endLine={d.end_line},col={d.column},title={_escape_property(f'{d.code} {d.name}')}"
        lines.append(f"::{_LEVEL[d.severity]} {props}::{_escape_data(d.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
