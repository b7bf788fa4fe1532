"""The body-item classifier: features on hand cases, the redundancy pass, the exported model
against scikit-learn and a fresh training run, and a skill on disk end to end."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skillreducer import resources
from skillreducer.body import classifier
from skillreducer.body.classifier import ItemType, ModelError, classify, classify_skill, model_from_json, overlaps, repeated
from skillreducer.body.features import FEATURES, body_features, body_vectors
from skillreducer.body.items import LABELS, BodyItem, body_items
from skillreducer.load import load_skill

ROOT = Path(__file__).resolve().parents[1]
LABELS_DIR = ROOT / "corpus" / "labels"


def _load_trainer():
    spec = importlib.util.spec_from_file_location("train_body_classifier", ROOT / "bench" / "train_body_classifier.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


trainer = _load_trainer()


def body(*entries: tuple[str, str] | tuple[str, str, tuple[str, ...]]) -> list[BodyItem]:
    """Items from (kind, text[, heading path]) in order."""
    items = []
    for index, entry in enumerate(entries):
        kind, text, path = (*entry, ("Skill",))[:3]
        items.append(BodyItem(index, kind, text, index * 3 + 1, index * 3 + 1 + text.count("\n"), path))
    return items


@pytest.fixture(scope="module")
def exported() -> dict:
    return json.loads(classifier.model_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def split():
    skills = trainer.load_labels(LABELS_DIR)
    document = json.loads(classifier.model_path().read_text(encoding="utf-8"))
    meta = document["training"]
    return trainer.split(skills, meta["split_seed"], meta["test_share"])


# ---------------------------------------------------------------- features on hand cases

FENCE = "```"
# feature -> (body of the positive case, body of the counter-example); the last item of each is measured.
CASES: dict[str, tuple[list[BodyItem], list[BodyItem]]] = {
    "kind_paragraph": (body(("paragraph", "Some words here.")), body(("list-item", "- Some words here."))),
    "kind_list_item": (body(("list-item", "- Some words here.")), body(("paragraph", "Some words here."))),
    "kind_code": (body(("code", f"{FENCE}\nx = 1\n{FENCE}")), body(("paragraph", "x is one."))),
    "kind_table": (body(("table", "| a | b |\n|---|---|\n| 1 | 2 |")), body(("paragraph", "a and b."))),
    "kind_blockquote": (body(("blockquote", "> Quoted words.")), body(("paragraph", "Quoted words."))),
    "imperative_start": (body(("paragraph", "Run the tests before you push.")), body(("paragraph", "Test files are kept in a folder."))),
    "imperative_share": (body(("paragraph", "Run the tests. Then commit.")), body(("paragraph", "The tests are slow. They run nightly."))),
    "modal": (body(("paragraph", "The output must be valid JSON.")), body(("paragraph", "The output is valid JSON."))),
    "prohibition": (body(("paragraph", "Never commit secrets.")), body(("paragraph", "Commit the lock file."))),
    "second_person": (body(("paragraph", "Then your branch is ready.")), body(("paragraph", "Then the branch is ready."))),
    "agent_obligation": (body(("paragraph", "The agent should ask before deleting files.")), body(("paragraph", "The agent deleted files last week."))),
    "conditional": (body(("paragraph", "If the build fails, run the linter first.")), body(("paragraph", "If the build fails, the linter is the cause."))),
    "checklist": (body(("list-item", "- [ ] Tests pass.")), body(("list-item", "- Tests pass."))),
    "numbered": (body(("list-item", "2. Tests pass.")), body(("list-item", "- Tests pass."))),
    "question": (body(("paragraph", "Why is the build slow?")), body(("paragraph", "The build is slow."))),
    "quoted": (body(("paragraph", 'A user might say "make my slides look better" here.')), body(("paragraph", "A user might ask for better slides."))),
    "code_share": (body(("paragraph", "Run `make test` and `make lint`.")), body(("paragraph", "Run the tests and the linter."))),
    "placeholder": (body(("code", f"{FENCE}yaml\nname: <project-name>\n{FENCE}")), body(("code", f"{FENCE}yaml\nname: billing\n{FENCE}"))),
    "example_cue": (body(("paragraph", "For instance, a dry run prints the plan.")), body(("paragraph", "A dry run prints the plan."))),
    "template_cue": (body(("paragraph", "Copy this starter config into the repository.")), body(("paragraph", "This config lives in the repository."))),
    "io_cue": (body(("paragraph", "Input: a CSV file.")), body(("paragraph", "It reads a CSV file."))),
    "background_cue": (body(("paragraph", "Terraform is a tool developed by HashiCorp.")), body(("paragraph", "Terraform runs in CI."))),
    "history_cue": (body(("paragraph", "The flag was deprecated in version 2.")), body(("paragraph", "Pass the flag."))),
    "has_link": (body(("paragraph", "See [the docs](https://example.org/docs).")), body(("paragraph", "See the docs."))),
    "heading_example": (body(("paragraph", "Text.", ("Skill", "Examples"))), body(("paragraph", "Text.", ("Skill", "Deploy")))),
    "heading_background": (body(("paragraph", "Text.", ("Skill", "Background"))), body(("paragraph", "Text.", ("Skill", "Deploy")))),
    "heading_template": (body(("paragraph", "Text.", ("Skill", "PR template"))), body(("paragraph", "Text.", ("Skill", "Deploy")))),
    "heading_core": (body(("paragraph", "Text.", ("Skill", "Workflow"))), body(("paragraph", "Text.", ("Skill", "Deploy")))),
    "heading_output": (body(("paragraph", "Text.", ("Skill", "Output format"))), body(("paragraph", "Text.", ("Skill", "Deploy")))),
    "rule_table": (body(("table", "| Do | Don't |\n|---|---|\n| a | b |")), body(("table", "| Name | Size |\n|---|---|\n| a | 1 |"))),
    "position": (body(("paragraph", "First."), ("paragraph", "Last.")), body(("paragraph", "Only."))),
    "log_chars": (body(("paragraph", "A longer paragraph with quite a few more words in it.")), body(("paragraph", "Short."))),
    "log_sentences": (body(("paragraph", "One. Two. Three.")), body(("paragraph", "One."))),
    "colon_code": (body(("code", f"Run the tests:\n{FENCE}bash\nmake test\n{FENCE}")), body(("code", f"{FENCE}bash\nmake test\n{FENCE}"))),
    "command_block": (body(("code", f"{FENCE}bash\nmake test\n{FENCE}")), body(("code", f"{FENCE}python\nprint(1)\n{FENCE}"))),
    "defines_output": (
        body(("code", f"Your reply must use exactly this format:\n{FENCE}\nSTATUS: ok\n{FENCE}")),
        body(("code", f"A reply might look like this:\n{FENCE}\nSTATUS: ok\n{FENCE}")),
    ),
}
CONTINUOUS = {"imperative_share", "code_share", "position", "log_chars", "log_sentences"}


def test_every_feature_has_a_hand_case():
    assert set(CASES) == set(FEATURES)


@pytest.mark.parametrize("name", FEATURES)
def test_feature_fires_on_its_case_only(name):
    positive, negative = CASES[name]
    fired, counter = body_features(positive)[-1][name], body_features(negative)[-1][name]
    assert fired > counter, (name, fired, counter)
    if name not in CONTINUOUS:
        assert counter == 0.0, (name, counter)


def test_defines_output_reads_the_colon_sentence_before_a_bare_fence_and_the_heading():
    items = body(("paragraph", "The report must follow this schema:"), ("code", f"{FENCE}json\n{{}}\n{FENCE}"))
    assert body_features(items)[1]["defines_output"] == 1.0
    under_heading = body(("code", f"{FENCE}\nSTATUS: ok\n{FENCE}", ("Skill", "Output format")))
    assert body_features(under_heading)[0]["defines_output"] == 1.0
    prose_only = body(("paragraph", "The report must be short.", ("Skill", "Output format")))
    assert body_features(prose_only)[0]["defines_output"] == 0.0  # not code: the modal feature covers it


def test_features_are_named_floats_for_every_item():
    items = body(("paragraph", "Hello."), ("code", f"{FENCE}\nx\n{FENCE}"), ("table", "| a |\n|---|\n| b |"))
    rows = body_features(items)
    assert len(rows) == 3
    assert all(list(row) == list(FEATURES) and all(isinstance(v, float) for v in row.values()) for row in rows)
    assert body_features([]) == []


# ---------------------------------------------------------------- redundancy

THRESHOLDS = {
    "shingle_words": 3,
    "redundant_min_jaccard": 0.6,
    "redundant_min_words": 4,
    "recap_min_containment": 0.5,
    "recap_min_words": 3,
    "redundant_min_cosine": 0.9,
}


def decide(items, thresholds=THRESHOLDS, vectors=None):
    return [repeated(o, thresholds) for o in overlaps(items, thresholds["shingle_words"], vectors)]


def test_exact_and_near_copies_point_at_the_earlier_item():
    items = body(
        ("paragraph", "Run the full test suite before opening a pull request."),
        ("paragraph", "Deploy with the release script."),
        ("list-item", "- Run the full test suite before opening a pull request."),  # marker ignored
        ("paragraph", "Run the full test suite before opening a pull request, always."),
    )
    found = decide(items)
    assert found[0] is None and found[1] is None
    assert found[2] == (0, 1.0)
    assert found[3] is not None and found[3][0] in (0, 2) and 0.6 <= found[3][1] < 1.0
    assert found[3][0] == 0  # equally close to 0 and 2: the earliest wins


def test_not_redundant_when_numbers_differ_or_items_are_short_labels():
    items = body(
        ("list-item", "- Pricing: +15% vs. base"),
        ("list-item", "- Pricing: -15% vs. base"),
        ("paragraph", "**Steps:**"),
        ("paragraph", "**Steps:**"),
    )
    assert decide(items) == [None, None, None, None]


def test_a_recap_restating_an_earlier_rule_is_redundant():
    items = body(
        ("paragraph", "Never commit `.env` files or API tokens to the repository."),
        ("paragraph", "Deploys go through the release pipeline."),
        ("paragraph", "Remember: no `.env` files or tokens in the repository."),
        ("paragraph", "Remember: the staging cluster is shared with the data team."),  # a cue, but nothing restated
        ("list-item", "- Release pipeline for every deploy", ("Skill", "Summary")),  # a recap heading
    )
    found = decide(items)
    assert found[2] is not None and found[2][0] == 0
    assert found[3] is None
    assert found[4] is not None and found[4][0] == 1
    without_cue = body(("paragraph", items[0].text), ("paragraph", "No `.env` files or tokens in the repository, ever."))
    assert decide(without_cue)[1] is None  # a paraphrase without a recap cue needs the semantic pass


def test_cosine_arm_uses_the_vectors():
    items = body(("paragraph", "Alpha beta gamma delta."), ("paragraph", "Epsilon zeta eta theta."), ("paragraph", "Iota kappa lambda mu."))
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.96, 0.28]])
    found = decide(items, vectors=vectors)
    assert found[:2] == [None, None]
    assert found[2] is not None and found[2][0] == 0 and found[2][1] == pytest.approx(0.96)
    assert decide(items) == [None, None, None]


def test_classify_marks_redundant_items_with_their_source():
    items = body(
        ("paragraph", "Run the full test suite before opening a pull request."),
        ("paragraph", "Run the full test suite before opening a pull request."),
    )
    types = classify(items)
    assert types[1] == ItemType("redundant", 1.0, 0)
    assert types[0].label != "redundant" and types[0].duplicates is None


# ---------------------------------------------------------------- the exported model

def test_limits_hold_the_fitted_thresholds(exported):
    limits = resources.limits()["body_classifier"]
    for key, value in exported["thresholds"].items():
        assert limits[key] == pytest.approx(value, abs=1e-4), key


def test_model_was_trained_on_the_committed_labels(exported):
    assert exported["training"]["label_files"] == trainer.label_files(LABELS_DIR)
    assert exported["features"] == list(FEATURES)
    assert set(exported["labels"]) == set(LABELS) - {"redundant"}


def test_split_is_by_skill_and_seeded(split):
    train, test = split
    assert not {s.name for s in train} & {s.name for s in test}
    assert 0.2 < len(test) / (len(train) + len(test)) < 0.3
    again = trainer.split(list(reversed(train + test)), 0, 0.25)
    assert {s.name for s in again[1]} == {s.name for s in test}  # input order does not matter
    assert {s.name for s in trainer.split(train + test, 1, 0.25)[1]} != {s.name for s in test}  # the seed does


def test_fresh_training_reproduces_the_export_and_runtime_equals_sklearn(split, exported):
    train, test = split
    pipeline, _ = trainer.train_feature_model(train)
    fresh = trainer.export_linear(pipeline, FEATURES)
    saved = exported["feature_model"]
    assert fresh["C"] == saved["C"]
    for label in saved["weights"]:
        np.testing.assert_allclose(fresh["weights"][label], saved["weights"][label], rtol=1e-6, atol=1e-9)
        assert fresh["intercepts"][label] == pytest.approx(saved["intercepts"][label], rel=1e-6, abs=1e-9)
    sklearn_predicted = [str(p) for p in pipeline.predict(np.array(trainer.feature_rows(test)))]
    model = classifier.load_model()
    runtime = []
    for skill in test:
        for row in body_vectors(skill.items):
            scores = model.features.scores(row)
            runtime.append(model.features.labels[int(np.argmax(scores))])
    assert runtime == sklearn_predicted
    assert runtime == exported["training"]["heldout_predictions"]["feature_model"]
    assert exported["training"]["heldout_skills"] == [s.name for s in test]


def test_fitted_thresholds_reproduce(split, exported):
    train, _ = split
    thresholds, _ = trainer.fit_thresholds(trainer.overlaps_of(train, exported["thresholds"]["shingle_words"]), trainer.labels_of(train), semantic=False)
    for key, value in thresholds.items():
        assert exported["thresholds"][key] == pytest.approx(value), key


def test_semantic_runtime_equals_the_exported_predictions(split, exported):
    """classify(semantic=True) per skill gives sklearn's labels (stored at export) on every item the redundancy pass leaves."""
    pytest.importorskip("sentence_transformers")
    _, test = split
    expected = iter(exported["training"]["heldout_predictions"]["semantic_model"])
    compared = 0
    for skill in test:
        for item_type in classify(skill.items, semantic=True):
            label = next(expected)
            if item_type.label != "redundant":
                assert item_type.label == label
                compared += 1
    assert next(expected, None) is None
    assert compared > 0.9 * sum(len(s.items) for s in test)


