"""Shop writes, split by area. Other code imports from `shop.services`."""

from shop.services.accounts import *  # noqa: F403
from shop.services.cart import *  # noqa: F403
from shop.services.catalog import *  # noqa: F403
from shop.services.catalog_csv import *  # noqa: F403
from shop.services.catalog_import import *  # noqa: F403
from shop.services.email import *  # noqa: F403
from shop.services.events import *  # noqa: F403
from shop.services.highlights import *  # noqa: F403
from shop.services.orders import *  # noqa: F403
from shop.services.payments import *  # noqa: F403
from shop.services.pictures import *  # noqa: F403
from shop.services.promotion import *  # noqa: F403
from shop.services.qa import *  # noqa: F403
from shop.services.returns import *  # noqa: F403
from shop.services.stock import *  # noqa: F403
from shop.services.variants import *  # noqa: F403
from shop.services.voucher import *  # noqa: F403
