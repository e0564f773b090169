"""Social reads. Split by area; import from `social.selectors`."""

from social.selectors.explore import *  # noqa: F403
from social.selectors.export import *  # noqa: F403
from social.selectors.graph import *  # noqa: F403
from social.selectors.groupbuy import *  # noqa: F403
from social.selectors.interactions import *  # noqa: F403
from social.selectors.moderation import *  # noqa: F403
from social.selectors.notifications import *  # noqa: F403
from social.selectors.people import *  # noqa: F403
from social.selectors.pictures import *  # noqa: F403
from social.selectors.posts import *  # noqa: F403
from social.selectors.text import *  # noqa: F403
from social.selectors.writing import *  # noqa: F403
