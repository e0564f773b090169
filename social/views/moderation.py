"""Moderation pages: report any content, and the one moderation queue (moderators only) with its log.

Access to the queue is checked by `social.selectors.moderation_access` (403 for everyone else, signed in or not);
the rules of each action live in `social.services.moderation_act`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.redirects import safe_next_url
from social.forms import ActionForm, ReportForm
from social.models import ModerationAction
from social.selectors import (
    moderation_access,
    moderation_log,
    moderation_queue,
    report_target_get,
    suspended_users,
    target_label,
)
from social.services import ModerationError, moderation_act, report_create
from social.views.helpers import PageRequest, SignedInRequest, add_service_error


@login_required
@require_http_methods(["GET", "POST"])
def report(
    request: SignedInRequest, app_label: str, model_name: str, object_id: int
) -> HttpResponse:
    target = report_target_get(
        app_label=app_label, model_name=model_name, object_id=object_id, viewer=request.user
    )
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report_create(
                    reporter=request.user,
                    target=target,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ModerationError as error:
                add_service_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Thank you. A moderator will look at it."))
                return redirect(safe_next_url(request, reverse("shop:home")))
        else:
            status = 400
    else:
        form = ReportForm()
    return render(
        request,
        "social/moderation/report.html",
        {
            "form": form,
            "label": target_label(target),
            "action_url": request.path,
            "next": safe_next_url(request, reverse("shop:home")),
        },
        status=status,
    )


def _queue_context(action_form: ActionForm | None = None) -> dict:
    return {
        "items": moderation_queue(),
        "suspended": suspended_users()[:50],
        "kinds": ModerationAction.Kind.choices,
        "action_form": action_form,
        "user_content_type_id": ContentType.objects.get_for_model(get_user_model()).id,
    }


@require_GET
def moderation_queue_view(request: PageRequest) -> HttpResponse:
    moderation_access(user=request.user)
    return render(request, "social/moderation/queue.html", _queue_context())


@require_POST
def moderation_act_view(request: PageRequest) -> HttpResponse:
    moderator = moderation_access(user=request.user)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            action = moderation_act(
                moderator=moderator,
                content_type_id=form.cleaned_data["content_type_id"],
                object_id=form.cleaned_data["object_id"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                suspended_until=form.cleaned_data["suspended_until"],
            )
        except ModerationError as error:
            add_service_error(form, error)
        else:
            message = _("Done: %(action)s (%(count)d reports resolved).") % {
                "action": action.get_kind_display(),
                "count": action.reports_resolved,
            }
            if request.htmx:
                return render(request, "social/moderation/partials/done.html", {"message": message})
            messages.success(request, message)
            return redirect("social:moderation_queue")
    if request.htmx:
        return render(request, "social/moderation/partials/errors.html", {"form": form}, status=400)
    return render(request, "social/moderation/queue.html", _queue_context(form), status=400)


@require_GET
def moderation_log_view(request: PageRequest) -> HttpResponse:
    moderation_access(user=request.user)
    return render(request, "social/moderation/log.html", {"actions": moderation_log()})
