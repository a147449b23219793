"""Each role reaches only what it should; anything outside scope is a 404 or a 403."""

import re

import pytest
from django.http import Http404
from django.urls import reverse

from safeguarding import permissions
from safeguarding.audit import Action, audit_record
from safeguarding.models import AuditEvent, Membership, Partnership, Role
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def test_partnership_ids_follow_role(people, partnership, other_partnership):
    assert permissions.partnership_ids(people["manager"]) == {partnership.pk}
    assert permissions.partnership_ids(people["officer"]) == {partnership.pk}
    # Agency contributors, reviewers and regional viewers never get case scope.
    for key in ("agency", "reviewer", "regional"):
        assert permissions.partnership_ids(people[key]) == set(), key
    assert permissions.partnership_ids(people["other_manager"]) == {other_partnership.pk}


def test_inactive_users_and_inactive_partnerships_have_no_scope(people, partnership):
    officer = people["officer"]
    partnership.is_active = False
    partnership.save()
    officer._sg_memberships = None
    assert permissions.partnership_ids(officer) == set()
    manager = people["manager"]
    manager.is_active = False
    assert permissions.memberships_of(manager) == []


def test_agency_ids(people, agency, partnership, other_partnership):
    assert permissions.agency_ids(people["agency"]) == {agency.pk}
    assert permissions.agency_ids(people["agency"], partnership=partnership) == {agency.pk}
    assert permissions.agency_ids(people["agency"], partnership=other_partnership) == set()
    assert permissions.agency_ids(people["officer"]) == set()


def test_partnerships_visible_to_each_role(people, partnership, other_partnership):
    def codes(user, **kw):
        return set(permissions.partnerships_visible_to(user, **kw).values_list("code", flat=True))

    assert codes(people["manager"]) == {"BSCP"}
    assert codes(people["agency"]) == {"BSCP"}
    assert codes(people["regional"]) == {"BSCP", "ASCP"}
    assert codes(people["regional"], roles=permissions.CASE_ROLES) == set()
    assert codes(people["other_officer"]) == {"ASCP"}


def test_scope_and_get_or_404(people, partnership, other_partnership):
    mine = audit_record(actor=people["officer"], action=Action.VIEW, obj=partnership)
    theirs = audit_record(actor=people["other_officer"], action=Action.VIEW, obj=other_partnership)
    scoped = permissions.scope(AuditEvent.objects.all(), people["officer"])
    assert list(scoped) == [mine]
    assert permissions.get_or_404(scoped, pk=mine.pk) == mine
    with pytest.raises(Http404):
        permissions.get_or_404(scoped, pk=theirs.pk)
    with pytest.raises(Http404):
        permissions.get_or_404(scoped, pk="not-a-number")
    assert not permissions.scope(AuditEvent.objects.all(), people["agency"]).exists()


def test_scope_follows_a_path_to_the_partnership(people, partnership, other_partnership):
    qs = Partnership.objects.all()
    assert list(permissions.scope(qs, people["manager"], path="id")) == [partnership]


@pytest.mark.parametrize(
    "who, visible_heading, hidden_headings",
    [
        ("manager", "Partnerships you manage", ["Information requests", "Regional figures"]),
        ("officer", "Review officer", ["Partnerships you manage", "Regional figures"]),
        (
            "agency",
            "Information requests for your agency",
            ["Partnerships you manage", "Review officer"],
        ),
        ("reviewer", "Reviews you are commissioned for", ["Partnerships you manage"]),
        ("regional", "Regional figures", ["Partnerships you manage", "Review officer"]),
    ],
)
def test_home_page_suits_the_role(client, people, who, visible_heading, hidden_headings):
    sign_in(client, people[who])
    response = client.get(reverse("safeguarding:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert visible_heading in html
    for heading in hidden_headings:
        assert heading not in html
    # Only managers get the audit trail in the navigation.
    assert ("Audit trail" in html) == (who == "manager")
    # An agency's actions from local reviews have their own place in it (only an agency's).
    actions = reverse("lcspr:agency-actions")
    menu = html.split("govuk-service-navigation__list", 1)[1].split("</ul>", 1)[0]
    assert (f'href="{actions}"' in menu) == (who == "agency")


def test_each_managed_partnership_lists_its_links_under_its_name(
    client, people, partnership, other_partnership
):
    """A list of links under each partnership's heading (they wrapped unevenly as
    summary-list actions), each link naming its partnership to a screen reader."""
    manager = people["manager"]
    Membership.objects.create(
        user=manager, partnership=other_partnership, role=Role.PARTNERSHIP_MANAGER
    )
    sign_in(client, manager)
    html = client.get(reverse("safeguarding:home")).content.decode()
    section = html[html.index('id="manager-heading"') : html.index('id="to-sign-off"')]
    assert "govuk-summary-list" not in section
    for p in (partnership, other_partnership):
        heading = f'<h3 class="govuk-heading-s govuk-!-margin-bottom-2">{p.name} ({p.code})</h3>'
        links = section[section.index(heading) :]
        links = links[links.index('<ul class="govuk-list') : links.index("</ul>")]
        hidden = '<span class="govuk-visually-hidden">'
        assert re.findall(r"<li><a [^>]*>([^<]*)<span", links) == [
            "People",
            "Statutory leads",
            "Closure days and reminders",
            "Audit trail",
        ]
        assert links.count(f"{hidden} of {p.name}</span>") == 3
        assert links.count(f"{hidden} for {p.name}</span>") == 1
        assert f'href="{reverse("safeguarding:people", args=[p.pk])}"' in links


def test_home_requires_sign_in(client):
    response = client.get(reverse("safeguarding:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("safeguarding:sign-in"))


@pytest.mark.parametrize("who", ["officer", "agency", "reviewer", "regional"])
def test_audit_page_is_for_managers_only(client, people, who):
    sign_in(client, people[who])
    response = client.get(reverse("safeguarding:audit"))
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_manager_sees_only_own_partnership_audit(client, people, partnership, other_partnership):
    audit_record(
        actor=people["officer"],
        action=Action.EXPORT,
        obj=partnership,
        object_repr="BSCP-2026-001 export",
    )
    audit_record(
        actor=people["other_officer"],
        action=Action.EXPORT,
        obj=other_partnership,
        object_repr="ASCP-2026-009 export",
    )
    sign_in(client, people["manager"])
    html = client.get(reverse("safeguarding:audit")).content.decode()
    assert "BSCP-2026-001 export" in html
    assert "ASCP-2026-009 export" not in html
    # Asking for the other partnership through the filter does not widen the scope.
    html = client.get(reverse("safeguarding:audit"), {"partnership": other_partnership.pk})
    assert "ASCP-2026-009 export" not in html.content.decode()


def test_superuser_sees_every_partnership_audit(client, people, partnership, other_partnership):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    audit_record(
        actor=people["officer"], action=Action.EXPORT, obj=partnership, object_repr="BSCP thing"
    )
    audit_record(
        actor=people["other_officer"],
        action=Action.EXPORT,
        obj=other_partnership,
        object_repr="ASCP thing",
    )
    sign_in(client, admin)
    html = client.get(reverse("safeguarding:audit")).content.decode()
    assert "BSCP thing" in html and "ASCP thing" in html


def test_role_required_decorator(rf, people):
    from django.core.exceptions import PermissionDenied

    @permissions.role_required(Role.PARTNERSHIP_MANAGER)
    def view(request):
        return "ok"

    request = rf.get("/")
    request.user = people["manager"]
    assert view(request) == "ok"
    request.user = people["officer"]
    with pytest.raises(PermissionDenied):
        view(request)
