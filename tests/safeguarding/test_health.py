import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get(reverse("safeguarding:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_a_broker_that_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("safeguarding:healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_the_footers_service_status_is_a_page_in_words(client):
    """The footer's link goes to a page for people, not the load balancers' JSON."""
    html = client.get(reverse("safeguarding:accessibility")).content.decode()
    assert f'href="{reverse("safeguarding:service-status")}">Service status' in html
    assert f'href="{reverse("safeguarding:healthz")}"' not in html
    response = client.get(reverse("safeguarding:service-status"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The service is working normally" in page
    assert "broker" not in page.lower() and "database" not in page.lower()


def test_the_service_status_page_says_when_the_service_is_not_working(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("safeguarding:service-status"))
    assert response.status_code == 503
    page = response.content.decode()
    assert "The service is not working properly at the moment" in page
    assert "working normally" not in page and "broker" not in page.lower()
