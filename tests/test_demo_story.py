"""The demo tells one story: what its pages show about a case (when it was made, its
progress notes, its reminders, its texts) agrees with the dates the story gives it. The
demo is loaded once for the module (tests/shared_records.py)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications.models import Incident
from safeguarding import calendar
from safeguarding.models import Partnership, User
from tests.shared_records import fresh, made_once, own_files
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    def build():
        call_command("seed_demo", force=True, stdout=io.StringIO())
        return {}

    yield from made_once(django_db_blocker, tmp_path_factory, build)


@pytest.fixture(autouse=True)
def _own_files(request, shared, settings, tmp_path):
    own_files(request, shared, settings, tmp_path)


def _user(email):
    return fresh(User.objects.get(email=email))


def test_newest_first_follows_the_days_the_local_authority_became_aware(client):
    """Every case was made on the day the local authority became aware of it (in office
    hours on a working day), not when the demo was loaded: "Newest first" lists BSCP-2026-
    009 (aware in June) after the cases of November, and a 2025 case after it."""
    sign_in(client, _user("manager@bscp.example"))
    response = client.get(reverse("notifications:list"), {"sort": "-created"})
    shown = [row["reference"] for row in response.context["rows"]]
    aware = dict(Incident.objects.values_list("reference", "awareness_date"))
    days = [aware[reference] for reference in shown]
    assert len(days) > 10 and days == sorted(days, reverse=True), shown
    for incident in Incident.objects.all():
        made = timezone.localtime(incident.created_at)
        changed = timezone.localtime(incident.updated_at)
        assert made.date() == incident.awareness_date, incident.reference
        assert made <= changed <= timezone.now(), incident.reference
        for moment in (made, changed):
            partnership = Partnership.objects.get(pk=incident.partnership_id)
            assert calendar.is_working_day(moment.date(), partnership=partnership)
            if moment.date() < timezone.localdate():  # today's steps: no later than now
                assert dt.time(9) <= moment.time() <= dt.time(17, 30), (incident.reference, moment)


def test_the_times_pages_show_are_the_times_of_the_records_history():
    """The times pages show or sort by (made, opened, recorded, last changed, a briefing's
    "Made") are those of the record's first or last History row, the day its step was
    taken, not the time the demo was loaded."""
    from django.apps import apps
    from django.db.models import Max, Min

    from safeguarding.demo import STAMPED_FIELDS
    from safeguarding.models import AuditEvent

    for label, fields in STAMPED_FIELDS.items():
        model = apps.get_model(label)
        history = {
            row["object_id"]: row
            for row in AuditEvent.objects.filter(object_type=model._meta.label_lower)
            .values("object_id")
            .annotate(first=Min("occurred_at"), last=Max("occurred_at"))
        }
        records = list(model.objects.all())
        assert records and history, label
        for record in records:
            if str(record.pk) not in history:
                continue
            for name, which in fields.items():
                assert getattr(record, name) == history[str(record.pk)][which], (label, name)


def test_an_agency_return_counts_its_contacts_in_plain_english():
    """ "Midshire Police had 1 contacts with the family": one contact, said as a person
    would, and the number agrees with the return's chronology."""
    from rapid_reviews.models import AgencyReturn

    returns = list(AgencyReturn.objects.exclude(involvement_summary=""))
    assert returns
    for agency_return in returns:
        summary = agency_return.involvement_summary
        n = agency_return.chronology.count()
        said = "one contact with" if n == 1 else f"{n} contacts with"
        assert said in summary, summary
        assert "1 contacts" not in summary


def test_an_actions_progress_notes_are_written_before_it_is_completed_and_signed_off():
    """ "Completed and signed off on 20 July 2026" with its latest progress dated today:
    each note is dated the day its step was taken, never after the action was completed
    or signed off, nor before it was added."""
    from lcspr.models import Action

    actions = list(Action.objects.prefetch_related("notes"))
    assert any(a.signed_off_on for a in actions)
    for action in actions:
        notes = [note.written_on for note in action.notes.all()]
        assert notes, action
        added = timezone.localtime(action.created_at).date()
        for written in notes:
            assert added <= written, (action, written)
            for end in (action.completed_on, action.signed_off_on):
                assert end is None or written <= end, (action, written, end)


def test_no_demo_action_is_left_open_years_after_it_was_due():
    """A review decided in 2022 had "768 working days late" actions escalated to the
    manager: an action due more than a year ago is completed and signed off (each demo
    action plan still has open ones, due recently or still to come)."""
    from lcspr.models import Action, ActionStatus

    today = timezone.localdate()
    a_year_ago = today - dt.timedelta(days=365)
    open_actions = Action.objects.exclude(status=ActionStatus.SIGNED_OFF)
    assert open_actions.exists()
    stale = open_actions.filter(due_date__lt=a_year_ago)
    assert not stale.exists(), [(a.description, a.due_date, a.status) for a in stale]
    for action in Action.objects.filter(due_date__lt=a_year_ago):
        assert action.completed_on < action.due_date and action.signed_off_on, action
