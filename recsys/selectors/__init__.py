"""Reads of the recommender's own stored rows, split by area; import from `recsys.selectors`."""

from recsys.selectors.experiments import *  # noqa: F403
from recsys.selectors.serving import *  # noqa: F403
