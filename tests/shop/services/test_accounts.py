import pytest
from django.core.exceptions import ValidationError

from shop import services
from shop.models import User

pytestmark = pytest.mark.django_db


def test_user_signup_refuses_an_address_another_account_has_whatever_its_case(user):
    user.email = "Shopper1@example.com"
    user.save()
    with pytest.raises(ValidationError) as refused:
        services.user_signup(username="copycat", email="shopper1@EXAMPLE.com", password="x-long-42")
    assert refused.value.message_dict == {
        "email": [
            "An account with this email address already exists. Sign in, or reset your password."
        ]
    }
    assert not User.objects.filter(username="copycat").exists()


def test_user_signup_takes_a_new_address(user):
    created = services.user_signup(
        username="newbie", email="newbie@example.com", password="x-long-42"
    )
    assert created.email == "newbie@example.com"
