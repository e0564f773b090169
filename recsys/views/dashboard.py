"""The staff dashboard: model versions with their figures and charts, experiments, and staff actions
(retrain, promote, roll back, start or stop an experiment), each one service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from recsys import selectors, tasks
from recsys.models import ModelVersion
from recsys.services import experiments, training
from recsys.services.artifacts import artifact_load_failures
from recsys.services.attribution import attribution_update
from recsys.views import charts

__all__ = ["dashboard", "dashboard_action"]


def _version_or_404(version_id: int, *, with_model: bool = False) -> ModelVersion:
    version = selectors.model_version_get(version_id=version_id)
    if version is None or (with_model and not version.artifact_name):
        raise Http404(_("No such model version."))
    return version


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
    attribution_update()
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
        "load_failures": list(
            artifact_load_failures(version_ids=[version.pk for version in versions]).values()
        ),
    }
    return render(request, "recsys/dashboard.html", context)


@require_POST
def dashboard_action(request: HttpRequest) -> HttpResponse:
    denied = _staff_only(request)
    if denied is not None:
        return denied
    action = request.POST.get("action", "")
    if action == "retrain":
        tasks.retrain.delay(force=True)
        messages.success(request, _("Retraining started."))
    elif action == "promote":
        raw = request.POST.get("version", "")
        if not raw.isdigit():
            return HttpResponseBadRequest(_("Choose a model version."))
        version = _version_or_404(int(raw))
        try:
            training.model_version_serve(version=version, actor_note="promoted by staff")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Version %(id)s now serves.") % {"id": version.pk})
    elif action == "rollback":
        previous = training.model_version_serve_previous()
        if previous is None:
            messages.error(request, _("There is no earlier version to roll back to."))
        else:
            messages.success(request, _("Rolled back to version %(id)s.") % {"id": previous.pk})
    elif action == "experiment_start":
        raw = request.POST.get("version", "")
        challenger = _version_or_404(int(raw), with_model=True) if raw.isdigit() else None
        experiments.experiment_start(challenger=challenger)
        messages.success(request, _("Experiment started."))
    elif action == "experiment_stop":
        experiments.experiment_stop()
        messages.success(request, _("Experiment stopped."))
    else:
        return HttpResponseBadRequest(_("Unknown action."))
    return redirect("recsys:dashboard")
