"""Recommender storage: model versions, per-user lists, impressions and clicks, experiments."""

from django.db import models  # noqa: F401

from recsys.models_import import *  # noqa: E402, F403
