"""The audit trail's Newer and Older pages (safeguarding.keyset, ADR 0023): walked either
way they hold every event the manager may see exactly once, in order, and nothing else;
a key typed by hand only moves where the page starts; the page reads the same number of
queries however deep it is."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding import permissions
from safeguarding.audit import Action
from safeguarding.keyset import Key, keyset_page
from safeguarding.models import AuditEvent
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

URL = reverse("safeguarding:audit")


def _event(at, partnership, actor, action=Action.VIEW, repr_="BSCP-2026-001"):
    return AuditEvent.objects.create(
        occurred_at=at,
        actor=actor,
        actor_email=actor.email,
        partnership=partnership,
        action=action,
        object_type="notifications.incident" if partnership else "",
        object_id="1" if partnership else "",
        object_repr=repr_ if partnership else "",
    )


@pytest.fixture
def trail(people, partnership, other_partnership):
    """120 events of the manager's partnership, the officer's own sign-ins (before and
    after they joined), and as many of another partnership's, at interleaved times with
    ties (several events in one microsecond)."""
    start = timezone.now() + dt.timedelta(minutes=1)
    officer, other = people["officer"], people["other_officer"]
    for n in range(120):
        at = start + dt.timedelta(seconds=n // 3)  # three events a second: ties
        _event(at, partnership, officer)
        _event(at, other_partnership, other)
    for n in range(15):
        _event(start + dt.timedelta(seconds=n * 7), None, officer, Action.SIGN_IN)
        _event(start + dt.timedelta(seconds=n * 7), None, other, Action.SIGN_IN)
    # Before the officer joined the partnership: not this trail's.
    _event(timezone.now() - dt.timedelta(days=3), None, officer, Action.SIGN_IN)
    return start


def _ids(response):
    assert response.status_code == 200
    return [event.pk for event in response.context["page"].object_list]


def _expected(manager):
    return list(
        permissions.audit_events_visible_to(manager)
        .order_by("-occurred_at", "-id")
        .values_list("pk", flat=True)
    )


def test_walking_older_then_newer_holds_every_event_once_in_order(
    client, people, partnership, trail
):
    manager = people["manager"]
    sign_in(client, manager)
    expected = _expected(manager)
    # The scope is right before the pages are: the partnership's events and the
    # officer's sign-ins since they joined (and the manager's own), none of the other
    # partnership's.
    assert len(expected) == 120 + 15 + 1
    assert set(AuditEvent.objects.filter(pk__in=expected).values_list("actor", flat=True)) == {
        people["officer"].pk,
        manager.pk,
    }
    pages, response = [], client.get(URL)
    while True:
        pages.append(_ids(response))
        page = response.context["page"]
        if not page.older:
            break
        assert f"before={page.older}" in response.content.decode()
        response = client.get(URL, {"before": page.older})
    assert [len(p) for p in pages] == [50, 50, 36]
    assert [pk for p in pages for pk in p] == expected
    # And back up with Newer: the same pages, the top one as first shown.
    back = [pages[-1]]
    while (newer := response.context["page"].newer) is not None:
        response = client.get(URL, {"after": newer})
        back.append(_ids(response))
    assert back[::-1] == pages
    assert response.context["page"].newer is None
    assert "Older events" in response.content.decode()


def test_the_keys_are_the_same_with_and_without_the_parts(people, trail):
    """The UNION of the scope's parts finds the same pages as the whole scope read in
    one (the parts only change how PostgreSQL reads them)."""
    manager = people["manager"]
    whole = permissions.audit_events_visible_to(manager)
    parts = permissions.audit_events_by_part(permissions.audit_scope_parts(manager))
    assert len(parts) == 1 + 4 + 1  # the partnership, each of its four people, their accounts
    before = None
    for _ in range(4):
        one = keyset_page(whole, before=before, size=20)
        split = keyset_page(whole, before=before, size=20, parts=parts)
        assert [e.pk for e in one.object_list] == [e.pk for e in split.object_list]
        assert (one.newer, one.older) == (split.newer, split.older)
        before = one.older


def test_filters_are_kept_in_the_links_and_apply_to_every_part(client, people, trail):
    manager = people["manager"]
    sign_in(client, manager)
    response = client.get(URL, {"action": Action.VIEW})
    html = response.content.decode()
    older = response.context["page"].older
    assert f"action=view&amp;before={older}" in html
    walked = _ids(response)
    while older:
        response = client.get(URL, {"action": Action.VIEW, "before": older})
        walked += _ids(response)
        older = response.context["page"].older
    assert len(walked) == 120
    assert set(AuditEvent.objects.filter(pk__in=walked).values_list("action", flat=True)) == {
        Action.VIEW
    }
    # A filter that fits on one page says how many events it found.
    response = client.get(URL, {"action": Action.SIGN_IN})
    assert "16 events" in response.content.decode()  # the officer's, and the manager's own
    assert response.context["page"].has_other_pages is False
    assert 'class="govuk-pagination' not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"before": "yesterday"},
        {"after": "1-2-3"},
        {"before": "99999999999999999-1"},  # past the year 9999
        {"after": "1-99999999999999999999"},  # past the largest id
        {"before": "-5-1"},
        {"page": "100"},  # an old numbered-page link
        {"before": "", "after": ""},
    ],
)
def test_a_key_that_is_no_place_shows_the_newest_page(client, people, trail, params):
    sign_in(client, people["manager"])
    newest = _ids(client.get(URL))
    assert _ids(client.get(URL, params)) == newest


def test_a_key_made_up_by_hand_never_reaches_another_partnerships_events(
    client, people, other_partnership, trail
):
    """A key names a place in the list, not an event: one taken from the other
    partnership's trail (or made up) still lists only the manager's own scope."""
    other_event = AuditEvent.objects.filter(partnership=other_partnership).order_by("pk")[60]
    sign_in(client, people["manager"])
    visible = set(_expected(people["manager"]))
    for name in ("before", "after"):
        key = str(Key(other_event.occurred_at, other_event.pk))
        ids = _ids(client.get(URL, {name: key}))
        assert ids and set(ids) <= visible
        assert other_event.pk not in ids


def test_a_deep_page_reads_no_more_queries_than_the_first(
    client, people, trail, django_assert_max_num_queries
):
    sign_in(client, people["manager"])
    first = client.get(URL)
    second = client.get(URL, {"before": first.context["page"].older})
    deepest = client.get(URL, {"before": second.context["page"].older})
    assert deepest.context["page"].older is None
    with django_assert_max_num_queries(14) as first_queries:
        client.get(URL)
    with django_assert_max_num_queries(len(first_queries)):
        client.get(URL, {"before": second.context["page"].older})
    # Newer from the last page: 100 newer events, so a page of them.
    with django_assert_max_num_queries(len(first_queries)):
        client.get(URL, {"after": deepest.context["page"].newer})
    # Newer from the second page reaches the top, which is read afresh (two more: the
    # newer events found too few, then the newest page), whatever the trail's length.
    with django_assert_max_num_queries(len(first_queries) + 2):
        assert _ids(client.get(URL, {"after": second.context["page"].newer})) == _ids(first)


def test_a_superuser_walks_the_whole_trail(client, people, trail, django_user_model):
    admin = django_user_model.objects.create_superuser(
        email="admin@example.org", password="x-long-password-1", full_name="Ada Administrator"
    )
    sign_in(client, admin)
    walked, response = [], client.get(URL)
    while True:
        walked += _ids(response)
        older = response.context["page"].older
        if not older:
            break
        response = client.get(URL, {"before": older})
    assert walked == list(
        AuditEvent.objects.order_by("-occurred_at", "-id").values_list("pk", flat=True)
    )


def _walk(client, params):
    pages, response = [], client.get(URL, params)
    while True:
        pages.append(_ids(response))
        older = response.context["page"].older
        if not older:
            return pages
        response = client.get(URL, {**params, "before": older})


def test_one_partnerships_trail_holds_its_peoples_sign_ins(client, people, partnership, trail):
    """The partnership's own link ("Audit trail for BSCP") filters by it: its people's
    sign-ins (which belong to no partnership) are in it, as under "All your
    partnerships"; another partnership's people's are not, nor the officer's from before
    they joined."""
    manager = people["manager"]
    sign_in(client, manager)
    signed_in = {"action": Action.SIGN_IN}
    everyone = [pk for page in _walk(client, signed_in) for pk in page]
    ours = [
        pk for page in _walk(client, {**signed_in, "partnership": partnership.pk}) for pk in page
    ]
    assert len(ours) == 15 + 1  # the officer's since they joined, and the manager's own
    assert ours == everyone
    # The whole of the partnership's trail, walked page by page: every event once, in order.
    whole = [pk for page in _walk(client, {"partnership": partnership.pk}) for pk in page]
    assert whole == _expected(manager)


def test_a_superuser_filtering_by_partnership_sees_only_its_peoples_sign_ins(
    client, people, partnership, other_partnership, trail, django_user_model
):
    admin = django_user_model.objects.create_superuser(
        email="admin@example.org", password="x-long-password-1", full_name="Ada Administrator"
    )
    sign_in(client, admin)
    params = {"action": Action.SIGN_IN, "partnership": other_partnership.pk}
    actors = set(
        AuditEvent.objects.filter(
            pk__in=[pk for page in _walk(client, params) for pk in page]
        ).values_list("actor", flat=True)
    )
    assert actors == {people["other_officer"].pk}


def test_one_partnerships_pages_read_no_more_queries_than_all(
    client, people, partnership, trail, django_assert_max_num_queries
):
    sign_in(client, people["manager"])
    params = {"partnership": partnership.pk}
    first = client.get(URL, params)
    with django_assert_max_num_queries(15) as first_queries:
        client.get(URL, params)
    with django_assert_max_num_queries(len(first_queries)):
        client.get(URL, {**params, "before": first.context["page"].older})


def test_a_manager_cannot_filter_by_a_partnership_not_theirs(
    client, people, other_partnership, trail
):
    """Another partnership's people's sign-ins stay out: the filter refuses it, and
    lists nothing (it is not one of the manager's choices)."""
    sign_in(client, people["manager"])
    response = client.get(URL, {"action": Action.SIGN_IN, "partnership": other_partnership.pk})
    assert response.context["refused"]
    assert _ids(response) == []
    assert "Select a partnership from the list" in response.content.decode()
