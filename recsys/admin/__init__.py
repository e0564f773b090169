"""The recommender's admin, one module per area (registered on import)."""

from recsys.admin import clicks, experiments, importing, scoring, training  # noqa: F401
