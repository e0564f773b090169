"""The shop's own language model for PocketSphinx: built from the shop's text, configurable, used by the engine."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from support.models import HelpArticle, HelpCategory
from support.speech import speech_backend
from support.speech.sphinx import PocketSphinxSpeech
from support.speech.vocabulary import language_model_write, shop_corpus_lines
from tests.factories import CategoryFactory, ProductFactory
from tests.factories.voice import sine_wav

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def shop_text(db):
    category = HelpCategory.objects.create(name="Orders", slug="orders")
    HelpArticle.objects.create(
        category=category,
        slug="parcels",
        title="Where is my parcel?",
        keywords="tracking, courier",
        body="Your parcel leaves our warehouse within two days.",
        published=True,
    )
    ProductFactory(name="Quietwave Headphones", category=CategoryFactory(name="Audio Gear"))


def test_the_corpus_has_the_help_articles_and_catalogue_names_in_lower_case(shop_text):
    lines = shop_corpus_lines()

    assert "your parcel leaves our warehouse within two days" in lines
    assert "quietwave headphones" in lines
    assert "audio gear" in lines


def test_an_unpublished_article_stays_out_of_the_corpus(shop_text):
    HelpArticle.objects.update(published=False)

    assert "your parcel leaves our warehouse within two days" not in shop_corpus_lines()


def test_the_model_is_an_arpa_file_with_the_shops_words(shop_text, tmp_path):
    path = tmp_path / "shop.lm"

    language_model_write(path=path)

    text = path.read_text(encoding="utf-8")
    assert "\\data\\\n" in text
    assert text.rstrip().endswith("\\end\\")
    assert " warehouse" in text


def test_the_command_writes_the_model(shop_text, tmp_path):
    path = tmp_path / "models" / "shop.lm"

    call_command("speech_language_model", str(path))

    assert path.is_file()


def test_the_configured_model_reaches_the_pocketsphinx_backend(settings):
    settings.SPEECH_TO_TEXT_BACKEND = "pocketsphinx"
    settings.SPEECH_TO_TEXT_POCKETSPHINX_LM = "/srv/models/shop.lm"

    backend = speech_backend()

    assert isinstance(backend, PocketSphinxSpeech)
    assert backend.lm_path == "/srv/models/shop.lm"


def test_pocketsphinx_with_the_shops_model_only_hears_the_shops_words(shop_text, tmp_path):
    from support.speech import audio_decode

    path = tmp_path / "shop.lm"
    language_model_write(path=path)
    vocabulary = {word for line in shop_corpus_lines() for word in line.split()}

    text = PocketSphinxSpeech(lm_path=str(path)).transcribe(
        audio_decode(sine_wav(1.5), max_seconds=60)
    )

    assert set(text.split()) <= vocabulary
