"""Demo local reviews: in progress, on hold and published (with learning briefings and
presentations on the public Learning from reviews pages).

The rapid reviews demo already opens local reviews through the hook (a rapid review that
decided on a local review and went to the National Panel); those are taken forward here.
The published and on-hold cases are older, back-dated cases created through the same
services as real use, so clocks, audit, history and published copies are exactly as in
the service. The families, places and people are invented. Runs once per partnership.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from notifications import services as incident_services
from notifications.demo import _born, _person, add_child, describe_incident
from notifications.models import ChildStatus, Ethnicity, HarmCategory, Nature, Sex
from rapid_reviews import services as rr_services
from safeguarding.calendar import (
    add_working_days,
    working_day_on_or_after,
    working_day_on_or_before,
)
from safeguarding.demo import DemoClock
from safeguarding.leads import partner_lead_initial
from safeguarding.models import Deadline, Partnership, Role
from safeguarding.stamps import history_now

from . import services
from .models import (
    AnonymisationCheck,
    HoldReason,
    LearningTheme,
    PublishedReview,
    Review,
    Status,
)

LISTENING = {
    "title": "Are you listening to me?",
    "background": (
        "Child L was 13 and lived with her mother, her mother’s partner and two younger "
        "brothers. Over eighteen months she told a teacher that she was 'tired of home', "
        "asked the school nurse twice whether she could stay late, and stopped going to her "
        "youth club. Her attendance fell to 70%. Each worker recorded what they saw, but "
        "nobody asked Child L what life at home was like, and the pieces were never put "
        "together. She later disclosed long-standing emotional abuse and neglect."
    ),
    "key_learning": (
        "Children rarely tell us everything at once: they test us with small pieces first.\n"
        "Falling attendance is a safeguarding signal, not only an education matter.\n"
        "A child’s words are evidence: record them as they were said, not as a summary.\n"
        "When the adults’ account and the child’s behaviour do not match, believe the behaviour."
    ),
    "practice_improvement": (
        "Ask children directly, and alone, about their day at home.\n"
        "Share concerns about falling attendance with the designated safeguarding lead early.\n"
        "Use the partnership’s escalation policy when a referral is closed without the "
        "child being seen."
    ),
    "discussion_questions": (
        "When did you last ask a child what a typical evening at home is like?\n"
        "How would the next professional know what the child actually said to you?\n"
        "What small signs in your service might be a child testing whether you will listen?\n"
        "What would help you escalate when you are not satisfied with an outcome?"
    ),
    "links": (
        "Working Together to Safeguard Children 2023 | "
        "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2\n"
        "NSPCC: listening to children | https://learning.nspcc.org.uk/"
    ),
}

WHO_VISITS = {
    "title": "Are you sure you know who visits or lives in my house?",
    "background": (
        "Baby M was four months old when admitted to hospital with a serious head injury. "
        "His mother told professionals that she lived alone with him. Health visitors, the "
        "GP and a housing officer each saw signs of a man in the home (work boots at the "
        "door, a second car outside, a man’s voice during a call) but none asked who he was. "
        "He was later found to have a history of violence towards a previous partner’s child."
    ),
    "key_learning": (
        "Unknown men in a baby’s life can be the greatest risk and the least visible.\n"
        "Professional curiosity means asking who lives in, visits or stays at the home, "
        "every time.\n"
        "Fathers and male carers must be seen, named and assessed, not only the mother.\n"
        "Information about a person’s past violence is only useful if it is checked and shared."
    ),
    "practice_improvement": (
        "Ask at every contact who lives in and who visits the home, and record the answer.\n"
        "Check the identity and history of new adults in a household with police and "
        "children’s social care.\n"
        "Include fathers and male carers in assessments and invite them to appointments."
    ),
    "discussion_questions": (
        "How confident are you that you know every adult in the homes of the babies you "
        "work with?\n"
        "What gets in the way of asking a mother about her partner?\n"
        "How would you check a name you are given, and who would you share it with?"
    ),
    "links": (
        "The Child Safeguarding Practice Review Panel: the myth of invisible men | "
        "https://www.gov.uk/government/publications/safeguarding-children-under-1-year-old-"
        "who-are-at-risk-of-non-accidental-injury"
    ),
}

KITCHEN = {
    "title": "Did anyone notice I was hungry?",
    "background": (
        "Child N was 8 and the eldest of four children. Over three years school staff, the "
        "school nurse and the GP recorded that he was often hungry, unwashed and tired. Each "
        "concern was logged on its own; the overall picture of chronic neglect was not seen "
        "until he was admitted to hospital malnourished."
    ),
    "key_learning": (
        "Neglect is cumulative: single concerns look small, the history does not.\n"
        "Chronologies help practitioners see patterns that single contacts hide."
    ),
    "practice_improvement": (
        "Use the neglect toolkit when concerns recur.\n"
        "Review the whole history before closing a referral."
    ),
    "discussion_questions": (
        "How would you know if a concern you record has been recorded before?\n"
        "What does 'good enough' care look like for the children you work with?"
    ),
    "links": "",
}

ARCHIVED = {
    **KITCHEN,
    "title": "Who was looking after me at night?",
    "background": (
        "Child P was 15 and often out late. Agencies saw missing episodes as choices rather "
        "than signs of exploitation."
    ),
    "key_learning": "Missing episodes are a sign of risk outside the home.",
    "practice_improvement": "Hold return-home interviews within 72 hours.",
    "discussion_questions": "How do we talk about children who go missing?",
}

CASES = {
    # code: [(state, days since the decision, child, briefing, themes, kind)]
    "BSCP": [
        (
            "published",
            430,
            ("Ellie-Rose Turner", _born(15, 5, 2), Sex.FEMALE, Ethnicity.WHITE_BRITISH),
            LISTENING,
            [
                "the-voice-of-the-child",
                "professional-curiosity",
                "neglect",
                "escalation-and-professional-challenge",
            ],
            "full_report",
        ),
        (
            "published",
            640,
            ("Kai Brennan", _born(3, 11, 20), Sex.MALE, Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN),
            WHO_VISITS,
            [
                "unknown-adults-in-the-household",
                "non-accidental-injury-in-infants",
                "fathers-and-male-carers",
                "information-sharing",
            ],
            "full_report",
        ),
        (
            "on_hold",
            150,
            ("Maya Okafor", _born(10, 8, 9), Sex.FEMALE, Ethnicity.BLACK_AFRICAN),
            None,
            ["domestic-abuse"],
            None,
        ),
    ],
    "ASCP": [
        (
            "published",
            500,
            ("Harley Dunn", _born(11, 3, 14), Sex.MALE, Ethnicity.WHITE_BRITISH),
            KITCHEN,
            ["neglect", "professional-curiosity"],
            "improvements",
        ),
        (
            "published",
            1460,
            ("Tia Marsh", _born(20, 1, 30), Sex.FEMALE, Ethnicity.WHITE_BRITISH),
            ARCHIVED,
            ["extra-familial-harm"],
            "full_report",
        ),
    ],
}


def _working(day: dt.date, partnership, *, by: dt.date | None = None) -> dt.date:
    """`day`, or the working day after it: the day a business unit would set for a due date,
    hold a meeting or send a report (safeguarding.calendar). With `by` (today), no later than
    the last working day up to it, for a day that has already happened."""
    day = working_day_on_or_after(day, partnership=partnership)
    if by is not None:
        day = min(day, working_day_on_or_before(by, partnership=partnership))
    return day


def _report_pdf(title: str) -> SimpleUploadedFile:
    from weasyprint import HTML

    html = (
        f"<html lang='en-GB'><head><title>{title}</title></head><body><h1>{title}</h1>"
        "<p>Local child safeguarding practice review: final report (demonstration copy). "
        "The child and family are anonymised.</p></body></html>"
    )
    data = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return SimpleUploadedFile("final-report.pdf", data, content_type="application/pdf")


def _old_case(partnership, officer, decided: dt.date, child, clock: DemoClock) -> Review:
    """A back-dated incident, notification and rapid review deciding on a local review,
    each step's History stamped with the day it happened."""
    aware = add_working_days(decided, -14, partnership=partnership)
    with clock.on(aware):
        incident = incident_services.incident_create(
            partnership=partnership,
            actor=officer,
            awareness_date=aware,
            incident_date=aware - dt.timedelta(days=1),
            incident_place=partnership.local_authority,
        )
        incident = describe_incident(
            incident,
            officer,
            nature=Nature.SERIOUS_HARM,
            harm=[HarmCategory.NEGLECT, HarmCategory.EMOTIONAL],
            circumstances="Serious harm after a long period of agency involvement.",
        )
        name, born, sex, ethnicity = child
        add_child(
            incident,
            officer,
            name=name,
            born=born,
            sex=sex,
            ethnicity=ethnicity,
            status=ChildStatus.CHILD_IN_NEED,
        )
    with clock.on(add_working_days(aware, 1, partnership=partnership)):
        incident_services.incident_submit_for_decision(incident=incident, actor=officer)
    sent = add_working_days(aware, 2, partnership=partnership)
    with clock.on(sent):
        incident = incident_services.incident_record_notification(
            incident=incident,
            actor=officer,
            notified_at=history_now(),  # sent as it was recorded, the step's time
            dfe_reference=f"SIN-{incident.reference.replace('-', '')}",
            ofsted_copied=True,
        )
    rapid = incident.rapid_review
    with clock.on(decided):
        rapid = rr_services.rapid_review_record_meeting(
            rapid_review=rapid,
            actor=officer,
            values={
                "meeting_date": decided,
                "attendees": "Business manager (chair); social care, police, health and "
                "education leads",
                "key_practice_episodes": "Missed opportunities to hear the child.",
                "learning_local": "Agencies held pieces of the picture that were not joined up.",
                "learning_national": "",
                "immediate_actions": "Siblings seen and safe.",
                "equality_and_diversity": "Considered; see the report.",
            },
        )
        rapid = rr_services.rapid_review_decide(
            rapid_review=rapid,
            actor=officer,
            decision="local_review",
            criteria=["improvements", "working_together"],
            rationale="Several agencies were involved and learning is likely.",
            decided_on=decided,
        )
        for partner in ("local_authority", "police", "health"):
            lead = partner_lead_initial(partnership, partner)
            rr_services.rapid_review_sign_off(
                rapid_review=rapid,
                actor=officer,
                partner=partner,
                name=lead.get("name") or f"{partner.replace('_', ' ').title()} lead",
                role=lead.get("role", ""),
                signed_on=decided,
            )
    sent_to_panel = add_working_days(decided, 1, partnership=partnership)
    with clock.on(sent_to_panel):
        rr_services.rapid_review_send_to_panel(
            rapid_review=rapid, actor=officer, sent_on=sent_to_panel
        )
    return Review.objects.get(rapid_review=rapid)


