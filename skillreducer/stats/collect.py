"""Discovered skill folders -> records, in a process pool, one skill in memory per worker."""

from __future__ import annotations

import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterator

from skillreducer import profiles
from skillreducer.config import Config
from skillreducer.lint.rule import SkillSummary
from skillreducer.lint.runner import IN_PROCESS_MAX, Linter
from skillreducer.load import Snapshot, load_skill, loader_limits
from skillreducer.stats.records import Record, measure


class Measurer:
    """Loads a skill once, lints it with `check`'s Linter and measures it; picklable for the pool."""

    def __init__(self, config: Config):
        self.linter = Linter(config, None)
        self.profile = profiles.load(config.profile)
        self.limits = loader_limits(config.thresholds.get("loader"))

    def __call__(self, root: str) -> Record:
        try:
            skill = load_skill(root, self.limits, Snapshot(Path(root), self.limits))
            result = self.linter.lint_loaded(skill)
            record = measure(skill, result.summary, self.profile)
            for diagnostic in result.diagnostics:
                record.findings[diagnostic.code] = record.findings.get(diagnostic.code, 0) + 1
                record.severities[diagnostic.severity] = record.severities.get(diagnostic.severity, 0) + 1
            return record
        except Exception as error:  # one broken skill must not sink a 50,000-skill run; it is reported
            where = traceback.extract_tb(error.__traceback__)[-1]
            message = f"{type(error).__name__}: {error} ({Path(where.filename).name}:{where.lineno})"
            return Record(root=root, summary=SkillSummary(root, None, 1, "", 1, ""), error=message)


def shard(roots: list[str], index: int, count: int) -> list[str]:
    """Shard index (1-based) of count: every count-th skill of the sorted discovery, so shards
    are balanced and the same on every machine that sees the same tree."""
    return roots[index - 1 :: count]


_measurer: Measurer | None = None


def _init(measurer: Measurer) -> None:
    global _measurer
    _measurer = measurer


def _work(root: str) -> Record:
    assert _measurer is not None
    return _measurer(root)


def records(roots: list[str], config: Config, jobs: int, progress: Callable[[int], None] | None = None) -> Iterator[Record]:
    """Records in the order of roots; workers send back only records, never Skill objects."""
    measurer = Measurer(config)
    if jobs <= 1 or len(roots) <= IN_PROCESS_MAX:
        for root in roots:
            yield measurer(root)
            if progress:
                progress(1)
        return
    chunk = max(1, min(32, len(roots) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(measurer,)) as pool:
        for record in pool.map(_work, roots, chunksize=chunk):
            yield record
            if progress:
                progress(1)
