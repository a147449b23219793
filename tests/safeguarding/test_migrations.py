"""Migrations that change data, run on the data they are for."""

import pytest

from tests.utils import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("safeguarding", "0010_deadline_notice_rule_and_paused")]
AFTER = [("safeguarding", "0011_user_email_ignoring_case")]


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
        migrate_to_latest()


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
        migrate_to_latest()


def test_roles_moved_before_they_were_dated_are_dated_from_the_move():
    """0021 dated a role by the event of its making, even one an administrator had moved
    to another partnership (or given to another person) since: the new partnership's
    manager then saw the person's sign-ins from before they joined. 0022 dates such a role
    by its last audited move. The events below have the shape the administration site
    wrote before 0021 (an update naming only the fields that changed, in the partnership
    the role went to)."""
    import datetime as dt

    from django.utils import timezone

    old = migrate([("safeguarding", "0020_lockout_ended_action")])
    Region = old.get_model("safeguarding", "Region")
    Partnership = old.get_model("safeguarding", "Partnership")
    User = old.get_model("safeguarding", "User")
    Membership = old.get_model("safeguarding", "Membership")
    AuditEvent = old.get_model("safeguarding", "AuditEvent")
    region = Region.objects.create(name="Midshire", code="midshire-m")
    a, b, c = (
        Partnership.objects.create(
            name=f"{code} SCP", code=code, local_authority=code, region=region
        )
        for code in ("ASCP", "BSCP", "CSCP")
    )
    people = {
        name: User.objects.create(email=f"{name}@m.example", full_name=name, password="x")
        for name in ("moved", "given", "before", "unmoved", "undated", "later")
    }
    roles = {
        name: Membership.objects.create(user=person, partnership=b, role="officer")
        for name, person in people.items()
        if name != "before"  # the role "given" was first someone else's
    }
    made = timezone.now() - dt.timedelta(days=400)
    moved = made + dt.timedelta(days=200)

    def event(name, when, action, partnership, **changes):
        AuditEvent.objects.create(
            occurred_at=when,
            partnership_id=partnership.pk,
            action=action,
            object_type="safeguarding.membership",
            object_id=str(roles[name].pk),
            changes={field: {"old": old, "new": new} for field, (old, new) in changes.items()},
        )

    # Made in A, moved to C, then to B: dated from the last move.
    event("moved", made, "create", a, id=(None, roles["moved"].pk), partnership_id=(None, a.pk))
    event("moved", made + dt.timedelta(days=100), "update", c, partnership_id=(a.pk, c.pk))
    event("moved", moved, "update", b, partnership_id=(c.pk, b.pk))
    # Made for someone else, then given to this person.
    before, given = people["before"].pk, people["given"].pk
    event("given", made, "create", b, user_id=(None, before), partnership_id=(None, b.pk))
    event("given", moved, "update", b, user_id=(before, given))
    # Made here, then only its role changed: still dated from its making.
    event("unmoved", made, "create", b, partnership_id=(None, b.pk))
    event("unmoved", moved, "update", b, role=("officer", "manager"))
    # Made before the site audited its rows (no event of its making), then moved.
    event("undated", moved, "update", b, partnership_id=(a.pk, b.pk))
    try:
        dated = migrate([("safeguarding", "0021_membership_since")])
        Membership = dated.get_model("safeguarding", "Membership")
        AuditEvent = dated.get_model("safeguarding", "AuditEvent")
        # What 0021 alone left: the moved roles dated from their making, or not at all.
        assert Membership.objects.get(pk=roles["moved"].pk).since == made
        assert Membership.objects.get(pk=roles["given"].pk).since == made
        assert Membership.objects.get(pk=roles["undated"].pk).since is None
        # A move once `since` was recorded dated the role itself (a little before its
        # event, and the event names `since`): 0022 leaves it as it is.
        then = timezone.now() - dt.timedelta(days=1)
        Membership.objects.filter(pk=roles["later"].pk).update(since=then)
        event(
            "later",
            then + dt.timedelta(milliseconds=3),
            "update",
            b,
            partnership_id=(a.pk, b.pk),
            since=(made.isoformat(), then.isoformat()),
        )

        new = migrate([("safeguarding", "0022_membership_since_from_moves")])
        Membership = new.get_model("safeguarding", "Membership")
        since = dict(Membership.objects.values_list("pk", "since"))
        assert since[roles["moved"].pk] == moved
        assert since[roles["given"].pk] == moved
        assert since[roles["undated"].pk] == moved
        assert since[roles["unmoved"].pk] == made
        assert since[roles["later"].pk] == then
    finally:
        migrate_to_latest()

    # What it is for: B's manager sees the moved person's sign-ins from the move on.
    from safeguarding import permissions
    from safeguarding.models import AuditEvent, Membership, Role, User

    manager = User.objects.create_user(email="manager@m.example", password="x", full_name="M")
    Membership.objects.create(user=manager, partnership_id=b.pk, role=Role.PARTNERSHIP_MANAGER)
    in_a, in_b = (
        AuditEvent.objects.create(
            occurred_at=when, actor_id=people["moved"].pk, action=AuditEvent.Action.SIGN_IN
        )
        for when in (moved - dt.timedelta(days=1), moved + dt.timedelta(days=1))
    )
    shown = set(permissions.audit_events_visible_to(manager).values_list("pk", flat=True))
    assert in_b.pk in shown
    assert in_a.pk not in shown


