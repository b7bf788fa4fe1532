"""Rule fixtures: tests/fixtures/<CODE>/<case>/ holds one or more skills.

Expected diagnostics are written where they occur: `expect: SR123` inside a comment on
the offending line (HTML or YAML comment, or a code comment), or, for lines that cannot
carry a comment, as `SR123 relative/path:LINE` lines in <case>/expect.txt. Case folders
named fail* must expect at least one diagnostic; pass* folders expect none.
"""

from __future__ import annotations

import re
from pathlib import Path

MARKER = re.compile(r"expect:\s*(SR\d{3}(?:\s*,\s*SR\d{3})*)")


def cases(fixtures: Path) -> list[tuple[str, Path]]:
    found = []
    for rule_dir in sorted(p for p in fixtures.iterdir() if p.is_dir()):
        for case in sorted(p for p in rule_dir.iterdir() if p.is_dir()):
            found.append((rule_dir.name, case))
    return found


def expected(case: Path, code: str) -> set[tuple[str, str, int]]:
    wanted: set[tuple[str, str, int]] = set()
    for path in sorted(case.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.name == "expect.txt":
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
            for match in MARKER.finditer(line):
                for marked in re.split(r"\s*,\s*", match.group(1)):
                    if marked == code:
                        wanted.add((code, path.relative_to(case).as_posix(), number))
    sidecar = case / "expect.txt"
    if sidecar.is_file():
        for line in sidecar.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                marked, location = line.split()
                relative, number = location.rsplit(":", 1)
                if marked == code:
                    wanted.add((code, relative, int(number)))
    return wanted
