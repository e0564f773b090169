"""Recommender writes and computations, one module per concern; other apps import from `recsys.services`.

- data: every read of shop and social (through their selectors), one follow graph for training and scoring
- training: the lock, retrain, evaluation, promotion or rollback, then scoring queued on commit
- scoring: scoring runs, chunks, the serving pointer flip; ranking: the lists of a batch of shoppers
- serving: one shopper's lists at request time (reasons in `reasons`), on-request scoring
- clicks, attribution, experiments, onboarding, importing (`manage.py import_dataset`)
"""

# isort: off
# serving first: social.services imports user_signals_changed from here while onboarding imports social.
from recsys.services.serving import *  # noqa: F403
from recsys.services.attribution import *  # noqa: F403
from recsys.services.clicks import *  # noqa: F403
from recsys.services.experiments import *  # noqa: F403
from recsys.services.onboarding import *  # noqa: F403
from recsys.services.reasons import *  # noqa: F403
from recsys.services.scoring import *  # noqa: F403
from recsys.services.training import *  # noqa: F403
# isort: on
