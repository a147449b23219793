"""The audit trail is append-only, at the model and (on PostgreSQL) at the database."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding import permissions
from safeguarding.audit import Action, audit_record, diff
from safeguarding.models import AuditEvent, AuditImmutableError, Membership, Role
from tests.utils import date_fields, sign_in

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(people, partnership):
    return audit_record(actor=people["officer"], action=Action.VIEW, obj=partnership)


def test_event_records_who_what_where(event, people, partnership):
    assert event.actor == people["officer"]
    assert event.actor_email == people["officer"].email
    assert event.partnership == partnership
    assert event.object_type == "safeguarding.partnership"
    assert event.object_id == str(partnership.pk)


def test_model_refuses_update_and_delete(event):
    event.object_repr = "tampered"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="tampered")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.object_repr != "tampered"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE safeguarding_auditevent SET object_repr = 'tampered' WHERE id = %s",
        "DELETE FROM safeguarding_auditevent WHERE id = %s",
    ],
)
def test_database_rejects_update_and_delete(event, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, object_repr=event.object_repr).exists()


def test_diff_lists_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {
        "b": {"old": 2, "new": 3},
        "c": {"old": None, "new": 4},
    }


def test_sign_in_success_failure_and_sign_out_are_audited(client, people):
    officer = people["officer"]
    url = reverse("safeguarding:sign-in")
    client.post(url, {"username": officer.email, "password": "wrong-password"})
    failed = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert failed.actor == officer and failed.actor_email == officer.email
    assert failed.ip_address == "127.0.0.1"

    response = client.post(url, {"username": officer.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, actor=officer).count() == 1

    client.post(reverse("safeguarding:sign-out"))
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, actor=officer).count() == 1

    client.post(url, {"username": "stranger@example.org", "password": "guess"})
    unknown = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED, actor=None)
    assert unknown.actor_email == "stranger@example.org"


def test_managers_see_their_peoples_sign_ins_only(client, people):
    for who in ("officer", "other_officer"):
        client.post(
            reverse("safeguarding:sign-in"), {"username": people[who].email, "password": PASSWORD}
        )
        client.post(reverse("safeguarding:sign-out"))
    sign_in(client, people["manager"])
    html = client.get(reverse("safeguarding:audit"), {"action": "sign_in"}).content.decode()
    assert people["officer"].full_name in html
    assert people["other_officer"].full_name not in html


def test_the_action_filter_is_in_short_words_and_the_trail_in_full(client, people, partnership):
    """ "Passed two-factor authentication" was wider than the filter panel's select (ADR
    0008): the filter says "Passed two-factor", the trail keeps the action's own words."""
    audit_record(actor=people["officer"], action=Action.TWO_FACTOR_VERIFIED, obj=partnership)
    sign_in(client, people["manager"])
    html = client.get(
        reverse("safeguarding:audit"), {"action": Action.TWO_FACTOR_VERIFIED}
    ).content.decode()
    assert '<option value="two_factor_verified" selected>Passed two-factor</option>' in html
    table = html.split("<table", 1)[1]
    assert "Passed two-factor authentication" in table and people["officer"].full_name in table


