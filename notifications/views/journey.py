"""Logging an incident: one short step per page, children, check your answers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from safeguarding import permissions
from safeguarding.audit import audit_view
from safeguarding.drafts import take_kept_post
from safeguarding.form_pages import refusals_shown_on
from safeguarding.once import made, taken_before

from .. import forms, services
from ..models import Status
from ..selectors import child_get_for, incident_get_for
from .common import (
    case_view,
)

# --- the journey: one short step per page -------------------------------------------

#: step name -> (form class, page title, model fields it edits)
STEPS = {
    "dates": (forms.IncidentDatesForm, "Dates and place", ["incident_date", "incident_place"]),
    "nature": (forms.NatureForm, "What happened", ["nature", "harm_categories"]),
    "circumstances": (
        forms.CircumstancesForm,
        "Circumstances",
        [
            "circumstances",
            "other_local_authority",
            "parallel_processes",
            "other_children_in_household",
        ],
    ),
    "notifier": (
        forms.NotifierForm,
        "Who is notifying",
        ["notifier_name", "notifier_role", "notifier_contact"],
    ),
}
ORDER = ["dates", "nature", "circumstances", "children", "notifier", "check"]


def _step_url(incident, step):
    if step == "children":
        return reverse("notifications:children", args=[incident.pk])
    if step == "check":
        return reverse("notifications:check", args=[incident.pk])
    return reverse("notifications:step", args=[incident.pk, step])


def _return_to(incident, request) -> str | None:
    """Where a "Change" link came from (the check page or the incident's page), to go
    back there once the answer is saved rather than on through every later step."""
    return {
        "check": reverse("notifications:check", args=[incident.pk]),
        "detail": incident.get_absolute_url(),
    }.get(request.GET.get("from", ""))


def _after(incident, step, request):
    if "later" in request.POST:
        messages.success(request, f"Saved. {incident.reference} is waiting in your drafts.")
        return redirect(incident.get_absolute_url())
    return redirect(
        _return_to(incident, request) or _step_url(incident, ORDER[ORDER.index(step) + 1])
    )


def _partnership_for_new(request):
    ids = sorted(permissions.partnership_ids(request.user))
    chosen = request.POST.get("partnership") or request.GET.get("partnership")
    if chosen and chosen.isdigit() and int(chosen) in ids:
        return permissions.partnerships_visible_to(request.user).get(pk=int(chosen))
    if len(ids) == 1:
        return permissions.partnerships_visible_to(request.user).get(pk=ids[0])
    return None


@case_view
def incident_new(request):
    partnership = _partnership_for_new(request)
    if partnership is None:
        choices = permissions.partnerships_visible_to(request.user, roles=permissions.CASE_ROLES)
        return render(request, "notifications/choose_partnership.html", {"choices": choices})
    kept = take_kept_post(request)
    form = forms.IncidentNewForm(request.POST if request.method == "POST" else kept)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                earlier = taken_before(request, form)
                if earlier is not None:
                    return redirect(earlier or reverse("notifications:list"))
                incident = services.incident_create(
                    partnership=partnership,
                    actor=request.user,
                    awareness_date=form.cleaned_data["awareness_date"],
                    incident_date=form.cleaned_data["incident_date"],
                    incident_place=form.cleaned_data["incident_place"],
                )
                made(form, incident.get_absolute_url())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{incident.reference} is logged. Notify the National Panel by "
                f"{incident.notification_due:%-d %B %Y}.",
            )
            return redirect(_step_url(incident, "nature"))
    return render(
        request,
        "notifications/step.html",
        {
            "form": form,
            "title": "Log a serious incident",
            "caption": partnership.name,
            "typing_kept": kept is not None,
            "back": reverse("notifications:list"),
        },
    )


def _initial(incident, fields):
    initial = {name: getattr(incident, name) for name in fields}
    initial["version"] = incident.version
    return initial


@case_view
def incident_step(request, pk, step):
    incident = incident_get_for(request.user, pk)
    if step not in STEPS:
        raise Http404("No such step")
    form_class, title, fields = STEPS[step]
    if not incident.can_change:
        messages.info(request, "This incident’s decision is recorded, so it can no longer change.")
        return redirect(incident.get_absolute_url())
    extra = {"changing": True, "incident": incident} if step == "dates" else {}
    initial = _initial(incident, fields + (["awareness_date"] if step == "dates" else []))
    if step == "notifier" and not incident.notifier_name:
        # Most often the officer logging it is the one notifying: offered, not assumed.
        initial.update(notifier_name=request.user.full_name, notifier_contact=request.user.email)
    kept = take_kept_post(request)
    data = request.POST if request.method == "POST" else kept
    form = form_class(data, initial=initial, **extra)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in fields}
        version = form.cleaned_data.get("version")
        with refusals_shown_on(form):
            with transaction.atomic():
                if step == "dates":
                    new_aware = form.cleaned_data["awareness_date"]
                    if new_aware != incident.awareness_date:
                        incident = services.incident_change_awareness_date(
                            incident=incident,
                            actor=request.user,
                            awareness_date=new_aware,
                            reason=form.cleaned_data.get("reason", ""),
                            expected_version=version,
                            incident_date=values["incident_date"],
                        )
                        version = incident.version
                incident = services.incident_update(
                    incident=incident,
                    actor=request.user,
                    changes=values,
                    expected_version=version,
                )
            return _after(incident, step, request)
    return render(
        request,
        "notifications/step.html",
        {
            "form": form,
            "title": title,
            "caption": incident.reference,
            "incident": incident,
            "typing_kept": kept is not None,
            "back": _return_to(incident, request)
            or (
                _step_url(incident, ORDER[max(ORDER.index(step) - 1, 0)])
                if step != "dates"
                else incident.get_absolute_url()
            ),
        },
    )


@case_view
def incident_children(request, pk):
    incident = incident_get_for(request.user, pk)
    audit_view(request, incident, "children")
    return render(
        request,
        "notifications/children.html",
        {
            "incident": incident,
            "children": incident.children.all(),
            "next": _step_url(incident, "notifier"),
        },
    )


def _children_as_recorded(request, incident):
    """An old link to change a decided incident's children: to the children as recorded,
    saying why, rather than a form (or a confirmation) the service would refuse."""
    if incident.status == Status.ENTERED_IN_ERROR:
        messages.info(request, "This incident was entered in error: it can no longer change.")
    else:
        messages.info(request, "This incident’s decision is recorded, so it can no longer change.")
    return redirect("notifications:children", pk=incident.pk)


@case_view
def child_edit(request, pk, child_pk=None):
    incident = incident_get_for(request.user, pk)
    child = child_get_for(request.user, incident, child_pk) if child_pk else None
    if not incident.can_change and request.method != "POST":
        return _children_as_recorded(request, incident)
    if child is not None and request.method != "POST":
        audit_view(
            request,
            child,
            "child",
            partnership=incident.partnership,
            object_repr=f"{incident.reference} {child.pseudonym}",
        )
    if child is None:
        initial = {"pseudonym": services.next_pseudonym(incident), "version": incident.version}
    else:
        initial = {name: getattr(child, name) for name in services.CHILD_FIELDS}
        initial["known_to"] = list(child.known_to.all())
        initial["version"] = incident.version
    kept = take_kept_post(request)
    data = request.POST if request.method == "POST" else kept
    form = forms.ChildForm(
        data, initial=initial, partnership=incident.partnership, incident=incident
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.CHILD_FIELDS}
        with refusals_shown_on(form):
            child = services.child_save(
                incident=incident,
                actor=request.user,
                values=values,
                known_to=form.cleaned_data["known_to"],
                child=child,
                expected_version=form.cleaned_data.get("version"),
            )
            messages.success(request, f"{child.pseudonym} is saved.")
            return redirect(_step_url(incident, "children"))
    title = f"Change {child.pseudonym}" if child else "Add a child"
    return render(
        request,
        "notifications/step.html",
        {
            "form": form,
            "title": title,
            "caption": incident.reference,
            "incident": incident,
            "typing_kept": kept is not None,
            "back": _step_url(incident, "children"),
        },
    )


@case_view
def child_remove(request, pk, child_pk):
    incident = incident_get_for(request.user, pk)
    child = child_get_for(request.user, incident, child_pk)
    if not incident.can_change and request.method != "POST":
        return _children_as_recorded(request, incident)
    if request.method == "POST":
        try:
            services.child_remove(child=child, actor=request.user)
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{child.pseudonym} is removed from {incident.reference}.")
        return redirect(_step_url(incident, "children"))
    return render(
        request, "notifications/child_remove.html", {"incident": incident, "child": child}
    )


@case_view
def incident_check(request, pk):
    incident = incident_get_for(request.user, pk)
    if request.method != "POST":
        audit_view(request, incident, "check")
    problems = services.missing_for_decision(incident)
    if request.method == "POST":
        try:
            services.incident_submit_for_decision(incident=incident, actor=request.user)
        except ValidationError as error:
            problems = error.messages
        except services.TransitionError as error:
            problems = [str(error)]
        else:
            messages.success(request, f"{incident.reference} is ready for a decision.")
            return redirect(incident.get_absolute_url())
    return render(
        request,
        "notifications/check.html",
        {
            "incident": incident,
            "problems": problems,
            "children": incident.children.all(),
            "posted": request.method == "POST",
        },
    )
