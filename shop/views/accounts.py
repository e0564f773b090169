"""Account pages: sign up, log in/out (throttled), password change and reset, saved addresses."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.redirects import safe_next_url
from shop import selectors, services
from shop.forms.accounts import (
    AddressForm,
    PasswordResetForm,
    SignupForm,
    ThrottledAuthenticationForm,
)
from shop.views import SignedInHttpRequest


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        # login() cycles the session key, so read the session cart's key before it does.
        session_key = self.request.session.session_key
        response = super().form_valid(form)
        services.cart_merge(user=form.get_user(), session_key=session_key)
        services.user_language_remember(user=form.get_user(), language=get_language())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("shop:account")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        user = None
        if form.is_valid():
            try:
                user = services.user_signup(
                    username=form.cleaned_data["username"],
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                )
            except ValidationError as exc:  # the address was taken since the form checked it
                _add_errors(form, exc)
        if user is not None:
            session_key = request.session.session_key
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.cart_merge(user=user, session_key=session_key)
            services.user_language_remember(user=user, language=get_language())
            messages.success(
                request, _("Welcome to Socialshop, %(name)s!") % {"name": user.username}
            )
            return redirect(_after_signup_url())
        return render(request, "registration/signup.html", {"form": form}, status=400)
    return render(request, "registration/signup.html", {"form": form})


def _after_signup_url() -> str:
    try:
        return reverse("recsys:onboarding")
    except NoReverseMatch:
        return reverse("shop:account")


@login_required
def account(request: SignedInHttpRequest) -> HttpResponse:
    return render(
        request,
        "shop/account.html",
        {
            "addresses": selectors.address_list_for_user(user=request.user),
            "recent_orders": selectors.order_list_for_user(user=request.user)[:3],
        },
    )


@login_required
def address_add(request: SignedInHttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.address_create(
                    user=request.user,
                    data=form.cleaned_data,
                    is_default=form.cleaned_data.get("is_default", False),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Address saved."))
                return redirect(safe_next_url(request, reverse("shop:account")))
        return render(request, "shop/address_form.html", {"form": form}, status=400)
    return render(request, "shop/address_form.html", {"form": form})


@login_required
def address_edit(request: SignedInHttpRequest, address_id: int) -> HttpResponse:
    address = selectors.address_access(user=request.user, address_id=address_id)
    form = AddressForm(
        request.POST or None, instance=address, initial={"is_default": address.is_default}
    )
    if request.method == "POST":
        if form.is_valid():
            # The form's instance was changed by validation; save through the service from clean data.
            address.refresh_from_db()
            try:
                services.address_update(address=address, data=form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if form.cleaned_data.get("is_default"):
                    services.address_set_default(address=address)
                messages.success(request, _("Address saved."))
                return redirect("shop:account")
        return render(
            request, "shop/address_form.html", {"form": form, "address": address}, status=400
        )
    return render(request, "shop/address_form.html", {"form": form, "address": address})


@login_required
@require_POST
def address_delete(request: SignedInHttpRequest, address_id: int) -> HttpResponse:
    address = selectors.address_access(user=request.user, address_id=address_id)
    services.address_delete(address=address)
    messages.success(request, _("Address deleted."))
    return redirect("shop:account")


@login_required
@require_POST
def address_default(request: SignedInHttpRequest, address_id: int) -> HttpResponse:
    address = selectors.address_access(user=request.user, address_id=address_id)
    services.address_set_default(address=address)
    messages.success(request, _("Default address changed."))
    return redirect("shop:account")


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path(
        "accounts/logout/",
        auth_views.LogoutView.as_view(next_page="shop:home"),
        name="logout",
    ),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/", account, name="account"),
    path("accounts/addresses/new/", address_add, name="address_add"),
    path("accounts/addresses/<int:address_id>/edit/", address_edit, name="address_edit"),
    path("accounts/addresses/<int:address_id>/delete/", address_delete, name="address_delete"),
    path("accounts/addresses/<int:address_id>/default/", address_default, name="address_default"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("shop:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("shop:password_reset_done"),
            form_class=PasswordResetForm,
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("shop:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
