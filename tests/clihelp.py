"""Run the real command line in a subprocess and write skills to disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

GOOD_DESCRIPTION = (
    "Converts CSV files into aligned Markdown tables with escaped pipes and a header row. "
    "Use when the user asks to turn CSV data or a spreadsheet export into a Markdown table."
)


def run_cli(*args: str, cwd: Path | str | None = None, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SKILLREDUCER_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "skillreducer", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


def write_skill(parent: Path, name: str, frontmatter: str | None = None, body: str = "", files: dict[str, str] | None = None) -> Path:
    root = parent / name
    root.mkdir(parents=True, exist_ok=True)
    if frontmatter is None:
        frontmatter = f'name: {name}\ndescription: "{GOOD_DESCRIPTION}"'
    body = body or "## Steps\n\n1. Read the CSV with the `csv` module.\n2. Escape every `|` in cells.\n3. Print the header row, the separator and the rows.\n"
    (root / "SKILL.md").write_text(f"---\n{textwrap.dedent(frontmatter).strip()}\n---\n\n{textwrap.dedent(body).lstrip()}", encoding="utf-8")
    for relative, content in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def json_result(completed: subprocess.CompletedProcess) -> dict:
    assert "Traceback" not in completed.stderr, completed.stderr
    return json.loads(completed.stdout)
