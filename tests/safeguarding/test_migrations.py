"""Migrations that change data, run on the data they are for."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("safeguarding", "0010_deadline_notice_rule_and_paused")]
AFTER = [("safeguarding", "0011_user_email_ignoring_case")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_addresses_differing_only_in_case_are_lower_cased_and_the_later_one_set_aside():
    old = migrate(BEFORE)
    User = old.get_model("safeguarding", "User")
    first = User.objects.create(email="Officer@BSCP.example", full_name="First", password="x")
    later = User.objects.create(email="officer@bscp.example", full_name="Later", password="x")
    other = User.objects.create(email="Someone@Else.example", full_name="Other", password="x")
    try:
        new = migrate(AFTER)
        User = new.get_model("safeguarding", "User")
        assert User.objects.get(pk=first.pk).email == "officer@bscp.example"
        set_aside = User.objects.get(pk=later.pk)
        assert set_aside.email == f"duplicate-{later.pk}.officer@bscp.example"
        assert not set_aside.is_active
        assert User.objects.get(pk=other.pk).email == "someone@else.example"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_existing_roles_are_dated_by_the_event_that_made_them():
    """A role made before `Membership.since` was recorded is dated by the audit event of
    its making (a manager's trail then shows the person's sign-ins from then on); one
    with no such event stays empty, shown whole as before."""
    import datetime as dt

    from django.utils import timezone

    old = migrate([("safeguarding", "0020_lockout_ended_action")])
    Region = old.get_model("safeguarding", "Region")
    Partnership = old.get_model("safeguarding", "Partnership")
    User = old.get_model("safeguarding", "User")
    Membership = old.get_model("safeguarding", "Membership")
    AuditEvent = old.get_model("safeguarding", "AuditEvent")
    region = Region.objects.create(name="Midshire", code="midshire-m")
    partnership = Partnership.objects.create(
        name="Migration SCP", code="MSCP", local_authority="Council", region=region
    )
    made = timezone.now() - dt.timedelta(days=400)
    dated, undated = (
        Membership.objects.create(
            user=User.objects.create(email=f"{name}@m.example", full_name=name, password="x"),
            partnership=partnership,
            role="officer",
        )
        for name in ("dated", "undated")
    )
    for when in (made, made + dt.timedelta(days=30)):  # a second save of the same row
        AuditEvent.objects.create(
            occurred_at=when,
            partnership=partnership,
            action="create" if when == made else "update",
            object_type="safeguarding.membership",
            object_id=str(dated.pk),
        )
    try:
        new = migrate([("safeguarding", "0021_membership_since")])
        Membership = new.get_model("safeguarding", "Membership")
        assert Membership.objects.get(pk=dated.pk).since == made
        assert Membership.objects.get(pk=undated.pk).since is None
        later = Membership.objects.create(
            user_id=undated.user_id, partnership_id=partnership.pk, role="reviewer"
        )
        assert later.since is not None
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
