import pytest

from common.errors import ServiceError
from shop import services
from shop.models import Answer, Question
from social.models import Notification, Profile
from tests.factories import ProductFactory, ReviewFactory, UserFactory
from tests.factories.qa import AnswerFactory, QuestionFactory, make_buyer

pytestmark = pytest.mark.django_db


def test_asking_stores_the_question(user, product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        question = services.question_ask(user=user, product=product, body="  Is it waterproof?  ")
    assert Question.objects.get().body == "Is it waterproof?"
    assert question.author == user


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write at least 3 characters."),
        ("  ", "Write at least 3 characters."),
        ("x" * 501, "Keep it to 500 characters."),
        ("nul\x00byte", "The text contains characters that are not allowed."),
    ],
)
def test_bad_question_is_refused_on_its_field(user, product, body, message):
    with pytest.raises(ServiceError) as caught:
        services.question_ask(user=user, product=product, body=body)
    assert (caught.value.field, caught.value.message) == ("body", message)
    assert not Question.objects.exists()


def test_asking_about_an_inactive_product_is_not_found(user):
    product = ProductFactory(is_active=False)
    with pytest.raises(ServiceError) as caught:
        services.question_ask(user=user, product=product, body="Still sold?")
    assert caught.value.status_code == 404


def test_buyers_are_invited_to_answer(user, product, django_capture_on_commit_callbacks):
    buyer = UserFactory(username="buyer")
    make_buyer(user=buyer, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        question = services.question_ask(user=user, product=product, body="Is it warm?")
    notice = Notification.objects.get(recipient=buyer)
    assert notice.kind == "question"
    assert notice.url == f"/product/{product.slug}/#question-{question.pk}"
    assert "can you answer" in notice.message


def test_buyers_who_turned_invitations_off_are_not_invited(
    user, product, django_capture_on_commit_callbacks
):
    buyer = UserFactory(username="buyer")
    make_buyer(user=buyer, product=product)
    Profile.objects.update_or_create(user=buyer, defaults={"answer_questions": False})
    with django_capture_on_commit_callbacks(execute=True):
        services.question_ask(user=user, product=product, body="Is it warm?")
    assert not Notification.objects.filter(recipient=buyer).exists()


def test_the_asker_is_not_invited_to_their_own_question(
    user, product, django_capture_on_commit_callbacks
):
    make_buyer(user=user, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_ask(user=user, product=product, body="Is it warm?")
    assert not Notification.objects.filter(recipient=user).exists()


def test_an_answer_from_a_buyer_is_badged(other_user, product):
    question = QuestionFactory(product=product)
    make_buyer(user=other_user, product=product)
    answer = services.answer_create(user=other_user, question=question, body="Very warm.")
    assert answer.verified_buyer is True


def test_an_answer_from_someone_else_is_not_badged(other_user, product):
    question = QuestionFactory(product=product)
    answer = services.answer_create(user=other_user, question=question, body="Looks warm.")
    assert answer.verified_buyer is False


def test_answering_as_buyer_without_buying_is_refused(other_user, product):
    question = QuestionFactory(product=product)
    with pytest.raises(ServiceError) as caught:
        services.answer_create(user=other_user, question=question, body="Warm!", as_buyer=True)
    assert caught.value.field == "as_buyer"
    assert caught.value.status_code == 400
    assert not Answer.objects.exists()


def test_answering_own_question_without_buying_is_refused(user, product):
    question = QuestionFactory(product=product, author=user)
    with pytest.raises(ServiceError) as caught:
        services.answer_create(user=user, question=question, body="Answering myself")
    assert caught.value.code == "own_question"


def test_a_buyer_may_answer_their_own_question(user, product):
    question = QuestionFactory(product=product, author=user)
    make_buyer(user=user, product=product)
    answer = services.answer_create(user=user, question=question, body="Bought it since: yes")
    assert answer.verified_buyer is True


def test_answering_twice_is_a_conflict(other_user, product):
    question = QuestionFactory(product=product)
    services.answer_create(user=other_user, question=question, body="First answer")
    with pytest.raises(ServiceError) as caught:
        services.answer_create(user=other_user, question=question, body="Second answer")
    assert caught.value.status_code == 409


def test_the_asker_is_notified_of_an_answer(
    user, other_user, product, django_capture_on_commit_callbacks
):
    question = QuestionFactory(product=product, author=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_create(user=other_user, question=question, body="It is warm.")
    notice = Notification.objects.get(recipient=user)
    assert (notice.kind, notice.actor_id) == ("answer", other_user.pk)
    assert notice.message == f"shopper2 answered your question about {product.name}."


def test_answering_a_hidden_question_is_not_found(other_user):
    question = QuestionFactory(is_hidden=True)
    with pytest.raises(ServiceError) as caught:
        services.answer_create(user=other_user, question=question, body="Hello there")
    assert caught.value.status_code == 404


def test_a_helpful_vote_counts_once(user):
    answer = AnswerFactory()
    services.answer_vote_helpful(user=user, answer=answer)
    with pytest.raises(ServiceError) as caught:
        services.answer_vote_helpful(user=user, answer=answer)
    assert caught.value.status_code == 409
    answer.refresh_from_db()
    assert answer.helpful_count == 1


def test_voting_for_own_answer_is_refused(user):
    answer = AnswerFactory(author=user)
    with pytest.raises(ServiceError) as caught:
        services.answer_vote_helpful(user=user, answer=answer)
    assert caught.value.code == "own_answer"


def test_withdrawing_votes_lowers_the_counts(user):
    answer = AnswerFactory()
    services.answer_vote_helpful(user=user, answer=answer)
    assert services.answer_votes_withdraw(user=user) == 1
    answer.refresh_from_db()
    assert answer.helpful_count == 0


def test_the_suggestion_quotes_a_review_that_answers(
    user, product, django_capture_on_commit_callbacks
):
    review = ReviewFactory(
        product=product, title="", body="The battery lasts two days. Shipping was slow."
    )
    with django_capture_on_commit_callbacks(execute=True):
        question = services.question_ask(
            user=user, product=product, body="How long does the battery last?"
        )
    question.refresh_from_db()
    assert question.suggestion["found"] is True
    best = question.suggestion["passages"][0]
    assert (best["source"], best["text"], best["review_id"]) == (
        "review",
        "The battery lasts two days.",
        review.pk,
    )


def test_the_suggestion_says_when_nothing_is_relevant(user, django_capture_on_commit_callbacks):
    product = ProductFactory(description="A cotton t-shirt.")
    ReviewFactory(product=product, body="Lovely colour.")
    with django_capture_on_commit_callbacks(execute=True):
        question = services.question_ask(user=user, product=product, body="Is it dishwasher safe?")
    question.refresh_from_db()
    assert question.suggestion == {"found": False, "passages": []}


def test_invited_buyers_get_one_mail_however_often_the_task_runs(
    user, product, mailoutbox, django_capture_on_commit_callbacks
):
    buyer = UserFactory(username="buyer", email="buyer@example.com")
    make_buyer(user=buyer, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        question = services.question_ask(user=user, product=product, body="Is it warm?")
    with django_capture_on_commit_callbacks(execute=True):
        services.question_buyers_invite(question_id=question.pk)
    assert [m.to for m in mailoutbox] == [["buyer@example.com"]]
    assert mailoutbox[0].subject == f"A shopper has a question about {product.name}"
    assert "Is it warm?" in mailoutbox[0].body
    assert f"#question-{question.pk}" in mailoutbox[0].body
