"""A refused request for another partnership's rapid review, information request, local
review or action-plan action is filed in the trail of the partnership that owns it too
(`safeguarding.audit.REFUSED_RECORDS`, ADR 0005 addendum)."""

import datetime as dt

import pytest
from django.urls import reverse

from lcspr import services
from safeguarding.audit import Action
from safeguarding.models import AuditEvent
from tests.rapid_reviews.conftest import send_requests
from tests.utils import sign_in

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(local_review, agencies, people):
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    action = services.action_add(
        recommendation=rec,
        actor=officer,
        description="Brief every response officer",
        agency=agencies["police"],
        lead="Named lead",
        due_date=TODAY() + dt.timedelta(days=30),
    )
    request = send_requests(local_review.rapid_review, agencies, officer)["police"]
    return {"review": local_review, "action": action, "request": request}


PAGES = {
    "rapid review": lambda c: reverse("rapid_reviews:detail", args=[c["review"].rapid_review.pk]),
    "information request": lambda c: reverse(
        "rapid_reviews:contributor-request", args=[c["request"].pk]
    ),
    "agency’s return": lambda c: reverse(
        "rapid_reviews:contributor-return", args=[c["request"].pk]
    ),
    "local review": lambda c: reverse("lcspr:detail", args=[c["review"].pk]),
    "action of a local review": lambda c: reverse(
        "lcspr:action", args=[c["review"].pk, c["action"].pk]
    ),
    "agency’s action": lambda c: reverse("lcspr:agency-action", args=[c["action"].pk]),
}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("who", ["other_officer", "other_police"])
def test_another_partnerships_person_refused_is_in_the_owners_trail(
    client, case, contributors, people, partnership, other_partnership, page, who
):
    visitor = contributors["other_police"] if who == "other_police" else people[who]
    sign_in(client, visitor)
    url = PAGES[page](case)
    assert client.get(url).status_code in {403, 404}
    events = AuditEvent.objects.filter(action=Action.REFUSED, actor=visitor, object_repr=url)
    assert sorted(e.partnership.code for e in events) == sorted(
        [partnership.code, other_partnership.code]
    )


def test_the_owner_is_found_in_one_query(case, django_assert_num_queries):
    from django.urls import resolve

    from safeguarding.audit import owner_of_refused

    for page, url in ((page, make(case)) for page, make in PAGES.items()):
        with django_assert_num_queries(1):
            assert owner_of_refused(resolve(url)) == case["review"].partnership.pk, page
    with django_assert_num_queries(1):
        missing = reverse("lcspr:agency-action", args=[case["action"].pk + 1000])
        assert owner_of_refused(resolve(missing)) is None
    with django_assert_num_queries(0):  # a page naming no record
        assert owner_of_refused(resolve(reverse("rapid_reviews:contributor-list"))) is None