def test_stale_or_malformed_model_is_a_clear_error(exported):
    stale = {**exported, "features": exported["features"][:-1]}
    with pytest.raises(ModelError, match="retrain"):
        model_from_json(stale)
    with pytest.raises(ModelError, match="malformed"):
        model_from_json({**exported, "feature_model": {"inputs": list(FEATURES), "weights": {}, "intercepts": {}}})
    with pytest.raises(ModelError, match="format"):
        model_from_json({**exported, "format": 99})
    with pytest.raises(ModelError, match="malformed"):
        model_from_json([1, 2])


def test_feature_model_inputs_out_of_order_are_a_clear_error(exported):
    # The runtime multiplies feature values in FEATURES order, so the exported inputs must be in it.
    part = exported["feature_model"]
    swapped = {**part, "inputs": [part["inputs"][1], part["inputs"][0], *part["inputs"][2:]]}
    with pytest.raises(ModelError, match="inputs are not the features in order"):
        model_from_json({**exported, "feature_model": swapped})
    assert model_from_json(exported).features.inputs == FEATURES


def test_bad_label_files_name_file_and_line(tmp_path):
    good = {"skill": "s", "items": [{"heading_path": ["S"], "kind": "paragraph", "text": "Run it.", "label": "core"}]}
    bad = {"skill": "t", "items": [{"heading_path": ["T"], "kind": "paragraph", "text": "Again.", "label": "redundant"}]}
    (tmp_path / "x.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(trainer.LabelError, match=r"x\.jsonl:2: .*redundant without"):
        trainer.load_labels(tmp_path)
    (tmp_path / "x.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(trainer.LabelError, match=r"x\.jsonl:1: "):
        trainer.load_labels(tmp_path)


# ---------------------------------------------------------------- a skill on disk

SKILL = f"""\
---
name: release-notes
description: Writes release notes from merged pull requests when the user asks for a changelog.
---
# Release notes

## Background

Release notes were written by hand until 2021, which is why older entries vary in style.

## Steps

1. Run `git log --merges v1.2.0..HEAD` to list the merged pull requests.
2. Never include pull requests labelled `internal`.

## Template

Copy this skeleton:

{FENCE}markdown
## <version> — <date>

### Added
- TODO
{FENCE}

## Summary

- Never include pull requests labelled `internal`.
"""


def test_skill_end_to_end(tmp_path):
    root = tmp_path / "release-notes"
    root.mkdir()
    (root / "SKILL.md").write_text(SKILL, encoding="utf-8")
    skill = load_skill(root)
    items = body_items(skill)
    types = classify(items)
    assert len(types) == len(items) == 5
    by_text = {item.text.split("\n")[0]: t for item, t in zip(items, types)}
    assert by_text["Release notes were written by hand until 2021, which is why older entries vary in style."].label == "background"
    assert by_text["1. Run `git log --merges v1.2.0..HEAD` to list the merged pull requests."].label == "core"
    assert by_text["Copy this skeleton:"].label == "template"
    assert types[-1] == ItemType("redundant", 1.0, 2)
    assert all(t.label in LABELS and 0.0 < t.confidence <= 1.0 for t in types)
    assert [t for _, t in classify_skill(skill)] == types
    with pytest.raises(dataclasses.FrozenInstanceError):
        types[0].label = "core"
    assert classify([]) == []


def test_classify_stays_light():
    """`check` runs the feature model: it must not import numpy, scikit-learn or torch."""
    script = (
        "import sys\n"
        "from skillreducer.body.classifier import classify\n"
        "from skillreducer.body.items import BodyItem\n"
        "classify([BodyItem(0, 'paragraph', 'Run the tests.', 1, 1, ('S',))])\n"
        "print(sorted(m for m in ('numpy', 'sklearn', 'torch') if m in sys.modules))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert completed.stdout.strip() == "[]"
