"""Rapid review services: every status edge, the clocks, the sign-off rule, the e-mail."""

import datetime as dt
import sys
import types

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rapid_reviews import services
from rapid_reviews.models import (
    TRANSITIONS,
    Decision,
    InformationRequest,
    RapidReview,
    RequestEmail,
    RequestStatus,
    Status,
    StatusChange,
    StatusChangeImmutableError,
    Timetable,
)
from safeguarding.calendar import add_working_days
from safeguarding.deadlines import Kind, get_deadline
from safeguarding.models import AuditEvent, Deadline

from .conftest import CHILD_NAME, decide_and_sign, return_and_submit, rows, values_for_return

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


# --- opening and the timetable --------------------------------------------------------------


def test_opening_starts_the_15_day_clock_and_the_local_timetable(review, partnership):
    notified = review.incident.notified_on
    assert review.due_date == add_working_days(notified, 15, partnership=partnership)
    clock = get_deadline(review, Kind.RAPID_REVIEW)
    assert clock.due_date == review.due_date and clock.url == review.get_absolute_url()
    milestones = {
        d.key: d.due_date
        for d in Deadline.objects.for_subject(review).filter(kind=Kind.RAPID_REVIEW_MILESTONE)
    }
    # Every step but the last: sending on day 15 is the statutory clock (test_panel_step).
    assert milestones == {
        key: add_working_days(notified, day, partnership=partnership)
        for key, day in Timetable.DEFAULTS_BY_KEY.items()
        if key != "panel"
    }


def test_a_partnership_sets_its_own_timetable(make_review, partnership):
    Timetable.objects.create(partnership=partnership, returns_day=5, meeting_day=8)
    review = make_review()
    returns = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "returns")
    assert returns.due_date == add_working_days(
        review.incident.notified_on, 5, partnership=partnership
    )


# --- every status edge of the review ----------------------------------------------------------


def advance(review, to, actor):
    """Walk a review through the real services to `to`."""
    today = TODAY()
    path = [
        Status.OPEN,
        Status.MEETING_HELD,
        Status.DECIDED,
        Status.SENT_TO_PANEL,
        Status.PANEL_RESPONDED,
    ]
    if path.index(to) >= path.index(Status.DECIDED):
        review = decide_and_sign(review, actor)
    elif to == Status.MEETING_HELD:
        review = services.rapid_review_record_meeting(
            rapid_review=review,
            actor=actor,
            values={
                "meeting_date": today,
                "attendees": "All partners",
                "learning_national": "Health visiting after a move.",
            },
        )
    if path.index(to) >= path.index(Status.SENT_TO_PANEL):
        review = services.rapid_review_send_to_panel(
            rapid_review=review, actor=actor, sent_on=today
        )
    if to == Status.PANEL_RESPONDED:
        review = services.rapid_review_record_panel_response(
            rapid_review=review,
            actor=actor,
            response="more_information",
            responded_on=today,
            note="Say more about the school's involvement.",
            more_information_by=today + dt.timedelta(days=10),
        )
    review.refresh_from_db()
    assert review.status == to
    return review


def call(service, review, actor):
    today = TODAY()
    if service == "record_meeting":
        return services.rapid_review_record_meeting(
            rapid_review=review, actor=actor, values={"meeting_date": today, "attendees": "All"}
        )
    if service == "decide":
        return services.rapid_review_decide(
            rapid_review=review,
            actor=actor,
            decision="no_local_review",
            criteria=[],
            rationale="Learning captured.",
            decided_on=today,
        )
    if service == "withdraw":
        return services.rapid_review_withdraw_decision(
            rapid_review=review, actor=actor, note="New information"
        )
    if service == "send_to_panel":
        return services.rapid_review_send_to_panel(rapid_review=review, actor=actor, sent_on=today)
    if service == "panel_response":
        return services.rapid_review_record_panel_response(
            rapid_review=review, actor=actor, response="agrees", responded_on=today
        )
    raise AssertionError(service)


#: service -> (the statuses it moves from, the status it moves to)
EDGES = {
    "record_meeting": ({Status.OPEN}, Status.MEETING_HELD),
    "decide": ({Status.MEETING_HELD}, Status.DECIDED),
    "withdraw": ({Status.DECIDED}, Status.MEETING_HELD),
    "send_to_panel": ({Status.DECIDED, Status.PANEL_RESPONDED}, Status.SENT_TO_PANEL),
    "panel_response": ({Status.SENT_TO_PANEL}, Status.PANEL_RESPONDED),
}


def test_the_edges_are_the_transitions_map():
    from_map = {(f, t) for f, targets in TRANSITIONS.items() for t in targets}
    from_services = {(f, t) for sources, t in EDGES.values() for f in sources}
    assert from_map == from_services


