"""A partnership's rapid review timetable, set in the administration site: every mistake
said at once, each at the step to change, and the page says what the days count."""

import pytest
from django.urls import reverse

from rapid_reviews.models import Timetable
from tests.factories import UserFactory
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def _post(client, partnership, **days):
    values = {**Timetable.DEFAULTS_BY_KEY, **days}
    return client.post(
        reverse("admin:rapid_reviews_timetable_add"),
        {
            "partnership": partnership.pk,
            "requests_day": values["requests"],
            "returns_day": values["returns"],
            "meeting_day": values["meeting"],
            "sign_off_day": values["sign_off"],
            "panel_day": values["panel"],
        },
    )


def test_every_step_out_of_place_is_said_at_once(admin_client, partnership):
    """Only the first mistake was shown: fixing it showed the next (ADR 0021)."""
    response = _post(admin_client, partnership, requests=5, returns=3, sign_off=40, panel=16)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["returns_day"] == ["Enter day 5 or later: an earlier step is on day 5"]
    assert errors["sign_off_day"] == [
        "Enter day 15 or earlier: the rapid review is due within 15 working days"
    ]
    assert errors["panel_day"] == [
        "Enter day 15 or earlier: the rapid review is due within 15 working days"
    ]
    assert not Timetable.objects.exists()


def test_a_sign_off_after_day_15_is_said_at_the_sign_off_not_the_sending(admin_client, partnership):
    """A sign-off on day 16 asked for the sending to be on day 16 or later, which the
    sending's own check then refused: the administrator went round in a circle."""
    response = _post(admin_client, partnership, sign_off=16, panel=15)
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["sign_off_day"]
    assert errors["sign_off_day"] == [
        "Enter day 15 or earlier: the rapid review is due within 15 working days"
    ]


def test_the_page_says_what_the_days_count_and_when_a_change_applies(admin_client):
    page = admin_client.get(reverse("admin:rapid_reviews_timetable_add")).content.decode()
    assert "Working days after the notification was sent to the National Panel" in page
    assert "A partnership with no timetable of its own uses these days" in page
    assert "rapid reviews that open from then on" in page


def test_a_good_timetable_is_saved(admin_client, partnership):
    response = _post(admin_client, partnership, requests=2, returns=6, sign_off=13, panel=13)
    assert response.status_code == 302
    assert Timetable.objects.get(partnership=partnership).panel_day == 13
