"""The public Learning from reviews pages: no sign-in, only published (anonymised) copies,
no child names or internal references on any page or file."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pptx import Presentation
from pypdf import PdfReader

from lcspr import services
from lcspr.models import PublishedReview, Review
from tests.rapid_reviews.conftest import CHILD_NAME
from tests.utils import sign_in

from .conftest import BRIEFING, TODAY, open_review, publish, to_notice_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(local_review, people):
    officer = people["officer"]
    services.review_set_themes(
        review=local_review,
        actor=officer,
        themes=list(
            services.review.LearningTheme.objects.filter(
                slug__in=["the-voice-of-the-child", "neglect"]
            )
        ),
    )
    services.recommendation_add(
        review=local_review, actor=officer, text="Schools record the child’s words."
    )
    review = to_notice_sent(local_review, officer)
    return publish(review, officer)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _pages(client, published):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    code = item.partnership.code.lower()
    return item, [
        reverse("learning:index"),
        reverse("learning:partnership", args=[code]),
        reverse("learning:review", args=[code, item.slug]),
        reverse("learning:index") + "?q=listening",
    ]


def test_no_sign_in_and_no_child_names_or_references_anywhere(client, published):
    item, urls = _pages(client, published)
    secrets = [
        published.reference,
        *CHILD_NAME.split(),
        "Mia",
        "14 Secret Lane",
        "Hidden circumstances",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Are you listening to me?" in html
        for secret in secrets:
            assert secret not in html, (url, secret)
    code = item.partnership.code.lower()
    for kind in ("report", "briefing", "presentation"):
        response = client.get(reverse("learning:download", args=[code, item.slug, kind]))
        assert response.status_code == 200
        data = _body(response)
        if kind == "presentation":
            prs = Presentation(io.BytesIO(data))
            text = " ".join(
                shape.text_frame.text
                for slide in prs.slides
                for shape in slide.shapes
                if shape.has_text_frame
            ) + " ".join(s.notes_slide.notes_text_frame.text for s in prs.slides)
            text += " ".join(filter(None, [prs.core_properties.title, prs.core_properties.author]))
        elif kind == "report":
            # The uploaded report's pages, without its hidden properties.
            reader = PdfReader(io.BytesIO(data))
            assert "Child A was 14." in reader.pages[0].extract_text()
            assert reader.metadata.title == item.title
            text = data.decode("latin-1")
        else:
            reader = PdfReader(io.BytesIO(data))
            text = " ".join(p.extract_text() for p in reader.pages) + str(reader.metadata)
        for secret in secrets:
            assert secret not in text, (kind, secret)
        assert published.reference.encode() not in data


def test_public_files_are_the_published_copies(client, published, people):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    case_briefing = published.briefing
    assert item.briefing_pdf.name != case_briefing.pdf.name
    assert item.briefing_pdf.name.startswith(f"published/{item.partnership_id}/")
    original = item.briefing_pdf.open("rb").read()
    item.briefing_pdf.close()
    # The case side changes its briefing after publication: the public copy does not.
    services.briefing_save(
        review=published,
        actor=people["officer"],
        values={**BRIEFING, "title": "A changed draft title"},
    )
    url = reverse("learning:download", args=[item.partnership.code.lower(), item.slug, "briefing"])
    served = _body(client.get(url))
    assert served == original
    assert "A changed draft title" not in PdfReader(io.BytesIO(served)).pages[0].extract_text()


def test_the_public_views_never_read_case_tables(client, published, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item, urls = _pages(client, published)
    case_tables = ("lcspr_review", "notifications_", "rapid_reviews_", "safeguarding_deadline")
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        for q in queries.captured_queries:
            assert not any(t in q["sql"] for t in case_tables), (url, q["sql"])


def test_public_list_in_a_bounded_number_of_queries(
    client, make_review, people, django_assert_max_num_queries
):
    officer = people["officer"]
    for n in range(4):
        review = open_review(make_review, people, name=f"Childname{n} Surname{n}")
        review = to_notice_sent(review, officer)
        publish(review, officer, public_title=f"Learning {n}")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("learning:index")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("learning:partnership", args=["bscp"])).status_code == 200


def test_filter_by_theme_year_and_search(client, published, make_review, people):
    officer = people["officer"]
    other = to_notice_sent(open_review(make_review, people, name="Zed Quorn"), officer)
    publish(
        other,
        officer,
        public_title="Are you sure you know who visits or lives in my house?",
        public_summary="A baby was hurt by a man the professionals did not know about.",
    )
    index = reverse("learning:index")
    html = client.get(index, {"theme": "neglect"}).content.decode()
    assert "Are you listening to me?" in html and "who visits or lives" not in html
    html = client.get(index, {"q": "professional babies"}).content.decode()  # stemming
    assert "who visits or lives" in html and "Are you listening to me?" not in html
    # No search matches these words; a year the list does not offer is left out, and
    # the page says so (test_public_pages.py).
    html = client.get(index, {"q": "zebra crossing"}).content.decode()
    assert "No reviews match your search." in html
    html = client.get(index, {"year": TODAY().year - 1}).content.decode()
    assert "Are you listening to me?" in html and "who visits or lives" in html
    assert f"There are no reviews published in {TODAY().year - 1}" in html


def test_embargoed_and_archived_reviews(client, local_review, people):
    officer = people["officer"]
    review = to_notice_sent(local_review, officer)
    publish(review, officer, embargo_until=TODAY() + dt.timedelta(days=2))
    item = PublishedReview.objects.get()
    assert "Are you listening" not in client.get(reverse("learning:index")).content.decode()
    assert client.get(reverse("learning:review", args=["bscp", item.slug])).status_code == 404
    # The business unit's list and the review's page say it is not public yet.
    staff = Client()
    sign_in(staff, officer)
    listing = staff.get(reverse("lcspr:list")).content.decode()
    page = staff.get(review.get_absolute_url()).content.decode()
    for html in (listing, page):
        assert "Published, under embargo</strong>" in html
    # The review's page does not link to the public page while it is a 404: it says when
    # the public pages show it.
    public = reverse("learning:review", args=["bscp", item.slug])
    assert f'href="{public}"' not in page
    shown_from = f"{TODAY() + dt.timedelta(days=2):%-d %B %Y}"
    assert f"Shown on the public pages from {shown_from}, when the embargo ends" in page
    # The briefing changed since: said under embargo too (the public pages would show the
    # earlier version on the day the embargo ends).
    assert 'id="public-copy-outdated"' not in page
    from .conftest import BRIEFING

    services.briefing_save(
        review=review, actor=officer, values={**BRIEFING, "title": "Another title"}
    )
    page = staff.get(review.get_absolute_url()).content.decode()
    assert 'id="public-copy-outdated"' in page
    Review.objects.filter(pk=review.pk).update(embargo_until=TODAY())  # public from today
    listing = staff.get(reverse("lcspr:list")).content.decode()
    assert "under embargo" not in listing and ">Published</strong>" in listing
    PublishedReview.objects.update(
        embargo_until=None, published_on=TODAY() - dt.timedelta(days=4 * 365)
    )
    html = client.get(reverse("learning:partnership", args=["bscp"])).content.decode()
    recent, archive = html.split('id="archive"')
    assert "Are you listening" in archive and "Are you listening" not in recent
    assert "NSPCC national case review repository" in html


def test_exit_this_page_and_the_contrast_toggle(client, published):
    html = client.get(reverse("learning:index")).content.decode()
    assert 'data-module="govuk-exit-this-page"' in html and "Exit this page" in html
    assert "Use high contrast" in html and "app-high-contrast" not in html
    response = client.get(reverse("learning:contrast"), {"next": "/learning-from-reviews/bscp/"})
    assert response.status_code == 302 and response.url == "/learning-from-reviews/bscp/"
    assert response.cookies["lfr_contrast"].value == "high"
    html = client.get(reverse("learning:index")).content.decode()
    assert "app-high-contrast" in html and "Use standard contrast" in html
    evil = client.get(reverse("learning:contrast"), {"next": "https://evil.example/"})
    assert evil.url == "/learning-from-reviews/"


def test_unpublished_reviews_are_not_public(client, local_review):
    assert not Review.objects.filter(status="published").exists()
    html = client.get(reverse("learning:index")).content.decode()
    assert local_review.reference not in html
    assert client.get(reverse("learning:partnership", args=["nope"])).status_code == 404


def test_public_not_found_and_accessibility_pages_keep_the_public_layout(client, settings):
    settings.DEBUG = False
    for url, status in (
        ("/learning-from-reviews/nowhere/no-such-review/", 404),
        (reverse("learning:accessibility"), 200),
    ):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == status, url
        assert "Exit this page" in html and "Use high contrast" in html
        assert "another partnership" not in html and "your home page" not in html
    assert (
        "Accessibility statement for"
        in client.get(reverse("learning:accessibility")).content.decode()
    )
    # Staff pages keep the staff layout.
    staff = client.get("/no-such-page/").content.decode()
    assert "Exit this page" not in staff


def test_downloads_say_their_size(client, published):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    html = client.get(item.get_absolute_url()).content.decode()
    links = html.partition('id="downloads"')[2].partition("</ul>")[0]
    assert links.count('class="app-file-size"') == 3
    assert "KB</span>" in links or "bytes</span>" in links


def _theme_choices(html: str) -> list[tuple[str, bool]]:
    """The theme dropdown's choices: (web address name, chosen)."""
    select = re.search(r'<select class="govuk-select" id="theme".*?</select>', html, re.S)
    return [
        (value, bool(chosen))
        for value, chosen in re.findall(r'<option value="([^"]*)"( selected)?', select.group(0))
    ]