@pytest.mark.parametrize("service", EDGES)
@pytest.mark.parametrize("start", list(Status))
def test_every_review_edge_allowed_or_rejected(review, people, service, start):
    officer = people["officer"]
    review = advance(review, start, officer)
    sources, target = EDGES[service]
    changes = StatusChange.objects.filter(rapid_review=review).count()
    if service == "panel_response" and start == Status.PANEL_RESPONDED:
        # Not a move: the recorded response is corrected, which needs a reason.
        with pytest.raises(ValidationError) as error:
            call(service, review, officer)
        assert "correction_reason" in error.value.message_dict
        assert StatusChange.objects.filter(rapid_review=review).count() == changes
    elif start in sources:
        call(service, review, officer)
        review.refresh_from_db()
        assert review.status == target
        change = StatusChange.objects.filter(rapid_review=review).last()
        assert (change.from_status, change.to_status) == (start, target)
        assert AuditEvent.objects.filter(
            action="status_change", object_id=str(review.pk), changes__status__new=target
        ).exists()
    else:
        with pytest.raises(services.TransitionError):
            call(service, review, officer)
        review.refresh_from_db()
        assert review.status == start
        assert StatusChange.objects.filter(rapid_review=review).count() == changes


def test_sending_again_needs_the_panel_to_have_asked_for_more(review, people):
    officer = people["officer"]
    review = advance(review, Status.SENT_TO_PANEL, officer)
    services.rapid_review_record_panel_response(
        rapid_review=review, actor=officer, response="agrees", responded_on=TODAY()
    )
    with pytest.raises(services.TransitionError, match="asks for more information"):
        services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())


def test_status_changes_are_immutable(review, people):
    review = advance(review, Status.MEETING_HELD, people["officer"])
    change = StatusChange.objects.get(rapid_review=review)
    change.note = "rewritten"
    with pytest.raises(StatusChangeImmutableError):
        change.save()
    with pytest.raises(StatusChangeImmutableError):
        change.delete()


@pytest.mark.parametrize("who", ["agency", "reviewer", "other_officer", "other_manager"])
def test_only_the_partnerships_business_unit_moves_a_review(review, people, who):
    with pytest.raises(PermissionDenied):
        call("record_meeting", review, people[who])


# --- decision, sign-off and the Panel ---------------------------------------------------------


def test_decision_validation_messages(review, people):
    officer = people["officer"]
    review = advance(review, Status.MEETING_HELD, officer)
    with pytest.raises(ValidationError) as error:
        services.rapid_review_decide(
            rapid_review=review,
            actor=officer,
            decision="local_review",
            criteria=[],
            rationale=" ",
            decided_on=TODAY() + dt.timedelta(days=1),
        )
    assert error.value.message_dict == {
        "decided_on": ["The date of the decision must be today or in the past"],
        "criteria": ["Select the criteria for a local review that the case meets"],
        "rationale": ["Enter the rationale for the decision"],
    }


def test_meeting_cannot_be_before_the_notification(review, people):
    with pytest.raises(ValidationError) as error:
        services.rapid_review_record_meeting(
            rapid_review=review,
            actor=people["officer"],
            values={
                "meeting_date": review.incident.notified_on - dt.timedelta(days=1),
                "attendees": "",
            },
        )
    assert "must be the same as or after the date the notification was sent" in str(error.value)
    assert "Enter who attended the meeting" in str(error.value)


def test_cannot_send_to_the_panel_until_all_three_partners_sign(review, people):
    officer = people["officer"]
    review = decide_and_sign(review, officer, signers=("local_authority", "police"))
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "sign_off").closed_on is None
    with pytest.raises(ValidationError, match="Still to sign: Health"):
        services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
    services.rapid_review_sign_off(
        rapid_review=review, actor=officer, partner="health", name="Dr Khan", signed_on=TODAY()
    )
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "sign_off").closed_on == TODAY()
    services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
    review.refresh_from_db()
    assert review.status == Status.SENT_TO_PANEL
    assert get_deadline(review, Kind.RAPID_REVIEW).closed_on == TODAY()
    # (The step on day 15 is the statutory clock itself: test_panel_step.)
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "panel") is None


def test_a_corrected_sign_off_date_moves_the_day_the_sign_off_step_was_done(review, people):
    """All three partners signed; one date was typed wrongly and is corrected: the local
    timetable's sign-off step was done on the last sign-off's real day."""
    officer = people["officer"]
    sent = review.incident.notified_on
    review = services.rapid_review_record_meeting(
        rapid_review=review,
        actor=officer,
        values={"meeting_date": sent, "attendees": "LA, police, health"},
    )
    review = services.rapid_review_decide(
        rapid_review=review,
        actor=officer,
        decision="local_review",
        criteria=["improvements"],
        rationale="Agencies did not share information.",
        decided_on=sent,
    )
    for partner in ("local_authority", "police", "health"):
        services.rapid_review_sign_off(
            rapid_review=review, actor=officer, partner=partner, name="Signer", signed_on=sent
        )
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "sign_off").closed_on == sent
    services.rapid_review_sign_off(
        rapid_review=review, actor=officer, partner="police", name="Signer", signed_on=TODAY()
    )
    step = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "sign_off")
    assert step.closed_on == TODAY() and step.outcome == Deadline.Outcome.MET


def test_sign_off_needs_a_decision_a_name_and_a_past_date(review, people):
    officer = people["officer"]
    with pytest.raises(services.TransitionError):
        services.rapid_review_sign_off(
            rapid_review=review, actor=officer, partner="police", name="A", signed_on=TODAY()
        )
    review = decide_and_sign(review, officer, signers=())
    with pytest.raises(ValidationError) as error:
        services.rapid_review_sign_off(
            rapid_review=review,
            actor=officer,
            partner="police",
            name="",
            signed_on=TODAY() + dt.timedelta(days=2),
        )
    assert error.value.message_dict == {
        "signed_on": ["The date of the sign-off must be today or in the past"],
        "name": ["Enter the name of the person signing off"],
    }


