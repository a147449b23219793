"""`manage.py seed_scale` (issue 9): deterministic counts, valid data, the dashboard on it."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lcspr.models import Action, Recommendation, Review
from notifications.models import Child, Incident
from rapid_reviews.models import AgencyReturn, InformationRequest, RapidReview
from safeguarding import calendar, scale
from safeguarding.dashboard import build_dashboard, closures_by_partnership
from safeguarding.models import AuditEvent, Deadline, Membership, Partnership, Region, User

TODAY = dt.date(2026, 11, 26)
OPTIONS = {"scale": 0.001, "partnerships": 3, "years": 2, "seed": 1, "today": TODAY.isoformat()}

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_seed_scale_small(capsys):
    call_command("seed_scale", allow_sqlite=True, **OPTIONS)
    out = capsys.readouterr().out
    assert "audit events" in out and "Done:" in out

    expected = scale.expected_counts(0.001, 3, 2)
    assert expected["incidents"] == 50
    assert expected["information_requests"] == 250
    assert expected["lcsprs"] == 20
    assert expected["actions"] == 100
    assert expected["audit_events"] == 10_000
    actual = {
        "regions": Region.objects.count(),
        "partnerships": Partnership.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "agencies": scale.AGENCIES,
        "incidents": Incident.objects.count(),
        "children": Child.objects.count(),
        "rapid_reviews": RapidReview.objects.count(),
        "information_requests": InformationRequest.objects.count(),
        "lcsprs": Review.objects.count(),
        "actions": Action.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
    assert actual == expected
    assert sorted(Partnership.objects.values_list("code", flat=True)) == ["S001", "S002", "S003"]
    assert set(User.objects.values_list("email", flat=True)) == {
        f"{role}@s00{n}.scale.example" for role in ("manager", "officer") for n in (1, 2, 3)
    } | {f"regional@scale-{n}.scale.example" for n in (1, 2, 3)}
    # One regional viewer per region, scoped to the region and to no partnership.
    regional = Membership.objects.filter(role="regional")
    assert sorted(regional.values_list("user__email", "region__code", "partnership")) == [
        (f"regional@scale-{n}.scale.example", f"scale-{n}", None) for n in (1, 2, 3)
    ]
    # The trail is as the service writes it: sign-ins belong to no partnership, and the
    # partnerships' people hold their roles from the data's first year, so a manager's
    # trail shows their people's sign-ins (ADR 0022).
    sign_ins = AuditEvent.objects.filter(action="sign_in")
    assert sign_ins.exists()
    assert not sign_ins.filter(partnership__isnull=False).exists()
    assert not AuditEvent.objects.exclude(action="sign_in").filter(partnership=None).exists()
    staff = Membership.objects.exclude(role="regional")
    assert set(staff.values_list("since__year", flat=True)) == {TODAY.year - 1}
    assert Recommendation.objects.count() >= Review.objects.count()
    assert (
        AgencyReturn.objects.count() == InformationRequest.objects.filter(status="returned").count()
    )

    # Clock dates follow the working-day calendar, closure days included.
    closures = closures_by_partnership(Partnership.objects.values_list("pk", flat=True))
    for inc in Incident.objects.order_by("pk")[:25]:
        assert inc.notification_due == calendar.add_working_days(
            inc.awareness_date, 5, partnership=closures[inc.partnership_id]
        )
    # One clock per record and kind, open and closed ones, some late.
    deadlines = Deadline.objects
    assert deadlines.filter(kind="notification").count() == 50
    assert deadlines.filter(kind="rapid_review").count() == expected["rapid_reviews"]
    assert deadlines.filter(kind="action").count() == 100
    assert deadlines.filter(kind="publication").count() == 20
    assert deadlines.filter(kind="pre_publication").count() == 20
    assert deadlines.filter(kind="lcspr_milestone").count() == 60
    assert deadlines.filter(kind="agency_return").count() == (
        InformationRequest.objects.exclude(sent_on=None).count()
    )
    assert deadlines.open().exists() and deadlines.closed().exists()
    late = [d for d in deadlines.closed().filter(outcome="met") if d.closed_on > d.due_date]
    assert late

    # The dashboard of one scale partnership runs in a fixed number of queries.
    one = [Partnership.objects.get(code="S001")]
    with CaptureQueriesContext(connection) as ctx:
        board = build_dashboard(one, today=TODAY)
    assert len(ctx.captured_queries) == 7  # closures, 4 sections, counts, workload
    assert board.stages and board.workload  # S001 has open clocks


def test_seed_scale_refuses_twice():
    call_command("seed_scale", allow_sqlite=True, **{**OPTIONS, "scale": 0.0001})
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already holds scale data"):
        call_command("seed_scale", allow_sqlite=True, **OPTIONS)
