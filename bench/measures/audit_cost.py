"""What auditing views costs on a case page (issue 9: no more than 20%).

Project: the incident page as served, which appends a "view" audit event per request.
Anchor: the same page with the view audit switched off for the measurement only (the
view module's `audit_record` replaced by a no-op in this process; the service has no
setting to turn it off). Both through Django's test client, interleaved.
"""

from __future__ import annotations

from unittest import mock

from bench import common, fixtures
from notifications.models import Incident
from notifications.views import reading
from safeguarding.models import AuditEvent, Role


def run(args) -> list[common.Result]:
    partnership = fixtures.largest_partnership()
    manager = fixtures.member(partnership, Role.PARTNERSHIP_MANAGER)
    client = fixtures.signed_in(manager)
    # The incident with the longest history in the partnership: the heaviest case page.
    incident = (
        Incident.objects.filter(partnership=partnership).order_by("-year", "-sequence").first()
    )
    url = f"/incidents/{incident.pk}/"
    fixtures.get_ok(client, url)
    events_before = AuditEvent.objects.filter(
        object_type="notifications.incident", object_id=str(incident.pk), action="view"
    ).count()
    fixtures.get_ok(client, url)
    events_after = AuditEvent.objects.filter(
        object_type="notifications.incident", object_id=str(incident.pk), action="view"
    ).count()
    if events_after != events_before + 1:
        raise RuntimeError("The case page did not record exactly one view event")

    def unaudited():
        with mock.patch.object(reading, "audit_record", lambda **kwargs: None):
            fixtures.get_ok(client, url)

    project, anchor, n = common.interleaved(
        lambda: fixtures.get_ok(client, url), unaudited, repeat=max(args.repeat, 25)
    )
    return [
        common.Result(
            name="audit_view_cost",
            title="Case page with its view audited",
            project=project,
            anchor=anchor,
            anchor_name="the same page with the view audit switched off",
            target="ratio <= 1.2",
            max_ratio=1.2,
            size={"url": url, "reference": incident.reference},
            samples=n,
        )
    ]
