"""The routing oracle: does a description still route the skill's requests to it, without
taking its neighbours' requests?

A probe routes to the candidate with the highest router score; candidate order is
shuffled per probe with a fixed seed, and ties go to the earlier candidate in that
order, so no candidate wins ties by position in the pool.

The requirement is relative to a baseline description (the original, or the generated
one): every own probe that routed to the skill under the baseline must still route to
it, and no rival probe that did not route to the skill under the baseline may now. A
probe the router sends elsewhere even under the baseline is a limit of the router, not
something a shorter description should be blamed for; the report counts both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from skillreducer.route.pool import Rival
from skillreducer.route.router import Candidate, Router


@dataclass(frozen=True, slots=True)
class Routing:
    routed: int  # own probes whose winner is the skill
    probes: int  # own probes
    taken: int  # rival probes whose winner is the skill
    rival_probes: int
    margin: float  # min over own probes of (skill score - best rival score)

    def as_dict(self) -> dict[str, float | int]:
        return {"probes_routed": self.routed, "probes": self.probes, "neighbour_probes_taken": self.taken,
                "neighbour_probes": self.rival_probes, "margin": round(self.margin, 4)}


class Oracle:
    def __init__(self, router: Router, skill: Candidate, rivals: Sequence[Rival], probes: Sequence[str], seed: int = 0):
        self.router = router
        self.skill = skill
        self.rivals = list(rivals)
        self.own_probes = list(probes)
        self.rival_probes = [p for r in self.rivals for p in r.probes]
        self.all_probes = self.own_probes + self.rival_probes
        n = len(self.all_probes)
        columns = [r.candidate for r in self.rivals]
        self._rival_scores = router.scores(self.all_probes, columns) if columns and n else np.zeros((n, 0))
        # Per probe, a fixed random order of the pool [skill, *rivals] breaks ties.
        rng = np.random.default_rng(seed)
        self._order = np.array([rng.permutation(len(columns) + 1) for _ in range(n)]).reshape(n, len(columns) + 1)
        self._cache: dict[str, tuple[np.ndarray, float]] = {}
        self.calls = 0  # distinct descriptions routed
        self._own_required = np.zeros(len(self.own_probes), dtype=bool)
        self._rival_allowed = np.zeros(len(self.rival_probes), dtype=bool)

    def _wins(self, description: str) -> tuple[np.ndarray, float]:
        if description not in self._cache:
            self.calls += 1
            n = len(self.all_probes)
            mine = self.router.scores(self.all_probes, [Candidate(self.skill.key, self.skill.name, description)]) if n else np.zeros((0, 1))
            scores = np.hstack([mine.reshape(n, 1), self._rival_scores])
            # Highest score wins; among equal scores the one earlier in the probe's shuffled order.
            winners = np.array([_winner(scores[i], self._order[i]) for i in range(n)], dtype=int)
            wins = winners == 0
            own = len(self.own_probes)
            if own and scores.shape[1] > 1:
                margin = float(np.min(scores[:own, 0] - scores[:own, 1:].max(axis=1)))
            else:
                margin = 0.0
            self._cache[description] = (wins, margin)
        return self._cache[description]

    def routing(self, description: str) -> Routing:
        wins, margin = self._wins(description)
        own = len(self.own_probes)
        return Routing(int(wins[:own].sum()), own, int(wins[own:].sum()), len(self.rival_probes), margin)

    def set_baseline(self, description: str) -> Routing:
        wins, _ = self._wins(description)
        own = len(self.own_probes)
        self._own_required = wins[:own].copy()
        self._rival_allowed = wins[own:].copy()
        return self.routing(description)

    def passes(self, description: str) -> bool:
        wins, _ = self._wins(description)
        own = len(self.own_probes)
        if not description.strip():
            return False
        return bool(np.all(wins[:own] | ~self._own_required) and not np.any(wins[own:] & ~self._rival_allowed))


def _winner(scores: np.ndarray, order: np.ndarray) -> int:
    best = scores.max()
    tied = np.flatnonzero(scores >= best - 1e-9)
    if len(tied) == 1:
        return int(tied[0])
    position = {int(c): i for i, c in enumerate(order)}
    return min(tied.tolist(), key=lambda c: position[c])
