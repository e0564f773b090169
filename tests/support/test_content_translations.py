"""Help articles in the visitor's language, English as the fallback (django-modeltranslation)."""

import pytest
from django.utils import translation

from support.demo.articles import seed_articles
from support.models import HelpArticle

pytestmark = pytest.mark.django_db


def test_demo_help_articles_have_chinese_titles_and_fall_back_for_bodies():
    seed_articles(log=lambda message: None)

    with translation.override("zh-hans"):
        article = HelpArticle.objects.get(slug="returns-and-refunds")
        assert article.title == "退货与退款"
        assert article.body.startswith(article.body_en[:20])
