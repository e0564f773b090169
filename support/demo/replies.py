"""Demo canned replies: what moderators insert by typing `/<shortcut>` in the console."""

from __future__ import annotations

from collections.abc import Callable

from support.models import CannedReply

__all__ = ["CANNED_REPLIES", "canned_replies_seed"]

CANNED_REPLIES = [
    ("hello", "Greeting", "Hi, thanks for waiting! I'm looking into this for you now."),
    ("thanks", "Thanks", "Thank you for your patience. Is there anything else I can help with?"),
    (
        "tracking",
        "Tracking",
        "You can follow your parcel from your order page: Account > Orders > the order number.",
    ),
    (
        "returns",
        "Returns",
        "You can return items within 30 days. Open the order and choose 'Return items'; the label is free.",
    ),
    (
        "refund",
        "Refund timing",
        "Refunds reach your account 3-5 business days after we receive the return.",
    ),
    ("bye", "Closing", "Glad I could help. Have a lovely day!"),
]


def canned_replies_seed(*, log: Callable[[str], None]) -> None:
    for shortcut, title, text in CANNED_REPLIES:
        CannedReply.objects.get_or_create(
            shortcut=shortcut, defaults={"title": title, "text": text}
        )
    log(f"support: {len(CANNED_REPLIES)} canned replies")
