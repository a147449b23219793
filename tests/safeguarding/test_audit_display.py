"""The audit trail reads as plain English (safeguarding.audit_display): field names by
their verbose names, codes by their labels, people by name (looked up once per page),
Yes/No, dates in the service's format, and what it no longer knows without an error.
What is stored is not changed."""

import pytest
from django.urls import reverse

from safeguarding.audit import Action
from safeguarding.models import AuditEvent, Role
from tests.factories import MembershipFactory, UserFactory
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def _event(partnership, actor, object_type, changes, action=Action.UPDATE):
    """An event as the services store it (the presenter reads only what is stored)."""
    return AuditEvent.objects.create(
        actor=actor,
        actor_email=actor.email,
        partnership=partnership,
        action=action,
        object_type=object_type,
        object_id="1",
        object_repr="BSCP-2026-001 local review",
        changes=changes,
    )


def _audit_page(client, user) -> str:
    sign_in(client, user)
    response = client.get(reverse("safeguarding:audit"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_status_field_and_its_codes_read_as_words(client, people, partnership):
    stored = {"status": {"old": "open", "new": "in_progress"}}
    event = _event(partnership, people["officer"], "lcspr.review", stored)
    html = _audit_page(client, people["manager"])
    assert "<strong>Status</strong>: Setting up → Review under way" in html
    assert "in_progress" not in html
    event.refresh_from_db()
    assert event.changes == stored  # only the page reads differently


def test_dates_yes_no_and_lists_of_codes(client, people, partnership):
    _event(
        partnership,
        people["officer"],
        "notifications.incident",
        {
            "awareness_date": {"old": "2026-03-01", "new": "2026-03-02"},
            "ofsted_copied": {"old": False, "new": True},
            "harm_categories": {"old": [], "new": ["physical"]},
            "reason": "Typed wrongly",
        },
    )
    html = _audit_page(client, people["manager"])
    assert (
        "<strong>Date the local authority became aware</strong>: 1 March 2026 → 2 March 2026"
    ) in html
    assert "<strong>Ofsted copied</strong>: No → Yes" in html
    assert "<strong>Harm categories</strong>: none → Physical abuse" in html
    assert "<strong>Reason</strong>: Typed wrongly" in html


def test_reviewers_read_by_name_looked_up_once_for_the_page(
    client, people, partnership, django_assert_max_num_queries
):
    reviewers = [
        MembershipFactory(
            partnership=partnership,
            role=Role.INDEPENDENT_REVIEWER,
            user=UserFactory(full_name=f"Reviewer {n}"),
        ).user
        for n in range(30)
    ]
    for n in range(0, 30, 2):
        _event(
            partnership,
            people["officer"],
            "lcspr.review",
            {"reviewers": {"old": [reviewers[n].pk], "new": [reviewers[n + 1].pk]}},
        )
    sign_in(client, people["manager"])
    # As many queries for 15 events naming 30 people as for one: the session, the
    # person, their roles, the page's events and their count, the names, the filters'
    # choices; never one a row.
    with django_assert_max_num_queries(14):
        html = client.get(reverse("safeguarding:audit")).content.decode()
    assert "<strong>Reviewers</strong>: Reviewer 0 → Reviewer 1" in html
    assert "<strong>Reviewers</strong>: Reviewer 28 → Reviewer 29" in html
    assert f">{reviewers[0].pk}<" not in html and f"→ {reviewers[1].pk}" not in html


def test_what_the_models_no_longer_know_still_reads(client, people, partnership):
    _event(
        partnership,
        people["officer"],
        "lcspr.review",
        {
            "status": {"old": "retired_status", "new": "open"},
            "reviewers": {"old": [], "new": [987654321]},
            "a_field_since_removed": {"old": "x", "new": "y"},
        },
    )
    _event(partnership, people["officer"], "gone.model", {"kind_code": "some_code"})
    html = _audit_page(client, people["manager"])
    assert "<strong>Status</strong>: retired status → Setting up" in html
    assert "<strong>Reviewers</strong>: none → person 987654321 (since removed)" in html
    assert "<strong>A field since removed</strong>: x → y" in html
    assert "<strong>Kind code</strong>: some code" in html


def test_another_partnerships_events_stay_out_of_the_page(
    client, people, partnership, other_partnership
):
    _event(
        other_partnership,
        people["other_officer"],
        "lcspr.review",
        {"status": {"old": "open", "new": "on_hold"}},
    )
    _event(
        partnership, people["officer"], "lcspr.review", {"status": {"old": "open", "new": "closed"}}
    )
    html = _audit_page(client, people["manager"])
    assert "Setting up → Closed without publication" in html
    assert "On hold" not in html


def test_an_administrator_without_a_case_role_sees_fields_by_name_not_values(
    client, people, partnership
):
    _event(
        partnership,
        people["officer"],
        "notifications.incident",
        {"awareness_date": {"old": "2026-03-01", "new": "2026-03-02"}},
    )
    root = UserFactory(is_staff=True, is_superuser=True)
    html = _audit_page(client, root)
    assert "<strong>Date the local authority became aware</strong></li>" in html
    assert "1 March 2026" not in html


def test_other_shapes_of_stored_changes_still_read():
    from safeguarding.audit_display import present_events

    odd = AuditEvent(object_type="", changes=["a_code", "b"])
    nested = AuditEvent(
        object_type="safeguarding.partnership",
        changes={"filters": {"year": 2026, "overdue_only": True, "from": "2026-01-31"}},
    )
    secret = AuditEvent(
        object_type="safeguarding.user", changes={"password": {"old": "abc123", "new": "def456"}}
    )
    present_events([odd, nested, secret])
    assert [(c.label, c.text) for c in odd.shown_changes] == [("Details", "a code, b")]
    assert nested.shown_changes[0].text == "Year: 2026; Overdue only: Yes; From: 31 January 2026"
    assert [(c.label, c.text) for c in secret.shown_changes] == [
        ("Password", "changed (not recorded)")
    ]


def test_the_facts_an_event_keeps_inside_an_entry_read_as_its_fields_do():
    """A fact kept inside one entry (reopening's status, a deletion's counts, a change of
    one partner's lead, a rapid review's criteria) reads as words, not as codes."""
    from safeguarding.audit_display import present_events

    reopened = AuditEvent(
        object_type="lcspr.review",
        changes={
            "reopened": {"closed_on": "2026-11-02", "status": "in_progress"},
            "reason": "given",
        },
    )
    deleted = AuditEvent(
        object_type="notifications.incident",
        changes={"deleted": {"lcspr.review": 1, "safeguarding.deadline": 5}},
    )
    leads = AuditEvent(
        object_type="safeguarding.partnership",
        changes={"partner_leads": {"police": {"old": None, "new": {"name": "Raj Patel"}}}},
    )
    decided = AuditEvent(
        object_type="rapid_reviews.rapidreview",
        changes={"criteria": {"old": [], "new": ["panel_suggestion"]}},
    )
    met = AuditEvent(
        object_type="rapid_reviews.rapidreview",
        changes={"fields": ["meeting_date", "key_practice_episodes"]},
    )
    present_events([reopened, deleted, leads, decided, met])
    assert reopened.shown_changes[0].text == "Closed on: 2 November 2026; Status: Review under way"
    assert deleted.shown_changes[0].text == "Local reviews: 1; Deadlines: 5"
    assert leads.shown_changes[0].text == "Police: none → Name: Raj Patel"
    assert decided.shown_changes[0].new == "The National Panel has suggested a local review"
    assert met.shown_changes[0].text == "Meeting date, Key practice episodes"


def test_a_downloads_filters_read_by_name_without_the_button(client, people, partnership):
    """Events stored before the button was left out still read without it; a partnership
    by its name, never its id."""
    AuditEvent.objects.create(
        actor=people["manager"],
        actor_email=people["manager"].email,
        partnership=partnership,
        action=Action.EXPORT,
        object_repr="Dashboard deadlines (CSV)",
        changes={
            "format": "csv",
            "rows": 3,
            "filters": {
                "partnership": str(partnership.pk),
                "stage": "agency_returns",
                "show": "all",
                "apply": "Apply filters",
            },
        },
    )
    html = _audit_page(client, people["manager"])
    shown = html.split("<strong>Filters</strong>: ", 1)[1].split("<", 1)[0]
    # (PostgreSQL keeps a JSON object's keys in its own order.)
    assert set(shown.split("; ")) == {
        f"Partnership: {partnership.name}",
        "Stage: agency returns",
        "Show: all",
    }
    assert "Apply filters" not in html.split("<table", 1)[1]
    assert f"Partnership: {partnership.pk}" not in html
