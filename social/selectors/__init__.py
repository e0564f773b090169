"""Social reads. Split by area; import from `social.selectors`."""

from social.selectors.graph import *  # noqa: F403
from social.selectors.interactions import *  # noqa: F403
from social.selectors.groupbuy import *  # noqa: F403
from social.selectors.moderation import *  # noqa: F403
