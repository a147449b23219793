"""The officer's page of a request: who its e-mails go to, said in whole sentences."""

import pytest

from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def test_the_request_page_says_plainly_who_its_emails_go_to(
    client, review, sent_requests, contributors, people
):
    from django.urls import reverse

    police = sent_requests["police"]
    sign_in(client, people["officer"])
    html = client.get(reverse("rapid_reviews:request", args=[review.pk, police.pk])).content
    html = html.decode()
    assert contributors["police"].email in html
    assert "contributors here:" not in html
    assert (
        "These are the agency’s contributors in this partnership. Emails about this "
        "request go to them."
    ) in html