def test_withdrawing_a_decision_removes_its_sign_offs(review, people):
    officer = people["officer"]
    review = decide_and_sign(review, officer)
    services.rapid_review_withdraw_decision(rapid_review=review, actor=officer, note="New facts")
    assert not review.sign_offs.exists()
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "sign_off").closed_on is None


def test_a_local_review_decision_opens_the_lcspr_stage_only_when_it_exists(
    review, people, monkeypatch
):
    officer = people["officer"]
    review = decide_and_sign(review, officer)
    calls = []
    fake = types.ModuleType("lcspr.services")
    fake.review_open = lambda **kwargs: calls.append(kwargs)
    monkeypatch.setitem(sys.modules, "lcspr.services", fake)
    services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
    assert calls == [{"rapid_review": review, "decision_date": TODAY(), "actor": officer}]
    event = AuditEvent.objects.filter(object_id=str(review.pk), changes__local_review_opened=True)
    assert event.exists()


def test_without_the_lcspr_service_the_decision_is_only_recorded(review, people, monkeypatch):
    # lcspr.services now provides review_open: stand in a module without it.
    monkeypatch.setitem(sys.modules, "lcspr.services", types.ModuleType("lcspr.services"))
    review = decide_and_sign(review, people["officer"])
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=TODAY()
    )
    assert AuditEvent.objects.filter(
        object_id=str(review.pk), changes__local_review_opened=False
    ).exists()


def test_panel_response_validation(review, people):
    officer = people["officer"]
    review = advance(review, Status.SENT_TO_PANEL, officer)
    with pytest.raises(ValidationError) as error:
        services.rapid_review_record_panel_response(
            rapid_review=review, actor=officer, response="more_information", responded_on=None
        )
    assert error.value.message_dict == {
        "responded_on": ["Enter the date of the Panel’s reply"],
        "note": ["Enter what the National Panel asked for"],
        "more_information_by": ["Enter the date the Panel wants it by"],
    }


# --- information requests and returns ---------------------------------------------------------


def test_requests_start_return_clocks_and_close_the_requests_milestone(sent_requests, review):
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "requests").closed_on == TODAY()
    for request in sent_requests.values():
        clock = get_deadline(request, Kind.AGENCY_RETURN)
        assert clock.due_date == request.due_date and clock.closed_on is None
        assert request.status == RequestStatus.SENT and request.sent_on == TODAY()


def test_request_validation(review, people, agencies):
    other = agencies["police"].partnerships.exclude(pk=review.incident.partnership_id).get()
    from tests.factories import AgencyFactory

    stranger = AgencyFactory(name="Elsewhere NHS", partnerships=[other])
    with pytest.raises(ValidationError) as error:
        services.information_requests_create(
            rapid_review=review, actor=people["officer"], agencies=[stranger], due_date=None
        )
    assert error.value.message_dict == {
        "due_date": ["Enter the date the return is due"],
        "agencies": ["Select only agencies that work with this partnership"],
    }
    services.information_requests_create(
        rapid_review=review,
        actor=people["officer"],
        agencies=[agencies["health"]],
        due_date=TODAY(),
    )
    with pytest.raises(ValidationError, match="Brookfield Hospitals already has a request"):
        services.information_requests_create(
            rapid_review=review,
            actor=people["officer"],
            agencies=[agencies["health"]],
            due_date=TODAY(),
        )


REQUEST_EDGES = {
    "send": ({RequestStatus.NOT_SENT}, RequestStatus.SENT),
    "submit": ({RequestStatus.SENT, RequestStatus.MORE_INFORMATION}, RequestStatus.RETURNED),
    "send_back": ({RequestStatus.RETURNED}, RequestStatus.MORE_INFORMATION),
}


def put_request_in(request, status, people, contributor):
    officer = people["officer"]
    if status == RequestStatus.NOT_SENT:
        return request
    services.information_request_send(information_request=request, actor=officer)
    if status == RequestStatus.SENT:
        return request
    if status == RequestStatus.NOT_NEEDED:  # the review went to the Panel without it
        review = decide_and_sign(request.rapid_review, officer)
        services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
        return request
    return_and_submit(request, contributor)
    if status == RequestStatus.MORE_INFORMATION:
        services.agency_return_send_back(
            information_request=request, actor=officer, note="More on March", due_date=TODAY()
        )
    return request


