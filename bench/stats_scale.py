"""Benchmark `skillreducer stats` at marketplace scale: wall time and peak memory.

    python bench/stats_scale.py [--corpus ../shared/corpus/real] [--skills 50000] [--jobs 2]
                                [--work bench/out/stats-scale] [--distinct] [--keep]

Replicates the corpus until it holds at least --skills skills: copy k of the corpus tree
is bench/out/stats-scale/corpus/copy-k/, its files hard-linked to the originals (no extra
disk; the loader reads hard links as ordinary files). With --distinct every copy's
SKILL.md is written anew with a line naming the copy, so no two skills are byte-identical
and the duplicate and collision stages see every skill rather than one per content.

Then runs `skillreducer stats --jobs N --format json --html ...` over it as a child
process and prints the wall time, skills per second, the peak resident memory of the
largest single process (getrusage of children) and of the whole process tree (sampled
from /proc every 0.2 s), and the sizes of the JSON and HTML reports.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "real"


def skill_count(top: Path) -> int:
    return sum(1 for _, _, files in os.walk(top) if "SKILL.md" in files)


def replicate(corpus: Path, target: int, out: Path, distinct: bool) -> int:
    per_copy = skill_count(corpus)
    copies = math.ceil(target / per_copy)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for k in range(copies):
        destination = out / f"copy-{k:03d}"
        shutil.copytree(corpus, destination, symlinks=True, copy_function=os.link)
        if distinct:
            for directory, _, files in os.walk(destination):
                if "SKILL.md" in files:
                    path = Path(directory) / "SKILL.md"
                    if path.is_symlink() or not path.is_file():
                        continue
                    data = path.read_bytes()
                    path.unlink()  # break the hard link before writing
                    path.write_bytes(data + f"\n<!-- copy {k} -->\n".encode())
    return per_copy * copies


def _tree_rss_kib(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack, seen = 0, [root_pid], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def run(command: list[str], cwd: Path, stdout_path: Path) -> tuple[float, int, int, int]:
    """(seconds, exit code, peak tree RSS KiB, peak single-process RSS KiB)."""
    peak = 0
    with open(stdout_path, "wb") as stdout:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss_kib(process.pid))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, stderr = process.communicate()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    if process.returncode != 0:
        sys.stderr.write(stderr.decode(errors="replace")[-4000:])
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return seconds, process.returncode, peak, largest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--skills", type=int, default=50_000, help="at least this many skills (default: 50,000)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=HERE / "out" / "stats-scale")
    parser.add_argument("--distinct", action="store_true", help="make every copy's SKILL.md unique")
    parser.add_argument("--keep", action="store_true", help="keep the replicated corpus afterwards")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    work = args.work.resolve()
    corpus = work / "corpus"
    started = time.perf_counter()
    skills = replicate(args.corpus, args.skills, corpus, args.distinct)
    print(f"replicated {args.corpus} to {skills:,} skills in {time.perf_counter() - started:.0f} s ({'distinct SKILL.md' if args.distinct else 'hard links'})")
    report_json, report_html = work / "stats.json", work / "stats.html"
    command = [sys.executable, "-m", "skillreducer", "stats", "--jobs", str(args.jobs), "--format", "json", "--html", str(report_html), str(corpus)]
    print("command:", " ".join(command), f"> {report_json}")
    seconds, code, tree_kib, largest_kib = run(command, work, report_json)
    if code != 0:
        print(f"stats exited {code}", file=sys.stderr)
        return 1
    print(f"skills              {skills:>12,}")
    print(f"jobs                {args.jobs:>12}")
    print(f"wall time           {seconds:>12.1f} s")
    print(f"throughput          {skills / seconds:>12.1f} skills/s")
    print(f"peak RSS, all procs {tree_kib / 1024:>12.0f} MiB  (sampled every 0.2 s)")
    print(f"peak RSS, largest   {largest_kib / 1024:>12.0f} MiB  (getrusage of children)")
    print(f"JSON report         {report_json.stat().st_size / 2**20:>12.1f} MiB")
    print(f"HTML report         {report_html.stat().st_size / 2**20:>12.1f} MiB")
    if not args.keep:
        shutil.rmtree(corpus)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
