"""Generate the README's rule table from the rule classes and their doc pages.

`python -m skillreducer.docs` rewrites the table in README.md in place.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from skillreducer.lint.registry import all_rules

BEGIN = "<!-- rules:begin -->"
END = "<!-- rules:end -->"


def rule_table() -> str:
    rows = ["| code | name | family | severity | fix | summary |", "|---|---|---|---|---|---|"]
    for code, rule in all_rules().items():
        summary = rule.summary.replace("|", "\\|")
        rows.append(f"| [{code}](rules/{code}.md) | {rule.name} | {rule.family()} | {rule.severity} | {'safe' if rule.fixable else ''} | {summary} |")
    return "\n".join(rows)


def update_readme(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    updated = pattern.sub(lambda _: f"{BEGIN}\n{rule_table()}\n{END}", text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    readme = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print("updated" if update_readme(readme) else "unchanged", readme, file=sys.stderr)
