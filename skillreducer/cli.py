"""Command line: argument parsing and dispatch only. Exit 0 clean, 1 findings, 2 usage or internal error."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from skillreducer import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_CACHE = ".skillreducer_cache"
PROGRESS_MIN_SKILLS = 50


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 already; keep its message short
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    from skillreducer.report import FORMATS

    parser = _Parser(prog="skillreducer", description="Lint and compress agent skills (folders with a SKILL.md).")
    parser.add_argument("--version", action="version", version=f"skillreducer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="lint skills", description="Lint skills: a SKILL.md, a skill folder, or any tree holding skills.")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--select", type=_codes, help="only these rules: codes, code prefixes (SR3), family names, or ALL")
    check.add_argument("--ignore", type=_codes, help="skip these rules (added to the config's ignore list)")
    check.add_argument("--profile", help="platform profile: agentskills, claude-api, claude-code, codex (default: claude-code)")
    check.add_argument("--fail-level", choices=("info", "warning", "error"), help="lowest severity that makes the exit code 1 (default: warning)")
    check.add_argument("--fix", action="store_true", help="apply safe fixes in place and report what remains")
    check.add_argument("--jobs", "-j", type=int, help="worker processes (default: all cores)")
    check.add_argument("--cache-dir", type=Path, help=f"cache folder (default: ./{DEFAULT_CACHE})")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    check.add_argument("--config", type=Path, help="config file (default: nearest skillreducer.toml or pyproject.toml with [tool.skillreducer])")
    check.add_argument("--quiet", "-q", action="store_true", help="no summary line on stderr")

    from skillreducer.stats import command as stats_command

    stats = commands.add_parser("stats", help="corpus statistics and an HTML report", description="The state of a corpus of skills in numbers and plots.")
    stats_command.add_arguments(stats)

    from skillreducer.reduce import command as reduce_command

    reduce = commands.add_parser(
        "reduce",
        help="compress skills before publishing",
        description="Compress skills: shorten the description against a routing oracle, move what is not an instruction into references, check faithfulness.",
    )
    reduce_command.add_arguments(reduce)

    rules = commands.add_parser("rules", help="list every rule", description="List every rule.")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    rule = commands.add_parser("rule", help="show one rule's documentation", description="Print one rule's documentation page.")
    rule.add_argument("code", metavar="CODE")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_ERROR
        handler = {"check": run_check, "stats": run_stats, "reduce": run_reduce, "rules": run_rules, "rule": run_rule}[args.command]
        return handler(args)
    except UsageError as error:
        print(f"skillreducer: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("skillreducer: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_ERROR
    except Exception as error:  # an internal error is reported, never a traceback
        print(f"skillreducer: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        if os.environ.get("SKILLREDUCER_DEBUG"):
            raise
        print("set SKILLREDUCER_DEBUG=1 for the traceback, and please report it", file=sys.stderr)
        return EXIT_ERROR


def command_config(path: Path | None, profile: str | None):
    """The configuration a command runs with (config.load_for_command); a bad file or
    profile is a usage error."""
    from skillreducer.config import ConfigError, load_for_command

    try:
        return load_for_command(path, profile)
    except ConfigError as error:
        raise UsageError(str(error)) from error


def _config_for(args):
    from skillreducer.config import ConfigError, _validate_selectors

    config = command_config(args.config, args.profile)
    try:
        if args.select is not None:
            config.select = _validate_selectors(args.select, "--select")
        if args.ignore:
            config.ignore = [*config.ignore, *_validate_selectors(args.ignore, "--ignore")]
    except ConfigError as error:
        raise UsageError(str(error)) from error
    if args.fail_level:
        config.fail_level = args.fail_level
    return config


def run_check(args) -> int:
    import atexit
    import gc

    # At exit the interpreter runs full collections over every object still alive
    # (~0.25 s once scikit-learn is loaded); the process is ending, so skip them.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)

    from skillreducer.config import env_jobs
    from skillreducer.discover import DiscoveryError, discover_and_warn
    from skillreducer.lint.fix import apply_safe_fixes
    from skillreducer.lint.registry import all_rules
    from skillreducer.lint.rule import SEVERITIES
    from skillreducer.lint.runner import lint_roots
    from skillreducer.report import render
    from skillreducer.report.text import summary_line

    config = _config_for(args)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    try:
        roots = discover_and_warn(args.paths)
    except DiscoveryError as error:
        raise UsageError(str(error)) from error
    jobs = args.jobs or env_jobs()
    cache_dir = None if args.no_cache else (args.cache_dir or Path(DEFAULT_CACHE))

    def run(selected_roots):
        if sys.stderr.isatty() and len(selected_roots) >= PROGRESS_MIN_SKILLS:
            from rich.progress import Progress

            with Progress(transient=True, console=_stderr_console()) as bar:
                task = bar.add_task("checking skills", total=len(selected_roots))
                return lint_roots(selected_roots, config, jobs, cache_dir, lambda n: bar.advance(task, n))
        return lint_roots(selected_roots, config, jobs, cache_dir)

    result = run(roots)
    if args.fix:
        applied = apply_safe_fixes(result.diagnostics)
        for path, description in applied:
            print(f"fixed {os.path.relpath(path)}: {description}", file=sys.stderr)
        if applied:
            result = run(roots)

    rules = {code: rule for code, rule in all_rules().items() if config.selects(code)}
    output = render(args.format, result, rules)
    if output:
        sys.stdout.write(output)
        sys.stdout.flush()
    if not args.quiet and args.format == "text":
        print(summary_line(result), file=sys.stderr)
    threshold = SEVERITIES.index(config.fail_level)
    failing = any(SEVERITIES.index(d.severity) >= threshold for d in result.diagnostics)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def run_stats(args) -> int:
    from skillreducer.stats import command as stats_command

    return stats_command.run(args)


def run_reduce(args) -> int:
    from skillreducer.reduce import command as reduce_command

    return reduce_command.run(args)


def run_rules(args) -> int:
    from skillreducer.lint.registry import all_rules

    rules = all_rules()
    if args.format == "json":
        listing = [
            {"code": code, "name": r.name, "family": r.family(), "severity": r.severity, "fixable": r.fixable, "summary": r.summary}
            for code, r in rules.items()
        ]
        print(json.dumps(listing, indent=2))
    else:
        for code, r in rules.items():
            print(f"{code}  {r.name:<34} {r.family():<10} {r.severity:<7} {r.summary}")
    return EXIT_CLEAN


def run_rule(args) -> int:
    from skillreducer import resources
    from skillreducer.lint.registry import all_rules

    code = args.code.upper()
    rules = all_rules()
    if code not in rules:
        by_name = [c for c, r in rules.items() if r.name == args.code]
        if not by_name:
            raise UsageError(f"no rule {args.code!r}; `skillreducer rules` lists them")
        code = by_name[0]
    page = resources.rule_doc(code)
    sys.stdout.write(page if page else f"{code} {rules[code].name}\n\n{rules[code].summary}\n")
    return EXIT_CLEAN