@pytest.mark.parametrize("service", REQUEST_EDGES)
@pytest.mark.parametrize("start", list(RequestStatus))
def test_every_request_edge_allowed_or_rejected(
    review, people, agencies, contributors, service, start
):
    (request,) = services.information_requests_create(
        rapid_review=review,
        actor=people["officer"],
        agencies=[agencies["health"]],
        due_date=TODAY(),
    )
    contributor = contributors["health"]
    put_request_in(request, start, people, contributor)
    request.refresh_from_db()
    assert request.status == start
    sources, target = REQUEST_EDGES[service]

    def run():
        if service == "send":
            services.information_request_send(information_request=request, actor=people["officer"])
        elif service == "submit":
            return_and_submit(request, contributor)
        else:
            services.agency_return_send_back(
                information_request=request, actor=people["officer"], note="More", due_date=TODAY()
            )

    if start in sources:
        run()
        request.refresh_from_db()
        assert request.status == target
        assert StatusChange.objects.filter(information_request=request).last().to_status == target
    else:
        with pytest.raises(services.TransitionError):
            run()
        request.refresh_from_db()
        assert request.status == start


def test_return_clocks_close_on_submit_and_reopen_when_sent_back(
    sent_requests, review, contributors, people
):
    for key in ("police", "health"):
        return_and_submit(sent_requests[key], contributors[key])
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "returns").closed_on is None
    return_and_submit(sent_requests["social_care"], contributors["social_care"])
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "returns").closed_on == TODAY()
    police = sent_requests["police"]
    assert get_deadline(police, Kind.AGENCY_RETURN).closed_on == TODAY()
    new_due = add_working_days(TODAY(), 2)
    services.agency_return_send_back(
        information_request=police,
        actor=people["officer"],
        note="Add the custody record",
        due_date=new_due,
    )
    police.refresh_from_db()
    assert police.more_information_note == "Add the custody record"
    # The first return keeps its clock (and its timeliness); the new ask has its own.
    first = get_deadline(police, Kind.AGENCY_RETURN)
    assert (first.closed_on, first.outcome) == (TODAY(), "met")
    clock = get_deadline(police, Kind.AGENCY_RETURN, "more-1")
    assert clock.closed_on is None and clock.due_date == new_due
    assert clock.title.startswith("More information from")
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "returns").closed_on is None
    return_and_submit(police, contributors["police"])
    assert get_deadline(police, Kind.AGENCY_RETURN, "more-1").closed_on == TODAY()


def test_asking_another_agency_once_every_return_is_in_reopens_the_returns_step(
    sent_requests, review, contributors, partnership, people
):
    """Every return was in (the step done), then a fourth agency is asked: a return is
    awaited again, so the timetable's returns step runs again until it is in."""
    from tests.factories import AgencyFactory

    for key in ("police", "health", "social_care"):
        return_and_submit(sent_requests[key], contributors[key])
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "returns").closed_on == TODAY()
    school = AgencyFactory(name="Brookfield Academy", partnerships=[partnership])
    (request,) = services.information_requests_create(
        rapid_review=review,
        actor=people["officer"],
        agencies=[school],
        due_date=add_working_days(TODAY(), 2),
        send=False,
    )
    # Saved, not sent: nothing is awaited from the school yet.
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "returns").closed_on == TODAY()
    services.information_request_send(information_request=request, actor=people["officer"])
    assert get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "returns").closed_on is None


def test_a_late_return_stays_late_after_it_is_sent_back_for_more(
    review, agencies, contributors, people, monkeypatch
):
    """The agency figures count each ask by its own date: a first return sent late stays
    late when the partnership asks for more and the more comes on time."""
    from safeguarding import reports

    (request,) = services.information_requests_create(
        rapid_review=review,
        actor=people["officer"],
        agencies=[agencies["health"]],
        due_date=TODAY(),
        send=True,
    )
    real = timezone.localdate
    two_days_on = TODAY() + dt.timedelta(days=2)
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None: real(value) if value else two_days_on
    )
    return_and_submit(request, contributors["health"])
    request.refresh_from_db()
    period = reports.Period.custom(TODAY(), TODAY() + dt.timedelta(days=30))
    partnership = [review.incident.partnership_id]
    counted = reports.agency_timeliness(partnership, period, today=two_days_on)
    assert [(a.on_time, a.late) for a in counted] == [(0, 1)]
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note="Please add the GP contacts.",
        due_date=add_working_days(two_days_on, 3),
    )
    request.refresh_from_db()
    return_and_submit(request, contributors["health"])
    later = TODAY() + dt.timedelta(days=10)
    counted = reports.agency_timeliness(partnership, period, today=later)
    assert [(a.total, a.on_time, a.late) for a in counted] == [(2, 1, 1)]


def test_overdue_is_derived_and_late_returns_are_flagged(sent_requests, contributors):
    request = sent_requests["health"]
    InformationRequest.objects.filter(pk=request.pk).update(due_date=TODAY() - dt.timedelta(days=1))
    request.refresh_from_db()
    assert request.overdue and request.status_label == "Overdue"
    assert request.status == RequestStatus.SENT
    return_and_submit(request, contributors["health"])
    request.refresh_from_db()
    assert not request.overdue and request.returned_late


def test_submit_needs_the_answers(sent_requests, contributors):
    request, who = sent_requests["health"], contributors["health"]
    with pytest.raises(ValidationError) as error:
        services.agency_return_submit(information_request=request, actor=who)
    assert error.value.messages == [
        "Select whether your agency was involved with the child or family"
    ]
    services.agency_return_save_draft(
        information_request=request,
        actor=who,
        rows=[],
        values=values_for_return(involvement_summary=""),
    )
    with pytest.raises(ValidationError) as error:
        services.agency_return_submit(information_request=request, actor=who)
    assert error.value.messages == [
        "Enter a summary of your agency’s involvement",
        "Add at least one contact to the chronology",
    ]
    services.agency_return_save_draft(
        information_request=request, actor=who, rows=[], values=values_for_return(involved=False)
    )
    services.agency_return_submit(information_request=request, actor=who)


