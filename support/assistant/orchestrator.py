"""Answer one shopper message: pick the intent, ground the answer in shop data or a help article, say where it
came from.

Rules this module keeps:
- Order answers come only from `shop.selectors.order_list_for_user(user=context.user)`: the asking shopper's
  own orders. A number that is not among them gets the same reply whether it exists for someone else or not.
  Nothing about an order is written into an answer that was not read from that order.
- Changing an order (cancel) goes through `shop.services.order_cancel` and only after the shopper confirmed:
  the first answer stores `payload["pending_action"]`, the next message "yes" (with that answer still the
  assistant's latest in `history`) performs it, re-reading the order from the shopper's own orders.
- Starting a return works the same way: for a delivered order the assistant offers to return every unit still
  returnable, and a "yes" calls `shop.services.return_request_create` (the rules of the return page: the
  shopper's own delivered order, inside the window, never more than bought).
- Help answers quote the best article; under `SUPPORT_ASSISTANT_MIN_CONFIDENCE` the assistant hands over.
- Every answer names its sources in `payload["sources"]` and `source`.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.errors import ServiceError
from shop import selectors as shop_selectors
from shop import services as shop_services
from shop.models import Order
from support.assistant import catalogue, generation, product_questions, retrieval
from support.assistant.intents import Intent, IntentName, detect_intent
from support.assistant.passages import best_passage
from support.assistant.types import AssistantAnswer, AssistantContext, HistoryItem

__all__ = ["answer", "pending_action_from_history"]

logger = logging.getLogger(__name__)

ACTION_ORDER_CANCEL = "order_cancel"
ACTION_ORDER_RETURN = "order_return"
CANCELLABLE_STATUSES = shop_services.CANCELLABLE_STATUSES


def answer(*, text: str, context: AssistantContext) -> AssistantAnswer:
    text = (text or "").strip()[: settings.SUPPORT_MAX_MESSAGE_BYTES]
    if not text:
        return _with_intent(
            AssistantAnswer(
                body=_("How can I help? Ask me about an order, delivery, returns or our products."),
                payload={"sources": []},
                confidence=1.0,
            ),
            "greeting",
        )
    pending = pending_action_from_history(context.history, current_text=text)
    intent = detect_intent(text, pending_action=pending)
    result = product_questions.answer_if_about_product(text=text, intent=intent, context=context)
    if result is None:
        handler = _HANDLERS[intent.name]
        result = handler(text=text, intent=intent, context=context, pending=pending)
    else:
        intent = Intent(IntentName.PRODUCT_QUESTION)
    result = _with_intent(result, intent.name.value)
    if intent.name in (IntentName.HELP, IntentName.ORDER_STATUS) and not result.handoff:
        result = generation.rewrite_answer(question=text, grounded=result)
    return result


def pending_action_from_history(
    history: list[HistoryItem], *, current_text: str = ""
) -> dict[str, Any] | None:
    """The action the assistant's latest answer asked the shopper to confirm, if that is still open.

    Open means: that answer is the assistant's newest message and at most the current message (and no other
    shopper message) came after it. The chat may or may not include the current message in `history`.
    """
    shopper_messages_after = 0
    for item in reversed(history):
        if item.role == "assistant":
            action = (item.payload or {}).get("pending_action")
            return action if isinstance(action, dict) and shopper_messages_after <= 1 else None
        if item.role == "shopper":
            if shopper_messages_after == 0 and item.body.strip() == current_text.strip():
                shopper_messages_after = 1  # the current message itself
                continue
            return None
    return None


def _with_intent(result: AssistantAnswer, intent: str) -> AssistantAnswer:
    payload = {"sources": [], **result.payload, "intent": intent}
    return AssistantAnswer(
        body=result.body,
        kind=result.kind,
        payload=payload,
        handoff=result.handoff,
        confidence=result.confidence,
        source=result.source,
    )


# --- sources ----------------------------------------------------------------------------------------------


def _article_source(hit: retrieval.ArticleHit) -> dict[str, Any]:
    source: dict[str, Any] = {"type": "article", "slug": hit.slug, "title": hit.title}
    with contextlib.suppress(NoReverseMatch):
        source["url"] = reverse("support:help_article", kwargs={"slug": hit.slug})
    return source


def _order_source(order: Order) -> dict[str, Any]:
    return {"type": "order", "number": order.number, "url": order.get_absolute_url()}


def _login_url() -> str:
    try:
        return reverse(settings.LOGIN_URL)
    except NoReverseMatch:
        return "/accounts/login/"


def _money(amount: Decimal) -> str:
    return f"{formats.number_format(amount, 2)} {settings.SHOP_CURRENCY}"


# --- handlers ---------------------------------------------------------------------------------------------


def _handoff_answer(
    body: str, *, confidence: float = 0.0, sources=None, source=""
) -> AssistantAnswer:
    return AssistantAnswer(
        body=body,
        payload={"sources": sources or []},
        handoff=True,
        confidence=confidence,
        source=source,
    )


def _answer_handoff(**_kwargs) -> AssistantAnswer:
    return _handoff_answer(
        _("Of course. I'm asking a person from our team to join this chat; they will reply here."),
        confidence=1.0,
    )


_HELLO = re.compile(r"^\s*(hi|hello|hey|hallo|good (morning|afternoon|evening))\b", re.IGNORECASE)


def _answer_greeting(*, text: str, **_kwargs) -> AssistantAnswer:
    if not _HELLO.match(text):
        # Thanks, "ok", a "yes" with nothing to confirm: acknowledge, don't call a person.
        return AssistantAnswer(
            body=_("You're welcome. Is there anything else I can help you with?"),
            payload={"sources": []},
            confidence=1.0,
        )
    return AssistantAnswer(
        body=_(
            "Hello! I can check your orders, cancel an order that hasn't shipped, suggest products and "
            "answer questions about delivery, returns, payments and your account. What can I do for you?"
        ),
        payload={"sources": []},
        confidence=1.0,
    )


def _answer_help(*, text: str, **_kwargs) -> AssistantAnswer:
    hits = retrieval.search(text, k=2)
    threshold = settings.SUPPORT_ASSISTANT_MIN_CONFIDENCE
    if not hits or hits[0].confidence < threshold:
        return _handoff_answer(
            _(
                "I'm not sure I can answer that well, so I'm asking a person from our team to join. "
                "They will reply here."
            ),
            confidence=hits[0].confidence if hits else 0.0,
        )
    hit = hits[0]
    passage = best_passage(question=text, article_text=hit.text)
    body = _("From our help article “%(title)s”:\n\n%(passage)s") % {
        "title": hit.title,
        "passage": passage,
    }
    return AssistantAnswer(
        body=body,
        payload={
            "sources": [_article_source(hit)],
            "article": {"slug": hit.slug, "title": hit.title, "score": round(hit.score, 4)},
        },
        confidence=hit.confidence,
        source=_("Help article: %(title)s") % {"title": hit.title},
    )


def _ask_to_log_in() -> AssistantAnswer:
    return AssistantAnswer(
        body=_(
            "Please log in first, then I can look up your orders. Orders are only shown to the "
            "account that placed them."
        ),
        payload={"sources": [], "login_url": _login_url()},
        confidence=1.0,
    )


def _not_found() -> AssistantAnswer:
    return AssistantAnswer(
        body=_(
            "I can't find that order on your account. Please check the number on your confirmation "
            "email or under Account → Orders."
        ),
        payload={"sources": []},
        confidence=1.0,
    )


def _resolve_order(*, intent: Intent, context: AssistantContext) -> tuple[Order | None, bool]:
    """(order, asked_for_specific). Looks only among the asking shopper's orders."""
    wanted = intent.order_numbers or ((context.order_number,) if context.order_number else ())
    if context.user is None:  # an anonymous visitor has no orders to look among
        return None, bool(wanted)
    orders = shop_selectors.order_list_for_user(user=context.user)
    if wanted:
        number = wanted[0].upper()
        return orders.filter(number__iexact=number).first(), True
    return orders.first(), False


