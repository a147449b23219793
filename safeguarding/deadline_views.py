"""Pages of the deadline engine: why a date, reminder settings and calendar feed, outbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import calendar, feeds, outbox, permissions
from .deadline_selectors import deadline_get_for, deadline_history
from .deadlines import TYPED_WORKING_DAY_KINDS, deadline_explain, explain_rule
from .models import CalendarFeedToken, Role
from .reminder_forms import ReminderPreferenceForm
from .reminders import reminder_preference_set, reminder_schedules


@login_required
def deadline_why(request, pk):
    """ "Why this date?": the trigger, the rule, each day skipped and why, every move."""
    deadline = deadline_get_for(request.user, pk)
    explanation = deadline_explain(deadline)
    # An open date set by hand that a closure day added since falls on: said here too, as
    # on its action's or request's page and in its e-mail (ADR 0027 addendum).
    typed = (
        deadline.kind in TYPED_WORKING_DAY_KINDS
        and deadline.rule == deadline.Rule.FIXED
        and deadline.closed_on is None
    )
    return render(
        request,
        "safeguarding/deadline_why.html",
        {
            "deadline": deadline,
            "on_closure_day": calendar.closure_on(deadline.partnership_id, deadline.due_date)
            if typed
            else None,
            "rule_text": explain_rule(deadline),
            "explanation": explanation,
            "history": list(deadline_history(deadline)),
        },
    )


@login_required
@never_cache
def reminder_settings(request):
    """Immediate reminders or a daily digest; the private calendar feed address."""
    user = request.user
    form = ReminderPreferenceForm(initial={"reminder_preference": user.reminder_preference})
    new_feed_url = None
    if request.method == "POST":
        action = request.POST.get("action", "preference")
        if action == "preference":
            form = ReminderPreferenceForm(request.POST)
            if form.is_valid():
                reminder_preference_set(
                    actor=user, preference=form.cleaned_data["reminder_preference"]
                )
                messages.success(request, _("Your reminder settings have been saved"))
                return redirect("safeguarding:reminder-settings")
        elif action == "feed-create":
            from .account_views import second_factor_first

            refused = second_factor_first(request, reverse("safeguarding:reminder-settings"))
            if refused is not None:
                return refused
            new_feed_url = feeds.feed_url(feeds.calendar_feed_create(actor=user))
        elif action == "feed-revoke":
            feeds.calendar_feed_revoke(actor=user)
            messages.success(request, _("Your calendar feed address has been switched off"))
            return redirect("safeguarding:reminder-settings")
    feed = CalendarFeedToken.objects.filter(user=user).first()
    business_unit = list(
        permissions.partnerships_visible_to(user, permissions.CASE_ROLES).order_by("name")
    )
    schedules = reminder_schedules([p.pk for p in business_unit])

    return render(
        request,
        "safeguarding/reminder_settings.html",
        {
            "form": form,
            "feed": feed,
            "new_feed_url": new_feed_url,
            "feed_switched_off_at": (
                None if feed or new_feed_url else feeds.calendar_feed_switched_off_at(user)
            ),
            # Deadline reminders (immediate or a digest) go to the business unit only;
            # agencies and reviewers are e-mailed about what they owe, as the page says.
            "business_unit": bool(business_unit),
            # What the sweep uses for each kind of deadline, in each of their partnerships.
            "schedules": [(p, schedules[p.pk]) for p in business_unit],
            "contributor": bool(permissions.partnership_ids(user, {Role.AGENCY_CONTRIBUTOR})),
            "reviewer": bool(permissions.partnership_ids(user, {Role.INDEPENDENT_REVIEWER})),
        },
    )


@require_GET
@permissions.case_role_required(
    permissions.CASE_ROLES,
    message="Only a partnership’s business unit sees its closure days and reminders.",
)
def working_days(request, partnership_pk):
    """A partnership's closure days and reminder schedule, read only: the service's
    administrators change them (DOMAIN.md), so the page says how to ask them."""
    partnership = permissions.get_or_404(
        permissions.partnerships_visible_to(request.user, permissions.CASE_ROLES),
        pk=partnership_pk,
    )
    upcoming, past = calendar.closure_days_listed(partnership.pk, timezone.localdate())
    return render(
        request,
        "safeguarding/working_days.html",
        {
            "partnership": partnership,
            "upcoming": upcoming,
            "past": past,
            "schedule": reminder_schedules([partnership.pk])[partnership.pk],
        },
    )


@require_GET
@never_cache
def calendar_feed(request, token):
    """The private iCalendar feed: no session, the secret address is the key (404 if bad)."""
    user = feeds.calendar_feed_user(token)
    if user is None:
        raise Http404("No such feed")
    response = HttpResponse(
        feeds.calendar_feed_render(user=user, request=request),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


def _require_superuser(request):
    if not (request.user.is_active and request.user.is_superuser):
        raise PermissionDenied("Only administrators can see the outbox.")


@login_required
def outbox_list(request):
    """The embedded default's e-mail outbox, newest first (administrators only)."""
    _require_superuser(request)
    page = Paginator(outbox.outbox_messages(), 50).get_page(request.GET.get("page"))
    return render(request, "safeguarding/outbox_list.html", {"page": page, "query": ""})


@login_required
def outbox_detail(request, file, index):
    _require_superuser(request)
    message = outbox.outbox_message(file, index)
    if message is None:
        raise Http404("No such message")
    return render(request, "safeguarding/outbox_detail.html", {"message": message})
