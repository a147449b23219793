"""The agency's return form: "Add another row" with errors elsewhere, the rows' order,
where the error summary's links go, and contacts dated before the child was born."""

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapid_reviews.forms import MAX_ROWS
from rapid_reviews.models import AgencyReturn
from tests.utils import sign_in

from .conftest import return_post


def client_for(user):
    client = Client()
    sign_in(client, user)
    return client


def row(i, day, what, role="PC"):
    return {
        f"chronology-{i}-date_0": day.day,
        f"chronology-{i}-date_1": day.month,
        f"chronology-{i}-date_2": day.year,
        f"chronology-{i}-contact_type": "Call-out",
        f"chronology-{i}-what_happened": what,
        f"chronology-{i}-practitioner_role": role,
    }


def test_add_another_row_adds_it_even_with_errors_elsewhere(sent_requests, contributors):
    """The row is added and what was typed is shown again with its errors; nothing is
    saved half valid."""
    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    future = timezone.localdate() + dt.timedelta(days=30)
    posted = {
        **return_post(0, "An account", "Later"),
        **row(0, future, "A visit not yet made"),
        "analysis": "x" * 20001,
        "add_row": "1",
    }
    del posted["save"]
    response = client_for(contributors["police"]).post(url, posted)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="chronology-TOTAL_FORMS" value="2"' in html
    assert 'id="row-2"' in html
    assert "A visit not yet made" in html and "An account" in html
    assert "There is a problem" in html
    assert "The date of the contact must be today or in the past" in html
    assert "must be 20,000 characters or fewer" in html
    assert not AgencyReturn.objects.filter(information_request=request).exists()


def test_rows_keep_the_order_they_were_typed_in_until_the_check_page(sent_requests, contributors):
    """Saving does not re-sort the rows under the user ("Contact 2" stays Contact 2, and
    an error about it points to the row they remember); the check page and what is sent
    are in date order, as the form says."""
    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    a = client_for(contributors["police"])
    today = timezone.localdate()
    posted = {
        **return_post(0, "An account"),
        **row(0, today - dt.timedelta(days=2), "The later contact"),
        **row(1, today - dt.timedelta(days=9), "The earlier contact"),
        "chronology-TOTAL_FORMS": "2",
    }
    assert a.post(url, posted).status_code == 302
    form = a.get(url).content.decode()
    assert form.index("The later contact") < form.index("The earlier contact")
    assert "put into date order when you check your return" in form
    check = a.get(reverse("rapid_reviews:contributor-submit", args=[request.pk]))
    html = check.content.decode()
    assert html.index("The earlier contact") < html.index("The later contact")


FOCUSABLE = re.compile(r"<(input|textarea|select|button)\b[^>]*>|<[^>]+\btabindex=")


def summary_targets(html):
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def assert_each_link_goes_to_a_box(html):
    targets = summary_targets(html)
    assert targets
    for target, message in targets:
        element = re.search(rf'<[^>]*\bid="{re.escape(target)}"[^>]*>', html)
        assert element, (target, message)
        assert FOCUSABLE.match(element.group(0)), (target, message, element.group(0))


def test_each_error_summary_link_goes_to_a_box_that_takes_the_focus(sent_requests, contributors):
    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    a = client_for(contributors["police"])
    today = timezone.localdate()
    posted = {
        **return_post(0, "An account"),
        **row(0, today + dt.timedelta(days=3), "Not yet"),
        **row(1, today - dt.timedelta(days=3), ""),
        "chronology-TOTAL_FORMS": "2",
        "involved": "perhaps",
        "criteria_view": ["not-a-criterion"],
        "analysis": "x" * 20001,
    }
    html = a.post(url, posted).content.decode()
    targets = dict(summary_targets(html))
    assert "id_chronology-0-date_0" in targets and "id_chronology-1-what_happened" in targets
    assert "id_involved_1" in targets and "id_criteria_view_1" in targets
    assert_each_link_goes_to_a_box(html)
    # A chronology that cannot be read (its hidden counts lost): the link goes to a
    # button of the chronology, not to its heading.
    broken = {k: v for k, v in posted.items() if not k.startswith("chronology-")}
    assert_each_link_goes_to_a_box(a.post(url, broken).content.decode())


