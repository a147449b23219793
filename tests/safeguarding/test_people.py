"""A partnership manager adds and removes the partnership's review officers, agency
contributors and independent reviewers (safeguarding/people.py); no one else can, and
no manager can reach another partnership's people or make a manager."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from safeguarding.models import AuditEvent, Membership, Role, User
from tests.factories import AgencyFactory, member
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
    review,
    sent_requests,
)
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def url(name, partnership, *args):
    return reverse(f"safeguarding:{name}", args=[partnership.pk, *args])


def test_a_manager_adds_a_new_contributor_who_chooses_a_password(
    client, people, partnership, agency, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    sign_in(client, people["manager"])
    home = client.get(reverse("safeguarding:home")).content.decode()
    assert f'href="{url("people", partnership)}"' in home
    post = {
        "full_name": "Priya  Shah",
        "email": "Priya.Shah@Police.example",
        "role": Role.AGENCY_CONTRIBUTOR,
        "agency": str(agency.pk),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("person-add", partnership), post)
    assert response.status_code == 302 and response.url == url("people", partnership)
    user = User.objects.get(email="priya.shah@police.example")
    assert user.full_name == "Priya Shah" and user.is_active and user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.partnership, membership.role, membership.agency) == (
        partnership,
        Role.AGENCY_CONTRIBUTOR,
        agency,
    )
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, actor=people["manager"], partnership=partnership
    ).exists()
    (invitation,) = mail.outbox
    assert invitation.to == [user.email]
    assert "Agency contributor, Brookfield SCP" in invitation.body
    assert (
        "If you did not expect this, tell the business manager of Brookfield SCP "
        f"({partnership.contact_email})." in invitation.body
    )
    link = re.search(r"http\S+/password-reset/\S+/\S+/", invitation.body).group(0)
    # The link lets them choose a password, as a reset link does.
    client.logout()
    page = client.get(link.split("8000", 1)[-1], follow=True)
    assert page.status_code == 200 and 'name="new_password1"' in page.content.decode()
    listing = client_as(people["manager"]).get(url("people", partnership)).content.decode()
    assert "Priya Shah" in listing and agency.name in listing


def client_as(user):
    from django.test import Client

    other = Client()
    sign_in(other, user)
    return other


def test_an_existing_account_keeps_its_name_and_is_told(
    client, people, partnership, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    someone = people["officer"]  # has an account, with a role in this partnership only
    sign_in(client, someone)  # and has used it
    sign_in(client, people["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("person-add", partnership),
            {"full_name": "", "email": someone.email.upper(), "role": Role.INDEPENDENT_REVIEWER},
        )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=someone, partnership=partnership, role=Role.INDEPENDENT_REVIEWER
    ).exists()
    someone.refresh_from_db()
    assert someone.full_name != ""
    (notice,) = mail.outbox
    assert "/password-reset/" not in notice.body.split("ask for a new one")[0]
    assert "Sign in as usual" in notice.body


def test_someone_invited_who_never_signed_in_is_asked_again_to_choose_a_password(
    client, people, partnership, agency, django_capture_on_commit_callbacks, settings
):
    """Invited, removed before they used the link, and added again: their account has only
    the random password no one knows, so "sign in as usual" would strand them. So would
    it someone whose password an administrator took away."""
    from django.test import Client
    from django.utils import timezone

    settings.CELERY_TASK_ALWAYS_EAGER = True
    sign_in(client, people["manager"])

    def add(role, **more):
        mail.outbox.clear()
        post = {"full_name": "Nia Evans", "email": "nia.evans@example.org", "role": role}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("person-add", partnership), {**post, **more})
        assert response.status_code == 302
        (invitation,) = mail.outbox
        return invitation.body

    assert "Choose your password here" in add(Role.REVIEW_OFFICER)
    nia = User.objects.get(email="nia.evans@example.org")
    role = Membership.objects.get(user=nia)
    assert client.post(url("person-remove", partnership, role.pk)).status_code == 302
    assert not Membership.objects.filter(user=nia).exists()
    again = add(Role.INDEPENDENT_REVIEWER)
    assert "Choose your password here" in again and "Sign in as usual" not in again
    link = re.search(r"http\S+/password-reset/\S+/\S+/", again).group(0)
    page = Client().get(link.split("8000", 1)[-1], follow=True)
    assert 'name="new_password1"' in page.content.decode()

    nia.last_login = timezone.now()
    nia.save(update_fields=["last_login"])
    used = add(Role.REVIEW_OFFICER)
    assert "Sign in as usual" in used and "/password-reset/" not in used.split("usual")[0]

    nia.set_unusable_password()
    nia.save(update_fields=["password"])
    assert "Choose your password here" in add(Role.AGENCY_CONTRIBUTOR, agency=str(agency.pk))


@pytest.mark.parametrize(
    "post, field, message",
    [
        ({"email": "not-an-address"}, "email", "in the correct format"),
        (
            {"email": "new@example.org", "full_name": ""},
            "full_name",
            "Enter their full name",
        ),
        ({"role": Role.PARTNERSHIP_MANAGER}, "role", "Select their role"),
        ({"role": Role.AGENCY_CONTRIBUTOR, "agency": ""}, "agency", "Select the agency"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_made(
    client, people, partnership, post, field, message
):
    sign_in(client, people["manager"])
    before = (User.objects.count(), Membership.objects.count())
    data = {"full_name": "New Person", "email": "new@example.org", "role": Role.REVIEW_OFFICER}
    response = client.post(url("person-add", partnership), {**data, **post})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert message in html
    assert (User.objects.count(), Membership.objects.count()) == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    "post, errors",
    [
        (
            {"email": "not-an-address", "full_name": "", "role": "agency", "agency": ""},
            {
                "email": "Enter an email address in the correct format",
                "full_name": "Enter their full name, unless they already have an account",
                "agency": "Select the agency they answer for",
            },
        ),
        (
            {"email": "", "full_name": "", "role": ""},
            {
                "email": "Enter their work email address",
                "full_name": "Enter their full name, unless they already have an account",
                "role": "Select their role",
            },
        ),
        (
            {"email": "new@example.org", "full_name": "", "role": "agency", "agency": ""},
            {
                "full_name": "Enter their full name",
                "agency": "Select the agency they answer for",
            },
        ),
    ],
)
def test_every_error_of_a_person_added_shows_at_once(client, people, partnership, post, errors):
    """Their name was asked for only once the address was right, and the agency only once
    the form's own answers were (ADR 0021): all are in the error summary together."""
    sign_in(client, people["manager"])
    response = client.post(url("person-add", partnership), post)
    html = response.content.decode()
    assert response.status_code == 200
    summary = html.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]
    for field, message in errors.items():
        assert f'href="#id_{field}' in summary and message in summary, field
    assert summary.count("<li") == len(errors)
    assert mail.outbox == [] and not User.objects.filter(email="new@example.org").exists()


