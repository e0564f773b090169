"""Demo help articles: the assistant's starting knowledge, written as a shop's real help centre would be.

`seed_articles(log=...)` is idempotent: an article whose slug exists is left as it is, so edits made in admin
survive a second `seed_demo`. support.demo.seed calls it first, so the demo conversations' assistant answers
quote these articles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from support.models import HelpArticle, HelpCategory

__all__ = ["DEMO_ARTICLES", "DEMO_CATEGORIES", "DemoArticle", "seed_articles"]


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    category: str
    title: str
    keywords: str
    body: str


DEMO_CATEGORIES: list[tuple[str, str]] = [
    ("orders-and-delivery", "Orders and delivery"),
    ("returns-and-refunds", "Returns and refunds"),
    ("payments", "Payments"),
    ("products", "Products and sizes"),
    ("account-and-privacy", "Account and privacy"),
    ("community", "Community"),
    ("help", "Getting help"),
]

# Chinese names for the help categories and article titles; the bodies fall back to English until translated.
CATEGORY_NAMES_ZH = {
    "orders-and-delivery": "订单与配送",
    "returns-and-refunds": "退货与退款",
    "payments": "支付",
    "products": "商品与尺码",
    "account-and-privacy": "账户与隐私",
    "community": "社区",
    "help": "获取帮助",
}
TITLES_ZH = {
    "shipping-times-and-costs": "配送时间与运费",
    "tracking-your-order": "追踪您的订单",
    "cancelling-an-order": "取消订单",
    "returns-and-refunds": "退货与退款",
    "damaged-or-wrong-item": "商品损坏、故障或发错",
    "payment-methods": "支付方式与货到付款",
    "finding-your-size": "选择合适的尺码",
    "account-and-password": "您的账户与密码",
    "privacy-and-your-data": "隐私与下载您的数据",
    "deleting-your-account": "删除账户",
    "group-buying": "一起买：拼团",
    "reviews-and-verified-purchase": "评价与已购认证标识",
    "following-and-posts": "关注好友与分享帖子",
    "recommendations-and-personalisation": "推荐与个性化",
    "back-in-stock-alerts": "缺货商品与到货提醒",
    "contacting-support": "联系客服",
}

DEMO_ARTICLES: list[DemoArticle] = [
    DemoArticle(
        slug="shipping-times-and-costs",
        category="orders-and-delivery",
        title="Shipping times and costs",
        keywords="delivery time, how long, shipping fee, postage, express, standard, free shipping, "
        "when will it arrive, days, next day, countries, ship abroad, international",
        body="""We ship from our warehouse in Germany, Monday to Friday.

| Method | Delivery time | Cost |
|---|---|---|
| Standard | 3 to 5 working days | 4.90, free on orders from 50 |
| Express | next working day | 12.90 |

Orders placed before 14:00 on a working day leave the warehouse the same day. We deliver to Germany,
Austria, France, the Netherlands, Belgium and Italy; delivery to other countries is not available yet.

The delivery estimate is shown at checkout and in the confirmation email.""",
    ),
    DemoArticle(
        slug="tracking-your-order",
        category="orders-and-delivery",
        title="Tracking your order",
        keywords="where is my order, order status, track parcel, tracking number, shipped, "
        "not arrived, late delivery, package, delivered",
        body="""Open **Account → Orders** and choose the order to see its status and timeline:

- **Placed**: we have your order and are checking payment.
- **Paid**: payment is confirmed and the order is being packed.
- **Shipped**: the parcel has left our warehouse; the carrier's tracking link is on the order page.
- **Delivered**: the carrier has confirmed delivery.

If the order shows as shipped but has not arrived within 7 working days, ask us in the chat and mention
the order number, and we will open an investigation with the carrier.""",
    ),
    DemoArticle(
        slug="cancelling-an-order",
        category="orders-and-delivery",
        title="Cancelling an order",
        keywords="cancel order, stop my order, change my mind, cancel purchase, withdraw, "
        "ordered by mistake, undo order",
        body="""You can cancel an order yourself until it ships: open the order under **Account → Orders**
and press **Cancel order**, or ask the assistant in the chat to cancel it for you.