def _partnerships_before_0028(names_and_codes):
    old = migrate([("safeguarding", "0027_administration_site_words")])
    Partnership = old.get_model("safeguarding", "Partnership")
    return [
        Partnership.objects.create(
            name=name, code=code, local_authority="Council", contact_email="p@example.org"
        ).pk
        for name, code in names_and_codes
    ]


def test_0028_leaves_names_that_differ_in_more_than_capitals_alone():
    typed = [("Borsetshire SCP", "BSCP"), ("Borsetshire SCP North", "BSCPN"), ("Ambridge", "A1")]
    ids = _partnerships_before_0028(typed)
    try:
        new = migrate([("safeguarding", "0028_partnership_name_ignoring_case")])
        Partnership = new.get_model("safeguarding", "Partnership")
        assert list(Partnership.objects.filter(pk__in=ids).order_by("pk").values_list("name")) == [
            (name,) for name, _code in typed
        ]
    finally:
        migrate_to_latest()


def test_0028_adds_the_code_to_a_later_name_differing_only_in_capitals():
    ids = _partnerships_before_0028(
        [("Borsetshire SCP", "BSCP"), ("borsetshire scp", "BSCP2"), ("BORSETSHIRE SCP", "B3")]
    )
    try:
        new = migrate([("safeguarding", "0028_partnership_name_ignoring_case")])
        Partnership = new.get_model("safeguarding", "Partnership")
        names = list(Partnership.objects.filter(pk__in=ids).order_by("pk").values_list("name"))
        assert names == [
            ("Borsetshire SCP",),
            ("borsetshire scp (BSCP2)",),
            ("BORSETSHIRE SCP (B3)",),
        ]
    finally:
        migrate_to_latest()


def _regions_before_0032(names_and_codes):
    old = migrate([("safeguarding", "0031_people_and_roles")])
    Region = old.get_model("safeguarding", "Region")
    return [Region.objects.create(name=name, code=code).pk for name, code in names_and_codes]


def test_0032_leaves_region_names_that_differ_in_more_than_capitals_alone():
    typed = [("Midshire", "midshire"), ("Midshire North", "midshire-n"), ("Wessex", "wessex")]
    ids = _regions_before_0032(typed)
    try:
        new = migrate([("safeguarding", "0032_region_name_ignoring_case")])
        Region = new.get_model("safeguarding", "Region")
        assert list(Region.objects.filter(pk__in=ids).order_by("pk").values_list("name")) == [
            (name,) for name, _code in typed
        ]
    finally:
        migrate_to_latest()


def test_0032_adds_the_code_to_a_later_region_name_differing_only_in_capitals():
    ids = _regions_before_0032(
        [("Midshire", "midshire"), ("midshire", "midshire-2"), ("MIDSHIRE", "m3")]
    )
    try:
        new = migrate([("safeguarding", "0032_region_name_ignoring_case")])
        Region = new.get_model("safeguarding", "Region")
        names = list(Region.objects.filter(pk__in=ids).order_by("pk").values_list("name"))
        assert names == [("Midshire",), ("midshire (midshire-2)",), ("MIDSHIRE (m3)",)]
    finally:
        migrate_to_latest()


