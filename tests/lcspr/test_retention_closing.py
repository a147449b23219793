"""A case's retention period counts from the day it closed: the latest of its stages'
end events (decision, rapid review sent or answered, local review published or closed,
last action signed off). A case with a stage, a clock or an action still open is not in
the retention report, and the delete page says what is open instead of asking why."""

import datetime as dt

import pytest
from django.urls import reverse

from lcspr import services
from lcspr.models import Action
from notifications import services as incident_services
from notifications.models import Incident
from notifications.selectors import incidents_past_retention
from rapid_reviews import services as rr_services
from safeguarding.dates import short_date
from safeguarding.models import Deadline
from tests.rapid_reviews.conftest import decide_and_sign
from tests.utils import sign_in

from .conftest import TODAY, days_ago, publish, to_notice_sent

pytestmark = pytest.mark.django_db


def _day(date: dt.date) -> str:
    return f"{date:%-d %B %Y}"


def _rapid_review_steps_done(review) -> None:
    """`open_review` opens the local review straight from an open rapid review: stop the
    rapid review's clocks, as sending it to the Panel would have."""
    Deadline.objects.filter(
        subject_type="rapid_reviews.rapidreview", subject_id=review.rapid_review_id
    ).update(closed_on=review.decision_date, outcome=Deadline.Outcome.MET)


def _published_with_actions(local, people, agency, *, actions=1):
    officer, manager = people["officer"], people["manager"]
    review = publish(
        to_notice_sent(local, officer, notice_days_ago=30), officer, published_on=days_ago(10)
    )
    _rapid_review_steps_done(review)
    recommendation = services.recommendation_add(
        review=review, actor=manager, text="Share referrals."
    )
    for n in range(actions):
        services.action_add(
            recommendation=recommendation,
            actor=manager,
            description=f"Train staff {n}",
            agency=agency,
            lead="DI Shaw",
            due_date=TODAY() + dt.timedelta(days=30),
        )
    return review


def _sign_off(action, manager, *, on):
    services.action_update(
        action=action,
        actor=manager,
        status="complete",
        due_date=action.due_date,
        evidence_of_impact="Audit shows referrals shared.",
    )
    Action.objects.filter(pk=action.pk).update(completed_on=on)  # completed that day
    services.action_sign_off(action=Action.objects.get(pk=action.pk), actor=manager, signed_on=on)


def test_the_report_counts_from_the_last_action_signed_off_not_the_notification(
    client, local_review, people, agency, settings
):
    settings.RETENTION_YEARS = 0
    review = _published_with_actions(local_review, people, agency)
    incident = review.rapid_review.incident
    sign_in(client, people["manager"])
    url = reverse("notifications:retention")
    # Published, but its action plan is still open: the case is live.
    assert incident.notified_on < TODAY()
    assert incident.reference not in client.get(url).content.decode()

    _sign_off(review.recommendations.get().actions.get(), people["manager"], on=days_ago(1))
    html = client.get(url).content.decode()
    assert incident.reference in html
    # Closed when the last action was signed off: after the notification and publication
    # (the list's table writes the short form).
    assert short_date(days_ago(1)) in html
    assert short_date(incident.notified_on) not in html
    assert short_date(days_ago(10)) not in html


def test_a_running_clock_or_a_review_still_open_keeps_the_case_out(
    client, local_review, people, settings
):
    settings.RETENTION_YEARS = 0
    incident = local_review.rapid_review.incident
    _rapid_review_steps_done(local_review)
    sign_in(client, people["manager"])
    url = reverse("notifications:retention")
    assert incident.reference not in client.get(url).content.decode()  # review under way

    review = publish(
        to_notice_sent(local_review, people["officer"], notice_days_ago=30),
        people["officer"],
        published_on=days_ago(10),
    )
    assert incident.reference in client.get(url).content.decode()
    # One clock of its rapid review left running: live again.
    Deadline.objects.filter(
        subject_type="rapid_reviews.rapidreview", kind=Deadline.Kind.RAPID_REVIEW
    ).update(closed_on=None, outcome="")
    assert incident.reference not in client.get(url).content.decode()
    assert review.pk


def test_without_a_local_review_the_case_closes_when_the_panel_has_the_rapid_review(
    make_review, people
):
    officer = people["officer"]
    rapid = decide_and_sign(make_review(), officer, decision="no_local_review")
    Deadline.objects.filter(subject_type="rapid_reviews.informationrequest").delete()
    tomorrow = TODAY() + dt.timedelta(days=1)

    def listed():
        past = incidents_past_retention(people["manager"], today=tomorrow, years=0)
        return {i.reference: i.case_closed_on for i in past}

    reference = rapid.incident.reference
    assert reference not in listed()  # decided and signed, not sent to the Panel yet
    rapid = rr_services.rapid_review_send_to_panel(
        rapid_review=rapid, actor=officer, sent_on=TODAY()
    )
    assert listed() == {reference: TODAY()}
    rapid = rr_services.rapid_review_record_panel_response(
        rapid_review=rapid,
        actor=officer,
        response="more_information",
        responded_on=TODAY(),
        note="Send the chronology.",
        more_information_by=TODAY() + dt.timedelta(days=10),
    )
    assert reference not in listed()  # the Panel is waiting for more


def test_deleting_an_open_case_names_what_is_open(local_review, people, agency, settings):
    settings.RETENTION_YEARS = 0
    review = _published_with_actions(local_review, people, agency, actions=2)
    incident = review.rapid_review.incident
    with pytest.raises(
        incident_services.TransitionError,
        match=f"its local review {incident.reference}’s action plan has 2 actions not signed off",
    ):
        incident_services.case_delete(incident=incident, actor=people["manager"], reason="r")
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_the_delete_page_of_an_open_case_says_why_instead_of_asking_for_a_reason(
    client, local_review, people, agency, settings
):
    settings.RETENTION_YEARS = 0
    review = _published_with_actions(local_review, people, agency)
    incident = review.rapid_review.incident
    sign_in(client, people["manager"])
    url = reverse("notifications:case-delete", args=[incident.pk])
    html = client.get(url).content.decode()
    assert f"{incident.reference} cannot be deleted" in html
    assert f"Its local review {incident.reference}’s action plan has 1 action not signed off" in (
        html
    )
    assert 'name="reason"' not in html
    html = client.post(url, {"reason": "Retention review with the DPO"}).content.decode()
    assert "action plan has 1 action not signed off" in html
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_the_delete_page_of_a_case_inside_its_period_says_when_it_may_go(
    client, local_review, people, agency, settings
):
    settings.RETENTION_YEARS = 1
    review = _published_with_actions(local_review, people, agency)
    _sign_off(review.recommendations.get().actions.get(), people["manager"], on=days_ago(3))
    sign_in(client, people["manager"])
    url = reverse("notifications:case-delete", args=[review.rapid_review.incident_id])
    html = client.get(url).content.decode()
    closed = days_ago(3)
    assert f"not past its retention period of 1 year: it closed on {_day(closed)}" in html
    assert (
        f"can be deleted from {_day(closed.replace(year=closed.year + 1) + dt.timedelta(days=1))}"
        in html
    )
    assert 'name="reason"' not in html
