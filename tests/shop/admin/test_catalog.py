import pytest
from django.urls import reverse

from shop.models import Product, ProductEvent
from social.models import Notification
from tests.factories import ProductFactory, ReviewFactory, StockAlertFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "category",
        "tag",
        "product",
        "productimage",
        "review",
        "wishlistitem",
        "stockalert",
        "productevent",
        "productvariant",
        "attribute",
    ],
)
def test_admin_changelists_render(admin_client, model):
    ProductFactory()
    assert admin_client.get(reverse(f"admin:shop_{model}_changelist")).status_code == 200


def test_restock_action_with_intermediate_form_notifies_waiting_shoppers(
    admin_client, django_capture_on_commit_callbacks
):
    alert = StockAlertFactory()
    url = reverse("admin:shop_product_changelist")
    ids = {"action": "restock", "_selected_action": [alert.product_id]}
    form_page = admin_client.post(url, ids)
    assert form_page.status_code == 200
    assert b"Add units" in form_page.content
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {**ids, "apply": "1", "quantity": "7"})
    assert Product.objects.get(id=alert.product_id).stock == 7
    assert Notification.objects.filter(recipient=alert.user, kind="back_in_stock").count() == 1


def test_restock_action_rejects_bad_quantity(admin_client):
    product = ProductFactory(stock=1)
    url = reverse("admin:shop_product_changelist")
    response = admin_client.post(
        url, {"action": "restock", "_selected_action": [product.id], "apply": "1", "quantity": "-4"}
    )
    assert response.status_code == 200
    assert Product.objects.get(id=product.id).stock == 1


def test_restock_ten_and_deactivate_actions(admin_client):
    product = ProductFactory(stock=1)
    url = reverse("admin:shop_product_changelist")
    admin_client.post(url, {"action": "restock_ten", "_selected_action": [product.id]})
    admin_client.post(url, {"action": "deactivate", "_selected_action": [product.id]})
    product.refresh_from_db()
    assert (product.stock, product.is_active) == (11, False)


def test_hiding_a_review_in_admin_updates_the_rating(admin_client):
    product = ProductFactory()
    ReviewFactory(product=product, rating=5)
    low = ReviewFactory(product=product, rating=1)
    admin_client.post(
        reverse("admin:shop_review_changelist"), {"action": "hide", "_selected_action": [low.id]}
    )
    product.refresh_from_db()
    assert (str(product.rating_avg), product.rating_count) == ("5.00", 1)


def test_product_events_are_read_only(admin_client, product):
    ProductEvent.objects.create(product=product, kind="view", created_at=product.created_at)
    assert admin_client.get(reverse("admin:shop_productevent_add")).status_code == 403


def test_product_change_page_saves_and_refreshes(admin_client):
    product = ProductFactory(name="Old name")
    url = reverse("admin:shop_product_change", args=[product.id])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "category": product.category_id,
            "name_en": "New name",
            "slug": product.slug,
            "description_en": "d",
            "price": "12.00",
            "stock": "3",
            "attributes": "{}",
            "is_active": "on",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
            "images-MIN_NUM_FORMS": "0",
            "images-MAX_NUM_FORMS": "1000",
            "variants-TOTAL_FORMS": "0",
            "variants-INITIAL_FORMS": "0",
            "variants-MIN_NUM_FORMS": "0",
            "variants-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert Product.objects.get(id=product.id).name == "New name"
