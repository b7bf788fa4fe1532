"""Each body item's type: core, background, example, template or redundant.

Two passes. Redundancy is not learned (`overlaps`, `repeated`): an item repeats an earlier
one when it is a copy of it (word-shingle Jaccard), when it says it restates ("Remember:",
a "Summary" section) and most of its content words are in it, or, with the semantic extra,
when their embeddings are that close; thresholds are in `[body_classifier]` of limits.toml.
The other items get the label of a multinomial logistic regression over
`features.FEATURES`, fitted by bench/train_body_classifier.py and exported to
rules/models/body-classifier.json with the scaler folded into the weights, so the runtime is
a few dot products in plain Python: `check` imports neither numpy nor scikit-learn. With
`semantic=True` a second exported model adds the item's sentence embedding (numpy and the
embedding model are imported then).
"""

from __future__ import annotations

import functools
import json
import math
import operator
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from skillreducer import resources
from skillreducer.body.features import FEATURES, body_vectors, item_prose, item_vector, lexicon_fingerprint
from skillreducer.body.items import LABELS, BodyItem, body_items
from skillreducer.model import Skill

MODEL_PATH = "models/body-classifier.json"  # under rules/
MODEL_FORMAT = 1

_WORD = re.compile(r"\w+")
# Shingle tokens keep signs, units, operators and inner dots ("-25%" and "+25%" differ,
# "1.5" and "app.py" stay whole) but not Markdown emphasis, punctuation or a sentence's final dot.
_TOKEN = re.compile(r"(?:[^\s*_`()\[\],;:!?.]|\.(?=[^\s*_`()\[\],;:!?.]))+")
_HEADING_EDGES = re.compile(r"^[^a-z]+|[^a-z]+$")  # numbering, emoji, trailing colon
_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")


class ModelError(Exception):
    """The exported model is missing, malformed or was fitted on other features."""


@dataclass(frozen=True, slots=True)
class ItemType:
    label: str  # one of items.LABELS
    confidence: float  # model probability of the label; for redundant, the similarity
    duplicates: int | None = None  # index of the earlier item it repeats (redundant only)


@dataclass(frozen=True)
class LinearModel:
    """Per-class weights over named inputs, scaler folded in: score = intercept + w . x."""

    labels: tuple[str, ...]
    inputs: tuple[str, ...]
    weights: tuple[tuple[float, ...], ...]  # one row per label
    intercepts: tuple[float, ...]

    def scores(self, values: Sequence[float]) -> list[float]:
        """One score per label, for the input values given in `inputs` order."""
        return [b + sum(map(operator.mul, ws, values)) for ws, b in zip(self.weights, self.intercepts)]


@dataclass(frozen=True)
class Model:
    features: LinearModel
    semantic: LinearModel | None  # inputs: FEATURES then embedding dimensions "e0".."e383"; None when not exported
    metadata: Mapping[str, Any]


def model_path() -> Path:
    return resources.rules_dir() / MODEL_PATH


@functools.cache
def load_model() -> Model:
    """The exported models, checked against the features this code computes."""
    path = model_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ModelError(f"{path}: cannot read the body classifier model ({error.strerror})") from None
    except ValueError as error:
        raise ModelError(f"{path}: not JSON ({error})") from None
    return model_from_json(data, str(path))


def model_from_json(data: Any, source: str = "model") -> Model:
    """A Model from the exported JSON document (as bench/train_body_classifier.py writes it)."""
    try:
        if data.get("format") != MODEL_FORMAT:
            raise ModelError(f"{source}: format {data.get('format')!r}, expected {MODEL_FORMAT}")
        if tuple(data["features"]) != FEATURES or data["lexicon_fingerprint"] != lexicon_fingerprint():
            raise ModelError(f"{source} was fitted on other features or cue lexicons; retrain it with bench/train_body_classifier.py")
        features = _linear(data, "feature_model")
        if features.inputs != FEATURES:  # the runtime passes feature values in FEATURES order
            raise ModelError(f"{source}: the feature model's inputs are not the features in order; retrain it with bench/train_body_classifier.py")
        semantic = _linear(data, "semantic_model") if "semantic_model" in data else None
        return Model(features, semantic, data["training"])
    except (AttributeError, ValueError, KeyError, TypeError) as error:
        raise ModelError(f"{source}: malformed body classifier model ({error!r})") from None


