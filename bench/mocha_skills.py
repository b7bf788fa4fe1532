"""Benchmark MOCHA on real skills: at equal evaluation budget, MOCHA's front against
weighted-sum annealing's and against the staged pipeline's single result.

For each sampled skill with a body over 1,000 tokens: stage 1 (description ddmin) and
stage 2 (classifier placement behind the gate) give the staged result; both searches
start from it, the original and the classifier's placement, with the same operators and
the same budget ([search] budget). Reported: non-dominated variants per skill (MOCHA's
front; the weighted-sum method's answers, one per weight vector, reduced to their
non-dominated set), whether the variant `reduce` chooses is at least as good as the staged
result on every objective, and seconds per skill.

    python bench/mocha_skills.py ../shared/corpus/real --sample 40 --router lexical

Skills come from the report half (a hash of the path; see bench/reduce_descriptions.py),
or with --half fit|both from the other half or from both.
Writes bench/out/mocha_skills.json and prints a Markdown summary.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skillreducer import profiles, resources  # noqa: E402
from skillreducer.discover import discover  # noqa: E402
from skillreducer.optimize.annealing import weighted_sum_annealing  # noqa: E402
from skillreducer.optimize.mocha import mocha  # noqa: E402
from skillreducer.optimize.skill import OBJECTIVES, choose  # noqa: E402
from skillreducer.reduce.description import compress_description  # noqa: E402
from skillreducer.reduce.pipeline import Corpus, ReduceOptions, Routers, _reduce_body, build_oracle  # noqa: E402
from skillreducer.reduce.search import build_problem  # noqa: E402

from reduce_descriptions import half  # noqa: E402  (one fit/report split for every bench)

_STATE: dict = {}


def no_worse(values, staged) -> bool:
    return all((v <= s + 1e-9) if o.sense == "min" else (v >= s - 1e-9) for v, s, o in zip(values, staged, OBJECTIVES))


def measure(root: str) -> dict:
    corpus, routers, options = _STATE["corpus"], _STATE["routers"], _STATE["options"]
    skill = next(s for s in corpus.skills if str(s.root) == root)
    budget = resources.limits()["search"]["budget"]
    cap = resources.limits()["search"]["archive_cap"]
    router = routers.for_skill(skill, corpus)
    oracle, source = build_oracle(skill, corpus, router, options)
    desc = compress_description(skill, oracle, options.profile, source)
    body, items, labels, _ = _reduce_body(skill, oracle, desc.after, options)
    problem, staged_variant = build_problem(skill, oracle, desc, body, items, labels, options)
    staged = problem.evaluate(staged_variant)
    started = time.perf_counter()
    result = mocha(problem, budget, options.seed, archive_cap=cap)
    mocha_seconds = time.perf_counter() - started
    front = [p.objectives for p in result.front]
    chosen = choose(front, staged, None, None, [problem.routes(p.solution) for p in result.front])  # as reduce chooses
    started = time.perf_counter()
    annealed = weighted_sum_annealing(problem, budget, options.seed, archive_cap=cap)
    annealing_seconds = time.perf_counter() - started
    return {
        "skill": root,
        "items": len(items),
        "clauses": len(desc.clauses),
        "mocha_front": len(front),
        "weighted_sum_front": len(annealed.front),
        "weighted_sum_evaluated_front": len(annealed.evaluated_front),
        "chosen_no_worse_than_staged": no_worse(front[chosen], staged),
        "staged_in_or_dominated_by_front": any(no_worse(f, staged) for f in front),
        "chosen": dict(zip([o.name for o in OBJECTIVES], front[chosen])),
        "staged": dict(zip([o.name for o in OBJECTIVES], staged)),
        "mocha_evaluations": result.evaluations,
        "budget": budget,
        "mocha_seconds": mocha_seconds,
        "annealing_seconds": annealing_seconds,
    }


def _init(against: list[str], kind: str) -> None:
    _STATE["corpus"] = Corpus.load(against)
    _STATE["routers"] = Routers(kind, ROOT / "bench" / "out" / "embedding-cache")
    _STATE["options"] = ReduceOptions(profiles.load(profiles.DEFAULT_PROFILE), kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sample", type=int, default=40, help="skills from the chosen half, evenly spread (0: all)")
    parser.add_argument("--half", choices=("report", "fit", "both"), default="report", help="which half of the corpus the skills come from")
    parser.add_argument("--router", choices=("lexical", "semantic", "hybrid"), default="lexical")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "mocha_skills.json")
    args = parser.parse_args()
    roots = discover([str(args.corpus)])
    _init(roots, args.router)
    candidates = [str(s.root) for s in _STATE["corpus"].skills if args.half in ("both", half(str(s.root))) and s.body_tokens > 1000]
    chosen = candidates[:: max(1, len(candidates) // args.sample)][: args.sample] if args.sample else candidates
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        rows = pool.map(measure, chosen, chunksize=1)
    wall = time.perf_counter() - started
    summary = {
        "router": args.router,
        "skills": len(rows),
        "half": args.half,
        "budget": rows[0]["budget"] if rows else 0,
        "mean_mocha_front": statistics.fmean(r["mocha_front"] for r in rows),
        "mean_weighted_sum_front": statistics.fmean(r["weighted_sum_front"] for r in rows),
        "mean_weighted_sum_evaluated_front": statistics.fmean(r["weighted_sum_evaluated_front"] for r in rows),
        "chosen_no_worse_than_staged": sum(r["chosen_no_worse_than_staged"] for r in rows),
        "mocha_seconds_per_skill": statistics.fmean(r["mocha_seconds"] for r in rows),
        "annealing_seconds_per_skill": statistics.fmean(r["annealing_seconds"] for r in rows),
        "wall_seconds": wall,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    s = summary
    print("\n".join([
        f"## MOCHA on skills ({s['skills']} skills with bodies over 1,000 tokens, {s['half']} half, {s['router']} oracle, budget {s['budget']} each)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| non-dominated variants, MOCHA (mean) | {s['mean_mocha_front']:.1f} |",
        f"| non-dominated variants, weighted-sum annealing (mean; its answers per weight) | {s['mean_weighted_sum_front']:.1f} |",
        f"| ratio | {s['mean_mocha_front'] / max(s['mean_weighted_sum_front'], 1e-9):.1f}x |",
        f"| weighted-sum, non-dominated among everything it evaluated (mean) | {s['mean_weighted_sum_evaluated_front']:.1f} |",
        f"| chosen variant no worse than the staged result on every objective | {s['chosen_no_worse_than_staged']} of {s['skills']} |",
        f"| seconds per skill: MOCHA / annealing | {s['mocha_seconds_per_skill']:.2f} / {s['annealing_seconds_per_skill']:.2f} |",
        f"| wall seconds | {s['wall_seconds']:.0f} |",
    ]))


if __name__ == "__main__":
    main()
