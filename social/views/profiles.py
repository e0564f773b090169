"""Profile pages and the follow graph: a profile, editing my profile, followers and following, follow,
block and mute, follow requests, and people you may know."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.ratelimit import RateLimited, rate_limit_hit
from common.redirects import safe_next_url
from social import selectors, services
from social.forms import ProfileForm
from social.views.helpers import PageRequest, SignedInRequest, add_form_errors, error_response


@login_required
def suggestions(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "social/suggestions.html",
        {"suggestions": selectors.people_you_may_know(user=request.user, limit=20)},
    )


# --- profiles ---------------------------------------------------------------------------------------------


def profile(request: PageRequest, username: str) -> HttpResponse:
    page = selectors.profile_page(viewer=request.user, username=username)
    posts = None
    photos = []
    if page.can_see_content:
        photos = selectors.photo_posts_for_profile(viewer=request.user, author=page.user)
        try:
            posts = selectors.posts_for_profile(
                viewer=request.user, author=page.user, cursor=request.GET.get("cursor") or None
            )
        except ValidationError:
            return HttpResponseBadRequest(_("Invalid cursor."))
        if request.htmx and request.GET.get("cursor"):
            return render(request, "social/partials/feed_page.html", {"page": posts})
    return render(request, "social/profile.html", {"page": page, "posts": posts, "photos": photos})


@login_required
def profile_edit(request: SignedInRequest) -> HttpResponse:
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
                add_form_errors(form, error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("social:profile", username=request.user.get_username())
    else:
        form = ProfileForm(initial={"display_name": current.display_name, "bio": current.bio})
    return render(request, "social/profile_edit.html", {"form": form, "profile": current})


def _people_page(request: PageRequest, username: str, which: str) -> HttpResponse:
    page = selectors.profile_page(viewer=request.user, username=username)
    people = []
    if page.can_see_content:
        lister = selectors.followers_of if which == "followers" else selectors.following_of
        people = lister(viewer=request.user, user=page.user)
    return render(request, "social/people.html", {"page": page, "people": people, "which": which})


def followers(request: PageRequest, username: str) -> HttpResponse:
    return _people_page(request, username, "followers")


def following(request: PageRequest, username: str) -> HttpResponse:
    return _people_page(request, username, "following")


def _relationship_response(request: PageRequest, target) -> HttpResponse:
    if request.htmx:
        relationship = selectors.relationship_between(viewer=request.user, target=target)
        return render(
            request,
            "social/partials/follow_button.html",
            {"target": target, "relationship": relationship},
        )
    return redirect(safe_next_url(request, reverse("social:profile", args=[target.get_username()])))


@login_required
@require_POST
def follow(request: SignedInRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    fallback = reverse("social:profile", args=[username])
    try:
        rate_limit_hit(scope="follow", key=request.user.pk)
        services.follow_create(follower=request.user, followee=target)
    except RateLimited as error:
        return error_response(request, error.message, fallback, status=429)
    except ValidationError as error:
        return error_response(request, error.messages[0], fallback, status=400)
    except PermissionDenied as error:
        return error_response(request, str(error), fallback, status=403)
    return _relationship_response(request, target)


@login_required
@require_POST
def unfollow(request: SignedInRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    services.follow_delete(follower=request.user, followee=target)
    return _relationship_response(request, target)


@login_required
@require_POST
def block(request: SignedInRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    try:
        services.block_create(blocker=request.user, blocked=target)
    except ValidationError as error:
        return error_response(request, error.messages[0], reverse("social:feed"))
    messages.success(request, _("You blocked @%(name)s.") % {"name": username})
    return redirect(safe_next_url(request, reverse("social:profile", args=[username])))


@login_required
@require_POST
def unblock(request: SignedInRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    services.block_delete(blocker=request.user, blocked=target)
    return redirect(safe_next_url(request, reverse("social:profile", args=[username])))


@login_required
@require_POST
def mute(request: SignedInRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    try:
        services.mute_create(muter=request.user, muted=target)
    except ValidationError as error:
        return error_response(request, error.messages[0], reverse("social:feed"))
    return _relationship_response(request, target)


@login_required
@require_POST
def unmute(request: SignedInRequest, username: str) -> HttpResponse:
    target = selectors.user_by_username(username=username)
    services.mute_delete(muter=request.user, muted=target)
    return _relationship_response(request, target)


@login_required
def follow_requests(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "social/follow_requests.html",
        {"requests": selectors.follow_requests_for_user(user=request.user)},
    )


@login_required
@require_POST
def follow_request_answer(request: SignedInRequest, follower_id: int, answer: str) -> HttpResponse:
    try:
        if answer == "approve":
            services.follow_request_approve(followee=request.user, follower_id=follower_id)
        else:
            services.follow_request_decline(followee=request.user, follower_id=follower_id)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("social:follow_requests")