def test_a_contact_before_the_child_was_born_is_a_warning_on_the_check_page(
    sent_requests, contributors
):
    """Work before a birth is real, so it is not refused: the check page asks for the
    date to be checked (the contributor sees the child's name and date of birth while
    the return is awaited), and the return can still be submitted."""
    from rapid_reviews import services

    from .conftest import values_for_return

    request = sent_requests["police"]
    child = request.rapid_review.incident.children.get()
    born = child.date_of_birth
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(),
        rows=[
            {"date": born + dt.timedelta(days=30), "what_happened": "After the birth"},
            {"date": born - dt.timedelta(days=60), "what_happened": "Pre-birth meeting"},
        ],
    )
    a = client_for(contributors["police"])
    url = reverse("rapid_reviews:contributor-submit", args=[request.pk])
    html = a.get(url).content.decode()
    warning = html.split('class="govuk-warning-text"', 1)[1].split("</ul>", 1)[0]
    day = f"{born:%-d %B %Y}"
    # The check page's table is in date order (this contact is its first row), the form
    # in the order typed (its second row): the warning names the contact by its date
    # and what happened, not by a number that would differ between the two.
    before = f"{born - dt.timedelta(days=60):%-d %B %Y}"
    assert (
        f"The contact on {before} (“Pre-birth meeting”) is dated before "
        f"{child.name}’s date of birth ({day})" in warning
    )
    assert "Contact 1" not in warning and "Contact 2" not in warning
    # Its link goes to the row where it was typed, on the form.
    form = reverse("rapid_reviews:contributor-return", args=[request.pk])
    assert f'href="{form}#id_chronology-1-date_0"' in warning
    hidden = f'check the date<span class="govuk-visually-hidden"> of the contact on {before}'
    assert hidden in warning
    assert "After the birth" not in warning
    assert "govuk-error-summary" not in html
    assert a.post(url, {"version": version_in(html)}).status_code == 302


def version_in(html):
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def blank_row(i):
    """A row left empty, as the browser posts it."""
    return {
        **{f"chronology-{i}-date_{k}": "" for k in range(3)},
        f"chronology-{i}-contact_type": "",
        f"chronology-{i}-what_happened": "",
        f"chronology-{i}-practitioner_role": "",
    }


def total_forms(html):
    return int(re.search(r'name="chronology-TOTAL_FORMS" value="(\d+)"', html).group(1))


def test_add_another_row_pressed_twice_gives_two_empty_rows(sent_requests, contributors):
    """Without JavaScript, each press of "Add another row" adds a row: the empty rows
    already on the page are kept while the return is edited (saving leaves them out)."""
    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    a = client_for(contributors["police"])
    day = timezone.localdate() - dt.timedelta(days=3)
    posted = {**return_post(0, "An account"), **row(0, day, "A visit"), "add_row": "1"}
    del posted["save"]
    first = a.post(url, posted)
    # The page opens at the new row's Day box, which takes the focus (the e2e test).
    assert first.status_code == 302 and first.url.endswith("#id_chronology-1-date_0")
    html = a.get(first.url).content.decode()
    assert total_forms(html) == 2
    # Pressed again with the new row left empty: a second empty row, and the page goes
    # to it.
    again = {
        **posted,
        "version": str(version_in(html)),
        "chronology-TOTAL_FORMS": "2",
        "chronology-INITIAL_FORMS": "1",
        **blank_row(1),
    }
    second = a.post(url, again)
    assert second.status_code == 302 and second.url.endswith("#id_chronology-2-date_0")
    html = a.get(second.url).content.decode()
    assert total_forms(html) == 3
    assert 'id="row-3"' in html and 'id="id_chronology-2-date_0"' in html and "A visit" in html
    # Saving leaves the empty rows out.
    again = {**again, "version": str(version_in(html)), "chronology-TOTAL_FORMS": "3"}
    again.update(blank_row(2))
    del again["add_row"]
    assert a.post(url, {**again, "save": "1"}).status_code == 302
    request.agency_return.refresh_from_db()
    assert [e.what_happened for e in request.agency_return.chronology.all()] == ["A visit"]
    # An address typed by hand asks for no more rows than a return can have.
    html = a.get(f"{url}?add=100000").content.decode()
    assert total_forms(html) == MAX_ROWS
    assert total_forms(a.get(f"{url}?add=x").content.decode()) == 2
