"""The demo tells one story: what its pages show about a case (when it was made, its
progress notes, its reminders, its texts) agrees with the dates the story gives it. The
demo is loaded once for the module (tests/shared_records.py)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications.models import Incident
from safeguarding import calendar
from safeguarding.demo import set_up_at
from safeguarding.form_fields import DUTY_TO_NOTIFY_BEGAN
from safeguarding.models import Partnership, User
from tests.shared_records import fresh, made_once, own_files
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    def build():
        loaded_from = timezone.now()
        call_command("seed_demo", force=True, stdout=io.StringIO())
        return {"loaded_from": loaded_from}

    yield from made_once(django_db_blocker, tmp_path_factory, build)


@pytest.fixture(autouse=True)
def _own_files(request, shared, settings, tmp_path):
    own_files(request, shared, settings, tmp_path)


def _user(email):
    return fresh(User.objects.get(email=email))


def test_newest_first_follows_the_days_the_local_authority_became_aware(client):
    """Every case was made on the day the local authority became aware of it (in office
    hours on a working day), not when the demo was loaded: "Newest first" lists BSCP-2026-
    009 (aware in June) after the cases of November, and a 2025 case after it. (The two
    cases imported from BSCP's older system were made on the day of the import.)"""
    sign_in(client, _user("manager@bscp.example"))
    response = client.get(reverse("notifications:list"), {"sort": "-created"})
    shown = [row["reference"] for row in response.context["rows"]]
    aware = dict(Incident.objects.values_list("reference", "awareness_date"))
    days = [aware[reference] for reference in shown]
    assert len(days) > 10 and days == sorted(days, reverse=True), shown
    for incident in Incident.objects.all():
        made = timezone.localtime(incident.created_at)
        changed = timezone.localtime(incident.updated_at)
        # A case of the partnership's older system was made on the day of its import.
        imported = incident.awareness_date < DUTY_TO_NOTIFY_BEGAN
        made_on = set_up_at().date() if imported else incident.awareness_date
        assert made.date() == made_on, incident.reference
        assert made <= changed <= timezone.now(), incident.reference
        for moment in (made, changed):
            partnership = Partnership.objects.get(pk=incident.partnership_id)
            assert calendar.is_working_day(moment.date(), partnership=partnership)
            if moment.date() < timezone.localdate():  # today's steps: no later than now
                assert dt.time(9) <= moment.time() <= dt.time(17, 30), (incident.reference, moment)


def test_the_times_pages_show_are_the_times_of_the_records_history():
    """The times pages show or sort by (made, opened, recorded, last changed, a briefing's
    "Made") are those of the record's first or last History row, the day its step was
    taken, not the time the demo was loaded."""
    from django.apps import apps
    from django.db.models import Max, Min

    from safeguarding.demo import STAMPED_FIELDS
    from safeguarding.models import AuditEvent

    for label, fields in STAMPED_FIELDS.items():
        model = apps.get_model(label)
        history = {
            row["object_id"]: row
            for row in AuditEvent.objects.filter(object_type=model._meta.label_lower)
            .values("object_id")
            .annotate(first=Min("occurred_at"), last=Max("occurred_at"))
        }
        records = list(model.objects.all())
        assert records and history, label
        for record in records:
            if str(record.pk) not in history:
                continue
            for name, which in fields.items():
                assert getattr(record, name) == history[str(record.pk)][which], (label, name)


def test_an_agency_return_counts_its_contacts_in_plain_english():
    """ "Midshire Police had 1 contacts with the family": one contact, said as a person
    would, and the number agrees with the return's chronology."""
    from rapid_reviews.models import AgencyReturn

    returns = list(AgencyReturn.objects.exclude(involvement_summary=""))
    assert returns
    for agency_return in returns:
        summary = agency_return.involvement_summary
        n = agency_return.chronology.count()
        said = "one contact with" if n == 1 else f"{n} contacts with"
        assert said in summary, summary
        assert "1 contacts" not in summary


def test_an_actions_progress_notes_are_written_before_it_is_completed_and_signed_off():
    """ "Completed and signed off on 20 July 2026" with its latest progress dated today:
    each note is dated the day its step was taken, never after the action was completed
    or signed off, nor before it was added."""
    from lcspr.models import Action

    actions = list(Action.objects.prefetch_related("notes"))
    assert any(a.signed_off_on for a in actions)
    for action in actions:
        notes = [note.written_on for note in action.notes.all()]
        assert notes, action
        added = timezone.localtime(action.created_at).date()
        for written in notes:
            assert added <= written, (action, written)
            for end in (action.completed_on, action.signed_off_on):
                assert end is None or written <= end, (action, written, end)


def test_no_demo_action_is_left_open_years_after_it_was_due():
    """A review decided in 2022 had "768 working days late" actions escalated to the
    manager: an action due more than a year ago is completed and signed off (each demo
    action plan still has open ones, due recently or still to come)."""
    from lcspr.models import Action, ActionStatus

    today = timezone.localdate()
    a_year_ago = today - dt.timedelta(days=365)
    open_actions = Action.objects.exclude(status=ActionStatus.SIGNED_OFF)
    assert open_actions.exists()
    stale = open_actions.filter(due_date__lt=a_year_ago)
    assert not stale.exists(), [(a.description, a.due_date, a.status) for a in stale]
    for action in Action.objects.filter(due_date__lt=a_year_ago):
        assert action.completed_on < action.due_date and action.signed_off_on, action


#: The apps whose records the demo makes, with the times they were made, changed, sent
#: or assigned (each a `DateTimeField`).
DEMO_APPS = ("safeguarding", "notifications", "rapid_reviews", "lcspr")


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def test_no_record_says_it_was_made_or_changed_when_the_demo_was_loaded(shared):
    """Every time a demo record holds (made, changed, submitted, assigned, a clock
    started...) is the time of a step of its story, not the moment the demo was loaded: a
    time on the day of loading is that of a step the story takes today (a History row),
    never later than now. A deadline "created" today for a case notified two years ago,
    or a reviewer "assigned" today to a review whose terms were agreed last year, is
    not."""
    from django.apps import apps
    from django.db import models

    from safeguarding.models import AuditEvent

    loaded_from = shared.records["loaded_from"]
    steps = set(AuditEvent.objects.values_list("occurred_at", flat=True))
    now = timezone.now()
    wrong, checked = [], 0
    for model in apps.get_models():
        if model._meta.app_label not in DEMO_APPS:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateTimeField):
                continue
            for moment in model.objects.exclude(**{field.name: None}).values_list(
                field.name, flat=True
            ):
                checked += 1
                if moment > now or (moment >= loaded_from and moment not in steps):
                    wrong.append(f"{model._meta.label}.{field.name}")
    assert checked > 1000
    assert not wrong, "times of loading: " + ", ".join(
        f"{name} ({wrong.count(name)})" for name in sorted(set(wrong))
    )


