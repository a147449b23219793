"""The data migration that marks the notifications whose stored PDF is still what was sent
(notifications 0006, ADR 0008 addendum)."""

import pytest

from notifications.models import Incident
from tests.utils import migrate, migrate_to_latest

from .test_documents import (  # noqa: F401 - fixtures
    _correct_awareness,
    _media,
    draft,
    notified,
    sent_at,
    today,
)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("notifications", "0005_notification_pdf_as_sent")]
AFTER = [("notifications", "0006_pdfs_kept_as_sent")]


def test_a_copy_never_corrected_is_marked_as_sent_and_a_corrected_one_is_not(
    notified,  # noqa: F811
    people,
    today,  # noqa: F811
):
    """Recorded before the deploy (the mark off, as 0005 left every row): never corrected,
    its PDF is what was sent, and is marked so, or its first correction after the deploy
    would have it said to hold no copy; corrected before, its PDF was made again."""
    migrate(BEFORE)
    try:
        Incident.objects.filter(pk=notified.pk).update(notification_pdf_as_sent=False)
        migrate(AFTER)
        assert Incident.objects.values_list("notification_pdf_as_sent", flat=True).get(
            pk=notified.pk
        )
        migrate(BEFORE)
        _correct_awareness(notified, people, today)
        Incident.objects.filter(pk=notified.pk).update(notification_pdf_as_sent=False)
        migrate(AFTER)
        assert not Incident.objects.values_list("notification_pdf_as_sent", flat=True).get(
            pk=notified.pk
        )
    finally:
        migrate_to_latest()