def _is_anonymous(context: AssistantContext) -> bool:
    return context.user is None or not context.user.is_authenticated


def _order_facts(order: Order) -> str:
    lines = list(order.lines.all())
    items = ", ".join(f"{line.quantity} × {line.product_name}" for line in lines[:5])
    if len(lines) > 5:
        items += ", …"
    return _("placed on %(date)s, %(items)s, total %(total)s") % {
        "date": formats.date_format(order.created_at, "DATE_FORMAT"),
        "items": items or _("no items"),
        "total": _money(order.total),
    }


def _status_sentence(order: Order) -> str:
    timeline = shop_selectors.order_timeline(order=order)
    reached_at = {step.status: step.at for step in timeline if step.at}
    status = order.status
    when = reached_at.get(status)
    when_text = formats.date_format(when, "DATE_FORMAT") if when else ""
    label = Order.Status(status).label
    if status == Order.Status.SHIPPED:
        sentence = _("It has shipped and is on its way to %(city)s.") % {"city": order.ship_city}
    elif status == Order.Status.DELIVERED:
        sentence = _("It has been delivered to %(city)s.") % {"city": order.ship_city}
    elif status == Order.Status.CANCELLED:
        sentence = _("It was cancelled.")
    elif status == Order.Status.PAID:
        sentence = _("Payment is confirmed and it is being packed; it has not shipped yet.")
    else:
        sentence = _("We have received it; it has not shipped yet.")
    if when_text and status != Order.Status.PLACED:  # "placed on <date>" is in the details already
        sentence += " " + _("Status “%(label)s” since %(date)s.") % {
            "label": label,
            "date": when_text,
        }
    return sentence


