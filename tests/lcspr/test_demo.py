import pytest
from django.urls import reverse

from lcspr.demo import seed_local_reviews
from lcspr.models import PublishedReview, Review, Status
from notifications.demo import seed_incidents
from rapid_reviews.demo import seed_rapid_reviews
from safeguarding.demo import seed_people_and_places
from safeguarding.models import Partnership

pytestmark = pytest.mark.django_db


def test_demo_local_reviews(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    seed_people_and_places()
    for partnership in Partnership.objects.filter(code__in=["BSCP", "ASCP"]):
        seed_incidents(partnership)
        seed_rapid_reviews(partnership)
    assert seed_local_reviews() > 0
    assert seed_local_reviews() == 0  # safe to run again
    statuses = set(Review.objects.values_list("status", flat=True))
    assert {Status.IN_PROGRESS, Status.ON_HOLD, Status.PUBLISHED} <= statuses
    titles = set(PublishedReview.objects.values_list("title", flat=True))
    assert {
        "Are you listening to me?",
        "Are you sure you know who visits or lives in my house?",
    } <= titles
    for item in PublishedReview.objects.all():
        assert item.briefing_pdf and item.briefing_pptx
        assert Review.objects.get(pk=item.source_review_id).briefing.pdf_pages == 1, item.title
    html = client.get(reverse("learning:partnership", args=["bscp"])).content.decode()
    assert "Are you listening to me?" in html
    html = client.get(reverse("learning:partnership", args=["ascp"])).content.decode()
    assert "Who was looking after me at night?" in html.split('id="archive"')[1]
    # Something for every role to see: a reviewer's reply, a request still to answer, an
    # action an agency completed that waits for the manager's sign-off.
    from lcspr.models import Action, ActionStatus, PartnerCheck
    from lcspr.selectors import (
        actions_for_contributor,
        actions_to_sign_off,
        written_requests_to_answer,
    )
    from safeguarding.models import User

    answered = PartnerCheck.objects.filter(replied_at__isnull=False)
    assert answered.exists() and not answered.filter(unit_told_at__isnull=True).exists()
    reviewer = User.objects.get(email="reviewer@bscp.example")
    assert written_requests_to_answer(reviewer).exists()
    manager = User.objects.get(email="manager@bscp.example")
    assert actions_to_sign_off(manager).exists()
    assert Action.objects.filter(status=ActionStatus.COMPLETE).count() >= 1
    # Each agency's demo contributor has something waiting on their home page: the
    # police their force's actions to update (recorded by the force itself), health the
    # request sent back for more; and the completed action awaiting the manager's
    # sign-off was marked complete by its agency's own contributor.
    from rapid_reviews.models import AWAITING_RETURN
    from rapid_reviews.selectors import information_requests_for_contributor
    from tests.utils import sign_in

    police = User.objects.get(email="police@bscp.example")
    health = User.objects.get(email="health@bscp.example")
    waiting = actions_for_contributor(police).filter(
        status__in=[ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]
    )
    assert waiting.exists()
    assert waiting.filter(notes__author=police).exists()
    sign_in(client, police)
    home = client.get(reverse("safeguarding:home")).content.decode()
    assert reverse("lcspr:agency-action", args=[waiting.first().pk]) in home
    assert "Your agency has no actions to update." not in home
    assert information_requests_for_contributor(health).filter(status__in=AWAITING_RETURN)
    for action in actions_to_sign_off(manager):
        assert action.notes.filter(author__memberships__agency=action.agency).exists()