def test_the_theme_filter_offers_only_themes_with_a_published_review(
    client, published, partnership, other_partnership
):
    """Choosing a theme no published review has would find nothing: it is not offered
    (the library lists 20 themes; this review has two)."""
    index = reverse("learning:index")
    offered = [("", False), ("neglect", False), ("the-voice-of-the-child", False)]
    assert _theme_choices(client.get(index).content.decode()) == offered
    # A partnership's page offers the themes of its own reviews.
    page = client.get(reverse("learning:partnership", args=[partnership.code.lower()]))
    assert _theme_choices(page.content.decode()) == offered
    page = client.get(reverse("learning:partnership", args=[other_partnership.code.lower()]))
    assert _theme_choices(page.content.decode()) == [("", False)]


def test_a_theme_chosen_in_the_address_stays_chosen_when_it_has_no_reviews(client, published):
    """A link shared before a review was withdrawn, say: the page still shows the theme
    chosen, and that nothing has it, rather than listing every review as if unfiltered."""
    html = client.get(reverse("learning:index"), {"theme": "safe-sleep"}).content.decode()
    assert ("safe-sleep", True) in _theme_choices(html)
    assert ("", False) in _theme_choices(html)
    assert "not one listed here" not in html
    assert "Are you listening to me?" not in html