def _start(review, officer, reviewer, themes, *, agreed: dt.date, clock: DemoClock):
    """Terms agreed, reviewers and themes set, a milestone moved: all on `agreed`."""
    with clock.on(agreed):
        return _started(review, officer, reviewer, themes, agreed=agreed)


def _started(review, officer, reviewer, themes, *, agreed: dt.date):
    if reviewer is not None:
        services.review_set_reviewers(review=review, actor=officer, reviewers=[reviewer])
    services.review_set_themes(
        review=review, actor=officer, themes=list(LearningTheme.objects.filter(slug__in=themes))
    )
    review = services.review_save_terms(
        review=review,
        actor=officer,
        text="Scope: agency involvement in the two years before the incident.\n"
        "Questions: how well did agencies hear the child? How well did they share information?\n"
        "Method: systems approach with a practitioner learning event and family involvement.",
        agreed_on=agreed,
    )
    learning = services.review.milestone_deadline(review, "learning_event")
    services.milestone_update(
        review=review,
        actor=officer,
        key="learning_event",
        planned=_working(learning.due_date + dt.timedelta(days=21), review.partnership),
        reason="Moved so that the health visitors and the class teacher could attend.",
    )
    return review


def _contributor(partnership, agency):
    """The demo's contributor for `agency` in `partnership`, if there is one."""
    from safeguarding.models import Membership

    found = (
        Membership.objects.filter(
            partnership=partnership, agency=agency, role=Role.AGENCY_CONTRIBUTOR
        )
        .select_related("user")
        .first()
    )
    return found.user if found else None