def test_an_agency_that_does_not_serve_the_partnership_is_refused(
    client, people, partnership, other_partnership
):
    elsewhere = AgencyFactory(name="Ashdown Health", partnerships=[other_partnership])
    sign_in(client, people["manager"])
    response = client.post(
        url("person-add", partnership),
        {
            "full_name": "A B",
            "email": "ab@example.org",
            "role": Role.AGENCY_CONTRIBUTOR,
            "agency": str(elsewhere.pk),
        },
    )
    assert "Select one of the agencies listed" in response.content.decode()
    assert not User.objects.filter(email="ab@example.org").exists()


def test_the_same_role_twice_is_refused(client, people, partnership):
    sign_in(client, people["manager"])
    officer = people["officer"]
    response = client.post(
        url("person-add", partnership),
        {"full_name": "", "email": officer.email, "role": Role.REVIEW_OFFICER},
    )
    assert f"{officer.full_name} already has this role in the partnership" in (
        response.content.decode()
    )
    assert Membership.objects.filter(user=officer, partnership=partnership).count() == 1


def test_a_manager_removes_a_role_but_not_a_managers(client, people, partnership):
    sign_in(client, people["manager"])
    officer = Membership.objects.get(user=people["officer"], partnership=partnership)
    page = client.get(url("person-remove", partnership, officer.pk)).content.decode()
    assert "Remove Officer One as review officer?" in page
    assert client.post(url("person-remove", partnership, officer.pk)).status_code == 302
    assert not Membership.objects.filter(pk=officer.pk).exists()
    assert User.objects.filter(pk=people["officer"].pk, is_active=True).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).count() == 1
    own = Membership.objects.get(user=people["manager"], partnership=partnership)
    response = client.post(url("person-remove", partnership, own.pk), follow=True)
    assert "added and removed by the service" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_no_one_else_reaches_a_partnerships_people(client, people, partnership):
    officer = Membership.objects.get(user=people["officer"], partnership=partnership)
    pages = [
        url("people", partnership),
        url("person-add", partnership),
        url("person-remove", partnership, officer.pk),
    ]
    for who in ("officer", "agency", "reviewer", "regional"):
        sign_in(client, people[who])
        for page in pages:
            assert client.get(page).status_code == 403, (who, page)
            assert client.post(page, {"email": "x@example.org"}).status_code == 403
    sign_in(client, people["other_manager"])  # a manager, of the other partnership
    for page in pages:
        assert client.get(page).status_code == 404
        assert client.post(page, {"email": "x@example.org"}).status_code == 404
    assert Membership.objects.filter(pk=officer.pk).exists()


