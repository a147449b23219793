"""Incident services: the clock, validation, and every status move (allowed and rejected)."""

import datetime as dt
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from notifications import services
from notifications.models import TRANSITIONS, Incident, Nature, Status, StatusChange
from rapid_reviews.models import RapidReview
from safeguarding.models import AuditEvent, ClosureDay, Deadline, StatusChangeImmutableError

from .conftest import child_values

pytestmark = pytest.mark.django_db


def test_create_starts_the_clock_and_numbers_per_partnership_and_year(people, partnership):
    officer = people["officer"]
    first = services.incident_create(
        partnership=partnership, actor=officer, awareness_date=dt.date(2026, 6, 13)
    )
    second = services.incident_create(
        partnership=partnership, actor=officer, awareness_date=dt.date(2026, 6, 15)
    )
    older = services.incident_create(
        partnership=partnership, actor=officer, awareness_date=dt.date(2025, 12, 31)
    )
    assert [first.reference, second.reference, older.reference] == [
        "BSCP-2026-001",
        "BSCP-2026-002",
        "BSCP-2025-001",
    ]
    assert first.notification_due == dt.date(2026, 6, 19)  # Sat 13 June + 5 working days
    assert older.notification_due == dt.date(2026, 1, 8)  # skips 1 Jan and the weekend
    deadline = Deadline.objects.get(subject_id=first.pk, kind=Deadline.Kind.NOTIFICATION)
    assert deadline.due_date == first.notification_due and deadline.owner == officer
    assert first.status == Status.DRAFT


def test_closure_days_move_the_due_date(people, partnership):
    ClosureDay.objects.create(
        partnership=partnership, date=dt.date(2025, 12, 24), reason="Office closed"
    )
    incident = services.incident_create(
        partnership=partnership, actor=people["officer"], awareness_date=dt.date(2025, 12, 22)
    )
    # 23, (24 closed), (25, 26 bank holidays, weekend), 29, 30, 31, (1 Jan), 2 Jan
    assert incident.notification_due == dt.date(2026, 1, 2)


@pytest.mark.parametrize(
    "incident_date, awareness_date, field, message",
    [
        (None, dt.date(2099, 1, 1), "awareness_date", "must be today or in the past"),
        (dt.date(2099, 1, 1), dt.date(2026, 1, 5), "incident_date", "must be today or in the past"),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 1), "awareness_date", "the same as or after"),
    ],
)
def test_create_validates_dates(people, partnership, incident_date, awareness_date, field, message):
    with pytest.raises(ValidationError) as error:
        services.incident_create(
            partnership=partnership,
            actor=people["officer"],
            awareness_date=awareness_date,
            incident_date=incident_date,
        )
    assert message in " ".join(error.value.message_dict[field])
    assert not Deadline.objects.exists()


@pytest.mark.parametrize("who", ["agency", "reviewer", "regional", "other_officer"])
def test_only_the_partnerships_business_unit_can_log(people, partnership, who):
    with pytest.raises(PermissionDenied):
        services.incident_create(
            partnership=partnership, actor=people[who], awareness_date=dt.date(2026, 6, 1)
        )


def test_changing_the_awareness_date_needs_a_reason_and_recomputes(make_incident, people):
    incident = make_incident(aware=dt.date(2026, 6, 13), complete=False)
    with pytest.raises(ValidationError) as error:
        services.incident_change_awareness_date(
            incident=incident,
            actor=people["officer"],
            awareness_date=dt.date(2026, 6, 15),
            reason="",
        )
    assert "reason" in error.value.message_dict
    incident = services.incident_change_awareness_date(
        incident=incident,
        actor=people["officer"],
        awareness_date=dt.date(2026, 6, 15),
        reason="The police told us on Monday, not Saturday",
    )
    assert incident.notification_due == dt.date(2026, 6, 22)
    deadline = Deadline.objects.get(subject_id=incident.pk, kind=Deadline.Kind.NOTIFICATION)
    assert deadline.due_date == dt.date(2026, 6, 22)
    assert deadline.changes.get().reason == "The police told us on Monday, not Saturday"
    event = AuditEvent.objects.filter(
        object_type="notifications.incident", object_id=str(incident.pk)
    ).latest("id")
    assert event.changes["awareness_date"] == {"old": "2026-06-13", "new": "2026-06-15"}


