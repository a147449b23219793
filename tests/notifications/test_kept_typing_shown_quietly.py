"""Typing kept across a session timeout comes back as it was typed, without errors: the
person has not pressed the button since, so nothing is refused yet (drafts.py). The
banner saying so comes first on the page."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.utils import sign_in

pytestmark = pytest.mark.django_db

BANNER = "we kept what you typed"


def _time_out():
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))


def _back_after_timeout(client, user, url, typed):
    """`typed` posted to `url` after the session ran out, then `url` opened again after
    signing in: the page's HTML."""
    sign_in(client, user)
    client.get(url)  # the form, opened signed in
    _time_out()
    response = client.post(url, typed)
    assert response.status_code == 302 and reverse("safeguarding:sign-in") in response.url
    sign_in(client, user)
    return client.get(url).content.decode()


def _assert_quiet(html, *typed):
    assert BANNER in html
    for value in typed:
        assert value in html
    assert "govuk-error-summary" not in html
    assert "govuk-form-group--error" not in html and "govuk-error-message" not in html
    assert "<title>Error:" not in html
    # The banner comes before the page's heading and its form.
    assert html.index(BANNER) < html.index('<h1 class="govuk-heading-l">')


def test_a_new_incident_with_one_answer_typed_comes_back_without_errors(client, people):
    url = reverse("notifications:new")
    html = _back_after_timeout(
        client, people["officer"], url, {"incident_place": "Northgate library"}
    )
    _assert_quiet(html, "Northgate library")
    # Pressing the button then checks it as usual.
    response = client.post(url, {"incident_place": "Northgate library"})
    assert "Enter the date the local authority became aware" in response.content.decode()


def test_a_step_and_a_child_come_back_without_errors(client, people, make_incident):
    incident = make_incident(complete=False)
    step = reverse("notifications:step", args=[incident.pk, "notifier"])
    html = _back_after_timeout(
        client, people["officer"], step, {"notifier_contact": "not an address", "version": 1}
    )
    _assert_quiet(html, "not an address")

    child = reverse("notifications:child-add", args=[incident.pk])
    html = _back_after_timeout(
        client, people["officer"], child, {"name": "Ava Example", "version": 1}
    )
    _assert_quiet(html, "Ava Example")


def test_a_shared_form_page_comes_back_without_errors(
    client, people, partnership, settings, tmp_path
):
    from tests.rapid_reviews.conftest import notify

    settings.MEDIA_ROOT = tmp_path
    review = notify(partnership, people["officer"])
    url = reverse("rapid_reviews:meeting", args=[review.pk])
    html = _back_after_timeout(
        client,
        people["officer"],
        url,
        {"meeting_date_0": "31", "meeting_date_1": "", "learning_local": "Share the plan"},
    )
    _assert_quiet(html, "Share the plan", 'value="31"')


def test_every_case_form_shows_kept_typing_quietly():
    """Any page may be given kept typing back (drafts.py): each form and formset of the
    stages knows to show it without errors."""
    import importlib
    import inspect

    from django import forms

    from safeguarding.drafts import KeptValuesShownQuietly

    found = []
    for name in ("notifications.forms", "rapid_reviews.forms", "lcspr.forms", "safeguarding.forms"):
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, forms.BaseForm | forms.BaseFormSet):
                found.append(cls)
    assert len(found) > 40
    assert [c.__qualname__ for c in found if not issubclass(c, KeptValuesShownQuietly)] == []
