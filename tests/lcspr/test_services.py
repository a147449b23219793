"""Every edge of the transitions map, milestones and their history, on hold and resume."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from lcspr import services
from lcspr.models import TRANSITIONS, HoldReason, Review, Status, StatusChange
from rapid_reviews import services as rr_services
from safeguarding.calendar import add_working_days
from safeguarding.deadlines import Kind, get_deadline
from safeguarding.models import Deadline, DeadlineChange
from tests.rapid_reviews.conftest import decide_and_sign

from .conftest import BRIEFING, TODAY, days_ago, pdf_upload, publish, to_notice_sent

pytestmark = pytest.mark.django_db


def test_a_rapid_review_deciding_on_a_local_review_opens_one(review, people):
    officer = people["officer"]
    rapid = decide_and_sign(review, officer)
    rr_services.rapid_review_send_to_panel(rapid_review=rapid, actor=officer, sent_on=TODAY())
    local = Review.objects.get(rapid_review=rapid)
    assert local.decision_date == rapid.decided_on
    assert local.status == Status.OPEN
    keys = set(
        Deadline.objects.for_subject(local)
        .filter(kind=Kind.LCSPR_MILESTONE)
        .values_list("key", flat=True)
    )
    assert keys == {
        "terms_agreed",
        "agency_reports",
        "learning_event",
        "family",
        "draft_report",
        "final_approved",
    }


# --- every edge ------------------------------------------------------------------------

TARGETS = [
    Status.IN_PROGRESS,
    Status.ON_HOLD,
    Status.FINAL_APPROVED,
    Status.NOTICE_SENT,
    Status.PUBLISHED,
]


def _attempt(review, officer, target):
    review.refresh_from_db()
    if target == Status.IN_PROGRESS:
        Review.objects.filter(pk=review.pk).update(terms_agreed_on=None)
        review.refresh_from_db()
        services.review_save_terms(review=review, actor=officer, text="T.", agreed_on=days_ago(40))
    elif target == Status.ON_HOLD:
        services.review_put_on_hold(
            review=review,
            actor=officer,
            reason=HoldReason.INQUEST,
            note="",
            held_since=days_ago(3),
            look_again_on=TODAY() + dt.timedelta(days=30),
        )
    elif target == Status.FINAL_APPROVED:
        services.review_approve_final(review=review, actor=officer, approved_on=days_ago(20))
    elif target == Status.NOTICE_SENT:
        sent = days_ago(15)
        services.review_send_notice(
            review=review,
            actor=officer,
            sent_on=sent,
            planned_publication=services.earliest_publication(review, sent).due,
        )
    elif target == Status.PUBLISHED:
        publish(review, officer)


@pytest.fixture
def prepared(local_review, people):
    """A review with everything any move needs, so only the status decides."""
    officer = people["officer"]
    services.briefing_save(review=local_review, actor=officer, values=BRIEFING)
    Review.objects.filter(pk=local_review.pk).update(
        terms_agreed_on=days_ago(50), final_approved_on=days_ago(20), notice_sent_on=days_ago(15)
    )
    return local_review


@pytest.mark.parametrize(("start", "target"), list(itertools.product(Status.values, TARGETS)))
def test_every_edge_of_the_map(prepared, people, start, target):
    Review.objects.filter(pk=prepared.pk).update(status=start, held_since=days_ago(5))
    # A review on hold leaves it only by resuming, a closed one only by a manager
    # reopening it (tests/lcspr/test_reopen.py): every other step refuses them.
    allowed = target in TRANSITIONS[start] and start not in (Status.ON_HOLD, Status.CLOSED)
    before = StatusChange.objects.count()
    if start == target == Status.NOTICE_SENT:
        # Not a move: the notice is recorded again (a revised report, a new planned date).
        _attempt(prepared, people["officer"], target)
        prepared.refresh_from_db()
        assert prepared.status == start and StatusChange.objects.count() == before
    elif allowed:
        _attempt(prepared, people["officer"], target)
        prepared.refresh_from_db()
        assert prepared.status == target
        assert StatusChange.objects.filter(from_status=start, to_status=target).exists()
    else:
        with pytest.raises((services.TransitionError, ValidationError)), transaction.atomic():
            _attempt(prepared, people["officer"], target)
        prepared.refresh_from_db()
        assert prepared.status == start
        assert StatusChange.objects.count() == before


@pytest.mark.parametrize(
    "held_from", [Status.OPEN, Status.IN_PROGRESS, Status.FINAL_APPROVED, Status.NOTICE_SENT]
)
def test_resume_goes_back_to_where_it_was_held_from(prepared, people, held_from):
    Review.objects.filter(pk=prepared.pk).update(status=held_from)
    prepared.refresh_from_db()
    services.review_put_on_hold(
        review=prepared,
        actor=people["officer"],
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="Trial listed",
        held_since=days_ago(3),
        look_again_on=TODAY() + dt.timedelta(days=30),
    )
    review = services.review_resume(review=prepared, actor=people["officer"], resumed_on=TODAY())
    assert review.status == held_from


@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.ON_HOLD])
def test_only_a_review_on_hold_resumes(prepared, people, status):
    Review.objects.filter(pk=prepared.pk).update(status=status)
    prepared.refresh_from_db()
    with pytest.raises(services.TransitionError):
        services.review_resume(review=prepared, actor=people["officer"], resumed_on=TODAY())


def test_other_roles_cannot_move_a_review(local_review, people):
    for who in ("agency", "reviewer", "other_manager", "regional"):
        with pytest.raises(PermissionDenied):
            services.review_save_terms(
                review=local_review, actor=people[who], text="T", agreed_on=days_ago(1)
            )


# --- on hold and resume: the clock loses no time -------------------------------------------


def test_on_hold_pauses_the_clocks_and_resume_adds_the_time_back_to_the_plan_only(
    local_review, people
):
    """The review's steps lose no time; the statutory target (6 calendar months after the
    decision) and the publication clock measured against it do not move (ADR 0015)."""
    officer = people["officer"]
    target_before = local_review.target_publication
    draft_before = get_deadline(local_review, Kind.LCSPR_MILESTONE, "draft_report").due_date
    review = services.review_put_on_hold(
        review=local_review,
        actor=officer,
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="Trial of the mother’s partner listed at the Crown Court",
        held_since=days_ago(21),
        look_again_on=TODAY() + dt.timedelta(days=14),
    )
    assert review.status == Status.ON_HOLD
    publication = get_deadline(review, Kind.PUBLICATION)
    assert publication.closed_on == days_ago(21) and publication.outcome == "paused"
    look_again = get_deadline(review, Kind.LCSPR_MILESTONE, "hold_review")
    assert look_again.due_date == TODAY() + dt.timedelta(days=14) and look_again.is_open

    review = services.review_resume(review=review, actor=officer, resumed_on=TODAY())
    assert review.status == Status.OPEN
    assert review.target_publication == target_before
    assert review.days_on_hold == 21
    assert review.expected_publication == target_before + dt.timedelta(days=21)
    publication.refresh_from_db()
    assert publication.is_open and publication.due_date == target_before
    assert not DeadlineChange.objects.filter(deadline=publication).exists()
    draft = get_deadline(review, Kind.LCSPR_MILESTONE, "draft_report")
    assert draft.due_date == draft_before + dt.timedelta(days=21) and draft.is_open
    change = DeadlineChange.objects.get(deadline=draft)
    assert "21 days added" in change.reason and "Criminal proceedings" in change.reason
    assert get_deadline(review, Kind.LCSPR_MILESTONE, "hold_review").closed_on == TODAY()


def test_a_hold_of_one_day_adds_one_day_in_the_singular(local_review, people):
    officer = people["officer"]
    review = services.review_put_on_hold(
        review=local_review,
        actor=officer,
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="",
        held_since=days_ago(1),
        look_again_on=TODAY() + dt.timedelta(days=14),
    )
    services.review_resume(review=review, actor=officer, resumed_on=TODAY())
    draft = get_deadline(review, Kind.LCSPR_MILESTONE, "draft_report")
    reason = DeadlineChange.objects.get(deadline=draft).reason
    assert reason.endswith(f"to {TODAY():%-d %B %Y}: 1 day added"), reason


def test_holds_cannot_overlap(local_review, people):
    """A second hold starting before the first one ended would count its days twice."""
    officer = people["officer"]
    hold = dict(
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        look_again_on=TODAY() + dt.timedelta(days=5),
    )
    review = services.review_put_on_hold(review=local_review, held_since=days_ago(30), **hold)
    review = services.review_resume(review=review, actor=officer, resumed_on=days_ago(20))
    assert review.days_on_hold == 10
    with pytest.raises(ValidationError) as error:
        services.review_put_on_hold(review=review, held_since=days_ago(25), **hold)
    assert error.value.message_dict["held_since"] == [
        "The date it went on hold must be the same as or after the day the review last "
        f"came off hold ({days_ago(20):%-d %B %Y})"
    ]
    review.refresh_from_db()
    review = services.review_put_on_hold(review=review, held_since=days_ago(20), **hold)
    review = services.review_resume(review=review, actor=officer, resumed_on=days_ago(15))
    assert review.days_on_hold == 15


def test_steps_after_a_hold_are_dated_after_it(local_review, people):
    """Final approval and the notice cannot be dated inside a hold that is over."""
    officer = people["officer"]
    review = services.review_save_terms(
        review=local_review, actor=officer, text="Terms.", agreed_on=days_ago(50)
    )
    review = services.review_put_on_hold(
        review=review,
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        held_since=days_ago(40),
        look_again_on=TODAY() + dt.timedelta(days=5),
    )
    review = services.review_resume(review=review, actor=officer, resumed_on=days_ago(5))
    came_off = f"the day the review last came off hold ({days_ago(5):%-d %B %Y})"
    with pytest.raises(ValidationError) as error:
        services.review_approve_final(review=review, actor=officer, approved_on=days_ago(20))
    assert error.value.message_dict["approved_on"] == [
        f"The date the final report was approved must be the same as or after {came_off}"
    ]
    review.refresh_from_db()
    review = services.review_approve_final(review=review, actor=officer, approved_on=days_ago(5))
    assert review.final_approved_on == days_ago(5)


def test_publication_is_not_dated_inside_a_hold_that_is_over(local_review, people):
    """A review held after the notice went (an inquest opened) and resumed: publication
    is dated after the hold, as approval and the notice are."""
    officer = people["officer"]
    review = to_notice_sent(local_review, officer, notice_days_ago=40)
    review = services.review_put_on_hold(
        review=review,
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        held_since=days_ago(30),
        look_again_on=TODAY() + dt.timedelta(days=5),
    )
    review = services.review_resume(review=review, actor=officer, resumed_on=days_ago(2))
    with pytest.raises(ValidationError) as error:
        publish(review, officer, published_on=days_ago(20))
    assert "the day the review last came off hold" in error.value.message_dict["published_on"][0]
    review.refresh_from_db()
    assert publish(review, officer, published_on=days_ago(2)).status == Status.PUBLISHED


def test_a_longer_hold_moves_its_date_to_look_again_without_resuming(local_review, people):
    officer = people["officer"]
    first = TODAY() + dt.timedelta(days=5)
    review = services.review_put_on_hold(
        review=local_review,
        actor=officer,
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="Trial in January.",
        held_since=days_ago(10),
        look_again_on=first,
    )
    from safeguarding.models import AuditEvent

    held = AuditEvent.objects.get(object_id=str(review.pk), changes__has_key="held_since")
    assert held.changes == {
        "hold_reason": "criminal_proceedings",
        "held_since": str(days_ago(10)),
        "hold_review_on": str(first),
    }  # the detail ("Trial in January.") stays on the record, out of the trail
    changes = StatusChange.objects.filter(review=review).count()
    args = dict(review=review, actor=officer, note="Trial moved to March.")
    with pytest.raises(ValidationError) as error:
        services.review_update_hold(**args, look_again_on=TODAY(), reason="")
    assert error.value.message_dict == {
        "look_again_on": ["The date to look again must be in the future"],
        "reason": ["Enter what has changed"],
    }
    later = TODAY() + dt.timedelta(days=60)
    review = services.review_update_hold(
        **args, look_again_on=later, reason="The trial moved.", expected_version=review.version
    )
    review.refresh_from_db()
    assert (review.status, review.hold_review_on, review.hold_note) == (
        Status.ON_HOLD,
        later,
        "Trial moved to March.",
    )
    assert review.held_since == days_ago(10)  # the hold itself is the same one
    assert StatusChange.objects.filter(review=review).count() == changes  # no resume
    # The detail may name people in the proceedings: not in the trail (the reason for
    # moving the date is, as for every moved date, and the form says so).
    trail = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert "to March" not in trail and "The trial moved." in trail
    clock = get_deadline(review, Kind.LCSPR_MILESTONE, "hold_review")
    assert (clock.due_date, clock.closed_on) == (later, None)
    moved = DeadlineChange.objects.get(deadline=clock)
    assert (moved.old_due, moved.new_due, moved.reason) == (first, later, "The trial moved.")
    review = services.review_resume(review=review, actor=officer, resumed_on=TODAY())
    with pytest.raises(services.TransitionError):
        services.review_update_hold(**args, look_again_on=later, reason="Again")


def test_a_milestone_already_met_is_not_moved_by_a_hold(local_review, people):
    officer = people["officer"]
    review = services.review_save_terms(
        review=local_review, actor=officer, text="T", agreed_on=days_ago(40)
    )
    met = get_deadline(review, Kind.LCSPR_MILESTONE, "terms_agreed")
    services.review_put_on_hold(
        review=review,
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        held_since=days_ago(10),
        look_again_on=TODAY() + dt.timedelta(days=5),
    )
    review = services.review_resume(review=review, actor=officer, resumed_on=TODAY())
    assert review.status == Status.IN_PROGRESS
    after = get_deadline(review, Kind.LCSPR_MILESTONE, "terms_agreed")
    assert (after.due_date, after.closed_on, after.outcome) == (met.due_date, days_ago(40), "met")


def test_hold_needs_a_reason_and_a_future_date_to_look_again(local_review, people):
    with pytest.raises(ValidationError) as error:
        services.review_put_on_hold(
            review=local_review,
            actor=people["officer"],
            reason="",
            note="",
            held_since=TODAY(),
            look_again_on=TODAY(),
        )
    assert set(error.value.message_dict) == {"reason", "look_again_on"}


# --- milestones ---------------------------------------------------------------------------


def test_moving_a_milestone_needs_a_reason_and_keeps_history(local_review, people):
    officer = people["officer"]
    deadline = get_deadline(local_review, Kind.LCSPR_MILESTONE, "learning_event")
    # Planned dates are working days (a bank holiday two weeks on would be refused).
    new = add_working_days(deadline.due_date, 10, partnership=local_review.partnership)
    with pytest.raises(ValidationError) as error:
        services.milestone_update(
            review=local_review, actor=officer, key="learning_event", planned=new
        )
    assert error.value.message_dict["reason"] == ["Enter the reason for moving the planned date"]
    services.milestone_update(
        review=local_review,
        actor=officer,
        key="learning_event",
        planned=new,
        reason="Two practitioners on leave; event moved so they can attend",
    )
    later = add_working_days(new, 5, partnership=local_review.partnership)
    services.milestone_update(
        review=local_review,
        actor=officer,
        key="learning_event",
        planned=later,
        reason="Venue",
    )
    changes = list(DeadlineChange.objects.filter(deadline=deadline).order_by("id"))
    assert [(c.old_due, c.new_due) for c in changes] == [(deadline.due_date, new), (new, later)]
    assert changes[0].reason.startswith("Two practitioners")


def test_recording_the_actual_date_meets_the_milestone(local_review, people):
    deadline = get_deadline(local_review, Kind.LCSPR_MILESTONE, "agency_reports")
    services.milestone_update(
        review=local_review,
        actor=people["officer"],
        key="agency_reports",
        planned=deadline.due_date,
        actual=days_ago(2),
    )
    deadline.refresh_from_db()
    assert deadline.closed_on == days_ago(2) and deadline.outcome == "met"


def test_partner_checks_include_written_requests(local_review, people):
    check = services.partner_check_add(
        review=local_review,
        actor=people["manager"],
        kind="written_request",
        checked_on=days_ago(1),
        note="Please send the draft chronology.",
        respond_by=TODAY(),
    )
    assert check.respond_by == TODAY()
    with pytest.raises(ValidationError):
        services.partner_check_add(
            review=local_review, actor=people["manager"], kind="time", checked_on=None, note=""
        )


# --- reviewers, actions ---------------------------------------------------------------------


def test_only_the_partnerships_reviewers_can_be_assigned(local_review, people):
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    assert list(local_review.reviewers.all()) == [people["reviewer"]]
    with pytest.raises(ValidationError):
        services.review_set_reviewers(
            review=local_review, actor=people["officer"], reviewers=[people["officer"]]
        )


def test_actions_rag_due_date_moves_and_manager_sign_off(local_review, people, agencies):
    officer, manager = people["officer"], people["manager"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Improve sharing.")
    action = services.action_add(
        recommendation=rec,
        actor=officer,
        description="Audit referrals",
        agency=agencies["police"],
        lead="DI Shah",
        due_date=TODAY() + dt.timedelta(days=100),
    )
    assert action.rag()[1] == "green"
    assert action.rag(today=action.due_date + dt.timedelta(days=1))[1] == "red"
    assert action.rag(today=action.due_date - dt.timedelta(days=10))[1] == "yellow"
    assert get_deadline(action, Kind.ACTION).due_date == action.due_date
    with pytest.raises(ValidationError) as error:
        services.action_update(
            action=action,
            actor=officer,
            status="in_progress",
            due_date=action.due_date + dt.timedelta(days=30),
        )
    assert "reason" in error.value.message_dict
    action = services.action_update(
        action=action,
        actor=officer,
        status="complete",
        due_date=action.due_date + dt.timedelta(days=30),
        reason="Audit team capacity",
        note="Audit done",
        evidence_of_impact="Referrals up 20%",
    )
    assert DeadlineChange.objects.filter(deadline=get_deadline(action, Kind.ACTION)).count() == 1
    with pytest.raises(PermissionDenied):
        services.action_sign_off(action=action, actor=officer)
    action = services.action_sign_off(action=action, actor=manager)
    assert action.status == "signed_off" and action.signed_off_by == manager
    assert get_deadline(action, Kind.ACTION).closed_on == TODAY()


def test_an_action_is_met_on_the_day_it_was_completed(local_review, people, agency):
    """Completed before its due date and signed off after it: on time. The sign-off
    cannot be dated in the future, nor before the completion."""
    from lcspr.models import Action

    officer, manager = people["officer"], people["manager"]
    recommendation = services.recommendation_add(
        review=local_review, actor=officer, text="Share referrals."
    )
    action = services.action_add(
        recommendation=recommendation,
        actor=officer,
        description="Audit referrals",
        agency=agency,
        lead="DI Shah",
        due_date=TODAY() + dt.timedelta(days=3),
    )
    action = services.action_update(
        action=action,
        actor=officer,
        status="complete",
        due_date=action.due_date,
        evidence_of_impact="Referrals up 20%",
    )
    assert action.completed_on == TODAY()
    clock = get_deadline(action, Kind.ACTION)
    assert (clock.closed_on, clock.outcome) == (TODAY(), Deadline.Outcome.MET)  # on completion
    # Completed 20 days ago, signed off a week after its due date (the manager was away).
    Action.objects.filter(pk=action.pk).update(completed_on=TODAY() - dt.timedelta(days=20))
    Deadline.objects.filter(pk=clock.pk).update(
        due_date=TODAY() - dt.timedelta(days=7), closed_on=TODAY() - dt.timedelta(days=20)
    )
    action.refresh_from_db()
    for day, message in [
        (TODAY() + dt.timedelta(days=1), "must be today or in the past"),
        (TODAY() - dt.timedelta(days=21), "must be the same as or after the day the action"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.action_sign_off(action=action, actor=manager, signed_on=day)
        assert message in error.value.message_dict["signed_on"][0]
    action = services.action_sign_off(action=action, actor=manager, signed_on=TODAY())
    clock = get_deadline(action, Kind.ACTION)
    assert clock.closed_on == TODAY() - dt.timedelta(days=20)
    assert clock.outcome == Deadline.Outcome.MET and action.signed_off_on == TODAY()


def test_an_action_completed_on_time_is_not_late_while_it_awaits_the_sign_off(
    local_review, people, agencies
):
    """Its clock stops when it is completed: the timeliness figures count it on time and
    the dashboard does not list it overdue while the manager has still to sign it off.
    Put back in progress, its clock runs again."""
    from safeguarding import reports
    from safeguarding.dashboard import build_dashboard

    officer = people["officer"]
    due = TODAY() + dt.timedelta(days=1)
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    action = services.action_add(
        recommendation=rec,
        actor=officer,
        description="Brief officers on information sharing",
        agency=agencies["police"],
        lead="Lead",
        due_date=due,
    )
    action = services.action_update(
        action=action,
        actor=officer,
        status="complete",
        due_date=due,
        evidence_of_impact="Audit shows referrals shared.",
    )
    later = TODAY() + dt.timedelta(days=7)
    period = reports.Period.custom(TODAY(), TODAY() + dt.timedelta(days=30))
    partnership = [local_review.partnership.pk]
    counted = reports.timeliness(partnership, period, today=later)["actions"]
    assert (counted.on_time, counted.late) == (1, 0)
    board = build_dashboard([local_review.partnership], today=later)
    assert [r for r in board.overdue if r.kind == Deadline.Kind.ACTION] == []
    assert action.rag(later)[0] == "Green: awaiting sign-off"
    action = services.action_update(
        action=action, actor=officer, status="in_progress", due_date=due
    )
    clock = get_deadline(action, Kind.ACTION)
    assert (clock.closed_on, clock.outcome, action.completed_on) == (None, "", None)
    board = build_dashboard([local_review.partnership], today=later)
    assert [r.kind for r in board.overdue].count(Deadline.Kind.ACTION) == 1


def test_publication_checks(local_review, people):
    officer = people["officer"]
    review = to_notice_sent(local_review, officer)
    services.briefing_save(review=review, actor=officer, values=BRIEFING)
    with pytest.raises(ValidationError) as error:
        publish(review, officer, checks=["pseudonyms"], report=None, public_summary="")
    assert {"checks", "report", "public_summary"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        publish(review, officer, kind="improvements", report=None)
    assert {"improvements", "improvements_reason"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        publish(review, officer, public_summary=f"About {review.reference}, Amelia's case")
    assert review.reference in error.value.message_dict["public_summary"][0]
    review = publish(
        review, officer, report=pdf_upload(), embargo_until=TODAY() + dt.timedelta(days=3)
    )
    assert review.status == Status.PUBLISHED
    # Published when the embargo lifts (in time here).
    clock = get_deadline(review, Kind.PUBLICATION)
    assert clock.closed_on == TODAY() + dt.timedelta(days=3)
    assert clock.outcome == Deadline.Outcome.MET


def test_approving_the_final_report_stops_the_earlier_milestones_still_open(
    local_review, people, client
):
    """Steps never marked done no longer fall overdue once the report is approved. The
    approval page names them first, and the review's page then shows them as not recorded
    (not 'no longer needed', as if they were not done, nor 'paused'). A planned date
    before the decision is refused."""
    from tests.utils import sign_in

    officer = people["officer"]
    review = local_review
    with pytest.raises(ValidationError) as refused:
        services.milestone_update(
            review=review,
            actor=officer,
            key="agency_reports",
            planned=review.decision_date - dt.timedelta(days=1),
            reason="Typed wrongly",
        )
    assert "same as or after the decision" in str(refused.value)
    services.review_save_terms(review=review, actor=officer, text="T.", agreed_on=days_ago(40))
    review.refresh_from_db()
    sign_in(client, officer)
    html = client.get(reverse("lcspr:approve", args=[review.pk])).content.decode()
    assert (
        "No date is recorded yet for: Agency reports in, Practitioner learning event, "
        "Family engagement, Draft report. Once the final report is approved, the timetable "
        "shows these steps as not recorded"
    ) in " ".join(html.split())
    services.review_approve_final(review=review, actor=officer, approved_on=days_ago(20))
    milestones = Deadline.objects.for_subject(review).filter(kind=Kind.LCSPR_MILESTONE)
    assert not milestones.filter(closed_on__isnull=True).exists()
    assert milestones.get(key="terms_agreed").outcome == Deadline.Outcome.MET
    assert milestones.get(key="agency_reports").outcome == Deadline.Outcome.CANCELLED
    html = client.get(review.get_absolute_url()).content.decode()
    assert html.count(">Not recorded<") == 4
    assert "No longer needed" not in html and "Paused" not in html


@pytest.mark.parametrize(
    "links, ok",
    [
        ("Working Together 2023 | https://www.gov.uk/guidance", True),
        ("https://learning.nspcc.org.uk/", True),
        ("", True),
        ("bad link line", False),
        ("Working Together 2023 | javascript:alert(1)", False),
        ("Good | https://a.example\nNo address |", False),
    ],
)
def test_briefing_links_must_be_web_addresses(local_review, people, links, ok):
    values = {**BRIEFING, "links": links}
    if ok:
        saved = services.briefing_save(review=local_review, actor=people["officer"], values=values)
        assert saved.links == links
        return
    with pytest.raises(ValidationError) as refused:
        services.briefing_save(review=local_review, actor=people["officer"], values=values)
    assert "must end with a web address starting https://" in str(refused.value)


def test_the_briefing_form_says_what_is_missing_in_words():
    from lcspr.forms import BriefingForm

    form = BriefingForm(data={})
    assert not form.is_valid()
    assert form.errors["title"] == ["Enter the title of the briefing"]
    assert form.errors["key_learning"] == ["Enter at least one key learning point"]


def test_the_same_recommendation_twice_is_refused(local_review, people):
    officer = people["officer"]
    services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    with pytest.raises(ValidationError) as error:
        services.recommendation_add(review=local_review, actor=officer, text="  share   SOONER. ")
    assert "Recommendation 1 already says this" in error.value.message_dict["text"][0]
    assert local_review.recommendations.count() == 1


# --- closed without publication ---------------------------------------------------------------


def test_a_manager_closes_a_review_that_will_not_be_published(local_review, people):
    """For example when the National Panel takes a national review of the case: every
    clock stops as "no longer needed", the review leaves the open ones, it is final."""
    officer, manager = people["officer"], people["manager"]
    review = services.review_put_on_hold(
        review=local_review,
        actor=officer,
        reason=HoldReason.OTHER,
        note="Waiting for the National Panel",
        held_since=days_ago(10),
        look_again_on=TODAY() + dt.timedelta(days=5),
    )
    args = dict(review=review, reason="The National Panel took a national review.")
    with pytest.raises(PermissionDenied):
        services.review_close(actor=officer, closed_on=TODAY(), **args)
    with pytest.raises(ValidationError) as error:
        services.review_close(actor=manager, closed_on=None, **{**args, "reason": " "})
    assert set(error.value.message_dict) == {"closed_on", "reason"}

    review = services.review_close(actor=manager, closed_on=TODAY(), **args)
    assert review.status == Status.CLOSED
    assert (review.closed_on, review.held_since) == (TODAY(), None)
    clocks = Deadline.objects.for_subject(review)
    assert not clocks.open().exists()
    assert not clocks.filter(outcome=Deadline.Outcome.PAUSED).exists()
    assert clocks.get(kind=Kind.PUBLICATION).outcome == Deadline.Outcome.CANCELLED
    assert not Review.objects.open().filter(pk=review.pk).exists()
    assert StatusChange.objects.filter(review=review, to_status=Status.CLOSED).count() == 1
    with pytest.raises(services.TransitionError):
        services.review_close(actor=manager, closed_on=TODAY(), **args)
    with pytest.raises(services.TransitionError):
        services.review_resume(review=review, actor=officer, resumed_on=TODAY())
    # Final: nothing about it changes any more.
    attempts = [
        lambda: services.milestone_update(
            review=review, actor=officer, key="draft_report", planned=TODAY(), actual=TODAY()
        ),
        lambda: services.review_save_terms(
            review=review, actor=officer, text="New", agreed_on=TODAY()
        ),
        lambda: services.recommendation_add(review=review, actor=officer, text="Learn"),
        lambda: services.briefing_save(review=review, actor=officer, values=BRIEFING),
    ]
    for attempt in attempts:
        with pytest.raises(services.TransitionError, match="closed without publication"):
            attempt()
    draft = get_deadline(review, Kind.LCSPR_MILESTONE, "draft_report")
    assert draft.outcome == Deadline.Outcome.CANCELLED


def test_closing_a_review_stops_its_actions_clocks(local_review, people, agency):
    """A closed review's actions can no longer be signed off, so their clocks stop too
    rather than stay overdue for ever (and keep the case from its retention end)."""
    manager = people["manager"]
    recommendation = services.recommendation_add(
        review=local_review, actor=manager, text="Share referrals."
    )
    action = services.action_add(
        recommendation=recommendation,
        actor=manager,
        description="Train staff",
        agency=agency,
        lead="DI Shaw",
        due_date=days_ago(1),
    )
    local_review.refresh_from_db()
    assert get_deadline(action, Kind.ACTION).closed_on is None
    services.review_close(
        review=local_review, actor=manager, reason="A national review", closed_on=TODAY()
    )
    clock = get_deadline(action, Kind.ACTION)
    assert (clock.closed_on, clock.outcome) == (TODAY(), Deadline.Outcome.CANCELLED)


def test_a_published_review_cannot_be_closed(local_review, people):
    from .conftest import publish, to_notice_sent

    review = publish(to_notice_sent(local_review, people["officer"]), people["officer"])
    with pytest.raises(services.TransitionError):
        services.review_close(review=review, actor=people["manager"], reason="r", closed_on=TODAY())
    review.refresh_from_db()
    assert review.status == Status.PUBLISHED


@pytest.mark.parametrize(
    ("step", "said"),
    [
        ("terms", "the day the terms of reference were agreed"),
        ("hold", "the day the review went on hold"),
        ("resumed", "the day the review last came off hold"),
        ("approved", "the day the final report was approved"),
        ("notice", "the day the final report went to the Panel and DfE"),
    ],
)
def test_a_review_is_not_closed_before_a_step_already_recorded(local_review, people, step, said):
    """Closing is dated like every other step: not before what the review records as
    done already (a hold's clock would close before it started, and the record would say
    the review ended before its final report was approved or sent)."""
    from .conftest import to_notice_sent

    officer, manager = people["officer"], people["manager"]
    review = local_review
    if step == "notice":
        review = to_notice_sent(review, officer, notice_days_ago=15)
        recorded = review.notice_sent_on
    else:
        review = services.review_save_terms(
            review=review, actor=officer, text="Terms.", agreed_on=days_ago(30)
        )
        recorded = review.terms_agreed_on
    if step in ("hold", "resumed"):
        review = services.review_put_on_hold(
            review=review,
            actor=officer,
            reason=HoldReason.INQUEST,
            note="",
            held_since=days_ago(20),
            look_again_on=TODAY() + dt.timedelta(days=30),
        )
        recorded = review.held_since
    if step == "resumed":
        review = services.review_resume(review=review, actor=officer, resumed_on=days_ago(10))
        recorded = review.resumed_on
    if step == "approved":
        review = services.review_approve_final(
            review=review, actor=officer, approved_on=days_ago(10)
        )
        recorded = review.final_approved_on
    args = dict(review=review, actor=manager, reason="The Panel took a national review.")
    with pytest.raises(ValidationError) as error:
        services.review_close(closed_on=recorded - dt.timedelta(days=1), **args)
    assert said in error.value.message_dict["closed_on"][0]
    review.refresh_from_db()
    assert review.status != Status.CLOSED
    review = services.review_close(closed_on=recorded, **args)
    assert (review.status, review.closed_on) == (Status.CLOSED, recorded)


def test_publishing_after_the_statutory_date_needs_the_reason(make_review, people):
    """Decided 200 days ago: the 6 months have passed, so the reason is asked for, kept
    and shown."""
    from .conftest import open_review, publish, to_notice_sent

    officer = people["officer"]
    review = to_notice_sent(open_review(make_review, people, decided_days_ago=200), officer)
    assert review.target_publication < TODAY()
    with pytest.raises(ValidationError) as error:
        publish(review, officer)
    assert error.value.message_dict["late_reason"] == [
        "Enter why the review is published after the statutory date "
        f"({review.target_publication:%-d %B %Y}, 6 months after the decision)"
    ]
    review.refresh_from_db()
    review = publish(review, officer, late_reason="The inquest was adjourned twice.")
    assert review.status == Status.PUBLISHED
    assert review.late_reason == "The inquest was adjourned twice."


def test_an_embargoed_report_is_published_when_it_becomes_public(make_review, people):
    """Decided 150 days ago (its statutory date about a month away): published today
    under an embargo lifting after that date, it is late, and its clock is met on the
    day the embargo lifts."""
    import datetime as dt

    from .conftest import open_review, publish, to_notice_sent

    officer = people["officer"]
    review = to_notice_sent(open_review(make_review, people, decided_days_ago=150), officer)
    lifts = review.target_publication + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as error:
        publish(review, officer, embargo_until=lifts)
    assert error.value.message_dict["late_reason"] == [
        "Enter why the review becomes public after the statutory date "
        f"({review.target_publication:%-d %B %Y}, 6 months after the decision)"
    ]
    review.refresh_from_db()
    review = publish(review, officer, embargo_until=lifts, late_reason="Press release date.")
    clock = get_deadline(review, Kind.PUBLICATION)
    assert clock.closed_on == lifts and clock.closed_on > clock.due_date
    # Without the embargo the same day is on time.
    other = to_notice_sent(open_review(make_review, people, decided_days_ago=150), officer)
    other = publish(other, officer)
    assert get_deadline(other, Kind.PUBLICATION).closed_on == TODAY()
    assert other.late_reason == ""


def test_a_review_on_hold_past_its_statutory_date_counts_as_late(make_review, people):
    """The Panel sees a review not published within 6 months, hold or not (ADR 0015):
    the timeliness figures count it late, not leave it out; one on hold before its date
    is still pending."""
    from safeguarding import reports

    from .conftest import open_review

    officer = people["officer"]
    late = open_review(make_review, people, decided_days_ago=300)
    pending = open_review(make_review, people, decided_days_ago=30)
    for review, since in ((late, 250), (pending, 10)):
        services.review_put_on_hold(
            review=review,
            actor=officer,
            reason=HoldReason.CRIMINAL_PROCEEDINGS,
            note="Trial listed",
            held_since=days_ago(since),
            look_again_on=TODAY() + dt.timedelta(days=30),
        )
        assert get_deadline(review, Kind.PUBLICATION).outcome == Deadline.Outcome.PAUSED
    period = reports.Period(days_ago(400), TODAY() + dt.timedelta(days=400), "two years")
    figures = reports.timeliness([late.partnership.pk], period, today=TODAY())["lcspr"]
    assert (figures.total, figures.on_time, figures.late, figures.pending) == (2, 0, 1, 1)


# --- correcting the date of the decision --------------------------------------------------------


def test_a_mistyped_decision_date_is_corrected_with_the_dates_counted_from_it(local_review, people):
    from dateutil.relativedelta import relativedelta

    from safeguarding.models import AuditEvent

    manager, officer = people["manager"], people["officer"]
    args = dict(review=local_review, reason="Typed the wrong month.")
    with pytest.raises(PermissionDenied):
        services.review_correct_decision_date(actor=officer, decided_on=days_ago(70), **args)
    publication = get_deadline(local_review, Kind.PUBLICATION)
    draft = get_deadline(local_review, Kind.LCSPR_MILESTONE, "draft_report")
    right = days_ago(70)
    review = services.review_correct_decision_date(
        actor=manager, decided_on=right, expected_version=local_review.version, **args
    )
    review.refresh_from_db()
    assert review.decision_date == right
    assert review.target_publication == right + relativedelta(months=6)
    publication.refresh_from_db()
    assert (publication.trigger_date, publication.due_date) == (right, review.target_publication)
    draft.refresh_from_db()
    assert draft.trigger_date == right and draft.due_date < draft.changes.get().old_due
    assert draft.changes.get().reason == "Typed the wrong month."
    review.rapid_review.refresh_from_db()
    assert review.rapid_review.decided_on == right  # the two records agree
    event = AuditEvent.objects.get(
        object_type="lcspr.review",
        object_id=str(review.pk),
        action="update",
        changes__has_key="decision_date",
    )
    assert event.changes["decision_date"] == {"old": str(days_ago(60)), "new": str(right)}


def test_the_decision_date_is_not_corrected_past_later_steps_or_after_a_hold(local_review, people):
    manager, officer = people["manager"], people["officer"]
    review = services.review_save_terms(
        review=local_review, actor=officer, text="Terms.", agreed_on=days_ago(50)
    )
    with pytest.raises(ValidationError) as error:
        services.review_correct_decision_date(
            review=review, actor=manager, decided_on=days_ago(40), reason="r"
        )
    assert "the day the terms of reference were agreed" in error.value.message_dict["decided_on"][0]
    review = services.review_put_on_hold(
        review=review,
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        held_since=days_ago(5),
        look_again_on=TODAY() + dt.timedelta(days=5),
    )
    review = services.review_resume(review=review, actor=officer, resumed_on=TODAY())
    with pytest.raises(services.TransitionError):
        services.review_correct_decision_date(
            review=review, actor=manager, decided_on=days_ago(61), reason="r"
        )
    review.refresh_from_db()
    assert review.decision_date == days_ago(60)


def test_a_notice_recorded_again_counts_the_7_working_days_from_the_latest(local_review, people):
    """A revised report went to the Panel and DfE after a hold: publication must wait 7
    working days from that copy, not the first."""
    from safeguarding.models import AuditEvent

    officer = people["officer"]
    review = to_notice_sent(local_review, officer, notice_days_ago=20)
    first = review.notice_sent_on
    with pytest.raises(ValidationError) as error:
        services.review_send_notice(
            review=review,
            actor=officer,
            sent_on=first - dt.timedelta(days=1),
            planned_publication=TODAY(),
        )
    assert "the earlier notice" in error.value.message_dict["sent_on"][0]
    again = days_ago(2)
    review = services.review_send_notice(
        review=review,
        actor=officer,
        sent_on=again,
        planned_publication=services.earliest_publication(review, again).due,
        expected_version=review.version,
    )
    review.refresh_from_db()
    assert (review.status, review.notice_sent_on) == (Status.NOTICE_SENT, again)
    event = AuditEvent.objects.filter(changes__notice_sent_on__has_key="old").get()
    assert event.changes["notice_sent_on"] == {"old": str(first), "new": str(again)}
    # Publishing today is now too early: 7 working days from the latest notice.
    with pytest.raises(ValidationError) as error:
        publish(review, officer, published_on=TODAY())
    assert "published_on" in error.value.message_dict