def test_chronology_rows_are_checked(sent_requests, contributors):
    request, who = sent_requests["health"], contributors["health"]
    with pytest.raises(ValidationError, match="The date of contact 1 must be today or in the past"):
        services.agency_return_save_draft(
            information_request=request,
            actor=who,
            values=values_for_return(),
            rows=rows(TODAY() + dt.timedelta(days=1)),
        )


def test_a_stale_return_form_does_not_overwrite(sent_requests, contributors):
    request, who = sent_requests["health"], contributors["health"]
    saved = services.agency_return_save_draft(
        information_request=request, actor=who, values=values_for_return(), rows=[]
    )
    stale = saved.version
    services.agency_return_save_draft(
        information_request=request,
        actor=who,
        rows=[],
        values=values_for_return(analysis="First"),
        expected_version=stale,
    )
    with pytest.raises(services.ConcurrentEditError):
        services.agency_return_save_draft(
            information_request=request,
            actor=who,
            rows=[],
            values=values_for_return(analysis="Second"),
            expected_version=stale,
        )


@pytest.mark.parametrize("who", ["police", "social_care", "other_police"])
def test_only_the_addressed_agency_in_that_partnership_writes_the_return(
    sent_requests, contributors, people, who
):
    request = sent_requests["health"] if who != "other_police" else sent_requests["police"]
    if who == "police":
        request = sent_requests["health"]
    for actor in (contributors[who], people["officer"]):
        with pytest.raises(PermissionDenied):
            services.agency_return_save_draft(
                information_request=request, actor=actor, values=values_for_return(), rows=[]
            )
    with pytest.raises(PermissionDenied):
        services.information_request_send(information_request=request, actor=contributors[who])


def test_the_audit_trail_never_copies_return_content(sent_requests, contributors):
    request = sent_requests["health"]
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["health"],
        values=values_for_return(involvement_summary=f"Saw {CHILD_NAME} at A&E"),
        rows=rows(TODAY()),
    )
    event = AuditEvent.objects.filter(object_type="rapid_reviews.agencyreturn").get()
    assert CHILD_NAME not in str(event.changes) and event.changes["chronology_rows"] == 1


# --- the e-mail to agencies -------------------------------------------------------------------


def test_sending_e_mails_the_agencys_contributors_without_child_details(
    review,
    agencies,
    contributors,
    people,
    mailoutbox,
    eager_tasks,
    django_capture_on_commit_callbacks,
    settings,
):
    with django_capture_on_commit_callbacks(execute=True):
        (request,) = services.information_requests_create(
            rapid_review=review,
            actor=people["officer"],
            agencies=[agencies["police"]],
            due_date=TODAY(),
            send=True,
        )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    # The police contributor of this partnership only, not the same force's contributor
    # for the other partnership, nor other agencies.
    assert mail.to == [contributors["police"].email]
    html = mail.alternatives[0][0]
    link = settings.SITE_URL + f"/rapid-reviews/requests/{request.pk}/"
    for text in (mail.subject, mail.body, html):
        assert CHILD_NAME not in text and "Amelia" not in text and "Mia" not in text
        assert "Hidden circumstances" not in text and "Secret Lane" not in text
    assert review.incident.reference in mail.subject
    assert link in mail.body and link in html
    assert "Midshire Police" in mail.body


def test_sending_back_e_mails_again_and_a_repeated_task_sends_once(
    sent_requests, contributors, people, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    request = sent_requests["health"]
    return_and_submit(request, contributors["health"])
    with django_capture_on_commit_callbacks(execute=True):
        services.agency_return_send_back(
            information_request=request,
            actor=people["officer"],
            note="More please",
            due_date=TODAY(),
        )
    assert len(mailoutbox) == 1 and "for more information" in mailoutbox[0].subject
    from rapid_reviews.tasks import send_request_email

    change = StatusChange.objects.filter(information_request=request).last()
    assert send_request_email(change.pk) == "already sent"
    assert len(mailoutbox) == 1
    assert RequestEmail.objects.get(status_change=change).recipients == 1


def test_review_model_keeps_its_fixed_names(review):
    assert RapidReview._meta.get_field("incident") and RapidReview._meta.get_field("due_date")
    for name in ("rapid_review", "agency", "due_date"):
        assert InformationRequest._meta.get_field(name)


def test_sending_to_the_panel_stops_every_timetable_clock(review, people):
    from rapid_reviews.models import Milestone
    from safeguarding.models import Deadline

    from .conftest import decide_and_sign

    review = decide_and_sign(review, people["officer"])
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=timezone.localdate()
    )
    clocks = Deadline.objects.for_subject(review)
    assert not clocks.open().exists()
    panel = clocks.get(kind=Deadline.Kind.RAPID_REVIEW)
    assert panel.outcome == Deadline.Outcome.MET
    requests = clocks.get(kind=Deadline.Kind.RAPID_REVIEW_MILESTONE, key=Milestone.REQUESTS)
    assert requests.outcome == Deadline.Outcome.CANCELLED