- Orders that are **placed** or **paid** can be cancelled; the items go back into stock.
- A card payment is refunded to the same card within 5 working days; pay-on-delivery orders cost nothing.
- Once an order is **shipped** it can no longer be cancelled; send it back instead (see *Returns and
  refunds*).""",
    ),
    DemoArticle(
        slug="returns-and-refunds",
        category="returns-and-refunds",
        title="Returns and refunds",
        keywords="return item, send back, refund, money back, exchange, 30 days, return label, "
        "reimbursement, unwanted",
        body="""You can return any item within **30 days** of delivery, unused and in its original packaging.

1. Open the order under Account → Orders and choose **Return items**, or ask in the support chat.
2. We email you a prepaid return label.
3. Pack the item and drop it at any parcel shop.

We refund the item price to the original payment method within **5 working days** after the parcel
reaches us. Pay-on-delivery orders are refunded by bank transfer. Return shipping is free.""",
    ),
    DemoArticle(
        slug="damaged-or-wrong-item",
        category="returns-and-refunds",
        title="Damaged, faulty or wrong item",
        keywords="broken, arrived damaged, defective, faulty, wrong item, missing item, not as described, "
        "scratched, replacement",
        body="""We are sorry! If an item arrived broken, faulty, or is not what you ordered, tell us within
**14 days** of delivery in the support chat. Please add the order number and a photo of the item and the
box.

We send a replacement free of charge, or refund you in full if you prefer. You don't need to pay for
return shipping, and for small items you may not need to send it back at all.""",
    ),
    DemoArticle(
        slug="payment-methods",
        category="payments",
        title="Payment methods and pay on delivery",
        keywords="pay, card, credit card, debit card, visa, mastercard, cash on delivery, cod, "
        "payment declined, charged, invoice, pay at the door",
        body="""We accept these payment methods:

- **Card** (Visa, Mastercard, debit cards). The amount is authorised when you place the order.
- **Pay on delivery**: pay the courier in cash or by card when the parcel arrives. Available in Germany
  and Austria for orders up to 300.

If your card is declined, check the number and expiry date or try another card; your bank may also block
online payments. We never store full card numbers.""",
    ),
    DemoArticle(
        slug="finding-your-size",
        category="products",
        title="Finding your size",
        keywords="size guide, size chart, fit, measurements, too small, too big, sizing, "
        "what size should I order, runs small, large",
        body="""Each clothing and shoe product has a size chart on its page, under **Details**.

- Measure your chest, waist and hips (or your foot length for shoes) and compare with the chart.
- If you are between two sizes, pick the larger one for a relaxed fit.
- Reviews often say whether an item runs small or large.

Wrong size? Returns and exchanges are free within 30 days.""",
    ),
    DemoArticle(
        slug="account-and-password",
        category="account-and-privacy",
        title="Your account and password",
        keywords="login, log in, sign in, forgot password, reset password, change email, username, "
        "locked out, can't sign in, sign up, register",
        body="""**Forgot your password?** On the login page choose *Forgot password* and enter your email
address; we send a link to set a new one. The link works for 3 days.

**Change your email or password** under **Account → Settings**.

After several failed login attempts, logging in is paused for 15 minutes to protect your account.
If you no longer have access to your email address, contact us in the chat.""",
    ),
    DemoArticle(
        slug="privacy-and-your-data",
        category="account-and-privacy",
        title="Privacy and downloading your data",
        keywords="gdpr, personal data, data export, download my data, private profile, who can see, "
        "privacy settings, copy of my information, hide purchases",
        body="""You decide what others see. Under **Account → Privacy** you can:

- make your profile **private**, so only people you approve can follow you and see your posts;
- choose whether new purchases are shared with followers by default;
- hide your wishlist and keep yourself out of "people you may know".

**Download your data**: the same page has *Export my data*, which gives you a file with your profile,
orders, reviews, posts, follows and support chats.""",
    ),
    DemoArticle(
        slug="deleting-your-account",
        category="account-and-privacy",
        title="Deleting your account",
        keywords="delete account, close account, remove my account, erase, forget me, "
        "deactivate, unsubscribe",
        body="""You can delete your account under **Account → Privacy → Delete account**. You will be asked
