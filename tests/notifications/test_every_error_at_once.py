"""A form with several independent mistakes reports them all at once: the checks across
answers and against the case (a date that must not be before another, a reason a late
or changed date needs) run whenever the answers they need are valid, beside the other
fields' errors, and each is in the GOV.UK error summary linking to its field."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from tests.utils import date_fields, sign_in

pytestmark = pytest.mark.django_db


def _summary(html: str) -> str:
    return html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]


def _assert_all_reported(response, expected: dict[str, str]) -> None:
    """Every field's error, in the form and linked from the summary."""
    assert response.status_code == 200
    errors = response.context["form"].errors
    summary = _summary(response.content.decode())
    for field, anchor_and_words in expected.items():
        anchor, words = anchor_and_words
        assert field in errors, (field, dict(errors))
        assert words in str(errors[field]), (field, errors[field])
        assert f'href="#{anchor}"' in summary, (anchor, summary)
        assert words.replace("'", "&#x27;") in summary or words in summary


def test_record_notification_reports_the_date_order_with_the_missing_answers(
    client, people, make_incident
):
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    sign_in(client, people["officer"])
    before = incident.awareness_date - dt.timedelta(days=30)
    response = client.post(
        reverse("notifications:record", args=[incident.pk]),
        {**date_fields("sent_date", before), "sent_time": "", "dfe_reference": ""},
    )
    _assert_all_reported(
        response,
        {
            "sent_date": (
                "id_sent_date_0",
                "must be the same as or after the date the local authority became aware",
            ),
            "sent_time": ("id_sent_time", "Enter the time the notification was sent"),
            "dfe_reference": (
                "id_dfe_reference",
                "Enter the reference the DfE service gave the notification",
            ),
        },
    )


def test_record_notification_asks_for_the_late_reason_and_who_was_told_with_the_rest(
    client, people, make_incident
):
    officer = people["officer"]
    incident = make_incident(aware=timezone.localdate() - dt.timedelta(days=20))
    services.incident_update(
        incident=incident, actor=officer, changes={"other_local_authority": "Eastshire"}
    )
    incident = services.incident_submit_for_decision(incident=incident, actor=officer)
    sign_in(client, officer)
    response = client.post(
        reverse("notifications:record", args=[incident.pk]),
        {
            **date_fields("sent_date", timezone.localdate() - dt.timedelta(days=1)),
            "sent_time": "09:15",
            "dfe_reference": "",
            "late_reason": "",
            "other_partnerships_told": "",
        },
    )
    _assert_all_reported(
        response,
        {
            "dfe_reference": (
                "id_dfe_reference",
                "Enter the reference the DfE service gave the notification",
            ),
            "late_reason": (
                "id_late_reason",
                "Enter why the notification was sent after the due date",
            ),
            "other_partnerships_told": (
                "id_other_partnerships_told",
                "Enter who in Eastshire was told, and when",
            ),
        },
    )


def test_a_decision_not_to_notify_reports_its_date_order_with_the_missing_answers(
    client, people, make_incident
):
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    sign_in(client, people["manager"])
    response = client.post(
        reverse("notifications:not-notifying", args=[incident.pk]),
        {
            **date_fields("decided_on", incident.awareness_date - dt.timedelta(days=2)),
            "rationale": "",
            "agreed_by": "",
        },
    )
    _assert_all_reported(
        response,
        {
            "decided_on": (
                "id_decided_on_0",
                "The date of the decision must be the same as or after the date the local "
                "authority became aware",
            ),
            "rationale": (
                "id_rationale",
                "Enter the rationale for the decision not to notify",
            ),
            "agreed_by": (
                "id_agreed_by",
                "Enter who agreed the decision for each of the three partners",
            ),
        },
    )


def test_correcting_the_awareness_date_reports_its_order_and_the_missing_reason_together(
    client, people, make_incident
):
    officer = people["officer"]
    today = timezone.localdate()
    incident = make_incident(aware=today - dt.timedelta(days=10))
    services.incident_submit_for_decision(incident=incident, actor=officer)
    services.incident_record_notification(
        incident=incident,
        actor=officer,
        notified_at=timezone.now() - dt.timedelta(days=5),
        dfe_reference="SIN-9",
    )
    incident.refresh_from_db()
    sign_in(client, officer)
    response = client.post(
        reverse("notifications:correct-awareness", args=[incident.pk]),
        {
            **date_fields("awareness_date", today - dt.timedelta(days=2)),
            "reason": "",
            "version": incident.version,
        },
    )
    _assert_all_reported(
        response,
        {
            "awareness_date": (
                "id_awareness_date_0",
                "must be the same as or before the date the notification was sent",
            ),
            "reason": (
                "id_reason",
                "Enter why the date the local authority became aware is being corrected",
            ),
        },
    )