def test_optimistic_locking(make_incident, people):
    incident = make_incident(complete=False)
    stale = incident.version
    services.incident_update(
        incident=incident,
        actor=people["manager"],
        changes={"incident_place": "Somewhere"},
        expected_version=stale,
    )
    with pytest.raises(services.ConcurrentEditError):
        services.incident_update(
            incident=incident,
            actor=people["officer"],
            changes={"incident_place": "Elsewhere"},
            expected_version=stale,
        )
    incident.refresh_from_db()
    assert incident.incident_place == "Somewhere"


def test_children_get_pseudonyms_in_order(make_incident, people):
    incident = make_incident(complete=False)
    names = [
        services.child_save(
            incident=incident, actor=people["officer"], values=child_values()
        ).pseudonym
        for _ in range(3)
    ]
    assert names == ["Child A", "Child B", "Child C"]
    audit = AuditEvent.objects.filter(object_type="notifications.child")
    assert audit.count() == 3
    assert all("Amelia" not in str(e.changes) and "Amelia" not in e.object_repr for e in audit)


def test_submitting_an_incomplete_draft_lists_what_is_missing(make_incident, people):
    incident = make_incident(complete=False)
    with pytest.raises(ValidationError) as error:
        services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    assert error.value.messages == [
        "Select the nature of the incident",
        "Enter a summary of the circumstances",
        "Add at least one child",
        "Enter the name of the person notifying",
    ]


def test_an_incidents_status_changes_cannot_be_rewritten_or_deleted(make_incident, people):
    """As for the other stages (StatusChangeBase): the incident's history is only added to."""
    incident = make_incident()
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    change = StatusChange.objects.get(incident=incident)
    change.note = "rewritten"
    with pytest.raises(StatusChangeImmutableError):
        change.save()
    with pytest.raises(StatusChangeImmutableError):
        change.delete()
    assert StatusChange.objects.get(incident=incident).note == ""


def sent_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))


