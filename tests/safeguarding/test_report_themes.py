"""Learning themes across local reviews on the timeliness page (one grouped query)."""

import pytest
from django.urls import reverse

from lcspr import services
from lcspr.models import LearningTheme
from safeguarding import reports
from tests.lcspr.conftest import local_review  # noqa: F401 - fixture
from tests.rapid_reviews.conftest import make_review  # noqa: F401 - fixture
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def test_themes_of_reviews_decided_in_the_period(client, people, local_review, partnership):  # noqa: F811
    curiosity = LearningTheme.objects.get(name__icontains="curiosity")
    voice = LearningTheme.objects.get(name__icontains="voice of the child")
    services.review_set_themes(
        review=local_review, actor=people["manager"], themes=[curiosity, voice]
    )
    year = local_review.decision_date.year
    period = reports.Period(
        start=local_review.decision_date.replace(month=1, day=1),
        end=local_review.decision_date.replace(month=12, day=31),
        label=str(year),
    )
    # Equal counts are ordered by name.
    expected = sorted([(curiosity.name, 1), (voice.name, 1)])
    assert reports.learning_themes([partnership.pk], period) == expected
    # Other partnerships' figures never include this review.
    assert reports.learning_themes([partnership.pk + 1000], period) == []

    sign_in(client, people["manager"])
    html = client.get(
        reverse("safeguarding:timeliness"), {"period": "year", "year": str(year)}
    ).content.decode()
    assert "Learning themes across reviews" in html
    assert curiosity.name in html and voice.name in html


def test_the_regional_order_gives_away_no_suppressed_count(client, people, make_review):  # noqa: F811
    """A theme in 4 reviews and one in 1 both read "fewer than 5": they are listed by
    name, not by their exact counts."""
    from django.utils import timezone

    from tests.lcspr.conftest import open_review

    LearningTheme.objects.all().delete()
    alpha = LearningTheme.objects.create(name="Aaa alpha theme", slug="aaa")
    zeta = LearningTheme.objects.create(name="Zzz zeta theme", slug="zzz")
    for i in range(4):
        review = open_review(make_review, people, decided_days_ago=0)
        themes = [zeta, alpha] if i == 0 else [zeta]
        services.review_set_themes(review=review, actor=people["officer"], themes=themes)
    year = timezone.localdate().year
    sign_in(client, people["regional"])
    html = client.get(
        reverse("safeguarding:regional"), {"period": "year", "year": str(year)}
    ).content.decode()
    assert 0 < html.index("Aaa alpha theme") < html.index("Zzz zeta theme")