def _action_owners(partnership) -> list:
    """The two agencies given the actions of a demo action plan: those with a demo
    contributor in the partnership first (so that each contributor has actions on their
    home page: one agency's done or awaiting sign-off, the other's still to finish), then
    the others, by name."""
    agencies = list(partnership.agencies.order_by("name"))
    answered = [a for a in agencies if _contributor(partnership, a)]
    return (answered + [a for a in agencies if a not in answered])[:2]


def _note_dated(action, day: dt.date) -> None:
    """The action's latest progress note dated the day its step was taken (a note is
    dated the day it is written, and the demo writes its history today)."""
    note = action.notes.order_by("-id").first()
    if note is not None:
        type(note).objects.filter(pk=note.pk).update(written_on=day)


def _publish(review, officer, manager, briefing, kind, decided, clock: DemoClock):
    """From the milestones to publication, each step's History stamped with its day."""
    today = timezone.localdate()
    partnership = review.partnership

    def day(days_after_decision: int) -> dt.date:
        """The working day the step `days_after_decision` days on was taken."""
        return _working(decided + dt.timedelta(days=days_after_decision), partnership, by=today)

    def on(days_after_decision: int):
        return clock.on(day(days_after_decision))

    agencies = _action_owners(partnership)
    for key, days in (
        ("agency_reports", 55),
        ("learning_event", 100),
        ("family", 110),
        ("draft_report", 125),
    ):
        deadline = services.review.milestone_deadline(review, key)
        with on(days):
            services.milestone_update(
                review=review,
                actor=officer,
                key=key,
                planned=deadline.due_date,
                actual=day(days),
            )
    with on(90):
        asked = services.partner_check_add(
            review=review,
            actor=manager,
            kind="written_request",
            checked_on=day(90),
            note="Please send the draft chronology and the emerging findings to the partners.",
            respond_by=_working(decided + dt.timedelta(days=100), partnership),
        )
    reviewer = review.reviewers.first()
    if reviewer is not None:
        # The reviewer answered in the service, at the time (the business unit was told
        # then: nothing is e-mailed now).
        with transaction.atomic(), on(96):
            services.written_request_reply(
                check=asked,
                actor=reviewer,
                text="The draft chronology is on the partnership’s secure site. Emerging "
                "findings: information about the new adult in the home was held by two "
                "agencies and shared with neither.",
            )
            type(asked).objects.filter(pk=asked.pk).update(unit_told_at=history_now())
    with on(130):
        services.briefing_save(review=review, actor=officer, values=briefing)
    # The review's own recommendations: the first two of its briefing's improvements.
    improvements = [line for line in briefing["practice_improvement"].splitlines() if line]
    for number, (text, done) in enumerate(zip(improvements[:2], (True, False), strict=False), 1):
        with on(135):
            rec = services.recommendation_add(review=review, actor=officer, text=text)
        for index, agency in enumerate(agencies[:2]):
            with on(135):
                action = services.action_add(
                    recommendation=rec,
                    actor=officer,
                    description=f"{agency.name}: update guidance and train front-line staff",
                    agency=agency,
                    lead="Named safeguarding lead",
                    due_date=_working(
                        decided + dt.timedelta(days=200 + 120 * number + 30 * index), partnership
                    ),
                )
            # An action due more than a year ago was done long since: an old review's
            # actions are not left open, years overdue, on the managers' home pages.
            long_due = action.due_date < today - dt.timedelta(days=365)
            if (done and index == 0) or long_due:
                # Done a month before it was due (or today, if that is sooner): the demo's
                # history is written today, so the day it was completed is set back.
                done_on = _working(action.due_date - dt.timedelta(days=30), partnership, by=today)
                with clock.on(done_on):
                    services.action_update(
                        action=action,
                        actor=officer,
                        status="complete",
                        due_date=action.due_date,
                        note="Guidance updated; 85% of staff trained.",
                        evidence_of_impact="Audit of 20 files: the child’s words recorded in 17.",
                    )
                _note_dated(action, done_on)
                type(action).objects.filter(pk=action.pk).update(completed_on=done_on)
                Deadline.objects.filter(
                    subject_type="lcspr.action", subject_id=action.pk, kind=Deadline.Kind.ACTION
                ).update(closed_on=done_on)
                action.refresh_from_db()
                with clock.on(done_on):
                    services.action_sign_off(action=action, actor=manager, signed_on=done_on)
            elif index == 1:
                # Training booked two months before the action is due (or today), as the
                # agency itself recorded it.
                booked = _working(action.due_date - dt.timedelta(days=60), partnership, by=today)
                with clock.on(booked):
                    services.action_update(
                        action=action,
                        actor=_contributor(review.partnership, agency) or officer,
                        status="in_progress",
                        due_date=action.due_date,
                        note="Training booked.",
                    )
                _note_dated(action, booked)
            elif not done:
                # Marked complete by the agency's contributor today: awaiting the
                # manager's sign-off (on the manager's home page).
                with clock.on(today):
                    services.action_update(
                        action=action,
                        actor=_contributor(review.partnership, agency) or officer,
                        status="complete",
                        due_date=action.due_date,
                        note="New guidance issued; every team briefed.",
                        evidence_of_impact="Dip sample of 15 referrals: 14 record the child’s "
                        "words.",
                    )
    with on(140):
        review = services.review_approve_final(review=review, actor=officer, approved_on=day(140))
    sent = day(150)
    earliest = services.earliest_publication(review, sent).due
    with on(150):
        review = services.review_send_notice(
            review=review, actor=officer, sent_on=sent, planned_publication=earliest
        )
    published_on = _working(earliest + dt.timedelta(days=7), partnership, by=today)
    summary = (
        briefing["background"].split(". ")[0] + ". " + briefing["key_learning"].splitlines()[0]
    )
    with clock.on(published_on):
        return _publish_now(review, officer, briefing, kind, summary, published_on, today)


