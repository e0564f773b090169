"""Social writes. Split by area; import from `social.services`."""

from social.services.account import *  # noqa: F403
from social.services.groupbuy import *  # noqa: F403
from social.services.moderation import *  # noqa: F403
from social.services.notifications import *  # noqa: F403
from social.services.posts import *  # noqa: F403
from social.services.profiles import *  # noqa: F403