def test_a_request_e_mail_lost_to_a_broker_outage_is_sent_by_the_next_run(
    review, agencies, contributors, people, mailoutbox, eager_tasks, monkeypatch
):
    """The e-mail is queued when the request's sending commits; if the broker was down
    then, beat's re-queue sends it later, once."""
    import datetime as dt

    from django.utils import timezone

    from rapid_reviews import mail as request_mail
    from rapid_reviews.tasks import requeue_request_emails

    # No on_commit callbacks run here: as if the broker had refused the task.
    (request,) = services.information_requests_create(
        rapid_review=review,
        actor=people["officer"],
        agencies=[agencies["police"]],
        due_date=TODAY(),
        send=True,
    )
    assert mailoutbox == []
    assert requeue_request_emails() == 0  # not yet: the first queueing may still be on its way
    later = timezone.now() + request_mail.REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("rapid_reviews.tasks.timezone.now", lambda: later)
    assert requeue_request_emails() == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [contributors["police"].email]
    assert request.agency.name in mailoutbox[0].body
    assert requeue_request_emails() == 0 and len(mailoutbox) == 1


def test_returns_still_awaited_stop_when_the_review_goes_to_the_panel(
    sent_requests, contributors, people
):
    """Once the review has gone, a return never sent in is no longer needed: its clock
    stops (cancelled), so it is not shown as overdue nor reminded; a return that came in
    keeps its 'met'."""
    return_and_submit(sent_requests["police"], contributors["police"])
    review = decide_and_sign(sent_requests["police"].rapid_review, people["officer"])
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=timezone.localdate()
    )
    clocks = {
        d.subject_id: d
        for d in Deadline.objects.filter(
            kind=Kind.AGENCY_RETURN, subject_type="rapid_reviews.informationrequest"
        )
    }
    assert clocks[sent_requests["police"].pk].outcome == Deadline.Outcome.MET
    for key in ("health", "social_care"):
        clock = clocks[sent_requests[key].pk]
        assert clock.closed_on == timezone.localdate()
        assert clock.outcome == Deadline.Outcome.CANCELLED


def test_a_requests_contact_can_change_keeping_a_due_date_now_past_or_beyond_the_review(
    sent_requests, people
):
    from rapid_reviews.models import InformationRequest, RapidReview

    request = sent_requests["health"]
    review = request.rapid_review
    past = timezone.localdate() - dt.timedelta(days=2)
    InformationRequest.objects.filter(pk=request.pk).update(due_date=past)
    request.refresh_from_db()
    updated = services.information_request_update(
        information_request=request, actor=people["officer"], contact="New lead", due_date=past
    )
    assert updated.contact == "New lead"
    # The review's date moved earlier than the request's (a corrected notification).
    later = timezone.localdate() + dt.timedelta(days=5)
    InformationRequest.objects.filter(pk=request.pk).update(due_date=later)
    RapidReview.objects.filter(pk=review.pk).update(due_date=timezone.localdate())
    request.refresh_from_db()
    updated = services.information_request_update(
        information_request=request, actor=people["officer"], contact="Another", due_date=later
    )
    assert updated.contact == "Another"


def test_no_local_review_needs_the_learning_captured(review, people):
    """DOMAIN: no local review "with rationale, learning still captured"."""
    officer = people["officer"]
    today = TODAY()
    review = services.rapid_review_record_meeting(
        rapid_review=review, actor=officer, values={"meeting_date": today, "attendees": "All"}
    )
    decide = dict(
        rapid_review=review,
        actor=officer,
        decision="no_local_review",
        criteria=[],
        rationale="The agencies worked well together.",
        decided_on=today,
    )
    with pytest.raises(ValidationError) as error:
        services.rapid_review_decide(**decide)
    assert error.value.message_dict["decision"] == [
        "Record the learning for local or national practice in the meeting’s findings "
        "before deciding on no local review"
    ]
    review.refresh_from_db()
    assert review.status == Status.MEETING_HELD
    # A local review needs no learning recorded yet: the review will find it.
    services.rapid_review_update_findings(
        rapid_review=review,
        actor=officer,
        values={"meeting_date": today, "attendees": "All", "learning_local": "Share plans."},
    )
    assert services.rapid_review_decide(**decide).status == Status.DECIDED


# --- the National Panel disagrees with no local review ---------------------------------------


def _sent_and_answered(review, actor, decision, response):
    review = decide_and_sign(review, actor, decision=decision)
    review = services.rapid_review_send_to_panel(rapid_review=review, actor=actor, sent_on=TODAY())
    return services.rapid_review_record_panel_response(
        rapid_review=review,
        actor=actor,
        response=response,
        responded_on=TODAY(),
        note="What the Panel wrote.",
    )


