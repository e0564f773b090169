"""Recommendation pages: htmx widget fragments, the click redirect, onboarding and the staff dashboard.

Views parse input, call one selector or service, and render. Widgets log their impressions when they render;
each card links through a signed click URL that logs the click and forwards to the product.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recsys import selectors, services
from recsys.forms import OnboardingForm
from recsys.models import ModelVersion, Widget

CLICK_SALT = "recsys.click"
WIDGET_TITLES = {
    Widget.FOR_YOU: gettext_lazy("For you"),
    Widget.TRENDING: gettext_lazy("Trending"),
    Widget.SIMILAR: gettext_lazy("Similar items"),
    Widget.BOUGHT_TOGETHER: gettext_lazy("Bought together"),
    Widget.FRIENDS: gettext_lazy("Popular with people you follow"),
}
WIDGET_SIZES = {
    Widget.FOR_YOU: 8,
    Widget.TRENDING: 8,
    Widget.SIMILAR: 8,
    Widget.BOUGHT_TOGETHER: 4,
    Widget.FRIENDS: 6,
}


def click_url(item: selectors.Recommendation) -> str:
    token = signing.dumps(
        [
            item.widget,
            item.product.pk,
            item.position,
            item.model_version_id,
            item.experiment_id,
            item.variant,
        ],
        salt=CLICK_SALT,
        compress=True,
    )
    return reverse("recsys:click") + "?t=" + token


def parse_product_param(raw: str | None):
    """The `product` query parameter as a Product; ValueError for a malformed one, Http404 for unknown."""
    from shop.models import Product

    if raw is None or not raw.strip().isdigit():
        raise ValueError(_("Give a product id, for example ?product=12."))
    return get_object_or_404(Product, pk=int(raw), is_active=True)


def widget_items(*, request: HttpRequest, widget: str, product=None, k: int | None = None) -> list:
    k = k or WIDGET_SIZES.get(widget, 8)
    if widget in (Widget.FOR_YOU, Widget.FRIENDS):
        return selectors.recommendations_for_user(user=request.user, widget=widget, k=k)
    if widget == Widget.TRENDING:
        return selectors.trending_products(k=k)
    if widget == Widget.SIMILAR:
        return selectors.similar_products(product=product, k=k)
    if widget == Widget.BOUGHT_TOGETHER:
        return selectors.bought_together_products(product=product, k=k)
    raise Http404(_("No such widget."))


@require_GET
def widget_fragment(request: HttpRequest, widget: str) -> HttpResponse:
    if widget not in Widget.values:
        raise Http404(_("No such widget."))
    product = None
    if widget in (Widget.SIMILAR, Widget.BOUGHT_TOGETHER):
        try:
            product = parse_product_param(request.GET.get("product"))
        except ValueError as error:
            return HttpResponseBadRequest(str(error))
    if widget == Widget.FOR_YOU and not selectors.personalisation_allowed(request.user):
        # The page's trending widget already shows the non-personal list; do not show it twice.
        items = []
    else:
        items = widget_items(request=request, widget=widget, product=product)
    user_id = request.user.pk if request.user.is_authenticated else None
    services.impressions_record(user_id=user_id, recommendations=items)
    cards = [{"item": item, "url": click_url(item)} for item in items]
    return render(
        request,
        "recsys/partials/widget.html",
        {"widget": widget, "title": WIDGET_TITLES[widget], "cards": cards, "product": product},
    )


@require_GET
def click(request: HttpRequest) -> HttpResponse:
    try:
        widget, product_id, position, version_id, experiment_id, variant = signing.loads(
            request.GET.get("t", ""), salt=CLICK_SALT
        )
    except (signing.BadSignature, ValueError, TypeError):
        return HttpResponseBadRequest(_("This recommendation link is not valid."))
    from shop.models import Product

    product = get_object_or_404(Product, pk=product_id)
    services.click_record(
        user_id=request.user.pk if request.user.is_authenticated else None,
        target=services.ClickTarget(
            widget=widget,
            product_id=product.pk,
            position=position,
            model_version_id=version_id,
            experiment_id=experiment_id,
            variant=variant,
        ),
    )
    return redirect(product.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest) -> HttpResponse:
    form = OnboardingForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.onboarding_complete(
            user=request.user,
            category_ids=[category.pk for category in form.cleaned_data["categories"]],
            followee_ids=[person.pk for person in form.cleaned_data["people"]],
        )
        messages.success(request, _("Thanks! Your home page now shows picks for you."))
        return redirect("shop:home")
    return render(request, "recsys/onboarding.html", {"form": form})


# --- staff dashboard -------------------------------------------------------------------------------------


def _staff_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not request.user.is_staff:
        raise PermissionDenied(_("Only staff can see the recommender dashboard."))
    return None


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    denied = _staff_only(request)
    if denied is not None:
        return denied
    from recsys import charts

    services.attribution_update()
    versions = selectors.model_version_list(limit=30)
    experiment = selectors.experiment_active()
    chosen = request.GET.get("curve", "")
    latest = next((v for v in versions if chosen.isdigit() and v.pk == int(chosen)), None)
    latest = latest or (versions[0] if versions else None)
    context = {
        "versions": versions,
        "serving": selectors.serving_version(),
        "run": selectors.serving_run(),
        "experiment": experiment,
        "variant_stats": selectors.variant_stats(experiment=experiment),
        "all_stats": selectors.variant_stats(),
        "history_svg": charts.metric_history_svg(list(reversed(versions))),
        "curve_svg": charts.validation_curve_svg(latest) if latest else "",
        "latest": latest,
    }
    return render(request, "recsys/dashboard.html", context)


@require_POST
def dashboard_action(request: HttpRequest) -> HttpResponse:
    denied = _staff_only(request)
    if denied is not None:
        return denied
    from recsys import tasks

    action = request.POST.get("action", "")
    if action == "retrain":
        tasks.retrain.delay(force=True)
        messages.success(request, _("Retraining started."))
    elif action == "promote":
        raw = request.POST.get("version", "")
        if not raw.isdigit():
            return HttpResponseBadRequest(_("Choose a model version."))
        version = get_object_or_404(ModelVersion, pk=int(raw))
        try:
            services.model_version_promote(version=version, actor_note="promoted by staff")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            tasks.score_all.delay(version_id=version.pk)
            messages.success(request, _("Version %(id)s now serves.") % {"id": version.pk})
    elif action == "rollback":
        version = services.model_version_rollback()
        if version is None:
            messages.error(request, _("There is no earlier version to roll back to."))
        else:
            tasks.score_all.delay(version_id=version.pk)
            messages.success(request, _("Rolled back to version %(id)s.") % {"id": version.pk})
    elif action == "experiment_start":
        raw = request.POST.get("version", "")
        challenger = (
            get_object_or_404(ModelVersion, pk=int(raw), artifact_path__gt="")
            if raw.isdigit()
            else None
        )
        services.experiment_start(challenger=challenger)
        messages.success(request, _("Experiment started."))
    elif action == "experiment_stop":
        services.experiment_stop()
        messages.success(request, _("Experiment stopped."))
    else:
        return HttpResponseBadRequest(_("Unknown action."))
    return redirect("recsys:dashboard")


urlpatterns = [
    path("widgets/<slug:widget>/", widget_fragment, name="widget"),
    path("click/", click, name="click"),
    path("onboarding/", onboarding, name="onboarding"),
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/action/", dashboard_action, name="dashboard_action"),
]
