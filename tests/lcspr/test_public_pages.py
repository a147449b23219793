"""The public Learning from reviews pages as a visitor meets them: what the browser and
any cache in between are told, page titles, pages of results, and what stays off them."""

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from lcspr.models import PublishedReview
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

_ids = itertools.count(900_000)


def listed(partnership, title="Are you listening to me?", *, days_ago=10, **fields):
    """A published copy as the public lists read it (no files: lists do not open them)."""
    on = timezone.localdate() - dt.timedelta(days=days_ago)
    n = next(_ids)
    return PublishedReview.objects.create(
        partnership=partnership,
        source_review_id=n,
        slug=fields.pop("slug", f"review-{n}"),
        title=title,
        summary=fields.pop("summary", "What the partnership learned."),
        year=on.year,
        published_on=on,
        kind="full_report",
        **fields,
    )


def _title(response) -> str:
    html = response.content.decode()
    return html.partition("<title>")[2].partition("</title>")[0]


def test_public_pages_answer_head_requests(client, partnership):
    item = listed(partnership)
    for url in (
        reverse("learning:index"),
        reverse("learning:partnership", args=["bscp"]),
        item.get_absolute_url(),
        reverse("learning:accessibility"),
    ):
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b""


def test_two_partnerships_reviews_of_the_same_title_have_different_page_titles(
    client, partnership, other_partnership
):
    mine = listed(partnership, "Are you listening to me?")
    theirs = listed(other_partnership, "Are you listening to me?")
    titles = {_title(client.get(item.get_absolute_url())) for item in (mine, theirs)}
    assert titles == {
        "Are you listening to me? – Brookfield SCP – Learning from reviews",
        "Are you listening to me? – Ashdown SCP – Learning from reviews",
    }


def test_caches_must_ask_again_before_showing_a_public_page(client, partnership, people, settings):
    """A review withdrawn or an embargo ended shows at once: no browser or shared cache
    may show a public page without asking again. Signed in, nothing is kept at all."""
    settings.DEBUG = False
    item = listed(partnership)
    urls = [
        reverse("learning:index"),
        reverse("learning:partnership", args=["bscp"]),
        item.get_absolute_url(),
        reverse("learning:accessibility"),
        "/learning-from-reviews/bscp/no-such-review/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert "no-cache" in response["Cache-Control"], url
        assert "Cookie" in response["Vary"], url  # the contrast choice changes the page
    sign_in(client, people["officer"])
    for url in urls:
        assert client.get(url)["Cache-Control"] == "private, no-store", url


def test_a_partnership_switched_off_in_the_service_has_nothing_public(
    client, partnership, other_partnership
):
    """Its people can no longer sign in to correct or withdraw what it published, and
    its own page already answered "Page not found": its reviews go from every public
    page too (and come back if it is switched on again)."""
    theirs = listed(other_partnership, "Did anyone notice I was hungry?", days_ago=400)
    mine = listed(partnership, "Are you listening to me?")
    partnership.is_active = False
    partnership.save()
    index = client.get(reverse("learning:index")).content.decode()
    assert "Did anyone notice I was hungry?" in index
    assert "Are you listening to me?" not in index and "Brookfield SCP" not in index
    assert f'value="{mine.year}"' not in index and f'value="{theirs.year}"' in index
    found = client.get(reverse("learning:index"), {"q": "listening"}).content.decode()
    assert "Are you listening to me?" not in found
    assert client.get(mine.get_absolute_url()).status_code == 404
    assert client.get(reverse("learning:partnership", args=["bscp"])).status_code == 404
    partnership.is_active = True
    partnership.save()
    assert client.get(mine.get_absolute_url()).status_code == 200
