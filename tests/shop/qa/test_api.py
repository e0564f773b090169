import pytest

from shop.models import Question
from tests.factories import ProductFactory, ReviewFactory
from tests.factories.qa import AnswerFactory, QuestionFactory, make_buyer

pytestmark = pytest.mark.django_db


def test_questions_list(api_client, product):
    answer = AnswerFactory(question__product=product, body="Yes.", verified_buyer=True)
    data = api_client.get(f"/api/v1/products/{product.pk}/questions/").json()
    assert data["page"] == 1
    assert data["has_next"] is False
    assert data["results"][0]["answers"][0]["body"] == "Yes."
    assert data["results"][0]["answers"][0]["verified_buyer"] is True
    assert data["results"][0]["id"] == answer.question_id


def test_ask(shopper_api, product):
    response = shopper_api.post(
        f"/api/v1/products/{product.pk}/questions/", {"body": "Is it warm?"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["body"] == "Is it warm?"


@pytest.mark.parametrize(
    ("body", "field_message"),
    [
        ("", "This field may not be blank."),
        ("x" * 501, "Ensure this field has no more than 500 characters."),
        ("ab", "Write at least 3 characters."),
    ],
)
def test_bad_questions_answer_400(shopper_api, product, body, field_message):
    response = shopper_api.post(
        f"/api/v1/products/{product.pk}/questions/", {"body": body}, format="json"
    )
    assert response.status_code == 400
    assert field_message in str(response.json())
    assert not Question.objects.exists()


def test_ask_unknown_product_is_404(shopper_api):
    response = shopper_api.post(
        "/api/v1/products/999999/questions/", {"body": "Hi?"}, format="json"
    )
    assert response.status_code == 404


def test_ask_needs_authentication(api_client, product):
    response = api_client.post(
        f"/api/v1/products/{product.pk}/questions/", {"body": "Hi there?"}, format="json"
    )
    assert response.status_code in (401, 403)


def test_answer_as_buyer_when_not_a_buyer_is_400(shopper_api, product):
    question = QuestionFactory(product=product)
    response = shopper_api.post(
        f"/api/v1/questions/{question.pk}/answers/",
        {"body": "Great!", "as_buyer": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "as_buyer": ["You have not bought this product, so you cannot answer as a buyer."]
    }


def test_answer_by_a_buyer_is_badged(shopper_api, user, product):
    question = QuestionFactory(product=product)
    make_buyer(user=user, product=product)
    response = shopper_api.post(
        f"/api/v1/questions/{question.pk}/answers/", {"body": "Warm enough"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["verified_buyer"] is True


def test_vote_twice_is_409(shopper_api):
    answer = AnswerFactory()
    assert shopper_api.post(f"/api/v1/answers/{answer.pk}/helpful/").json()["helpful_count"] == 1
    response = shopper_api.post(f"/api/v1/answers/{answer.pk}/helpful/")
    assert response.status_code == 409
    assert response.json()["detail"] == "You already found this answer helpful."


def test_highlights(api_client, settings):
    settings.REVIEW_HIGHLIGHTS_MIN_REVIEWS = 1
    product = ProductFactory()
    review = ReviewFactory(product=product, title="", body="Great quality.")
    from shop import services

    services.review_highlights_refresh(product_id=product.pk)
    assert api_client.get(f"/api/v1/products/{product.pk}/highlights/").json() == [
        {
            "aspect": "quality",
            "label": "Quality",
            "positive": 1,
            "negative": 0,
            "passages": [
                {"review_id": review.pk, "text": "Great quality.", "polarity": "positive"}
            ],
        }
    ]
