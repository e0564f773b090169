"""Help-article admin: staff write markdown and see a sanitised preview; publishing reaches the assistant."""

from __future__ import annotations

import pytest
from django.urls import reverse

from support.assistant import retrieval
from support.assistant.rendering import markdown_to_plain_text, render_markdown
from support.models import HelpArticle, HelpCategory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def article(db):
    category = HelpCategory.objects.create(name="Payments", slug="payments")
    return HelpArticle.objects.create(
        category=category,
        title="Paying by card",
        slug="paying-by-card",
        keywords="visa, card",
        body="We take **Visa**.\n\n<script>alert(1)</script>\n\n[pay](javascript:alert(2)) and "
        '<a href="https://example.com" onclick="steal()">terms</a>',
    )


def test_render_markdown_keeps_formatting_and_strips_script():
    html = render_markdown(
        "# Title\n\n**bold** <script>alert(1)</script> <img src=x onerror=alert(1)>"
        "\n\n[x](javascript:alert(2))"
    )

    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "onerror" not in html
    assert "<img" not in html
    assert "javascript:" not in html


def test_plain_text_joins_soft_wraps_and_flattens_tables():
    text = markdown_to_plain_text(
        "We ship **fast**,\nevery day.\n\n| Method | Cost |\n|---|---|\n| Standard | 4.90 |\n\n"
        "- one\n- two [link](https://x.example)"
    )

    assert text == (
        "We ship fast, every day.\n\nMethod — Cost\nStandard — 4.90\n\n• one\n• two link"
    )


def test_change_page_shows_the_sanitised_preview(admin_client, article):
    response = admin_client.get(reverse("admin:support_helparticle_change", args=[article.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    preview = page.split('<div class="help-article-preview">', 1)[1].split("</div>", 1)[0]
    assert preview.startswith("<p>We take <strong>Visa</strong>.</p>")
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">terms</a>' in preview
    assert "<script>alert(1)</script>" not in preview
    assert "javascript:" not in preview
    assert "steal()" not in preview


def test_add_page_renders(admin_client, db):
    response = admin_client.get(reverse("admin:support_helparticle_add"))

    assert response.status_code == 200
    assert "Save the article to see the preview." in response.content.decode()


def test_changelist_lists_articles(admin_client, article):
    response = admin_client.get(reverse("admin:support_helparticle_changelist"))

    assert response.status_code == 200
    assert "Paying by card" in response.content.decode()


def test_category_changelist_renders(admin_client, article):
    response = admin_client.get(reverse("admin:support_helpcategory_changelist"))

    assert response.status_code == 200
    assert "Payments" in response.content.decode()


def test_unpublish_action_takes_the_article_out_of_the_assistants_index(admin_client, article):
    retrieval.clear_index_cache()
    assert retrieval.search("visa card", k=1)[0].slug == "paying-by-card"

    response = admin_client.post(
        reverse("admin:support_helparticle_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.published is False
    assert retrieval.search("visa card", k=1) == []
    retrieval.clear_index_cache()


def test_admin_edit_form_saves_markdown(admin_client, article):
    url = reverse("admin:support_helparticle_change", args=[article.pk])

    response = admin_client.post(
        url,
        {
            "title_en": "Paying by card",
            "slug": "paying-by-card",
            "category": article.category_id,
            "keywords": "visa",
            "published": "on",
            "body_en": "Now we also take *Mastercard*.",
        },
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Now we also take *Mastercard*."