def test_each_records_times_agree_with_its_story():
    """Made before changed; a clock closed when it was last changed, not after; an
    agency's return submitted when its History says (and on time when the story says on
    time), its copy saying the same; a reviewer assigned, and an action's agency given,
    in a step of the review's History after it was opened; nobody acting in a partnership
    before they were given their role there."""
    from django.db.models import Min

    from lcspr.models import Action, PartnerCheck, ReviewerAssignment
    from rapid_reviews.models import AgencyReturn, RapidReview
    from safeguarding.models import AuditEvent, Deadline, Membership

    wrong = []

    def check(ok, *what):
        if not ok:
            wrong.append(what)

    for deadline in Deadline.objects.all():
        check(deadline.created_at <= deadline.updated_at, "deadline made after changed", deadline)
        if deadline.closed_on:
            made, changed = _local(deadline.created_at), _local(deadline.updated_at)
            check(made.date() <= deadline.closed_on, "deadline closed before made", deadline)
            check(deadline.closed_on <= changed.date(), "deadline closed after changed", deadline)
    for incident in Incident.objects.all():
        check(incident.created_at <= incident.updated_at, "incident", incident)
        if incident.notified_at:
            check(incident.notified_at <= incident.updated_at, "notified after change", incident)
    for review in RapidReview.objects.select_related("incident"):
        check(review.opened_at <= review.updated_at, "rapid review", review)
        notified = review.incident.notified_at
        check(notified is None or notified <= review.opened_at, "opened before notified", review)
    for agency_return in AgencyReturn.objects.select_related("information_request"):
        request = agency_return.information_request
        submitted = agency_return.submitted_at
        if submitted is None:
            continue
        history = request.status_changes.filter(to_status="returned").order_by("changed_at")
        check(submitted == history.last().changed_at, "return's History", request, submitted)
        check(submitted <= agency_return.updated_at, "return changed before submitted", request)
        copy = dt.datetime.fromisoformat(agency_return.submitted_copy["submitted_at"])
        check(copy == submitted, "return's copy", request, copy, submitted)
        if request.returned_on and request.returned_on <= request.due_date:
            check(_local(submitted).date() <= request.due_date, "late", request, submitted)
    review_steps = {}
    for row in AuditEvent.objects.filter(object_type="lcspr.review").values(
        "object_id", "occurred_at"
    ):
        review_steps.setdefault(int(row["object_id"]), set()).add(row["occurred_at"])
    for assignment in ReviewerAssignment.objects.select_related("review"):
        review = assignment.review
        check(review.opened_at <= assignment.assigned_at, "assigned before opened", review)
        check(assignment.assigned_at in review_steps[review.pk], "assigned", review)
    for action in Action.objects.select_related("recommendation__review"):
        review = action.recommendation.review
        check(action.assigned_at == action.created_at, "action's agency given", action)
        check(review.opened_at <= action.created_at, "action before review", action)
    for partner_check in PartnerCheck.objects.exclude(replied_at=None):
        check(partner_check.recorded_at <= partner_check.replied_at, "reply", partner_check)
        told = partner_check.unit_told_at
        check(told is None or partner_check.replied_at <= told, "told", partner_check)
    first_acts = AuditEvent.objects.values("actor_id", "partnership_id").annotate(
        first=Min("occurred_at")
    )
    first = {(r["actor_id"], r["partnership_id"]): r["first"] for r in first_acts}
    for membership in Membership.objects.exclude(partnership=None).select_related("user"):
        acted = first.get((membership.user_id, membership.partnership_id))
        check(acted is None or membership.since <= acted, "acted before role", membership)
        check(membership.user.date_joined <= membership.since, "role before joined", membership)
    kinds = [what[0] for what in wrong]
    assert not wrong, ", ".join(f"{k} ({kinds.count(k)})" for k in sorted(set(kinds))) + (
        "\n" + "\n".join(str(what) for what in wrong[:5])
    )


