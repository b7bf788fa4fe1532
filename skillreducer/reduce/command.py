"""`skillreducer reduce`: arguments here; the work is imported when the command runs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="SKILL_DIR", help="skill folders (or trees holding skills) to reduce")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write each reduced skill to DIR/<its folder name>/")
    parser.add_argument("--in-place", action="store_true", help="replace the skill folders themselves (the originals go to .skillreducer_backup/ beside them)")
    parser.add_argument("--force", action="store_true", help="replace existing folders under --out")
    parser.add_argument("--only", choices=("description", "body"), help="reduce only the description or only the body")
    parser.add_argument("--against", type=Path, metavar="DIR", help="corpus whose skills are the routing neighbours (default: the bundled sample corpus)")
    parser.add_argument("--router", choices=("lexical", "semantic", "hybrid"), help="routing oracle's judge (default: hybrid with the semantic extra, else lexical)")
    parser.add_argument("--probes", type=Path, metavar="FILE", help="requests that must reach the skill (.txt one per line, .json or .jsonl)")
    parser.add_argument("--profile", help="platform profile for limits and budgets (default: the config's, else claude-code)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="pyproject.toml or skillreducer.toml whose profile and thresholds apply (default: the nearest one)")
    parser.add_argument("--budget-description", type=int, metavar="N", help="description token budget for choosing a variant (default: the profile's)")
    parser.add_argument("--budget-body", type=int, metavar="N", help="core body token budget for choosing a variant (default: the profile's)")
    parser.add_argument("--plot", type=Path, metavar="FILE", help="write the Pareto front (pairwise projections, chosen variant marked) as .svg or .png; one skill only")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report on stdout (default: text)")
    parser.add_argument("--diff", action="store_true", help="print a unified diff of each reduced folder (in the JSON report: a 'diff' field)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (default: 1; each loads the model)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the oracle's tie-breaking (default: 0)")
    parser.add_argument("--cache-dir", type=Path, help="embedding cache folder (default: ./.skillreducer_cache)")


def run(args) -> int:
    from skillreducer.reduce import main

    return main.run(args)


def emit(report: dict, fmt: str) -> None:
    if fmt == "json":
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    for entry in report["skills"]:
        print(f"{entry['source']} -> {entry.get('output') or '(not written)'}")
        desc = entry.get("description")
        if desc:
            routing = desc["routing"]["after"]
            print(
                f"  description: {desc['before_tokens']} -> {desc['after_tokens']} tokens"
                f"{' (generated)' if desc['generated'] else ''}, {desc['oracle_calls']} oracle calls, "
                f"{routing['probes_routed']}/{routing['probes']} probes routed, {routing['neighbour_probes_taken']} neighbour probes taken"
            )
            print(f"    {desc['after']}")
        body = entry.get("body")
        if body:
            refs = ", ".join(r["path"] for r in body["references"]) or "none"
            print(f"  body: {body['before_tokens']} -> {body['core_tokens']} core tokens; references: {refs}")
        gate = entry.get("faithfulness")
        if gate:
            state = "passed" if gate["passed"] else "FAILED (original body kept)"
            print(f"  faithfulness: {state} after {gate['rounds']} round(s)")
        for note in entry.get("notes", []):
            print(f"  note: {note}")
        if entry.get("error"):
            print(f"  error: {entry['error']}")
        if entry.get("diff"):
            sys.stdout.write(entry["diff"])
