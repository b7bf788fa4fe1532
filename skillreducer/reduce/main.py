"""`skillreducer reduce` at run time: load, reduce each skill, write, report."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from skillreducer import profiles, resources
from skillreducer.cli import DEFAULT_CACHE, UsageError, command_config
from skillreducer.discover import DiscoveryError, discover, discover_and_warn
from skillreducer.load import load_skill
from skillreducer.reduce import command
from skillreducer.reduce.pipeline import Corpus, ReduceOptions, Routers, reduce_skill
from skillreducer.reduce.write import WriteError, unified_diff, write_in_place, write_out

# Set in each worker (and in the parent for --jobs 1): the loaded corpus and routers.
_STATE: dict[str, Any] = {}


def run(args) -> int:
    config = command_config(args.config, args.profile)
    with resources.limits_in_force(config.limits()):
        return _run(args, config.profile)


def _run(args, profile_name: str) -> int:
    options, roots, against = _validate(args, profile_name)
    try:
        corpus = Corpus.load(discover([str(against)]))
    except DiscoveryError as error:
        raise UsageError(f"--against: {error}") from error
    _STATE.update(corpus=corpus, routers=Routers(options.router_kind, options.cache_dir), options=options, args=args)
    if args.jobs > 1 and len(roots) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(min(args.jobs, len(roots))) as pool:
            entries = pool.map(_reduce_one, roots, chunksize=1)
    else:
        entries = [_reduce_one(root) for root in roots]
    failed = any("error" in entry for entry in entries)
    report: dict[str, Any] = {"skills": entries}
    if args.only is None:
        from skillreducer.optimize.skill import SENSES

        report["objective_senses"] = dict(SENSES)
        if args.plot is not None and entries and entries[0].get("pareto_front"):
            from skillreducer.optimize.plot import plot_front

            try:
                plot_front(entries[0]["pareto_front"], entries[0]["chosen"], report["objective_senses"], args.plot)
            except (OSError, RuntimeError) as error:
                print(f"skillreducer: --plot {args.plot}: {error}", file=sys.stderr)
                failed = True
    command.emit(report, args.format)
    return 1 if failed else 0


def _validate(args, profile_name: str) -> tuple[ReduceOptions, list[str], Path]:
    if bool(args.out) == bool(args.in_place):
        raise UsageError("give exactly one of --out DIR or --in-place")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    from skillreducer.route.router import default_router_kind

    available = default_router_kind()  # "lexical" when the semantic extra is missing
    router_kind = args.router or available
    if router_kind != "lexical" and available == "lexical":
        raise UsageError(f"--router {router_kind} needs the semantic extra: pip install 'skillreducer[semantic]'")
    probes = None
    if args.probes:
        from skillreducer.route.probes import ProbeFileError, read_probe_file

        try:
            probes = read_probe_file(args.probes)
        except ProbeFileError as error:
            raise UsageError(str(error)) from error
    try:
        roots = discover_and_warn([str(p) for p in args.paths])
    except DiscoveryError as error:
        raise UsageError(str(error)) from error
    if not roots:
        raise UsageError("no skill (folder with a SKILL.md) found in the given paths")
    if args.out:
        clashes = sorted(name for name, n in Counter(Path(r).name for r in roots).items() if n > 1)
        if clashes:
            shown = ", ".join(clashes[:5]) + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else "")
            raise UsageError(f"several skills share the folder name {shown}; reduce them into different --out folders (--out DIR writes each to DIR/<folder name>/)")
    against = args.against or resources.sample_corpus()
    if not Path(against).is_dir():
        raise UsageError(f"--against {against}: not a folder")
    cache_dir = args.cache_dir or Path(DEFAULT_CACHE)
    for flag, value in (("--budget-description", args.budget_description), ("--budget-body", args.budget_body)):
        if value is not None and value < 1:
            raise UsageError(f"{flag} must be at least 1")
    if args.plot is not None:
        if args.plot.suffix.lower() not in (".svg", ".png"):
            raise UsageError("--plot FILE must end in .svg or .png")
        if args.only is not None or len(roots) != 1:
            raise UsageError("--plot needs one skill and no --only (it draws that skill's Pareto front)")
    options = ReduceOptions(profiles.load(profile_name), router_kind, args.only, probes, args.seed, cache_dir, args.budget_description, args.budget_body)
    return options, roots, Path(against)


def _reduce_one(root: str) -> dict[str, Any]:
    """Reduce and write one skill; errors become the report entry's 'error'."""
    try:
        skill = load_skill(Path(root))
    except OSError as error:
        return {"source": root, "notes": [], "error": f"cannot read: {error}"}
    if not skill.text:
        return {"source": root, "notes": [], "error": "SKILL.md is empty or unreadable"}
    try:
        entry, changes = reduce_skill(skill, _STATE["corpus"], _STATE["routers"], _STATE["options"])
    except Exception as error:  # one bad skill must not stop the others; say what happened
        if os.environ.get("SKILLREDUCER_DEBUG"):
            raise
        print(f"skillreducer: {root}: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return {"source": root, "notes": [], "error": f"internal error: {type(error).__name__}: {error}"}
    _write(skill, entry, changes, _STATE["args"])
    return entry


def _write(skill, entry: dict[str, Any], changes: dict[str, str], args) -> None:
    try:
        if args.diff:
            entry["diff"] = unified_diff(skill, changes, skill.folder_name)
        if args.in_place:
            backup, skipped = write_in_place(skill, changes) if changes else (None, [])
            entry["output"] = str(skill.root)
            entry["backup"] = str(backup) if backup else None
        else:
            target, skipped = write_out(skill, changes, args.out, force=args.force)
            entry["output"] = str(target)
        if skipped:
            entry["notes"].append(f"not copied (not regular files): {', '.join(skipped)}")
    except (WriteError, OSError) as error:
        entry["error"] = f"not written: {error}"
