"""The real pre-commit drives the real hook from .pre-commit-hooks.yaml on a real git repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clihelp import write_skill
from conftest import ROOT

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory) -> dict:
    if not PRE_COMMIT.exists() and not shutil.which("pre-commit"):
        pytest.skip("pre-commit is not installed (install the dev extra)")
    if not (ROOT / ".git").exists():
        pytest.skip("pre-commit try-repo needs the project as a git repository")
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {**os.environ, "PRE_COMMIT_HOME": str(home), "PIP_NO_CACHE_DIR": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def try_repo(repo: Path, env: dict, *files: str) -> subprocess.CompletedProcess:
    command = [str(PRE_COMMIT) if PRE_COMMIT.exists() else "pre-commit", "try-repo", str(ROOT), "skillreducer-check", "--verbose"]
    command += ["--files", *files] if files else ["--all-files"]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def test_hook_passes_a_good_skill_and_fails_a_bad_one(tmp_path, hook_env):
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    write_skill(repo / "skills", "csv-to-table")
    write_skill(repo / "skills", "broken-skill", frontmatter="name: Broken_Skill\ndescription: Helps.", body="Run `make lint` before you commit.\n")
    (repo / "README.md").write_text("# not a skill\n")
    git("add", ".", cwd=repo)

    good = try_repo(repo, hook_env, "skills/csv-to-table/SKILL.md", "README.md")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "skillreducer check" in good.stdout and "Passed" in good.stdout

    everything = try_repo(repo, hook_env)
    assert everything.returncode == 1, everything.stdout + everything.stderr
    assert "Failed" in everything.stdout
    assert "skills/broken-skill/SKILL.md:2:1: SR102 [name-format]" in everything.stdout
    assert "csv-to-table/SKILL.md" not in everything.stdout
