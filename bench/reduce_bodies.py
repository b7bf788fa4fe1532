"""Benchmark `reduce` stage 2 (bodies) on a real corpus: every skill whose body is over
1,000 tokens, labelled by the learned classifier (rules/models/body-classifier.json,
feature model; --semantic for the embedding model), restructured behind the gate.

Figures: mean and median core-token cut; expected loaded tokens (core + each reference
x its stated read probability, [reduce_body] read_probability; the original counts its
existing references at the 'existing' probability); gate pass rate; rounds; seconds per
skill; and, checked here independently of the gate, how many code blocks, URLs,
inline code spans and numbers of the original are missing from the output files (a code
block counts as present when its lines are there in order, allowing one indentation
shift shared by all of them, as when a list item moves out of its list).

    python bench/reduce_bodies.py ../shared/corpus/real [--semantic] [--search] [--sample N]

--search measures what `reduce` without --only writes: stage 1 and MOCHA's chosen
placement behind the same gate (lexical oracle, the corpus as --against), and counts the
items the classifier labelled core that the chosen placement moves out (the search's
faithfulness counts the instructions of both the gate's heuristic and the classifier, so
this should stay at 0 unless a budget forces a move).

Writes bench/out/reduce_bodies.json and prints a Markdown summary. Routing is not
re-checked here: the body stage leaves the description as it is.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skillreducer import resources, tokens  # noqa: E402
from skillreducer.body.classifier import classify  # noqa: E402
from skillreducer.body.items import body_items  # noqa: E402
from skillreducer.discover import discover  # noqa: E402
from skillreducer.load import load_skill  # noqa: E402
from skillreducer.reduce.gate import reduce_body  # noqa: E402
from skillreducer.reduce.restructure import Lines, expected_tokens, is_markdown  # noqa: E402

URL = re.compile(r"https?://[^\s)>\]]+")
INLINE = re.compile(r"`[^`\n]+`")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def artefacts(skill) -> dict[str, list[str]]:
    """What must survive byte for byte: code blocks, URLs, inline code, numbers (outside code)."""
    code_lines = skill.code_lines
    prose = "\n".join(line for n, line in enumerate(skill.lines, 1) if n >= skill.body_line and n not in code_lines)
    return {
        # The block's source lines, fences and indentation included (a block in a list is indented).
        "code_blocks": ["\n".join(skill.lines[block.line - 1 : block.end_line]) for block in skill.code_blocks if block.text.strip()],
        "urls": URL.findall(prose),
        "inline_code": INLINE.findall(prose),
        "numbers": NUMBER.findall(prose),
    }


def lost(skill, result) -> Counter:
    outputs = result.skill_md + "\n" + "\n".join(result.files.values())
    outputs += "\n" + "\n".join(f.text or "" for f in skill.files if is_markdown(f.path))
    lines = Lines(outputs.split("\n"))
    missing: Counter = Counter()
    for kind, values in artefacts(skill).items():
        if kind == "code_blocks":
            # Every line as written, up to one indentation shift shared by all of them (a list
            # item moved out of its list loses its indent) and whitespace-only lines.
            missing[kind] += sum(1 for value in values if value not in outputs and not lines.contains(value.split("\n")))
        else:
            missing[kind] += sum(1 for value in values if value not in outputs)
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--semantic", action="store_true", help="use the classifier with sentence embeddings")
    parser.add_argument("--search", action="store_true", help="measure the full reduce (stage 1 + MOCHA's choice + gate), lexical oracle")
    parser.add_argument("--sample", type=int, default=0, help="every k-th of the skills with bodies over 1,000 tokens, N in all (0: all)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.out = args.out or ROOT / "bench" / "out" / ("reduce_bodies_search.json" if args.search else "reduce_bodies.json")
    full = _full_reduce(args.corpus) if args.search else None
    probability = resources.limits()["reduce_body"]["read_probability"]
    rows = []
    missing_total: Counter = Counter()
    started_all = time.perf_counter()
    skills = [skill for skill in map(load_skill, map(Path, discover([str(args.corpus)]))) if skill.body_tokens > 1000]
    if args.sample:
        skills = skills[:: max(1, len(skills) // args.sample)][: args.sample]
    for skill in skills:
        folder = str(skill.root)
        started = time.perf_counter()
        items = body_items(skill)
        types = classify(items, semantic=args.semantic)
        labels = [t.label for t in types]
        duplicates = {i: t.duplicates for i, t in enumerate(types) if t.label == "redundant" and t.duplicates is not None}
        result = full(skill) if full else reduce_body(skill, items, labels, duplicates)
        seconds = time.perf_counter() - started
        core_moved = 0 if result.fell_back else sum(
            1 for p in result.restructured.placements if labels[p.index] == "core" and p.destination != "SKILL.md"
        )
        before = tokens.count(skill.body)
        expected_before = before + sum(f.tokens * probability["existing"] for f in skill.references if f.text and is_markdown(f.path))
        if result.fell_back:
            core, expected = before, expected_before
        else:
            core, expected = result.restructured.core_tokens, expected_tokens(result.restructured)
        missing = lost(skill, result)
        missing_total.update(missing)
        rows.append({
            "skill": folder, "before": before, "core": core, "cut": 1 - core / before,
            "expected": expected, "expected_before": expected_before, "rounds": result.rounds,
            "fell_back": result.fell_back, "reason": result.reason, "seconds": seconds,
            "labels": dict(Counter(labels)), "missing": dict(missing), "core_labelled_moved_out": core_moved,
        })
    wall = time.perf_counter() - started_all
    if not rows:
        raise SystemExit(f"no skill under {args.corpus} has a body over 1,000 tokens")
    cuts = [r["cut"] for r in rows]
    expected_cuts = [1 - r["expected"] / r["expected_before"] for r in rows]
    label_counts: Counter = Counter()
    for r in rows:
        label_counts.update(r["labels"])
    summary = {
        "skills": len(rows),
        "sampled": bool(args.sample),
        "classifier": ("features + embeddings" if args.semantic else "features") + (", full reduce with MOCHA's choice (lexical oracle)" if args.search else ""),
        "core_labelled_moved_out": sum(r["core_labelled_moved_out"] for r in rows) / max(1, label_counts["core"]),
        "mean_core_cut": statistics.fmean(cuts),
        "median_core_cut": statistics.median(cuts),
        "mean_expected_loaded_cut": statistics.fmean(expected_cuts),
        "median_expected_loaded_cut": statistics.median(expected_cuts),
        "read_probability": probability,
        "gate_pass_rate": sum(not r["fell_back"] for r in rows) / len(rows),
        "rounds": dict(sorted(Counter(r["rounds"] for r in rows).items())),
        "fallbacks": sum(r["fell_back"] for r in rows),
        "missing": dict(missing_total),
        "label_shares": {k: v / sum(label_counts.values()) for k, v in sorted(label_counts.items())},
        "seconds_per_skill": statistics.fmean(r["seconds"] for r in rows),
        "wall_seconds": wall,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    print(render(summary))


def _full_reduce(corpus_path: Path):
    """A function skill -> the gate's BodyResult of `reduce` without --only (lexical oracle)."""
    from skillreducer import profiles
    from skillreducer.reduce.description import compress_description
    from skillreducer.reduce.pipeline import Corpus, ReduceOptions, Routers, _reduce_body, build_oracle
    from skillreducer.reduce.search import search

    corpus = Corpus.load(discover([str(corpus_path)]))
    routers = Routers("lexical", None)
    options = ReduceOptions(profiles.load(profiles.DEFAULT_PROFILE), "lexical")

    def run(skill):
        oracle, source = build_oracle(skill, corpus, routers.for_skill(skill, corpus), options)
        desc = compress_description(skill, oracle, options.profile, source)
        body, items, labels, duplicates = _reduce_body(skill, oracle, desc.after, options)
        return search(skill, oracle, desc, body, items, labels, duplicates, options).body

    return run