def test_notify_on_time_stops_the_clock_and_opens_the_rapid_review(
    make_incident, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    incident = make_incident(aware=dt.date(2026, 11, 2))  # due 9 November
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    incident = services.incident_record_notification(
        incident=incident,
        actor=people["officer"],
        notified_at=sent_at(dt.date(2026, 11, 6)),
        dfe_reference="SIN-12345",
    )
    assert incident.status == Status.NOTIFIED and not incident.notified_late
    clock = Deadline.objects.get(subject_id=incident.pk, kind=Deadline.Kind.NOTIFICATION)
    assert clock.closed_on == dt.date(2026, 11, 6) and clock.met_in_time()
    review = RapidReview.objects.get(incident=incident)
    assert review.due_date == dt.date(2026, 11, 27)  # 15 working days after Fri 6 Nov
    assert Deadline.objects.get(kind=Deadline.Kind.RAPID_REVIEW).due_date == review.due_date
    assert incident.notification_pdf.read(4) == b"%PDF"


def test_a_late_notification_needs_a_reason(make_incident, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    incident = make_incident(aware=dt.date(2026, 11, 2))
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    with pytest.raises(ValidationError) as error:
        services.incident_record_notification(
            incident=incident,
            actor=people["officer"],
            notified_at=sent_at(dt.date(2026, 11, 10)),
            dfe_reference="SIN-1",
        )
    assert "late_reason" in error.value.message_dict
    incident.refresh_from_db()
    assert incident.status == Status.AWAITING_DECISION  # nothing half-saved
    incident = services.incident_record_notification(
        incident=incident,
        actor=people["officer"],
        notified_at=sent_at(dt.date(2026, 11, 10)),
        dfe_reference="SIN-1",
        late_reason="Awaiting police confirmation",
    )
    assert incident.notified_late and incident.late_reason == "Awaiting police confirmation"


def test_what_the_national_form_needs_is_checked_again_when_the_notification_is_recorded(
    make_incident, people
):
    """The incident can still change while it awaits the decision: emptied of its child
    and circumstances, it cannot then be recorded as notified."""
    officer = people["officer"]
    incident = make_incident(aware=timezone.localdate())
    services.incident_submit_for_decision(incident=incident, actor=officer)
    incident.refresh_from_db()
    services.incident_update(incident=incident, actor=officer, changes={"circumstances": ""})
    for child in list(incident.children.all()):
        services.child_remove(child=child, actor=officer)
    incident.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.incident_record_notification(
            incident=incident, actor=officer, notified_at=timezone.now(), dfe_reference="SIN-2"
        )
    assert error.value.message_dict["__all__"] == [
        "Enter a summary of the circumstances",
        "Add at least one child",
    ]
    incident.refresh_from_db()
    assert incident.status == Status.AWAITING_DECISION and not RapidReview.objects.exists()


def test_notification_date_is_validated(make_incident, people):
    incident = make_incident(aware=dt.date(2026, 11, 2))
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    for day in (dt.date(2026, 11, 1), timezone.localdate() + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            services.incident_record_notification(
                incident=incident,
                actor=people["officer"],
                notified_at=sent_at(day),
                dfe_reference="X",
            )
        assert "notified_on" in error.value.message_dict


def test_looked_after_death_is_recorded_without_a_rapid_review(
    make_incident, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    incident = make_incident(nature=Nature.LOOKED_AFTER_DEATH, aware=dt.date(2026, 11, 2))
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    incident = services.incident_record_notification(
        incident=incident,
        actor=people["officer"],
        notified_at=sent_at(dt.date(2026, 11, 4)),
        dfe_reference="SIN-9",
    )
    assert incident.status == Status.RECORDED
    assert not RapidReview.objects.exists()


def test_decision_not_to_notify_is_for_managers_with_rationale(make_incident, people):
    incident = make_incident(aware=dt.date(2026, 11, 2))
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    args = dict(
        incident=incident,
        rationale="Accidental injury; no abuse or neglect suspected",
        agreed_by="LA: H Okafor; Police: P Nair; ICB: G Lewis",
        decided_on=dt.date(2026, 11, 4),
    )
    with pytest.raises(PermissionDenied):
        services.incident_decide_not_to_notify(actor=people["officer"], **args)
    with pytest.raises(ValidationError) as error:
        services.incident_decide_not_to_notify(actor=people["manager"], **{**args, "agreed_by": ""})
    assert "agreed_by" in error.value.message_dict
    incident = services.incident_decide_not_to_notify(actor=people["manager"], **args)
    assert incident.status == Status.NOT_NOTIFIED
    clock = Deadline.objects.get(subject_id=incident.pk, kind=Deadline.Kind.NOTIFICATION)
    assert clock.outcome == Deadline.Outcome.CANCELLED
    incident = services.incident_reconsider(
        incident=incident, actor=people["manager"], note="New information from the police"
    )
    assert incident.status == Status.AWAITING_DECISION
    clock.refresh_from_db()
    assert clock.is_open


def test_a_decision_not_to_notify_is_reopened_only_by_a_manager_with_a_reason(
    make_incident, people, client
):
    """Sending it "for a decision" again from the check page would skip the manager, the
    reason and the clock: it is refused, and the clock stays as it was."""
    from tests.utils import sign_in

    incident = _put_in(Status.NOT_NOTIFIED, make_incident, people)
    with pytest.raises(services.TransitionError):
        services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    sign_in(client, people["officer"])
    response = client.post(f"/incidents/{incident.pk}/check/")
    assert response.status_code == 200
    assert "Only a draft can go for a decision" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.NOT_NOTIFIED
    clock = Deadline.objects.get(subject_id=incident.pk, kind=Deadline.Kind.NOTIFICATION)
    assert clock.outcome == Deadline.Outcome.CANCELLED


def test_reconsidering_counts_the_clock_on_the_calendar_of_today(make_incident, people):
    """A closure day added while the decision not to notify stood moves the due date
    when the clock runs again (the calendar recompute passes stopped clocks by)."""
    from safeguarding.deadlines import deadlines_recompute
    from safeguarding.models import ClosureDay

    incident = make_incident(aware=dt.date(2026, 12, 4))  # a Friday: due Fri 11 Dec
    assert incident.notification_due == dt.date(2026, 12, 11)
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    incident = services.incident_decide_not_to_notify(
        incident=incident,
        actor=people["manager"],
        rationale="r",
        agreed_by="all three",
        decided_on=dt.date(2026, 12, 4),
    )
    ClosureDay.objects.create(
        partnership=incident.partnership, date=dt.date(2026, 12, 8), reason="Staff training"
    )
    deadlines_recompute(partnership=incident.partnership)
    incident = services.incident_reconsider(
        incident=incident, actor=people["manager"], note="New information from the school"
    )
    assert incident.notification_due == dt.date(2026, 12, 14)
    incident.refresh_from_db()
    clock = Deadline.objects.get(subject_id=incident.pk, kind=Deadline.Kind.NOTIFICATION)
    assert incident.notification_due == clock.due_date == dt.date(2026, 12, 14)


# Every edge of the transitions map, allowed and rejected, through the services.


def _put_in(status, make_incident, people):
    officer, manager = people["officer"], people["manager"]
    incident = make_incident(aware=timezone.localdate() - dt.timedelta(days=1))
    if status == Status.DRAFT:
        return incident
    if status == Status.ENTERED_IN_ERROR:
        return services.incident_enter_in_error(incident=incident, actor=officer, reason="dup")
    services.incident_submit_for_decision(incident=incident, actor=officer)
    incident.refresh_from_db()
    if status == Status.AWAITING_DECISION:
        return incident
    if status in (Status.NOTIFIED, Status.RECORDED):
        if status == Status.RECORDED:
            services.incident_update(
                incident=incident, actor=officer, changes={"nature": Nature.CARE_LEAVER_DEATH}
            )
        return services.incident_record_notification(
            incident=incident, actor=officer, notified_at=timezone.now(), dfe_reference="R"
        )
    return services.incident_decide_not_to_notify(
        incident=incident,
        actor=manager,
        rationale="r",
        agreed_by="all three",
        decided_on=timezone.localdate(),
    )


def _attempt(to, incident, people):
    officer, manager = people["officer"], people["manager"]
    if to == Status.ENTERED_IN_ERROR:
        return services.incident_enter_in_error(incident=incident, actor=officer, reason="dup")
    if to == Status.DRAFT:
        return services.incident_return_to_draft(incident=incident, actor=officer)
    if to == Status.AWAITING_DECISION:
        if incident.status == Status.NOT_NOTIFIED:
            return services.incident_reconsider(incident=incident, actor=manager, note="n")
        return services.incident_submit_for_decision(incident=incident, actor=officer)
    if to == Status.NOT_NOTIFIED:
        return services.incident_decide_not_to_notify(
            incident=incident,
            actor=manager,
            rationale="r",
            agreed_by="all three",
            decided_on=timezone.localdate(),
        )
    if to == Status.RECORDED and incident.status == Status.AWAITING_DECISION:
        services.incident_update(
            incident=incident, actor=officer, changes={"nature": Nature.CARE_LEAVER_DEATH}
        )
    return services.incident_record_notification(
        incident=incident, actor=officer, notified_at=timezone.now(), dfe_reference="R"
    )


@pytest.mark.parametrize("source, target", list(product(Status.values, Status.values)))
def test_every_edge(source, target, make_incident, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    incident = _put_in(source, make_incident, people)
    assert incident.status == source
    before = StatusChange.objects.filter(incident=incident).count()
    if target in TRANSITIONS[source]:
        moved = _attempt(target, incident, people)
        assert moved.status == target
        assert StatusChange.objects.filter(incident=incident).count() == before + 1
    else:
        with pytest.raises((services.TransitionError, ValidationError)):
            _attempt(target, incident, people)
        incident.refresh_from_db()
        assert incident.status == source
        assert StatusChange.objects.filter(incident=incident).count() == before


def test_correcting_when_the_notification_was_sent_rebases_the_rapid_review(
    make_incident, people, settings, tmp_path
):
    """The date was typed a working day late: the notification clock is met on the right
    day, the rapid review's 15 working days and its open milestones count from it, and
    the reason is kept."""
    from rapid_reviews.models import RapidReview
    from safeguarding.calendar import add_working_days
    from safeguarding.deadlines import get_deadline
    from safeguarding.models import Deadline

    settings.MEDIA_ROOT = tmp_path
    officer = people["officer"]
    incident = make_incident()
    incident = services.incident_submit_for_decision(incident=incident, actor=officer)
    today = timezone.localdate()
    wrong = today if today.weekday() < 5 else today - dt.timedelta(days=today.weekday() - 4)
    right = add_working_days(wrong, -1, partnership=incident.partnership)
    incident = services.incident_record_notification(
        incident=incident,
        actor=officer,
        notified_at=sent_at(wrong),
        dfe_reference="SIN-1",
        late_reason="Late.",
    )
    review = RapidReview.objects.get(incident=incident)
    with pytest.raises(ValidationError) as error:
        services.incident_correct_notification(
            incident=incident, actor=officer, notified_at=sent_at(right), reason=" "
        )
    assert "reason" in error.value.message_dict
    incident = services.incident_correct_notification(
        incident=incident,
        actor=officer,
        notified_at=sent_at(right),
        reason="Typed from the wrong email",
        expected_version=incident.version,
    )
    assert incident.notified_on == right
    assert get_deadline(incident, Deadline.Kind.NOTIFICATION).closed_on == right
    review.refresh_from_db()
    clock = get_deadline(review, Deadline.Kind.RAPID_REVIEW)
    expected = add_working_days(right, 15, partnership=incident.partnership)
    assert clock.due_date == expected == review.due_date
    assert clock.changes.get().reason.endswith("Typed from the wrong email")
    milestones = Deadline.objects.for_subject(review).filter(
        kind=Deadline.Kind.RAPID_REVIEW_MILESTONE, closed_on__isnull=True
    )
    assert milestones.exists() and all(m.trigger_date == right for m in milestones)


def _notified_with_a_meeting(make_incident, officer, sent_on, meeting_on):
    """An incident aware two weeks ago, notified on `sent_on`, whose rapid review met on
    `meeting_on` (whatever day of the week the test runs on)."""
    from rapid_reviews import services as rr_services

    incident = make_incident(aware=timezone.localdate() - dt.timedelta(days=14))
    incident = services.incident_submit_for_decision(incident=incident, actor=officer)
    incident = services.incident_record_notification(
        incident=incident,
        actor=officer,
        notified_at=sent_at(sent_on),
        dfe_reference="SIN-1",
        late_reason="Late.",
    )
    review = RapidReview.objects.get(incident=incident)
    rr_services.rapid_review_record_meeting(
        rapid_review=review,
        actor=officer,
        values={"meeting_date": meeting_on, "attendees": "Panel members"},
    )
    incident.refresh_from_db()
    return incident, review


def test_a_corrected_notification_date_recounts_the_steps_already_done_too(
    make_incident, people, partnership, settings, tmp_path
):
    """The notification went two working days earlier than recorded: a step of the local
    timetable already done (the panel meeting) is judged against the day it was really
    due, counted from the corrected date, not the day counted from the typing error."""
    from rapid_reviews.models import Milestone
    from safeguarding.calendar import add_working_days
    from safeguarding.deadlines import get_deadline

    settings.MEDIA_ROOT = tmp_path
    officer = people["officer"]
    today = timezone.localdate()
    wrong = add_working_days(today, -1, partnership=partnership)
    right = add_working_days(wrong, -2, partnership=partnership)
    incident, review = _notified_with_a_meeting(make_incident, officer, wrong, today)
    services.incident_correct_notification(
        incident=incident,
        actor=officer,
        notified_at=sent_at(right),
        reason="Typed from the wrong email",
    )
    meeting = get_deadline(review, Deadline.Kind.RAPID_REVIEW_MILESTONE, Milestone.MEETING)
    assert meeting.closed_on == today and meeting.outcome == Deadline.Outcome.MET
    assert meeting.trigger_date == right
    assert meeting.due_date == add_working_days(right, meeting.amount, partnership=partnership)
    assert meeting.changes.get().reason.endswith("Typed from the wrong email")


def test_a_correction_cannot_put_the_notification_after_the_rapid_reviews_steps(
    make_incident, people, partnership, settings, tmp_path
):
    from safeguarding.calendar import add_working_days

    settings.MEDIA_ROOT = tmp_path
    officer = people["officer"]
    today = timezone.localdate()
    first = add_working_days(today, -2, partnership=partnership)
    incident, _ = _notified_with_a_meeting(make_incident, officer, first, first)
    with pytest.raises(ValidationError) as error:
        services.incident_correct_notification(
            incident=incident, actor=officer, notified_at=sent_at(today), reason="Typo"
        )
    message = error.value.message_dict["notified_on"][0]
    assert message.startswith("The rapid review recorded ")
    assert f"on {first:%-d %B %Y}: the notification was sent on or before that day" in message


def test_a_corrected_notification_keeps_the_pdf_of_what_was_sent(
    make_incident, people, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The PDF made when the notification was recorded is the copy of what was sent: a
    correction leaves it (and its file) as it was (ADR 0008, addendum of 2026-12-07)."""
    settings.MEDIA_ROOT = tmp_path
    officer = people["officer"]
    incident = services.incident_submit_for_decision(incident=make_incident(), actor=officer)
    sent = timezone.now() - dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_record_notification(
            incident=incident, actor=officer, notified_at=sent, dfe_reference="SIN-1"
        )
    first = incident.notification_pdf.name
    content = (tmp_path / first).read_bytes()
    assert incident.notification_pdf_as_sent
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_correct_notification(
            incident=incident,
            actor=officer,
            notified_at=sent - dt.timedelta(hours=1),
            reason="Typed wrongly",
        )
    incident.refresh_from_db()
    assert incident.notification_pdf.name == first
    assert (tmp_path / first).read_bytes() == content
    assert incident.notification_pdf_as_sent


def test_partners_in_the_childs_home_area_must_have_been_told(make_incident, people):
    """DOMAIN: partners in other areas (a child placed out of area) are told within the
    same 5 working days; recording the notification asks who was told, and when."""
    incident = make_incident()
    services.incident_update(
        incident=incident,
        actor=people["officer"],
        changes={"other_local_authority": "Ashdown Borough Council"},
    )
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    record = dict(
        incident=incident, actor=people["officer"], notified_at=timezone.now(), dfe_reference="R"
    )
    with pytest.raises(ValidationError) as error:
        services.incident_record_notification(**record)
    assert error.value.message_dict["other_partnerships_told"] == [
        "Enter who in Ashdown Borough Council was told, and when"
    ]
    incident = services.incident_record_notification(
        **record, other_partnerships_told="Ashdown SCP business manager, by email, 3 Dec"
    )
    assert incident.status == Status.NOTIFIED


def test_the_incident_cannot_move_before_a_childs_birth(make_incident, people):
    """A child born 1 May 2019 (child_values): the incident's date cannot then move to
    2018; a birth after the incident found another way stops the decision."""
    officer = people["officer"]
    incident = make_incident()
    with pytest.raises(ValidationError) as error:
        services.incident_update(
            incident=incident, actor=officer, changes={"incident_date": dt.date(2018, 6, 1)}
        )
    assert error.value.message_dict["incident_date"] == [
        "The date of the incident must be the same as or after Child A’s date of birth (1 May 2019)"
    ]
    incident.refresh_from_db()
    assert incident.incident_date != dt.date(2018, 6, 1)
    # As if the dates had been saved the other way round before this check existed.
    type(incident).objects.filter(pk=incident.pk).update(incident_date=dt.date(2018, 6, 1))
    incident.refresh_from_db()
    assert services.missing_for_decision(incident) == [
        "Child A’s date of birth (1 May 2019) is after the date of the incident "
        "(1 June 2018): correct one of them"
    ]


def test_the_awareness_date_is_corrected_after_the_notification_with_its_clock(
    make_incident, people
):
    """Recorded wrongly and found after the notification went: corrected with a reason,
    the 5 working days are counted again and the notification may turn out late."""
    officer = people["officer"]
    incident = make_incident(aware=dt.date(2026, 11, 16))  # a Monday: due Monday 23
    incident = services.incident_update(
        incident=incident, actor=officer, changes={"incident_date": dt.date(2026, 11, 1)}
    )
    services.incident_submit_for_decision(incident=incident, actor=officer)
    incident = services.incident_record_notification(
        incident=incident,
        actor=officer,
        notified_at=sent_at(dt.date(2026, 11, 20)),
        dfe_reference="SIN-7",
    )
    assert not incident.notified_late
    with pytest.raises(ValidationError) as error:
        services.incident_correct_awareness_date(
            incident=incident, actor=officer, awareness_date=dt.date(2026, 11, 9), reason=""
        )
    assert set(error.value.message_dict) == {"reason", "late_reason"}
    with pytest.raises(ValidationError) as error:
        services.incident_correct_awareness_date(
            incident=incident, actor=officer, awareness_date=dt.date(2026, 11, 21), reason="x"
        )
    assert (
        "before the date the notification was sent" in error.value.message_dict["awareness_date"][0]
    )
    incident = services.incident_correct_awareness_date(
        incident=incident,
        actor=officer,
        awareness_date=dt.date(2026, 11, 9),
        reason="The referral was on the 9th",
        late_reason="The police confirmed the harm late.",
    )
    assert incident.notification_due == dt.date(2026, 11, 16)
    assert incident.notified_late and incident.late_reason == "The police confirmed the harm late."
    clock = Deadline.objects.get(subject_id=incident.pk, kind=Deadline.Kind.NOTIFICATION)
    assert (clock.trigger_date, clock.due_date) == (dt.date(2026, 11, 9), dt.date(2026, 11, 16))
    assert clock.closed_on == dt.date(2026, 11, 20)
    event = AuditEvent.objects.get(
        object_id=str(incident.pk), changes__reason="The referral was on the 9th"
    )
    assert event.changes["late_reason"] == {
        "old": "",
        "new": "The police confirmed the harm late.",
    }
    # Back to a date that makes it on time: the late reason goes.
    incident = services.incident_correct_awareness_date(
        incident=incident, actor=officer, awareness_date=dt.date(2026, 11, 16), reason="Undo"
    )
    assert not incident.notified_late and incident.late_reason == ""


def test_a_corrected_awareness_date_cannot_come_before_a_childs_birth(make_incident, people):
    """With no incident date, ages count from the awareness date."""
    officer = people["officer"]
    incident = make_incident()
    incident = services.incident_update(
        incident=incident, actor=officer, changes={"incident_date": None}
    )
    services.incident_submit_for_decision(incident=incident, actor=officer)
    incident = services.incident_record_notification(
        incident=incident, actor=officer, notified_at=timezone.now(), dfe_reference="SIN-8"
    )
    with pytest.raises(ValidationError) as error:
        services.incident_correct_awareness_date(
            incident=incident,
            actor=officer,
            awareness_date=dt.date(2019, 4, 1),
            reason="Typed wrongly",
            late_reason="Late.",
        )
    assert error.value.message_dict["awareness_date"] == [
        "The date the local authority became aware must be the same as or after Child A’s "
        "date of birth (1 May 2019)"
    ]


def test_every_incident_date_error_gives_the_date_it_is_compared_with(make_incident, people):
    """A demo walk found "…must be the same as or after the date of the incident" with no
    date, where the other messages say which day, like "(7 December 2026)"."""
    from notifications.services.common import (
        corrected_awareness_errors,
        decision_date_errors,
        validate_incident_dates,
    )

    today = timezone.localdate()
    incident = make_incident()
    incident_day = today - dt.timedelta(days=5)
    errors = validate_incident_dates(
        incident_date=incident_day, awareness_date=incident_day - dt.timedelta(days=1), today=today
    )
    assert errors["awareness_date"] == (
        "The date the local authority became aware must be the same as or after the date "
        f"of the incident ({incident_day:%-d %B %Y})"
    )
    Incident.objects.filter(pk=incident.pk).update(incident_date=incident_day)
    incident.refresh_from_db()
    errors = corrected_awareness_errors(
        incident=incident, awareness_date=incident_day - dt.timedelta(days=1), today=today
    )
    assert errors["awareness_date"].endswith(f"the date of the incident ({incident_day:%-d %B %Y})")
    errors = decision_date_errors(
        incident=incident,
        decided_on=incident.awareness_date - dt.timedelta(days=1),
        today=today,
    )
    assert errors["decided_on"] == (
        "The date of the decision must be the same as or after the date the local authority "
        f"became aware ({incident.awareness_date:%-d %B %Y})"
    )