def test_admin_changes_are_audited_with_old_and_new_values(client, partnership):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    url = reverse("admin:safeguarding_partnership_change", args=[partnership.pk])
    response = client.post(
        url,
        {
            "name": partnership.name,
            "code": partnership.code,
            "local_authority": "Renamed Council",
            "contact_email": partnership.contact_email,
            "region": partnership.region_id,
            "is_active": "on",
            "closure_days-TOTAL_FORMS": "0",
            "closure_days-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(partnership.pk))
    assert event.changes == {
        "local_authority": {"old": partnership.local_authority, "new": "Renamed Council"}
    }
    assert event.partnership == partnership


def test_audit_page_filters(client, people, partnership):
    officer, manager = people["officer"], people["manager"]
    audit_record(actor=officer, action=Action.EXPORT, obj=partnership, object_repr="Export A")
    audit_record(actor=manager, action=Action.VIEW, obj=partnership, object_repr="Viewed B")
    old = AuditEvent.objects.create(
        actor=officer,
        actor_email=officer.email,
        partnership=partnership,
        action=Action.VIEW,
        object_repr="Old C",
        occurred_at=timezone.now() - dt.timedelta(days=40),
    )
    sign_in(client, manager)
    url = reverse("safeguarding:audit")

    def shown(**params):
        html = client.get(url, params).content.decode()
        return {name for name in ("Export A", "Viewed B", "Old C") if name in html}

    assert shown() == {"Export A", "Viewed B", "Old C"}
    assert shown(action="export") == {"Export A"}
    assert shown(actor=officer.pk) == {"Export A", "Old C"}
    assert shown(record="viewed") == {"Viewed B"}
    since = timezone.localdate() - dt.timedelta(days=7)
    assert shown(**date_fields("occurred_from", since)) == {"Export A", "Viewed B"}
    assert shown(**date_fields("occurred_to", old.occurred_at.date())) == {"Old C"}


def _admin_change_post(client, url, **changes):
    """Post a person's admin change page as it stands (their memberships included), with
    `changes` (None: a box left unticked)."""
    page = client.get(url).context
    forms = [page["adminform"].form]
    data = {}
    for inline in page["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(n): v for n, v in management.initial.items()})
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (None, False) and not hasattr(value, "isoformat"):
                data[form.add_prefix(name)] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(url, data)


def test_managers_see_what_administrators_did_to_their_people_and_only_theirs(
    client, people, django_capture_on_commit_callbacks
):
    """An administrator switches a person's account off, sets their password and resets
    their second factor: their partnership's manager sees it in the trail (as about that
    person); the manager of another partnership does not."""
    from django.test import Client

    from tests.factories import UserFactory
    from tests.utils import authenticator_for

    admin = UserFactory(is_staff=True, is_superuser=True, full_name="Ada Administrator")
    browser = Client()
    sign_in(browser, admin)
    for who in ("officer", "other_officer"):
        person = people[who]
        authenticator_for(person)
        change = reverse("admin:safeguarding_user_change", args=[person.pk])
        reset = reverse("admin:safeguarding_user_second_factor_reset", args=[person.pk])
        password = reverse("admin:auth_user_password_change", args=[person.pk])
        new = "a-much-longer-new-passphrase"
        with django_capture_on_commit_callbacks(execute=False):
            assert browser.post(reset).status_code == 302
            assert (
                browser.post(
                    password, {"password1": new, "password2": new, "usable_password": "true"}
                ).status_code
                == 302
            )
            assert _admin_change_post(browser, change, is_active=None).status_code == 302
        person.refresh_from_db()
        assert not person.is_active
    about = {
        who: set(
            AuditEvent.objects.filter(
                actor=admin, object_type="safeguarding.user", object_id=str(people[who].pk)
            ).values_list("action", flat=True)
        )
        for who in ("officer", "other_officer")
    }
    assert (
        about["officer"]
        == about["other_officer"]
        == {
            Action.TWO_FACTOR_RESET,
            Action.PASSWORD_CHANGED,
            Action.UPDATE,
        }
    )

    def trail(manager, **params):
        sign_in(client, manager)
        page = client.get(reverse("safeguarding:audit"), params)
        html = page.content.decode()
        return {
            who
            for who in ("officer", "other_officer")
            if people[who].email in html and "Ada Administrator" in html
        }, html

    seen, html = trail(people["manager"])
    assert seen == {"officer"}
    for label in ("Reset two-factor authentication", "Changed password", "Updated"):
        assert label in html
    assert "<strong>Active</strong>: Yes → No" in html
    # The Person filter finds what was done to their account as well as what they did.
    assert trail(people["manager"], actor=people["officer"].pk)[0] == {"officer"}
    assert trail(people["other_manager"])[0] == {"other_officer"}
    assert people["officer"].email not in trail(people["other_manager"])[1]


def test_the_audit_dates_are_day_month_and_year_date_fields(client, people):
    sign_in(client, people["manager"])
    html = client.get(reverse("safeguarding:audit")).content.decode()
    for name in ("occurred_from", "occurred_to"):
        for part in range(3):
            assert f'name="{name}_{part}"' in html
    assert 'type="date"' not in html


def test_audit_page_rejects_bad_dates_with_an_error_summary(client, people):
    sign_in(client, people["manager"])
    response = client.get(
        reverse("safeguarding:audit"),
        {"occurred_from_0": "31", "occurred_from_1": "2", "occurred_from_2": "2026"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error:" in html
    assert "The ‘From’ date must be a real date" in html
    # Nothing is listed until the filters are right (not the trail filtered on half of them).
    assert "Correct the filters to see the events." in html
    assert response.context["page"].object_list == []
    assert client.get(reverse("safeguarding:audit")).context["page"].object_list
    # Half a date is named, not ignored.
    html = client.get(reverse("safeguarding:audit"), {"occurred_to_2": "2026"}).content.decode()
    assert "The ‘To’ date must include a day and month" in html


@pytest.mark.parametrize(
    "hops, forwarded, expected",
    [
        (0, "203.0.113.9", "10.0.0.5"),  # reached directly: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),  # one proxy appended the client's address
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left part was forged
        (2, "203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two proxies
        (2, "203.0.113.9", "10.0.0.5"),  # fewer entries than proxies: not trusted
        (1, "not-an-address", "10.0.0.5"),
    ],
)
def test_client_address_behind_trusted_proxies(rf, settings, hops, forwarded, expected):
    from safeguarding.audit import client_ip

    settings.TRUSTED_PROXIES = hops
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.5")
    assert client_ip(request) == expected


def test_lockout_is_per_user_address_behind_the_proxy(client, people, settings):
    """Behind a load balancer every request comes from its address: the lockout must key
    on the user's address, or one person's lockout would lock everyone."""
    from django.test import Client

    settings.TRUSTED_PROXIES = 1
    url = reverse("safeguarding:sign-in")
    email = people["officer"].email
    attacker = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(url, {"username": email, "password": "wrong-password-1"})
    locked = attacker.post(url, {"username": email, "password": "wrong-password-1"})
    assert "locked" in locked.content.decode().lower()
    colleague = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.20")
    response = colleague.post(url, {"username": email, "password": "wrong-password-1"})
    assert "locked" not in response.content.decode().lower()
    event = AuditEvent.objects.filter(actor_email=email).order_by("-id").first()
    assert event.ip_address == "203.0.113.20"


def test_roles_given_and_taken_in_the_admin_are_in_the_partnerships_trail(client, partnership):
    """A membership added, changed or removed on a person's admin page (an inline row) is
    audited, with its partnership, like any other admin change."""
    from safeguarding.models import Membership, Role
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    target = UserFactory(full_name="New Comer")
    url = reverse("admin:safeguarding_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None and not hasattr(value, "isoformat"):
            data[name] = value
    rows = {"memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"}
    added = {
        **data,
        **rows,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-role": Role.PARTNERSHIP_MANAGER,
        "memberships-0-partnership": str(partnership.pk),
        "memberships-0-user": str(target.pk),
    }
    assert client.post(url, added).status_code == 302
    membership = Membership.objects.get(user=target)
    created = AuditEvent.objects.get(object_type="safeguarding.membership", action=Action.CREATE)
    assert created.partnership == partnership and created.actor == admin
    assert created.changes["role"] == {"old": None, "new": Role.PARTNERSHIP_MANAGER}
    removed = {
        **data,
        **rows,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(membership.pk),
        "memberships-0-role": Role.PARTNERSHIP_MANAGER,
        "memberships-0-partnership": str(partnership.pk),
        "memberships-0-user": str(target.pk),
        "memberships-0-DELETE": "on",
    }
    assert client.post(url, removed).status_code == 302
    assert not Membership.objects.filter(user=target).exists()
    deleted = AuditEvent.objects.get(object_type="safeguarding.membership", action=Action.DELETE)
    assert deleted.partnership == partnership


def test_an_administrator_with_a_role_here_does_not_bring_what_they_did_elsewhere(people):
    """An administrator may hold a role in a partnership too: what they did to another
    partnership's people's accounts is not in this partnership's trail (what they did as
    themselves, and to this partnership's people, is)."""
    from safeguarding import two_factor
    from tests.factories import UserFactory
    from tests.utils import authenticator_for

    admin = UserFactory(is_staff=True, is_superuser=True)
    here = people["officer"].memberships.get().partnership
    Membership.objects.create(user=admin, partnership=here, role=Role.REVIEW_OFFICER)
    for who in ("officer", "other_officer"):
        authenticator_for(people[who])
        two_factor.second_factor_reset(actor=admin, user=people[who], request=None)
    ours, theirs = (
        AuditEvent.objects.get(action=Action.TWO_FACTOR_RESET, object_id=str(people[who].pk))
        for who in ("officer", "other_officer")
    )
    seen = set(permissions.audit_events_visible_to(people["manager"]).values_list("pk", flat=True))
    assert ours.pk in seen
    assert theirs.pk not in seen
    assert theirs.pk in set(
        permissions.audit_events_visible_to(people["other_manager"]).values_list("pk", flat=True)
    )


def test_an_administrator_without_a_role_sees_which_fields_changed_not_their_values(
    client, people, partnership
):
    from tests.factories import UserFactory

    audit_record(
        actor=people["officer"],
        action=Action.UPDATE,
        obj=partnership,
        object_repr="BSCP-2026-001",
        changes={"circumstances": {"old": "", "new": "Hidden circumstances of the case."}},
    )
    root = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, root)
    html = client.get(reverse("safeguarding:audit")).content.decode()
    assert "BSCP-2026-001" in html and "<strong>Circumstances</strong>" in html
    assert "Hidden circumstances of the case." not in html
    assert "shown only to the partnership’s business unit" in html
    sign_in(client, people["manager"])
    assert (
        "Hidden circumstances of the case."
        in client.get(reverse("safeguarding:audit")).content.decode()
    )


def test_a_reversed_date_range_on_the_audit_page_is_an_error(client, people, partnership):
    audit_record(
        actor=people["officer"], action=Action.UPDATE, obj=partnership, object_repr="Clock moved"
    )
    sign_in(client, people["manager"])
    response = client.get(
        reverse("safeguarding:audit"),
        {
            **date_fields("occurred_from", dt.date(2026, 12, 1)),
            **date_fields("occurred_to", dt.date(2026, 1, 1)),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "The ‘To’ date must be the same as or after ‘From’" in html
    # The trail is not listed under the error, as if it were the answer.
    assert "Correct the filters to see the events." in html
    assert "Clock moved" not in html


def test_a_change_reads_old_to_new_and_a_reason_reads_as_itself(client, people, partnership):
    audit_record(
        actor=people["officer"],
        action=Action.UPDATE,
        obj=partnership,
        object_repr="Clock moved",
        changes={"due_date": {"old": "2026-12-01", "new": "2026-12-02"}, "reason": "Typo"},
    )
    sign_in(client, people["manager"])
    html = client.get(reverse("safeguarding:audit")).content.decode()
    # Not a field of the partnership: its name in words, its ISO dates as the service
    # writes dates (safeguarding.audit_display).
    assert "<strong>Due date</strong>: 1 December 2026 → 2 December 2026" in html
    assert "<strong>Reason</strong>: Typo" in html


def test_the_admin_view_of_an_event_hides_a_cases_values_too(client, people, partnership):
    from tests.factories import UserFactory

    event = audit_record(
        actor=people["officer"],
        action=Action.UPDATE,
        obj=partnership,
        object_repr="BSCP-2026-001 Child A",
        changes={"date_of_birth": {"old": None, "new": "2016-08-09"}},
    )
    root = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, root)
    url = reverse("admin:safeguarding_auditevent_change", args=[event.pk])
    html = client.get(url).content.decode()
    assert "Date of birth" in html and "BSCP-2026-001 Child A" in html
    assert "2016-08-09" not in html
    assert "shown only to the partnership" in html


def test_a_password_is_never_copied_into_the_trail(client, partnership):
    from safeguarding.models import Role, User
    from tests.factories import UserFactory

    root = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, root)
    response = client.post(
        reverse("admin:safeguarding_user_add"),
        {
            "email": "new.officer@example.org",
            "full_name": "New Officer",
            "password1": "A-long-enough-passphrase-2026",
            "password2": "A-long-enough-passphrase-2026",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-partnership": partnership.pk,
            "memberships-0-role": Role.REVIEW_OFFICER,
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    user = User.objects.get(email="new.officer@example.org")
    created = AuditEvent.objects.get(
        object_type="safeguarding.user", object_id=str(user.pk), action=Action.CREATE
    )
    assert user.password[:20] not in str(created.changes)
    assert "pbkdf2" not in str(created.changes) and "argon2" not in str(created.changes)
    assert "password" in created.changes  # that it was set is recorded, not what it is

    # An event written before the rule: its hash is not shown, on either page.
    old = audit_record(
        actor=root,
        action=Action.CREATE,
        obj=user,
        changes={"password": {"old": "", "new": "pbkdf2_sha256$1000000$OLDHASH"}},
    )
    audit_page = client.get(reverse("safeguarding:audit"), {"record": "New Officer"})
    admin_page = client.get(reverse("admin:safeguarding_auditevent_change", args=[old.pk]))
    for html in (audit_page.content.decode(), admin_page.content.decode()):
        assert "OLDHASH" not in html
        assert "changed (not recorded)" in html


def test_one_address_trying_every_account_is_locked_out(client, people, settings):
    """Password spraying: a few wrong passwords on each of many accounts from one address
    stay under each account's lockout, so the address itself is counted too."""
    from django.test import Client

    settings.ADDRESS_FAILURE_LIMIT = 4
    url = reverse("safeguarding:sign-in")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for who in ("officer", "manager", "agency", "reviewer"):
        response = attacker.post(url, {"username": people[who].email, "password": "Summer2026!"})
        assert response.status_code == 200  # an ordinary wrong password, not locked yet
    refused = attacker.post(url, {"username": people["regional"].email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "too many failed sign-ins from your network" in refused.content.decode()
    assert "_auth_user_id" not in attacker.session
    assert AuditEvent.objects.filter(
        action=Action.LOCKED_OUT,
        ip_address="198.51.100.7",
        changes__reason="too many failed sign-ins from this address",
    ).exists()
    elsewhere = Client(REMOTE_ADDR="203.0.113.20")
    signed_in = elsewhere.post(url, {"username": people["regional"].email, "password": PASSWORD})
    assert signed_in.status_code == 302


def test_an_event_by_no_one_is_listed_with_a_dash(client, people, partnership):
    """An event the service wrote itself (no actor: a scheduled task, an import) sits in
    the trail beside people's. Once a 500: the actor's name was read as a filter's
    argument, which Django does not forgive as it does a missing variable."""
    audit_record(actor=None, action=Action.UPDATE, obj=partnership, object_repr="By itself")
    sign_in(client, people["manager"])
    response = client.get(reverse("safeguarding:audit"))
    assert response.status_code == 200
    (row,) = [r for r in response.content.decode().split("<tr") if "By itself" in r]
    assert "—" in row


def test_what_was_looked_at_is_in_details_not_changes(client, people, partnership):
    """A view, download or export changed nothing: its disclosure is "Details"."""
    audit_record(
        actor=people["officer"],
        action=Action.VIEW,
        obj=partnership,
        object_repr="Peeked record",
        changes={"page": "ready to send"},
    )
    audit_record(
        actor=people["officer"],
        action=Action.UPDATE,
        obj=partnership,
        object_repr="Changed it",
        changes={"name": {"old": "A", "new": "B"}},
    )
    sign_in(client, people["manager"])
    rows = client.get(reverse("safeguarding:audit")).content.decode().split("<tr")
    (viewed,) = [r for r in rows if "Peeked record" in r]
    (changed,) = [r for r in rows if "Changed it" in r]
    assert ">Details<" in viewed and ">Changes<" not in viewed
    assert ">Changes<" in changed
