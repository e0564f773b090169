"""Factories for product questions and answers, and a helper that makes someone a buyer of a product."""

from __future__ import annotations

import factory

from shop.models import Answer, OrderLine, Product, Question, User
from tests.factories import ProductFactory, UserFactory
from tests.factories.commerce import OrderLineFactory


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    product = factory.SubFactory(ProductFactory)
    author = factory.SubFactory(UserFactory)
    body = "Does it run true to size?"


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    author = factory.SubFactory(UserFactory)
    body = "Yes, I wear my usual size."


def make_buyer(*, user: User, product: Product) -> OrderLine:
    """`user` has a placed order with a line for `product`."""
    line: OrderLine = OrderLineFactory.create(order__user=user, product=product)
    return line
