"""The action plan as the owning agency sees it: its own actions only, to record progress,
evidence of impact and completion (the partnership moves due dates and signs off)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from rapid_reviews.views.common import contributor_view
from safeguarding.forms import RefusedForm

from .. import selectors, services
from ..forms import AgencyActionForm
from ..models import ActionStatus
from .common import action_heading, form_page


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


def _signed_off_meanwhile(request, action, home):
    """An update sent after the action was signed off (a colleague marked it complete and
    the manager signed it off while this page was open): nothing can change any more, so
    the page says so, not that saving again would replace the other change, and shows
    what was typed, to copy (ADR 0021's addendum)."""
    signed = action.signed_off_on
    by = action.signed_off_by
    message = (
        f"This action was signed off{f' by {by.full_name}' if by else ''}"
        f"{f' on {signed:%-d %B %Y}' if signed else ''} after you opened this page, so it "
        "can no longer change and what you typed has not been saved. It is shown below for "
        "you to copy: if it matters, tell the partnership’s business unit."
    )
    typed = [
        (label, (request.POST.get(name) or "").strip())
        for name, label in (("note", "Progress note"), ("evidence_of_impact", "Evidence of impact"))
    ]
    return render(
        request,
        "lcspr/action.html",
        {
            "form": RefusedForm(message, error_target="signed-off"),
            "review": action.recommendation.review,
            **action_heading(action),
            "back": home,
            "read_only": True,
            "action": action,
            "notes": list(action.notes.select_related("author")),
            "can_sign_off": False,
            "due_by_partnership": True,
            "typed": [(label, text) for label, text in typed if text],
        },
    )


@contributor_view
def agency_action(request, action_pk):
    action = selectors.action_get_for_contributor(request.user, action_pk)
    review = action.recommendation.review
    # Back to the agency's list of its actions (also linked from its home page).
    home = reverse("lcspr:agency-actions")
    heading = action_heading(action)
    if request.method == "POST" and action.status == ActionStatus.SIGNED_OFF:
        return _signed_off_meanwhile(request, action, home)

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
        heading["title"],
        run,
        caption=heading["caption"],
        intro=heading["intro"],
        back=home,
        initial={
            "status": action.status,
            "evidence_of_impact": action.evidence_of_impact,
            "version": action.version,
        },
        form_kwargs={"action": action},
        # The form carries the action's version, not the review's.
        versioned=action,
        extra={
            "action": action,
            "notes": list(action.notes.select_related("author")),
            "can_sign_off": False,
            "read_only": action.status == ActionStatus.SIGNED_OFF,
            "due_by_partnership": True,
        },
        template="lcspr/action.html",
    )
