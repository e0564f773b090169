"""The channel layer as configured: an idle socket's receive must wait, not fail.

channels-redis waits for messages with a 5 s BZPOPMIN; redis-py 8 reads with a 5 s socket timeout by default, so
every receive on a quiet process raised `TimeoutError` after 5 s and the chat closed an open socket with 1013.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

pytestmark = [pytest.mark.redis]


async def test_an_idle_receive_outlasts_the_blocking_pop():
    layer = get_channel_layer()
    assert "channels_redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]
    channel = await layer.new_channel()
    # Longer than one BZPOPMIN round (5 s): the receive must still be waiting, not have raised.
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(channel), timeout=layer.brpop_timeout + 1.5)
    # ...and the layer still delivers afterwards.
    await layer.send(channel, {"type": "chat.ping"})
    assert await asyncio.wait_for(layer.receive(channel), timeout=5) == {"type": "chat.ping"}