def test_the_accessibility_statement_does_not_list_the_qr_code_as_a_failure(client):
    """The two-factor set-up page's QR code has alternative text and the same set-up key
    as text beside it: it meets 1.1.1, so it is not listed as not accessible (the
    statement listed it, then said it met the criterion)."""
    html = client.get(reverse("learning:accessibility")).content.decode()
    not_accessible = html.split("We know some parts of this service are not fully", 1)[1]
    not_accessible = not_accessible.split("</ul>", 1)[0]
    assert "QR code" not in not_accessible
    non_compliant = html.split("Non-accessible content", 1)[1].split("<h2", 1)[0]
    assert "QR code" not in non_compliant and "we believe" not in non_compliant


def test_the_accessibility_statement_gives_the_sign_out_times_as_configured(client, settings):
    """The statement said "30 minutes" and "2 minutes" whatever the deployment set, and
    claimed a warning that only comes with JavaScript on: it now gives the configured
    times and lists the sign-out without warning (no JavaScript) as a failure of 2.2.1."""
    settings.SESSION_COOKIE_AGE = 20 * 60
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 90
    html = client.get(reverse("learning:accessibility")).content.decode()
    not_accessible = html.split("We know some parts of this service are not fully", 1)[1]
    not_accessible = not_accessible.split("</ul>", 1)[0]
    assert "after 20 minutes without activity" in not_accessible
    assert "90 seconds before" in not_accessible
    assert "without JavaScript" in not_accessible
    assert "30 minutes" not in html and "2 minutes" not in html
    non_compliant = html.split("Non-accessible content", 1)[1].split("<h2", 1)[0]
    assert "2.2.1" in non_compliant

    settings.SESSION_TIMEOUT_WARNING_SECONDS = 120
    html = client.get(reverse("learning:accessibility")).content.decode()
    assert "2 minutes before" in html
