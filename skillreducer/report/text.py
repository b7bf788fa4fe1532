"""path:line:col: SR101 [name-missing] message"""

from __future__ import annotations

from skillreducer.report import relative_paths


def render(result, rules) -> str:
    relative = relative_paths()
    lines = []
    for d in result.diagnostics:
        fixable = " (fixable)" if d.fix and d.fix.get("safe") else ""
        lines.append(f"{relative(d.path)}:{d.line}:{d.column}: {d.code} [{d.name}] {d.message}{fixable}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary_line(result) -> str:
    counts = result.counts()
    skills = len(result.skills)
    if not result.diagnostics:
        return f"{skills} skill(s) checked, no findings."
    parts = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in counts.items() if n)
    return f"{skills} skill(s) checked: {parts}."
