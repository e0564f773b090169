"""What a moderator sees beside the chat: the customer's profile, recent orders, cart, recently viewed products,
earlier conversations and this conversation's internal notes."""

from __future__ import annotations

from dataclasses import dataclass, field

from shop import selectors as shop_selectors
from shop.models import Order, Product, ProductEvent, User
from social.models import Profile
from support.models import Conversation, Message

__all__ = ["CustomerContext", "customer_context"]


@dataclass(frozen=True)
class CustomerContext:
    conversation: Conversation
    customer: User | None
    profile: Profile | None
    orders: list[Order]
    cart: shop_selectors.CartView | None
    recently_viewed: list[Product]
    earlier_conversations: list[Conversation]
    notes: list[Message] = field(default_factory=list)


def customer_context(*, conversation: Conversation) -> CustomerContext:
    """The console's side panel for one conversation (visitors without an account only get the notes)."""
    customer = conversation.user
    orders: list[Order] = []
    cart = None
    recently_viewed: list[Product] = []
    earlier: list[Conversation] = []
    profile = None
    if customer is not None:
        profile = Profile.objects.filter(user=customer).first()
        orders = list(shop_selectors.order_list_for_user(user=customer)[:5])
        cart = shop_selectors.cart_view(cart=shop_selectors.cart_for(user=customer))
        # shop exposes no "recently viewed" read; ProductEvent is its public activity record.
        viewed_ids = list(
            ProductEvent.objects.filter(user=customer, kind=ProductEvent.Kind.VIEW)
            .order_by("-created_at")
            .values_list("product_id", flat=True)[:30]
        )
        recently_viewed = shop_selectors.product_cards(
            product_ids=list(dict.fromkeys(viewed_ids))[:6]
        )
        earlier = list(
            Conversation.objects.filter(user=customer)
            .exclude(pk=conversation.pk)
            .order_by("-created_at")[:5]
        )
    notes = list(
        Message.objects.filter(conversation=conversation, kind=Message.Kind.NOTE)
        .select_related("author")
        .order_by("id")
    )
    return CustomerContext(
        conversation=conversation,
        customer=customer,
        profile=profile,
        orders=orders,
        cart=cart,
        recently_viewed=recently_viewed,
        earlier_conversations=earlier,
        notes=notes,
    )
