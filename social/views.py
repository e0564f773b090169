"""Social pages. Parse input, call one selector or service, render; rules live in services and selectors."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.ratelimit import RateLimited, rate_limit_hit
from shop.models import Order, Product, Review
from shop.selectors import purchased_product_ids
from social import selectors, services
from social.forms import (
    CommentForm,
    DeleteAccountForm,
    PostEditForm,
    PostForm,
    PrivacyForm,
    ProfileForm,
)
from social.models import Comment


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _next_url(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _error_response(request: HttpRequest, message: str, fallback: str, status: int = 400):
    if request.htmx:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect(_next_url(request, fallback))


# --- feed -------------------------------------------------------------------------------------------------


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.feed_for_user(user=request.user, cursor=cursor)
    except ValidationError:
        return HttpResponseBadRequest(_("Invalid cursor."))
    context = {"page": page}
    if request.htmx and cursor:
        return render(request, "social/partials/feed_page.html", context)
    context["suggestions"] = selectors.people_you_may_know(user=request.user, limit=3)
    return render(request, "social/feed.html", context)


@login_required
def suggestions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "social/suggestions.html",
        {"suggestions": selectors.people_you_may_know(user=request.user, limit=20)},
    )


def tag(request: HttpRequest, tag: str) -> HttpResponse:
    try:
        page = selectors.posts_for_tag(
            viewer=request.user, tag=tag, cursor=request.GET.get("cursor") or None
        )
    except ValidationError:
        return HttpResponseBadRequest(_("Invalid cursor."))
    if request.htmx and request.GET.get("cursor"):
        return render(request, "social/partials/feed_page.html", {"page": page})
    return render(request, "social/tag.html", {"tag": tag, "page": page})


# --- profiles ---------------------------------------------------------------------------------------------


def profile(request: HttpRequest, username: str) -> HttpResponse:
    page = selectors.profile_page(viewer=request.user, username=username)
    posts = None
    if page.can_see_content:
        try:
            posts = selectors.posts_for_profile(
                viewer=request.user, author=page.user, cursor=request.GET.get("cursor") or None
            )
        except ValidationError:
            return HttpResponseBadRequest(_("Invalid cursor."))
        if request.htmx and request.GET.get("cursor"):
            return render(request, "social/partials/feed_page.html", {"page": posts})
    return render(request, "social/profile.html", {"page": page, "posts": posts})


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    current = services.profile_get_or_create(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.profile_update(
                    user=request.user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    avatar=form.cleaned_data["avatar"] or None,
                    remove_avatar=form.cleaned_data["remove_avatar"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("social:profile", username=request.user.get_username())
    else:
        form = ProfileForm(initial={"display_name": current.display_name, "bio": current.bio})
    return render(request, "social/profile_edit.html", {"form": form, "profile": current})


def _people_page(request: HttpRequest, username: str, which: str) -> HttpResponse:
    page = selectors.profile_page(viewer=request.user, username=username)
    people = []
    if page.can_see_content:
        lister = selectors.followers_of if which == "followers" else selectors.following_of
        people = lister(viewer=request.user, user=page.user)
    return render(request, "social/people.html", {"page": page, "people": people, "which": which})


def followers(request: HttpRequest, username: str) -> HttpResponse:
    return _people_page(request, username, "followers")


def following(request: HttpRequest, username: str) -> HttpResponse:
    return _people_page(request, username, "following")


def _relationship_response(request: HttpRequest, target) -> HttpResponse:
    if request.htmx:
        relationship = selectors.relationship_between(viewer=request.user, target=target)
        return render(
            request,
            "social/partials/follow_button.html",
            {"target": target, "relationship": relationship},
        )
    return redirect(_next_url(request, reverse("social:profile", args=[target.get_username()])))


@login_required
@require_POST
def follow(request: HttpRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    fallback = reverse("social:profile", args=[username])
    try:
        rate_limit_hit(scope="follow", key=request.user.pk)
        services.follow_create(follower=request.user, followee=target)
    except RateLimited as error:
        return _error_response(request, error.message, fallback, status=429)
    except ValidationError as error:
        return _error_response(request, error.messages[0], fallback, status=400)
    except PermissionDenied as error:
        return _error_response(request, str(error), fallback, status=403)
    return _relationship_response(request, target)


@login_required
@require_POST
def unfollow(request: HttpRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    services.follow_delete(follower=request.user, followee=target)
    return _relationship_response(request, target)


@login_required
@require_POST
def block(request: HttpRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    try:
        services.block_create(blocker=request.user, blocked=target)
    except ValidationError as error:
        return _error_response(request, error.messages[0], reverse("social:feed"))
    messages.success(request, _("You blocked @%(name)s.") % {"name": username})
    return redirect(_next_url(request, reverse("social:profile", args=[username])))


@login_required
@require_POST
def unblock(request: HttpRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    services.block_delete(blocker=request.user, blocked=target)
    return redirect(_next_url(request, reverse("social:profile", args=[username])))


@login_required
@require_POST
def mute(request: HttpRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    try:
        services.mute_create(muter=request.user, muted=target)
    except ValidationError as error:
        return _error_response(request, error.messages[0], reverse("social:feed"))
    return _relationship_response(request, target)


@login_required
@require_POST
def unmute(request: HttpRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    services.mute_delete(muter=request.user, muted=target)
    return _relationship_response(request, target)


@login_required
def follow_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "social/follow_requests.html",
        {"requests": selectors.follow_requests_for_user(user=request.user)},
    )


@login_required
@require_POST
def follow_request_answer(request: HttpRequest, follower_id: int, answer: str) -> HttpResponse:
    try:
        if answer == "approve":
            services.follow_request_approve(followee=request.user, follower_id=follower_id)
        else:
            services.follow_request_decline(followee=request.user, follower_id=follower_id)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("social:follow_requests")


# --- posts ------------------------------------------------------------------------------------------------


def _taggable_products(user, extra_ids: list[int]) -> list[Product]:
    ids = list(purchased_product_ids(user_id=user.pk))[:30] + extra_ids
    return list(Product.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def _int_list(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


@login_required
def post_create(request: HttpRequest) -> HttpResponse:
    prefill = _int_list(request.GET.getlist("product") + request.POST.getlist("products"))
    choices = _taggable_products(request.user, prefill)
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, product_choices=choices)
        if form.is_valid():
            try:
                rate_limit_hit(scope="post_create", key=request.user.pk)
                post = services.post_create(
                    author=request.user,
                    body=form.cleaned_data["body"],
                    images=form.cleaned_data["images"],
                    product_ids=form.cleaned_data["products"],
                    image_alt_texts=[form.cleaned_data["image_alt"]]
                    * len(form.cleaned_data["images"]),
                )
            except RateLimited as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                _add_errors(form, error)
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


def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
                _add_errors(form, error)
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
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_access(user=request.user, post_id=pk)
    services.post_delete(post=post, actor=request.user)
    messages.success(request, _("Your post is deleted."))
    return redirect("social:profile", username=request.user.get_username())


@login_required
@require_POST
def like(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_access(user=request.user, post_id=pk)
    if request.POST.get("action") == "unlike":
        services.like_delete(user=request.user, post=post)
    else:
        services.like_create(user=request.user, post=post)
    if request.htmx:
        post = selectors.post_access(user=request.user, post_id=pk)
        return render(request, "social/partials/like_button.html", {"post": post})
    return redirect(_next_url(request, post.get_absolute_url()))


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
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
            _add_errors(form, error)
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
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment: Comment = selectors.comment_access(user=request.user, comment_id=pk)
    services.comment_delete(comment=comment, actor=request.user)
    return redirect(comment.post.get_absolute_url())


@login_required
@require_POST
def order_share(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order, number=number, user=request.user)
    post = services.purchase_share(order=order)
    if post is None:
        messages.error(request, _("This order cannot be shared."))
        return redirect(order.get_absolute_url())
    messages.success(request, _("Your purchase is shared with your followers."))
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def review_share(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk, user=request.user)
    try:
        post = services.review_share(review=review)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(review.product.get_absolute_url())
    messages.success(request, _("Your review is shared with your followers."))
    return redirect(post.get_absolute_url())


# --- notifications ----------------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(selectors.notification_list(user=request.user)[:100])
    return render(request, "social/notifications.html", {"notifications": items})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=pk)
    notification = selectors.notification_list(user=request.user).filter(pk=pk).first()
    target = notification.url if notification and notification.url.startswith("/") else ""
    if target.startswith("//"):
        target = ""
    return redirect(target or reverse("social:notifications"))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    return redirect("social:notifications")


# --- privacy, export, deletion ----------------------------------------------------------------------------


@login_required
def privacy(request: HttpRequest) -> HttpResponse:
    current = services.profile_get_or_create(user=request.user)
    if request.method == "POST":
        form = PrivacyForm(request.POST)
        if form.is_valid():
            services.privacy_update(user=request.user, **form.cleaned_data)
            messages.success(request, _("Your privacy settings are saved."))
            return redirect("social:privacy")
    else:
        form = PrivacyForm(
            initial={name: getattr(current, name) for name in services.PRIVACY_FIELDS}
        )
    return render(
        request, "social/privacy.html", {"form": form, "delete_form": DeleteAccountForm()}
    )


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    data = selectors.export_for_user(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="socialshop-export-{request.user.pk}-{stamp}.json"'
    )
    return response


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DeleteAccountForm(request.POST)
        if form.is_valid():
            user = request.user
            try:
                services.account_delete_with_password(
                    user=user, password=form.cleaned_data["password"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                logout(request)
                messages.success(request, _("Your account is deleted. Goodbye."))
                return redirect("shop:home")
    else:
        form = DeleteAccountForm()
    return render(request, "social/account_delete.html", {"form": form})
