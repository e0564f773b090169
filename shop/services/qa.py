"""Product questions and answers: asking, answering, helpful votes, inviting buyers, the suggested answer.

Q&A lives in `shop` because everything it rests on is the shop's: the product, who bought it (the verified-buyer
badge and who is invited), its description and reviews (the suggested answer). Social only delivers the
notifications (`shop.hooks.user_notified`), tells whether a buyer accepts invitations
(`shop.hooks.question_invites_allowed`, the privacy page's choice), and puts questions and answers in its one
moderation queue, export and erasure, the way it already does for reviews.

Callers count the rate limits (`question_create`, `answer_create`) before calling; the services check the
content rules. Inviting buyers and the suggestion run in tasks queued after commit.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from common.errors import ServiceError
from shop.hooks import UserNotice, question_invites_allowed, user_notified
from shop.models import Answer, AnswerVote, Product, Question, User
from shop.models.qa import ANSWER_MAX_CHARS, QUESTION_MAX_CHARS
from shop.selectors.purchases import recent_buyer_ids, user_has_purchased
from shop.services.answering import product_passages, suggest_answer
from shop.services.email import EmailKind, absolute_url, email_kind_register, email_queue

__all__ = [
    "INVITES_PER_QUESTION",
    "QUESTION_INVITE",
    "answer_create",
    "answer_vote_helpful",
    "answer_votes_withdraw",
    "question_ask",
    "question_buyers_invite",
    "question_buyers_invite_task",
    "question_suggestion_refresh",
    "question_suggestion_task",
]

# Buyers asked per question at most (the most recent ones): enough to get an answer, not a broadcast.
INVITES_PER_QUESTION = 20
MIN_CHARS = 3


def _question_invite_context(question_id: int) -> dict[str, Any] | None:
    question = (
        Question.objects.select_related("product")
        .filter(pk=question_id, is_hidden=False, product__is_active=True)
        .first()
    )
    if question is None:
        return None
    return {
        "question": question,
        "product": question.product,
        "question_url": absolute_url(question_url(question)),
        "preferences_url": absolute_url(reverse("shop:account")),
    }


# Non-essential: the privacy page's "email me" choice (shop.hooks.optional_email_allowed) can turn it off, on
# top of "invite me to answer" (shop.hooks.question_invites_allowed) which stops the invitation altogether.
QUESTION_INVITE = email_kind_register(EmailKind("question_invite", False, _question_invite_context))


def _clean_text(text: str, *, field: str, max_chars: int) -> str:
    text = (text or "").strip()
    if "\x00" in text:
        raise ServiceError(_("The text contains characters that are not allowed."), field=field)
    if len(text) < MIN_CHARS:
        raise ServiceError(
            _("Write at least %(count)s characters.") % {"count": MIN_CHARS}, field=field
        )
    if len(text) > max_chars:
        raise ServiceError(
            _("Keep it to %(count)s characters.") % {"count": max_chars}, field=field
        )
    return text


def question_url(question: Question) -> str:
    return reverse("shop:product", kwargs={"slug": question.product.slug}) + (
        f"#question-{question.pk}"
    )


def question_ask(*, user: User, product: Product, body: str, follow_ups: bool = True) -> Question:
    """A shopper asks about an active product; buyers are invited and a suggestion computed after commit.

    `follow_ups=False` queues neither: the demo seeder asks questions dated in the past (inviting buyers now
    would mail them) and computes the suggestions itself with `question_suggestion_refresh`."""
    body = _clean_text(body, field="body", max_chars=QUESTION_MAX_CHARS)
    if not product.is_active:
        raise ServiceError(_("This product is no longer sold."), code="not_found")
    with transaction.atomic():
        question = Question.objects.create(product=product, author=user, body=body)
        question_id = question.pk
        if follow_ups:
            transaction.on_commit(lambda: question_suggestion_task.delay(question_id))
            transaction.on_commit(lambda: question_buyers_invite_task.delay(question_id))
    return question


def answer_create(*, user: User, question: Question, body: str, as_buyer: bool = False) -> Answer:
    """Answer a visible question. The badge comes from the orders; `as_buyer` (the form's "I bought it" box)
    is refused when the orders say otherwise. An asker may answer their own question only as a buyer."""
    body = _clean_text(body, field="body", max_chars=ANSWER_MAX_CHARS)
    if question.is_hidden:
        raise ServiceError(_("This question is no longer shown."), code="not_found")
    bought = user_has_purchased(user_id=user.pk, product_id=question.product_id)
    if as_buyer and not bought:
        raise ServiceError(
            _("You have not bought this product, so you cannot answer as a buyer."),
            field="as_buyer",
        )
    if question.author_id == user.pk and not bought:
        raise ServiceError(
            _("You cannot answer your own question unless you bought the product."),
            field="body",
            code="own_question",
        )
    try:
        with transaction.atomic():
            answer = Answer.objects.create(
                question=question, author=user, body=body, verified_buyer=bought
            )
    except IntegrityError:
        raise ServiceError(
            _("You already answered this question."), field="body", code="conflict"
        ) from None
    if question.author_id != user.pk:
        with translation.override(question.author.language or None):
            message = _("%(name)s answered your question about %(product)s.") % {
                "name": user.get_username(),
                "product": question.product.name,
            }
        notice = UserNotice(
            recipient_id=question.author_id,
            kind="answer",
            message=message[:300],
            url=question_url(question),
            actor_id=user.pk,
        )
        transaction.on_commit(lambda: user_notified.fire(notice))
    return answer


def answer_vote_helpful(*, user: User, answer: Answer) -> Answer:
    """One helpful vote per person and answer; never on one's own answer."""
    if answer.is_hidden or answer.question.is_hidden:
        raise ServiceError(_("This answer is no longer shown."), code="not_found")
    if answer.author_id == user.pk:
        raise ServiceError(_("You cannot vote for your own answer."), code="own_answer")
    try:
        with transaction.atomic():
            AnswerVote.objects.create(answer=answer, user=user)
            Answer.objects.filter(pk=answer.pk).update(helpful_count=F("helpful_count") + 1)
    except IntegrityError:
        raise ServiceError(_("You already found this answer helpful."), code="conflict") from None
    answer.refresh_from_db(fields=["helpful_count"])
    return answer


def answer_votes_withdraw(*, user: User) -> int:
    """Take back every helpful vote of `user` (account erasure: the vote rows go with the user, the counts
    they added must go too). Returns how many were withdrawn."""
    votes = AnswerVote.objects.filter(user=user)
    answer_ids = list(votes.values_list("answer_id", flat=True))
    Answer.objects.filter(pk__in=answer_ids, helpful_count__gt=0).update(
        helpful_count=F("helpful_count") - 1
    )
    votes.delete()
    return len(answer_ids)


def question_buyers_invite(*, question_id: int) -> int:
    """Notify (in the site and by mail) the product's most recent buyers who accept it that a question waits
    for them. A retry skips buyers who already answered and never mails twice (the mail is keyed per question
    and buyer); the in-site notice may repeat. Returns the count of notices."""
    question = (
        Question.objects.select_related("product").filter(pk=question_id, is_hidden=False).first()
    )
    if question is None:
        return 0
    answered = set(question.answers.values_list("author_id", flat=True))
    sent = 0
    buyer_ids = recent_buyer_ids(
        product_id=question.product_id,
        exclude_user_id=question.author_id,
        limit=INVITES_PER_QUESTION,
    )
    for buyer in User.objects.filter(pk__in=buyer_ids).exclude(pk__in=answered):
        if not all(question_invites_allowed.fire(buyer)):
            continue
        with translation.override(buyer.language or None):
            message = _("You bought %(product)s: can you answer a shopper's question?") % {
                "product": question.product.name
            }
        with transaction.atomic():
            # One mail per question and buyer however often this runs (EmailLog's key).
            email_queue(kind=QUESTION_INVITE, object_id=question.pk, recipient_id=buyer.pk)
        user_notified.fire(
            UserNotice(
                recipient_id=buyer.pk,
                kind="question",
                message=message[:300],
                url=question_url(question),
                actor_id=question.author_id,
            )
        )
        sent += 1
    return sent


def question_suggestion_refresh(*, question_id: int) -> dict | None:
    """Compute and store the question's grounded suggestion; None when the question is gone."""
    question = Question.objects.select_related("product").filter(pk=question_id).first()
    if question is None:
        return None
    suggestion = suggest_answer(
        question=question.body, passages=product_passages(question.product)
    ).as_json()
    Question.objects.filter(pk=question_id).update(suggestion=suggestion)
    return suggestion


# Declared beside the services that queue them (services never import shop.tasks); re-exported there.
@shared_task(name="shop.tasks.question_suggestion_task", acks_late=True, ignore_result=True)
def question_suggestion_task(question_id: int) -> None:
    question_suggestion_refresh(question_id=question_id)


@shared_task(name="shop.tasks.question_buyers_invite_task", acks_late=True, ignore_result=True)
def question_buyers_invite_task(question_id: int) -> int:
    return question_buyers_invite(question_id=question_id)