def _answer_order_status(
    *, intent: Intent, context: AssistantContext, **_kwargs
) -> AssistantAnswer:
    if _is_anonymous(context):
        return _ask_to_log_in()
    order, specific = _resolve_order(intent=intent, context=context)
    if order is None:
        if specific:
            return _not_found()
        return AssistantAnswer(
            body=_("I can't see any orders on your account yet."),
            payload={"sources": []},
            confidence=1.0,
        )
    label = Order.Status(order.status).label
    intro = (
        _("Order %(number)s is %(status)s.")
        if specific
        else _("Your most recent order, %(number)s, is %(status)s.")
    ) % {"number": order.number, "status": label}
    body = f"{intro} {_status_sentence(order)}\n" + _("Details: %(facts)s.") % {
        "facts": _order_facts(order)
    }
    return AssistantAnswer(
        body=body,
        payload={"sources": [_order_source(order)], "order_number": order.number},
        confidence=1.0,
        source=_("Order %(number)s") % {"number": order.number},
    )


def _offer_cancel(order: Order, *, intro: str = "") -> AssistantAnswer:
    question = _(
        "Do you want me to cancel order %(number)s (%(facts)s)? Reply “yes” to cancel it or “no” to "
        "keep it."
    ) % {"number": order.number, "facts": _order_facts(order)}
    return AssistantAnswer(
        body=f"{intro} {question}".strip(),
        payload={
            "sources": [_order_source(order)],
            "order_number": order.number,
            "pending_action": {"action": ACTION_ORDER_CANCEL, "order_number": order.number},
        },
        confidence=1.0,
        source=_("Order %(number)s") % {"number": order.number},
    )


def _help_sources(query: str) -> list[dict[str, Any]]:
    hits = retrieval.search(query, k=1)
    if hits and hits[0].confidence >= settings.SUPPORT_ASSISTANT_MIN_CONFIDENCE:
        return [_article_source(hits[0])]
    return []


def _answer_order_cancel(
    *, text: str, intent: Intent, context: AssistantContext, **_kw
) -> AssistantAnswer:
    if _is_anonymous(context):
        return _ask_to_log_in()
    order, specific = _resolve_order(intent=intent, context=context)
    if order is None:
        return _not_found() if specific else _answer_order_status(intent=intent, context=context)
    if order.status == Order.Status.CANCELLED:
        return AssistantAnswer(
            body=_("Order %(number)s is already cancelled.") % {"number": order.number},
            payload={"sources": [_order_source(order)], "order_number": order.number},
            confidence=1.0,
            source=_("Order %(number)s") % {"number": order.number},
        )
    if order.status not in CANCELLABLE_STATUSES:
        return AssistantAnswer(
            body=_(
                "Order %(number)s is %(status)s, so it can no longer be cancelled. Once it has arrived "
                "you can send it back instead: ask me to return it."
            )
            % {"number": order.number, "status": Order.Status(order.status).label},
            payload={
                "sources": [_order_source(order), *_help_sources("return an item refund")],
                "order_number": order.number,
            },
            confidence=1.0,
            source=_("Order %(number)s") % {"number": order.number},
        )
    return _offer_cancel(order)


