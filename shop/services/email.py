"""Transactional email: what is sent, to whom, in which language, and that it is sent once.

A service that wants a mail sent calls `email_queue(kind=..., object_id=..., recipient_id=...)` inside its
transaction. That stores an `EmailLog` row keyed `<kind>:<object id>:<recipient id>` (so it commits or rolls back
with the event) and, on commit, queues `email_send_task`; the order itself never waits for the mail server and a
failing one never undoes it. The task calls `email_send`, which claims the row, renders the kind's templates
(`templates/email/<kind>/subject.txt`, `body.txt`, `body.html`) in the recipient's language with absolute links
(`SITE_URL`), sends one multipart message and marks the row sent. A retried or redelivered task finds the row sent
(or claimed a moment ago) and stops, so nobody gets the same mail twice. SMTP and network errors leave the row
pending and propagate, and the task retries with exponential backoff; queueing that never reached the broker is
picked up by `emails_pending_requeue` (beat).

Kinds are `EmailKind` values registered with `email_kind_register`: the shop's here, social's (group buys) in
social.services.notifications. Essential kinds (orders) always go; the others go only when every receiver of
`shop.hooks.optional_email_allowed` says yes (social answers from the privacy settings).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from shop.hooks import optional_email_allowed
from shop.models import EmailLog, Order, StockAlert, User

__all__ = [
    "BACK_IN_STOCK",
    "ORDER_CANCELLED",
    "ORDER_DELIVERED",
    "ORDER_PAID",
    "ORDER_PLACED",
    "ORDER_SHIPPED",
    "EmailContent",
    "EmailKind",
    "absolute_url",
    "email_kind_register",
    "email_language",
    "email_queue",
    "email_render",
    "email_send",
    "email_send_task",
    "emails_pending_requeue",
    "order_email_queue",
    "password_reset_email_send",
    "user_language_remember",
]

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send: another run may take the row over.
CLAIM_TIMEOUT = timedelta(minutes=10)
# Rows never attempted after this long lost their task (broker down at commit): the beat sweep queues them.
REQUEUE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class EmailKind:
    """One kind of mail. `name` is its key prefix and template directory (templates/email/<name>/); `context`
    turns the object id into the template context (run in the recipient's language), or None when there is
    nothing to say any more (the object is gone)."""

    name: str
    essential: bool
    context: Callable[[int], Mapping[str, Any] | None]


@dataclass(frozen=True)
class EmailContent:
    """A rendered mail: subject, plain text and HTML, in one language."""

    subject: str
    text: str
    html: str
    language: str


_KINDS: dict[str, EmailKind] = {}


def email_kind_register(kind: EmailKind) -> EmailKind:
    """Make `kind` sendable (at import of the module that declares it); returns it unchanged."""
    known = _KINDS.setdefault(kind.name, kind)
    if known is not kind:
        raise ValueError(f"email kind {kind.name!r} is registered twice")
    return kind


def absolute_url(path: str) -> str:
    """`path` (from `reverse` or `get_absolute_url`) on the public site address, for links in mail."""
    return f"{settings.SITE_URL}{path}"


def email_language(user: User) -> str:
    """The language to write to `user` in: their stored language when the site offers it, else the default."""
    offered = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in offered else settings.LANGUAGE_CODE


def user_language_remember(*, user: User, language: str | None) -> None:
    """Store the interface language the shopper uses (at sign-up and log-in), for the mail we send them."""
    offered = {code for code, _name in settings.LANGUAGES}
    if language in offered and user.language != language:
        User.objects.filter(id=user.id).update(language=language)
        user.language = language


def email_render(
    *, template: str, context: Mapping[str, Any], language: str, recipient: User | None = None
) -> EmailContent:
    """Render templates/email/<template>/{subject.txt,body.txt,body.html} in `language`."""
    with translation.override(language):
        full = {
            "site_url": settings.SITE_URL,
            "site_name": "Socialshop",
            "recipient": recipient,
            "language": language,
            **context,
        }
        subject = render_to_string(f"email/{template}/subject.txt", full)
        text = render_to_string(f"email/{template}/body.txt", full)
        html = render_to_string(f"email/{template}/body.html", full)
    return EmailContent(
        subject=" ".join(subject.split()), text=text.strip() + "\n", html=html, language=language
    )


def _key(kind: str, object_id: int, recipient_id: int) -> str:
    return f"{kind}:{object_id}:{recipient_id}"


def email_queue(*, kind: EmailKind, object_id: int, recipient_id: int | None) -> None:
    """Send `kind` about `object_id` to `recipient_id` once the current transaction commits (at most once)."""
    if recipient_id is None:
        return
    if kind.name not in _KINDS:
        raise ValueError(f"email kind {kind.name!r} is not registered")
    key = _key(kind.name, object_id, recipient_id)
    try:
        with transaction.atomic():
            _log, created = EmailLog.objects.get_or_create(
                key=key,
                defaults={"kind": kind.name, "object_id": object_id, "recipient_id": recipient_id},
            )
    except IntegrityError:
        if EmailLog.objects.filter(
            key=key
        ).exists():  # a concurrent queue of the same mail won the key
            return
        raise
    if not created:
        return
    # robust: a broker that is down must not fail the caller; the beat sweep queues the row later.
    transaction.on_commit(
        lambda: email_send_task.delay(kind.name, object_id, recipient_id), robust=True
    )


def _skip(log_id: int, reason: str) -> str:
    EmailLog.objects.filter(id=log_id).update(status=EmailLog.Status.SKIPPED, last_error=reason)
    return EmailLog.Status.SKIPPED


def email_send(*, kind: str, object_id: int, recipient_id: int) -> str:
    """Send one queued mail unless it went already; returns the row's status (`sent`, `skipped`) or `busy`
    when another run holds it. SMTP and network errors propagate (the task retries) with the row pending."""
    email_kind = _KINDS.get(kind)
    if email_kind is None:
        logger.error("unknown email kind %r", kind)
        return EmailLog.Status.SKIPPED
    log, _created = EmailLog.objects.get_or_create(
        key=_key(kind, object_id, recipient_id),
        defaults={"kind": kind, "object_id": object_id, "recipient_id": recipient_id},
    )
    if log.status in (EmailLog.Status.SENT, EmailLog.Status.SKIPPED):
        return log.status
    now = timezone.now()
    claimed = (
        EmailLog.objects.filter(id=log.id)
        .filter(
            Q(status=EmailLog.Status.PENDING)
            | Q(status=EmailLog.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .update(status=EmailLog.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "busy"
    recipient = User.objects.filter(id=recipient_id, is_active=True).first()
    if recipient is None or not recipient.email:
        return _skip(log.id, "no active recipient with an address")
    if not email_kind.essential and not all(optional_email_allowed.fire(recipient)):
        return _skip(log.id, "the recipient turned this mail off")
    language = email_language(recipient)
    try:
        with translation.override(language):
            context = email_kind.context(object_id)
        if context is None:
            return _skip(log.id, "nothing to say any more")
        content = email_render(
            template=kind, context=context, language=language, recipient=recipient
        )
        message = EmailMultiAlternatives(
            subject=content.subject,
            body=content.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
            headers={"Content-Language": language},
        )
        message.attach_alternative(content.html, "text/html")
        message.send()
    except BaseException as exc:
        EmailLog.objects.filter(id=log.id).update(
            status=EmailLog.Status.PENDING, last_error=repr(exc)[:300]
        )
        raise
    EmailLog.objects.filter(id=log.id).update(
        status=EmailLog.Status.SENT,
        sent_at=timezone.now(),
        language=language,
        last_error="",
    )
    return EmailLog.Status.SENT


def emails_pending_requeue() -> int:
    """Queue the mails still pending whose task is gone: never run (the broker was down at commit), or failed
    and not retried (an eager run, a lost retry) for longer than the longest backoff. Returns how many; the
    claim in `email_send` keeps an extra run from sending twice."""
    now = timezone.now()
    stale_retry = now - timedelta(seconds=settings.EMAIL_RETRY_BACKOFF_MAX) - REQUEUE_AFTER
    rows = list(
        EmailLog.objects.filter(
            status=EmailLog.Status.PENDING,
            attempts__lte=settings.EMAIL_MAX_RETRIES,
            recipient_id__isnull=False,
        )
        .filter(
            Q(claimed_at__isnull=True, created_at__lt=now - REQUEUE_AFTER)
            | Q(claimed_at__lt=stale_retry)
        )
        .values_list("kind", "object_id", "recipient_id")[:500]
    )
    for kind, object_id, recipient_id in rows:
        email_send_task.delay(kind, object_id, recipient_id)
    return len(rows)


# Declared beside the service that queues it (services never import shop.tasks); re-exported there.
@shared_task(
    name="shop.tasks.email_send_task",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=settings.EMAIL_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.EMAIL_MAX_RETRIES,
    acks_late=True,
    ignore_result=True,
)
def email_send_task(kind: str, object_id: int, recipient_id: int) -> str:
    return email_send(kind=kind, object_id=object_id, recipient_id=recipient_id)


# --- the shop's mails -----------------------------------------------------------------------------------


def _order_context(order_id: int) -> dict[str, Any] | None:
    order = Order.objects.filter(id=order_id).prefetch_related("lines").first()
    if order is None:
        return None
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "currency": settings.SHOP_CURRENCY,
        "order_url": absolute_url(order.get_absolute_url()),
        "orders_url": absolute_url(reverse("shop:order_list")),
    }


def _back_in_stock_context(alert_id: int) -> dict[str, Any] | None:
    alert = StockAlert.objects.select_related("product", "variant").filter(id=alert_id).first()
    if alert is None or not alert.product.is_active:
        return None
    url = alert.product.get_absolute_url()
    if alert.variant is not None and alert.variant.name:
        url = f"{url}?variant={alert.variant.id}"  # the size/colour awaited, chosen on arrival
    return {
        "product": alert.product,
        "variant": alert.variant,
        "currency": settings.SHOP_CURRENCY,
        "product_url": absolute_url(url),
        "preferences_url": absolute_url(reverse("shop:account")),
    }


ORDER_PLACED = email_kind_register(EmailKind("order_placed", True, _order_context))
ORDER_PAID = email_kind_register(EmailKind("order_paid", True, _order_context))
ORDER_SHIPPED = email_kind_register(EmailKind("order_shipped", True, _order_context))
ORDER_DELIVERED = email_kind_register(EmailKind("order_delivered", True, _order_context))
ORDER_CANCELLED = email_kind_register(EmailKind("order_cancelled", True, _order_context))
BACK_IN_STOCK = email_kind_register(EmailKind("back_in_stock", False, _back_in_stock_context))

_ORDER_KINDS = {
    Order.Status.PLACED: ORDER_PLACED,
    Order.Status.PAID: ORDER_PAID,
    Order.Status.SHIPPED: ORDER_SHIPPED,
    Order.Status.DELIVERED: ORDER_DELIVERED,
    Order.Status.CANCELLED: ORDER_CANCELLED,
}


def order_email_queue(*, order: Order, status: str) -> None:
    """Mail the shopper that `order` is now `status` (after commit; once per order and status)."""
    kind = _ORDER_KINDS.get(Order.Status(status))
    if kind is not None:
        email_queue(kind=kind, object_id=order.id, recipient_id=order.user_id)


def password_reset_email_send(*, user: User, uid: str, token: str) -> None:
    """Django's password-reset mail in the house templates and the user's language, sent at once (the link
    holds a token, which stays out of the broker); the same EMAIL_URL configuration as every other mail."""
    path = reverse("shop:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    language = email_language(user)
    content = email_render(
        template="password_reset",
        context={"reset_url": absolute_url(path)},
        language=language,
        recipient=user,
    )
    message = EmailMultiAlternatives(
        subject=content.subject,
        body=content.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Content-Language": language},
    )
    message.attach_alternative(content.html, "text/html")
    message.send()