def _linear(data: dict[str, Any], key: str) -> LinearModel:
    part = data[key]
    labels = tuple(data["labels"])
    model = LinearModel(
        labels,
        tuple(part["inputs"]),
        tuple(tuple(float(w) for w in part["weights"][label]) for label in labels),
        tuple(float(part["intercepts"][label]) for label in labels),
    )
    if any(len(row) != len(model.inputs) for row in model.weights) or not set(labels) <= set(LABELS):
        raise ValueError(f"{key}: weights do not match its inputs or labels")
    return model


def _argmax(scores: Sequence[float]) -> int:
    """The first of equal scores wins, as numpy's argmax."""
    return max(range(len(scores)), key=scores.__getitem__)


def _softmax_top(scores: Sequence[float]) -> tuple[int, float]:
    """(argmax, its softmax probability)."""
    best = _argmax(scores)
    top = scores[best]
    return best, 1.0 / math.fsum(math.exp(s - top) for s in scores)


def embedding_text(item: BodyItem) -> str:
    """What the semantic model embeds: the item's prose, or its source when it has none (bare code)."""
    return item_prose(item) or item.text


def _shingles(words: list[str], size: int) -> frozenset[tuple[str, ...]]:
    if len(words) < size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(zip(*(words[i:] for i in range(size))))


@dataclass(frozen=True, slots=True)
class Overlap:
    """An item's closest earlier item by each measure: (index, similarity), or None."""

    words: int  # the item's tokens (words, numbers, commands)
    shingles: tuple[int, float] | None  # word n-gram Jaccard
    recap: tuple[int, float] | None  # share of its content words in the earlier item; only for an item that says it restates
    recap_words: int = 0  # content words of a recap
    cosine: tuple[int, float] | None = None  # embedding cosine; only when embeddings are given


@dataclass(frozen=True)
class _RecapCues:
    opening: re.Pattern[str]  # a recap cue within the first few words of the source
    headings: frozenset[str]
    stopwords: frozenset[str]


@functools.cache
def _recap_cues() -> _RecapCues:
    data = resources.lexicon("body-classifier")
    cues = "|".join(re.escape(w.lower()) + (r"\b" if w[-1].isalnum() else "") for w in sorted(data["recap_cues"], key=len, reverse=True))
    return _RecapCues(
        # \w+ and \W+ never overlap, so the optional words split one way only (no backtracking blow-up).
        re.compile(r"^\W*(?:\w+\W+){0,3}?(?:" + cues + ")"),
        frozenset(h.lower() for h in data["recap_headings"]),
        frozenset(data["stopwords"]),
    )


def _content_words(text: str, stopwords: frozenset[str]) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in stopwords)


def overlaps(items: Sequence[BodyItem], shingle_words: int, vectors: Any = None) -> list[Overlap]:
    """Each item's closest earlier item by shingle Jaccard, by recap containment, and by cosine
    when `vectors` (unit-length embeddings, one row per item) are given. Among equally close
    items the earliest wins."""
    index: dict[tuple[str, ...], list[int]] = {}  # shingle -> items holding it, in order
    sizes: list[int] = []
    cues = _recap_cues()
    words: list[frozenset[str]] | None = None  # content words per item, computed at the first recap
    cosines = None
    if vectors is not None and len(items) > 1:
        import numpy as np

        cosines = np.tril(vectors @ vectors.T, k=-1)
    out: list[Overlap] = []
    for position, item in enumerate(items):
        item_words = _TOKEN.findall(_MARKER.sub("", item.text, count=1).lower())
        own = _shingles(item_words, shingle_words)
        shared: dict[int, int] = {}
        for shingle in own:
            holders = index.get(shingle)
            if holders is None:
                index[shingle] = [position]
                continue
            for earlier in holders:
                shared[earlier] = shared.get(earlier, 0) + 1
            holders.append(position)
        sizes.append(len(own))
        jaccard = _closest((earlier, common / (len(own) + sizes[earlier] - common)) for earlier, common in shared.items())
        recap = None
        recap_words = 0
        if position and _restates(item, cues):
            if words is None:
                words = [_content_words(other.text, cues.stopwords) for other in items]
            mine = words[position]
            recap_words = len(mine)
            if mine:
                recap = _closest((earlier, len(mine & words[earlier]) / len(mine)) for earlier in range(position))
        cosine = None
        if cosines is not None and position:
            row = cosines[position, :position]
            earlier = int(row.argmax())
            cosine = (earlier, min(1.0, float(row[earlier])))
        out.append(Overlap(len(item_words), jaccard, recap, recap_words, cosine))
    return out


