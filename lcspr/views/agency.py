"""The action plan as the owning agency sees it: its own actions only, to record progress,
evidence of impact and completion (the partnership moves due dates and signs off)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from rapid_reviews.views.common import contributor_view

from .. import selectors, services
from ..forms import AgencyActionForm
from ..models import ActionStatus
from .common import form_page


@contributor_view
def agency_action_list(request):
    """Every action the user's agencies own: those still to finish, soonest due first,
    then those signed off, most recent first, a page at a time."""
    actions = selectors.actions_for_contributor(request.user)
    return render(
        request,
        "lcspr/agency_action_list.html",
        {
            "open_actions": list(actions.exclude(status=ActionStatus.SIGNED_OFF)),
            "signed_off": Paginator(
                actions.filter(status=ActionStatus.SIGNED_OFF).order_by("-signed_off_on", "-pk"),
                25,
            ).get_page(request.GET.get("page")),
        },
    )


@contributor_view
def agency_action(request, action_pk):
    action = selectors.action_get_for_contributor(request.user, action_pk)
    review = action.recommendation.review
    # Back to the agency's list of its actions (also linked from its home page).
    home = reverse("lcspr:agency-actions")

    def run(form):
        data = form.cleaned_data
        services.action_update(
            action=action,
            actor=request.user,
            status=data["status"],
            due_date=action.due_date,
            note=data["note"],
            evidence_of_impact=data["evidence_of_impact"],
            expected_version=data.get("version"),
        )
        messages.success(request, "The action is updated. The partnership can see it.")
        return redirect(home)

    return form_page(
        request,
        review,
        AgencyActionForm,
        f"Action: {action.agency.name}",
        run,
        intro=action.description,
        back=home,
        initial={
            "status": action.status,
            "evidence_of_impact": action.evidence_of_impact,
            "version": action.version,
        },
        form_kwargs={"action": action},
        extra={
            "action": action,
            "notes": list(action.notes.select_related("author")),
            "can_sign_off": False,
            "read_only": action.status == ActionStatus.SIGNED_OFF,
            "due_by_partnership": True,
        },
        template="lcspr/action.html",
    )
