"""`skillreducer stats`: arguments only here; the work is imported when the command runs."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="skill folders, SKILL.md files or trees holding skills")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout (default: text)")
    parser.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML report with plots")
    parser.add_argument("--profile", help="platform profile for the checks and the listing budget (default: every profile with a listing)")
    parser.add_argument("--semantic", action="store_true", help="find description collisions by sentence embeddings instead of TF-IDF")
    parser.add_argument("--jobs", "-j", type=int, help="worker processes (default: all cores)")
    parser.add_argument("--shard", metavar="K/N", help="measure only shard K of N of the discovered skills (for a CI matrix; combine with --merge)")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="PART.json", help="combine `stats --format json` outputs (shards) into one report")
    parser.add_argument("--config", type=Path, help="config file (default: nearest skillreducer.toml or pyproject.toml with [tool.skillreducer])")


def run(args) -> int:
    from skillreducer.stats import main

    return main.run(args)
