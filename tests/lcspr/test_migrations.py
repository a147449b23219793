"""The data migration that puts back the statutory publication target (ADR 0015)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lcspr.models import Review
from safeguarding.deadlines import Kind, get_deadline
from safeguarding.models import Deadline
from tests.utils import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("lcspr", "0006_review_resumed_on")]
AFTER = [("lcspr", "0007_statutory_target_stands")]


def test_a_target_moved_by_an_earlier_hold_goes_back_to_six_months(local_review):
    from dateutil.relativedelta import relativedelta

    statutory = local_review.target_publication
    assert statutory == local_review.decision_date + relativedelta(months=6)
    untouched = get_deadline(local_review, Kind.PUBLICATION)
    migrate(BEFORE)
    try:
        # What a resume did before: the target and the clock moved by 21 days on hold.
        moved = statutory + dt.timedelta(days=21)
        Review.objects.filter(pk=local_review.pk).update(target_publication=moved, days_on_hold=21)
        Deadline.objects.filter(pk=untouched.pk).update(due_date=moved, rule=Deadline.Rule.FIXED)
        migrate(AFTER)
        # Only the columns that exist at this migration (later ones add more).
        target, days, decided = Review.objects.values_list(
            "target_publication", "days_on_hold", "decision_date"
        ).get(pk=local_review.pk)
        assert target == statutory
        assert target + dt.timedelta(days=days) == moved  # the days on hold are kept
        clock = Deadline.objects.get(pk=untouched.pk)
        assert (clock.due_date, clock.rule) == (statutory, Deadline.Rule.CALENDAR_MONTHS)
        assert (clock.trigger_date, clock.amount) == (decided, 6)
    finally:
        migrate_to_latest()


def test_recommendations_sharing_a_number_are_numbered_again_before_the_constraint(
    local_review,
):
    """Two officers adding at once could both take the same number before 0012: the first
    (by id) keeps it, a later one takes the next free number, the others stay."""
    from django.db.migrations.executor import MigrationExecutor as Executor

    migrate([("lcspr", "0011_written_request_told")])
    try:
        apps = (
            Executor(connection).loader.project_state([("lcspr", "0011_written_request_told")]).apps
        )
        Recommendation = apps.get_model("lcspr", "Recommendation")
        ids = [
            Recommendation.objects.create(review_id=local_review.pk, number=n, text=t).pk
            for n, t in ((1, "One."), (2, "Two."), (2, "Two again."), (3, "Three."))
        ]
        migrate([("lcspr", "0012_recommendation_version_number_once")])
        numbers = dict(Recommendation.objects.filter(pk__in=ids).values_list("text", "number"))
        assert numbers == {"One.": 1, "Two.": 2, "Two again.": 4, "Three.": 3}
    finally:
        migrate_to_latest()


def test_actions_complete_before_0015_have_their_clock_stopped_on_completion(
    local_review, people, agencies
):
    from lcspr import services
    from lcspr.models import Action

    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")
    args = dict(recommendation=rec, actor=officer, agency=agencies["police"], lead="Lead")
    done = services.action_add(description="Audit", due_date=dt.date(2026, 12, 20), **args)
    going = services.action_add(description="Train", due_date=dt.date(2026, 12, 20), **args)
    migrate([("lcspr", "0014_reviewer_notice")])
    try:
        # What marking it complete did before: the clock kept running until the sign-off.
        Action.objects.filter(pk=done.pk).update(
            status="complete", completed_on=dt.date(2026, 12, 1)
        )
        migrate([("lcspr", "0015_complete_actions_stop_their_clocks")])
        clocks = {
            d.subject_id: (d.closed_on, d.outcome)
            for d in Deadline.objects.filter(subject_type="lcspr.action")
        }
        assert clocks == {done.pk: (dt.date(2026, 12, 1), "met"), going.pk: (None, "")}
    finally:
        migrate_to_latest()


def test_reviews_closed_before_0018_get_what_closing_stopped_from_their_history(
    make_review, people
):
    """0018 works out, for reviews closed before `review_close` kept it, the status each
    was closed from and the clocks closing stopped: the same as the service now keeps,
    for a review closed while under way, one closed on the day its final report was
    approved (the milestones approval stopped are not taken for running ones) and one
    closed while on hold (its hold's details and paused clocks)."""
    from lcspr import services
    from lcspr.models import HoldReason

    from .conftest import TODAY, days_ago, open_review

    officer, manager = people["officer"], people["manager"]

    def under_way(days):
        review = open_review(make_review, people, decided_days_ago=days)
        return services.review_save_terms(
            review=review, actor=officer, text="T.", agreed_on=days_ago(days - 20)
        )

    def close(review, on=None):
        return services.review_close(
            review=review, actor=manager, reason="By mistake.", closed_on=on or TODAY()
        )

    running = close(under_way(100), on=days_ago(4))
    approved = services.review_approve_final(
        review=under_way(120), actor=officer, approved_on=TODAY()
    )
    approved = close(approved)
    held = services.review_put_on_hold(
        review=under_way(90),
        actor=officer,
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="Trial listed for March",
        held_since=days_ago(6),
        look_again_on=TODAY() + dt.timedelta(days=14),
    )
    held = close(held)
    kept = {r.pk: r.closed_from for r in (running, approved, held)}
    assert kept[held.pk]["hold"]["reason"] == HoldReason.CRIMINAL_PROCEEDINGS
    assert kept[approved.pk]["running"] and kept[held.pk]["paused"]
    migrate([("lcspr", "0017_written_request_reply")])
    try:
        migrate([("lcspr", "0018_review_closed_from")])
        found = dict(Review.objects.filter(pk__in=kept).values_list("pk", "closed_from"))
        assert found == kept
    finally:
        migrate_to_latest()


def test_embargoed_public_copies_are_dated_from_the_end_of_the_embargo(partnership):
    from lcspr.models import PublishedReview

    migrate([("lcspr", "0018_review_closed_from")])
    try:
        fields = dict(partnership=partnership, summary="S", kind="full_report")
        embargoed = PublishedReview.objects.create(
            source_review_id=1,
            slug="a",
            title="A",
            year=2026,
            published_on=dt.date(2026, 12, 21),
            embargo_until=dt.date(2027, 1, 5),
            **fields,
        )
        plain = PublishedReview.objects.create(
            source_review_id=2,
            slug="b",
            title="B",
            year=2026,
            published_on=dt.date(2026, 12, 21),
            embargo_until=dt.date(2026, 12, 1),  # before publication: nothing to move
            **fields,
        )
        migrate([("lcspr", "0019_published_dated_from_embargo")])
    finally:
        migrate_to_latest()
    embargoed.refresh_from_db()
    plain.refresh_from_db()
    assert (embargoed.published_on, embargoed.year) == (dt.date(2027, 1, 5), 2027)
    assert (plain.published_on, plain.year) == (dt.date(2026, 12, 21), 2026)


def test_briefings_made_with_the_year_before_the_embargo_ended_are_made_again(make_review, people):
    """An embargo from December into January: the briefing was made with the year
    publication was recorded. The migration marks it (no content hash) so the review's
    page says the public pages show an earlier version, and the next making of it has
    the year the public first read it. Briefings already made with that year, and
    embargoes ending in the same year, are left alone."""
    from lcspr import services
    from lcspr.models import PublishedReview
    from lcspr.services.briefing import BRIEFING_FIELDS, _hash

    from .conftest import BRIEFING, open_review

    recorded = dt.date(2026, 12, 21)
    cases = {
        "earlier year": (dt.date(2027, 1, 5), 2026),
        "already made again": (dt.date(2027, 1, 5), 2027),
        "same year": (dt.date(2026, 12, 30), 2026),
    }
    briefings = {}
    for n, (case, (embargo, made_with)) in enumerate(cases.items(), start=1):
        review = open_review(make_review, people)
        briefing = services.briefing_save(review=review, actor=people["officer"], values=BRIEFING)
        Review.objects.filter(pk=review.pk).update(published_on=recorded, embargo_until=embargo)
        values = {f: getattr(briefing, f) for f in BRIEFING_FIELDS}
        made = _hash(values, review.partnership.name, made_with)
        type(briefing).objects.filter(pk=briefing.pk).update(content_hash=made)
        PublishedReview.objects.create(
            partnership=review.partnership,
            source_review_id=review.pk,
            slug=f"review-{n}",
            title=case,
            summary="S",
            kind="full_report",
            year=embargo.year,
            published_on=embargo,
            embargo_until=embargo,
            briefing_hash=made,
        )
        briefings[case] = (briefing, made)
    migrate([("lcspr", "0019_published_dated_from_embargo")])
    try:
        migrate([("lcspr", "0020_briefings_of_embargo_across_new_year")])
    finally:
        migrate_to_latest()
    for case, (briefing, made) in briefings.items():
        briefing.refresh_from_db()
        assert briefing.content_hash == ("" if case == "earlier year" else made), case

    briefing, _ = briefings["earlier year"]
    briefing = services.briefing_generate(briefing)
    values = {f: getattr(briefing, f) for f in BRIEFING_FIELDS}
    assert briefing.content_hash == _hash(values, briefing.review.partnership.name, 2027)


def test_reviewers_assigned_before_0021_stay_assigned_and_are_never_e_mailed_late(
    local_review, people
):
    """0021 names the reviewers' table as a model with when each was assigned and told:
    the reviewers there stay, with neither time, so beat's requeue never e-mails them."""
    from django.utils import timezone

    from lcspr import services
    from lcspr.mail import REQUEUE_AFTER, untold_reviewer_assignments
    from lcspr.models import ReviewerAssignment

    migrate([("lcspr", "0020_briefings_of_embargo_across_new_year")])
    try:
        old = MigrationExecutor(connection).loader.project_state(
            [("lcspr", "0020_briefings_of_embargo_across_new_year")]
        )
        OldReview = old.apps.get_model("lcspr", "Review")
        OldReview.objects.get(pk=local_review.pk).reviewers.add(people["reviewer"].pk)
        migrate([("lcspr", "0021_reviewer_assignment_and_action_move_untold")])
    finally:
        migrate_to_latest()
    kept = ReviewerAssignment.objects.get(review=local_review)
    assert (kept.user_id, kept.assigned_at, kept.told_at) == (people["reviewer"].pk, None, None)
    soon = timezone.now() + REQUEUE_AFTER + dt.timedelta(seconds=1)
    assert not untold_reviewer_assignments(now=soon).exists()
    # Saved again with the same reviewer: still not newly assigned, so not e-mailed.
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    assert ReviewerAssignment.objects.get(review=local_review).pk == kept.pk


def test_public_copies_of_recommendations_of_several_lines_are_indented(local_review, partnership):
    """0024: a public copy still exactly as publication wrote it is written again with
    the recommendation's later lines indented; a copy that differs is left alone."""
    from lcspr.models import PublishedReview

    before = [("lcspr", "0023_action_assigned_at")]
    apps = migrate(before)
    try:
        Recommendation = apps.get_model("lcspr", "Recommendation")
        Copy = apps.get_model("lcspr", "PublishedReview")
        Recommendation.objects.create(review_id=local_review.pk, number=1, text="Audit:\n2. Train.")
        Recommendation.objects.create(review_id=local_review.pk, number=2, text="Listen.")
        common = dict(partnership_id=partnership.pk, summary="S", year=2026, kind="full_report")
        kept = Copy.objects.create(
            source_review_id=local_review.pk,
            slug="as-published",
            title="As published",
            published_on=dt.date(2026, 1, 5),
            recommendations="1. Audit:\n2. Train.\n2. Listen.",
            **common,
        )
        migrate([("lcspr", "0024_recommendations_indented")])
        assert Copy.objects.get(pk=kept.pk).recommendations == "1. Audit:\n   2. Train.\n2. Listen."
        # A copy no longer what the recommendations would write is left as it was.
        Copy.objects.filter(pk=kept.pk).update(recommendations="1. Audit:\n2. Train.")
        migrate(before)
        migrate([("lcspr", "0024_recommendations_indented")])
        assert Copy.objects.get(pk=kept.pk).recommendations == "1. Audit:\n2. Train."
    finally:
        migrate_to_latest()
    items = PublishedReview.objects.get(source_review_id=local_review.pk).recommendation_items()
    assert items == [(1, "Audit:"), (2, "Train.")]
