"""ASGI entry point: HTTP through Django, websockets (support chat, live notifications) through Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from common.asgi import get_single_hop_asgi_application  # noqa: E402

# Django's handler, but each request crosses into a worker thread once (common/asgi.py).
django_asgi_app = get_single_hop_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from common.body_limit import body_limit_from_settings  # noqa: E402
from common.edge_cache import edge_cache_from_settings  # noqa: E402
from common.metrics import count_websockets  # noqa: E402
from shop.selectors import catalogue_cache_version  # noqa: E402
from social.routing import websocket_urlpatterns as social_websockets  # noqa: E402
from support.routing import websocket_urlpatterns as support_websockets  # noqa: E402


def _allowed_origins() -> list[str]:
    # Browsers send Origin on websocket handshakes; only our own hosts may open a socket with a session cookie.
    origins = list(settings.SUPPORT_ALLOWED_ORIGINS) or list(settings.ALLOWED_HOSTS)
    return [
        *origins,
        *(
            f"{host}:*"
            for host in settings.ALLOWED_HOSTS
            if not host.startswith("[") and host != "*"
        ),
    ]


application = ProtocolTypeRouter(
    {
        "http": body_limit_from_settings(
            edge_cache_from_settings(django_asgi_app, version_reader=catalogue_cache_version)
        ),
        "websocket": count_websockets(
            OriginValidator(
                AuthMiddlewareStack(URLRouter([*support_websockets, *social_websockets])),
                _allowed_origins(),
            )
        ),
    }
)
