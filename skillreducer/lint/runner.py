"""Run the rules: per skill (in a process pool, cached by content) then corpus-wide."""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib
import json
import os
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, fields
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
        self.cache = _result_cache(cache_dir) if cache_dir else None
        self.key_salt = f"{ruleset_fingerprint()}:{config.fingerprint()}:{','.join(self.codes)}" if cache_dir else ""

    @functools.cached_property
    def context(self) -> Context:
        return Context(limits=self.config.limits(), profile=profiles.load(self.config.profile))

    def lint(self, root: str) -> SkillResult:
        limits = loader_limits(self.config.thresholds.get("loader"))
        snapshot = Snapshot(Path(root), limits)
        key = self._cache_key(root, snapshot) if self.cache is not None else None
        if key is not None:
            cached = _read_cache(self.cache.get(key), root)
            if cached is not None:
                return cached
        skill = load_skill(root, limits, snapshot)
        result = self.lint_loaded(skill)
        if key is not None:
            self.cache.put(key, _cache_payload(result))
        return result

    def _cache_key(self, root: str, snapshot: Snapshot) -> str:
        return hashlib.blake2b(f"{self.key_salt}:{Path(root).name}:{snapshot.content_hash}".encode(), digest_size=16).hexdigest()

    def fresh(self, root: str) -> bool:
        """Whether lint(root) lints afresh: no cache, or no entry for the skill's content."""
        if self.cache is None:
            return True
        snapshot = Snapshot(Path(root), loader_limits(self.config.thresholds.get("loader")))
        found = self.cache.get(self._cache_key(root, snapshot))
        self.cache.close()  # asked by the parent of the pool's workers: hold nothing a fork would copy
        return found is None

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


def _result_cache(folder: Path):
    from skillreducer.lint.cache import ResultCache  # imports sqlite3 (~5 ms): only with a cache

    return ResultCache(folder)


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


def _read_cache(payload: str | None, root: str) -> SkillResult | None:
    if payload is None:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
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


def _fields(item: Diagnostic | SkillSummary) -> dict[str, Any]:
    """dataclasses.asdict without its deep copy, for json.dumps, which only reads the values."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


def _cache_payload(result: SkillResult) -> str:
    diagnostics = [_cache_item(d, result.root) for d in result.diagnostics]
    return json.dumps({"diagnostics": diagnostics, "summary": _fields(result.summary)})


def _cache_item(diagnostic: Diagnostic, root: str) -> dict[str, Any]:
    """A diagnostic as the cache stores it, with paths relative to the skill root. The
    runner built each path by joining it to the root, so cutting the root off gives it
    back exactly, for a fraction of os.path.relpath's cost."""
    prefix = os.path.join(root, "")

    def relative(p: str) -> str:
        return p[len(prefix) :] if p.startswith(prefix) else os.path.relpath(p, root)

    item = _fields(diagnostic)
    item["path"] = relative(diagnostic.path)
    if diagnostic.fix:
        item["fix"] = {**diagnostic.fix, "edits": [{**edit, "path": relative(edit["path"])} for edit in diagnostic.fix["edits"]]}
    return item


_worker: Linter | None = None

# A worker allocates many short-lived objects per skill and few cycles: collecting the
# youngest generation every 700 allocations (the default) took ~3% of its time.
WORKER_GC_THRESHOLDS = (10_000, 10, 10)
CHUNKS_PER_JOB = 4  # a chunk holds at most 1/(jobs*4) of the skills still to hand out
MAX_CHUNK = 32


def _init_worker(linter: Linter) -> None:
    global _worker
    _worker = linter
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _work(roots: list[str]) -> list[SkillResult]:
    assert _worker is not None
    return [_worker.lint(root) for root in roots]


def chunks(count: int, jobs: int) -> list[range]:
    """Index ranges handed to the workers, shrinking as the work runs out (guided
    scheduling): big chunks keep the hand-over cost low, and single skills at the end
    keep one worker from finishing a whole chunk late while the others wait."""
    found = []
    start = 0
    while start < count:
        size = max(1, min(MAX_CHUNK, (count - start) // (jobs * CHUNKS_PER_JOB)))
        found.append(range(start, min(count, start + size)))
        start += size
    return found


def lint_roots(
    roots: list[str],
    config: Config,
    jobs: int = 1,
    cache_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> LintResult:
    linter = Linter(config, cache_dir)
    try:
        if jobs <= 1 or len(roots) <= IN_PROCESS_MAX:
            results = []
            for root in roots:
                results.append(linter.lint(root))
                if progress:
                    progress(1)
        else:
            results = _lint_in_pool(linter, roots, jobs, progress)
        diagnostics = [d for r in results for d in r.diagnostics]
        diagnostics.extend(cached_corpus_diagnostics(linter, [r.summary for r in results]))
    finally:
        if linter.cache is not None:
            linter.cache.close()
    diagnostics.sort(key=Diagnostic.sort_key)
    return LintResult(results, diagnostics)


def _lint_in_pool(linter: Linter, roots: list[str], jobs: int, progress: Callable[[int], None] | None) -> list[SkillResult]:
    done: dict[int, list[SkillResult]] = {}  # by the index of a chunk's first skill
    preload = sorted({m for code in linter.codes for m in all_rules()[code].preload})
    if linter.cache is not None:
        linter.cache.prepare()  # and closed: workers open their own connection, a fork copies none
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(linter,))
    # Forked workers inherit this process's objects: frozen, their collections never walk them.
    gc.freeze()
    try:
        submitted = {pool.submit(_work, roots[span.start : span.stop]): span for span in chunks(len(roots), jobs)}  # the workers exist now
        # A skill linted afresh means the corpus pass will run, not come from the cache:
        # its slow imports (scikit-learn: ~1 s) load while this process waits for the
        # workers (started after the fork, never during it). The first skill tells at
        # once, without waiting for the first chunk; else the first fresh result does.
        if preload and linter.fresh(roots[0]):
            _import_in_background(preload)
            preload = []
        for future in as_completed(submitted):
            span = submitted[future]
            linted = done[span.start] = future.result()
            if preload and not all(r.cached for r in linted):
                _import_in_background(preload)
                preload = []
            if progress:
                progress(len(span))
    finally:
        pool.shutdown(cancel_futures=True)  # after an error or an interrupt, start no more chunks
        gc.unfreeze()
    return [result for start in sorted(done) for result in done[start]]


def _import_in_background(modules: list[str]) -> None:
    for module in modules:
        threading.Thread(target=importlib.import_module, args=(module,), daemon=True).start()


def cached_corpus_diagnostics(linter: Linter, summaries: list[SkillSummary]) -> list[Diagnostic]:
    """Corpus rules, cached by everything they read: on a warm run nothing changed, and
    this skips importing scikit-learn (about a second) as well as the work."""
    if len(summaries) < 2 or not any(all_rules()[c].corpus for c in linter.codes):
        return []
    if linter.cache is None:
        return list(corpus_diagnostics(linter, summaries))
    digest = hashlib.blake2b(linter.key_salt.encode(), digest_size=16)
    for summary in sorted(summaries, key=lambda s: s.root):
        digest.update(json.dumps(_fields(summary), sort_keys=True).encode())
    key = f"corpus:{digest.hexdigest()}"
    payload = linter.cache.get(key)
    if payload is not None:
        try:
            return [Diagnostic(**item) for item in json.loads(payload)]
        except (ValueError, TypeError):
            pass
    found = list(corpus_diagnostics(linter, summaries))
    linter.cache.put(key, json.dumps([_fields(d) for d in found]))
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
