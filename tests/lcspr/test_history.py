"""The review page's History: the review's whole story as the service recorded it (status
moves, reviewers, terms, milestones met or moved and why, checks, written requests and
replies, the action plan, the notice, the public copy), newest first, with who and when;
each reader sees only what the page shows them; a constant number of queries."""

import datetime as dt
import re

import pytest

from lcspr import services
from lcspr.models import PartnerCheck
from lcspr.selectors import milestones_of
from safeguarding.calendar import add_working_days
from safeguarding.dates import full_date
from tests.utils import sign_in

from .conftest import TODAY, days_ago, local_review, pdf_upload  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def history_lines(page: str) -> list[str]:
    history = page.split(">History</h2>", 1)[1].split("</ol>", 1)[0]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", line).split())
        for line in re.findall(r"<li>(.*?)</li>", history, re.S)
    ]


def tell_story(review, people, agencies):
    """A review taken through most of what the service records of one."""
    officer, manager, reviewer = people["officer"], people["manager"], people["reviewer"]
    services.review_set_reviewers(review=review, actor=officer, reviewers=[reviewer])
    review = services.review_save_terms(
        review=review, actor=officer, text="Terms.", agreed_on=days_ago(50)
    )
    moved_to = add_working_days(TODAY(), 28)  # a planned date is a working day
    services.milestone_update(
        review=review,
        actor=officer,
        key="learning_event",
        planned=moved_to,
        reason="Moved so that the health visitors could attend.",
    )
    review.refresh_from_db()
    check = services.partner_check_add(
        review=review,
        actor=manager,
        kind=PartnerCheck.Kind.WRITTEN_REQUEST,
        checked_on=days_ago(5),
        note="Please send the draft.",
        respond_by=TODAY() + dt.timedelta(days=9),
    )
    services.written_request_reply(
        check=check,
        actor=reviewer,
        text="The draft is attached.",
        upload=pdf_upload("draft.pdf"),
    )
    rec = services.recommendation_add(review=review, actor=officer, text="Ask the child.")
    due = add_working_days(TODAY(), 30, partnership=review.partnership)
    services.action_add(
        recommendation=rec,
        actor=officer,
        description="Train staff to ask.",
        agency=agencies["police"],
        lead="DI Lead",
        due_date=due,
    )
    review.refresh_from_db()
    review = services.review_approve_final(review=review, actor=manager, approved_on=days_ago(1))
    return review, check, moved_to, due


def test_the_business_unit_reads_the_whole_story_newest_first(
    client,
    local_review,  # noqa: F811
    people,
    agencies,
):
    review, check, moved_to, due = tell_story(local_review, people, agencies)
    officer, manager, reviewer = people["officer"], people["manager"], people["reviewer"]
    sign_in(client, manager)
    lines = history_lines(client.get(review.get_absolute_url()).content.decode())
    planned_before = next(
        c.old_due for m in milestones_of(review) if m.key == "learning_event" for c in m.changes
    )
    expected = [
        f"{manager.full_name}: Review under way → Final report approved",
        f"{officer.full_name}: Action added for recommendation 1, owned by "
        f"{agencies['police'].name}, due {full_date(due)}",
        f"{officer.full_name}: Recommendation 1 added",
        f"{reviewer.full_name}: Replied to the written request of "
        f"{full_date(days_ago(5))}, with a document",
        f"{manager.full_name}: Written request to the reviewer recorded, asked on "
        f"{full_date(days_ago(5))}, for a reply by {full_date(TODAY() + dt.timedelta(days=9))}",
        f"{officer.full_name}: Practitioner learning event: planned date moved from "
        f"{full_date(planned_before)} to {full_date(moved_to)} "
        "Moved so that the health visitors could attend.",
        # The terms' step and the move it made at the same moment: the step above.
        f"{officer.full_name}: Terms of reference saved; agreed on {full_date(days_ago(50))}",
        f"{officer.full_name}: Setting up → Review under way Terms of reference agreed",
        f"{officer.full_name}: Independent reviewer appointed: {reviewer.full_name}",
        f"{officer.full_name}: Opened the review: decided on {full_date(days_ago(60))}, "
        f"to be published by {full_date(review.target_publication)}",
    ]
    # Each line: "<when> – <who>: <what>".
    assert [line.split(" – ", 1)[1] for line in lines] == expected
    assert all(re.match(r"^\d{1,2} \w+ \d{4}, ", line) for line in lines)


def test_a_reviewer_reads_the_reviews_story_but_not_the_action_plans(
    client,
    local_review,  # noqa: F811
    people,
    agencies,
):
    """The reviewer does not see the action plan on the page (ADR 0027): nor its lines
    in the History. An agency's contributor does not open the review page at all."""
    review, *_ = tell_story(local_review, people, agencies)
    sign_in(client, people["reviewer"])
    lines = history_lines(client.get(review.get_absolute_url()).content.decode())
    said = "\n".join(lines)
    assert "Replied to the written request" in said
    assert "Practitioner learning event: planned date moved" in said
    assert "Independent reviewer appointed" in said
    assert "Review under way → Final report approved" in said
    assert "Recommendation 1" not in said and "Action added" not in said
    client.logout()
    sign_in(client, people["agency"])
    assert client.get(review.get_absolute_url()).status_code in (403, 404)


def test_the_history_costs_the_same_queries_however_long_it_is(
    client,
    local_review,  # noqa: F811
    people,
    agencies,
    django_assert_max_num_queries,
):
    review, *_ = tell_story(local_review, people, agencies)
    sign_in(client, people["manager"])
    url = review.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        lines = len(history_lines(client.get(url).content.decode()))
    # Twice as much story: more checks, replies, recommendations, actions, moves.
    officer = people["officer"]
    for n in range(3):
        services.partner_check_add(
            review=review,
            actor=officer,
            kind=PartnerCheck.Kind.QUALITY,
            checked_on=days_ago(2),
            note=f"Check {n}.",
        )
        rec = services.recommendation_add(review=review, actor=officer, text=f"Rec {n}.")
        services.action_add(
            recommendation=rec,
            actor=officer,
            description=f"Action {n}.",
            agency=agencies["health"],
            lead="Lead",
            due_date=add_working_days(TODAY(), 20 + n, partnership=review.partnership),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        more = len(history_lines(client.get(url).content.decode()))
    assert more >= lines + 9
