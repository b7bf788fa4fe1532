"""The runner's pool and cache: the same diagnostics, in the same order, however the
skills are split between workers or read back from the cache."""

from __future__ import annotations

import contextlib
import os
import sqlite3

import pytest

from skillreducer.config import Config
from skillreducer.discover import discover
from skillreducer.lint.cache import FILE_NAME
from skillreducer.lint.runner import MAX_CHUNK, chunks, lint_roots
from skillreducer.lint.rules.corpus import described, similar_description_pairs
from skillreducer.report import relative, relative_paths

from clihelp import run_cli, write_skill


@pytest.mark.parametrize("count", [0, 1, 7, 9, 100, 2175])
@pytest.mark.parametrize("jobs", [1, 2, 8])
def test_chunks_hand_out_every_skill_once_in_shrinking_pieces(count, jobs):
    found = chunks(count, jobs)
    assert [i for span in found for i in span] == list(range(count))
    sizes = [len(span) for span in found]
    assert all(0 < size <= MAX_CHUNK for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if count:
        assert sizes[-1] == 1  # the last hand-outs are single skills, so workers finish together


def _corpus(parent):
    """Skills with per-skill findings, a safe fix (SR115), and corpus findings:
    a shared name (SR601), near-identical descriptions (SR602), a copied body (SR604)."""
    for i in range(24):
        folder = f"skill-{chr(ord('a') + i)}"  # one-letter words are no TF-IDF terms: the descriptions decide
        name = "skill-a" if i % 7 == 0 else folder
        description = "Converts CSV files into Markdown tables. Use when the user pastes CSV." if i % 4 else f"Converts file {i}. Use when: the user asks."
        write_skill(parent, folder, frontmatter=f"name: {name}\ndescription: {description}", body=f"## Steps\n\n1. Read CSV file {i}.\n")
    write_skill(parent, "copy-a", body="## Steps\n\n1. Copy this body.\n")
    write_skill(parent, "copy-b", body="## Steps\n\n1. Copy this body.\n")
    return discover([str(parent)])


def test_pool_gives_the_one_process_result_in_discovery_order(tmp_path):
    roots = _corpus(tmp_path)
    one = lint_roots(roots, Config(), jobs=1)
    two = lint_roots(roots, Config(), jobs=2)
    assert [r.root for r in two.skills] == roots
    assert [r.summary for r in two.skills] == [r.summary for r in one.skills]
    assert two.diagnostics == one.diagnostics
    assert {"SR115", "SR601", "SR602", "SR604"} <= {d.code for d in two.diagnostics}


def test_cache_gives_back_the_linted_diagnostics_with_their_fixes(tmp_path):
    roots = _corpus(tmp_path / "skills")
    cache = tmp_path / "cache"
    cold = lint_roots(roots, Config(), jobs=2, cache_dir=cache)
    warm = lint_roots(roots, Config(), jobs=2, cache_dir=cache)
    assert not any(r.cached for r in cold.skills) and all(r.cached for r in warm.skills)
    assert warm.diagnostics == cold.diagnostics
    fixed = [d for d in warm.diagnostics if d.fix]
    assert fixed and all(os.path.isfile(edit["path"]) for d in fixed for edit in d.fix["edits"])


def test_scikit_learn_loads_for_a_cold_pool_run_only(tmp_path):
    _corpus(tmp_path / "skills")
    check = ["check", "--jobs", "2", "--cache-dir", str(tmp_path / "cache"), "skills"]
    cold = run_cli(*check, cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    warm = run_cli(*check, cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})

    def imported(completed):
        return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in completed.stderr.splitlines() if "import time:" in line}

    assert cold.returncode == warm.returncode == 1 and cold.stdout == warm.stdout and "SR602" in cold.stdout
    assert "sklearn" in imported(cold) and "sklearn" not in imported(warm)


def test_similar_pairs_do_not_depend_on_the_block_size(tmp_path):
    roots = _corpus(tmp_path)
    items = described(r.summary for r in lint_roots(roots, Config(), jobs=1).skills)
    whole = list(similar_description_pairs(items, 0.85))
    assert whole and all(i < j for i, j, _ in whole)
    for entries in (1, len(items), 3 * len(items) + 1):
        assert sorted(similar_description_pairs(items, 0.85, max_block_entries=entries)) == sorted(whole)


def test_remembered_relative_paths_are_relative_paths(tmp_path):
    remembered = relative_paths()
    paths = [str(tmp_path / "a" / "SKILL.md"), os.path.join(os.getcwd(), "b", "SKILL.md"), str(tmp_path / "a" / "SKILL.md")]
    assert [remembered(p) for p in paths] == [relative(p) for p in paths]


def test_a_cold_pool_run_caches_every_skill(tmp_path):
    # Two workers write to one cache file at once: no entry may be lost to a lock.
    roots = _corpus(tmp_path / "skills")
    cache = tmp_path / "cache"
    lint_roots(roots, Config(), jobs=2, cache_dir=cache)
    with contextlib.closing(sqlite3.connect(cache / FILE_NAME)) as db:
        keys = [key for (key,) in db.execute("SELECT key FROM entry")]
    assert len([k for k in keys if not k.startswith("corpus:")]) == len(roots)


def test_a_damaged_cache_file_is_replaced(tmp_path):
    roots = _corpus(tmp_path / "skills")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / FILE_NAME).write_bytes(b"not a database\0" * 100)
    cold = lint_roots(roots, Config(), jobs=2, cache_dir=cache)
    warm = lint_roots(roots, Config(), jobs=2, cache_dir=cache)
    assert all(r.cached for r in warm.skills) and warm.diagnostics == cold.diagnostics


def test_an_unusable_cache_folder_never_fails_a_lint(tmp_path):
    roots = _corpus(tmp_path / "skills")
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    assert lint_roots(roots, Config(), jobs=2, cache_dir=blocked).diagnostics == lint_roots(roots, Config(), jobs=2).diagnostics
