from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shop.hooks import review_shared
from shop.models import Order, OrderLine, Product, ProductEvent, Review, StockAlert, WishlistItem
from shop.services import (
    product_event_record,
    product_restock,
    review_delete,
    review_save,
    stock_alert_create,
    stock_alerts_notify,
    wishlist_add,
    wishlist_remove,
)
from social.models import Notification
from tests.factories import (
    ProductFactory,
    ReviewFactory,
    StockAlertFactory,
    UserFactory,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db


def make_order(user, product, status=Order.Status.DELIVERED):
    order = Order.objects.create(
        user=user,
        number=f"T{user.id}-{product.id}-{status}",
        status=status,
        idempotency_key=f"key-{user.id}-{product.id}-{status}",
        ship_name="A",
        ship_line1="B",
        ship_city="C",
        ship_postal_code="1",
        ship_country="DE",
        shipping_method="standard",
        shipping_cost=Decimal("0"),
        subtotal=product.price,
        total=product.price,
        payment_provider="cod",
    )
    OrderLine.objects.create(
        order=order,
        product=product,
        product_name=product.name,
        unit_price=product.price,
        quantity=1,
        line_total=product.price,
    )
    return order


def test_review_save_creates_then_updates_the_same_review_and_rating(user, product):
    review_save(user=user, product=product, rating=2, body="meh")
    review_save(user=user, product=product, rating=4, body="grew on me")
    product.refresh_from_db()
    assert Review.objects.get(user=user, product=product).body == "grew on me"
    assert (product.rating_avg, product.rating_count) == (Decimal("4.00"), 1)


def test_rating_summary_follows_create_edit_and_delete(user, other_user, product):
    review_save(user=user, product=product, rating=5)
    review = review_save(user=other_user, product=product, rating=2)
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("3.50"), 2)
    review_delete(review=review, actor=other_user)
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("5.00"), 1)


def test_review_is_verified_only_when_the_shopper_bought_the_product(user, other_user, product):
    make_order(user, product)
    make_order(other_user, product, status=Order.Status.CANCELLED)
    assert review_save(user=user, product=product, rating=5).verified_purchase is True
    assert review_save(user=other_user, product=product, rating=5).verified_purchase is False


@pytest.mark.parametrize("rating", [0, 6, -1, "5", 4.5, True, None])
def test_review_save_rejects_bad_ratings_and_stores_nothing(user, product, rating):
    with pytest.raises(ValidationError) as info:
        review_save(user=user, product=product, rating=rating)
    assert "rating" in info.value.message_dict
    assert not Review.objects.exists()


def test_review_save_rejects_overlong_text(user, product):
    with pytest.raises(ValidationError) as info:
        review_save(user=user, product=product, rating=3, body="x" * 5001)
    assert "body" in info.value.message_dict


def test_review_photo_is_stored(user, product):
    photo = SimpleUploadedFile("me.jpg", jpeg_bytes(), content_type="image/jpeg")
    review = review_save(user=user, product=product, rating=5, photo=photo)
    assert review.photo.name.startswith("reviews/")


def test_review_photo_that_is_not_a_picture_is_refused(user, product):
    fake = SimpleUploadedFile("x.jpg", b"not a picture at all", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        review_save(user=user, product=product, rating=5, photo=fake)
    assert not Review.objects.exists()


def test_someone_else_cannot_delete_a_review(user, other_user, product):
    review = ReviewFactory(user=user, product=product)
    with pytest.raises(ValidationError):
        review_delete(review=review, actor=other_user)
    assert Review.objects.filter(id=review.id).exists()


def test_review_share_is_called_on_commit_when_asked(
    user, product, monkeypatch, django_capture_on_commit_callbacks
):
    shared = []
    monkeypatch.setattr(review_shared, "_receivers", [lambda review: shared.append(review.id)])
    with django_capture_on_commit_callbacks(execute=True):
        review = review_save(user=user, product=product, rating=5, share=True)
    assert shared == [review.id]


def test_restock_notifies_open_alerts_once_on_commit(django_capture_on_commit_callbacks):
    product = ProductFactory(stock=0, name="Blue kettle")
    waiting = StockAlertFactory(product=product)
    with django_capture_on_commit_callbacks(execute=True):
        product_restock(product=product, quantity=5)
    assert product.stock == 5
    notification = Notification.objects.get()
    assert (notification.recipient_id, notification.kind) == (waiting.user_id, "back_in_stock")
    assert "Blue kettle" in notification.message
    assert notification.url == product.get_absolute_url()
    assert StockAlert.objects.get().notified_at is not None
    assert stock_alerts_notify(product_id=product.id) == 0


def test_alerts_are_not_notified_while_still_sold_out():
    alert = StockAlertFactory()
    assert stock_alerts_notify(product_id=alert.product_id) == 0
    assert not Notification.objects.exists()


@pytest.mark.parametrize("quantity", [0, -3, 1.5, "10", 10**9])
def test_restock_rejects_bad_quantities(product, quantity):
    with pytest.raises(ValidationError):
        product_restock(product=product, quantity=quantity)
    assert Product.objects.get(id=product.id).stock == 10


def test_stock_alert_only_for_sold_out_products_and_only_once(user):
    sold_out = ProductFactory(stock=0)
    first = stock_alert_create(user=user, product=sold_out)
    assert stock_alert_create(user=user, product=sold_out) == first
    with pytest.raises(ValidationError):
        stock_alert_create(user=user, product=ProductFactory(stock=2))


def test_wishlist_add_is_idempotent_and_remove_reports_change(user, product):
    wishlist_add(user=user, product=product)
    wishlist_add(user=user, product=product)
    assert WishlistItem.objects.filter(user=user).count() == 1
    assert wishlist_remove(user=user, product_id=product.id) is True
    assert wishlist_remove(user=user, product_id=product.id) is False


def test_product_event_record_validates_the_kind(product):
    event = product_event_record(product_id=product.id, kind="view", session_key="abc")
    assert (event.kind, event.user_id, event.session_key) == ("view", None, "abc")
    with pytest.raises(ValueError, match="unknown product event kind"):
        product_event_record(product_id=product.id, kind="stare")
    assert ProductEvent.objects.count() == 1


@pytest.mark.postgres
def test_search_vector_is_weighted_name_over_tags_over_description():
    from shop.selectors import product_search
    from tests.factories import TagFactory

    ProductFactory(name="Garden hose", description="Long")
    ProductFactory(name="Bucket", description="For the garden")
    ProductFactory(name="Rake", tags=[TagFactory(name="garden")])
    assert [p.name for p in product_search(query="garden")] == ["Garden hose", "Rake", "Bucket"]


def test_user_factory_password_works():
    assert UserFactory().check_password("correct-horse-battery")
