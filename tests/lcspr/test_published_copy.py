"""After publication: the public copy can be corrected (the briefing edited, then the
published copy updated, checked again) or withdrawn at once by a manager; the NSPCC
repository is claimed only once a copy went there, and its entry is ready to paste."""

import io

import pytest
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from lcspr import services
from lcspr.models import PublishedReview
from tests.utils import sign_in

from .conftest import BRIEFING, TODAY, local_review, publish, to_notice_sent  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(local_review, people):  # noqa: F811
    review = to_notice_sent(local_review, people["officer"])
    return publish(review, people["officer"])


def _public(client, item, kind=None):
    code = item.partnership.code.lower()
    if kind:
        return client.get(reverse("learning:download", args=[code, item.slug, kind]))
    return client.get(reverse("learning:review", args=[code, item.slug]))


def test_a_corrected_briefing_reaches_the_public_pages_only_when_updated(client, published, people):
    officer = people["officer"]
    item = PublishedReview.objects.get(source_review_id=published.pk)
    corrected = {**BRIEFING, "key_learning": "CORRECTED learning point one.\nPoint two."}
    sign_in(client, officer)
    saved = client.post(reverse("lcspr:briefing", args=[published.pk]), corrected, follow=True)
    assert "The public pages still show the earlier version" in saved.content.decode()
    page = client.get(published.get_absolute_url()).content.decode()
    assert 'id="public-copy-outdated"' in page
    client.logout()
    assert "CORRECTED" not in _public(client, item).content.decode()

    sign_in(client, officer)
    url = reverse("lcspr:published-update", args=[published.pk])
    refused = client.post(url, {"reason": ""})
    assert "Enter what was corrected" in refused.content.decode()
    assert client.post(url, {"reason": "Learning point one reworded"}).status_code == 302
    client.logout()
    page = _public(client, item).content.decode()
    assert "CORRECTED learning point one." in page and "Learning briefing updated" in page
    sign_in(client, officer)
    assert (
        'id="public-copy-outdated"' not in client.get(published.get_absolute_url()).content.decode()
    )
    client.logout()
    pdf = b"".join(_public(client, item, "briefing").streaming_content)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "CORRECTED" in text


def test_an_update_that_would_identify_the_child_is_refused(published, people):
    from django.core.exceptions import ValidationError

    recommendation = published.recommendations.create(number=9, text="Listen to Amelia.")
    with pytest.raises(ValidationError) as error:
        services.published_update(review=published, actor=people["officer"], reason="New rec")
    assert "‘Amelia’" in str(error.value)
    recommendation.delete()


def test_a_manager_withdraws_a_review_from_every_public_page(client, published, people):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    code = item.partnership.code.lower()
    assert _public(client, item).status_code == 200
    sign_in(client, people["officer"])
    url = reverse("lcspr:published-withdraw", args=[published.pk])
    assert client.get(url).status_code == 403  # an officer cannot
    page = client.get(published.get_absolute_url()).content.decode()
    assert (
        "lcspr:published-withdraw" not in page
        and f"/{published.pk}/published/withdraw/" not in page
    )

    sign_in(client, people["manager"])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert (
        client.post(url, {"reason": "A street name could identify the family"}).status_code == 302
    )
    client.logout()
    assert _public(client, item).status_code == 404
    for kind in ("report", "briefing", "presentation"):
        assert _public(client, item, kind).status_code == 404
    for listing in (reverse("learning:index"), reverse("learning:partnership", args=[code])):
        assert item.title not in client.get(listing).content.decode()
    sign_in(client, people["manager"])
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Withdrawn" in page and "A street name could identify the family" in page


def test_the_nspcc_repository_is_claimed_only_once_a_copy_went_there(client, published, people):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    assert "A copy is in the" not in _public(client, item).content.decode()
    services.review_record_nspcc(review=published, actor=people["officer"], sent_on=TODAY())
    assert "A copy is in the" in _public(client, item).content.decode()
    sign_in(client, people["officer"])
    page = client.get(published.get_absolute_url()).content.decode()
    entry = f"{item.year} - {published.partnership.local_authority} - {item.title}"
    assert escape(entry) in page and escape(item.summary) in page


def test_a_partnerships_year_filter_offers_only_its_own_years(client, published):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    PublishedReview.objects.filter(pk=item.pk).update(year=2023)
    other = reverse("learning:index")
    assert 'value="2023"' in client.get(other).content.decode()
    mine = reverse("learning:partnership", args=[item.partnership.code.lower()])
    html = client.get(mine).content.decode()
    assert 'value="2023"' in html
    PublishedReview.objects.filter(pk=item.pk).update(year=2024)
    assert 'value="2023"' not in client.get(mine).content.decode()


def test_the_update_page_says_when_the_titles_differ_and_a_withdrawn_review_has_no_entry(
    client, published, people
):
    officer = people["officer"]
    services.briefing_save(
        review=published, actor=officer, values={**BRIEFING, "title": "Who else is in my house?"}
    )
    sign_in(client, officer)
    html = client.get(reverse("lcspr:published-update", args=[published.pk])).content.decode()
    assert escape("The briefing's title is now ‘Who else is in my house?’") in html
    services.published_withdraw(review=published, actor=people["manager"], reason="A court order")
    page = client.get(published.get_absolute_url()).content.decode()
    assert 'id="nspcc-entry"' not in page
