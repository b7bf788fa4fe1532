"""Run the rules: per skill (in a process pool, cached by content) then corpus-wide."""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from skillreducer import __version__, profiles, resources
from skillreducer.config import Config
from skillreducer.lint import suppress
from skillreducer.lint.registry import all_rules
from skillreducer.lint.rule import SEVERITIES, Context, Finding, Fix, Rule, SkillSummary
from skillreducer.load import Snapshot, load_skill, loader_limits
from skillreducer.model import Skill

UNUSED_SUPPRESSION = "SR399"
IN_PROCESS_MAX = 8  # below this many skills a pool costs more than it saves


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    name: str
    severity: str
    path: str  # absolute
    line: int
    column: int
    end_line: int
    message: str
    fix: dict[str, Any] | None = None  # {"description", "safe", "edits": [...]}

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)


@dataclass
class SkillResult:
    root: str
    diagnostics: list[Diagnostic]
    summary: SkillSummary
    cached: bool = False  # read from the cache, not linted in this run


@dataclass
class LintResult:
    skills: list[SkillResult]
    diagnostics: list[Diagnostic]

    def counts(self) -> dict[str, int]:
        counts = {level: 0 for level in reversed(SEVERITIES)}
        for diagnostic in self.diagnostics:
            counts[diagnostic.severity] += 1
        return counts


