"""Social reads. Split by area; import from `social.selectors`."""

from social.selectors.graph import *  # noqa: F403
