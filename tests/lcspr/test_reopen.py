"""A partnership manager reopens a local review closed without publication in error (ADR
0019): it goes back to the status it was closed from, its clocks run again with the due
dates they had (the statutory date never moves), a hold comes back as it was, the
reviewers are e-mailed once, and the dashboard shows its clocks again."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from lcspr import services
from lcspr.mail import reviewer_notice_deliver
from lcspr.models import HoldReason, Review, Status, StatusChange
from safeguarding.deadlines import Kind
from safeguarding.models import AuditEvent, Deadline
from tests.mail_server import text_of
from tests.utils import sign_in

from .conftest import TODAY, days_ago, open_review, publish, to_notice_sent

pytestmark = pytest.mark.django_db


def clocks_of(review):
    """Every clock of the review: (kind, key) -> (due date, closed on, outcome)."""
    return {
        (d.kind, d.key): (d.due_date, d.closed_on, d.outcome)
        for d in Deadline.objects.for_subject(review)
    }


def close(review, manager, *, on=None):
    review.refresh_from_db()
    return services.review_close(
        review=review,
        actor=manager,
        reason="Closed by mistake instead of another review.",
        closed_on=on or TODAY(),
    )


def reopen(review, manager, reason="It was closed by mistake."):
    review.refresh_from_db()
    return services.review_reopen(review=review, actor=manager, reason=reason)


@pytest.fixture
def under_way(make_review, people):  # noqa: F811
    """Decided 100 days ago, terms agreed: some milestones fell due, some are to come."""
    review = open_review(make_review, people, decided_days_ago=100)
    return services.review_save_terms(
        review=review, actor=people["officer"], text="Terms.", agreed_on=days_ago(80)
    )


def test_reopening_restores_the_status_and_every_clock_with_its_due_date(under_way, people):
    manager = people["manager"]
    before = clocks_of(under_way)
    running = {k: v for k, v in before.items() if v[1] is None}
    assert (Kind.PUBLICATION, "") in running and len(running) >= 5
    closed = close(under_way, manager, on=days_ago(10))
    assert closed.status == Status.CLOSED
    assert all(v[1] == days_ago(10) for k, v in clocks_of(closed).items() if k in running)

    review = reopen(closed, manager)
    assert review.status == Status.IN_PROGRESS
    assert review.closed_on is None and review.closed_reason == "" and review.closed_from == {}
    # The clocks that were running run again with exactly the dates they had; the met one
    # (terms agreed) stays met.
    assert clocks_of(review) == before
    # The statutory date: 6 calendar months after the decision, as it was (ADR 0015).
    publication = Deadline.objects.for_subject(review).get(kind=Kind.PUBLICATION)
    statutory = review.decision_date + relativedelta(months=6)
    assert publication.due_date == review.target_publication == statutory
    assert publication.due_date == before[(Kind.PUBLICATION, "")][0]
    # The milestone that fell due (agency reports, 2 months after the decision 60 days
    # ago) is overdue at once: no time is added for the days it was closed.
    overdue = Deadline.objects.for_subject(review).overdue(on=TODAY())
    assert {d.key for d in overdue} == {"agency_reports", "learning_event", "family"}
    assert {d.key for d in overdue} == {
        k[1] for k, v in before.items() if v[1] is None and v[0] < TODAY()
    }
    assert (
        not StatusChange.objects.filter(review=review)
        .exclude(to_status__in=[Status.OPEN, Status.IN_PROGRESS, Status.CLOSED])
        .exists()
    )
    last = StatusChange.objects.filter(review=review).latest("changed_at", "id")
    assert (last.from_status, last.to_status) == (Status.CLOSED, Status.IN_PROGRESS)
    assert last.note == "It was closed by mistake."


def test_a_review_closed_after_final_approval_gets_its_notice_clock_back_not_old_steps(
    under_way, people
):
    officer, manager = people["officer"], people["manager"]
    review = services.review_approve_final(review=under_way, actor=officer, approved_on=days_ago(5))
    before = clocks_of(review)
    notice = before[(Kind.PRE_PUBLICATION_NOTICE, "")]
    assert notice[1] is None
    # Final approval made the unfinished steps "no longer needed": reopening leaves them so.
    moot = {k for k, v in before.items() if v[2] == Deadline.Outcome.CANCELLED}
    assert moot
    review = reopen(close(review, manager), manager)
    assert review.status == Status.FINAL_APPROVED
    assert clocks_of(review) == before


def test_a_review_closed_while_on_hold_goes_back_on_hold_as_it_was(under_way, people):
    officer, manager = people["officer"], people["manager"]
    look_again = TODAY() + dt.timedelta(days=20)
    held = services.review_put_on_hold(
        review=under_way,
        actor=officer,
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="Trial listed for March.",
        held_since=days_ago(8),
        look_again_on=look_again,
    )
    before = clocks_of(held)
    paused = {k for k, v in before.items() if v[2] == Deadline.Outcome.PAUSED}
    assert paused
    closed = close(held, manager)
    assert closed.held_since is None and closed.hold_reason == ""

    review = reopen(closed, manager)
    assert review.status == Status.ON_HOLD
    assert (review.hold_reason, review.hold_note) == (
        HoldReason.CRIMINAL_PROCEEDINGS,
        "Trial listed for March.",
    )
    assert (review.held_since, review.hold_review_on) == (days_ago(8), look_again)
    assert review.status_before_hold == Status.IN_PROGRESS
    assert clocks_of(review) == before  # paused again; the hold's own clock runs again
    # And resuming works as for any hold: back to where it was held from.
    review = services.review_resume(review=review, actor=officer, resumed_on=TODAY())
    assert review.status == Status.IN_PROGRESS and review.days_on_hold == 8


def test_a_hold_recorded_without_its_dates_is_closed_and_reopened_without_them(under_way, people):
    """Holds made before their dates were required (and the scale data's) have none:
    closing one keeps "no date" rather than failing, and reopening gives none back."""
    held = services.review_put_on_hold(
        review=under_way,
        actor=people["officer"],
        reason=HoldReason.INQUEST,
        note="Inquest opened.",
        held_since=days_ago(3),
        look_again_on=TODAY() + dt.timedelta(days=30),
    )
    Review.objects.filter(pk=held.pk).update(held_since=None, hold_review_on=None)
    closed = close(held, people["manager"])
    assert closed.closed_from["hold"]["held_since"] is None
    assert closed.closed_from["hold"]["look_again_on"] is None
    review = reopen(closed, people["manager"])
    assert review.status == Status.ON_HOLD
    assert (review.held_since, review.hold_review_on) == (None, None)
    assert review.hold_reason == HoldReason.INQUEST


@pytest.mark.parametrize("state", ["open", "published"])
def test_only_a_closed_review_can_be_reopened(local_review, people, client, state):
    manager = people["manager"]
    review = local_review
    if state == "published":
        review = publish(to_notice_sent(review, people["officer"]), people["officer"])
    status = review.status
    with pytest.raises(services.TransitionError):
        reopen(review, manager)
    url = reverse("lcspr:reopen", args=[review.pk])
    sign_in(client, manager)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    expected = "A published review cannot be reopened" if state == "published" else "not closed"
    assert expected in html and 'name="reason"' not in html
    posted = client.post(url, {"reason": "Try anyway.", "version": str(review.version)})
    assert posted.status_code == 200
    posted_html = posted.content.decode()
    summary = posted_html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert expected in summary
    # The summary's link goes to the page's explanation, not to a form that is not there.
    assert 'href="#refused"' in summary and 'id="refused"' in posted_html
    assert 'name="reason"' not in posted_html
    review.refresh_from_db()
    assert review.status == status


def test_only_its_partnerships_managers_reopen_it(local_review, people, client):
    review = close(local_review, people["manager"])
    url = reverse("lcspr:reopen", args=[review.pk])
    with pytest.raises(PermissionDenied):
        reopen(review, people["officer"])
    sign_in(client, people["other_manager"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    for who in ("officer", "reviewer", "agency"):
        sign_in(client, people[who])
        assert client.get(url).status_code == 403, who
        assert client.post(url, {"reason": "x"}).status_code == 403, who
    # The officer sees it is closed, and not the way to reopen it.
    sign_in(client, people["officer"])
    assert url not in client.get(review.get_absolute_url()).content.decode()
    review.refresh_from_db()
    assert review.status == Status.CLOSED


def test_the_manager_reopens_it_through_the_page_with_a_reason(under_way, people, client):
    manager = people["manager"]
    review = close(under_way, manager, on=days_ago(3))
    sign_in(client, manager)
    detail = client.get(review.get_absolute_url()).content.decode()
    url = reverse("lcspr:reopen", args=[review.pk])
    assert url in detail and "Reopen this review" in detail
    page = client.get(url).content.decode()
    assert "It goes back to ‘Review under way’" in page
    assert f"stays {review.target_publication:%-d %B %Y}" in page
    overdue = Deadline.objects.for_subject(review).filter(
        outcome=Deadline.Outcome.CANCELLED, due_date__lt=TODAY()
    )
    assert overdue.exists()
    n_overdue = overdue.count()
    assert n_overdue == 3
    assert "3 clocks are past their due dates" in page
    # Each clock that starts again is something to do, not the state its step reaches.
    assert f"Get the agency reports in: {review.reference}" in page
    assert "Agency reports in:" not in page
    # No reviewer is assigned to this review: the page promises no e-mail to one.
    assert "independent reviewer is emailed" not in page
    review.reviewers.add(people["reviewer"])
    assert "independent reviewer is emailed" in client.get(url).content.decode()

    # The reason is required: GOV.UK error summary, the page title starts "Error: ".
    refused = client.post(url, {"reason": "  ", "version": str(review.version)})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "govuk-error-summary" in html and "Enter why the review is being reopened" in html
    assert "<title>Error: " in html
    review.refresh_from_db()
    assert review.status == Status.CLOSED

    done = client.post(url, {"reason": "Closed by mistake.", "version": str(review.version)})
    assert done.status_code == 302 and done.url == review.get_absolute_url()
    review.refresh_from_db()
    assert review.status == Status.IN_PROGRESS
    event = AuditEvent.objects.filter(
        object_type="lcspr.review", object_id=str(review.pk), changes__has_key="reopened"
    ).get()
    assert event.actor == manager
    assert event.changes["reason"] == "given"  # the words stay in the status history
    assert StatusChange.objects.filter(review=review).latest("changed_at", "id").note == (
        "Closed by mistake."
    )
    assert event.changes["reopened"]["status"] == Status.IN_PROGRESS
    assert event.changes["clocks_overdue"] == n_overdue
    assert AuditEvent.objects.filter(
        object_id=str(review.pk),
        changes__status={"old": Status.CLOSED, "new": Status.IN_PROGRESS},
    ).exists()
    # Reopened: the page offers its changes again, and no longer the reopening.
    detail = client.get(review.get_absolute_url()).content.decode()
    assert url not in detail and reverse("lcspr:close", args=[review.pk]) in detail


def test_the_dashboard_shows_the_reopened_clocks_again(under_way, people, client):
    manager = people["manager"]
    sign_in(client, manager)
    home = reverse("safeguarding:home")

    def overdue_on_board():
        board = client.get(home).context["board"]
        return sorted(r.title for r in board.overdue if r.url == under_way.get_absolute_url())

    running = overdue_on_board()
    assert len(running) == 3  # agency reports, learning event, family engagement
    close(under_way, manager)
    assert overdue_on_board() == []
    reopen(under_way, manager)
    assert overdue_on_board() == running
    html = client.get(home).content.decode()
    assert all(title in html for title in running)


def test_the_reviewer_is_e_mailed_once(
    under_way, people, smtp, django_capture_on_commit_callbacks, settings
):
    reviewer, manager = people["reviewer"], people["manager"]
    review = services.review_set_reviewers(
        review=under_way, actor=people["officer"], reviewers=[reviewer]
    )
    with django_capture_on_commit_callbacks(execute=True):
        close(review, manager)
    assert len(smtp) == 1
    with django_capture_on_commit_callbacks(execute=True):
        review = reopen(review, manager, reason="Closed in error: Mr Example's case was the other.")
    assert len(smtp) == 2
    message = smtp[1]
    assert message["To"] == reviewer.email
    subject = " ".join(message["Subject"].split())
    assert (
        subject == f"{review.partnership.name}: local review {review.reference} has been reopened"
    )
    body = " ".join(text_of(message).split())
    assert f"It was reopened on {TODAY():%A %-d %B %Y}." in body
    assert "Work on the review starts again." in body
    assert settings.SITE_URL + review.get_absolute_url() in body
    assert "Example" not in body and "error" not in body
    change = StatusChange.objects.filter(review=review).latest("changed_at", "id")
    assert reviewer_notice_deliver(status_change_id=change.pk) == "already sent"
    assert len(smtp) == 2


def test_a_reviewer_told_of_a_reopening_onto_a_hold_is_asked_to_wait(
    under_way, people, smtp, django_capture_on_commit_callbacks
):
    officer, manager = people["officer"], people["manager"]
    review = services.review_set_reviewers(
        review=under_way, actor=officer, reviewers=[people["reviewer"]]
    )
    look_again = TODAY() + dt.timedelta(days=9)
    review = services.review_put_on_hold(
        review=review,
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        held_since=days_ago(2),
        look_again_on=look_again,
    )
    close(review, manager)
    with django_capture_on_commit_callbacks(execute=True):
        reopen(review, manager)
    assert len(smtp) == 1
    body = " ".join(text_of(smtp[0]).split())
    assert "has reopened local review" in body and "It is back on hold" in body
    assert f"look at the hold again on {look_again:%A %-d %B %Y}" in body


def test_a_review_closed_before_reopening_was_offered_cannot_be_reopened(
    local_review, people, client
):
    review = close(local_review, people["manager"])
    Review.objects.filter(pk=review.pk).update(closed_from={})
    with pytest.raises(services.TransitionError, match="cannot be reopened in the service"):
        reopen(review, people["manager"])
    sign_in(client, people["manager"])
    detail = client.get(review.get_absolute_url()).content.decode()
    assert "cannot be reopened in the service" in detail
    assert reverse("lcspr:reopen", args=[review.pk]) not in detail
    page = client.get(reverse("lcspr:reopen", args=[review.pk])).content.decode()
    assert "cannot be reopened in the service" in page and 'name="reason"' not in page


def test_closing_again_after_reopening_and_reopening_again(under_way, people):
    manager = people["manager"]
    before = clocks_of(under_way)
    review = reopen(close(under_way, manager), manager)
    review = reopen(close(review, manager), manager)
    assert review.status == Status.IN_PROGRESS and clocks_of(review) == before


def test_the_page_says_a_review_closed_on_hold_comes_back_with_its_clocks_paused(
    under_way, people, client
):
    held = services.review_put_on_hold(
        review=under_way,
        actor=people["officer"],
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="Trial listed for March.",
        held_since=days_ago(8),
        look_again_on=TODAY() + dt.timedelta(days=20),
    )
    closed = close(held, people["manager"])
    sign_in(client, people["manager"])
    page = client.get(reverse("lcspr:reopen", args=[closed.pk])).content.decode()
    assert "It goes back on hold" in page
    assert "Its clocks stay paused until it resumes" in page
    assert "Its clocks start again with the due dates they had" not in page
    assert "Paused by the hold" in page


def test_the_reopening_page_reads_the_status_history_once(
    under_way, people, client, django_assert_max_num_queries
):
    """The refusal and the plan come from one reading of the review's status history
    (`reopen_plan`): session, user, device, memberships, the review, its history, its
    clocks, the reviewers to tell (8; it was 9 when the refusal read the history again)."""
    review = close(under_way, people["manager"])
    sign_in(client, people["manager"])
    url = reverse("lcspr:reopen", args=[review.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        page = client.get(url)
    assert "It goes back to ‘Review under way’" in page.content.decode()
    Review.objects.filter(pk=review.pk).update(closed_from={})
    with django_assert_max_num_queries(6):  # refused before its history or clocks are read
        page = client.get(url)
    assert "cannot be reopened in the service" in page.content.decode()
