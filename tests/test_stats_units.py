"""The parts of `stats` in isolation: MinHash estimates, log histograms, percentiles, sharding."""

from __future__ import annotations

import math
import random
import statistics

from skillreducer.stats import collect, minhash
from skillreducer.stats.report import distribution, histogram


def _jaccard(a: str, b: str) -> float:
    def shingles(text: str) -> set[tuple[str, ...]]:
        words = text.casefold().split()
        return {tuple(words[i : i + minhash.SHINGLE]) for i in range(len(words) - minhash.SHINGLE + 1)}

    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def test_minhash_estimates_jaccard():
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(400)]
    base = [rng.choice(vocabulary) for _ in range(600)]
    for changed in (0, 10, 40, 120):
        other = list(base)
        for index in rng.sample(range(len(other)), changed):
            other[index] = "changed"
        a, b = " ".join(base), " ".join(other)
        estimate = sum(1 for x, y in zip(minhash.decode(minhash.signature(a)), minhash.decode(minhash.signature(b))) if x == y) / minhash.PERMUTATIONS
        assert abs(estimate - _jaccard(a, b)) < 0.2, (changed, estimate, _jaccard(a, b))
    assert minhash.signature(" ".join(base)) == minhash.signature(" ".join(base).upper())  # case-folded
    assert minhash.signature("   ") == ""


def test_similar_pairs_finds_near_copies_only():
    rng = random.Random(3)
    texts = [" ".join(rng.choice(["alpha", "beta", "gamma", "delta", "eps", f"x{k}"]) + str(rng.randrange(50)) for _ in range(300)) for k in range(6)]
    near = texts[2].split()
    near[100] = "different"
    texts.append(" ".join(near))
    found = minhash.similar_pairs([minhash.signature(t) for t in texts] + [""], 0.8)
    assert [(i, j) for i, j, _ in found] == [(2, 6)]


def test_histogram_bins_are_log_spaced_and_count_everything():
    values = [0, 0, 1, 2, 9, 10, 11, 99, 100, 101, 5000, 12345]
    hist = histogram(values)
    assert hist["zero"] == 2 and sum(hist["counts"]) == len(values) - 2
    edges = hist["edges"]
    assert edges[0] == 1 and edges[-1] > max(values)
    for value in values[2:]:
        index = next(i for i in range(len(edges) - 1) if edges[i] <= value < edges[i + 1])
        assert hist["counts"][index] > 0
    assert all(math.isclose(edges[i + 1] / edges[i], 10 ** 0.25, rel_tol=1e-3) for i in range(len(edges) - 1))
    assert histogram([]) == {"zero": 0, "edges": [1.0], "counts": []}


def test_distribution_uses_nearest_rank_p90():
    values = list(range(1, 11))
    d = distribution(values)
    assert (d["mean"], d["median"], d["p90"], d["max"], d["total"]) == (5.5, statistics.median(values), 9, 10, 55)
    assert distribution([7])["p90"] == 7 and distribution([])["n"] == 0


def test_shards_partition_the_skills():
    roots = [f"/c/s{i:03d}" for i in range(101)]
    shards = [collect.shard(roots, k, 4) for k in range(1, 5)]
    assert sorted(r for s in shards for r in s) == roots
    assert max(map(len, shards)) - min(map(len, shards)) <= 1
    assert collect.shard(roots, 1, 1) == roots
