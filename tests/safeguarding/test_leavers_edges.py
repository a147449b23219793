"""Leavers' clocks at the edges (ADR 0022): clocks paused by a hold, two managers acting at
the same moment, and the dashboard's banner when a manager works in several partnerships.

The concurrent cases use a second, plain connection to PostgreSQL for the other manager,
holding its change open while this one runs, as two requests would."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safeguarding import deadlines
from safeguarding import people as people_service
from safeguarding.models import Deadline, Membership, Role
from tests.factories import member
from tests.utils import commit_once_waited_on, second_connection, sign_in

from .report_helpers import make_deadline


def _clocks(partnership, owner, n, **kwargs):
    return [
        make_deadline(partnership, due=timezone.localdate(), owner=owner, **kwargs)
        for _ in range(n)
    ]


@pytest.mark.django_db
def test_clocks_paused_by_a_hold_are_handed_over_with_the_open_ones(people, partnership):
    """A local review on hold pauses its clocks; they run again on resuming, with the owner
    they have then: the leaver's successor, not the leaver."""
    officer, manager = people["officer"], people["manager"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")
    running = _clocks(partnership, officer, 1)
    paused = _clocks(
        partnership,
        officer,
        2,
        closed_on=timezone.localdate(),
        outcome=Deadline.Outcome.PAUSED,
    )
    met = _clocks(
        partnership, officer, 1, closed_on=timezone.localdate(), outcome=Deadline.Outcome.MET
    )
    role = Membership.objects.get(user=officer, partnership=partnership)
    assert people_service.clocks_left_by_removing(role) == 3

    handed = people_service.membership_remove(actor=manager, membership=role, successor=colleague)

    assert handed == 3
    assert set(Deadline.objects.filter(owner=colleague).values_list("pk", flat=True)) == {
        d.pk for d in running + paused
    }
    # A clock met or missed keeps the owner who met or missed it.
    assert Deadline.objects.get(pk=met[0].pk).owner == officer
    assert not deadlines.deadlines_left_behind(partnership).exists()


@pytest.mark.django_db
def test_paused_clocks_of_someone_removed_elsewhere_wait_to_be_handed_over(
    client, people, partnership
):
    officer, manager = people["officer"], people["manager"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")
    paused = _clocks(
        partnership, officer, 1, closed_on=timezone.localdate(), outcome=Deadline.Outcome.PAUSED
    )
    Membership.objects.filter(user=officer).delete()  # as the administration site does
    assert list(deadlines.deadlines_left_behind(partnership)) == paused
    sign_in(client, manager)
    hand_over = reverse("safeguarding:deadlines-hand-over", args=[partnership.pk, officer.pk])
    client.post(hand_over, {"successor": colleague.pk})
    assert Deadline.objects.get(pk=paused[0].pk).owner == colleague


@pytest.mark.django_db(transaction=True)
def test_clocks_are_not_handed_to_someone_a_colleague_is_removing_at_that_moment(
    people, partnership
):
    manager, leaver = people["manager"], people["officer"]
    successor = member(Role.REVIEW_OFFICER, partnership, full_name="Bee")
    third = member(Role.REVIEW_OFFICER, partnership, full_name="Cee")
    mine = _clocks(partnership, leaver, 2)
    _clocks(partnership, successor, 1)
    role = Membership.objects.get(user=leaver, partnership=partnership)
    successor_role = Membership.objects.get(user=successor, partnership=partnership)

    side = second_connection()  # removes Bee, handing Bee's clocks to Cee; not yet committed
    with side.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Membership._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608
            [successor_role.pk],
        )
        cursor.execute(
            f"DELETE FROM {Membership._meta.db_table} WHERE id = %s",  # noqa: S608
            [successor_role.pk],
        )
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} SET owner_id = %s WHERE owner_id = %s",  # noqa: S608
            [third.pk, successor.pk],
        )
    thread = commit_once_waited_on(side)
    try:
        # Meanwhile this manager removes One, choosing Bee (still listed on their page).
        with pytest.raises(ValidationError) as refused:
            people_service.membership_remove(actor=manager, membership=role, successor=successor)
    finally:
        thread.join()
        side.close()
    assert refused.value.message_dict == {
        "successor": ["Select a review officer or manager of the partnership"]
    }
    # Nothing was half done: One keeps the role and the clocks until someone else is chosen.
    assert Membership.objects.filter(pk=role.pk).exists()
    assert set(Deadline.objects.filter(owner=leaver).values_list("pk", flat=True)) == {
        d.pk for d in mine
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("left", [True, False], ids=["left", "still-in-the-unit"])
def test_clocks_handed_over_by_a_colleague_meanwhile_are_said_to_be_done(
    client, people, partnership, left
):
    """Of someone who has left, or of someone still in the business unit (cover for
    leave): the same page, the same answer."""
    manager, leaver = people["manager"], people["officer"]
    colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")
    third = member(Role.REVIEW_OFFICER, partnership, full_name="Third Three")
    _clocks(partnership, leaver, 3)
    if left:
        Membership.objects.filter(user=leaver).delete()
    sign_in(client, manager)
    hand_over = reverse("safeguarding:deadlines-hand-over", args=[partnership.pk, leaver.pk])

    side = second_connection()  # the other manager's hand-over, committed a moment later
    with side.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} SET owner_id = %s WHERE owner_id = %s",  # noqa: S608
            [third.pk, leaver.pk],
        )
    thread = commit_once_waited_on(side)
    try:
        done = client.post(hand_over, {"successor": colleague.pk}, follow=True).content.decode()
    finally:
        thread.join()
        side.close()
    assert "Those deadlines were handed over already." in done
    assert "0 open deadlines" not in done
    assert Deadline.objects.filter(owner=third).count() == 3


