"""Routers: how well does each request (probe) match each skill's name + description?

The oracle calls `scores` thousands of times with the same probes and a pool of a few
candidates of which one description changes per call, so every router keeps the vector
of each text it has seen (probes and candidate texts alike) and only the new text costs
anything. Scores are cosines, in float64, so a pair's score does not depend on the other
rows and columns of the call beyond float64 rounding.

Importing this module loads neither scikit-learn nor torch: each router imports what it
needs when built.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from skillreducer import resources
from skillreducer.route import embeddings

ROUTER_KINDS = ("lexical", "semantic", "hybrid")
# Probe sets a router keeps stacked; the oracle of one skill uses one set throughout.
_PROBE_SETS_KEPT = 4
# Lowercased words with their identifier punctuation: `c++`, `c#`, `node.js`, `skill.md`,
# `k8s`, `snake_case`, `v1.2`. A leading dot is dropped (`.xlsx` -> `xlsx`) so the file
# type matches however a request writes it; hyphens split (`pdf-to-image` -> three words).
TOKEN_PATTERN = r"(?u)\w[\w+#]*(?:\.\w+)*"


@dataclass(frozen=True, slots=True)
class Candidate:
    key: str  # unique in a pool (the skill's folder, say)
    name: str
    description: str

    @property
    def text(self) -> str:
        """What a router reads: the name as words, then the description."""
        return f"{self.name.replace('-', ' ')}: {self.description}"


class Router(ABC):
    name: str

    @abstractmethod
    def scores(self, probes: Sequence[str], candidates: Sequence[Candidate]) -> np.ndarray:
        """(len(probes), len(candidates)) float64; higher routes the probe to the candidate better.
        Deterministic: the same texts give the same scores, in any instance."""


class _VectorRouter(Router):
    """Scores by the cosine of per-text vectors, each computed once and kept (LRU)."""

    def __init__(self) -> None:
        memory = int(resources.limits()["route"]["memory_cache_texts"])
        self._vector = functools.lru_cache(maxsize=memory)(self._compute_vector)
        self._probe_matrix = functools.lru_cache(maxsize=_PROBE_SETS_KEPT)(self._stack)

    def scores(self, probes: Sequence[str], candidates: Sequence[Candidate]) -> np.ndarray:
        if isinstance(probes, str):
            raise TypeError("probes must be a sequence of strings, not one string")
        if not probes or not candidates:
            return np.zeros((len(probes), len(candidates)))
        probe_matrix = self._probe_matrix(tuple(probes))
        candidate_matrix = self._stack(tuple(c.text for c in candidates))
        return self._cosines(probe_matrix, candidate_matrix)

    @abstractmethod
    def _compute_vector(self, text: str):
        """The unit-length (or zero) vector of one text."""

    @abstractmethod
    def _stack(self, texts: tuple[str, ...]):
        """The (cached) vectors of `texts` as the rows of one matrix."""

    @abstractmethod
    def _cosines(self, probes, candidates) -> np.ndarray:
        """Dense float64 (probes x candidates) products of two stacked matrices."""


class LexicalRouter(_VectorRouter):
    """TF-IDF cosine (scikit-learn): sublinear tf, word unigrams and bigrams, routing stop
    words removed, fitted once on `vocabulary_texts`.

    Terms unseen at fit time are dropped when a text is vectorised: they neither match
    nor dilute the known terms (vectors are normalised over known terms only). A probe
    made only of unseen terms is a zero vector and scores 0 against every candidate, a
    tie the oracle breaks by its seeded order. Hence the caller fits on the corpus the
    skill is checked against plus the skill's own full text.
    """

    name = "lexical"

    def __init__(self, vocabulary_texts: Iterable[str]):
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = list(vocabulary_texts)
        if not all(isinstance(t, str) for t in texts):
            raise TypeError("vocabulary_texts must be strings")
        super().__init__()
        self._vstack = functools.partial(sparse.vstack, format="csr")
        self._vectorizer = TfidfVectorizer(
            lowercase=True,
            token_pattern=TOKEN_PATTERN,
            stop_words=sorted(resources.lexicon("routing-stopwords")["words"]),
            ngram_range=(1, 2),
            sublinear_tf=True,
        )
        try:
            self._vectorizer.fit(texts)
        except ValueError:  # scikit-learn's "empty vocabulary"
            raise ValueError("the lexical router's vocabulary texts hold no words to route by (none given, or only stop words)") from None

    def _compute_vector(self, text: str):
        return self._vectorizer.transform([text])

    def _stack(self, texts: tuple[str, ...]):
        return self._vstack([self._vector(t) for t in texts])

    def _cosines(self, probes, candidates) -> np.ndarray:
        return (probes @ candidates.T).toarray()


class SemanticRouter(_VectorRouter):
    """Cosine of all-MiniLM-L6-v2 sentence embeddings.

    Each text is encoded alone (see `embeddings.encode_alone`), so its vector is the same
    whichever texts came before it, in this run or the one that filled the disk cache.
    Vectors are kept in memory and, with `cache_dir`, on disk for later runs and other
    processes. `encoded` counts the texts this router had the model encode.
    """

    name = "semantic"

    def __init__(self, cache_dir: Path | None = None):
        if not embeddings.available():
            raise ImportError("the semantic router needs the semantic extra: pip install 'skillreducer[semantic]'")
        super().__init__()
        self._disk = embeddings.DiskCache(cache_dir) if cache_dir is not None else None
        self.encoded = 0

    def _compute_vector(self, text: str) -> np.ndarray:
        vector = self._disk.get(text) if self._disk else None
        if vector is None:
            vector = embeddings.encode_alone(text)
            self.encoded += 1
            if self._disk:
                self._disk.put(text, vector)
        vector = vector.astype(np.float64)
        vector.setflags(write=False)  # shared by every later call
        return vector

    def _stack(self, texts: tuple[str, ...]) -> np.ndarray:
        return np.vstack([self._vector(t) for t in texts])

    def _cosines(self, probes, candidates) -> np.ndarray:
        return probes @ candidates.T


class HybridRouter(Router):
    """Weighted sum of the semantic and the lexical cosine; the weight of the semantic one
    is `[route] hybrid_semantic_weight` unless given. Each part keeps its own vectors."""

    name = "hybrid"

    def __init__(self, lexical: LexicalRouter, semantic: SemanticRouter, semantic_weight: float | None = None):
        weight = float(resources.limits()["route"]["hybrid_semantic_weight"] if semantic_weight is None else semantic_weight)
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f"hybrid_semantic_weight must be between 0 and 1, not {weight}")
        self.lexical = lexical
        self.semantic = semantic
        self.semantic_weight = weight

    def scores(self, probes: Sequence[str], candidates: Sequence[Candidate]) -> np.ndarray:
        lexical = self.lexical.scores(probes, candidates)
        semantic = self.semantic.scores(probes, candidates)
        return self.semantic_weight * semantic + (1.0 - self.semantic_weight) * lexical


def default_router_kind() -> str:
    """The kind `reduce` uses unless told: hybrid when the semantic extra is installed, else lexical."""
    return "hybrid" if embeddings.available() else "lexical"


def make_router(kind: str, vocabulary_texts: Iterable[str], cache_dir: Path | None = None) -> Router:
    """The router of `kind` (lexical | semantic | hybrid); the lexical part is fitted on `vocabulary_texts`."""
    if kind not in ROUTER_KINDS:
        raise ValueError(f"unknown router kind {kind!r}; choose from {', '.join(ROUTER_KINDS)}")
    if kind == "semantic":
        return SemanticRouter(cache_dir)
    lexical = LexicalRouter(vocabulary_texts)
    return lexical if kind == "lexical" else HybridRouter(lexical, SemanticRouter(cache_dir))