def test_correcting_when_it_was_sent_reports_the_date_and_the_missing_reason_together(
    client, people, make_incident
):
    officer = people["officer"]
    incident = make_incident(aware=timezone.localdate() - dt.timedelta(days=3))
    services.incident_submit_for_decision(incident=incident, actor=officer)
    services.incident_record_notification(
        incident=incident, actor=officer, notified_at=timezone.now(), dfe_reference="SIN-9"
    )
    incident.refresh_from_db()
    sign_in(client, officer)
    response = client.post(
        reverse("notifications:correct-notification", args=[incident.pk]),
        {
            **date_fields("sent_date", incident.awareness_date - dt.timedelta(days=4)),
            "sent_time": "25:99",
            "reason": "",
            "version": incident.version,
        },
    )
    _assert_all_reported(
        response,
        {
            "sent_date": (
                "id_sent_date_0",
                "must be the same as or after the date the local authority became aware",
            ),
            "sent_time": ("id_sent_time", "Enter the time as hours and minutes"),
            "reason": (
                "id_reason",
                "Enter why the date the notification was sent is being corrected",
            ),
        },
    )


def test_correcting_it_to_after_the_rapid_reviews_first_step_is_reported_with_the_rest(
    client, people, make_incident, settings, tmp_path
):
    """The check against the rapid review the notification opened (its meeting was on
    an earlier day) is reported beside a mistyped time and the missing reason; the
    service refuses the same date on its own (test_services)."""
    from rapid_reviews import services as rr_services
    from rapid_reviews.models import RapidReview
    from safeguarding.calendar import add_working_days

    settings.MEDIA_ROOT = tmp_path
    officer = people["officer"]
    today = timezone.localdate()
    # Aware well before the notification, whatever day of the week the test runs on.
    incident = make_incident(aware=today - dt.timedelta(days=14))
    incident = services.incident_submit_for_decision(incident=incident, actor=officer)
    first = add_working_days(today, -2, partnership=incident.partnership)
    incident = services.incident_record_notification(
        incident=incident,
        actor=officer,
        notified_at=timezone.make_aware(dt.datetime.combine(first, dt.time(9, 0))),
        dfe_reference="SIN-1",
        late_reason="Late.",
    )
    rr_services.rapid_review_record_meeting(
        rapid_review=RapidReview.objects.get(incident=incident),
        actor=officer,
        values={"meeting_date": first, "attendees": "Panel members"},
    )
    incident.refresh_from_db()
    sign_in(client, officer)
    response = client.post(
        reverse("notifications:correct-notification", args=[incident.pk]),
        {
            **date_fields("sent_date", today),
            "sent_time": "25:99",
            "reason": "",
            "version": incident.version,
        },
    )
    _assert_all_reported(
        response,
        {
            "sent_date": (
                "id_sent_date_0",
                f"on {first:%-d %B %Y}: the notification was sent on or before that day",
            ),
            "sent_time": ("id_sent_time", "Enter the time as hours and minutes"),
            "reason": (
                "id_reason",
                "Enter why the date the notification was sent is being corrected",
            ),
        },
    )
    incident.refresh_from_db()
    assert incident.notified_on == first


def test_the_dates_step_reports_a_childs_birth_the_reason_and_a_long_place_at_once(
    client, people, make_incident
):
    incident = make_incident()  # a child born on 1 May 2019
    sign_in(client, people["officer"])
    response = client.post(
        reverse("notifications:step", args=[incident.pk, "dates"]),
        {
            **date_fields("incident_date", dt.date(2018, 1, 1)),
            "incident_place": "x" * 201,
            **date_fields("awareness_date", incident.awareness_date - dt.timedelta(days=1)),
            "reason": "",
            "version": incident.version,
        },
    )
    _assert_all_reported(
        response,
        {
            "incident_date": (
                "id_incident_date_0",
                "The date of the incident must be the same as or after",
            ),
            "incident_place": ("id_incident_place", "must be 200 characters or fewer"),
            "reason": (
                "id_reason",
                "Enter why the date the local authority became aware has changed",
            ),
        },
    )
    incident.refresh_from_db()
    assert incident.incident_date != dt.date(2018, 1, 1)  # nothing was saved


def test_once_put_right_the_same_forms_save(client, people, make_incident):
    """The checks the forms run are the services' own: a form they pass is saved."""
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    sign_in(client, people["manager"])
    response = client.post(
        reverse("notifications:not-notifying", args=[incident.pk]),
        {
            **date_fields("decided_on", incident.awareness_date),
            "rationale": "Below the threshold.",
            "agreed_by": "LA, police and ICB leads.",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.decided_on == incident.awareness_date