@pytest.mark.parametrize("n", [1, 20])
def test_the_people_page_runs_a_fixed_number_of_queries(
    client, people, partnership, agency, django_assert_max_num_queries, n
):
    """However many people, and however many of them own open deadlines (in the business
    unit or gone from it)."""
    for i in range(n):
        member(Role.AGENCY_CONTRIBUTOR, partnership, agency=agency, full_name=f"Person {i}")
        officer = member(Role.REVIEW_OFFICER, partnership, full_name=f"Officer {i}")
        _clocks(partnership, officer, 2)
        leaver = member(Role.REVIEW_OFFICER, partnership, full_name=f"Leaver {i}")
        _clocks(partnership, leaver, 1)
        Membership.objects.filter(user=leaver).delete()
    sign_in(client, people["manager"])
    # 10, and one for the open deadlines of each person, in the business unit or gone.
    with django_assert_max_num_queries(11):
        html = client.get(url("people", partnership)).content.decode()
    assert html.count("Person ") >= n
    assert html.count("Hand over their deadlines<") == n
    assert html.count("/deadlines-of/") == 2 * n


def test_accounts_outside_the_managers_reach_get_one_answer(
    client, people, partnership, other_partnership
):
    """An administrator's, a switched-off one, or one with a role in a partnership the
    manager does not manage: refused alike, so the page tells nothing about them (and a
    manager cannot pull someone else's person, with their sign-in history, into theirs)."""
    admin = User.objects.create(email="root@admin.example", full_name="Root", is_staff=True)
    gone = member(Role.REVIEW_OFFICER, partnership, email="gone@example.org")
    gone.is_active = False
    gone.save()
    sign_in(client, people["manager"])
    before = Membership.objects.count()
    for user in (admin, gone, people["other_manager"], people["other_officer"]):
        response = client.post(
            url("person-add", partnership),
            {"full_name": "", "email": user.email, "role": Role.INDEPENDENT_REVIEWER},
        )
        assert "This address cannot be added here" in response.content.decode(), user
    assert Membership.objects.count() == before


