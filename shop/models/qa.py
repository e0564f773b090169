"""Product questions and answers, helpful votes, and the review highlights ("what buyers say").

A question belongs to a product and its asker; buyers answer it. `Answer.verified_buyer` is decided by the
service from the shop's orders when the answer is written, never claimed by the client. `Question.suggestion`
holds the automatic answer a task grounds in the product's own text (null while it is being computed).
Questions and answers carry `is_hidden` so the one moderation queue (social) can hide them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models.catalog import Product

__all__ = ["Answer", "AnswerVote", "Question", "ReviewHighlight"]

QUESTION_MAX_CHARS = 500
ANSWER_MAX_CHARS = 2000


class Question(models.Model):
    product = models.ForeignKey(Product, related_name="questions", on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="product_questions", on_delete=models.CASCADE
    )
    body = models.TextField(max_length=QUESTION_MAX_CHARS)
    is_hidden = models.BooleanField(default=False)
    # {"found": bool, "passages": [{"source": "description"|"attribute"|"review", "text": str,
    # "review_id": int|None}]}; null until the suggestion task ran.
    suggestion = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("product question")
        indexes = [models.Index(fields=["product", "is_hidden", "-created_at"])]

    def __str__(self) -> str:
        return self.body[:80]


class Answer(models.Model):
    question = models.ForeignKey(Question, related_name="answers", on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="product_answers", on_delete=models.CASCADE
    )
    body = models.TextField(max_length=ANSWER_MAX_CHARS)
    verified_buyer = models.BooleanField(default=False)
    helpful_count = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-helpful_count", "created_at", "id"]
        verbose_name = _("product answer")
        constraints = [
            models.UniqueConstraint(fields=["question", "author"], name="answer_one_per_author")
        ]

    def __str__(self) -> str:
        return self.body[:80]


class AnswerVote(models.Model):
    answer = models.ForeignKey(Answer, related_name="votes", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="answer_votes", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "user"], name="answer_vote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} found {self.answer_id} helpful"


class ReviewHighlight(models.Model):
    """One aspect buyers mention in a product's reviews, with its counts and the passages behind them.
    Rewritten as a whole per product by `shop.services.highlights.review_highlights_refresh`."""

    product = models.ForeignKey(Product, related_name="highlights", on_delete=models.CASCADE)
    aspect = models.CharField(max_length=30)
    positive = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    # [{"review_id": int, "text": str, "polarity": "positive"|"negative"}], a few per polarity.
    passages = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "-positive", "aspect"]
        verbose_name = _("review highlight")
        constraints = [
            models.UniqueConstraint(fields=["product", "aspect"], name="highlight_one_per_aspect")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.aspect} +{self.positive} -{self.negative}"