@pytest.mark.django_db
def test_the_banner_links_only_the_people_pages_with_clocks_to_hand_over(
    client, people, partnership, other_partnership
):
    manager, leaver = people["manager"], people["officer"]
    Membership.objects.create(
        user=manager, partnership=other_partnership, role=Role.PARTNERSHIP_MANAGER
    )
    _clocks(partnership, leaver, 1)
    Membership.objects.filter(user=leaver).delete()
    sign_in(client, manager)
    home = client.get(reverse("safeguarding:home")).content.decode()
    banner = home.split('id="left-behind"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert reverse("safeguarding:people", args=[partnership.pk]) in banner
    assert reverse("safeguarding:people", args=[other_partnership.pk]) not in banner


@pytest.mark.django_db
def test_an_officer_who_manages_another_partnership_is_told_who_can_hand_over(
    client, people, partnership, other_partnership
):
    """The clocks wait in the partnership where they are an officer: the link to the People
    page of the one they manage would lead nowhere."""
    officer, leaver = people["officer"], member(Role.REVIEW_OFFICER, partnership)
    Membership.objects.create(
        user=officer, partnership=other_partnership, role=Role.PARTNERSHIP_MANAGER
    )
    _clocks(partnership, leaver, 1)
    Membership.objects.filter(user=leaver).delete()
    sign_in(client, officer)
    home = client.get(reverse("safeguarding:home")).content.decode()
    banner = home.split('id="left-behind"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert "A partnership manager can hand them over" in banner
    assert reverse("safeguarding:people", args=[other_partnership.pk]) not in banner


@pytest.mark.django_db
def test_the_remove_page_sends_one_csrf_token(client, people, partnership):
    """The page writes its own <form> (with the token) round the form's fields."""
    role = Membership.objects.get(user=people["officer"], partnership=partnership)
    _clocks(partnership, people["officer"], 1)
    sign_in(client, people["manager"])
    page = client.get(reverse("safeguarding:person-remove", args=[partnership.pk, role.pk]))
    main = page.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count('name="csrfmiddlewaretoken"') == 1


@pytest.mark.django_db
def test_paused_clocks_are_counted_apart_where_clocks_are_handed_over(client, people, partnership):
    """The People page and the hand-over page count them with the open ones (they are
    handed over too) and say how many are paused, as the dashboard does not show them."""
    officer, manager = people["officer"], people["manager"]
    _clocks(partnership, officer, 2)
    _clocks(
        partnership, officer, 1, closed_on=timezone.localdate(), outcome=Deadline.Outcome.PAUSED
    )
    sign_in(client, manager)
    listing = client.get(reverse("safeguarding:people", args=[partnership.pk])).content.decode()
    assert "1 paused (on hold)" in listing
    hand_over = reverse("safeguarding:deadlines-hand-over", args=[partnership.pk, officer.pk])
    page = " ".join(client.get(hand_over).content.decode().split())
    assert "owns 3 open deadlines here (1 paused while its review is on hold)." in page