def test_someone_added_from_another_partnership_brings_no_past_into_the_managers_trail(
    client, people, partnership, other_partnership, django_capture_on_commit_callbacks
):
    """An account with no role now may be added, whatever it did elsewhere before: the
    manager's audit trail shows its sign-ins, and what administrators did to it, from the
    new role on, never its past in the other partnership."""
    from django.test import Client

    from safeguarding import people as people_service
    from safeguarding import permissions, two_factor
    from safeguarding.audit import Action
    from tests.factories import PASSWORD, UserFactory
    from tests.utils import authenticator_for

    mover = people["other_officer"]
    browser = Client()
    browser.post(reverse("safeguarding:sign-in"), {"username": mover.email, "password": "x"})
    browser.post(reverse("safeguarding:sign-in"), {"username": mover.email, "password": PASSWORD})
    authenticator_for(mover)
    admin = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=False):
        two_factor.second_factor_reset(actor=admin, user=mover)
    people_service.membership_remove(
        actor=people["other_manager"], membership=Membership.objects.get(user=mover)
    )
    from django.db.models import Q

    theirs = AuditEvent.objects.filter(
        Q(actor=mover) | Q(object_type="safeguarding.user", object_id=str(mover.pk)),
        partnership=None,
    )
    before = set(theirs.values_list("pk", flat=True))
    assert len(before) == 3  # failed and passed sign-in, second factor reset

    sign_in(client, people["manager"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url("person-add", partnership),
            {"full_name": "", "email": mover.email, "role": Role.REVIEW_OFFICER},
        )
    assert response.status_code == 302
    Client().post(reverse("safeguarding:sign-in"), {"username": mover.email, "password": "x"})
    (after,) = theirs.exclude(pk__in=before)
    assert after.action == Action.SIGN_IN_FAILED

    seen = set(permissions.audit_events_visible_to(people["manager"]).values_list("pk", flat=True))
    assert after.pk in seen and not before & seen
    trail = client.get(reverse("safeguarding:audit"), {"actor": mover.pk}).content.decode()
    cell = '<td class="govuk-table__cell">'
    assert f"{cell}Failed sign-in" in trail
    for earlier in ("Signed in", "Reset two-factor authentication"):
        assert f"{cell}{earlier}" not in trail


def test_a_role_moved_to_another_partnership_counts_as_given_there_then(people, other_partnership):
    """An administrator who moves someone's role to another partnership (the person's
    admin page) does not show its manager the person's sign-ins from before the move."""
    import datetime as dt

    from django.utils import timezone

    role = Membership.objects.get(user=people["officer"])
    long_ago = timezone.now() - dt.timedelta(days=400)
    Membership.objects.filter(pk=role.pk).update(since=long_ago)
    role.refresh_from_db()
    role.save()
    assert Membership.objects.get(pk=role.pk).since == long_ago
    role.partnership = other_partnership
    role.save()
    assert Membership.objects.get(pk=role.pk).since > timezone.now() - dt.timedelta(minutes=1)


def test_a_role_given_to_another_person_counts_as_given_to_them_then(people):
    """The administration site can give a role to another account: the partnership's
    manager then sees that account's sign-ins from the change on, not from the role's
    first day."""
    import datetime as dt

    from django.utils import timezone

    from tests.factories import UserFactory

    role = Membership.objects.get(user=people["officer"])
    Membership.objects.filter(pk=role.pk).update(since=timezone.now() - dt.timedelta(days=400))
    role.refresh_from_db()
    role.user = UserFactory()
    role.save()
    assert Membership.objects.get(pk=role.pk).since > timezone.now() - dt.timedelta(minutes=1)


def test_only_the_roles_a_manager_gives_can_be_taken_away_by_one(client, people, partnership):
    manager = people["manager"]
    own = member(Role.INDEPENDENT_REVIEWER, partnership, email="x@example.org")
    Membership.objects.create(user=manager, partnership=partnership, role=Role.REVIEW_OFFICER)
    fellow = member(Role.PARTNERSHIP_MANAGER, partnership, email="fellow@example.org")
    fellows_other = Membership.objects.create(
        user=fellow, partnership=partnership, role=Role.REVIEW_OFFICER
    )
    switched_off = Membership.objects.get(user=own)
    own.is_active = False
    own.save()
    mine = Membership.objects.get(user=manager, role=Role.REVIEW_OFFICER)
    gone = member(Role.REVIEW_OFFICER, partnership, email="gone@example.org", is_active=False)
    gone_officer = Membership.objects.get(user=gone)
    _clocks(partnership, gone, 1)  # not asked who takes them: the role is not removed here
    sign_in(client, manager)
    listing = client.get(url("people", partnership)).content.decode()
    for m in (mine, fellows_other, switched_off, gone_officer):
        assert url("person-remove", partnership, m.pk) not in listing
        response = client.post(url("person-remove", partnership, m.pk), follow=True)
        assert "added and removed by the service" in response.content.decode()
        assert Membership.objects.filter(pk=m.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_adds_and_two_removes_at_once_do_it_once_without_an_error(people, partnership):
    from django.test import Client

    from tests.utils import posts_at_once

    browser = Client()
    sign_in(browser, people["manager"])

    def race(path, data):
        return sorted(r.status_code for r in posts_at_once(browser.cookies, path, data, 2))

    add = {"full_name": "Race Person", "email": "race@example.org", "role": Role.REVIEW_OFFICER}
    assert race(url("person-add", partnership), add) in ([200, 302], [302, 302])
    (made,) = Membership.objects.filter(user__email="race@example.org")
    assert User.objects.filter(email="race@example.org").count() == 1
    assert race(url("person-remove", partnership, made.pk), {}) == [302, 302]
    assert not Membership.objects.filter(pk=made.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).count() == 1


def test_an_address_too_long_for_the_account_is_explained(client, people, partnership):
    sign_in(client, people["manager"])
    email = "a" * 64 + "@" + "b" * 60 + "." + "b" * 60 + "." + "b" * 60 + ".example"
    response = client.post(
        url("person-add", partnership),
        {"full_name": "Long Mail", "email": email, "role": Role.REVIEW_OFFICER},
    )
    assert response.status_code == 200
    assert "254 characters or fewer" in response.content.decode()


def test_removing_a_role_twice_says_it_is_done(client, people, partnership):
    """A second click (or a colleague a moment before) finds the role gone: it says so,
    not "Page not found"; an id never removed here stays not found."""
    officer = Membership.objects.get(user=people["officer"], partnership=partnership)
    sign_in(client, people["manager"])
    remove = url("person-remove", partnership, officer.pk)
    assert client.post(remove).status_code == 302
    again = client.post(remove, follow=True)
    assert again.redirect_chain[-1][0] == url("people", partnership)
    assert "That role was removed already." in again.content.decode()
    assert client.get(remove).status_code == 404
    assert client.post(url("person-remove", partnership, officer.pk + 1000)).status_code == 404


# --- someone leaving: their open deadlines are handed over, never left unowned ------------


def _clocks(partnership, owner, n, **kwargs):
    from django.utils import timezone

    from .report_helpers import make_deadline

    return [
        make_deadline(partnership, due=timezone.localdate(), owner=owner, **kwargs)
        for _ in range(n)
    ]


def test_removing_an_officer_asks_who_takes_over_their_open_deadlines(
    client, people, partnership, other_partnership, agency
):
    from django.utils import timezone

    from safeguarding.models import Deadline

    officer, manager = people["officer"], people["manager"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")
    contributor = people["agency"]
    mine = _clocks(partnership, officer, 2)
    (closed,) = _clocks(partnership, officer, 1, closed_on=timezone.localdate())
    Membership.objects.create(user=officer, partnership=other_partnership, role=Role.REVIEW_OFFICER)
    (elsewhere,) = _clocks(other_partnership, officer, 1)
    role = Membership.objects.get(user=officer, partnership=partnership)
    remove = url("person-remove", partnership, role.pk)
    sign_in(client, manager)

    page = client.get(remove).content.decode()
    assert "Officer One owns 2 open deadlines in this partnership" in page
    assert "Choose who takes them over: we email them to tell them" in page
    assert f'value="{colleague.pk}"' in page and f'value="{manager.pk}"' in page
    assert f'value="{officer.pk}"' not in page and f'value="{contributor.pk}"' not in page

    # No choice, or someone outside the business unit: explained, nothing removed.
    for post, message in (
        ({}, "Select who takes over their open deadlines"),
        ({"successor": contributor.pk}, "Select one of the people listed"),
        ({"successor": officer.pk}, "Select one of the people listed"),
    ):
        response = client.post(remove, post)
        html = response.content.decode()
        assert response.status_code == 200 and "govuk-error-summary" in html, post
        assert message in html
        assert Membership.objects.filter(pk=role.pk).exists()
    assert set(Deadline.objects.filter(owner=officer).values_list("pk", flat=True)) == {
        d.pk for d in [*mine, closed, elsewhere]
    }

    done = client.post(remove, {"successor": colleague.pk}, follow=True)
    assert "Officer One’s 2 open deadlines are now Colleague Two’s." in done.content.decode()
    assert not Membership.objects.filter(pk=role.pk).exists()
    assert set(Deadline.objects.filter(owner=colleague).values_list("pk", flat=True)) == {
        d.pk for d in mine
    }
    # What was met stays with who met it; their clocks in another partnership stay theirs.
    assert set(Deadline.objects.filter(owner=officer).values_list("pk", flat=True)) == {
        closed.pk,
        elsewhere.pk,
    }
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, partnership=partnership)
    assert event.actor == manager
    assert event.changes["owner"] == {"old": officer.email, "new": colleague.email}
    assert event.changes["deadlines"] == 2


def test_a_role_that_owns_no_clocks_is_removed_without_the_question(
    client, people, partnership, agency
):
    """A contributor's role, or an officer's while they stay a manager: their deadlines
    are not left behind, so nothing is asked and nothing moves."""
    manager = people["manager"]
    both = member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Both Roles")
    officer_role = Membership.objects.create(
        user=both, partnership=partnership, role=Role.REVIEW_OFFICER
    )
    kept = _clocks(partnership, both, 1)
    sign_in(client, manager)
    page = client.get(url("person-remove", partnership, officer_role.pk)).content.decode()
    assert "open deadline" not in page and 'name="successor"' not in page
    assert client.post(url("person-remove", partnership, officer_role.pk)).status_code == 302
    kept[0].refresh_from_db()
    assert kept[0].owner == both


def test_deadlines_left_by_someone_removed_elsewhere_are_flagged_and_handed_over(
    client, people, partnership
):
    """Removed by the administrators (or their account switched off): the dashboard says
    whose deadlines no one is reminded of, and the People page hands them over."""
    from safeguarding.models import Deadline

    officer, manager = people["officer"], people["manager"]
    left = _clocks(partnership, officer, 3)
    Membership.objects.filter(user=officer).delete()  # as the administration site does
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")

    sign_in(client, manager)
    home = client.get(reverse("safeguarding:home")).content.decode()
    banner = home.split('id="left-behind"', 1)[1].split("</section>", 1)[0]
    assert "3 open deadlines belong to people who have left the business unit" in banner
    assert url("people", partnership) + "#left-behind" in banner
    assert "Has left" in home
    listing = client.get(url("people", partnership)).content.decode()
    hand_over = reverse("safeguarding:deadlines-hand-over", args=[partnership.pk, officer.pk])
    assert "Open deadlines of people who have left" in listing and hand_over in listing

    # A colleague in the business unit sees the warning, and who can act on it.
    sign_in(client, colleague)
    home = client.get(reverse("safeguarding:home")).content.decode()
    assert "A partnership manager can hand them over" in home
    assert client.get(hand_over).status_code == 403

    sign_in(client, manager)
    page = client.get(hand_over)
    assert page.status_code == 200
    assert "still owns 3 open deadlines here" in page.content.decode()
    refused = client.post(hand_over, {})
    assert "Select who takes over their open deadlines" in refused.content.decode()
    done = client.post(hand_over, {"successor": colleague.pk}, follow=True)
    assert "Officer One’s 3 open deadlines are now Colleague Two’s." in done.content.decode()
    assert set(Deadline.objects.filter(owner=colleague).values_list("pk", flat=True)) == {
        d.pk for d in left
    }
    assert 'id="left-behind"' not in client.get(reverse("safeguarding:home")).content.decode()
    assert hand_over not in client.get(url("people", partnership)).content.decode()
    # A second click says it is done; nothing more is handed over or recorded.
    again = client.post(hand_over, {"successor": manager.pk}, follow=True)
    assert "Those deadlines were handed over already." in again.content.decode()
    assert Deadline.objects.filter(owner=colleague).count() == 3
    # Back to the page, or a reload of it: the same answer, not "Page not found".
    reloaded = client.get(hand_over, follow=True)
    assert reloaded.redirect_chain == [(url("people", partnership), 302)]
    assert "Those deadlines were handed over already." in reloaded.content.decode()
    # Someone whose deadlines were never handed over here: not found, as before.
    never = reverse("safeguarding:deadlines-hand-over", args=[partnership.pk, manager.pk])
    assert client.get(never).status_code == 404


def test_a_manager_hands_over_the_deadlines_of_someone_still_in_the_business_unit(
    client, people, partnership
):
    """Cover for leave: the officer keeps their role; their open clocks and those paused by
    a hold go to a colleague, who is reminded of them from now on; one audit event."""
    from django.utils import timezone

    from safeguarding.models import Deadline

    officer, manager = people["officer"], people["manager"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")
    today = timezone.localdate()
    running = _clocks(partnership, officer, 2)
    paused = _clocks(partnership, officer, 1, closed_on=today, outcome=Deadline.Outcome.PAUSED)
    met = _clocks(partnership, officer, 1, closed_on=today, outcome=Deadline.Outcome.MET)
    hand_over = url("deadlines-hand-over", partnership, officer.pk)

    sign_in(client, manager)
    listing = client.get(url("people", partnership)).content.decode()
    assert "Open deadlines of people who have left" not in listing
    (row,) = [r for r in re.findall(r"<tr .*?</tr>", listing, re.S) if "Officer One" in r]
    assert f'href="{hand_over}"' in row and ">3<" in row
    assert (
        'Hand over their deadlines<span class="govuk-visually-hidden"> (Officer One)</span>' in row
    )
    page = client.get(hand_over).content.decode()
    assert "Officer One owns 3 open deadlines here" in page
    assert "Officer One keeps their role" in page
    assert "is sent their reminders instead of Officer One" in page
    # Who "they" are is said by name: a walk found "when they come back" and "theirs" unclear.
    assert "New deadlines that Officer One starts later are Officer One’s own" in page
    assert "When Officer One comes back, these deadlines stay with the person you choose" in page
    assert f'<a href="{url("people", partnership)}" class="govuk-back-link">Back</a>' in page

    refused = client.post(hand_over, {}).content.decode()
    assert "There is a problem" in refused and "<title>Error:" in refused
    assert "Select who takes over their open deadlines" in refused
    themselves = client.post(hand_over, {"successor": officer.pk}).content.decode()
    assert "Select one of the people listed" in themselves
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()

    done = client.post(hand_over, {"successor": colleague.pk}, follow=True).content.decode()
    assert "Officer One’s 3 open deadlines are now Colleague Two’s." in done
    assert Membership.objects.filter(
        user=officer, partnership=partnership, role=Role.REVIEW_OFFICER
    ).exists()
    assert set(Deadline.objects.filter(owner=colleague).values_list("pk", flat=True)) == {
        d.pk for d in running + paused
    }
    assert Deadline.objects.get(pk=met[0].pk).owner == officer  # met: stays who met it
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, partnership=partnership)
    assert event.actor == manager
    assert event.changes["owner"] == {"old": officer.email, "new": colleague.email}
    assert event.changes["deadlines"] == 3
    assert f'href="{hand_over}"' not in client.get(url("people", partnership)).content.decode()
    # A second click says it is done; nothing more is handed over or recorded.
    again = client.post(hand_over, {"successor": manager.pk}, follow=True).content.decode()
    assert "Those deadlines were handed over already." in again
    assert Deadline.objects.filter(owner=colleague).count() == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count() == 1
    reloaded = client.get(hand_over, follow=True).content.decode()
    assert "Those deadlines were handed over already." in reloaded


def test_deadlines_go_only_to_an_officer_or_manager_of_the_partnership(
    people, partnership, other_partnership
):
    """The service's own check, whatever the form offered: not the same person, not
    someone of another partnership, not a switched-off account, not a contributor."""
    from django.core.exceptions import ValidationError

    from safeguarding import people as people_service
    from safeguarding.models import Deadline

    officer, manager = people["officer"], people["manager"]
    clocks = _clocks(partnership, officer, 1)
    gone = member(Role.REVIEW_OFFICER, partnership, full_name="Gone")
    gone.is_active = False
    gone.save()
    for successor in (officer, people["other_officer"], gone, people["agency"]):
        with pytest.raises(ValidationError):
            people_service.deadlines_hand_over(
                actor=manager, partnership=partnership, owner=officer, successor=successor
            )
    assert Deadline.objects.get(pk=clocks[0].pk).owner == officer
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()


def test_only_the_partnerships_managers_hand_over_its_deadlines(
    client, people, partnership, other_partnership
):
    """Someone with no deadlines here, or of another partnership, is not found; another
    partnership's manager reaches nothing; an officer is refused."""
    from safeguarding.models import Deadline

    officer, manager = people["officer"], people["manager"]
    _clocks(partnership, officer, 1)
    _clocks(other_partnership, people["other_officer"], 1)
    still_here = url("deadlines-hand-over", partnership, officer.pk)
    sign_in(client, manager)
    assert client.get(still_here).status_code == 200
    for elsewhere in (people["other_officer"], people["other_manager"], manager):
        page = url("deadlines-hand-over", partnership, elsewhere.pk)
        assert client.get(page).status_code == 404
        assert client.post(page, {"successor": manager.pk}).status_code == 404
    officer.is_active = False  # switched off: one who has left, as before
    officer.save()
    assert "no longer works in the partnership" in client.get(still_here).content.decode()
    officer.is_active = True
    officer.save()
    sign_in(client, people["other_manager"])
    assert client.get(still_here).status_code == 404
    assert client.post(still_here, {"successor": people["other_manager"].pk}).status_code == 404
    sign_in(client, people["other_officer"])
    assert client.get(still_here).status_code == 403
    sign_in(client, officer)
    assert client.post(still_here, {"successor": manager.pk}).status_code == 403
    assert Deadline.objects.filter(owner=officer).count() == 1
    assert Deadline.objects.filter(owner=people["other_officer"]).count() == 1


def test_removing_a_reviewer_or_an_agencys_only_contributor_says_what_is_left(
    client,
    people,
    partnership,
    agencies,  # noqa: F811
    contributors,  # noqa: F811
    sent_requests,  # noqa: F811
    make_review,  # noqa: F811
):
    """The page that asks says what the person leaves without anyone: an independent
    reviewer's open local reviews; the open requests of an agency they alone answer for."""
    from lcspr import services as lcspr_services
    from tests.lcspr.conftest import open_review

    local = open_review(make_review, people)
    lcspr_services.review_set_reviewers(
        review=local, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    sign_in(client, people["manager"])
    reviewer = Membership.objects.get(user=people["reviewer"])
    page = client.get(url("person-remove", partnership, reviewer.pk)).content.decode()
    assert f"is the independent reviewer of 1 open local review here ({local.reference})" in page
    health = Membership.objects.get(user=contributors["health"])
    page = client.get(url("person-remove", partnership, health.pk)).content.decode()
    assert (
        "Health Contributor is the only contributor for Brookfield Hospitals in this "
        "partnership, which has 1 request awaiting its return" in page
    )
    member(Role.AGENCY_CONTRIBUTOR, partnership, agency=agencies["health"])
    page = client.get(url("person-remove", partnership, health.pk)).content.decode()
    assert "only contributor" not in page
    officer = Membership.objects.get(user=people["officer"])
    page = client.get(url("person-remove", partnership, officer.pk)).content.decode()
    assert "app-work-left" not in page


def test_the_invitation_e_mail_writes_names_as_they_are_typed(
    client, people, partnership, django_capture_on_commit_callbacks, settings
):
    """The plain-text part is not HTML: an apostrophe in the person's, the agency's or
    the partnership's name reads as an apostrophe, not as an HTML entity."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    partnership.name = "St Anne's Safeguarding Children Partnership"
    partnership.save(update_fields=["name"])
    agency = AgencyFactory(name="Brookfield Children’s Social Care", partnerships=[partnership])
    sign_in(client, people["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("person-add", partnership),
            {
                "full_name": "Siobhan O'Neill",
                "email": "siobhan@csc.example",
                "role": Role.AGENCY_CONTRIBUTOR,
                "agency": str(agency.pk),
            },
        )
    assert response.status_code == 302
    (invitation,) = mail.outbox
    # Which partnership gave the role, before it is opened: someone may work for several.
    assert invitation.subject == (
        f"St Anne's Safeguarding Children Partnership has given you a role on "
        f"{settings.SERVICE_NAME}"
    )
    assert "Dear Siobhan O'Neill," in invitation.body
    assert "St Anne's Safeguarding Children Partnership" in invitation.body
    assert "You answer for Brookfield Children’s Social Care." in invitation.body
    assert "&#x27;" not in invitation.body and "&amp;" not in invitation.body
    html = invitation.alternatives[0][0]
    assert "O&#x27;Neill" in html  # the HTML part stays escaped


def test_every_plain_text_e_mail_template_turns_html_escaping_off():
    """Django escapes for HTML in every template; a .txt e-mail must say not to, or the
    names in it (O'Neill, Children's Social Care) reach people as HTML entities."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    templates = list(root.glob("*/templates/*/email/*.txt"))
    assert templates
    missing = [
        str(path.relative_to(root))
        for path in templates
        if "{% autoescape off %}" not in path.read_text()
    ]
    assert missing == []


def test_every_e_mail_is_signed_and_headed_the_same_way():
    """Every e-mail the service sends ends its plain text with the same sign-off (a "--"
    line, then the service's name) and opens its HTML with the same black band naming
    the service: the sign-in e-mails (invitation, password reset, set-up code, security
    notices) as the case e-mails, so that a real one looks like every other."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    band = (
        '<div style="background: #0b0c0c; color: #ffffff; padding: 10px 15px; '
        'font-weight: bold;">{{ service_name }}</div>'
    )
    texts = [p for p in root.glob("*/templates/*/email/*.txt") if not p.stem.endswith("_subject")]
    pages = [p for p in root.glob("*/templates/*/email/*.html") if p.stem != "reminder_item"]
    assert len(texts) == len(pages) > 15
    unsigned = [p.name for p in texts if "\n--\n{{ service_name }}" not in p.read_text()]
    unheaded = [p.name for p in pages if band not in p.read_text()]
    assert (unsigned, unheaded) == ([], [])


# --- A hand-over to someone who has not signed in yet; the new owner is told ---------------


def _signed_in(user):
    from django.utils import timezone

    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return user


def test_who_has_not_signed_in_yet_is_marked_where_deadlines_are_handed_over(
    client, people, partnership
):
    """An invited colleague who has never chosen a password was offered like any other:
    the deadlines (and their reminders) would go to someone who cannot yet sign in."""
    officer, manager = people["officer"], _signed_in(people["manager"])
    _clocks(partnership, officer, 2)
    _signed_in(member(Role.REVIEW_OFFICER, partnership, full_name="Ready Colleague"))
    invited = member(Role.REVIEW_OFFICER, partnership, full_name="Invited Colleague")
    assert invited.last_login is None
    sign_in(client, manager)
    manager.refresh_from_db()
    for page_url in (
        url("deadlines-hand-over", partnership, officer.pk),
        url("person-remove", partnership, officer.memberships.get().pk),
    ):
        page = client.get(page_url).content.decode()
        labels = {
            who: re.search(rf"{who} \([^)]*\)[^<]*", page).group(0)
            for who in ("Ready Colleague", "Invited Colleague")
        }
        assert "has not signed in yet" in labels["Invited Colleague"], page_url
        assert "has not signed in yet" not in labels["Ready Colleague"], page_url
    page = client.get(url("deadlines-hand-over", partnership, officer.pk)).content.decode()
    assert "We email the person you choose to tell them." in page


def test_the_new_owner_is_e_mailed_once_after_a_hand_over(
    client, people, partnership, django_capture_on_commit_callbacks, settings
):
    """After a hand-over the new owner learnt of their deadlines only from the reminders.
    One e-mail, once the hand-over commits: how many, which cases (references only) and
    a link to their deadlines; never again on a second click, a re-queue or a retry."""
    from safeguarding import reminder_mail, reminders
    from safeguarding.models import ReminderSent

    settings.CELERY_TASK_ALWAYS_EAGER = True
    officer, manager = people["officer"], people["manager"]
    colleague = member(
        Role.REVIEW_OFFICER,
        partnership,
        full_name="Colleague Two",
        reminder_preference=User.ReminderPreference.DIGEST,  # told at once all the same
    )
    clocks = _clocks(partnership, officer, 3)
    hand_over = url("deadlines-hand-over", partnership, officer.pk)
    sign_in(client, manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(hand_over, {"successor": colleague.pk})
    (notice,) = mail.outbox
    assert notice.to == [colleague.email]
    assert notice.subject == "3 open deadlines in Brookfield SCP are now yours"
    body = notice.body
    assert "Officer One’s 3 open deadlines in Brookfield SCP were handed over to you" in body
    for clock in clocks:
        assert clock.reference in body
    assert f"{settings.SITE_URL}/\n" in body  # their deadlines, on their home page
    assert body.rstrip().endswith(settings.SERVICE_NAME) and "\n--\n" in body
    html = notice.alternatives[0][0]
    assert "background: #0b0c0c" in html and clocks[0].reference in html
    # Once: a second click, beat's re-queue and the task run again send nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(hand_over, {"successor": manager.pk})
    (row,) = ReminderSent.objects.filter(rule="handover")
    assert row.status == ReminderSent.Status.SENT and row.recipient == colleague
    reminders.requeue_stale()
    assert reminder_mail.reminder_deliver(reminder_id=row.pk) == ReminderSent.Status.SENT
    assert len(mail.outbox) == 1


def test_removing_an_officer_tells_whoever_takes_over_their_deadlines(
    client, people, partnership, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    officer, manager = people["officer"], people["manager"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")
    _clocks(partnership, officer, 1)
    sign_in(client, manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("person-remove", partnership, officer.memberships.get().pk),
            {"successor": colleague.pk},
        )
    (notice,) = [m for m in mail.outbox if m.to == [colleague.email]]
    assert notice.subject == "1 open deadline in Brookfield SCP is now yours"
    assert "Officer One’s 1 open deadline in Brookfield SCP was handed over to you" in notice.body


def test_no_hand_over_is_offered_when_no_one_else_could_take_the_deadlines(
    client, people, partnership
):
    manager, officer = people["manager"], people["officer"]
    _clocks(partnership, manager, 2)
    _clocks(partnership, officer, 1)
    sign_in(client, manager)
    own = url("deadlines-hand-over", partnership, manager.pk)
    theirs = url("deadlines-hand-over", partnership, officer.pk)
    listing = client.get(url("people", partnership)).content.decode()
    assert own in listing and theirs in listing  # each can take the other's
    officer.is_active = False  # switched off: the manager is the only one left
    officer.save(update_fields=["is_active"])

    listing = client.get(url("people", partnership)).content.decode()

    assert own not in listing
    assert theirs in listing  # the manager can take a leaver's
    for response in (client.get(own), client.post(own, {})):
        html = response.content.decode()
        assert response.status_code == 200
        assert "There is no other review officer or manager in the partnership" in html
        assert 'name="successor"' not in html
        assert "Select who takes over" not in html
