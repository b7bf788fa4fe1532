"""Benchmark `skillreducer check` against its PyPI peers on the same copy of a corpus.

    python bench/check_speed.py [--corpus ../shared/corpus/real] [--peers-venv DIR] [--repeat 3]

Copies the corpus to a temporary folder, then times in one run:
  - skillreducer cold (empty cache) and warm (cache filled by the cold run), all cores;
  - agnix and skillcheck (installed from PyPI into a separate venv, created on first use);
  - `skillreducer check` of one skill from process start to exit (median of --repeat x 5);
  - the CPU that markdown-it-py, tiktoken, tree-sitter, PyYAML and scikit-learn take inside
    one cold check (bench/library_floor.py): divided by the cores, the least wall time any
    cold run that keeps these libraries can take.
Prints seconds and ratios against the peers measured in the same run.

skillreducer runs with its bytecode compiled once before timing (into a temporary
PYTHONPYCACHEPREFIX, even when PYTHONDONTWRITEBYTECODE is set), as an installed wheel
has it: the peers' bytecode was compiled when pip installed them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "real"
PEERS = ("agnix", "skillcheck")


ENV = dict(os.environ)


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, completed.returncode


def best(command: list[str], cwd: Path, repeat: int, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        seconds, code = timed(command, cwd)
        if code not in (0, 1):
            raise SystemExit(f"{command[0]} exited {code}")
        times.append(seconds)
    return min(times)


def peers_venv(folder: Path) -> Path:
    if not (folder / "bin" / "agnix").exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(folder / "bin" / "pip"), "install", "-q", *PEERS], check=True)
    return folder / "bin"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--peers-venv", type=Path, default=HERE / "out" / "peers-venv")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    tool = [sys.executable, "-m", "skillreducer"]
    peers = peers_venv(args.peers_venv)
    with tempfile.TemporaryDirectory(prefix="skillreducer-bench-") as temporary:
        work = Path(temporary)
        corpus = work / "corpus"
        shutil.copytree(args.corpus, corpus)
        skills = sum(1 for _ in corpus.rglob("SKILL.md"))
        cache = work / "cache"
        one_skill = min(corpus.rglob("SKILL.md"), key=lambda p: str(p)).parent
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        timed([*tool, "check", "--quiet", "--no-cache", str(one_skill)], work)  # compiles the bytecode

        def clear_cache():
            shutil.rmtree(cache, ignore_errors=True)

        check = [*tool, "check", "--quiet", "--cache-dir", str(cache), str(corpus)]
        cold = best(check, work, args.repeat, before=clear_cache)
        warm = best(check, work, args.repeat)
        agnix = best([str(peers / "agnix"), str(corpus)], work, args.repeat)
        skillcheck = best([str(peers / "skillcheck"), "--no-color", "-q", str(corpus)], work, args.repeat)
        single = [timed([*tool, "check", "--quiet", "--no-cache", str(one_skill)], work)[0] for _ in range(args.repeat * 5)]
        floor = json.loads(subprocess.run([sys.executable, str(HERE / "library_floor.py"), str(corpus)], cwd=work, env=ENV, capture_output=True, text=True, check=True).stdout)

    jobs = len(os.sched_getaffinity(0))
    print(f"corpus: {args.corpus} ({skills} skills), {jobs} cores, best of {args.repeat}")
    print(f"{'run':<28}{'seconds':>9}{'skills/s':>10}")
    for label, seconds in [("skillreducer cold", cold), ("skillreducer warm", warm), ("agnix", agnix), ("skillcheck", skillcheck)]:
        print(f"{label:<28}{seconds:>9.2f}{skills / seconds:>10.0f}")
    print(f"{'one skill, start to exit':<28}{statistics.median(single) * 1000:>8.0f}ms (median of {len(single)})")
    print()
    print(f"cold / skillcheck = {cold / skillcheck:.2f}   (target < 1)")
    print(f"cold / agnix      = {cold / agnix:.2f}   (target <= 3)")
    print(f"warm / agnix      = {warm / agnix:.2f}   (target < 1)")
    print(f"one skill         = {statistics.median(single) * 1000:.0f} ms (target < 300 ms)")
    print()
    libraries = sum(floor["libraries"].values())
    print("CPU seconds of the libraries inside one cold check, in one process (a lower bound):")
    for name, seconds in floor["libraries"].items():
        print(f"  {name:<26}{seconds:>9.2f}")
    print(f"  {'sum':<26}{libraries:>9.2f}   of the whole check's {floor['check']:.2f}")
    print(f"  {f'sum / {jobs} cores':<26}{libraries / jobs:>9.2f}   = {libraries / jobs / agnix:.2f} x agnix, {libraries / jobs / skillcheck:.2f} x skillcheck")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
