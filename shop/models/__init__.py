"""Shop data: accounts, catalogue, carts, orders, reviews, wishlists and stock alerts, one module per sub-domain.

Money is Decimal with two places everywhere. Stock can never go below zero: a database constraint backs the
conditional decrement in `shop.services`. Other code imports the models from `shop.models`.
"""

from shop.models.accounts import Address, ApiToken, LoginFailure, User
from shop.models.catalog import (
    Category,
    Product,
    ProductEvent,
    ProductImage,
    Review,
    StockAlert,
    Tag,
    WishlistItem,
)
from shop.models.commerce import Cart, CartItem, Order, OrderLine, OrderStatusEvent
from shop.models.email import EmailLog
from shop.models.qa import Answer, AnswerVote, Question, ReviewHighlight
from shop.models.returns import Refund, ReturnLine, ReturnRequest
from shop.models.variants import Attribute, AttributeValue, ProductVariant
from shop.models.voucher import CartVoucher, Promotion, Voucher, VoucherRedemption

__all__ = [
    "Address",
    "Answer",
    "AnswerVote",
    "Attribute",
    "AttributeValue",
    "CartVoucher",
    "ProductVariant",
    "Promotion",
    "Question",
    "Refund",
    "ReturnLine",
    "ReturnRequest",
    "ReviewHighlight",
    "Voucher",
    "VoucherRedemption",
    "ApiToken",
    "Cart",
    "CartItem",
    "Category",
    "EmailLog",
    "LoginFailure",
    "Order",
    "OrderLine",
    "OrderStatusEvent",
    "Product",
    "ProductEvent",
    "ProductImage",
    "ProductVariant",
    "Review",
    "StockAlert",
    "Tag",
    "User",
    "WishlistItem",
]
