"""Description collisions by sentence embeddings (all-MiniLM-L6-v2, bundled, offline).

Imported only with `stats --semantic`: it loads torch and the model (a few seconds).
"""

from __future__ import annotations

from typing import Iterator

from skillreducer.lint.rule import SkillSummary
from skillreducer.lint.rules.corpus import routing_text
from skillreducer.route import embeddings

MAX_BLOCK_ENTRIES = 4_000_000  # similarities held at once, as SR602 bounds its TF-IDF products


def embed(texts: list[str]):
    """Unit-length embeddings, one row per text; identical texts are encoded once."""
    return embeddings.encode(texts)


def pairs(items: list[SkillSummary], threshold: float) -> Iterator[tuple[int, int, float]]:
    """(i, j, cosine) for i < j at or above threshold; copies with the same body left out, as in SR602."""
    import numpy as np

    if len(items) < 2:
        return
    vectors = embed([routing_text(s) for s in items])
    n = len(items)
    block = max(1, MAX_BLOCK_ENTRIES // n)
    bodies = [s.body_hash for s in items]
    for start in range(0, n, block):
        stop = min(n, start + block)
        product = vectors[start:stop] @ vectors[start:].T
        rows, cols = np.nonzero(product >= threshold - 1e-6)
        for r, c in zip(rows.tolist(), cols.tolist()):
            i, j = r + start, c + start
            if j <= i or (bodies[i] and bodies[i] == bodies[j]):
                continue
            yield i, j, min(1.0, float(product[r, c]))
