"""Support chat models. The assistant's knowledge (help articles) lives in support/models_assistant.py."""

from django.db import models  # noqa: F401

from support.models_assistant import *  # noqa: E402, F403
