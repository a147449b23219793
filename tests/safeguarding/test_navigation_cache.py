"""The service navigation is kept once rendered: the same HTML as the template renders
afresh, a different one wherever its inputs differ, and a bounded cache."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from safeguarding.templatetags import navigation

ROLE_SETS = [
    frozenset({"manager"}),
    frozenset({"officer"}),
    frozenset({"agency"}),
    frozenset({"reviewer"}),
    frozenset({"regional"}),
    frozenset({"manager", "agency"}),
    frozenset(),
]
PATHS = ["/", "/incidents/", "/incidents/14/", "/rapid-reviews/requests/", "/audit/"]


@pytest.fixture
def renders(monkeypatch):
    navigation._cache.clear()
    calls = []

    def counting(name, context):
        calls.append(context["request"]["path"])
        return render_to_string(name, context)

    monkeypatch.setattr(navigation, "render_to_string", counting)
    return calls


def fresh(path, roles, audit, superuser):
    return render_to_string(
        navigation.TEMPLATE,
        {
            "request": SimpleNamespace(path=path),
            "user": SimpleNamespace(is_superuser=superuser),
            "user_roles": set(roles),
            "can_view_audit": audit,
        },
    )


@pytest.mark.parametrize("roles", ROLE_SETS)
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("audit, superuser", [(False, False), (True, False), (True, True)])
def test_the_kept_navigation_is_what_the_template_renders(renders, roles, path, audit, superuser):
    user = SimpleNamespace(is_superuser=superuser)
    kwargs = {"path": path, "user": user, "roles": set(roles), "can_view_audit": audit}
    first = navigation.navigation_html(**kwargs)
    again = navigation.navigation_html(**kwargs)
    assert first == again == fresh(path, roles, audit, superuser)
    assert len(renders) == 1  # the second came from the cache


def test_each_input_changes_the_links(renders):
    user = SimpleNamespace(is_superuser=False)
    officer = navigation.navigation_html(
        path="/incidents/", user=user, roles={"officer"}, can_view_audit=False
    )
    agency = navigation.navigation_html(
        path="/incidents/", user=user, roles={"agency"}, can_view_audit=False
    )
    elsewhere = navigation.navigation_html(
        path="/local-reviews/", user=user, roles={"officer"}, can_view_audit=False
    )
    auditor = navigation.navigation_html(
        path="/incidents/", user=user, roles={"officer"}, can_view_audit=True
    )
    admin = navigation.navigation_html(
        path="/incidents/",
        user=SimpleNamespace(is_superuser=True),
        roles={"officer"},
        can_view_audit=False,
    )
    assert len({officer, agency, elsewhere, auditor, admin}) == 5 and len(renders) == 5
    assert "Incidents" in officer and "Incidents" not in agency
    assert 'href="/incidents/" aria-current="page"' in officer
    assert 'href="/local-reviews/" aria-current="page"' in elsewhere
    assert 'href="/incidents/" aria-current' not in elsewhere
    assert "Audit trail" in auditor and "Audit trail" not in officer
    assert "Outbox" in admin and "Outbox" not in officer


def test_the_cache_is_bounded(renders, monkeypatch):
    monkeypatch.setattr(navigation, "MAX_ENTRIES", 3)
    user = SimpleNamespace(is_superuser=False)
    for n in range(6):
        navigation.navigation_html(
            path=f"/incidents/{n}/", user=user, roles={"officer"}, can_view_audit=False
        )
    assert len(navigation._cache) == 3 and len(renders) == 6


@pytest.mark.django_db
def test_reminders_are_offered_only_to_those_with_deadlines(client, people):
    """A regional viewer has no deadlines, so no reminders to set. The others find their
    reminders and calendar feed on their account page ("Your account", in the header),
    not among the service's pages, which keep to one row (ADR 0020)."""
    from django.urls import reverse

    from tests.utils import sign_in

    link = f'href="{reverse("safeguarding:reminder-settings")}"'
    account = reverse("safeguarding:account")
    sign_in(client, people["regional"])
    assert link not in client.get(account).content.decode()
    for role in ("officer", "manager", "agency", "reviewer"):
        sign_in(client, people[role])
        assert link in client.get(account).content.decode(), role
        home = client.get(reverse("safeguarding:home")).content.decode()
        assert link not in home and f'href="{account}"' in home, role


def test_one_item_is_current_on_an_agencys_actions_page():
    """The agency's actions pages are under /local-reviews/: for someone who is also a
    reviewer, only "Actions" is current there, not "Local reviews" too."""
    navigation._cache.clear()
    html = navigation.navigation_html(
        path="/local-reviews/agency-actions/",
        user=SimpleNamespace(is_superuser=False),
        roles={"reviewer", "agency"},
        can_view_audit=False,
    )
    assert html.count('aria-current="page"') == 1
    assert 'aria-current="page">Actions</a>' in html
