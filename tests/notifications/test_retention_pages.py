"""The pages around a decision to keep a case past retention, as its readers see them:
no banner that belongs to something else, and the case's History in words."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from notifications import services
from safeguarding.dates import full_date
from tests.utils import sign_in

from .test_retention_keep import TODAY, _keep, _one_date, old  # noqa: F401 - the fixtures

pytestmark = pytest.mark.django_db

#: The banner base.html shows only for typing kept across a timeout.
SIGNED_OUT_BANNER = "You were signed out, but we kept what you typed"


def test_a_kept_case_does_not_say_the_manager_was_signed_out(old, people, client):  # noqa: F811
    """The retention pages' own "kept" (a kept case) was read by base.html as typing kept
    across a timeout: every one of them said "You were signed out"."""
    _keep(old, people)
    sign_in(client, people["manager"])
    for url in (
        reverse("notifications:retention"),
        reverse("notifications:case-delete", args=[old.pk]),
        reverse("notifications:case-keep", args=[old.pk]),
        reverse("notifications:case-keep-stop", args=[old.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SIGNED_OUT_BANNER not in unescape(response.content.decode()), url


def test_the_case_history_says_kept_until_and_stopped(old, people, client):  # noqa: F811
    hold = _keep(old, people, days=400, reason="Inquest not ended")
    services.case_keep_stop(incident=old, actor=people["manager"], reason="Inquest finished")
    sign_in(client, people["manager"])
    response = client.get(reverse("notifications:detail", args=[old.pk]))
    page = " ".join(unescape(response.content.decode()).split())
    until = full_date(hold.review_on)
    assert f"kept the case past its retention period, to look at it again on {until}" in page
    assert f"stopped keeping the case past its retention period (it was kept until {until})" in page
    assert "Reason: Inquest not ended" in page and "Reason: Inquest finished" in page
    assert "retention and review on" not in page
    assert TODAY() + dt.timedelta(days=400) == hold.review_on
