"""Product questions and answers pages: the product page loads the questions fragment (htmx, `hx-trigger=load`),
which also works as a page of its own without JavaScript. Asking, answering and voting post here; htmx swaps the
fragment, plain forms redirect back. Views translate input and call one service (rules live there)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.errors import ServiceError
from common.ratelimit import RateLimited, rate_limit_hit
from shop import selectors, services
from shop.forms.qa import AnswerForm, QuestionForm
from shop.models import Product
from shop.views import HtmxHttpRequest, SignedInHttpRequest


def _page_number(request: HtmxHttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _render(
    request: HtmxHttpRequest,
    product: Product,
    *,
    ask_form: QuestionForm | None = None,
    answer_form: AnswerForm | None = None,
    answer_question_id: int | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    page = selectors.product_questions(
        product=product,
        user=request.user,
        query=request.GET.get("q", ""),
        page=_page_number(request),
    )
    context = {
        "product": product,
        "page": page,
        "highlights": selectors.product_highlights(product_id=product.pk),
        "ask_form": ask_form or QuestionForm(),
        "answer_form": answer_form,
        "answer_question_id": answer_question_id,
        "qa_message": message,
    }
    template = (
        "shop/partials/product_questions.html" if request.htmx else "shop/product_questions.html"
    )
    return render(request, template, context, status=status)


def _product(product_id: int) -> Product:
    return selectors.product_get_active(product_id=product_id)


def _done(request: HtmxHttpRequest, product: Product, message: str) -> HttpResponse:
    if request.htmx:
        return _render(request, product, message=message)
    return redirect(reverse("shop:product_questions", args=[product.pk]) + "#questions")


@require_GET
def product_questions(request: HtmxHttpRequest, product_id: int) -> HttpResponse:
    return _render(request, _product(product_id))


@login_required
@require_POST
def question_ask(request: SignedInHttpRequest, product_id: int) -> HttpResponse:
    product = _product(product_id)
    form = QuestionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            rate_limit_hit(scope="question_create", key=request.user.pk)
            services.question_ask(
                user=request.user, product=product, body=form.cleaned_data["body"]
            )
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return _done(
                request, product, _("Your question is posted. Buyers are invited to answer.")
            )
    return _render(request, product, ask_form=form, status=status)


@login_required
@require_POST
def answer_create(request: SignedInHttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_get_visible(question_id=question_id)
    form = AnswerForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            rate_limit_hit(scope="answer_create", key=request.user.pk)
            services.answer_create(
                user=request.user,
                question=question,
                body=form.cleaned_data["body"],
                as_buyer=form.cleaned_data["as_buyer"],
            )
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return _done(request, question.product, _("Thank you, your answer is posted."))
    return _render(
        request,
        question.product,
        answer_form=form,
        answer_question_id=question.pk,
        status=status,
    )


@login_required
@require_POST
def answer_helpful(request: SignedInHttpRequest, answer_id: int) -> HttpResponse:
    answer = selectors.answer_get_visible(answer_id=answer_id)
    try:
        services.answer_vote_helpful(user=request.user, answer=answer)
    except ServiceError as error:
        return _render(
            request, answer.question.product, message=error.message, status=error.status_code
        )
    return _done(request, answer.question.product, _("Thank you for your vote."))


urlpatterns = [
    path("product/<int:product_id>/questions/", product_questions, name="product_questions"),
    path("product/<int:product_id>/questions/ask/", question_ask, name="question_ask"),
    path("questions/<int:question_id>/answer/", answer_create, name="answer_create"),
    path("answers/<int:answer_id>/helpful/", answer_helpful, name="answer_helpful"),
]