def _answer_order_return(
    *, text: str, intent: Intent, context: AssistantContext, **_kw
) -> AssistantAnswer:
    if _is_anonymous(context):
        return _ask_to_log_in()
    order, specific = _resolve_order(intent=intent, context=context)
    if order is None:
        return _not_found() if specific else _answer_order_status(intent=intent, context=context)
    number = order.number
    if order.status in CANCELLABLE_STATUSES:
        return _offer_cancel(
            order,
            intro=_("Order %(number)s hasn't shipped yet, so instead of a return I can cancel it.")
            % {"number": number},
        )
    sources = [_order_source(order), *_help_sources(text)]
    if order.status == Order.Status.CANCELLED:
        body = _("Order %(number)s is cancelled, so there is nothing to return.") % {
            "number": number
        }
        handoff = False
    elif order.status == Order.Status.SHIPPED:
        body = _(
            "Order %(number)s is still on its way. Once it has been delivered, write to me again and I "
            "will pass your return to our team."
        ) % {"number": number}
        handoff = False
    else:
        return _offer_return(order, text=text, sources=sources)
    return AssistantAnswer(
        body=body,
        payload={"sources": sources, "order_number": number},
        handoff=handoff,
        confidence=1.0,
        source=_("Order %(number)s") % {"number": number},
    )


def _offer_return(order: Order, *, text: str, sources: list[dict[str, Any]]) -> AssistantAnswer:
    """Ask the shopper to confirm a return of every unit still returnable (nothing is stored yet)."""
    number = order.number
    returnable = [
        entry for entry in shop_selectors.returnable_lines(order=order) if entry.returnable
    ]
    deadline = shop_selectors.return_deadline(order=order)
    payload: dict[str, Any] = {"sources": sources, "order_number": number}
    if not returnable:
        body = _("Everything in order %(number)s is already being returned.") % {"number": number}
    elif deadline is None or deadline < timezone.now():
        body = _("The return window for order %(number)s has closed.") % {"number": number}
    else:
        items = ", ".join(f"{entry.returnable} × {entry.line.product_name}" for entry in returnable)
        body = _(
            "Do you want me to start a return for order %(number)s (%(items)s)? Reply “yes” to send "
            "it to our team or “no” to leave it. You can also choose single items on the order page."
        ) % {"number": number, "items": items}
        payload["pending_action"] = {
            "action": ACTION_ORDER_RETURN,
            "order_number": number,
            "reason": text[:300],
        }
    return AssistantAnswer(
        body=body,
        payload=payload,
        confidence=1.0,
        source=_("Order %(number)s") % {"number": number},
    )


def _confirm_return(*, user: Any, pending: dict) -> AssistantAnswer:
    number = str(pending.get("order_number", ""))
    order = shop_selectors.order_list_for_user(user=user).filter(number=number).first()
    if order is None:
        return _not_found()
    lines = {
        entry.line.id: entry.returnable
        for entry in shop_selectors.returnable_lines(order=order)
        if entry.returnable
    }
    reason = _("Asked in the support chat: %(text)s") % {"text": pending.get("reason") or "-"}
    sources = [_order_source(order)]
    try:
        created = shop_services.return_request_create(
            user=user, order=order, lines=lines, reason=reason
        )
    except ServiceError as error:
        return AssistantAnswer(
            body=error.message,
            payload={"sources": sources, "order_number": number},
            confidence=1.0,
            source=_("Order %(number)s") % {"number": number},
        )
    return AssistantAnswer(
        body=_(
            "Done: return R%(id)d for order %(number)s is with our team. You will get an email when "
            "it is approved, and another when the refund is issued."
        )
        % {"id": created.id, "number": number},
        payload={
            "sources": sources,
            "order_number": number,
            "performed_action": {"action": ACTION_ORDER_RETURN, "return_id": created.id},
        },
        confidence=1.0,
        source=_("Order %(number)s") % {"number": number},
    )


