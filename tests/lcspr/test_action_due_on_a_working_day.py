"""An action's due date is one its agency is asked to meet, as a return's is: the forms
refuse a weekend or a bank holiday, naming the day, but a date kept as it was is not
refused when the action's progress is saved."""

import datetime as dt

import pytest
from django.urls import reverse

from lcspr import services
from lcspr.models import Action
from safeguarding.calendar import add_working_days
from tests.utils import assert_errors_reported, date_fields, sign_in

pytestmark = pytest.mark.django_db

NEW_YEAR = dt.date(2027, 1, 1)  # a Friday and a bank holiday
SATURDAY = dt.date(2027, 1, 16)


@pytest.fixture
def added(local_review, people):
    rec = services.recommendation_add(review=local_review, actor=people["officer"], text="Ask.")
    return rec


@pytest.mark.parametrize(
    ("due", "said"),
    [
        (NEW_YEAR, "1 January 2027 is New Year"),
        (SATURDAY, "16 January 2027 is a Saturday"),
    ],
)
def test_adding_an_action_due_on_a_day_off_is_refused(
    client, local_review, people, added, due, said
):
    assert local_review.decision_date < NEW_YEAR
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:action-add", args=[local_review.pk, added.pk]),
        {
            "description": "Train the front door team",
            "agency": local_review.partnership.agencies.order_by("pk").first().pk,
            "lead": "Head of service",
            **date_fields("due_date", due),
        },
    )
    assert_errors_reported(
        response,
        {
            "due_date": (
                "id_due_date_0",
                f"The date the action is due must be a working day: {said}",
            )
        },
    )
    assert not Action.objects.exists()


def test_moving_an_action_to_a_day_off_is_refused_but_a_date_kept_is_not(
    client, local_review, people, added
):
    officer = people["officer"]
    # Set before the forms checked the day (or by the service itself): a Saturday.
    action = services.action_add(
        recommendation=added,
        actor=officer,
        description="Train the front door team",
        agency=local_review.partnership.agencies.order_by("pk").first(),
        lead="Head of service",
        due_date=SATURDAY,
    )
    url = reverse("lcspr:action", args=[local_review.pk, action.pk])
    sign_in(client, officer)

    def post(due, **more):
        action.refresh_from_db()
        data = {"status": "in_progress", "version": action.version, **date_fields("due_date", due)}
        return client.post(url, {**data, **more})

    response = post(NEW_YEAR, reason="The audit moved.")
    assert_errors_reported(
        response,
        {
            "due_date": (
                "id_due_date_0",
                "The date the action is due must be a working day: 1 January 2027 is New Year",
            )
        },
    )
    action.refresh_from_db()
    assert (action.due_date, action.status) == (SATURDAY, "not_started")
    # The Saturday kept as it was: the progress is saved.
    assert post(SATURDAY, note="Started.").status_code == 302
    action.refresh_from_db()
    assert (action.due_date, action.status) == (SATURDAY, "in_progress")
    # Moved to a working day: saved.
    monday = add_working_days(SATURDAY, 1)
    assert post(monday, reason="The audit moved.").status_code == 302
    action.refresh_from_db()
    assert action.due_date == monday == dt.date(2027, 1, 18)


def test_an_action_due_on_one_of_the_partnerships_closure_days_is_refused(
    client, local_review, people, added, other_partnership
):
    """Not only weekends and bank holidays: a day the partnership's office is closed is
    not a working day either. Another partnership's closure day does not count."""
    from safeguarding.models import ClosureDay

    closed = add_working_days(NEW_YEAR, 3)
    other = add_working_days(NEW_YEAR, 4)
    ClosureDay.objects.create(
        partnership=local_review.partnership, date=closed, reason="Office move"
    )
    ClosureDay.objects.create(partnership=other_partnership, date=other, reason="Training day")
    sign_in(client, people["officer"])
    url = reverse("lcspr:action-add", args=[local_review.pk, added.pk])
    answers = {
        "description": "Train the front door team",
        "agency": local_review.partnership.agencies.order_by("pk").first().pk,
        "lead": "Head of service",
    }
    response = client.post(url, {**answers, **date_fields("due_date", closed)})
    assert_errors_reported(
        response,
        {
            "due_date": (
                "id_due_date_0",
                "The date the action is due must be a working day: "
                f"{closed:%-d %B %Y} is a closure day (Office move)",
            )
        },
    )
    assert not Action.objects.exists()
    assert client.post(url, {**answers, **date_fields("due_date", other)}).status_code == 302
    assert Action.objects.get().due_date == other
