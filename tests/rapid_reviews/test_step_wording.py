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
