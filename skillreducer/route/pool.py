"""The candidate pool a skill competes in: itself, its nearest neighbours in the corpus
it is checked against, and an adversarial shadow built from the skill itself."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from skillreducer import resources
from skillreducer.model import Skill
from skillreducer.route.router import Candidate

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.]*[A-Za-z0-9+#]|[A-Za-z]{2,}")


@dataclass(frozen=True, slots=True)
class Rival:
    candidate: Candidate
    probes: tuple[str, ...]  # requests that should reach the rival (none for the shadow)
    shadow: bool = False


def candidate_of(skill: Skill, description: str | None = None) -> Candidate:
    name = skill.name if isinstance(skill.name, str) and skill.name.strip() else skill.folder_name
    return Candidate(str(skill.root), name, skill.description_text if description is None else description)


def nearest_neighbours(skill: Skill, corpus: Sequence[Skill], count: int) -> list[Skill]:
    """The `count` skills of `corpus` nearest to `skill` by TF-IDF cosine over name +
    description, leaving out the skill and its copies (`copy_of`)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    own = Path(skill.root).resolve()
    others = [s for s in corpus if Path(s.root).resolve() != own and s.description_text and not copy_of(s, skill)]
    if not others or count <= 0:
        return []
    texts = [_routing_text(s) for s in others]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([*texts, _routing_text(skill, with_body=True)])
    except ValueError:  # nothing but stop words
        return others[:count]
    similarity = (matrix[:-1] @ matrix[-1].T).toarray().ravel()
    order = sorted(range(len(others)), key=lambda i: (-similarity[i], str(others[i].root)))
    return [others[i] for i in order[:count]]


def copy_of(other: Skill, skill: Skill) -> bool:
    """Is `other` a copy of `skill`: the same name, or the same description? Marketplaces
    vendor each other's skills; a copy is no neighbour, since no description can route
    apart from itself, and the oracle would count every gain over the copy as a stolen probe."""
    def name(s: Skill) -> str:
        return candidate_of(s).name.strip().lower()

    def words(s: Skill) -> str:
        return " ".join(s.description_text.split()).lower()

    return name(other) == name(skill) or (bool(skill.description_text) and words(other) == words(skill))


def _routing_text(skill: Skill, with_body: bool = False) -> str:
    name = str(skill.name or skill.folder_name).replace("-", " ")
    text = skill.description_text
    if with_body and len(text.split()) < 20:  # no description to go by: the body's start says what it is
        text += " " + " ".join(skill.body.split()[:200])
    return f"{name} {text}"


def domain_nouns(skill: Skill, count: int = 4) -> list[str]:
    """The words that place the skill in its domain: frequent in its name, description and
    headings, and neither function words nor task verbs."""
    stop = set(resources.lexicon("routing-stopwords")["words"])
    verbs = set(resources.lexicon("body-actionability")["imperative_verbs"])
    weights: Counter[str] = Counter()
    name = str(skill.name or skill.folder_name)
    sources = [(name.replace("-", " "), 3), (skill.description_text, 2)]
    sources += [(b.inline or b.text, 1) for b in skill.blocks if b.kind == "heading"]
    for text, weight in sources:
        for word in _WORD.findall(text):
            lower = word.lower()
            if len(lower) > 2 and lower not in stop and lower not in verbs and not lower.endswith("ing"):
                weights[lower] += weight
    return [w for w, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


def shadow_of(skill: Skill) -> Candidate:
    """A confusable rival: the skill's domain nouns with a purpose the skill does not have."""
    purposes = resources.lexicon("route-shadow")["purpose"]
    words = set(w.lower() for w in _WORD.findall(f"{skill.description_text} {skill.body[:20000]}"))
    purpose = min(purposes, key=lambda p: (sum(v in words for v in p["verbs"]), purposes.index(p)))
    nouns = domain_nouns(skill) or [str(skill.name or skill.folder_name).replace("-", " ")]
    phrase = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " and " + nouns[-1]
    return Candidate(f"shadow:{skill.root}", f"{nouns[0]}-{purpose['key']}", purpose["template"].format(nouns=phrase))