def _publish_now(review, officer, briefing, kind, summary, published_on, today):
    return services.review_publish(
        review=review,
        actor=officer,
        kind=kind,
        report=_report_pdf(briefing["title"]) if kind == "full_report" else None,
        improvements="\n".join(briefing["practice_improvement"].splitlines())
        if kind == "improvements"
        else "",
        improvements_reason="Publishing the full report would identify the siblings, who "
        "still live in the area."
        if kind == "improvements"
        else "",
        public_title=briefing["title"],
        public_summary=summary,
        checks=list(AnonymisationCheck.values),
        published_on=published_on,
        nspcc_sent_on=_working(published_on + dt.timedelta(days=5), review.partnership, by=today),
    )


@transaction.atomic
def seed_partnership(partnership: Partnership, *, clock: DemoClock | None = None) -> int:
    """Each step's History rows say the day it happened (`DemoClock`)."""
    if PublishedReview.objects.filter(partnership=partnership).exists():
        return 0
    clock = clock or DemoClock()
    officer = _person(partnership, Role.REVIEW_OFFICER)
    manager = _person(partnership, Role.PARTNERSHIP_MANAGER) or officer
    reviewer = _person(partnership, Role.INDEPENDENT_REVIEWER)
    today = timezone.localdate()
    # The reviews the rapid reviews demo opened: under way, with a moved milestone.
    for review in Review.objects.filter(
        rapid_review__incident__partnership=partnership, status=Status.OPEN
    ):
        agreed = _working(review.decision_date + dt.timedelta(days=20), partnership, by=today)
        review = _start(
            review,
            officer,
            reviewer,
            ["information-sharing", "professional-curiosity"],
            agreed=agreed,
            clock=clock,
        )
        if reviewer is not None:
            # Asked this week, for a reply in two weeks: on the reviewer's home page.
            asked_on = max(agreed, _working(today - dt.timedelta(days=2), partnership, by=today))
            with clock.on(asked_on):
                services.partner_check_add(
                    review=review,
                    actor=manager,
                    kind="written_request",
                    checked_on=asked_on,
                    note="Please send the partners a short note of progress and any risk to "
                    "the timetable before the next partnership meeting.",
                    respond_by=_working(today + dt.timedelta(days=14), partnership),
                )
    count = 0
    for state, since, child, briefing, themes, kind in CASES.get(partnership.code, []):
        decided = working_day_on_or_before(
            today - dt.timedelta(days=since), partnership=partnership
        )
        review = _old_case(partnership, officer, decided, child, clock)
        review = _start(
            review,
            officer,
            reviewer if count == 0 else None,
            themes,
            agreed=_working(decided + dt.timedelta(days=30), partnership),
            clock=clock,
        )
        if state == "on_hold":
            held_since = _working(today - dt.timedelta(days=35), partnership)
            with clock.on(held_since):
                services.review_put_on_hold(
                    review=review,
                    actor=officer,
                    reason=HoldReason.CRIMINAL_PROCEEDINGS,
                    note="Trial of the mother’s former partner listed at the Crown Court.",
                    held_since=held_since,
                    look_again_on=add_working_days(today, 20, partnership=partnership),
                )
        else:
            _publish(review, officer, manager, briefing, kind, decided, clock)
        count += 1
    return count


def seed_local_reviews(*, clock: DemoClock | None = None) -> int:
    """The one call from `seed_demo`: both demo partnerships, idempotent."""
    clock = clock or DemoClock()
    partnerships = Partnership.objects.filter(code__in=["BSCP", "ASCP"])
    return sum(seed_partnership(p, clock=clock) for p in partnerships)