def _answer_confirm(*, context: AssistantContext, pending: dict, **_kw) -> AssistantAnswer:
    user = context.user
    if pending.get("action") == ACTION_ORDER_RETURN and user is not None and user.is_authenticated:
        return _confirm_return(user=user, pending=pending)
    if pending.get("action") != ACTION_ORDER_CANCEL or user is None or not user.is_authenticated:
        return _handoff_answer(_("I'm asking a person from our team to help with this."))
    number = str(pending.get("order_number", ""))
    # Re-read from the shopper's own orders: the stored number is never trusted on its own.
    order = shop_selectors.order_list_for_user(user=user).filter(number=number).first()
    if order is None:
        return _not_found()
    try:
        order = shop_services.order_cancel(
            order=order, actor=user, note=_("Cancelled by the shopper in the support chat.")
        )
    except ValidationError as error:
        return AssistantAnswer(
            body=" ".join(error.messages),
            payload={"sources": [_order_source(order)], "order_number": number},
            confidence=1.0,
            source=_("Order %(number)s") % {"number": number},
        )
    if order.payment_provider == "cod":
        money = _("Nothing was charged, as you chose pay on delivery.")
    else:
        money = _("The payment of %(total)s is released back to you.") % {
            "total": _money(order.total)
        }
    return AssistantAnswer(
        body=_("Done: order %(number)s is cancelled. %(money)s")
        % {"number": order.number, "money": money},
        payload={
            "sources": [_order_source(order)],
            "order_number": order.number,
            "performed_action": {"action": ACTION_ORDER_CANCEL, "order_number": order.number},
        },
        confidence=1.0,
        source=_("Order %(number)s") % {"number": order.number},
    )


def _answer_decline(*, pending: dict, **_kw) -> AssistantAnswer:
    number = str(pending.get("order_number", ""))
    return AssistantAnswer(
        body=_("All right, I've left order %(number)s as it is. Anything else?")
        % {"number": number},
        payload={"sources": [], "order_number": number},
        confidence=1.0,
    )


def _answer_products(
    *, text: str, intent: Intent, context: AssistantContext, **_kw
) -> AssistantAnswer:
    picks = catalogue.pick_products(
        user=context.user,
        terms=intent.product_terms,
        price_cap=intent.price_cap,
        gift=intent.gift,
    )
    if not picks.products:
        cap = _(" under %(cap)s") % {"cap": _money(intent.price_cap)} if intent.price_cap else ""
        return _handoff_answer(
            _(
                "I couldn't find matching products%(cap)s, so I'm asking a person from our team to help."
            )
            % {"cap": cap},
            sources=[{"type": "catalogue", "query": " ".join(intent.product_terms)}],
        )
    count = len(picks.products)
    if intent.price_cap is not None:
        body = ngettext(
            "Here is %(count)d idea at or under %(cap)s:",
            "Here are %(count)d ideas at or under %(cap)s:",
            count,
        ) % {"count": count, "cap": _money(intent.price_cap)}
    else:
        body = ngettext(
            "Here is %(count)d product that may suit you:",
            "Here are %(count)d products that may suit you:",
            count,
        ) % {"count": count}
    lines = [f"• {product.name}: {_money(product.price)}" for product in picks.products]
    return AssistantAnswer(
        body=body + "\n" + "\n".join(lines),
        kind="product_cards",
        payload={
            "sources": picks.sources,
            "product_ids": [product.id for product in picks.products],
            "price_cap": str(intent.price_cap) if intent.price_cap is not None else None,
        },
        confidence=1.0,
        source=picks.label,
    )


_HANDLERS: dict[IntentName, Callable[..., AssistantAnswer]] = {
    IntentName.CONFIRM: _answer_confirm,
    IntentName.DECLINE: _answer_decline,
    IntentName.HANDOFF: _answer_handoff,
    IntentName.GREETING: _answer_greeting,
    IntentName.ORDER_STATUS: _answer_order_status,
    IntentName.ORDER_CANCEL: _answer_order_cancel,
    IntentName.ORDER_RETURN: _answer_order_return,
    IntentName.PRODUCTS: _answer_products,
    IntentName.HELP: _answer_help,
}
