"""What model selection decided, and what the served model needs to score: frozen values, no logic.

`SelectionReport` is what the Django side stores and shows (each candidate's validation figures per user
group, the recipe chosen for each group and why); `ServedFamilies` travels inside the trained model with the
fitted families, the training history the item-based families score from, and each group's recipe.

Groups: `light` (trained shoppers with at most `light_threshold` training interactions), `heavy` (the other
trained shoppers) and `cold` (shoppers with no history, scored from their follows by the LightFM hybrid).
A recipe is a tuple of (family, weight); one family is served as it scores, several are blended as the weighted
sum of their per-shopper standardised scores.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

__all__ = [
    "GROUPS",
    "CandidateFigures",
    "Family",
    "GroupChoice",
    "Recipe",
    "SelectionReport",
    "ServedFamilies",
    "recipe_name",
]

GROUPS = ("light", "heavy", "cold")

Recipe = tuple[tuple[str, float], ...]


class Family(Protocol):
    """A fitted candidate family: dense scores for user `rows` given their history rows (aligned)."""

    @property
    def name(self) -> str: ...

    def scores(self, rows: np.ndarray, history: sp.csr_matrix) -> np.ndarray: ...


def recipe_name(recipe: Recipe) -> str:
    if len(recipe) == 1:
        return recipe[0][0]
    return " + ".join(f"{weight:g} {name}" for name, weight in recipe)


@dataclass(frozen=True)
class CandidateFigures:
    """One candidate on one group's validation users: P@k, NDCG@k, and its paired DCG@k gain over
    popularity in standard errors (`gain_z`; positive = better than popularity)."""

    candidate: str
    group: str
    precision: float
    ndcg: float
    users: int
    gain_z: float
    settings: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "settings": dict(self.settings)}


@dataclass(frozen=True)
class GroupChoice:
    group: str
    recipe: Recipe
    reason: str

    @property
    def candidate(self) -> str:
        return recipe_name(self.recipe)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "candidate": self.candidate,
            "recipe": [[name, weight] for name, weight in self.recipe],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SelectionReport:
    """Validation figures of every candidate, and the recipe served to each group with the reason."""

    k: int
    validation_users: int
    light_threshold: int
    candidates: tuple[CandidateFigures, ...] = ()
    choices: tuple[GroupChoice, ...] = ()
    seconds: tuple[tuple[str, float], ...] = ()
    min_z: float = 2.0

    def choice(self, group: str) -> GroupChoice | None:
        return next((c for c in self.choices if c.group == group), None)

    def figures(self, group: str) -> tuple[CandidateFigures, ...]:
        return tuple(c for c in self.candidates if c.group == group)

    def as_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "validation_users": self.validation_users,
            "light_threshold": self.light_threshold,
            "min_z": self.min_z,
            "candidates": [c.as_dict() for c in self.candidates],
            "choices": [c.as_dict() for c in self.choices],
            "seconds": dict(self.seconds),
        }


@dataclass(frozen=True)
class ServedFamilies:
    """The fitted non-LightFM families a recipe names, the training history (binary, users x items) they
    score from, and the recipe per group (`light`, `heavy`)."""

    families: Mapping[str, Family]
    history: sp.csr_matrix
    recipes: Mapping[str, Recipe]
    light_threshold: int

    def recipe_for(self, group: str) -> Recipe:
        return self.recipes.get(group, (("lightfm", 1.0),))
