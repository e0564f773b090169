"""Recommender storage, one module per sub-domain; import models from `recsys.models`."""

from recsys.models.clicks import *  # noqa: F403
from recsys.models.experiments import *  # noqa: F403
from recsys.models.importing import *  # noqa: F403
from recsys.models.scoring import *  # noqa: F403
from recsys.models.training import *  # noqa: F403
