"""Concurrent edits (issue 8, item 5): a form opened before someone else saved the same
record is refused with a clear message, and the other person's change stands.

Each test opens the form (GET, reading the hidden version the page carries), lets a
colleague save first, then posts the stale form.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
    review,
    sent_requests,
    values_for_return,
)
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

STALE = "was changed after you opened this page, by someone else or in another tab or window"


def version_on_page(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "the form carries no version"
    return match.group(1)


def today_post(name):
    d = timezone.localdate()
    return {f"{name}_0": str(d.day), f"{name}_1": str(d.month), f"{name}_2": str(d.year)}


MEETING = {"meeting_date": timezone.localdate(), "attendees": "LA, police, health"}


def test_a_stale_meeting_form_does_not_record_over_a_colleagues(client, people, review):  # noqa: F811
    url = reverse("rapid_reviews:meeting", args=[review.pk])
    sign_in(client, people["officer"])
    version = version_on_page(client.get(url).content.decode())
    services.rapid_review_record_meeting(
        rapid_review=review, actor=people["manager"], values={**MEETING, "attendees": "First"}
    )
    html = client.post(
        url, {**today_post("meeting_date"), "attendees": "Second", "version": version}
    ).content.decode()
    assert STALE in html and "There is a problem" in html
    review.refresh_from_db()
    assert review.attendees == "First"


def test_a_stale_findings_form_does_not_overwrite(client, people, review):  # noqa: F811
    review = services.rapid_review_record_meeting(
        rapid_review=review, actor=people["officer"], values=MEETING
    )
    url = reverse("rapid_reviews:meeting", args=[review.pk])
    sign_in(client, people["officer"])
    version = version_on_page(client.get(url).content.decode())
    services.rapid_review_update_findings(
        rapid_review=review, actor=people["manager"], values={"learning_local": "Colleague's"}
    )
    html = client.post(
        url,
        {
            **today_post("meeting_date"),
            "attendees": "LA, police, health",
            "learning_local": "Mine",
            "version": version,
        },
    ).content.decode()
    assert f"This rapid review {STALE}" in html and "<title>Error:" in html
    review.refresh_from_db()
    assert review.learning_local == "Colleague's"


def test_a_stale_decision_form_is_refused(client, people, review):  # noqa: F811
    review = services.rapid_review_record_meeting(
        rapid_review=review, actor=people["officer"], values=MEETING
    )
    url = reverse("rapid_reviews:decision", args=[review.pk])
    sign_in(client, people["officer"])
    version = version_on_page(client.get(url).content.decode())
    # A colleague changes the findings the decision rests on.
    services.rapid_review_update_findings(
        rapid_review=review, actor=people["manager"], values={"key_practice_episodes": "New"}
    )
    html = client.post(
        url,
        {
            "decision": "no_local_review",
            "rationale": "Nothing to learn.",
            **today_post("decided_on"),
            "version": version,
        },
    ).content.decode()
    assert f"This rapid review {STALE}" in html and "There is a problem" in html
    review.refresh_from_db()
    assert review.decision == "" and review.status == "meeting_held"


def test_a_stale_return_form_does_not_overwrite_a_colleagues_draft(
    client,
    people,
    contributors,  # noqa: F811
    sent_requests,  # noqa: F811
):
    police = sent_requests["police"]
    services.agency_return_save_draft(
        information_request=police, actor=people["agency"], values=values_for_return(), rows=[]
    )
    url = reverse("rapid_reviews:contributor-return", args=[police.pk])
    sign_in(client, people["agency"])
    version = version_on_page(client.get(url).content.decode())
    police.refresh_from_db()
    services.agency_return_save_draft(
        information_request=police,
        actor=people["agency"],
        values=values_for_return(involvement_summary="Colleague's summary"),
        rows=[],
    )
    html = client.post(
        url,
        {
            "involved": "yes",
            "involvement_summary": "My summary",
            "version": version,
            "chronology-TOTAL_FORMS": "0",
            "chronology-INITIAL_FORMS": "0",
        },
    ).content.decode()
    assert f"This return {STALE}" in html and "There is a problem" in html
    police.agency_return.refresh_from_db()
    assert police.agency_return.involvement_summary == "Colleague's summary"


def test_a_stale_sign_off_form_does_not_overwrite_a_colleagues(client, people, review):  # noqa: F811
    from tests.rapid_reviews.conftest import decide_and_sign

    review = decide_and_sign(review, people["officer"], signers=())
    url = reverse("rapid_reviews:sign-off", args=[review.pk, "police"])
    sign_in(client, people["officer"])
    version = version_on_page(client.get(url).content.decode())
    services.rapid_review_sign_off(
        rapid_review=review,
        actor=people["manager"],
        partner="police",
        name="DI First",
        signed_on=timezone.localdate(),
    )
    html = client.post(
        url, {"name": "DI Second", **today_post("signed_on"), "version": version}
    ).content.decode()
    assert STALE in html and "There is a problem" in html
    assert review.sign_offs.get(partner="police").name == "DI First"


def test_a_refused_stale_form_keeps_the_typing_and_can_replace_knowingly(
    client,
    people,
    review,  # noqa: F811
):
    url = reverse("rapid_reviews:meeting", args=[review.pk])
    sign_in(client, people["officer"])
    version = version_on_page(client.get(url).content.decode())
    services.rapid_review_record_meeting(
        rapid_review=review, actor=people["manager"], values={**MEETING, "attendees": "First"}
    )
    mine = {**today_post("meeting_date"), "attendees": "Mine, typed at length"}
    html = client.post(url, {**mine, "version": version}).content.decode()
    assert f"This rapid review {STALE}" in html and "Mine, typed at length" in html
    moved_on = version_on_page(html)
    assert int(moved_on) == int(version) + 1
    review.refresh_from_db()
    assert review.attendees == "First"
    assert client.post(url, {**mine, "version": moved_on}).status_code == 302
    review.refresh_from_db()
    assert review.attendees == "Mine, typed at length"
