"""Benchmark `reduce` stage 1 (descriptions) on a real corpus.

For each skill of the report half (skills are split in two halves by a hash of their
path; choices are tried on the other half, `--half fit`): compress the
description against the default oracle (hybrid router when the semantic extra is
installed, with the corpus itself as --against), then route the same probes with the
lexical and with the semantic router alone, before and after. A regression is an own
probe that reached the skill before and does not after, or a neighbour probe the skill
did not take before and takes after.

    python bench/reduce_descriptions.py ../shared/corpus/real --jobs 2

All of the report half takes about 9 minutes on 2 cores. `--sample N` (every k-th skill
of each group) is a quick look, not the figure: with the same code a sample of 100 read
51.4% where all 645 read 45.2%, and a fit-half sample of 150 read 52.3% where all 618
read 48.0%.

Writes bench/out/reduce_descriptions.json and prints a Markdown summary.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skillreducer import profiles, tokens  # noqa: E402
from skillreducer.discover import discover  # noqa: E402
from skillreducer.reduce.clauses import segment  # noqa: E402
from skillreducer.reduce.description import compress_description  # noqa: E402
from skillreducer.reduce.pipeline import Corpus, ReduceOptions, Routers, build_oracle  # noqa: E402
from skillreducer.route.oracle import Oracle  # noqa: E402
from skillreducer.route.pool import copy_of  # noqa: E402
from skillreducer.route.router import default_router_kind  # noqa: E402

_STATE: dict = {}


def half(path: str) -> str:
    """The fit or report half of a corpus, by a hash of the skill's path (shared by the benches)."""
    return "fit" if int(hashlib.sha256(path.encode()).hexdigest(), 16) % 2 == 0 else "report"


def _regressions(oracle: Oracle, before: str, after: str) -> int:
    import numpy as np

    wins_before, _ = oracle._wins(before)
    wins_after, _ = oracle._wins(after)
    own = len(oracle.own_probes)
    lost = int(np.sum(wins_before[:own] & ~wins_after[:own]))
    taken = int(np.sum(~wins_before[own:] & wins_after[own:]))
    return lost + taken


def measure(index: int) -> dict:
    skill = _STATE["skills"][index]
    corpus, routers, options = _STATE["corpus"], _STATE["routers"], _STATE["options"]
    started = time.perf_counter()
    router = routers.for_skill(skill, corpus)
    oracle, source = build_oracle(skill, corpus, router, options)
    result = compress_description(skill, oracle, options.profile, source)
    seconds = time.perf_counter() - started
    row = {
        "skill": str(skill.root),
        "before": result.before,
        "after": result.after,
        "before_tokens": result.before_tokens,
        "after_tokens": result.after_tokens,
        "generated": result.generated,
        "clauses": len(segment(result.before)) if result.before else 0,
        "working_clauses": len(segment(result.after)) if result.after else 0,
        "oracle_calls": result.oracle_calls,
        "seconds": seconds,
        "kept_original": result.kept_original,
        "probes": len(result.probes),
        "probe_source": result.probe_source,
    }
    baseline = result.before if result.before else result.after
    for kind in ("lexical", "semantic"):
        judge = routers.for_skill(skill, corpus, kind)
        check, _ = build_oracle(skill, corpus, judge, options)
        row[f"regressions_{kind}"] = _regressions(check, baseline, result.after) if result.before else 0
    # The oracle compress_description used already has the original as its baseline.
    row["regressions_own"] = 0 if oracle.passes(result.after) or not result.before else _regressions(oracle, baseline, result.after)
    return row