def test_a_local_review_can_follow_the_panel_disagreeing(review, people):
    """DOMAIN: the Panel suggesting a local review is a regulation 11 criterion. The
    decision sent stays as it was; the later one opens the local review, its 6 months
    counted from that decision."""
    from dateutil.relativedelta import relativedelta

    from lcspr.models import Review

    officer = people["officer"]
    review = _sent_and_answered(review, officer, "no_local_review", "disagrees")
    assert not Review.objects.filter(rapid_review=review).exists()
    args = dict(rapid_review=review, actor=officer, decided_on=TODAY(), rationale="")
    with pytest.raises(ValidationError) as error:
        services.rapid_review_hold_local_review_after_panel(**args)
    assert list(error.value.message_dict) == ["rationale"]
    with pytest.raises(PermissionDenied):
        services.rapid_review_hold_local_review_after_panel(
            **{**args, "actor": people["agency"], "rationale": "Panel’s advice"}
        )

    review = services.rapid_review_hold_local_review_after_panel(
        **{**args, "rationale": "The Panel suggests a local review of the health visiting."}
    )
    assert review.decision == Decision.NO_LOCAL_REVIEW  # what was sent stays on record
    assert review.local_review_decided_on == TODAY()
    local = Review.objects.get(rapid_review=review)
    assert local.decision_date == TODAY()
    assert local.target_publication == TODAY() + relativedelta(months=6)
    assert get_deadline(local, Kind.PUBLICATION).is_open
    with pytest.raises(services.TransitionError, match="already has a local review"):
        services.rapid_review_hold_local_review_after_panel(**{**args, "rationale": "Again"})


def test_a_corrected_reply_date_cannot_follow_the_local_review_decided_after_it(review, people):
    """The partners decided on a local review after the Panel's reply: a correction of
    the reply's date cannot put the reply after that decision."""
    officer = people["officer"]
    review = _sent_and_answered(review, officer, "no_local_review", "disagrees")
    review = services.rapid_review_hold_local_review_after_panel(
        rapid_review=review, actor=officer, decided_on=TODAY(), rationale="Panel’s advice."
    )
    RapidReview.objects.filter(pk=review.pk).update(
        sent_to_panel_on=TODAY() - dt.timedelta(days=10),
        panel_response_on=TODAY() - dt.timedelta(days=8),
        local_review_decided_on=TODAY() - dt.timedelta(days=5),
    )
    review.refresh_from_db()
    correction = dict(
        rapid_review=review,
        actor=officer,
        response="disagrees",
        note="What the Panel wrote.",
        correction_reason="Mistyped.",
    )
    with pytest.raises(ValidationError) as error:
        services.rapid_review_record_panel_response(
            **correction, responded_on=TODAY() - dt.timedelta(days=3)
        )
    decided = TODAY() - dt.timedelta(days=5)
    assert error.value.message_dict == {
        "responded_on": [
            "The date of the Panel’s reply must be the same as or before the decision to "
            f"hold a local review after it ({decided.day} {decided:%B %Y})"
        ]
    }
    review.refresh_from_db()
    assert review.panel_response_on == TODAY() - dt.timedelta(days=8)
    review = services.rapid_review_record_panel_response(
        **correction, responded_on=TODAY() - dt.timedelta(days=6)
    )
    assert review.panel_response_on == TODAY() - dt.timedelta(days=6)


@pytest.mark.parametrize(
    "decision, response",
    [("no_local_review", "agrees"), ("local_review", "disagrees")],
)
def test_only_after_the_panel_disagreed_with_no_local_review(review, people, decision, response):
    officer = people["officer"]
    review = _sent_and_answered(review, officer, decision, response)
    with pytest.raises(services.TransitionError, match="only when the Panel disagreed"):
        services.rapid_review_hold_local_review_after_panel(
            rapid_review=review, actor=officer, decided_on=TODAY(), rationale="Because"
        )
    review.refresh_from_db()
    assert review.local_review_decided_on is None


def test_a_review_sent_late_needs_the_reason(review, people):
    """Like a late notification: the National Panel asks why."""
    officer = people["officer"]
    review = decide_and_sign(review, officer)
    RapidReview.objects.filter(pk=review.pk).update(due_date=TODAY() - dt.timedelta(days=2))
    review.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
    assert error.value.message_dict["late_reason"] == [
        f"Enter why the review was sent after its due date ({review.due_date:%-d %B %Y})"
    ]
    review = services.rapid_review_send_to_panel(
        rapid_review=review,
        actor=officer,
        sent_on=TODAY(),
        late_reason="The police summary was delayed by the criminal investigation.",
    )
    assert review.late_reason.startswith("The police summary")


def test_findings_changed_after_the_decision_still_hold_what_it_stands_on(review, people):
    """After "no local review", the learning cannot be emptied; the meeting cannot move
    after the decision; a corrected meeting date moves the day its step was met."""
    from rapid_reviews.models import Milestone

    officer = people["officer"]
    review = decide_and_sign(review, officer, decision="no_local_review", signers=())
    decided = TODAY() - dt.timedelta(days=1)
    RapidReview.objects.filter(pk=review.pk).update(decided_on=decided, meeting_date=decided)
    review.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.rapid_review_update_findings(
            rapid_review=review,
            actor=officer,
            values={"learning_local": " ", "learning_national": ""},
        )
    assert "learning_local" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.rapid_review_update_findings(
            rapid_review=review, actor=officer, values={"meeting_date": TODAY()}
        )
    assert error.value.message_dict["meeting_date"] == [
        "The date of the meeting must be on or before the date of the decision "
        f"({decided:%-d %B %Y})"
    ]
    earlier = review.incident.notified_on
    review = services.rapid_review_update_findings(
        rapid_review=review, actor=officer, values={"meeting_date": earlier}
    )
    step = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.MEETING)
    assert step.closed_on == earlier