def test_the_retention_report_has_a_case_due_and_a_case_kept_for_bscps_manager(client, settings):
    """Two cases of BSCP's older system closed more than the real retention period (25
    years) ago: one due for a decision (Keep or Delete), one kept until a date to come,
    for a civil claim. The report lists each on its own list; ASCP's manager sees none."""
    from notifications.selectors import incidents_past_retention, retention_due, retention_kept

    assert settings.RETENTION_YEARS == 25
    today = timezone.localdate()
    manager = _user("manager@bscp.example")
    past = incidents_past_retention(manager, today=today, years=settings.RETENTION_YEARS)
    due, kept = list(retention_due(past, today=today)), list(retention_kept(past, today=today))
    assert len(due) == 1 and len(kept) == 1
    assert kept[0].hold_reason.startswith("Civil claim brought by the family")
    assert kept[0].hold_review_on > today
    sign_in(client, manager)
    page = client.get(reverse("notifications:retention")).content.decode()
    for case in due + kept:
        assert case.reference in page
    assert "Civil claim brought by the family" in page
    assert reverse("notifications:case-delete", args=[due[0].pk]) in page
    assert reverse("notifications:case-keep-stop", args=[kept[0].pk]) in page
    ascp = _user("manager@ascp.example")
    assert not incidents_past_retention(ascp, today=today, years=settings.RETENTION_YEARS)