def _init(paths: list[str], against: list[str], kind: str) -> None:
    from skillreducer.load import load_skill

    corpus = Corpus.load(against)
    by_root = {str(s.root): s for s in corpus.skills}
    _STATE["skills"] = [by_root.get(p) or load_skill(Path(p)) for p in paths]
    _STATE["corpus"] = corpus
    _STATE["routers"] = Routers(kind, ROOT / "bench" / "out" / "embedding-cache")
    _STATE["options"] = ReduceOptions(profiles.load(profiles.DEFAULT_PROFILE), kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sample", type=int, default=0, help="skills per group from the chosen half, every k-th (0: all)")
    parser.add_argument("--half", choices=("report", "fit"), default="report", help="report: the figure; fit: where choices are tried")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "reduce_descriptions.json")
    args = parser.parse_args()
    kind = default_router_kind()
    roots = discover([str(args.corpus)])
    _init([], roots, kind)
    skills = _STATE["corpus"].skills
    report = [s for s in skills if half(str(s.root)) == args.half]
    long_ = [str(s.root) for s in report if s.description_text and tokens.count(s.description_text) > 40]
    short = [str(s.root) for s in report if not s.description_text or tokens.count(s.description_text) <= 40]
    if args.sample:
        step_long = max(1, len(long_) // args.sample)
        step_short = max(1, len(short) // args.sample)
        long_, short = long_[::step_long][: args.sample], short[::step_short][: args.sample]
    chosen = long_ + short
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.jobs, _init, (chosen, roots, kind)) as pool:
        rows = pool.map(measure, range(len(chosen)), chunksize=1)
    wall = time.perf_counter() - started
    long_rows = [r for r in rows if r["skill"] in set(long_)]
    short_rows = [r for r in rows if r["skill"] in set(short)]
    summary = summarise(long_rows, short_rows, kind, wall, len(skills))
    summary["half"] = args.half
    # Skills with a copy elsewhere in the corpus (same name or description; never their neighbours).
    by_root = {str(s.root): s for s in skills}
    copied = {r["skill"] for r in long_rows if any(o is not by_root[r["skill"]] and copy_of(o, by_root[r["skill"]]) for o in skills)}
    alone = [1 - r["after_tokens"] / r["before_tokens"] for r in long_rows if r["skill"] not in copied]
    summary["without_copy"] = len(alone)
    summary["mean_cut_without_copy"] = statistics.fmean(alone) if alone else 0.0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    print(render(summary))


def summarise(long_rows: list[dict], short_rows: list[dict], kind: str, wall: float, corpus_size: int) -> dict:
    cuts = [1 - r["after_tokens"] / r["before_tokens"] for r in long_rows]
    calls = [r["oracle_calls"] for r in long_rows]
    bound = [max(1.0, r["clauses"] * math.log2(max(r["clauses"], 2))) for r in long_rows]
    everything = long_rows + short_rows
    return {
        "router": kind,
        "corpus_skills": corpus_size,
        "long": len(long_rows),
        "short_or_missing": len(short_rows),
        "mean_cut": statistics.fmean(cuts) if cuts else 0.0,
        "median_cut": statistics.median(cuts) if cuts else 0.0,
        "kept_original": sum(r["kept_original"] for r in long_rows),
        "regressions_own": sum(r["regressions_own"] for r in long_rows),
        "regressions_lexical": sum(r["regressions_lexical"] for r in long_rows),
        "regressions_semantic": sum(r["regressions_semantic"] for r in long_rows),
        "skills_with_lexical_regression": sum(r["regressions_lexical"] > 0 for r in long_rows),
        "skills_with_semantic_regression": sum(r["regressions_semantic"] > 0 for r in long_rows),
        "probes_long": sum(r["probes"] for r in long_rows),
        # Generated descriptions, measured against the short original they replace.
        "short_regressions_own": sum(r["regressions_own"] for r in short_rows),
        "short_skills_with_own_regression": sum(r["regressions_own"] > 0 for r in short_rows),
        "mean_clauses": statistics.fmean(r["clauses"] for r in long_rows) if long_rows else 0.0,
        "mean_oracle_calls": statistics.fmean(calls) if calls else 0.0,
        "mean_calls_over_nlogn": statistics.fmean(c / b for c, b in zip(calls, bound)) if calls else 0.0,
        "short_generated_mean_tokens": statistics.fmean(r["after_tokens"] for r in short_rows) if short_rows else 0.0,
        "short_before_mean_tokens": statistics.fmean(r["before_tokens"] for r in short_rows) if short_rows else 0.0,
        "seconds_per_skill": statistics.fmean(r["seconds"] for r in everything) if everything else 0.0,
        "wall_seconds": wall,
    }


def render(s: dict) -> str:
    return "\n".join([
        f"## reduce descriptions ({s['router']} oracle; {s['half']} half of {s['corpus_skills']} skills)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| descriptions over 40 tokens | {s['long']} |",
        f"| mean / median token cut | {s['mean_cut']:.2%} / {s['median_cut']:.1%} |",
        f"| mean cut of the {s['without_copy']} with no copy in the corpus | {s['mean_cut_without_copy']:.2%} |",
        f"| kept original (no shorter set passed) | {s['kept_original']} |",
        f"| routing regressions, own ({s['router']}) oracle | {s['regressions_own']} (over {s['probes_long']} own probes and the neighbours' probes) |",
        f"| routing regressions, lexical router alone | {s['regressions_lexical']} probes in {s['skills_with_lexical_regression']} skills |",
        f"| routing regressions, semantic router alone | {s['regressions_semantic']} probes in {s['skills_with_semantic_regression']} skills |",
        f"| clauses per description (mean) | {s['mean_clauses']:.1f} |",
        f"| oracle calls per skill (mean); calls / (n log2 n) | {s['mean_oracle_calls']:.1f}; {s['mean_calls_over_nlogn']:.2f} |",
        f"| missing or short (<= 40 tokens) descriptions | {s['short_or_missing']}: {s['short_before_mean_tokens']:.1f} -> {s['short_generated_mean_tokens']:.1f} tokens (generated, then compressed) |",
        f"| of those, routing worse than the short original (own oracle) | {s['short_regressions_own']} probes in {s['short_skills_with_own_regression']} skills |",
        f"| seconds per skill (mean, one worker) | {s['seconds_per_skill']:.2f} |",
        f"| wall seconds | {s['wall_seconds']:.0f} |",
    ])


if __name__ == "__main__":
    main()
