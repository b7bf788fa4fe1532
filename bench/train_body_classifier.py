"""Train, evaluate and export the body-item classifier (skillreducer/body/classifier.py).

    python bench/train_body_classifier.py [--labels corpus/labels] [--seed 0] [--test-share 0.25]
        [--no-semantic] [--corpus ../shared/corpus/real | --no-corpus] [--semantic-sample 100]
        [--model rules/models/body-classifier.json] [--report bench/out/body_classifier.md]

Reads the labelled skills in corpus/labels/*.jsonl (format: corpus/labels/GUIDE.md), splits
them by skill (75/25, fixed seed: no skill has items on both sides), and on the training
split fits
  - the redundancy thresholds of `classifier.repeated` (word-shingle Jaccard of a near copy,
    content-word containment of a recap, embedding cosine of a paraphrase): each the best F1
    for "redundant" on the training items the rules before it leave;
  - the feature model: StandardScaler + LogisticRegression (multinomial, balanced class
    weights, C picked by grouped 5-fold cross-validation) over features.FEATURES for
    core/background/example/template;
  - the semantic model: the same over the features and the item's 384-d embedding.
On the held-out split it reports per-class precision/recall/F1 and the confusion matrix of
the heuristic (lint.actionability: actionable -> core, else background), the feature model
and the feature+embedding model, each after the redundancy pass. It exports both models
(scaler folded into the weights) with the thresholds and training metadata, and measures the
exported feature model on the real corpus: feature cost per item and predicted label shares.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from skillreducer import resources
from skillreducer.body import classifier
from skillreducer.body.features import FEATURES, body_features, lexicon_fingerprint
from skillreducer.body.items import LABELS, BodyItem, body_items
from skillreducer.lint.actionability import ITEM_KINDS, classify_items
from skillreducer.load import load_skill
from skillreducer.model import Skill

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "real"
MODEL_LABELS = tuple(label for label in LABELS if label != "redundant")  # redundant comes from the redundancy pass
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
# A near copy shares at least half its word shingles; the labelled redundant items are mostly
# paraphrased recaps, and an unbounded fit picks a threshold (~0.03) at which any shared
# 3-gram makes an item "redundant" (a third of the real corpus's items).
JACCARD_FLOOR = 0.5
# On the labelled data cosine does not separate restatements from items on the same topic
# (redundant items 0.3-0.88, others up to 1.0); below 0.9 the fit trades a few recaps for
# many false "redundant" on real skills.
COSINE_FLOOR = 0.9
FOLDS = 5
MAX_ITER = 5000
EMBEDDING_DIMENSIONS = 384


class LabelError(Exception):
    pass


@dataclass(frozen=True)
class LabelledSkill:
    name: str
    domain: str
    style: str
    items: tuple[BodyItem, ...]
    labels: tuple[str, ...]
    duplicates: tuple[int | None, ...]


def load_labels(folder: Path) -> list[LabelledSkill]:
    """Every labelled skill of folder/*.jsonl, sorted by name; LabelError says file:line of bad input."""
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise LabelError(f"{folder}: no *.jsonl label files")
    skills: dict[str, LabelledSkill] = {}
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                skill = _labelled_skill(json.loads(line))
            except (ValueError, KeyError, TypeError) as error:
                raise LabelError(f"{where}: {error}") from None
            if skill.name in skills:
                raise LabelError(f"{where}: skill {skill.name!r} appears twice")
            skills[skill.name] = skill
    return [skills[name] for name in sorted(skills)]


def _labelled_skill(record: dict[str, Any]) -> LabelledSkill:
    items, labels, duplicates = [], [], []
    for index, entry in enumerate(record["items"]):
        kind, label, text = entry["kind"], entry["label"], entry["text"]
        if kind not in ITEM_KINDS:
            raise ValueError(f"item {index}: kind {kind!r} is not one of {ITEM_KINDS}")
        if label not in LABELS:
            raise ValueError(f"item {index}: label {label!r} is not one of {LABELS}")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"item {index}: empty text")
        duplicate = entry.get("duplicates")
        if label == "redundant" and not (isinstance(duplicate, int) and 0 <= duplicate < index):
            raise ValueError(f"item {index}: redundant without the index of an earlier item")
        path = tuple(str(h) for h in entry["heading_path"])
        lines = text.count("\n")
        items.append(BodyItem(index, kind, text, 0, lines, path))
        labels.append(label)
        duplicates.append(duplicate if label == "redundant" else None)
    if not items:
        raise ValueError("a skill without items")
    return LabelledSkill(str(record["skill"]), str(record.get("domain", "")), str(record.get("style", "")), tuple(items), tuple(labels), tuple(duplicates))


def split(skills: Sequence[LabelledSkill], seed: int, test_share: float) -> tuple[list[LabelledSkill], list[LabelledSkill]]:
    """(train, test) by skill: a seeded shuffle of the names, the last `test_share` held out."""
    names = sorted(s.name for s in skills)
    random.Random(seed).shuffle(names)
    held_out = set(names[len(names) - max(1, round(len(names) * test_share)) :])
    return [s for s in skills if s.name not in held_out], [s for s in skills if s.name in held_out]


def feature_rows(skills: Sequence[LabelledSkill]) -> list[list[float]]:
    return [[row[name] for name in FEATURES] for skill in skills for row in body_features(skill.items)]


def labels_of(skills: Sequence[LabelledSkill]) -> list[str]:
    return [label for skill in skills for label in skill.labels]


def groups_of(skills: Sequence[LabelledSkill]) -> list[str]:
    return [skill.name for skill in skills for _ in skill.items]


def fit_model(x: np.ndarray, y: Sequence[str], groups: Sequence[str]) -> tuple[Pipeline, float]:
    """Scaler + multinomial logistic regression on the non-redundant items; C by grouped CV (macro F1)."""
    keep = np.array([label != "redundant" for label in y])
    x, y, groups = x[keep], np.array(y)[keep], np.array(groups)[keep]
    folds = list(GroupKFold(n_splits=min(FOLDS, len(set(groups)))).split(x, y, groups))
    best_c, best_score = C_GRID[0], -1.0
    for c in C_GRID:
        predicted = np.empty(len(y), dtype=object)
        for train_rows, test_rows in folds:
            predicted[test_rows] = _pipeline(c).fit(x[train_rows], y[train_rows]).predict(x[test_rows])
        score = f1_score(y, predicted.astype(str), average="macro", labels=list(MODEL_LABELS), zero_division=0)
        if score > best_score + 1e-12:
            best_c, best_score = c, score
    return _pipeline(best_c).fit(x, y), best_c


def _pipeline(c: float) -> Pipeline:
    # lbfgs fits the multinomial (softmax) loss for more than two classes.
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=MAX_ITER))


def export_linear(pipeline: Pipeline, inputs: Sequence[str]) -> dict[str, Any]:
    """Weights on the raw inputs: w / scale, intercept - w . (mean / scale)."""
    scaler, model = pipeline.named_steps["standardscaler"], pipeline.named_steps["logisticregression"]
    weights = model.coef_ / scaler.scale_
    intercepts = model.intercept_ - weights @ scaler.mean_
    labels = [str(c) for c in model.classes_]
    return {
        "inputs": list(inputs),
        "weights": {label: weights[row].tolist() for row, label in enumerate(labels)},
        "intercepts": {label: float(intercepts[row]) for row, label in enumerate(labels)},
        "C": float(model.C),
    }


def best_threshold(similarities: Sequence[float], redundant: Sequence[bool], floor: float = 0.0) -> tuple[float, float]:
    """(threshold, F1) maximising F1 of `similarity >= threshold` for redundant, the threshold at
    least `floor`; the highest among equals. 1.0 (identical only) when no redundant item reaches the floor."""
    candidates = sorted({s for s, r in zip(similarities, redundant) if r and s >= floor and s > 0}, reverse=True)
    best = (1.0, 0.0)
    positives = sum(redundant)
    for threshold in candidates:
        flagged = [s >= threshold for s in similarities]
        hits = sum(1 for f, r in zip(flagged, redundant) if f and r)
        f1 = 2 * hits / (sum(flagged) + positives)
        if f1 > best[1] + 1e-12:
            best = (threshold, f1)
    return best


def similarity(found: classifier.Overlap, measure: str, gates: dict[str, Any]) -> float:
    """The similarity `classifier.repeated` compares with the measure's threshold; 0 when a size gate stops it."""
    closest = getattr(found, measure)
    if closest is None or found.words < gates["redundant_min_words"] or (measure == "recap" and found.recap_words < gates["recap_min_words"]):
        return 0.0
    return closest[1]


def fit_thresholds(found: Sequence[classifier.Overlap], truth: Sequence[str], semantic: bool) -> tuple[dict[str, Any], dict[str, float]]:
    """The [body_classifier] thresholds, fitted in the order `classifier.repeated` applies them,
    each on the items the earlier ones leave, and the training F1 of each. Shingle size and the
    size gates are not fitted: they come from rules/limits.toml."""
    limits = resources.limits()["body_classifier"]
    gates = {key: limits[key] for key in ("shingle_words", "redundant_min_words", "recap_min_words")}
    thresholds: dict[str, Any] = {**gates}
    scores: dict[str, float] = {}
    stages = [("redundant_min_jaccard", "shingles", JACCARD_FLOOR), ("recap_min_containment", "recap", 0.0)]
    if semantic:
        stages.append(("redundant_min_cosine", "cosine", COSINE_FLOOR))
    left = list(range(len(truth)))
    for key, measure, floor in stages:
        values = [similarity(found[i], measure, gates) for i in left]
        thresholds[key], scores[key] = best_threshold(values, [truth[i] == "redundant" for i in left], floor)
        left = [i for i, value in zip(left, values) if value < thresholds[key]]
    return thresholds, scores


def predict_redundant(found: Sequence[classifier.Overlap], predicted: Sequence[str], thresholds: dict[str, Any]) -> list[str]:
    limits = {"redundant_min_cosine": 1.0, **thresholds}
    return ["redundant" if classifier.repeated(overlap, limits) else label for overlap, label in zip(found, predicted)]


def reconstruct(skill: LabelledSkill) -> tuple[str, list[tuple[int, int]]]:
    """A SKILL.md holding the labelled items under their headings, and each item's line span."""
    lines = ["---", f"name: {skill.name}", "description: A labelled skill rebuilt for the heuristic baseline.", "---", ""]
    current: tuple[str, ...] = ()
    spans = []
    for item in skill.items:
        path = item.heading_path
        if path != current:
            common = 0
            while common < min(len(path), len(current)) and path[common] == current[common]:
                common += 1
            if common == len(path) and path:
                common -= 1  # back in a parent section: repeat its heading to close the child
            for depth in range(common, len(path)):
                lines += ["#" * min(depth + 1, 6) + " " + path[depth], ""]
            current = path
        start = len(lines) + 1
        lines += item.text.split("\n")
        spans.append((start, len(lines)))
        lines.append("")
    return "\n".join(lines) + "\n", spans


def rebuilt(skills: Sequence[LabelledSkill]) -> Iterator[tuple[LabelledSkill, Skill, list[tuple[int, int]]]]:
    """Each labelled skill written back as a SKILL.md in a temporary folder and loaded, with
    the line span of each of its items."""
    with tempfile.TemporaryDirectory(prefix="body-labels-") as temporary:
        for skill in skills:
            folder = Path(temporary) / skill.name
            folder.mkdir()
            text, spans = reconstruct(skill)
            (folder / "SKILL.md").write_text(text, encoding="utf-8")
            yield skill, load_skill(folder), spans


def heuristic(skills: Sequence[LabelledSkill]) -> tuple[list[str], float]:
    """The actionability heuristic per labelled item (core when an actionable item starts inside it),
    and the share of labelled items that `body_items` reproduces from the rebuilt SKILL.md."""
    predicted: list[str] = []
    reproduced = total = 0
    for skill, loaded, spans in rebuilt(skills):
        actionable = [item.line for item in classify_items(loaded) if item.actionable]
        by_line = {item.line: item.text for item in body_items(loaded)}
        for item, (start, end) in zip(skill.items, spans):
            predicted.append("core" if any(start <= line <= end for line in actionable) else "background")
            reproduced += by_line.get(start) == item.text
            total += 1
    return predicted, reproduced / total


def evaluate(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=list(LABELS), zero_division=0)
    return {
        "per_class": {label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)} for label, p, r, f, s in zip(LABELS, precision, recall, f1, support)},
        "confusion": confusion_matrix(truth, predicted, labels=list(LABELS)).tolist(),
        "accuracy": float(np.mean([t == p for t, p in zip(truth, predicted)])),
        "macro_f1": float(f1_score(truth, predicted, labels=list(LABELS), average="macro", zero_division=0)),
    }


def embed_items(skills: Sequence[LabelledSkill]) -> list[np.ndarray]:
    """Per skill, the embeddings of its items (as the runtime computes them)."""
    texts = [classifier.embedding_text(item) for skill in skills for item in skill.items]
    vectors = np.asarray(classifier.embed(texts), dtype=np.float64)
    out, start = [], 0
    for skill in skills:
        out.append(vectors[start : start + len(skill.items)])
        start += len(skill.items)
    return out


def label_files(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16] for path in sorted(folder.glob("*.jsonl"))}


def train_feature_model(train: Sequence[LabelledSkill]) -> tuple[Pipeline, float]:
    return fit_model(np.array(feature_rows(train)), labels_of(train), groups_of(train))


def overlaps_of(skills: Sequence[LabelledSkill], shingle_words: int, vectors: Sequence[np.ndarray] | None = None) -> list[classifier.Overlap]:
    return [o for i, skill in enumerate(skills) for o in classifier.overlaps(skill.items, shingle_words, None if vectors is None else vectors[i])]


def train(labels_folder: Path, seed: int, test_share: float, semantic: bool) -> dict[str, Any]:
    """Everything the export and the report need."""
    skills = load_labels(labels_folder)
    train_skills, test_skills = split(skills, seed, test_share)
    shingle_words = int(resources.limits()["body_classifier"]["shingle_words"])
    train_truth, test_truth = labels_of(train_skills), labels_of(test_skills)
    thresholds, threshold_f1 = fit_thresholds(overlaps_of(train_skills, shingle_words), train_truth, semantic=False)
    test_overlaps = overlaps_of(test_skills, shingle_words)

    x_train, x_test = np.array(feature_rows(train_skills)), np.array(feature_rows(test_skills))
    feature_model, feature_c = fit_model(x_train, train_truth, groups_of(train_skills))
    feature_predicted = [str(p) for p in feature_model.predict(x_test)]
    heuristic_predicted, reproduced = heuristic(test_skills)
    results: dict[str, Any] = {
        "skills": skills,
        "train": train_skills,
        "test": test_skills,
        "thresholds": thresholds,
        "threshold_f1": threshold_f1,
        "feature_export": export_linear(feature_model, FEATURES),
        "feature_heldout": feature_predicted,
        "reproduced": reproduced,
        "evaluations": {
            "heuristic (actionable -> core)": evaluate(test_truth, heuristic_predicted),
            "feature model": evaluate(test_truth, predict_redundant(test_overlaps, feature_predicted, thresholds)),
        },
        "ablation": _defines_output_ablation(x_train, x_test, train_skills, test_skills, feature_c),
    }
    if semantic:
        train_vectors, test_vectors = embed_items(train_skills), embed_items(test_skills)
        semantic_thresholds, semantic_f1 = fit_thresholds(overlaps_of(train_skills, shingle_words, train_vectors), train_truth, semantic=True)
        semantic_model, _ = fit_model(np.hstack([x_train, np.vstack(train_vectors)]), train_truth, groups_of(train_skills))
        semantic_predicted = [str(p) for p in semantic_model.predict(np.hstack([x_test, np.vstack(test_vectors)]))]
        results["thresholds"]["redundant_min_cosine"] = semantic_thresholds["redundant_min_cosine"]
        results["threshold_f1"]["redundant_min_cosine"] = semantic_f1["redundant_min_cosine"]
        results.update(
            semantic_export=export_linear(semantic_model, (*FEATURES, *(f"e{i}" for i in range(EMBEDDING_DIMENSIONS)))),
            semantic_heldout=semantic_predicted,
        )
        test_semantic_overlaps = overlaps_of(test_skills, shingle_words, test_vectors)
        results["evaluations"]["feature + embedding model"] = evaluate(test_truth, predict_redundant(test_semantic_overlaps, semantic_predicted, results["thresholds"]))
    return results


def _defines_output_ablation(x_train, x_test, train_skills, test_skills, c: float) -> dict[str, Any]:
    """Recall of core code/table items (required-behaviour examples) with and without `defines_output`."""
    column = FEATURES.index("defines_output")
    train_truth, test_truth = labels_of(train_skills), labels_of(test_skills)
    keep = np.array([label != "redundant" for label in train_truth])
    without = _pipeline(c).fit(np.delete(x_train, column, axis=1)[keep], np.array(train_truth)[keep])
    with_feature = _pipeline(c).fit(x_train[keep], np.array(train_truth)[keep])
    kinds = [item.kind for skill in test_skills for item in skill.items]
    rows = [i for i, (label, kind) in enumerate(zip(test_truth, kinds)) if label == "core" and kind in ("code", "table")]
    fired = [i for i in rows if x_test[i, column]]
    if not rows:
        return {"items": 0}
    with_predicted = with_feature.predict(x_test[rows])
    without_predicted = without.predict(np.delete(x_test, column, axis=1)[rows])
    return {
        "items": len(rows),
        "fired": len(fired),
        "recall_with": float(np.mean(with_predicted == "core")),
        "recall_without": float(np.mean(without_predicted == "core")),
        "train_fired": {label: int(sum(1 for x, t in zip(x_train[:, column], train_truth) if x and t == label)) for label in LABELS},
    }


def export(results: dict[str, Any], labels_folder: Path, seed: int, test_share: float) -> dict[str, Any]:
    from collections import Counter

    def counts(skills):
        return dict(sorted(Counter(labels_of(skills)).items()))

    document: dict[str, Any] = {
        "format": classifier.MODEL_FORMAT,
        "labels": list(results["feature_export"]["weights"]),
        "features": list(FEATURES),
        "lexicon_fingerprint": lexicon_fingerprint(),
        "feature_model": results["feature_export"],
        "thresholds": results["thresholds"],
        "training": {
            "label_files": label_files(labels_folder),
            "split_seed": seed,
            "test_share": test_share,
            "skills": {"train": len(results["train"]), "test": len(results["test"])},
            "items": {"train": counts(results["train"]), "test": counts(results["test"])},
            "sklearn": sklearn.__version__,
            "heldout_skills": [s.name for s in results["test"]],
            "heldout_predictions": {"feature_model": results["feature_heldout"]},
        },
    }
    if "semantic_export" in results:
        document["semantic_model"] = {"embedding": "all-MiniLM-L6-v2", **results["semantic_export"]}
        document["training"]["heldout_predictions"]["semantic_model"] = results["semantic_heldout"]
    return document


def corpus_figures(corpus: Path, model: classifier.Model, limits: dict[str, Any], semantic_sample: int, seed: int) -> dict[str, Any]:
    """Feature cost per item (CPU time, best of 3 passes: other jobs share the machine) and
    predicted label shares over a corpus of skills."""
    from skillreducer.discover import discover

    skills = [load_skill(root) for root in discover([str(corpus)])]
    bodies = [body_items(skill) for skill in skills]
    items = sum(map(len, bodies))
    passes = []
    for _ in range(3):
        start = time.process_time()
        for body in bodies:
            body_features(body)
        passes.append(time.process_time() - start)
    start = time.process_time()
    typed = [classifier.classify(body, limits=limits, model=model) for body in bodies]
    classify_seconds = time.process_time() - start
    figures = {
        "skills": len(skills),
        "items": items,
        "feature_us_per_item": min(passes) / items * 1e6,
        "classify_us_per_item": classify_seconds / items * 1e6,
        "shares": _shares(bodies, typed),
    }
    if semantic_sample:
        chosen = sorted(random.Random(seed).sample(range(len(bodies)), min(semantic_sample, len(bodies))))
        sample = [bodies[i] for i in chosen if bodies[i]]
        figures["sample_skills"] = len(sample)
        figures["sample_shares_features"] = _shares(sample, [classifier.classify(b, limits=limits, model=model) for b in sample])
        figures["sample_shares_semantic"] = _shares(sample, [classifier.classify(b, semantic=True, limits=limits, model=model) for b in sample])
    return figures


def _shares(bodies, typed) -> dict[str, dict[str, float]]:
    by_items = {label: 0 for label in LABELS}
    by_chars = {label: 0 for label in LABELS}
    for body, types in zip(bodies, typed):
        for item, item_type in zip(body, types):
            by_items[item_type.label] += 1
            by_chars[item_type.label] += len(item.text)
    total_items, total_chars = sum(by_items.values()) or 1, sum(by_chars.values()) or 1
    return {"items": {k: v / total_items for k, v in by_items.items()}, "chars": {k: v / total_chars for k, v in by_chars.items()}}


def report(results: dict[str, Any], document: dict[str, Any], figures: dict[str, Any] | None, command: str) -> str:
    training = document["training"]
    out = [
        "# Body-item classifier: held-out evaluation",
        "",
        f"Command: `{command}`",
        "",
        f"Labelled data: {', '.join(f'{k} ({v})' for k, v in training['label_files'].items())}; "
        f"{len(results['skills'])} skills, {sum(len(s.items) for s in results['skills'])} items. "
        f"Split by skill (seed {training['split_seed']}, {1 - training['test_share']:.0%}/{training['test_share']:.0%}): "
        f"train {training['skills']['train']} skills / {sum(training['items']['train'].values())} items, "
        f"test {training['skills']['test']} skills / {sum(training['items']['test'].values())} items.",
        "",
        "| split | " + " | ".join(LABELS) + " |",
        "|---|" + "---|" * len(LABELS),
        *(f"| {name} | " + " | ".join(str(training["items"][name].get(label, 0)) for label in LABELS) + " |" for name in ("train", "test")),
        "",
        f"Labelled items that `body_items` reproduces exactly from a SKILL.md rebuilt from the held-out labels: {results['reproduced']:.1%}.",
        "",
        "## Thresholds (fitted on the training split)",
        "",
        *(f"- `{key} = {value:.4g}`" + (f" (F1 for redundant on the training items the earlier rules leave: {results['threshold_f1'][key]:.3f})" if key in results["threshold_f1"] else "")
          for key, value in results["thresholds"].items()),
    ]
    out.append(f"- C: feature model {document['feature_model']['C']}" + (f", feature + embedding model {document['semantic_model']['C']}" if "semantic_model" in document else "") + f" (grouped {FOLDS}-fold CV on train, macro F1, grid {list(C_GRID)})")
    out += ["", "## Held-out split (after the redundancy pass)", ""]
    for name, evaluation in results["evaluations"].items():
        out += [f"### {name}", "", f"accuracy {evaluation['accuracy']:.3f}, macro F1 {evaluation['macro_f1']:.3f}", "", "| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for label, row in evaluation["per_class"].items():
            out.append(f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |")
        out += ["", "Confusion (rows: label, columns: predicted):", "", "| | " + " | ".join(LABELS) + " |", "|---|" + "---|" * len(LABELS)]
        out += [f"| {label} | " + " | ".join(map(str, row)) + " |" for label, row in zip(LABELS, evaluation["confusion"])]
        out.append("")
    ablation = results["ablation"]
    if ablation.get("items"):
        out += [
            "## Required-behaviour examples (`defines_output` feature)",
            "",
            f"Held-out code/table items labelled core: {ablation['items']} ({ablation['fired']} with `defines_output`). "
            f"Recall as core: {ablation['recall_with']:.3f} with the feature, {ablation['recall_without']:.3f} without it (same C). "
            f"Training items where it fires, by label: {ablation['train_fired']}.",
            "",
        ]
    weights = document["feature_model"]["weights"]
    out += ["## Feature model weights (on raw feature values)", "", "| feature | " + " | ".join(weights) + " |", "|---|" + "---|" * len(weights)]
    out += [f"| {name} | " + " | ".join(f"{weights[label][i]:+.2f}" for label in weights) + " |" for i, name in enumerate(FEATURES)]
    out.append("| (intercept) | " + " | ".join(f"{document['feature_model']['intercepts'][label]:+.2f}" for label in weights) + " |")
    if figures:
        out += [
            "",
            "## Real corpus (exported feature model)",
            "",
            f"{figures['skills']} skills, {figures['items']} items. Features: {figures['feature_us_per_item']:.1f} µs CPU per item (best of 3 passes); "
            f"classify (features + model + redundancy pass): {figures['classify_us_per_item']:.1f} µs CPU per item.",
            "",
            "| share | " + " | ".join(LABELS) + " |",
            "|---|" + "---|" * len(LABELS),
            "| method's crawl, by items | ~40% | 40.7% | 12.9% | 7.6% | 0.3% |",
        ]
        out += [f"| predicted, by {unit} | " + " | ".join(f"{figures['shares'][unit][label]:.1%}" for label in LABELS) + " |" for unit in ("items", "chars")]
        if "sample_shares_semantic" in figures:
            out += ["", f"Sample of {figures['sample_skills']} skills (seeded), by items:", "", "| model | " + " | ".join(LABELS) + " |", "|---|" + "---|" * len(LABELS)]
            for name, key in (("feature", "sample_shares_features"), ("feature + embedding", "sample_shares_semantic")):
                out.append(f"| {name} | " + " | ".join(f"{figures[key]['items'][label]:.1%}" for label in LABELS) + " |")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=ROOT / "corpus" / "labels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--test-share", type=float, default=0.25)
    parser.add_argument("--no-semantic", action="store_true", help="skip the feature + embedding model")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="real skills for feature cost and label shares")
    parser.add_argument("--no-corpus", action="store_true", help="skip the real-corpus figures")
    parser.add_argument("--semantic-sample", type=int, default=100, help="skills of --corpus classified with the semantic model too")
    parser.add_argument("--model", type=Path, default=ROOT / "rules" / classifier.MODEL_PATH)
    parser.add_argument("--report", type=Path, default=HERE / "out" / "body_classifier.md")
    args = parser.parse_args()
    if not 0 < args.test_share < 1:
        parser.error("--test-share must be between 0 and 1")
    if not args.no_corpus and not args.corpus.is_dir():
        parser.error(f"corpus not found: {args.corpus} (or pass --no-corpus)")
    try:
        results = train(args.labels, args.seed, args.test_share, not args.no_semantic)
    except LabelError as error:
        print(f"train_body_classifier: {error}", file=sys.stderr)
        return 2
    document = export(results, args.labels, args.seed, args.test_share)
    args.model.parent.mkdir(parents=True, exist_ok=True)
    args.model.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    figures = None
    if not args.no_corpus:
        limits = {"body_classifier": {**resources.limits()["body_classifier"], **document["thresholds"]}}
        semantic_sample = 0 if args.no_semantic else args.semantic_sample
        figures = corpus_figures(args.corpus, classifier.model_from_json(document, str(args.model)), limits, semantic_sample, args.seed)
    command = "python bench/train_body_classifier.py " + " ".join(sys.argv[1:])
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report(results, document, figures, command.strip()), encoding="utf-8")
    print(args.report.read_text(encoding="utf-8"))
    print(f"wrote {args.model} and {args.report}; copy the thresholds above into [body_classifier] of rules/limits.toml if they changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
