"""The rapid review's History starts where the review did, whatever came after."""

import pytest

from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def _history(client, review):
    html = client.get(review.get_absolute_url()).content.decode()
    return html.split(">History<", 1)[1].split("</ol>", 1)[0]


def test_the_opening_line_stays_once_requests_are_sent(client, review, sent_requests, people):

    sign_in(client, people["officer"])
    history = _history(client, review)
    sent = f"{review.incident.notified_on:%-d %B %Y}"
    assert "→" in history  # the requests sent are in it
    # A walk found it gone once there was anything else: it was the empty list's line.
    assert f"Opened when the notification sent on {sent} was recorded." in history
    assert "No changes since" not in history
    assert history.index("Opened when") < history.index("→")
