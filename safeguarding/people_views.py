"""A partnership manager's "People" pages (safeguarding/people.py has the rules)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from . import leads, people, permissions
from .form_pages import form_page
from .forms import HandOverForm, PartnerLeadsForm, PersonForm, RemoveRoleForm
from .models import Role, StatutoryPartner
from .workflow import TransitionError

MANAGERS_ONLY = "Only a partnership manager manages the partnership’s people."


def _managed(request, partnership_pk):
    """The partnership, if the signed-in person manages it; 404 otherwise."""
    return permissions.get_or_404(
        permissions.partnerships_visible_to(request.user, roles={Role.PARTNERSHIP_MANAGER}),
        pk=partnership_pk,
    )


def _list_url(partnership) -> str:
    return reverse("safeguarding:people", args=[partnership.pk])


@never_cache
@permissions.case_role_required({Role.PARTNERSHIP_MANAGER}, message=MANAGERS_ONLY)
def people_list(request, partnership_pk):
    partnership = _managed(request, partnership_pk)
    members = list(people.members_of(partnership))
    owners = people.deadlines_by_owner(partnership)
    people.deadlines_owned_by_members(members, owners)
    return render(
        request,
        "safeguarding/people.html",
        {
            "partnership": partnership,
            "members": members,
            "removable": people.removable_of(partnership, members, request.user),
            "left_behind": people.left_behind(owners),
        },
    )


@permissions.case_role_required({Role.PARTNERSHIP_MANAGER}, message=MANAGERS_ONLY)
def person_add(request, partnership_pk):
    partnership = _managed(request, partnership_pk)

    def run(form):
        data = form.cleaned_data
        membership = people.membership_add(
            actor=request.user,
            partnership=partnership,
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            agency=data.get("agency"),
        )
        messages.success(
            request,
            f"{membership.user.full_name} now has the role ‘{membership.get_role_display()}’ "
            f"in {partnership.name}. We have emailed them.",
        )

    return form_page(
        request,
        partnership,
        PersonForm,
        "Add a person",
        run,
        template="form_page.html",
        caption=partnership.name,
        intro="They get an email: someone who has never signed in gets a link to choose a "
        "password. Managers "
        "and regional viewers are added by the service’s administrators.",
        back=_list_url(partnership),
        done=_list_url(partnership),
        form_kwargs={"partnership": partnership, "actor": request.user},
    )


def _handed_over(n: int, owner, successor) -> str:
    deadlines = "open deadline" if n == 1 else "open deadlines"
    return f"{owner.full_name}’s {n} {deadlines} are now {successor.full_name}’s."


@permissions.case_role_required({Role.PARTNERSHIP_MANAGER}, message=MANAGERS_ONLY)
def person_remove(request, partnership_pk, pk):
    partnership = _managed(request, partnership_pk)
    try:
        membership = people.membership_get_for(request.user, partnership, pk)
    except Http404:
        if request.method == "POST" and people.removed_already(partnership, pk):
            # A second click, or a colleague a moment before: done, not "not found".
            messages.info(request, "That role was removed already.")
            return redirect(_list_url(partnership))
        raise
    # Their last review officer role here, with open deadlines: someone takes them over.
    left_behind = (
        people.clocks_left_by_removing(membership)
        if people.removable(membership, request.user)
        else 0
    )
    successors = people.successors_for(partnership, membership.user_id) if left_behind else None
    form = RemoveRoleForm(request.POST if request.method == "POST" else None, successors=successors)
    if request.method == "POST" and form.is_valid():
        try:
            handed = people.membership_remove(
                actor=request.user,
                membership=membership,
                successor=form.cleaned_data.get("successor"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except TransitionError as error:
            messages.error(request, str(error))
            return redirect(_list_url(partnership))
        else:
            done = (
                f"{membership.user.full_name} no longer has the role "
                f"‘{membership.get_role_display()}’ in {partnership.name}."
            )
            if handed:
                done += " " + _handed_over(handed, membership.user, form.cleaned_data["successor"])
            messages.success(request, done)
            return redirect(_list_url(partnership))
    return render(
        request,
        "safeguarding/person_remove.html",
        {
            "partnership": partnership,
            "membership": membership,
            "form": form,
            "left_behind": left_behind,
            "work_left": people.work_left_by_removing(membership),
        },
    )


@permissions.case_role_required({Role.PARTNERSHIP_MANAGER}, message=MANAGERS_ONLY)
def deadlines_hand_over(request, partnership_pk, user_pk):
    """Hand over someone's open deadlines in the partnership: of someone who has left the
    business unit (their role removed or their account switched off by the
    administrators), or of someone still in it who is away (cover for leave)."""
    partnership = _managed(request, partnership_pk)
    owner = people.deadlines_owner_get_for(partnership, user_pk)
    if owner is None:
        # A second click, or Back to the page or a reload of it once they were handed
        # over: said to be done (ADR 0022), not "Page not found".
        if people.owned_before_in(partnership, user_pk):
            messages.info(request, "Those deadlines were handed over already.")
            return redirect(_list_url(partnership))
        raise Http404("No deadlines to hand over")
    count = next(
        iter(people.deadlines_by_owner(partnership, owner.pk)),
        {"open": 0, "overdue": 0, "in_unit": False},
    )

    successors = people.successors_for(partnership, owner.pk)
    if not successors.exists():
        # Reached from an old link or typed: say so plainly, not a question with no answers.
        return render(
            request,
            "safeguarding/deadlines_no_one_to_take.html",
            {"owner": owner, "count": count, "partnership": partnership},
        )

    def run(form):
        successor = form.cleaned_data["successor"]
        handed = people.deadlines_hand_over(
            actor=request.user, partnership=partnership, owner=owner, successor=successor
        )
        if handed:
            messages.success(request, _handed_over(handed, owner, successor))
        else:
            # A colleague handed them over while this page was open (their save waited
            # for this one's lock, or went first).
            messages.info(request, "Those deadlines were handed over already.")

    return form_page(
        request,
        partnership,
        HandOverForm,
        f"Hand over {owner.full_name}’s open deadlines",
        run,
        template="safeguarding/deadlines_hand_over.html",
        caption=partnership.name,
        back=_list_url(partnership),
        done=_list_url(partnership),
        form_kwargs={"successors": successors},
        context={"owner": owner, "count": count, "partnership": partnership},
    )


#: Where the leads page was opened from (`?from=`, added by the link there), to go back to
#: it: one of these, never an address taken from the request; home otherwise.
LEADS_OPENED_FROM = {"people": _list_url}


def _leads_return_to(request, partnership) -> str:
    """The page the leads page goes back to, and to after saving: the People page when
    its link opened it, home (where "Partnerships you manage" links it) otherwise."""
    page = LEADS_OPENED_FROM.get(request.GET.get("from", ""))
    return page(partnership) if page else reverse("safeguarding:home")


@permissions.case_role_required(
    {Role.PARTNERSHIP_MANAGER},
    message="Only a partnership manager records the statutory partners’ leads.",
)
def partner_leads(request, partnership_pk):
    """The statutory partners' leads: each sign-off form starts with its partner's lead."""
    partnership = _managed(request, partnership_pk)
    current = leads.partner_leads_of(partnership)
    initial = {}
    for partner, lead in current.items():
        initial[f"{partner}_name"], initial[f"{partner}_job_title"] = lead.name, lead.job_title

    def run(form):
        data = form.cleaned_data
        leads.partner_leads_set(
            partnership=partnership,
            actor=request.user,
            leads={
                p: (data.get(f"{p}_name", ""), data.get(f"{p}_job_title", ""))
                for p in StatutoryPartner.values
            },
        )
        messages.success(request, f"The statutory partners’ leads of {partnership.name} are saved.")

    return form_page(
        request,
        partnership,
        PartnerLeadsForm,
        "Statutory partners’ leads",
        run,
        template="form_page.html",
        caption=partnership.name,
        intro="The person who signs off for each statutory partner. Every sign-off form "
        "starts with their name and job title, and can still be changed when someone else "
        "signs, such as a deputy. Sign-offs already recorded keep the name as signed.\n\n"
        "Leave a partner blank if you do not know their lead yet.",
        initial=initial,
        back=_leads_return_to(request, partnership),
        done=_leads_return_to(request, partnership),
    )
