"""Post pages: the feed, tag pages, writing, editing and deleting posts, likes, comments, and sharing an order
or a review with followers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.ratelimit import RateLimited, rate_limit_hit
from common.redirects import safe_next_url
from shop.models import Order, Product, Review
from shop.selectors import purchased_product_ids
from social import selectors, services
from social.forms import CommentForm, PostEditForm, PostForm
from social.models import Comment
from social.views.helpers import PageRequest, SignedInRequest, add_form_errors

# --- feed -------------------------------------------------------------------------------------------------


@login_required
def feed(request: SignedInRequest) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.feed_for_user(user=request.user, cursor=cursor)
    except ValidationError:
        return HttpResponseBadRequest(_("Invalid cursor."))
    context: dict[str, object] = {"page": page}
    if request.htmx and cursor:
        return render(request, "social/partials/feed_page.html", context)
    context["suggestions"] = selectors.people_you_may_know_cached(user=request.user, limit=3)
    return render(request, "social/feed.html", context)


def tag(request: PageRequest, tag: str) -> HttpResponse:
    try:
        page = selectors.posts_for_tag(
            viewer=request.user, tag=tag, cursor=request.GET.get("cursor") or None
        )
    except ValidationError:
        return HttpResponseBadRequest(_("Invalid cursor."))
    if request.htmx and request.GET.get("cursor"):
        return render(request, "social/partials/feed_page.html", {"page": page})
    return render(request, "social/tag.html", {"tag": tag, "page": page})


# --- posts ------------------------------------------------------------------------------------------------


def _taggable_products(user, extra_ids: list[int]) -> list[Product]:
    ids = list(purchased_product_ids(user_id=user.pk))[:30] + extra_ids
    return list(Product.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def _int_list(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


@login_required
def post_tag_suggest(request: SignedInRequest) -> HttpResponse:
    """Writing help while a post is written: products to tag and hashtags from the text (htmx fragment)."""
    suggestions = selectors.post_tag_suggestions(
        user=request.user, text=request.GET.get("body", "")
    )
    return render(
        request, "social/partials/post_tag_suggestions.html", {"suggestions": suggestions}
    )


@login_required
def post_create(request: SignedInRequest) -> HttpResponse:
    prefill = _int_list(request.GET.getlist("product") + request.POST.getlist("products"))
    choices = _taggable_products(request.user, prefill)
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, product_choices=choices)
        if form.is_valid():
            try:
                rate_limit_hit(scope="post_create", key=request.user.pk)
                images = form.cleaned_data["images"]
                # One description per photo from the composer's script, else the one field for all.
                alts = request.POST.getlist("image_alt")
                if len(alts) != len(images):
                    alts = [form.cleaned_data["image_alt"]] * len(images)
                post = services.post_create(
                    author=request.user,
                    body=form.cleaned_data["body"],
                    images=images,
                    product_ids=form.cleaned_data["products"],
                    image_alt_texts=alts,
                    tags=services.photo_tags_parse(form.cleaned_data["tags"]),
                )
            except RateLimited as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                add_form_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your post is published."))
                return redirect(post.get_absolute_url())
    else:
        form = PostForm(
            product_choices=choices, initial={"products": _int_list(request.GET.getlist("product"))}
        )
    return render(request, "social/post_form.html", {"form": form, "editing": False})


def post_detail(request: PageRequest, pk: int) -> HttpResponse:
    post = selectors.post_access(user=request.user, post_id=pk)
    return render(
        request,
        "social/post_detail.html",
        {
            "post": post,
            "comments": selectors.comments_for_post(viewer=request.user, post=post),
            "comment_form": CommentForm(),
        },
    )


@login_required
def post_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    post = selectors.post_access(user=request.user, post_id=pk)
    if post.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author can change this post."))
    current = [tag.product_id for tag in post.product_tags.all()]
    choices = _taggable_products(request.user, current)
    if request.method == "POST":
        form = PostEditForm(request.POST, product_choices=choices)
        if form.is_valid():
            try:
                services.post_update(
                    post=post,
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    product_ids=form.cleaned_data["products"],
                    remove_image_ids=_int_list(request.POST.getlist("remove_image")),
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Your post is saved."))
                return redirect(post.get_absolute_url())
    else:
        form = PostEditForm(
            product_choices=choices, initial={"body": post.body, "products": current}
        )
    return render(request, "social/post_form.html", {"form": form, "editing": True, "post": post})


@login_required
@require_POST
def post_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    post = selectors.post_access(user=request.user, post_id=pk)
    services.post_delete(post=post, actor=request.user)
    messages.success(request, _("Your post is deleted."))
    return redirect("social:profile", username=request.user.get_username())


@login_required
@require_POST
def like(request: SignedInRequest, pk: int) -> HttpResponse:
    post = selectors.post_access(user=request.user, post_id=pk)
    if request.POST.get("action") == "unlike":
        services.like_delete(user=request.user, post=post)
    else:
        services.like_create(user=request.user, post=post)
    if request.htmx:
        post = selectors.post_access(user=request.user, post_id=pk)
        return render(request, "social/partials/like_button.html", {"post": post})
    return redirect(safe_next_url(request, post.get_absolute_url()))


@login_required
@require_POST
def comment_create(request: SignedInRequest, pk: int) -> HttpResponse:
    post = selectors.post_access(user=request.user, post_id=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            rate_limit_hit(scope="comment_create", key=request.user.pk)
            comment = services.comment_create(
                author=request.user,
                post=post,
                body=form.cleaned_data["body"],
                parent_id=form.cleaned_data["parent"],
            )
        except RateLimited as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            add_form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            return redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")
    post = selectors.post_access(user=request.user, post_id=pk)
    return render(
        request,
        "social/post_detail.html",
        {
            "post": post,
            "comments": selectors.comments_for_post(viewer=request.user, post=post),
            "comment_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def comment_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    comment: Comment = selectors.comment_access(user=request.user, comment_id=pk)
    services.comment_delete(comment=comment, actor=request.user)
    return redirect(comment.post.get_absolute_url())


@login_required
@require_POST
def order_share(request: SignedInRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order, number=number, user=request.user)
    post = services.purchase_share(order=order)
    if post is None:
        messages.error(request, _("This order cannot be shared."))
        return redirect(order.get_absolute_url())
    messages.success(request, _("Your purchase is shared with your followers."))
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def review_share(request: SignedInRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk, user=request.user)
    try:
        post = services.review_share(review=review)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(review.product.get_absolute_url())
    messages.success(request, _("Your review is shared with your followers."))
    return redirect(post.get_absolute_url())
