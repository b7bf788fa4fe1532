"""`skillreducer stats` at run time: measure (or merge), build the report, write it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from skillreducer import profiles
from skillreducer.cli import PROGRESS_MIN_SKILLS, UsageError, command_config
from skillreducer.config import env_jobs
from skillreducer.stats import report as stats_report
from skillreducer.stats.records import Record


def run(args) -> int:
    if args.merge and args.paths:
        raise UsageError("give skill PATHs or --merge PART.json..., not both")
    if not args.merge and not args.paths:
        raise UsageError("no PATH given; `skillreducer stats PATH...` or `skillreducer stats --merge PART.json...`")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.profile is not None and args.profile not in profiles.available():
        raise UsageError(f"unknown profile {args.profile!r}; choose from {', '.join(profiles.available())}")
    if args.merge:
        if args.shard:
            raise UsageError("--shard applies to measuring, not to --merge")
        report = _merge(args)
    else:
        report = _measure(args)
    _write(report, args)
    return 0


def parse_shard(value: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise UsageError(f"--shard {value!r}: expected K/N, e.g. 1/4") from None
    if not 1 <= index <= count:
        raise UsageError(f"--shard {value!r}: K must be between 1 and N")
    return index, count


def _listing_profiles(args) -> list[str]:
    if args.profile:
        return [args.profile]
    return [name for name in profiles.available() if profiles.load(name).listing is not None]


def _measure(args) -> dict[str, Any]:
    from skillreducer.discover import DiscoveryError, discover_and_warn
    from skillreducer.stats import collect

    shard = parse_shard(args.shard) if args.shard else None
    config = command_config(args.config, args.profile)
    try:
        roots = discover_and_warn(args.paths)
    except DiscoveryError as error:
        raise UsageError(str(error)) from error
    if shard:
        roots = collect.shard(roots, *shard)
    if not roots:
        print("skillreducer: no skills found", file=sys.stderr)
    jobs = args.jobs or env_jobs()
    if sys.stderr.isatty() and len(roots) >= PROGRESS_MIN_SKILLS:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("measuring skills", total=len(roots))
            records = list(collect.records(roots, config, jobs, lambda n: bar.advance(task, n)))
    else:
        records = list(collect.records(roots, config, jobs))
    settings = stats_report.Settings(config, _listing_profiles(args), args.semantic)
    _warn_failures(records)
    return stats_report.build(records, settings, f"{shard[0]}/{shard[1]}" if shard else None)


def _merge(args) -> dict[str, Any]:
    records: list[Record] = []
    settings_json: dict[str, Any] | None = None
    owner: dict[str, Path] = {}
    for path in args.merge:
        try:
            part = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise UsageError(f"{path}: cannot read: {error.strerror or error}") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise UsageError(f"{path}: not JSON: {error}") from error
        if not isinstance(part, dict) or part.get("schema") != stats_report.SCHEMA or not isinstance(part.get("records"), list):
            raise UsageError(f"{path}: not the output of `skillreducer stats --format json` ({stats_report.SCHEMA})")
        if settings_json is None:
            settings_json = part["settings"]
        elif part["settings"] != settings_json:
            raise UsageError(f"{path}: measured with other settings than {args.merge[0]} (profile, config or --semantic); re-run the shards alike")
        for data in part["records"]:
            try:
                record = Record.from_json(data)
            except (TypeError, KeyError) as error:
                raise UsageError(f"{path}: a record is malformed: {error}") from error
            if record.root in owner:
                raise UsageError(f"{path}: skill {record.root} is also in {owner[record.root]}; shards must not overlap")
            owner[record.root] = path
            records.append(record)
    assert settings_json is not None
    try:
        settings = stats_report.Settings.from_json(settings_json)
    except (KeyError, TypeError) as error:
        raise UsageError(f"{args.merge[0]}: malformed settings: {error}") from error
    if args.profile and args.profile != settings.config.profile:
        raise UsageError(f"--profile {args.profile} differs from the parts' profile {settings.config.profile}")
    settings.semantic = settings.semantic or args.semantic
    _warn_failures(records)
    return stats_report.build(records, settings)


def _warn_failures(records: list[Record]) -> None:
    failed = [r for r in records if r.error]
    for record in failed[:10]:
        print(f"skillreducer: {os.path.relpath(record.root)}: could not be measured: {record.error}", file=sys.stderr)
    if len(failed) > 10:
        print(f"skillreducer: {len(failed) - 10:,} more skills could not be measured", file=sys.stderr)


def write_json(report: dict[str, Any], out: TextIO) -> None:
    """Indented, except the records: one per line, written one at a time, so 50,000 of them
    stay greppable and never exist as one string."""
    head = {k: v for k, v in report.items() if k != "records"}
    out.write(json.dumps(head, indent=2, ensure_ascii=False)[:-2])
    out.write(',\n  "records": [')
    for index, record in enumerate(report.get("records", [])):
        out.write(",\n    " if index else "\n    ")
        out.write(json.dumps(record.to_json(), ensure_ascii=False, separators=(",", ":")))
    out.write("\n  ]\n}\n" if report.get("records") else "]\n}\n")


def _write(report: dict[str, Any], args) -> None:
    if args.html:
        from skillreducer.stats import html

        try:
            args.html.write_text(html.render(report), encoding="utf-8")
        except OSError as error:
            raise UsageError(f"{args.html}: cannot write: {error.strerror or error}") from error
    if args.format == "json":
        write_json(report, sys.stdout)
    else:
        from skillreducer.stats import text

        sys.stdout.write(text.render(report))
    sys.stdout.flush()
