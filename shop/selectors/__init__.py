"""Shop reads, split by area. Other code imports from `shop.selectors`."""

from shop.selectors.catalog import *  # noqa: F403
from shop.selectors.catalog_export import *  # noqa: F403
from shop.selectors.categories import *  # noqa: F403
from shop.selectors.commerce import *  # noqa: F403
from shop.selectors.interactions import *  # noqa: F403
from shop.selectors.invoice import *  # noqa: F403
from shop.selectors.pricing import *  # noqa: F403
from shop.selectors.promotion import *  # noqa: F403
from shop.selectors.purchases import *  # noqa: F403
from shop.selectors.qa import *  # noqa: F403
from shop.selectors.returns import *  # noqa: F403
from shop.selectors.search import *  # noqa: F403
from shop.selectors.variants import *  # noqa: F403
from shop.selectors.voucher import *  # noqa: F403