def _closest(candidates: Iterable[tuple[int, float]]) -> tuple[int, float] | None:
    best = None
    for earlier, similarity in candidates:
        if similarity > 0 and (best is None or similarity > best[1] or (similarity == best[1] and earlier < best[0])):
            best = (earlier, similarity)
    return best


def _restates(item: BodyItem, cues: _RecapCues) -> bool:
    if item.heading_path and _HEADING_EDGES.sub("", item.heading_path[-1].lower()) in cues.headings:
        return True
    # The source's opening is enough: the pattern skips list markers, checkboxes and emphasis.
    return bool(cues.opening.match(item.text[:200].lower()))


def repeated(overlap: Overlap, thresholds: Mapping[str, Any]) -> tuple[int, float] | None:
    """The earlier item this one repeats, with the similarity that decided, or None.

    A near copy (shingle Jaccard), else a recap that restates an earlier item (containment),
    else, with embeddings, a paraphrase (cosine); thresholds from [body_classifier].
    """
    if overlap.words < thresholds["redundant_min_words"]:
        return None
    if overlap.shingles and overlap.shingles[1] >= thresholds["redundant_min_jaccard"]:
        return overlap.shingles
    if overlap.recap and overlap.recap_words >= thresholds["recap_min_words"] and overlap.recap[1] >= thresholds["recap_min_containment"]:
        return overlap.recap
    if overlap.cosine and overlap.cosine[1] >= thresholds["redundant_min_cosine"]:
        return overlap.cosine
    return None


def embed(texts: list[str]):
    """Unit-length sentence embeddings, one row per text, from the project's one model loader."""
    from skillreducer.route.embeddings import encode

    return encode(texts)


def classify(
    items: Sequence[BodyItem],
    semantic: bool = False,
    limits: Mapping[str, Any] | None = None,
    model: Model | None = None,
    redundancy: bool = True,
) -> list[ItemType]:
    """The type of each item of one body (in body order).

    `limits` is the merged limits mapping of a config (`Config.limits()`), else rules/limits.toml;
    `model` defaults to the exported one. `semantic=True` needs the semantic extra.
    `redundancy=False` skips the repeat pass (a third of the cost): each item keeps the type
    the model gives it, for callers that only ask core or not (SR303).
    """
    if not items:
        return []
    model = model or load_model()
    thresholds = (limits if limits is not None else resources.limits())["body_classifier"]
    rows = body_vectors(items)
    if semantic:
        if model.semantic is None:
            raise ModelError("the body classifier model was exported without its semantic part")
        import numpy as np

        vectors = np.asarray(embed([embedding_text(item) for item in items]), dtype=np.float64)
        matrix = np.hstack([np.array(rows), vectors])
        linear = model.semantic
        scores = (matrix @ np.array(linear.weights).T + np.array(linear.intercepts)).tolist()
        found = overlaps(items, int(thresholds["shingle_words"]), vectors) if redundancy else None
    else:
        linear = model.features
        scores = [linear.scores(row) for row in rows]
        found = overlaps(items, int(thresholds["shingle_words"])) if redundancy else None
    duplicates = [repeated(overlap, thresholds) for overlap in found] if found is not None else [None] * len(items)
    labels = linear.labels
    out = []
    for item_scores, duplicate in zip(scores, duplicates):
        if duplicate is not None:
            out.append(ItemType("redundant", duplicate[1], duplicate[0]))
        else:
            best, probability = _softmax_top(item_scores)
            out.append(ItemType(labels[best], probability))
    return out


def item_label(items: Sequence[BodyItem], index: int) -> str:
    """The feature model's label of one item, as classify(items, redundancy=False)[index].label,
    without the probability (SR303 classifies a few items, asks only core or not, and stops)."""
    linear = load_model().features
    return linear.labels[_argmax(linear.scores(item_vector(items, index)))]


def classify_skill(skill: Skill, semantic: bool = False, limits: Mapping[str, Any] | None = None) -> list[tuple[BodyItem, ItemType]]:
    """The body items of a skill, each with its type (callers place or count the items)."""
    items = body_items(skill)
    return list(zip(items, classify(items, semantic, limits)))