def test_0033_puts_region_codes_in_lower_case_and_numbers_a_clash():
    """Codes in capitals are lower-cased before the check; "Midshire" beside "midshire"
    (both allowed before, codes being unique as typed) becomes "midshire-2"."""
    old = migrate([("safeguarding", "0032_region_name_ignoring_case")])
    Region = old.get_model("safeguarding", "Region")
    rows = [
        Region.objects.create(name=name, code=code)
        for name, code in [
            ("Midshire", "midshire"),
            ("Midshire two", "Midshire"),
            ("N", "NorthVale"),
        ]
    ]
    try:
        new = migrate([("safeguarding", "0033_region_code_lower_case")])
        Region = new.get_model("safeguarding", "Region")
        assert [Region.objects.get(pk=row.pk).code for row in rows] == [
            "midshire",
            "midshire-2",
            "northvale",
        ]
    finally:
        migrate_to_latest()


def test_0035_keeps_the_roles_taken_away_before_it_from_the_trail():
    """The People page's removals name the person by address, the administration site's
    inline rows by id in the changes; one naming no one, or another kind of record, or an
    address no account has, is left out. Nobody is e-mailed about them."""
    old = migrate([("safeguarding", "0034_reminders_log_newest_first")])
    Region = old.get_model("safeguarding", "Region")
    Partnership = old.get_model("safeguarding", "Partnership")
    User = old.get_model("safeguarding", "User")
    AuditEvent = old.get_model("safeguarding", "AuditEvent")
    region = Region.objects.create(name="Midshire", code="midshire-p")
    partnership = Partnership.objects.create(
        name="Past SCP", code="PSCP", local_authority="Council", region=region
    )
    by_page, by_admin = (
        User.objects.create(email=f"{name}@p.example", full_name=name, password="x")
        for name in ("page", "admin")
    )

    def removed(repr_, changes, object_type="safeguarding.membership"):
        AuditEvent.objects.create(
            partnership=partnership,
            action="delete",
            object_type=object_type,
            object_id="99",
            object_repr=repr_,
            changes=changes,
        )

    removed("page@p.example: Review officer", {"role": "officer", "agency": ""})
    removed(
        "admin – Agency contributor (Past SCP)",
        {"user_id": {"old": by_admin.pk, "new": None}, "role": {"old": "agency", "new": None}},
    )
    removed("admin – Review officer (Past SCP)", {})
    removed("gone@p.example: Review officer", {"role": "officer"})
    removed(
        "page@p.example: Review officer", {"role": "officer"}, object_type="notifications.child"
    )
    try:
        new = migrate([("safeguarding", "0035_past_roles_kept_for_the_audit_trail")])
        PastRole = new.get_model("safeguarding", "PastRole")
        kept = set(
            PastRole.objects.values_list("user_id", "partnership_id", "role", "untold_since")
        )
        assert kept == {
            (by_page.pk, partnership.pk, "officer", None),
            (by_admin.pk, partnership.pk, "agency", None),
        }
    finally:
        migrate_to_latest()


def test_0037_builds_and_drops_its_index_without_holding_up_the_trail():
    """The index of a big trail is built CONCURRENTLY, outside a transaction (writes to
    the trail go on while it is built), and dropped the same way; nothing on SQLite."""
    from django.db import connection as conn

    index = "audit_case_references"

    def present():
        if conn.vendor != "postgresql":
            return None
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s",
                [index],
            )
            row = cursor.fetchone()
        return row[0] if row else False

    ran: list[str] = []

    def watch(execute, sql, params, many, context):
        ran.append(sql)
        return execute(sql, params, many, context)

    try:
        with conn.execute_wrapper(watch):
            migrate([("safeguarding", "0036_refused_requests_in_the_audit_trail")])
            if conn.vendor == "postgresql":
                assert present() is False
            migrate([("safeguarding", "0037_audit_case_references_index")])
        if conn.vendor == "postgresql":
            assert present() is True  # built, and valid
            dropped = [sql for sql in ran if "DROP INDEX" in sql]
            built = [sql for sql in ran if "CREATE INDEX" in sql and index in sql]
            assert dropped and all("CONCURRENTLY" in sql for sql in dropped)
            assert built and all("CONCURRENTLY" in sql for sql in built)
        else:
            assert not any(index in sql for sql in ran)
    finally:
        migrate_to_latest()
