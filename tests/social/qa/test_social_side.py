"""Social's part of product questions: moderation queue, export, erasure, the privacy choice."""

import pytest
from django.contrib.contenttypes.models import ContentType

from shop.models import Answer, Question
from social import selectors, services
from tests.factories.qa import AnswerFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_a_question_can_be_reported_and_hidden(user, moderator):
    question = QuestionFactory(body="Buy cheap pills here")
    services.report_create(reporter=user, target=question, reason="spam")
    [item] = selectors.moderation_queue()
    assert item.target == question
    services.moderation_act(
        moderator=moderator,
        content_type_id=ContentType.objects.get_for_model(Question).pk,
        object_id=question.pk,
        kind="hide",
        note="spam",
    )
    question.refresh_from_db()
    assert question.is_hidden is True


def test_answers_are_reportable():
    assert selectors.target_is_reportable(Answer)
    assert selectors.target_is_reportable(Question)


def test_export_includes_questions_answers_and_votes(user):
    question = QuestionFactory(author=user, body="Is it warm?")
    answer = AnswerFactory(author=user, body="Yes it is", verified_buyer=True)
    data = selectors.export_for_user(user=user)
    assert [q["body"] for q in data["questions"]] == ["Is it warm?"]
    assert data["questions"][0]["id"] == question.pk
    assert data["answers"][0]["body"] == "Yes it is"
    assert data["answers"][0]["verified_buyer"] is True
    assert data["answers"][0]["question"] == answer.question_id
    assert data["helpful_votes"] == []


def test_erasure_removes_questions_answers_and_withdraws_votes(user, other_user):
    from shop.services import answer_vote_helpful

    QuestionFactory(author=user)
    AnswerFactory(author=user)
    kept = AnswerFactory(author=other_user)
    answer_vote_helpful(user=user, answer=kept)
    services.account_delete(user=user)
    assert not Question.objects.filter(author_id=user.pk).exists()
    assert not Answer.objects.filter(author_id=user.pk).exists()
    kept.refresh_from_db()
    assert kept.helpful_count == 0


def test_privacy_setting_turns_invitations_off(user):
    from shop.hooks import question_invites_allowed

    assert question_invites_allowed.fire(user) == [True]
    services.privacy_update(user=user, answer_questions=False)
    assert question_invites_allowed.fire(user) == [False]
