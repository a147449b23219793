"""The child's form open in two tabs, both changed (safeguarding/opened.py): the page
refused as stale shows at each question both changed what the other tab saved (a line of
text, a date as the service writes it, a radio's and a list's choice by its label), and
merges the agencies the child was known to as sets."""

import datetime as dt
import re

from django.test import Client
from django.urls import reverse

from notifications import services
from tests.factories import AgencyFactory
from tests.utils import date_fields, form_as_shown, sign_in

from .conftest import child_values

SAVED = "Saved by someone else or in another tab:"


def _saved_at(html: str, name: str) -> str | None:
    """What the page says is saved now at the question `name`, as words, or None."""
    rest = html.split(f'id="div_id_{name}"', 1)[1]
    part = re.split(r'id="div_id_\w+"', rest, maxsplit=1)[0]
    if SAVED not in part:
        return None
    note = part.split(SAVED, 1)[1].split("</div>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", note).split())


def test_a_child_both_tabs_changed_shows_what_the_other_saved_and_merges_the_agencies(
    people, partnership, agency, make_incident
):
    incident = make_incident(complete=False, children=0)
    health, school, care = (
        AgencyFactory(name=name, partnerships=[partnership])
        for name in ("Midshire Health", "Brook School", "Children’s Social Care")
    )
    child = services.child_save(
        incident=incident,
        actor=people["officer"],
        values=child_values(name="Ruby Example", date_of_birth=dt.date(2019, 5, 1)),
        known_to=[agency, health],
    )
    url = reverse("notifications:child-edit", args=[incident.pk, child.pk])
    browser = Client()
    sign_in(browser, people["officer"])
    page = browser.get(url).content.decode()
    tab_a, tab_b = form_as_shown(page), form_as_shown(page)
    a = {
        **tab_a,
        "name": "Ruby <A>",
        **date_fields("date_of_birth", dt.date(2019, 3, 4)),
        "sex": "male",
        "ethnicity": "asian_chinese",
        "known_to": [str(agency.pk), str(health.pk), str(school.pk)],
    }
    assert browser.post(url, a).status_code == 302
    b = {
        **tab_b,
        "name": "Ruby B",
        **date_fields("date_of_birth", dt.date(2019, 6, 7)),
        "sex": "not_known",
        "ethnicity": "asian_indian",
        "known_to": [str(health.pk), str(care.pk)],  # the police off, social care on
    }
    refused = browser.post(url, b)
    html = refused.content.decode()
    assert refused.status_code == 200 and "changed after you opened this page" in html
    shown = form_as_shown(html)
    assert (shown["name"], shown["sex"], shown["ethnicity"]) == (
        ["Ruby B"],
        ["not_known"],
        ["asian_indian"],
    )
    assert sorted(shown["known_to"]) == sorted(str(a.pk) for a in (health, school, care))
    assert _saved_at(html, "name") == "Ruby &lt;A&gt;"
    assert _saved_at(html, "date_of_birth") == "4 March 2019"
    assert _saved_at(html, "sex") == "Male"
    assert _saved_at(html, "ethnicity") == "Asian or Asian British: Chinese"
    assert _saved_at(html, "known_to") == "Brook School Midshire Health Midshire Police"
    assert _saved_at(html, "status_at_time") is None and _saved_at(html, "health") is None
    assert "Their choices and yours are combined in them" in html
    assert "‘Known to which agencies’" in html
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    assert summary.count("<li>") == 1 and 'href="#id_name"' in summary
    assert browser.post(url, shown).status_code == 302
    child.refresh_from_db()
    assert (child.name, child.date_of_birth, child.sex) == (
        "Ruby B",
        dt.date(2019, 6, 7),
        "not_known",
    )
    assert sorted(child.known_to.values_list("name", flat=True)) == [
        "Brook School",
        "Children’s Social Care",
        "Midshire Health",
    ]
