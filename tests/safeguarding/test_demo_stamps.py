"""The demo's cases "happened" over weeks and years: the History of each (its status moves
and its audit events) says the day each step happened, in working hours, not the moment
the demo was loaded (`safeguarding.stamps`, `safeguarding.demo.DemoClock`)."""

import datetime as dt

import pytest
from django.utils import timezone

from lcspr.demo import seed_local_reviews
from lcspr.models import Review
from lcspr.models import StatusChange as ReviewMove
from notifications.demo import seed_incidents
from notifications.models import Incident
from notifications.models import StatusChange as IncidentMove
from notifications.selectors import incident_timeline
from rapid_reviews.demo import seed_rapid_reviews
from rapid_reviews.models import RapidReview
from rapid_reviews.models import StatusChange as RapidMove
from safeguarding.audit import audit_record
from safeguarding.demo import DemoClock, seed_people_and_places
from safeguarding.models import AuditEvent, DeadlineChange, Partnership
from safeguarding.stamps import history_now, stamped_at

pytestmark = pytest.mark.django_db


def day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def moves(rows, **filters) -> dict[str, dt.date]:
    """{status moved to: the day it says} (the first move to each status)."""
    found = {}
    for row in rows.filter(**filters).order_by("changed_at", "id"):
        found.setdefault(row.to_status, day(row.changed_at))
    return found


def test_a_seeded_cases_history_is_stamped_with_the_days_of_its_steps(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_people_and_places()
    clock = DemoClock()
    for partnership in Partnership.objects.filter(code__in=["BSCP", "ASCP"]):
        seed_incidents(partnership, clock=clock)
        seed_rapid_reviews(partnership, clock=clock)
    seed_local_reviews(clock=clock)
    today, now = timezone.localdate(), timezone.now()

    incidents = list(Incident.objects.all())
    assert len(incidents) > 10
    for incident in incidents:
        history = moves(incident.status_changes.all())
        if incident.notified_on:
            assert history[incident.status] == incident.notified_on, incident
        if incident.status == "not_notified":
            assert history["not_notified"] == incident.decided_on, incident
        events = list(incident_timeline(incident))
        created = [e for e in events if e.action == "create" and e.object_id == str(incident.pk)]
        assert day(created[0].occurred_at) == incident.awareness_date, incident
        assert all(incident.awareness_date <= day(e.occurred_at) <= today for e in events)

    reviews = list(RapidReview.objects.exclude(meeting_date=None))
    assert reviews
    for review in reviews:
        history = moves(review.status_changes.all(), information_request=None)
        expected = {
            "meeting_held": review.meeting_date,
            "decided": review.decided_on,
            "sent_to_panel": review.sent_to_panel_on,
            "panel_responded": review.panel_response_on,
        }
        assert history == {k: v for k, v in expected.items() if v}, review
    for review in RapidReview.objects.all():
        for request in review.requests.all():
            history = moves(request.status_changes.all())
            assert history["sent"] == request.sent_on, request
            if request.returned_on:
                returned = request.status_changes.filter(to_status="returned").last()
                assert day(returned.changed_at) == request.returned_on, request

    local = list(Review.objects.all())
    assert {r.status for r in local} >= {"in_progress", "on_hold", "published"}
    for review in local:
        history = moves(review.status_changes.all())
        assert history["in_progress"] == review.terms_agreed_on, review
        expected = {
            "on_hold": review.held_since,
            "final_approved": review.final_approved_on,
            "notice_sent": review.notice_sent_on,
            "published": review.published_on,
        }
        for status, on in expected.items():
            if on:
                assert history[status] == on, (review, status)

    # Every row of the cases' histories: in working hours on a day gone by, or earlier
    # today; none in the future. Most are not today at all.
    stamps = [
        *IncidentMove.objects.values_list("changed_at", flat=True),
        *RapidMove.objects.values_list("changed_at", flat=True),
        *ReviewMove.objects.values_list("changed_at", flat=True),
        *DeadlineChange.objects.values_list("changed_at", flat=True),
        *AuditEvent.objects.exclude(partnership=None).values_list("occurred_at", flat=True),
    ]
    assert all(moment <= now for moment in stamps)
    for moment in stamps:
        local_time = timezone.localtime(moment)
        assert local_time.date() == today or dt.time(9) <= local_time.time() <= dt.time(17, 30)
    assert sum(day(moment) < today for moment in stamps) > 0.9 * len(stamps)


def test_the_demo_clock_hands_out_working_hours_in_order_never_in_the_future():
    clock = DemoClock()
    monday = dt.date(2026, 11, 2)
    first, second = clock.at(monday), clock.at(monday)
    assert timezone.localtime(first).time() == dt.time(9, 30)
    assert second - first == dt.timedelta(minutes=12)
    assert timezone.localtime(clock.at(dt.date(2026, 11, 3))).time() == dt.time(9, 30)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert clock.at(tomorrow) <= timezone.now()


def test_history_rows_are_stamped_now_outside_the_demo(people):
    before = timezone.now()
    assert before <= history_now() <= timezone.now()
    then = timezone.make_aware(dt.datetime(2025, 3, 4, 10, 15))
    with stamped_at(then):
        assert history_now() == then
        event = audit_record(actor=people["manager"], action=AuditEvent.Action.EXPORT)
    assert event.occurred_at == then
    assert AuditEvent.objects.get(pk=event.pk).occurred_at == then
    after = audit_record(actor=people["manager"], action=AuditEvent.Action.EXPORT)
    assert after.occurred_at >= before