def render(s: dict) -> str:
    shares = ", ".join(f"{k} {v:.1%}" for k, v in s["label_shares"].items())
    return "\n".join([
        f"## reduce bodies ({s['skills']} skills with bodies over 1,000 tokens{', an evenly spread sample' if s['sampled'] else ''}; classifier: {s['classifier']})",
        "",
        "| measure | value |",
        "|---|---|",
        f"| mean / median core-token cut | {s['mean_core_cut']:.1%} / {s['median_core_cut']:.1%} |",
        f"| mean / median expected-loaded cut | {s['mean_expected_loaded_cut']:.1%} / {s['median_expected_loaded_cut']:.1%} (read probabilities {s['read_probability']}) |",
        f"| gate pass rate | {s['gate_pass_rate']:.1%} ({s['fallbacks']} fell back to the original body) |",
        f"| promote-and-recheck rounds | {s['rounds']} |",
        f"| lost code blocks, URLs, inline code, numbers | {s['missing'] or 'none'} |",
        f"| item labels | {shares} |",
        f"| items labelled core that end up outside SKILL.md | {s['core_labelled_moved_out']:.1%} |",
        f"| seconds per skill (mean) | {s['seconds_per_skill']:.3f} |",
        f"| wall seconds | {s['wall_seconds']:.0f} |",
    ])


if __name__ == "__main__":
    main()
