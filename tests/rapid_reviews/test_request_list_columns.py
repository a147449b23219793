"""The lists of information requests as an agency reads them, often on a phone: a column
or a line that is the same on every row (the reader's own agency, their one partnership)
is said once above the table instead, so the reference has the width it needs; and a
case reference ("BSCP-2026-014") is never broken at its hyphens (`app-nowrap` on the
link, so the partnership's name under it still wraps). The partnership's own list of a
review's requests names the agency on every row: there it is what tells them apart."""

import html
import re

from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from safeguarding.calendar import add_working_days
from safeguarding.models import Membership, Role
from tests.factories import member
from tests.utils import sign_in


def tables(html: str) -> list[str]:
    return re.findall(r"<table\b.*?</table>", html, re.S)


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def headers(table: str) -> list[str]:
    return [text(h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, re.S)]


def caption(table: str) -> str:
    found = re.search(r"<caption\b[^>]*>(.*?)</caption>", table, re.S)
    return text(found.group(1)) if found else ""


def table_listing(html: str, request) -> str:
    """The table with the link to `request` (the agency's page of it)."""
    link = reverse("rapid_reviews:contributor-request", args=[request.pk])
    (table,) = [t for t in tables(html) if f'href="{link}"' in t]
    return table


def link_classes(table: str, request) -> list[str]:
    link = reverse("rapid_reviews:contributor-request", args=[request.pk])
    (classes,) = re.findall(rf'<a class="([^"]*)" href="{re.escape(link)}"', table)
    return classes.split()


def row_of(table: str, request) -> str:
    link = reverse("rapid_reviews:contributor-request", args=[request.pk])
    return next(r for r in re.findall(r"<tr\b.*?</tr>", table, re.S) if link in r)


def lists(client):
    """The agency's list of requests and its home page."""
    return (
        client.get(reverse("rapid_reviews:contributor-list")).content.decode(),
        client.get(reverse("safeguarding:home")).content.decode(),
    )


def test_one_agencys_contributor_is_told_their_agency_once_not_on_every_row(
    client, sent_requests, contributors, agency, partnership, people, django_assert_max_num_queries
):
    request = sent_requests["police"]
    sign_in(client, contributors["police"])
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("rapid_reviews:contributor-list")).content.decode()
    with django_assert_max_num_queries(10):
        home = client.get(reverse("safeguarding:home")).content.decode()

    table = table_listing(listing, request)
    assert headers(table) == ["Rapid review", "Due", "Status"]
    assert caption(table) == "Requests waiting for your agency’s return, soonest due first"
    assert "app-nowrap" in link_classes(table, request)
    # Said once, above the tables: which agency, for which partnership.
    assert f"Rapid reviews {partnership.name} has asked {agency.name} to contribute to." in text(
        listing
    )
    row = text(row_of(table, request))
    assert agency.name not in row and partnership.name not in row

    table = table_listing(home, request)
    assert headers(table) == ["Rapid review", "Due"]
    assert caption(table) == "Still to answer, soonest due first"
    assert "app-nowrap" in link_classes(table, request)
    assert agency.name not in text(row_of(table, request))

    # The partnership's list of the review's requests: the agency is the row's name.
    sign_in(client, people["officer"])
    detail = client.get(request.rapid_review.get_absolute_url()).content.decode()
    (table,) = [t for t in tables(detail) if caption(t) == "Information requests"]
    assert headers(table)[0] == "Agency"
    for other in sent_requests.values():
        assert other.agency.name in text(table)


def test_a_contributor_for_two_agencies_is_told_on_each_row_which_it_is_for(
    client, sent_requests, agencies, partnership, other_partnership, make_review
):
    other_partnership.agencies.add(agencies["health"])
    officer_b = member(Role.REVIEW_OFFICER, other_partnership, full_name="Officer B")
    (in_b,) = services.information_requests_create(
        rapid_review=make_review(partnership=other_partnership, actor=officer_b, name="Other"),
        actor=officer_b,
        agencies=[agencies["health"]],
        due_date=add_working_days(timezone.localdate(), 3),
        send=True,
    )
    both = member(Role.AGENCY_CONTRIBUTOR, partnership, agency=agencies["police"], full_name="B")
    Membership.objects.create(
        user=both,
        partnership=other_partnership,
        role=Role.AGENCY_CONTRIBUTOR,
        agency=agencies["health"],
    )
    sign_in(client, both)
    listing, home = lists(client)
    for request, where in [(sent_requests["police"], partnership), (in_b, other_partnership)]:
        table = table_listing(listing, request)
        assert headers(table) == ["Rapid review", "Agency", "Due", "Status"]
        assert "app-nowrap" in link_classes(table, request)
        row = text(row_of(table, request))
        assert request.agency.name in row and where.name in row
        table = table_listing(home, request)
        assert headers(table) == ["Rapid review", "Agency", "Due"]
        assert request.agency.name in text(row_of(table, request))
    assert "Rapid reviews your agency has been asked to contribute to." in text(listing)

    # One agency (the police) in both partnerships: the partnership on each row, the
    # agency once above.
    Membership.objects.filter(user=both, partnership=other_partnership).update(
        agency=agencies["police"]
    )
    (police_b,) = services.information_requests_create(
        rapid_review=in_b.rapid_review,
        actor=officer_b,
        agencies=[agencies["police"]],
        due_date=add_working_days(timezone.localdate(), 3),
        send=True,
    )
    listing, home = lists(client)
    for request, where in [(sent_requests["police"], partnership), (police_b, other_partnership)]:
        table = table_listing(listing, request)
        assert headers(table) == ["Rapid review", "Due", "Status"]
        row = text(row_of(table, request))
        assert where.name in row and agencies["police"].name not in row
        assert headers(table_listing(home, request)) == ["Rapid review", "Due"]
    assert f"Rapid reviews {agencies['police'].name} has been asked to contribute to." in text(
        listing
    )
