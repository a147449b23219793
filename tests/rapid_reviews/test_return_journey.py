"""The agency's return journey as its contributors walk it: the list of its requests,
the check page before submitting, and the confirmation once the return is sent."""

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.utils import sign_in

from .conftest import return_and_submit
from .test_request_list_columns import row_of, table_listing, text


def client_for(user):
    client = Client()
    sign_in(client, user)
    return client


def tags(fragment: str) -> list[str]:
    return [text(t) for t in re.findall(r'<strong class="govuk-tag[^"]*">(.*?)</strong>', fragment)]


def test_a_return_sent_late_has_one_tag_on_the_agencys_list(sent_requests, contributors):
    """ "Returned" and "Returned late" side by side said the same thing twice."""
    late, on_time = sent_requests["police"], sent_requests["health"]
    type(late).objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    late.refresh_from_db()
    return_and_submit(late, contributors["police"])
    return_and_submit(on_time, contributors["health"])
    listing = client_for(contributors["police"]).get(reverse("rapid_reviews:contributor-list"))
    assert tags(row_of(table_listing(listing.content.decode(), late), late)) == ["Returned late"]
    listing = client_for(contributors["health"]).get(reverse("rapid_reviews:contributor-list"))
    html = listing.content.decode()
    assert tags(row_of(table_listing(html, on_time), on_time)) == ["Returned"]
