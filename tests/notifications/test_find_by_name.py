""" "Find a case by the child's name": the business unit finds a case by a child's real
name (and date of birth), posted so that the name is never in an address, only within
the partnerships they work in, and audited with the cases shown, never the name typed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Incident, Status
from safeguarding.models import AuditEvent, Membership, Role
from tests.notifications.conftest import child_values
from tests.utils import date_fields, sign_in

pytestmark = pytest.mark.django_db

URL = reverse("notifications:find-by-name")


@pytest.fixture
def log_child(people):
    """An incident of `partnership` logged by its officer, with one child."""

    def log(partnership, name, *, other_names="", born=dt.date(2019, 5, 1), actor=None):
        actor = actor or (
            people["officer"] if partnership.code == "BSCP" else people["other_officer"]
        )
        aware = timezone.localdate() - dt.timedelta(days=3)
        incident = services.incident_create(
            partnership=partnership, actor=actor, awareness_date=aware, incident_date=aware
        )
        services.child_save(
            incident=incident,
            actor=actor,
            values=child_values(
                name=name,
                other_names=other_names,
                date_of_birth=born,
                age_years=None if born else 6,
            ),
        )
        return incident

    return log


def search(client, name, born=None):
    data = {"name": name, **(date_fields("date_of_birth", born) if born else {})}
    return client.post(URL, data)


def references(response) -> set[str]:
    return {child.incident.reference for child in response.context["found"]}


def test_a_manager_finds_only_their_own_partnerships_child(
    client, people, partnership, other_partnership, log_child
):
    ours = log_child(partnership, "Jamie Smith")
    theirs = log_child(other_partnership, "Jamie Smith")
    sign_in(client, people["manager"])
    response = search(client, "Jamie Smith")
    assert response.status_code == 200
    assert references(response) == {ours.reference}
    html = response.content.decode()
    assert ours.reference in html and theirs.reference not in html
    assert reverse("notifications:detail", args=[ours.pk]) in html
    sign_in(client, people["other_officer"])
    assert references(search(client, "jamie smith")) == {theirs.reference}


def test_only_the_business_unit_may_search(client, people, partnership, log_child):
    log_child(partnership, "Jamie Smith")
    for who in ("agency", "reviewer", "regional"):
        sign_in(client, people[who])
        assert client.get(URL).status_code == 403, who
        assert search(client, "Jamie Smith").status_code == 403, who
    assert not AuditEvent.objects.filter(changes__page="find a case by the child’s name")
    sign_in(client, people["officer"])
    assert client.get(URL).status_code == 200


def test_every_word_typed_must_be_in_the_names_in_any_case_and_order(
    client, people, partnership, log_child
):
    lee = log_child(partnership, "Jamie Lee Smith")
    known_as = log_child(partnership, "Jamie Brown", other_names="Jamie Smith-Jones")
    log_child(partnership, "Jamie Taylor")
    sign_in(client, people["officer"])
    assert references(search(client, "jamie smith")) == {lee.reference, known_as.reference}
    assert references(search(client, "  SMITH \t  jamie  ")) == {
        lee.reference,
        known_as.reference,
    }
    assert references(search(client, "lee smith")) == {lee.reference}
    assert references(search(client, "jamie smith taylor")) == set()


def test_the_date_of_birth_narrows_the_search(client, people, partnership, log_child):
    older = log_child(partnership, "Jamie Smith", born=dt.date(2015, 2, 3))
    younger = log_child(partnership, "Jamie Smith", born=dt.date(2019, 5, 1))
    sign_in(client, people["officer"])
    assert references(search(client, "Jamie Smith")) == {older.reference, younger.reference}
    assert references(search(client, "Jamie Smith", dt.date(2015, 2, 3))) == {older.reference}
    response = search(client, "Jamie Smith", dt.date(2016, 1, 1))
    assert references(response) == set()
    assert "No case found for that name" in response.content.decode()


def test_no_case_found_says_what_to_try(client, people, partnership, log_child):
    log_child(partnership, "Jamie Smith")
    sign_in(client, people["officer"])
    html = search(client, "Alex Nobody").content.decode()
    assert "No case found for that name" in html
    assert "check the spelling" in html and "try fewer words" in html


def test_an_incident_entered_in_error_is_found_and_flagged(client, people, partnership, log_child):
    """No search filter drops an incident entered in error. (Marking one erases its
    children, ADR 0013, so this is a child kept on such an incident, e.g. from a system
    the cases were brought in from.)"""
    incident = log_child(partnership, "Jamie Smith")
    Incident.objects.filter(pk=incident.pk).update(status=Status.ENTERED_IN_ERROR)
    sign_in(client, people["officer"])
    response = search(client, "Jamie Smith")
    assert references(response) == {incident.reference}
    assert "govuk-tag--red" in response.content.decode()


def test_a_get_never_searches(client, people, partnership, log_child):
    incident = log_child(partnership, "Jamie Smith")
    sign_in(client, people["officer"])
    response = client.get(URL, {"name": "Jamie Smith"})
    assert response.status_code == 200
    assert incident.reference not in response.content.decode()
    assert not response.context["searched"]
    assert 'method="post"' in response.content.decode()
    assert not AuditEvent.objects.filter(changes__page="find a case by the child’s name")


def test_the_results_are_in_the_posts_response_and_never_cached(
    client, people, partnership, log_child
):
    incident = log_child(partnership, "Jamie Smith")
    sign_in(client, people["officer"])
    response = search(client, "Jamie  Smith")
    assert response.status_code == 200  # not a redirect to an address holding the name
    assert "no-store" in response["Cache-Control"]
    assert "no-store" in client.get(URL)["Cache-Control"]
    html = response.content.decode()
    assert incident.reference in html
    assert 'value="Jamie  Smith"' in html  # the name stays in the box, as typed


def test_a_search_is_audited_with_the_cases_shown_never_the_name(
    client, people, partnership, other_partnership, log_child
):
    found = log_child(partnership, "Jamie Smith")
    log_child(other_partnership, "Jamie Smith")
    manager = people["manager"]
    sign_in(client, manager)
    search(client, "Jamie Smith", dt.date(2019, 5, 1))
    search(client, "Alex Nobody")
    events = list(
        AuditEvent.objects.filter(actor=manager, action=AuditEvent.Action.VIEW).order_by("id")
    )
    assert [(e.partnership_id, e.changes["references"], e.changes["cases"]) for e in events] == [
        (partnership.pk, [found.reference], 1),
        (partnership.pk, [], 0),
    ]
    for event in events:
        written = f"{event.object_repr} {event.changes}".lower()
        assert "jamie" not in written and "smith" not in written and "nobody" not in written
        assert "2019" not in written


def test_each_partnership_audits_its_own_cases_for_someone_in_two(
    client, people, partnership, other_partnership, log_child
):
    ours = log_child(partnership, "Jamie Smith")
    theirs = log_child(other_partnership, "Jamie Smith")
    both = people["manager"]
    Membership.objects.create(user=both, role=Role.REVIEW_OFFICER, partnership=other_partnership)
    both._sg_memberships = None
    sign_in(client, both)
    response = search(client, "Jamie Smith")
    assert references(response) == {ours.reference, theirs.reference}
    assert "Ashdown SCP" in response.content.decode()  # the partnership column
    events = AuditEvent.objects.filter(actor=both, changes__page="find a case by the child’s name")
    assert {e.partnership_id: e.changes["references"] for e in events} == {
        partnership.pk: [ours.reference],
        other_partnership.pk: [theirs.reference],
    }


def test_bad_input_shows_the_errors(client, people):
    sign_in(client, people["officer"])
    html = search(client, "   ").content.decode()
    assert "<title>Error:" in html and "There is a problem" in html
    assert 'href="#id_name"' in html and "Enter the child’s name" in html
    html = search(client, " J ").content.decode()
    assert "The child’s name must be 2 characters or more" in html
    response = client.post(
        URL,
        {
            "name": "Jamie",
            "date_of_birth_0": "31",
            "date_of_birth_1": "2",
            "date_of_birth_2": "2019",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The child’s date of birth must be a real date" in html
    assert 'href="#id_date_of_birth_0"' in html
    assert not AuditEvent.objects.filter(changes__page="find a case by the child’s name")


def test_results_are_capped_and_the_page_says_so(
    client, people, partnership, log_child, monkeypatch
):
    for n in range(4):
        log_child(partnership, f"Jamie Smith {n}")
    sign_in(client, people["officer"])
    monkeypatch.setattr("notifications.views.reading.FIND_BY_NAME_LIMIT", 3)
    response = search(client, "jamie")
    assert len(response.context["found"]) == 3 and response.context["capped"]
    assert "Only the first 3 are shown" in response.content.decode()
    assert AuditEvent.objects.get(changes__page="find a case by the child’s name").changes[
        "more_not_shown"
    ]
    monkeypatch.setattr("notifications.views.reading.FIND_BY_NAME_LIMIT", 4)
    response = search(client, "jamie")
    assert len(response.context["found"]) == 4 and not response.context["capped"]
    assert "Only the first" not in response.content.decode()


def test_the_results_cost_no_query_a_row(
    client, people, partnership, other_partnership, log_child, django_assert_max_num_queries
):
    for n in range(12):
        log_child(partnership, f"Jamie Smith {n}", born=None if n % 2 else dt.date(2019, 5, 1))
    # In two partnerships: the partnership column is shown too.
    Membership.objects.create(
        user=people["manager"], role=Role.REVIEW_OFFICER, partnership=other_partnership
    )
    sign_in(client, people["manager"])
    search(client, "Jamie")  # the session's and the user's first reads
    with django_assert_max_num_queries(12):
        response = search(client, "Jamie Smith")
    assert len(response.context["found"]) == 12
    assert "Brookfield SCP" in response.content.decode()


def test_accents_and_capitals_of_any_letter_are_ignored(
    client, people, partnership, other_partnership, log_child
):
    """On both databases: PostgreSQL's ILIKE knows no accents, SQLite's LIKE only the
    capitals of ASCII letters. A false "No case found" risks a second case for a child."""
    zoe = log_child(partnership, "Zoë Çelik", born=dt.date(2018, 1, 2))
    capitals = log_child(partnership, "ZOE ŁUKASZ", other_names="Zoé Brontë")
    log_child(other_partnership, "Zoë Çelik", born=dt.date(2018, 1, 2))
    sign_in(client, people["officer"])
    assert references(search(client, "zoe")) == {zoe.reference, capitals.reference}
    assert references(search(client, "ZOË")) == {zoe.reference, capitals.reference}
    assert references(search(client, "zoë celik")) == {zoe.reference}
    assert references(search(client, "ÇELIK")) == {zoe.reference}
    assert references(search(client, "lukasz")) == {capitals.reference}
    assert references(search(client, "bronte zoe")) == {capitals.reference}
    assert references(search(client, "Zoe", dt.date(2018, 1, 2))) == {zoe.reference}


def test_hyphens_apostrophes_and_spaces_inside_a_name_are_ignored(
    client, people, partnership, log_child
):
    hyphen = log_child(partnership, "Amy Smith-Jones")
    apostrophe = log_child(partnership, "Sean O'Brien")
    log_child(partnership, "Amy Jones")
    sign_in(client, people["officer"])
    for typed in ("smith jones", "Smith-Jones", "smithjones", "jones smith"):
        assert references(search(client, typed)) == {hyphen.reference}, typed
    for typed in ("obrien", "O'Brien", "o brien", "O’Brien", "sean o’brien"):
        assert references(search(client, typed)) == {apostrophe.reference}, typed
    # Punctuation alone is not a name: nothing is searched for.
    html = search(client, "'-").content.decode()
    assert "The child’s name must be 2 characters or more" in html
