"""Near-duplicate skills: MinHash signatures of word shingles, banded LSH, union-find.

The signature of a text is, for each of PERMUTATIONS hash functions, the least hash of
its word SHINGLE-grams; the share of equal positions of two signatures estimates the
Jaccard similarity of the two shingle sets. Signatures are stored base64 in the stats
records so shard outputs merge without re-reading any skill.
"""

from __future__ import annotations

import base64
import zlib
from collections import defaultdict
from typing import Iterable

import numpy as np

SHINGLE = 5
PERMUTATIONS = 64
BANDS = 16  # 16 bands of 4 rows: pairs above about 0.5 Jaccard become candidates
_CHUNK = 16_384  # shingles hashed at once; bounds the temporary arrays to a few MB
_MULTIPLIER = np.uint64(0x100000001B3)

_rng = np.random.default_rng(0x5EED)  # fixed: signatures must be comparable across runs and machines
_A = (_rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)


def signature(text: str) -> str:
    """Base64 MinHash signature of the text's word shingles; "" for a text without words."""
    words = text.casefold().split()
    if not words:
        return ""
    hashes = np.fromiter((zlib.crc32(w.encode("utf-8", "surrogatepass")) for w in words), dtype=np.uint64, count=len(words))
    width = min(SHINGLE, len(hashes))
    count = len(hashes) - width + 1
    shingles = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(width):  # polynomial hash of each window, wrapping mod 2**64
            shingles = shingles * _MULTIPLIER + hashes[offset : offset + count]
        shingles = np.unique(shingles)
        least = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
        for start in range(0, len(shingles), _CHUNK):
            part = shingles[start : start + _CHUNK]
            # multiply-add-shift: the high 32 bits of a*x+b are a universal hash of x
            values = (_A[:, None] * part[None, :] + _B[:, None]) >> np.uint64(32)
            least = np.minimum(least, values.min(axis=1))
    return base64.b64encode(least.astype("<u4").tobytes()).decode("ascii")


def decode(encoded: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(encoded), dtype="<u4")


def similar_pairs(signatures: list[str], threshold: float) -> Iterable[tuple[int, int, float]]:
    """(i, j, estimated Jaccard) for i < j whose estimate is at least threshold.

    Candidates share at least one band; a bucket is compared pairwise, so callers should
    collapse exact duplicates first (they would make buckets quadratic).
    """
    rows = PERMUTATIONS // BANDS
    present = [i for i, s in enumerate(signatures) if s]
    if len(present) < 2:
        return []
    matrix = np.stack([decode(signatures[i]) for i in present])
    candidates: set[tuple[int, int]] = set()
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        block = np.ascontiguousarray(matrix[:, band * rows : (band + 1) * rows])
        for position in range(len(present)):
            buckets[block[position].tobytes()].append(position)
        for members in buckets.values():
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    candidates.add((members[a], members[b]))
    found = []
    for a, b in sorted(candidates):
        estimate = float(np.count_nonzero(matrix[a] == matrix[b])) / PERMUTATIONS
        if estimate >= threshold:
            found.append((present[a], present[b], estimate))
    return found
