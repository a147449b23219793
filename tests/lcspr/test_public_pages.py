"""The public Learning from reviews pages as a visitor meets them: what the browser and
any cache in between are told, page titles, pages of results, and what stays off them."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lcspr.models import LearningTheme, PublishedReview
from lcspr.views.public import PAGE_SIZE
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
        reverse("learning:cookies"),
        reverse("learning:privacy"),
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
        reverse("learning:privacy"),
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


# --- pages of results ------------------------------------------------------------------------


def _cards(html: str) -> list[str]:
    """The titles listed, in order."""
    return [
        part.partition('">')[2].partition("</a>")[0]
        for part in html.split('class="govuk-summary-card__title"><a class="govuk-link" href="')[1:]
    ]


def test_a_long_list_comes_in_pages_with_the_recent_reviews_first(client, partnership):
    for n in range(23):
        listed(partnership, f"Recent {n:02d}", days_ago=10 + n)
    for n in range(4):
        listed(partnership, f"Archived {n}", days_ago=4 * 365 + n)
    url = reverse("learning:partnership", args=["bscp"])
    first = client.get(url).content.decode()
    assert _cards(first) == [f"Recent {n:02d}" for n in range(20)]
    assert 'id="recent"' in first and 'id="archive"' not in first
    assert 'class="govuk-pagination"' in first and "?page=2" in first
    assert "<title>Brookfield SCP – Learning from reviews</title>" in first
    second = client.get(url, {"page": 2}).content.decode()
    recent, _, archive = second.partition('id="archive"')
    assert _cards(recent) == ["Recent 20", "Recent 21", "Recent 22"]
    assert _cards(archive) == [f"Archived {n}" for n in range(4)]
    assert "<title>Brookfield SCP (page 2 of 2) – Learning from reviews</title>" in second
    for page in ("99", "0", "-1", "two", "\x00", "1" * 40):
        response = client.get(url, {"page": page})
        assert response.status_code == 200, page
        assert _cards(response.content.decode()), page


def test_a_search_keeps_its_words_across_pages_and_lists_recent_reviews_first(client, partnership):
    listed(partnership, "Neglect: the archived one", days_ago=4 * 365)
    for n in range(21):
        listed(partnership, f"Neglect {n:02d}", summary="neglect", days_ago=10 + n)
    url = reverse("learning:index")
    html = client.get(url, {"q": "neglect", "year": "", "theme": ""}).content.decode()
    assert "?q=neglect&amp;page=2" in html
    second = client.get(url, {"q": "neglect", "page": 2}).content.decode()
    assert _cards(second)[-1] == "Neglect: the archived one"
    assert "No reviews match your search." not in second


def test_an_archive_with_nothing_matching_a_search_says_so_rather_than_that_it_is_empty(
    client, partnership
):
    """An archive holding older reviews, none of which match, must not read as if it
    held none: the visitor would stop looking there (and in the NSPCC repository)."""
    listed(partnership, "Neglect at home", summary="neglect", days_ago=10)
    listed(partnership, "Missing at night", days_ago=4 * 365)
    for url in (reverse("learning:index"), reverse("learning:partnership", args=["bscp"])):
        html = client.get(url, {"q": "neglect"}).content.decode()
        archive = html.partition('id="archive"')[2]
        assert _cards(html) == ["Neglect at home"]
        assert "No older reviews match your search." in archive
        assert "No older reviews here." not in archive
        unfiltered = client.get(url).content.decode().partition('id="archive"')[2]
        assert _cards(unfiltered) == ["Missing at night"]


def test_a_search_says_how_many_reviews_it_found_and_an_unfiltered_list_does_not(
    client, partnership
):
    """As GOV.UK's search pages do: the number found, across every page of results, read
    out by screen readers as the results change (a status)."""
    for n in range(PAGE_SIZE + 1):
        listed(partnership, f"Neglect at home {n}", summary="neglect", days_ago=10 + n)
    listed(partnership, "Missing at night", days_ago=20)
    for url in (reverse("learning:index"), reverse("learning:partnership", args=["bscp"])):
        html = client.get(url, {"q": "neglect"}).content.decode()
        assert f'role="status">{PAGE_SIZE + 1} reviews found</p>' in html
        second = client.get(url, {"q": "neglect", "page": 2}).content.decode()
        assert f"{PAGE_SIZE + 1} reviews found" in second
        one = client.get(url, {"q": "night"}).content.decode()
        assert 'role="status">1 review found</p>' in one
        none = client.get(url, {"q": "nothing like it"}).content.decode()
        assert 'role="status">0 reviews found</p>' in none
        assert "reviews found" not in client.get(url).content.decode()


def test_the_public_lists_take_the_same_queries_however_many_reviews(
    client, partnership, other_partnership
):
    themes = list(LearningTheme.objects.all()[:3])

    def counts():
        found = []
        for url, params in (
            (reverse("learning:index"), {}),
            (reverse("learning:index"), {"q": "learned", "theme": themes[0].slug}),
            (reverse("learning:partnership", args=["bscp"]), {"page": 2}),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, params).status_code == 200
            found.append(len(queries))
        return found

    def add(n):
        for _ in range(n):
            for owner in (partnership, other_partnership):
                item = listed(owner, days_ago=10 + next(_ids) % 2000)
                item.themes.set(themes)

    add(2)
    few = counts()
    add(40)
    assert counts() == few
    assert max(few) <= 8


def test_a_review_page_takes_a_few_queries(client, partnership, django_assert_max_num_queries):
    item = listed(partnership)
    item.themes.set(LearningTheme.objects.all())
    with django_assert_max_num_queries(3):
        assert client.get(item.get_absolute_url()).status_code == 200


# --- filters the lists do not offer ------------------------------------------------------------


def _selected(html: str, name: str) -> list[str]:
    """The values of the options selected in the dropdown `name` ("" for "All")."""
    select = html.partition(f'name="{name}"')[2].partition("</select>")[0]
    return [
        option.partition('"')[0]
        for option in select.split('<option value="')[1:]
        if " selected" in option.partition(">")[0]
    ]


def test_a_year_or_theme_the_dropdowns_do_not_offer_is_not_applied_and_the_page_says_so(
    client, partnership
):
    """An address with a year no review was published in (1999, or one whose reviews were
    withdrawn) or a theme not in the list (mistyped, or switched off) used to list nothing
    while its dropdown said "All". It is now left out: the list is what "All" lists, the
    dropdown says "All", and the page says why. What the dropdowns offer still filters."""
    themes = list(LearningTheme.objects.filter(is_active=True)[:2])
    switched_off = LearningTheme.objects.create(name="Old theme", slug="old-theme", is_active=False)
    this_year = listed(partnership, "A review this year")
    this_year.themes.set([themes[0], switched_off])
    older = listed(partnership, "An older review", days_ago=800)
    older.themes.set([themes[1]])
    both = {"A review this year", "An older review"}
    for url in (reverse("learning:index"), reverse("learning:partnership", args=["bscp"])):
        for params, notice in (
            ({"year": "1999"}, "There are no reviews published in 1999"),
            ({"year": "nineteen"}, "The year in the web address is not one listed here"),
            ({"year": "9" * 30}, "The year in the web address is not one listed here"),
            ({"theme": "nonsense"}, "The learning theme in the web address is not one listed"),
            ({"theme": switched_off.slug}, "The learning theme in the web address is not one"),
        ):
            response = client.get(url, params)
            assert response.status_code == 200, (url, params)
            html = response.content.decode()
            assert set(_cards(html)) == both, (url, params)
            assert _selected(html, "year") == [] and _selected(html, "theme") == [], params
            assert notice in " ".join(html.split()), (url, params)
            assert "No reviews match your search." not in html
            said = html.partition('id="filters-left-out"')[2].partition("</div>")[0]
            assert "nonsense" not in said and "nineteen" not in said  # never repeated back
        # A year and a theme offered still filter, and are shown chosen; one left out
        # beside them leaves them working.
        html = client.get(url, {"year": str(older.year), "theme": "nonsense"}).content.decode()
        assert _cards(html) == ["An older review"]
        assert _selected(html, "year") == [str(older.year)] and _selected(html, "theme") == []
        assert "The learning theme in the web address is not one listed" in " ".join(html.split())
        html = client.get(url, {"theme": themes[0].slug, "year": "1999"}).content.decode()
        assert _cards(html) == ["A review this year"]
        assert _selected(html, "theme") == [themes[0].slug] and _selected(html, "year") == []
        html = client.get(url, {"year": str(this_year.year)}).content.decode()
        assert _cards(html) == ["A review this year"] and "web address" not in html
        assert "There are no reviews published" not in html


def test_a_filter_left_out_costs_no_query_and_keeps_the_pages_caching_and_head(
    client, partnership, django_assert_max_num_queries
):
    listed(partnership).themes.set(LearningTheme.objects.filter(is_active=True)[:1])
    for url in (reverse("learning:index"), reverse("learning:partnership", args=["bscp"])):
        with CaptureQueriesContext(connection) as plain:
            client.get(url)
        with django_assert_max_num_queries(len(plain)):
            response = client.get(url, {"year": "1999", "theme": "nonsense"})
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"] and "Cookie" in response["Vary"]
        head = client.head(url, {"year": "1999", "theme": "nonsense"})
        assert head.status_code == 200 and head.content == b""


def test_the_recommendations_are_a_numbered_list_named_apart_from_the_briefings_areas(
    client, partnership
):
    """The review's recommendations (its action plan's) are not the learning briefing's
    areas for practice improvement, which its PDF and PowerPoint list: the heading says
    whose they are, and they are a real numbered list, a recommendation of two lines
    kept as one item."""
    import re

    item = listed(
        partnership,
        recommendations="1. Ask who lives in the home.\n2. Share sooner.\nWithin a week.",
    )
    html = client.get(item.get_absolute_url()).content.decode()
    assert "The review’s recommendations to the partnership" in html
    assert "areas for practice improvement" in html
    found = re.search(r'<ol class="govuk-list govuk-list--number"[^>]*>(.*?)</ol>', html, re.S)
    assert found, html
    items = re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.S)
    assert [i.strip() for i in items] == [
        "Ask who lives in the home.",
        "Share sooner.\nWithin a week.",
    ]
    assert 'app-pre-wrap">1. ' not in html


def test_a_recommendation_with_numbered_lines_of_its_own_stays_one_item(client, partnership):
    """A recommendation written with its own numbered steps ("1. Audit…" on a line of
    its own) was split into several items on the public page, renumbering the rest: the
    public copy keeps a recommendation's later lines indented under it, so only the
    recommendation's own number starts an item."""
    import re
    from types import SimpleNamespace

    text = PublishedReview.recommendations_text(
        [
            SimpleNamespace(number=1, text="Improve information sharing:\n1. Audit.\n\n2. Train."),
            SimpleNamespace(number=2, text="Listen to the child."),
        ]
    )
    item = listed(partnership, recommendations=text)
    html = client.get(item.get_absolute_url()).content.decode()
    found = re.search(r'<ol class="govuk-list govuk-list--number"[^>]*>(.*?)</ol>', html, re.S)
    items = re.findall(r'<li value="(\d+)"[^>]*>(.*?)</li>', found.group(1), re.S)
    assert items == [
        ("1", "Improve information sharing:\n1. Audit.\n\n2. Train."),
        ("2", "Listen to the child."),
    ]