@pytest.mark.parametrize(
    "days, fields",
    [
        ({"requests_day": 0}, ["requests_day"]),
        ({"returns_day": 12, "meeting_day": 10}, ["meeting_day"]),
        # Every step out of place at once (ADR 0021): the meeting is before day 12 too.
        ({"requests_day": 12, "returns_day": 3}, ["returns_day", "meeting_day"]),
        ({"sign_off_day": 30, "panel_day": 40}, ["sign_off_day", "panel_day"]),
    ],
)
def test_a_timetable_keeps_its_steps_in_order_within_the_15_days(partnership, days, fields):
    Timetable(partnership=partnership).full_clean()  # the defaults
    with pytest.raises(ValidationError) as error:
        Timetable(partnership=partnership, **days).full_clean()
    assert list(error.value.message_dict) == fields


# --- the National Panel's reply: more information by a date, corrections ----------------------


def test_more_information_has_a_date_and_a_clock_until_sent_again(review, people):
    from safeguarding.deadlines import Kind, get_deadline

    officer = people["officer"]
    review = advance(review, Status.SENT_TO_PANEL, officer)
    with pytest.raises(ValidationError) as error:
        services.rapid_review_record_panel_response(
            rapid_review=review,
            actor=officer,
            response="more_information",
            responded_on=TODAY(),
            note="The school's records.",
            more_information_by=TODAY() - dt.timedelta(days=1),
        )
    assert error.value.message_dict["more_information_by"] == [
        "The date the Panel wants it by must be the same as or after its reply"
    ]
    wanted = TODAY() + dt.timedelta(days=10)
    review = services.rapid_review_record_panel_response(
        rapid_review=review,
        actor=officer,
        response="more_information",
        responded_on=TODAY(),
        note="The school's records.",
        more_information_by=wanted,
    )
    clock = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "panel_more_information")
    assert (clock.due_date, clock.closed_on, clock.owner) == (wanted, None, officer)
    assert "More information for the National Panel" in clock.title
    review = services.rapid_review_send_to_panel(
        rapid_review=review, actor=officer, sent_on=TODAY()
    )
    clock.refresh_from_db()
    assert (clock.closed_on, clock.outcome) == (TODAY(), "met")
    assert review.panel_more_information_by is None


def test_a_response_recorded_wrongly_is_corrected_with_a_reason(review, people):
    from safeguarding.deadlines import Kind, get_deadline

    officer = people["officer"]
    review = advance(review, Status.PANEL_RESPONDED, officer)  # asked for more information
    clock = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, "panel_more_information")
    assert clock.closed_on is None
    changes = StatusChange.objects.filter(rapid_review=review).count()
    version = review.version
    review = services.rapid_review_record_panel_response(
        rapid_review=review,
        actor=officer,
        response="agrees",
        responded_on=TODAY(),
        correction_reason="The Panel’s letter was read wrongly.",
    )
    review.refresh_from_db()
    assert (review.status, review.panel_response) == (Status.PANEL_RESPONDED, "agrees")
    assert review.panel_more_information_by is None and review.version == version + 1
    assert StatusChange.objects.filter(rapid_review=review).count() == changes
    clock.refresh_from_db()
    assert clock.outcome == "cancelled"  # no longer asked for
    assert review.panel_response_correction == "The Panel’s letter was read wrongly."
    event = AuditEvent.objects.get(
        object_type="rapid_reviews.rapidreview",
        object_id=str(review.pk),
        changes__has_key="panel_response_note",
    )
    assert event.changes["panel_response"] == {"old": "more_information", "new": "agrees"}
    # What the Panel wrote (it may name the child) and why it was corrected stay on the
    # record: the trail, never erased, says only that they changed.
    trail = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert "school" not in trail and "read wrongly" not in trail


def test_a_disagreement_needs_what_the_panel_said_and_once_acted_on_stays(review, people):
    officer = people["officer"]
    review = decide_and_sign(review, officer, decision="no_local_review")
    review = services.rapid_review_send_to_panel(
        rapid_review=review, actor=officer, sent_on=TODAY()
    )
    with pytest.raises(ValidationError) as error:
        services.rapid_review_record_panel_response(
            rapid_review=review, actor=officer, response="disagrees", responded_on=TODAY()
        )
    assert error.value.message_dict == {"note": ["Enter what the National Panel said"]}
    review = services.rapid_review_record_panel_response(
        rapid_review=review,
        actor=officer,
        response="disagrees",
        responded_on=TODAY(),
        note="A local review would help.",
    )
    review = services.rapid_review_hold_local_review_after_panel(
        rapid_review=review, actor=officer, decided_on=TODAY(), rationale="The Panel’s view."
    )
    with pytest.raises(services.TransitionError):
        services.rapid_review_record_panel_response(
            rapid_review=review,
            actor=officer,
            response="agrees",
            responded_on=TODAY(),
            correction_reason="Mistake",
        )
    review.refresh_from_db()
    assert review.panel_response == "disagrees"
