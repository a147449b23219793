"""A rapid review's steps are things to do where a deadline asks for one (the dashboard,
its export, reminders, calendar feeds) and states reached on the review's timetable."""

import pytest
from django.urls import reverse

from rapid_reviews.models import MILESTONE_TASKS, Milestone
from safeguarding.dashboard import build_dashboard
from safeguarding.deadline_selectors import feed_items
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

TO_DO = [
    "Send the information requests to agencies",
    "Get the agency returns in",
    "Hold the rapid review panel meeting",
    "Get sign-off from the three partners",
]
DONE = [
    "Information requests sent to agencies",
    "Agency returns due",
    "Rapid review panel meeting",
    "Signed off by the three partners",
]


def test_every_step_has_both_forms():
    assert set(MILESTONE_TASKS) == set(Milestone)
    assert [Milestone(key).task for key in Milestone.values][:4] == TO_DO


def test_the_steps_are_to_dos_on_the_dashboard_and_in_the_feed(client, review, people, partnership):
    ref = review.incident.reference
    board = build_dashboard([partnership], today=review.due_date, limit=None)
    shown = {row.title for row in board.overdue + board.due_today + board.due_soon}
    for what in TO_DO:
        assert f"{what}: {ref}" in shown
    feed = {item.title for item in feed_items(people["officer"])}
    for what in TO_DO:
        assert f"{what}: {ref}" in feed
    assert not any(done in title for done in DONE[:1] + DONE[3:] for title in shown | feed)

    sign_in(client, people["manager"])
    export = client.get(reverse("safeguarding:dashboard-export", args=["csv"]))
    text = export.content.decode("utf-8-sig")
    assert f"Send the information requests to agencies: {ref}" in text  # overdue
    assert "Information requests sent to agencies" not in text

    # The review's own timetable says each step as the state it reaches.
    sign_in(client, people["officer"])
    page = client.get(review.get_absolute_url()).content.decode()
    timetable = page.split('id="timetable"', 1)[1].split("</table>", 1)[0]
    for done in DONE:
        assert done in timetable
    assert "Get sign-off from the three partners" not in timetable


def test_the_page_that_explains_a_steps_date_names_it_as_a_to_do(client, review, people):
    from safeguarding.deadlines import Kind, get_deadline

    step = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.SIGN_OFF)
    sign_in(client, people["officer"])
    page = client.get(reverse("safeguarding:deadline-why", args=[step.pk])).content.decode()
    assert f"Get sign-off from the three partners: {review.incident.reference}" in page
    assert "Signed off by the three partners" not in page


def test_the_sweep_command_names_each_step_as_a_to_do(review, people, monkeypatch, capsys):
    """The operator's log of a sweep says each clock as the dashboard does, though a step's
    stored title is the state its timetable lists."""
    from django.core.management import call_command

    from safeguarding import reminders

    monkeypatch.setattr(reminders, "queue_send", lambda pk: True)
    monkeypatch.setattr(reminders, "queue_sends", lambda pks: len(pks))
    call_command("sweep_deadlines", "--at", f"{review.due_date.isoformat()}T10:00")
    out = capsys.readouterr().out
    ref = review.incident.reference
    assert f"{people['officer'].email}: Send the information requests to agencies: {ref}" in out
    assert not any(done in out for done in DONE[:1] + DONE[3:])


def test_a_steps_moves_are_named_as_to_dos_in_the_audit_trail(
    review, people, partnership, django_capture_on_commit_callbacks
):
    """Moved by hand or by a closure day, a step is named in the audit trail as the
    dashboard names it."""
    import datetime as dt

    from django.utils import timezone

    from safeguarding.calendar import add_working_days
    from safeguarding.deadlines import Kind, deadline_move, get_deadline
    from safeguarding.models import AuditEvent, ClosureDay

    ref = review.incident.reference
    sign_off = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.SIGN_OFF)
    meeting = get_deadline(review, Kind.RAPID_REVIEW_MILESTONE, Milestone.MEETING)
    deadline_move(
        deadline=meeting,
        actor=people["officer"],
        reason="The chair is away.",
        due_date=meeting.due_date + dt.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        ClosureDay.objects.create(
            partnership=partnership,
            date=add_working_days(timezone.localdate(), 1),
            reason="Office move",
        )
    names = list(
        AuditEvent.objects.filter(object_type="safeguarding.deadline").values_list(
            "object_repr", flat=True
        )
    )
    assert any(name.startswith(f"Hold the rapid review panel meeting: {ref}") for name in names)
    assert any(name.startswith(f"Get sign-off from the three partners: {ref}") for name in names)
    assert not any(done in name for done in DONE for name in names)
    sign_off.refresh_from_db()
    assert str(sign_off).startswith(f"Get sign-off from the three partners: {ref} – due")