def ruleset_fingerprint() -> str:
    """Changes whenever the rules' code or data change, so stale cache entries are never read."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=8)
    package = Path(__file__).resolve().parents[1]
    for path in sorted([*package.rglob("*.py"), *resources.rules_dir().rglob("*.toml")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Linter:
    """Per-skill linting with everything a worker needs; picklable for the pool."""

    def __init__(self, config: Config, cache_dir: Path | None):
        self.config = config
        self.codes = [code for code in all_rules() if config.selects(code)]
        self.cache_dir = cache_dir
        self.key_salt = f"{ruleset_fingerprint()}:{config.fingerprint()}:{','.join(self.codes)}" if cache_dir else ""

    @functools.cached_property
    def context(self) -> Context:
        return Context(limits=self.config.limits(), profile=profiles.load(self.config.profile))

    def lint(self, root: str) -> SkillResult:
        limits = loader_limits(self.config.thresholds.get("loader"))
        snapshot = Snapshot(Path(root), limits)
        cache_file = None
        if self.cache_dir is not None:
            key = hashlib.blake2b(f"{self.key_salt}:{Path(root).name}:{snapshot.content_hash}".encode(), digest_size=16).hexdigest()
            cache_file = self.cache_dir / key[:2] / f"{key}.json"
            cached = _read_cache(cache_file, root)
            if cached is not None:
                return cached
        skill = load_skill(root, limits, snapshot)
        result = self.lint_loaded(skill)
        if cache_file is not None:
            _write_cache(cache_file, result)
        return result

    def lint_loaded(self, skill: Skill) -> SkillResult:
        ctx = self.context
        rules = all_rules()
        findings: list[tuple[type[Rule], Finding]] = []
        for code in self.codes:
            rule = rules[code]
            if rule.corpus or code == UNUSED_SUPPRESSION:
                continue
            for finding in rule().check(skill, ctx):
                findings.append((rule, finding))
        diagnostics = self._suppress(skill, findings)
        return SkillResult(str(skill.root), diagnostics, summarize(skill))

    def _suppress(self, skill: Skill, findings: list[tuple[type[Rule], Finding]]) -> list[Diagnostic]:
        # A directive needs "skillreducer:", so files without it are not scanned line by line.
        directives: dict[str, list[suppress.Directive]] = {"SKILL.md": suppress.parse(skill.lines) if suppress.MARK in skill.text else []}
        for item in skill.files:
            if item.text is not None and suppress.MARK in item.text and item.path.endswith((".md", ".markdown", ".mdx")):
                directives[item.path] = suppress.parse(item.text.split("\n"))
        kept: list[Diagnostic] = []
        for rule, finding in findings:
            directive = suppress.suppressing(directives.get(finding.path, []), rule.code, finding.line)
            if directive is not None:
                directive.used.add(rule.code)
                continue
            kept.append(self.diagnostic(rule, finding, skill.root))
        if UNUSED_SUPPRESSION in self.codes:
            rule = all_rules()[UNUSED_SUPPRESSION]
            for path, found in directives.items():
                for directive in found:
                    if directive.kind == "enable":
                        continue
                    judged = [c for c in directive.codes if c in self.codes] if directive.codes else self.codes
                    unused = [c for c in judged if c not in directive.used and not all_rules()[c].corpus]
                    if directive.codes and unused:
                        message = f"suppression of {', '.join(unused)} is unused"
                    elif not directive.codes and not directive.used:
                        message = "suppression of all rules is unused"
                    else:
                        continue
                    kept.append(self.diagnostic(rule, Finding(message, directive.line, directive.column, path=path), skill.root))
        return [d for d in kept if not self.config.ignored_at(d.code, d.path)]

    def diagnostic(self, rule: type[Rule], finding: Finding, root: Path | str) -> Diagnostic:
        path = os.path.join(root, *finding.path.split("/"))
        fix = _fix_dict(finding.fix, root) if finding.fix else None
        return Diagnostic(
            code=rule.code,
            name=rule.name,
            severity=self.config.severity.get(rule.code, rule.severity),
            path=path,
            line=finding.line,
            column=finding.column,
            end_line=finding.end_line or finding.line,
            message=finding.message,
            fix=fix,
        )


def _fix_dict(fix: Fix, root: Path | str) -> dict[str, Any]:
    return {
        "description": fix.description,
        "safe": fix.safe,
        "edits": [
            {"path": os.path.join(root, *e.path.split("/")), "start_line": e.start_line, "end_line": e.end_line, "replacement": list(e.replacement)}
            for e in fix.edits
        ],
    }


def summarize(skill: Skill) -> SkillSummary:
    fm = skill.frontmatter
    name = skill.name if isinstance(skill.name, str) else None
    when = fm.get("when_to_use")
    flags = {k: bool(v) for k, v in (fm.data or {}).items() if isinstance(k, str) and isinstance(v, bool)}
    return SkillSummary(
        root=str(skill.root),
        name=name,
        name_line=fm.key_lines.get("name", 1),
        description=skill.description_text,
        description_line=fm.key_lines.get("description", 1),
        when_to_use=when.strip() if isinstance(when, str) else "",
        hidden=flags,
        body_hash=hashlib.blake2b(" ".join(skill.body.split()).encode(), digest_size=8).hexdigest() if skill.body.strip() else "",
    )


def _read_cache(path: Path, root: str) -> SkillResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # Paths are stored relative to the skill root so a moved corpus still hits the cache.
    diagnostics = []
    for item in data["diagnostics"]:
        item["path"] = os.path.join(root, item["path"])
        if item["fix"]:
            for edit in item["fix"]["edits"]:
                edit["path"] = os.path.join(root, edit["path"])
        diagnostics.append(Diagnostic(**item))
    summary = SkillSummary(**{**data["summary"], "root": root})
    return SkillResult(root, diagnostics, summary, cached=True)


def _write_cache(path: Path, result: SkillResult) -> None:
    def relative(p: str) -> str:
        return os.path.relpath(p, result.root)

    diagnostics = []
    for d in result.diagnostics:
        item = asdict(d)
        item["path"] = relative(d.path)
        if item["fix"]:
            for edit in item["fix"]["edits"]:
                edit["path"] = relative(edit["path"])
        diagnostics.append(item)
    _write_cache_entry(path, json.dumps({"diagnostics": diagnostics, "summary": asdict(result.summary)}))


def _write_cache_entry(path: Path, payload: str) -> None:
    try:
        if not path.parent.is_dir():
            _make_cache_dir(path.parent)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(payload, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only or full cache never fails a lint


def _make_cache_dir(folder: Path) -> None:
    top = folder.parent
    if not top.is_dir():
        top.mkdir(parents=True, exist_ok=True)
        # Like .ruff_cache: the cache keeps itself out of git and out of backups.
        (top / ".gitignore").write_text("# Created by skillreducer\n*\n", encoding="utf-8")
        (top / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n# skillreducer cache\n", encoding="utf-8")
    folder.mkdir(exist_ok=True)


_worker: Linter | None = None


def _init_worker(linter: Linter) -> None:
    global _worker
    _worker = linter


def _work(root: str) -> SkillResult:
    assert _worker is not None
    return _worker.lint(root)


def lint_roots(
    roots: list[str],
    config: Config,
    jobs: int = 1,
    cache_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> LintResult:
    linter = Linter(config, cache_dir)
    results: list[SkillResult] = []
    if jobs <= 1 or len(roots) <= IN_PROCESS_MAX:
        for root in roots:
            results.append(linter.lint(root))
            if progress:
                progress(1)
    else:
        chunk = max(1, min(32, len(roots) // (jobs * 8)))
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(linter,)) as pool:
            mapped = pool.map(_work, roots, chunksize=chunk)  # submits every chunk: the workers exist now
            preload = sorted({m for code in linter.codes for m in all_rules()[code].preload})
            for result in mapped:
                if preload and not result.cached:
                    # A skill linted afresh means the corpus pass will run, not come from the
                    # cache: its slow imports (scikit-learn: ~1 s) load while this process
                    # waits for the workers (started after the fork, never during it).
                    for module in preload:
                        threading.Thread(target=importlib.import_module, args=(module,), daemon=True).start()
                    preload = []
                results.append(result)
                if progress:
                    progress(1)
    diagnostics = [d for r in results for d in r.diagnostics]
    diagnostics.extend(cached_corpus_diagnostics(linter, [r.summary for r in results]))
    diagnostics.sort(key=Diagnostic.sort_key)
    return LintResult(results, diagnostics)


def cached_corpus_diagnostics(linter: Linter, summaries: list[SkillSummary]) -> list[Diagnostic]:
    """Corpus rules, cached by everything they read: on a warm run nothing changed, and
    this skips importing scikit-learn (about a second) as well as the work."""
    if len(summaries) < 2 or not any(all_rules()[c].corpus for c in linter.codes):
        return []
    if linter.cache_dir is None:
        return list(corpus_diagnostics(linter, summaries))
    digest = hashlib.blake2b(linter.key_salt.encode(), digest_size=16)
    for summary in sorted(summaries, key=lambda s: s.root):
        digest.update(json.dumps(asdict(summary), sort_keys=True).encode())
    key = digest.hexdigest()
    path = linter.cache_dir / "corpus" / f"{key}.json"
    try:
        return [Diagnostic(**item) for item in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        pass
    found = list(corpus_diagnostics(linter, summaries))
    _write_cache_entry(path, json.dumps([asdict(d) for d in found]))
    return found


def corpus_diagnostics(linter: Linter, summaries: list[SkillSummary]) -> Iterable[Diagnostic]:
    rules = all_rules()
    corpus_codes = [c for c in linter.codes if rules[c].corpus]
    if not corpus_codes or len(summaries) < 2:
        return []
    ctx = linter.context
    found = []
    for code in corpus_codes:
        for summary, finding in rules[code]().check_corpus(summaries, ctx):
            diagnostic = linter.diagnostic(rules[code], finding, summary.root)
            if not linter.config.ignored_at(diagnostic.code, diagnostic.path):
                found.append(diagnostic)
    return found
