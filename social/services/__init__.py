"""Social writes. Split by area; import from `social.services`."""

from social.services.notifications import *  # noqa: F403
