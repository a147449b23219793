"""The administration site reads like the rest of the service: only the pages it uses,
named in the service's own words."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    return client


# --- Pages the service does not use ---------------------------------------------------------

#: Django's groups (roles are memberships, and administrators have full access or none)
#: and django-celery-beat's schedule (declared in safeguarding/celery.py, which beat
#: copies over the stored one each time it starts).
UNUSED = {
    "auth": ["group"],
    "django_celery_beat": [
        "periodictask",
        "intervalschedule",
        "crontabschedule",
        "clockedschedule",
        "solarschedule",
    ],
}


def test_the_index_lists_no_groups_and_no_beat_schedule(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    for app, models in UNUSED.items():
        assert f"/admin/{app}/" not in page
        for model in models:
            assert f"/admin/{app}/{model}/" not in page
    for words in ("Groups", "Periodic tasks", "Intervals", "Crontabs", "Clocked", "Solar"):
        assert words not in page


@pytest.mark.parametrize(
    "url",
    [f"/admin/{app}/" for app in UNUSED]
    + [
        f"/admin/{app}/{model}/{page}"
        for app, models in UNUSED.items()
        for model in models
        for page in ("", "add/")
    ],
)
def test_the_unused_pages_are_not_found_even_for_full_access(admin_client, url):
    assert admin_client.get(url).status_code == 404
