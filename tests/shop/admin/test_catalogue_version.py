"""Every admin write that cached catalogue pages show bumps the catalogue version through `shop.services`.

The test walks the admin registry: a new admin of a shop model must be classified below, and every save,
delete, inline save and action of a catalogue admin is called for real and must bump the version.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest
from django.test import RequestFactory

from shop.models import (
    Address,
    Answer,
    Attribute,
    Cart,
    Category,
    EmailLog,
    LoginFailure,
    Order,
    Product,
    ProductEvent,
    ProductImage,
    ProductVariant,
    Promotion,
    Question,
    ReturnRequest,
    Review,
    ReviewHighlight,
    StockAlert,
    Tag,
    User,
    Voucher,
    WishlistItem,
)
from shop.selectors import CATALOGUE_VERSION_KEY
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    ReviewFactory,
    TagFactory,
    UserFactory,
)
from tests.factories.promotions import PromotionFactory
from tests.factories.variants import AttributeFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db

# Models whose rows cached catalogue pages show (lists, navigation, filters, cards, ratings).
CATALOGUE_FACTORIES: dict[type[Model], Any] = {
    Category: CategoryFactory,
    Tag: TagFactory,
    Product: ProductFactory,
    ProductImage: ProductImageFactory,
    Review: ReviewFactory,
    Promotion: PromotionFactory,  # sale prices on cards and product pages
    Attribute: AttributeFactory,
    ProductVariant: ProductVariantFactory,
}
# Models no cached catalogue page shows.
# Questions, answers and highlights show in the questions fragment, which is never cached.
NOT_ON_CATALOGUE_PAGES = {
    Address,
    Answer,
    Question,
    ReviewHighlight,
    Cart,
    EmailLog,
    LoginFailure,
    Order,
    ProductEvent,
    StockAlert,
    User,
    WishlistItem,
    Voucher,  # a code changes the cart, never a catalogue page
    ReturnRequest,
}


def _shop_admins() -> list[tuple[type[Model], admin.ModelAdmin]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "shop"
    ]


def _catalogue_admins() -> list[tuple[type[Model], admin.ModelAdmin]]:
    return [(model, a) for model, a in _shop_admins() if model in CATALOGUE_FACTORIES]


def _request() -> HttpRequest:
    # Answers every intermediate page: the restock form ("apply") and the delete confirmation ("post").
    request = RequestFactory().post("/", {"apply": "1", "quantity": "3", "post": "yes"})
    superuser: Any = UserFactory(is_staff=True, is_superuser=True)
    request.user = superuser
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _bumps(write: Callable[[], object]) -> bool:
    cache.set(CATALOGUE_VERSION_KEY, 1, None)
    write()
    return cache.get(CATALOGUE_VERSION_KEY) != 1


def test_every_shop_admin_is_classified():
    registered = {model for model, _admin in _shop_admins()}
    assert registered == set(CATALOGUE_FACTORIES) | NOT_ON_CATALOGUE_PAGES


def _writes() -> list[tuple[str, str]]:
    cases = []
    for model, model_admin in _catalogue_admins():
        name = str(model._meta.model_name)
        cases += [(name, "save_model"), (name, "delete_model"), (name, "delete_queryset")]
        if model_admin.inlines:
            cases.append((name, "save_related"))
    return cases


def _admin_for(model_name: str) -> tuple[type[Model], admin.ModelAdmin]:
    return next((m, a) for m, a in _catalogue_admins() if m._meta.model_name == model_name)


@pytest.mark.parametrize(("model_name", "method"), _writes())
def test_admin_write_bumps_the_catalogue_version(model_name, method):
    model, model_admin = _admin_for(model_name)
    obj = CATALOGUE_FACTORIES[model]()
    request = _request()
    writes: dict[str, Callable[[], object]] = {
        "save_model": lambda: model_admin.save_model(request, obj, None, True),
        "delete_model": lambda: model_admin.delete_model(request, obj),
        "delete_queryset": lambda: model_admin.delete_queryset(
            request, model.objects.filter(pk=obj.pk)
        ),
        # The inlines are saved inside save_related; the form has already saved the row itself.
        "save_related": lambda: model_admin.save_related(
            request, SimpleNamespace(instance=obj, save_m2m=lambda: None), [], True
        ),
    }
    assert _bumps(writes[method]), f"{type(model_admin).__name__}.{method} leaves the version"


def _actions() -> list[tuple[str, str]]:
    cases = []
    for model, model_admin in _catalogue_admins():
        actions = model_admin.actions or []
        names = ["delete_selected", *(a if isinstance(a, str) else a.__name__ for a in actions)]
        cases += [(str(model._meta.model_name), name) for name in names]
    return cases


@pytest.mark.parametrize(("model_name", "action"), _actions())
def test_admin_action_bumps_the_catalogue_version(model_name, action):
    model, model_admin = _admin_for(model_name)
    obj = CATALOGUE_FACTORIES[model]()
    request = _request()
    actions = model_admin.get_actions(request)
    assert action in actions
    func = actions[action][0]
    queryset = model.objects.filter(pk=obj.pk)
    assert _bumps(lambda: func(model_admin, request, queryset)), (
        f"{type(model_admin).__name__} action {action} leaves the version"
    )


def test_every_catalogue_admin_action_is_walked():
    request = _request()
    for model, model_admin in _catalogue_admins():
        walked = {action for name, action in _actions() if name == model._meta.model_name}
        assert set(model_admin.get_actions(request)) == walked
