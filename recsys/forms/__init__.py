"""The recommender's forms."""

from recsys.forms.onboarding import *  # noqa: F403