for your password.

Deleting removes your profile, posts, comments, follows, wishlist and chats at once. Orders are kept
without your name for our accounting duties. This cannot be undone, so download your data first if
you want a copy.""",
    ),
    DemoArticle(
        slug="group-buying",
        category="community",
        title="Shop together: group buying",
        keywords="group buy, group price, shop together, team purchase, invite friends, discount "
        "with friends, join a group, bulk deal",
        body="""Some products have a **group price**. Start a group from the product page and invite friends
to join it, or join an open group.

- When the group is full before its deadline, everybody pays the lower group price.
- If it is not full in time, the group closes and nobody is charged.
- Your card is only charged once the group is complete.""",
    ),
    DemoArticle(
        slug="reviews-and-verified-purchase",
        category="community",
        title="Reviews and the verified purchase badge",
        keywords="write a review, rating, stars, verified purchase, review photo, edit review, "
        "delete review, fake reviews",
        body="""You can review any product, once per product, with 1 to 5 stars, a text and a photo.

A **verified purchase** badge appears when you bought the product here. You can edit or delete your own
review at any time. Reviews that break our rules can be reported, and our moderators hide them.""",
    ),
    DemoArticle(
        slug="following-and-posts",
        category="community",
        title="Following people and sharing posts",
        keywords="follow, unfollow, followers, feed, post, share outfit, comment, like, block user, "
        "report post, social",
        body="""Follow shoppers whose taste you like: their posts and shared purchases appear in your
**feed**.

- Create a post with a picture and tag the products in it.
- Like and comment on posts; report anything abusive.
- Block someone to stop them following you or seeing your posts.
- A private profile needs to approve each new follower.""",
    ),
    DemoArticle(
        slug="recommendations-and-personalisation",
        category="community",
        title="Recommendations and personalisation",
        keywords="recommended for you, suggestions, why am I seeing, personalised, personalized, "
        "turn off recommendations, for you, similar products",
        body="""The **For you** suggestions are based on what you view, buy, wish for and like, and on what
people with similar taste buy. Each suggestion says why it is shown.

Don't want personal suggestions? Turn off **Personalise recommendations** under **Account → Privacy**;
you will then see what is popular instead.""",
    ),
    DemoArticle(
        slug="back-in-stock-alerts",
        category="products",
        title="Out of stock items and back-in-stock alerts",
        keywords="sold out, out of stock, restock, notify me, available again, back in stock, "
        "when will it be available, unavailable",
        body="""When a product is sold out, press **Tell me when it's back** on its page. We send you a
notification as soon as it is in stock again. Alerts are one-off: after we notify you, the alert closes.""",
    ),
    DemoArticle(
        slug="contacting-support",
        category="help",
        title="Contacting support",
        keywords="contact, customer service, speak to someone, human, agent, phone number, email, "
        "opening hours, help, complaint",
        body="""Use the **chat** button at the bottom of any page. Our assistant answers straight away, and you
can ask to talk to a person at any time.

Our team answers chats Monday to Saturday, 8:00 to 20:00 (CET), usually within a few minutes. For an
order question, start the chat from the order page so we see the order at once. You can download the
transcript of a chat when it ends.""",
    ),
]


def seed_articles(*, log: Callable[[str], None]) -> int:
    """Create the demo help categories and articles that do not exist yet. Returns how many were created."""
    created = 0
    with transaction.atomic():
        categories: dict[str, HelpCategory] = {}
        for position, (slug, name) in enumerate(DEMO_CATEGORIES):
            categories[slug], _ = HelpCategory.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "name_zh_hans": CATEGORY_NAMES_ZH.get(slug),
                    "position": position,
                },
            )
        for item in DEMO_ARTICLES:
            _, was_created = HelpArticle.objects.get_or_create(
                slug=item.slug,
                defaults={
                    "category": categories[item.category],
                    "title": item.title,
                    "title_zh_hans": TITLES_ZH.get(item.slug),
                    "keywords": item.keywords,
                    "body": item.body,
                    "published": True,
                },
            )
            created += int(was_created)
    log(f"support: {created} help articles created ({len(DEMO_ARTICLES)} in the demo set)")
    return created
