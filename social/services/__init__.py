"""Social writes. Split by area; import from `social.services`."""

from social.services.notifications import *  # noqa: F403
from social.services.groupbuy import *  # noqa: F403
from social.services.moderation import *  # noqa: F403
