from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = _("Social")

    def ready(self) -> None:
        from shop import hooks as shop_hooks
        from shop.models import Order, Review, User
        from social.models import Profile
        from social.services.notifications import notification_create
        from social.services.posts import purchase_share, review_share
        from social.services.product_posts import product_posts_bump_for_tagged
        from social.services.profiles import profile_get_or_create

        # What the shop tells social (shop/hooks.py); the receivers are thin adapters over social's services.
        def create_profile(user: User) -> None:
            profile_get_or_create(user=user)

        def store_notice(notice: shop_hooks.UserNotice) -> None:
            notification_create(
                recipient_id=notice.recipient_id,
                kind=notice.kind,
                message=notice.message,
                url=notice.url,
                actor_id=notice.actor_id,
            )

        def share_purchase(order: Order) -> None:
            if order.share_to_followers:
                purchase_share(order=order)

        def share_review(review: Review) -> None:
            review_share(review=review)

        def purchase_sharing_default(user: User) -> bool:
            # The shopper's profile choice; False without a profile.
            value = Profile.objects.filter(user_id=user.id).values_list(
                "share_purchases_default", flat=True
            )
            return bool(value.first())

        def optional_email_allowed(user: User) -> bool:
            # The privacy setting; yes without a profile (the model's default).
            value = Profile.objects.filter(user_id=user.id).values_list("email_optional", flat=True)
            return value.first() is not False

        def question_invites_allowed(user: User) -> bool:
            # The privacy setting; yes without a profile (the model's default).
            value = Profile.objects.filter(user_id=user.id).values_list(
                "answer_questions", flat=True
            )
            return value.first() is not False

        shop_hooks.user_created.register(create_profile)
        shop_hooks.stock_changed.register(product_posts_bump_for_tagged)
        shop_hooks.user_notified.register(store_notice)
        shop_hooks.order_placed.register(share_purchase)
        shop_hooks.review_shared.register(share_review)
        shop_hooks.purchase_sharing_default.register(purchase_sharing_default)
        shop_hooks.optional_email_allowed.register(optional_email_allowed)
        shop_hooks.question_invites_allowed.register(question_invites_allowed)

        # The demo: social's part of the shop demo's people, and social's own part after the shop's.
        from social.demo.profiles import demo_favourite_categories_set, demo_profiles_create

        def demo_part() -> shop_hooks.DemoPart:
            from social import demo

            return shop_hooks.DemoPart(name="social", seed=demo.seed)

        shop_hooks.demo_accounts_created.register(demo_profiles_create)
        shop_hooks.demo_shoppers_seeded.register(demo_favourite_categories_set)
        shop_hooks.demo_seeding.register(demo_part)
