"""Demo conversations, written through the same services as live chat (the assistant really answers them),
back-dated over several weeks so the dashboard has figures, plus one conversation waiting in the moderators'
queue."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from shop.models import User
from support import services
from support.models import Conversation, Message

__all__ = ["SCRIPTS", "conversations_seed"]

# (question to the assistant, asks for a person afterwards, moderator reply, rating)
SCRIPTS = [
    ("How long does standard shipping take?", False, "", 5),
    ("Where is my order?", True, "/tracking", 4),
    ("Can I return a jacket that doesn't fit?", False, "", 5),
    ("My mug arrived broken", True, "I'm sorry! I've sent a replacement today.", 5),
    ("Do you ship to Italy?", False, "", 4),
    ("I want to change my delivery address", True, "Done, the courier has the new address.", 3),
]


def _shopper_message(conversation: Conversation, user: User, body: str, n: int) -> None:
    message = services.message_post(
        conversation=conversation,
        body=body,
        role=Message.Role.SHOPPER,
        author=user,
        client_id=f"demo-{conversation.id}-{n}",
    ).message
    # Answer now (idempotent): the task queued on commit finds this answer and does nothing.
    services.assistant_reply_post(message_id=message.id)


def _backdate(conversation: Conversation, days: int, rng: random.Random) -> None:
    conversation.refresh_from_db()
    shift = timedelta(days=days, minutes=rng.randint(0, 600))
    fields = {"created_at": conversation.created_at - shift}
    for name in ("waiting_since", "first_response_at", "closed_at"):
        value = getattr(conversation, name)
        if value is not None:
            fields[name] = value - shift
    if conversation.first_response_at and conversation.waiting_since:
        # A realistic wait in the queue for the dashboard's first-response time.
        fields["first_response_at"] = fields["waiting_since"] + timedelta(
            minutes=rng.randint(1, 12)
        )
    if conversation.closed_at:
        fields["closed_at"] = fields["created_at"] + timedelta(minutes=rng.randint(4, 40))
    Conversation.objects.filter(pk=conversation.pk).update(**fields)
    Message.objects.filter(conversation=conversation).update(created_at=fields["created_at"])


def conversations_seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    """Past conversations (answered, some handed to the moderator, closed, rated), then one waiting now."""
    if Conversation.objects.exists():
        log("support: conversations exist, not adding demo ones")
        return
    moderator = User.objects.filter(username="moderator").first()
    shoppers = list(
        User.objects.filter(is_staff=False, is_superuser=False)
        .exclude(username="moderator")
        .order_by("id")[:20]
    )
    if not shoppers or moderator is None:
        log("support: no demo shopper or moderator, skipping conversations")
        return

    scripts = SCRIPTS[:4] if small else SCRIPTS * 2
    for n, (question, wants_person, reply, rating) in enumerate(scripts):
        shopper = shoppers[n % len(shoppers)]
        conversation = services.conversation_start(user=shopper, session_key=None)
        _shopper_message(conversation, shopper, question, 1)
        conversation.refresh_from_db()
        if wants_person or conversation.status != Conversation.Status.BOT:
            services.conversation_request_human(conversation=conversation)
            services.conversation_claim(conversation=conversation, moderator=moderator)
            services.message_post(
                conversation=conversation,
                body=reply or "/hello",
                role=Message.Role.MODERATOR,
                author=moderator,
            )
        services.conversation_close(conversation=conversation, actor=shopper)
        services.conversation_rate(
            conversation=conversation, user=shopper, session_key=None, rating=rating
        )
        _backdate(conversation, days=1 + n * 5, rng=rng)

    # One conversation waiting for a person right now, for the console.
    shopper = shoppers[0]
    waiting = services.conversation_start(user=shopper, session_key=None)
    _shopper_message(waiting, shopper, "Can I pay with two cards?", 1)
    services.conversation_request_human(conversation=waiting)
    log(f"support: {len(scripts)} past conversations and 1 waiting in the queue")
