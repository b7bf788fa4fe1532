"""Where the heuristic actionability check (lint.actionability) is wrong, and what the gate
promotes because of it.

    python bench/gate_promotions.py [--labels corpus/labels] [--corpus ../shared/corpus/real | --no-corpus]
        [--examples N] [--model rules/models/body-classifier.json] [--report bench/out/gate_promotions.md]

1. Labelled items (corpus/labels/*.jsonl, rebuilt into SKILL.md files as
   bench/train_body_classifier.py does; a labelled item is "actionable" when an actionable
   heuristic item starts inside it): per label file and for the fit files (set-a, set-b)
   against the report file (set-c), and for the held-out split of train_body_classifier
   (seed 0, 25%), the precision and recall of "actionable" for the label core, the
   confusion, and the false instructions (actionable, labelled otherwise) by the cue that
   decided them. `--examples N` prints up to N false instructions per cue from the FIT files
   only, to read; the report file's items are never printed.
2. Held-out labelled skills (those rules/models/body-classifier.json was not fitted on): the
   items the gate would promote (the model moves them out of core, the heuristic calls them
   instructions) by label, and the labelled instructions the model moves out that the gate
   keeps or misses; also for the held-out skills of set-c alone.
3. Real corpus (skills with bodies over 1,000 tokens, as bench/reduce_bodies.py): the items
   the gate promotes into core, by the check that blamed them and, for the actionable check,
   by the heuristic cue, as counts and as a share of all body tokens.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from train_body_classifier import LabelledSkill, load_labels, rebuilt, split  # noqa: E402

from skillreducer import tokens  # noqa: E402
from skillreducer.lint.actionability import Item, classify_items  # noqa: E402
from skillreducer.load import load_skill  # noqa: E402

FIT_FILES = ("set-a.jsonl", "set-b.jsonl")
REPORT_FILES = ("set-c.jsonl",)
CUE_KINDS = (
    ("imperative", "imperative at start"),
    ("modal", "modal"),
    ("second-person", "second person"),
    ("conditional", "conditional"),
    ("numbered step", "numbered step"),
    ("checklist", "checklist item"),
    ("under an instruction heading", "instruction heading"),
    ("table", "table"),
    ("command", "command block"),
)


def cue_kind(cue: str) -> str:
    """The family of a heuristic cue string ("modal 'must'" -> "modal")."""
    for prefix, name in CUE_KINDS:
        if cue.startswith(prefix):
            return name
    return cue or "none"


def labels_by_file(folder: Path) -> dict[str, list[LabelledSkill]]:
    """Each label file's skills (load_labels checks the names are unique across files)."""
    skills = {s.name: s for s in load_labels(folder)}
    out: dict[str, list[LabelledSkill]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        names = [json.loads(line)["skill"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        out[path.name] = [skills[name] for name in names]
    return out


def heuristic_calls(skills: Sequence[LabelledSkill]) -> list[tuple[str, str, str, LabelledSkill, int]]:
    """(label, "core"|"other", deciding cue, skill, item index) per labelled item: the cue of the
    first actionable heuristic item inside it, else of its first item."""
    out = []
    for skill, loaded, spans in rebuilt(skills):
        found = classify_items(loaded)
        for index, (label, (start, end)) in enumerate(zip(skill.labels, spans)):
            inside = [item for item in found if start <= item.line <= end]
            actionable = [item for item in inside if item.actionable]
            decided = (actionable or inside or [Item("", "", 0, 0)])[0]
            out.append((label, "core" if actionable else "other", decided.cue, skill, index))
    return out


def _prf(calls: Iterable[tuple[str, str, str, LabelledSkill, int]]) -> tuple[float, float, int, int, int]:
    true_positive = false_positive = false_negative = 0
    for label, called, *_ in calls:
        if called == "core":
            true_positive += label == "core"
            false_positive += label != "core"
        elif label == "core":
            false_negative += 1
    precision = true_positive / ((true_positive + false_positive) or 1)
    recall = true_positive / ((true_positive + false_negative) or 1)
    return precision, recall, true_positive, false_positive, false_negative


def label_section(groups: dict[str, list[LabelledSkill]], fit_names: set[str], examples: int) -> list[str]:
    out = ["## The heuristic against the labels", "", "Actionable = core; precision and recall of core.", "",
           "| items | precision | recall | true core | false core | missed core |", "|---|---|---|---|---|---|"]
    calls_of = {name: heuristic_calls(skills) for name, skills in groups.items()}
    for name, calls in calls_of.items():
        p, r, tp, fp, fn = _prf(calls)
        out.append(f"| {name} | {p:.3f} | {r:.3f} | {tp} | {fp} | {fn} |")
    out.append("")
    for name, calls in calls_of.items():
        out += [f"### {name}: confusion (rows: label)", "", "| label | actionable | not |", "|---|---|---|"]
        table: dict[str, Counter] = defaultdict(Counter)
        for label, called, *_ in calls:
            table[label][called] += 1
        out += [f"| {label} | {row['core']} | {row['other']} |" for label, row in sorted(table.items())]
        out += ["", "False instructions by cue (labelled non-core, called actionable), and true ones:", "",
                "| cue | false | true | precision | false by label |", "|---|---|---|---|---|"]
        false_by: dict[str, Counter] = defaultdict(Counter)
        true_by: Counter = Counter()
        for label, called, cue, *_ in calls:
            if called != "core":
                continue
            if label == "core":
                true_by[cue_kind(cue)] += 1
            else:
                false_by[cue_kind(cue)][label] += 1
        for kind in sorted(set(false_by) | set(true_by), key=lambda k: -sum(false_by[k].values())):
            false = sum(false_by[kind].values())
            out.append(f"| {kind} | {false} | {true_by[kind]} | {true_by[kind] / ((true_by[kind] + false) or 1):.2f} | {dict(false_by[kind])} |")
        out += ["", "Missed instructions (labelled core, not actionable) by the cue that decided:", ""]
        missed = Counter(cue_kind(cue) if cue else "none" for label, called, cue, *_ in calls if label == "core" and called != "core")
        out.append(", ".join(f"{k} {v}" for k, v in missed.most_common()) or "none")
        out.append("")
    if examples:
        fit_calls = [c for name, calls in calls_of.items() if name in fit_names for c in calls]
        shown: Counter = Counter()
        out += ["## False instructions in the fit files (to read)", ""]
        for label, called, cue, skill, index in fit_calls:
            kind = cue_kind(cue)
            if called == "core" and label != "core" and shown[kind] < examples:
                shown[kind] += 1
                text = " ".join(skill.items[index].text.split())[:220]
                out.append(f"- [{kind}: {cue}] ({label}; {' > '.join(skill.items[index].heading_path[1:])}) {text}")
        out.append("")
    return out


def promotion_section(files: dict[str, list[LabelledSkill]], model_path: Path) -> list[str]:
    """What the gate would promote on labelled skills no model saw: the items the exported
    feature model moves out of core (its held-out predictions, before the redundancy pass)
    that the heuristic calls instructions, by their label; and the labelled instructions the
    model moves out, caught by the heuristic or not."""
    training = json.loads(model_path.read_text(encoding="utf-8"))["training"]
    predicted = training["heldout_predictions"]["feature_model"]
    by_name = {s.name: s for skills in files.values() for s in skills}
    report_names = {s.name for name in REPORT_FILES for s in files.get(name, [])}
    out = ["## What the gate would promote on held-out labelled skills", "",
           f"The feature model's held-out predictions ({model_path.name}); an item is promoted when the model moves it out of core and the heuristic calls it an instruction.", "",
           "| skills | promoted | of them labelled core | labelled core the model moves out: kept by the gate / missed |", "|---|---|---|---|"]
    rows: dict[str, tuple[Counter, Counter]] = {"held-out split": (Counter(), Counter()), "held-out skills of " + " + ".join(REPORT_FILES): (Counter(), Counter())}
    position = 0
    for name in training["heldout_skills"]:
        skill = by_name[name]
        predictions = predicted[position : position + len(skill.items)]
        position += len(skill.items)
        for (label, called, *_), prediction in zip(heuristic_calls([skill]), predictions):
            for key, (promoted, moved_core) in rows.items():
                if key != "held-out split" and name not in report_names:
                    continue
                if prediction != "core" and called == "core":
                    promoted[label] += 1
                if label == "core" and prediction != "core":
                    moved_core[called] += 1
    if position != len(predicted):
        raise SystemExit(f"{model_path}: held-out predictions do not match the labelled items; retrain or pass matching --labels")
    for key, (promoted, moved_core) in rows.items():
        total = sum(promoted.values())
        out.append(f"| {key} | {total} ({dict(sorted(promoted.items()))}) | {promoted['core']} ({promoted['core'] / (total or 1):.0%}) | {moved_core['core']} / {moved_core['other']} |")
    return out + [""]


def corpus_section(corpus: Path) -> list[str]:
    from skillreducer.body.classifier import classify
    from skillreducer.body.items import body_items
    from skillreducer.discover import discover
    from skillreducer.reduce.gate import check_faithfulness, reduce_body
    from skillreducer.reduce.restructure import restructure

    body_tokens = 0
    skills = 0
    by_check: Counter = Counter()
    by_check_tokens: Counter = Counter()
    by_cue: Counter = Counter()
    by_cue_tokens: Counter = Counter()
    by_word: Counter = Counter()
    by_item_kind: Counter = Counter()
    for folder in discover([str(corpus)]):
        skill = load_skill(Path(folder))
        if skill.body_tokens <= 1000:
            continue
        skills += 1
        body_tokens += tokens.count(skill.body)
        items = body_items(skill)
        types = classify(items)
        labels = [t.label for t in types]
        duplicates = {i: t.duplicates for i, t in enumerate(types) if t.label == "redundant" and t.duplicates is not None}
        result = reduce_body(skill, items, labels, duplicates)
        if not result.promoted:
            continue
        # The first round's failures say why each item was promoted (later rounds add few).
        first = check_faithfulness(skill, items, restructure(skill, items, labels, duplicates))
        checks: dict[int, str] = {}
        for failure in first.failures:
            if failure.item is not None:
                checks.setdefault(failure.item, failure.check)
        found = classify_items(skill)
        for index in sorted(result.promoted):
            item = items[index]
            size = tokens.count(item.text)
            check = checks.get(index, "later round")
            by_check[check] += 1
            by_check_tokens[check] += size
            if check != "actionable":
                continue
            cue = next((f.cue for f in found if f.actionable and item.line <= f.line <= item.end_line), "")
            by_cue[cue_kind(cue)] += 1
            by_cue_tokens[cue_kind(cue)] += size
            by_word[cue] += 1
            by_item_kind[(labels[index], item.kind)] += size
    out = [f"## Real corpus: what the gate promotes ({skills} skills with bodies over 1,000 tokens, {body_tokens} body tokens)", "",
           "| blamed by | items | tokens | share of body tokens |", "|---|---|---|---|"]
    out += [f"| {check} | {n} | {by_check_tokens[check]} | {by_check_tokens[check] / body_tokens:.1%} |" for check, n in by_check.most_common()]
    out += ["", "Promoted by the actionable check, by heuristic cue:", "", "| cue | items | tokens | share of body tokens |", "|---|---|---|---|"]
    out += [f"| {cue} | {n} | {by_cue_tokens[cue]} | {by_cue_tokens[cue] / body_tokens:.1%} |" for cue, n in by_cue.most_common()]
    out += ["", "By the classifier's label and item kind (tokens):", ""]
    out.append(", ".join(f"{label}/{kind} {n}" for (label, kind), n in by_item_kind.most_common()))
    out += ["", "Most frequent cues:", "", ", ".join(f"{cue} {n}" for cue, n in by_word.most_common(30)), ""]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=ROOT / "corpus" / "labels")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "real")
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("--examples", type=int, default=0, help="false instructions to print per cue, fit files only")
    parser.add_argument("--model", type=Path, default=ROOT / "rules" / "models" / "body-classifier.json", help="exported classifier whose held-out predictions say what moves")
    parser.add_argument("--report", type=Path, default=HERE / "out" / "gate_promotions.md")
    args = parser.parse_args()
    if not args.no_corpus and not args.corpus.is_dir():
        parser.error(f"corpus not found: {args.corpus} (or pass --no-corpus)")
    files = labels_by_file(args.labels)
    groups = dict(files)
    groups["fit (" + " + ".join(FIT_FILES) + ")"] = [s for name in FIT_FILES for s in files.get(name, [])]
    groups["report (" + " + ".join(REPORT_FILES) + ")"] = [s for name in REPORT_FILES for s in files.get(name, [])]
    _, held_out = split([s for skills in files.values() for s in skills], seed=0, test_share=0.25)
    groups["held-out split of train_body_classifier (seed 0, 25%)"] = held_out
    fit_names = {name for name in groups if name in FIT_FILES}
    lines = ["# Gate promotions and the heuristic's false instructions", "", "Command: `python bench/gate_promotions.py " + " ".join(sys.argv[1:]) + "`", ""]
    lines += label_section(groups, fit_names, args.examples)
    lines += promotion_section(files, args.model)
    if not args.no_corpus:
        lines += corpus_section(args.corpus)
    text = "\n".join(lines) + "\n"
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
