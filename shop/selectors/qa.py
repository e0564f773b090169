"""Product questions and answers and the review highlights, as the product page and the API show them.

Hidden questions and answers (moderation) are left out. A page of questions costs a fixed number of queries
whatever its size: the questions, their answers, and the viewer's helpful votes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from shop.models import Answer, AnswerVote, Product, Question, ReviewHighlight, User

__all__ = [
    "QUESTIONS_PAGE_SIZE",
    "HighlightView",
    "QuestionPage",
    "QuestionView",
    "answer_get_visible",
    "product_highlights",
    "product_questions",
    "question_get_visible",
]

QUESTIONS_PAGE_SIZE = 10
SEARCH_MAX_CHARS = 100


@dataclass(frozen=True)
class QuestionView:
    question: Question
    answers: list[Answer]
    voted_answer_ids: frozenset[int]
    # The stored automatic suggestion, shown until a person answers (None while being computed).
    suggestion: dict | None

    @property
    def is_answered(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class QuestionPage:
    product: Product
    items: list[QuestionView]
    query: str
    number: int
    has_next: bool
    total: int = 0
    errors: list[str] = field(default_factory=list)


def question_get_visible(*, question_id: int) -> Question:
    question = (
        Question.objects.select_related("product", "author")
        .filter(pk=question_id, is_hidden=False, product__is_active=True)
        .first()
    )
    if question is None:
        raise Http404(_("No such question."))
    return question


def answer_get_visible(*, answer_id: int) -> Answer:
    answer = (
        Answer.objects.select_related("question", "question__product", "author")
        .filter(pk=answer_id, is_hidden=False, question__is_hidden=False)
        .first()
    )
    if answer is None:
        raise Http404(_("No such answer."))
    return answer


def product_questions(
    *,
    product: Product,
    user: User | AnonymousUser | None = None,
    query: str = "",
    page: int = 1,
) -> QuestionPage:
    """A page of the product's visible questions, newest first, each with its visible answers (most helpful
    first). `query` searches the questions and their answers (case-insensitive words, all must match)."""
    query = (query or "").replace("\x00", "").strip()[:SEARCH_MAX_CHARS]
    page = max(1, page)
    questions = Question.objects.filter(product=product, is_hidden=False)
    for word in query.split():
        questions = questions.filter(
            Q(body__icontains=word) | Q(answers__body__icontains=word, answers__is_hidden=False)
        )
    if query:
        questions = questions.distinct()
    start = (page - 1) * QUESTIONS_PAGE_SIZE
    rows = list(
        questions.select_related("author")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.filter(is_hidden=False).select_related("author"),
            )
        )
        .order_by("-created_at", "-id")[start : start + QUESTIONS_PAGE_SIZE + 1]
    )
    has_next = len(rows) > QUESTIONS_PAGE_SIZE
    rows = rows[:QUESTIONS_PAGE_SIZE]
    voted: frozenset[int] = frozenset()
    if isinstance(user, User) and rows:
        voted = frozenset(
            AnswerVote.objects.filter(
                user=user, answer__question__in=[q.pk for q in rows]
            ).values_list("answer_id", flat=True)
        )
    items = [
        QuestionView(
            question=q,
            answers=list(q.answers.all()),
            voted_answer_ids=voted,
            suggestion=q.suggestion,
        )
        for q in rows
    ]
    return QuestionPage(product=product, items=items, query=query, number=page, has_next=has_next)


@dataclass(frozen=True)
class HighlightView:
    aspect: str
    label: str
    positive: int
    negative: int
    passages: list[dict]

    @property
    def total(self) -> int:
        return self.positive + self.negative

    @property
    def positive_percent(self) -> int:
        return round(100 * self.positive / self.total) if self.total else 0


def _aspect_labels() -> dict[str, str]:
    return {
        "fit": _("Fit and size"),
        "quality": _("Quality"),
        "battery": _("Battery"),
        "delivery": _("Delivery"),
        "price": _("Value for money"),
        "comfort": _("Comfort"),
        "look": _("Look and colour"),
        "sound": _("Sound"),
    }


def product_highlights(*, product_id: int) -> list[HighlightView]:
    """The stored "what buyers say" aspects of a product, most mentioned first. One query."""
    labels = _aspect_labels()
    rows = ReviewHighlight.objects.filter(product_id=product_id)
    views = [
        HighlightView(
            aspect=row.aspect,
            label=labels.get(row.aspect, row.aspect),
            positive=row.positive,
            negative=row.negative,
            passages=list(row.passages),
        )
        for row in rows
    ]
    views.sort(key=lambda view: (-view.total, view.aspect))
    return views
