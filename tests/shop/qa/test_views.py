import pytest
from django.urls import reverse

from shop.models import Answer, AnswerVote, Question
from tests.factories import ProductFactory
from tests.factories.qa import AnswerFactory, QuestionFactory, make_buyer

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_product_page_loads_the_questions_fragment(client, product):
    response = client.get(product.get_absolute_url())
    assert reverse("shop:product_questions", args=[product.pk]) in response.content.decode()


def test_questions_fragment_shows_answers_with_the_buyer_badge(client, product):
    answer = AnswerFactory(question__product=product, verified_buyer=True, body="Warm enough.")
    response = client.get(reverse("shop:product_questions", args=[product.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert answer.question.body in html
    assert "Warm enough." in html
    assert "Verified buyer" in html
    assert "<html" not in html


def test_questions_page_works_without_javascript(client, product):
    QuestionFactory(product=product, body="Is it heavy?")
    response = client.get(reverse("shop:product_questions", args=[product.pk]))
    assert "<html" in response.content.decode()
    assert "Is it heavy?" in response.content.decode()


def test_hidden_questions_and_answers_are_not_shown(client, product):
    QuestionFactory(product=product, body="Hidden question", is_hidden=True)
    AnswerFactory(question__product=product, body="Hidden answer", is_hidden=True)
    html = client.get(reverse("shop:product_questions", args=[product.pk]), **HTMX).content.decode()
    assert "Hidden question" not in html
    assert "Hidden answer" not in html


def test_search_finds_questions_by_their_answers(client, product):
    AnswerFactory(question__product=product, question__body="Colour?", body="It is navy blue")
    QuestionFactory(product=product, body="Weight?")
    url = reverse("shop:product_questions", args=[product.pk])
    html = client.get(url, {"q": "navy"}, **HTMX).content.decode()
    assert "Colour?" in html
    assert "Weight?" not in html


def test_an_unanswered_question_shows_the_labelled_suggestion(client, product):
    QuestionFactory(
        product=product,
        suggestion={
            "found": True,
            "passages": [
                {"source": "review", "text": "Lasts two days.", "review_id": 3, "score": 1}
            ],
        },
    )
    html = client.get(reverse("shop:product_questions", args=[product.pk]), **HTMX).content.decode()
    assert "Automatic answer" in html
    assert "<q>Lasts two days.</q>" in html


def test_asking_with_htmx_returns_the_fragment(shopper_client, product):
    response = shopper_client.post(
        reverse("shop:question_ask", args=[product.pk]), {"body": "Is it <b>warm</b>?"}, **HTMX
    )
    assert response.status_code == 200
    assert "Is it &lt;b&gt;warm&lt;/b&gt;?" in response.content.decode()
    assert Question.objects.get().body == "Is it <b>warm</b>?"


def test_an_empty_question_is_a_form_error(shopper_client, product):
    response = shopper_client.post(
        reverse("shop:question_ask", args=[product.pk]), {"body": ""}, **HTMX
    )
    assert response.status_code == 400
    assert "Write your question first." in response.content.decode()


def test_asking_about_an_unknown_product_is_404(shopper_client):
    response = shopper_client.post(reverse("shop:question_ask", args=[999999]), {"body": "Hello?"})
    assert response.status_code == 404


def test_asking_too_often_is_refused(shopper_client, product, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"question_create": "1/hour"},
    }
    url = reverse("shop:question_ask", args=[product.pk])
    assert shopper_client.post(url, {"body": "First question"}, **HTMX).status_code == 200
    response = shopper_client.post(url, {"body": "Second question"}, **HTMX)
    assert response.status_code == 429
    assert "too often" in response.content.decode()
    assert "Second question" in response.content.decode()  # the text is kept in the form


def test_asking_requires_login(client, product):
    response = client.post(reverse("shop:question_ask", args=[product.pk]), {"body": "Hello?"})
    assert response.status_code == 302
    assert not Question.objects.exists()


def test_answering_as_buyer_without_buying_shows_the_error(shopper_client, product):
    question = QuestionFactory(product=product)
    response = shopper_client.post(
        reverse("shop:answer_create", args=[question.pk]),
        {"body": "It is great", "as_buyer": "on"},
        **HTMX,
    )
    assert response.status_code == 400
    assert "You have not bought this product" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_buyer_answers_without_javascript(shopper_client, user, product):
    question = QuestionFactory(product=product)
    make_buyer(user=user, product=product)
    response = shopper_client.post(
        reverse("shop:answer_create", args=[question.pk]), {"body": "Yes, warm", "as_buyer": "on"}
    )
    assert response.status_code == 302
    assert Answer.objects.get().verified_buyer is True


def test_voting_twice_answers_409(shopper_client):
    answer = AnswerFactory()
    url = reverse("shop:answer_helpful", args=[answer.pk])
    assert shopper_client.post(url, **HTMX).status_code == 200
    response = shopper_client.post(url, **HTMX)
    assert response.status_code == 409
    assert "You already found this answer helpful." in response.content.decode()
    assert AnswerVote.objects.count() == 1


def test_questions_fragment_has_a_fixed_query_count(client, django_assert_max_num_queries):
    product = ProductFactory()
    for _ in range(5):
        AnswerFactory(question__product=product)
    url = reverse("shop:product_questions", args=[product.pk])
    client.get(url, **HTMX)
    with django_assert_max_num_queries(6):
        client.get(url, **HTMX)
