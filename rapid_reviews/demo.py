"""Demo rapid reviews at every stage, for the incidents notifications/demo.py notified.

Created through the services, so clocks, audit, status history and e-mails are as in real
use. The one liberty: requests are back-dated to the day the local timetable would have
sent them (a service cannot send in the past), so some returns are late or overdue.
Runs once per partnership: a partnership whose reviews already have requests is left alone.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Greatest
from django.utils import timezone

from notifications.demo import _person
from safeguarding.calendar import add_working_days, working_day_on_or_before
from safeguarding.deadlines import Kind, Rule
from safeguarding.demo import DemoClock
from safeguarding.leads import partner_lead_initial
from safeguarding.models import Deadline, Membership, Partnership, Role

from . import services
from .models import (
    AWAITING_RETURN,
    AgencyReturn,
    InformationRequest,
    Milestone,
    Partner,
    RapidReview,
)

#: (days before the incident, contact, what happened, who, which agencies record it: a
#: word in the agency's name). Each agency's return holds only its own contacts.
CHRONOLOGY = [
    (
        60,
        "GP appointment",
        "Mother brought the child in; a bruise on the arm was noted but not explored.",
        "GP",
        ("health", "hospital", "icb", "care board"),
    ),
    (
        45,
        "Home visit",
        "Could not gain entry; no follow-up visit was booked.",
        "Social worker",
        ("social care", "children’s services", "council"),
    ),
    (
        30,
        "Police call-out",
        "Neighbour reported shouting; officers attended and spoke to the mother at the door.",
        "Police constable",
        ("police",),
    ),
    (
        12,
        "A&E attendance",
        "The child was brought in with a head injury; the explanation was inconsistent.",
        "Emergency department consultant",
        ("health", "hospital", "ambulance"),
    ),
    (
        20,
        "School attendance meeting",
        "Attendance had fallen to 70%; the parent did not come to the meeting.",
        "Designated safeguarding lead",
        ("school", "education", "academy"),
    ),
]


def rows_for(agency) -> list[tuple]:
    """The chronology rows this agency would hold (one general contact if none match)."""
    name = agency.name.lower()
    rows = [row for row in CHRONOLOGY if any(word in name for word in row[4])]
    return rows or [
        (
            40,
            "Contact with the family",
            "A routine contact; nothing of concern was recorded at the time.",
            "Practitioner",
            (),
        )
    ]


def _contributor(partnership, agency):
    m = (
        Membership.objects.filter(
            partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
        )
        .select_related("user")
        .first()
    )
    return m.user if m else None


def _contacts(n: int) -> str:
    """ "one contact", "3 contacts": the summary's count as a person would write it."""
    return "one contact" if n == 1 else f"{n} contacts"


def _write_return(request, actor, *, rows):
    incident = request.rapid_review.incident
    before = incident.incident_date or incident.awareness_date
    services.agency_return_save_draft(
        information_request=request,
        actor=actor,
        values={
            "involved": True,
            "involvement_summary": f"{request.agency.name} had {_contacts(len(rows))} with "
            "the family in the two months before the incident.",
            "analysis": "Contacts were handled in isolation; nobody joined up the concerns.",
            "immediate_actions": "Cases with similar features reviewed by the safeguarding lead.",
            "learning": "Professional curiosity about injuries to non-mobile babies.",
            "criteria_view": ["improvements", "working_together"],
            "criteria_comment": "",
        },
        rows=[
            {
                "date": before - dt.timedelta(days=d),
                "contact_type": kind,
                "what_happened": what,
                "practitioner_role": role,
            }
            for d, kind, what, role, _agencies in rows
        ],
    )
    return services.agency_return_submit(information_request=request, actor=actor)


def _back_date(request, *, sent_on, due_date, returned_on=None):
    """Move a request (sent through the services today) to the days the local timetable
    would have sent it and the agency returned it: the request and its return clock, so
    every page and report tells the same story. (The return's submission already has the
    time of its step: `DemoClock`.)"""
    InformationRequest.objects.filter(pk=request.pk).update(
        sent_on=sent_on, due_date=due_date, **({"returned_on": returned_on} if returned_on else {})
    )
    clock = Deadline.objects.filter(
        subject_type=InformationRequest._meta.label_lower,
        subject_id=request.pk,
        kind=Kind.AGENCY_RETURN,
    )
    clock.update(trigger_date=sent_on, due_date=due_date, rule=Rule.FIXED)
    if returned_on:
        clock.filter(closed_on__isnull=False).update(closed_on=returned_on)
    request.refresh_from_db()


def _submitted_copies_dated(partnership):
    """A submitted return's copy (what the partnership reads) says it was submitted when
    the return does: at its step's time (`DemoClock`), not when the demo was loaded."""
    for agency_return in AgencyReturn.objects.filter(
        information_request__rapid_review__incident__partnership=partnership,
        submitted_at__isnull=False,
    ):
        copy = agency_return.submitted_copy
        if copy:
            copy["submitted_at"] = agency_return.submitted_at.isoformat()
            AgencyReturn.objects.filter(pk=agency_return.pk).update(submitted_copy=copy)


def _requests(review, officer, agencies, *, due):
    return services.information_requests_create(
        rapid_review=review, actor=officer, agencies=agencies, due_date=due, send=True
    )


def _requests_step_closed(review):
    """Close the review's "Information requests sent to agencies" step on the day its
    last request was sent, at the time it went, as the History says (the service closed it
    today, the day the requests really went, before they were back-dated)."""
    sent = max(review.requests.values_list("sent_on", flat=True))
    went = (
        review.status_changes.filter(information_request__isnull=False, to_status="sent")
        .order_by("-changed_at")
        .values_list("changed_at", flat=True)
        .first()
    )
    Deadline.objects.filter(
        subject_type=RapidReview._meta.label_lower,
        subject_id=review.pk,
        kind=Kind.RAPID_REVIEW_MILESTONE,
        key=Milestone.REQUESTS,
        closed_on__isnull=False,
    ).update(closed_on=sent, updated_at=Greatest("updated_at", Value(went)))


@transaction.atomic
def seed_rapid_reviews(partnership: Partnership, *, clock=None) -> int:
    """Each step's History rows say the day it happened (`DemoClock`)."""
    clock = clock or DemoClock()
    reviews = list(
        RapidReview.objects.filter(incident__partnership=partnership)
        .select_related("incident")
        .order_by("-incident__notified_on")
    )
    if not reviews or InformationRequest.objects.filter(rapid_review__in=reviews).exists():
        return 0
    officer = _person(partnership, Role.REVIEW_OFFICER)
    today = timezone.localdate()
    agencies = list(partnership.agencies.order_by("name"))
    with_people = [a for a in agencies if _contributor(partnership, a)]
    others = [a for a in agencies if a not in with_people]
    picked = (with_people + others)[:4]
    recent, *older = reviews
    # Those notified after the oldest: their panel has met, more information awaited.
    between, oldest = older[:-1], older[-1:]
    notified = recent.incident.notified_on
    returns_due = add_working_days(notified, 7, partnership=partnership)

    if partnership.code != "BSCP":
        _complete(recent, officer, picked[:3], "decided", clock)
        for review in between:
            _meeting_held_asking_for_more(review, officer, picked[:3], clock)
        for older_review in oldest:
            _complete(older_review, officer, picked[:3], "sent_to_panel", clock)
        _submitted_copies_dated(partnership)
        return len(reviews)
    # The recent review: still gathering. One sent back for more, one returned late, one
    # overdue, one not yet due. The second and third were sent the day after the
    # notification, the others two working days later, when the business unit learnt those
    # agencies had known the family too (so the requests step closed then, a day late:
    # never on the demo's today, a working day whatever day the demo is loaded on).
    due = add_working_days(today, 2, partnership=partnership)
    sent_first = add_working_days(notified, 1, partnership=partnership)
    sent_later = min(
        add_working_days(notified, 3, partnership=partnership),
        add_working_days(today, -1, partnership=partnership),
    )
    with clock.on(sent_first):
        early = _requests(recent, officer, picked[1:3], due=due) if picked[1:3] else []
    with clock.on(sent_later):
        others = _requests(recent, officer, picked[:1] + picked[3:], due=due)
    created = others[:1] + early + others[1:]
    for index, request in enumerate(created):
        contributor = _contributor(partnership, request.agency) or None
        if index in (1, 2):
            _back_date(request, sent_on=sent_first, due_date=returns_due)
        else:
            _back_date(request, sent_on=sent_later, due_date=due)
        if contributor is None:
            continue
        if index == 0:
            with clock.on(today):
                _write_return(request, contributor, rows=rows_for(request.agency))
                services.agency_return_send_back(
                    information_request=request,
                    actor=officer,
                    due_date=add_working_days(today, 1, partnership=partnership),
                    note="Please add the outcome of the strategy discussion and who attended.",
                )
        elif index == 1:
            with clock.on(today):
                _write_return(request, contributor, rows=rows_for(request.agency))
    _requests_step_closed(recent)
    for review in between:
        _meeting_held_asking_for_more(review, officer, picked[:3], clock)
    for older_review in oldest:
        _complete(older_review, officer, picked[:3], "panel_responded", clock)
    _submitted_copies_dated(partnership)
    return len(reviews)


def _meeting_held_asking_for_more(review, officer, agencies, clock):
    """A review whose panel has met while more information is awaited: the agencies with
    a demo contributor and no other request waiting for their return were asked for more
    before the meeting (so that each demo contributor finds a request waiting on their
    home page); the other contributors' returns came in on time."""
    partnership = review.incident.partnership
    waiting = set(
        InformationRequest.objects.filter(
            rapid_review__incident__partnership=partnership, status__in=AWAITING_RETURN
        ).values_list("agency_id", flat=True)
    )
    more = [a for a in agencies if _contributor(partnership, a) and a.pk not in waiting]
    _complete(review, officer, agencies, "meeting_held", clock, asked_for_more=more)


def _complete(review, officer, agencies, stage, clock, *, asked_for_more=()):
    """Take `review` to `stage`, each step on its day of the local timetable (the working
    days after the notification), its History stamped with that day. The returns of the
    agencies in `asked_for_more` are sent back for more two days after they came in."""
    partnership = review.incident.partnership
    notified = review.incident.notified_on
    today = timezone.localdate()

    def day(n):
        """The nth working day after the notification, or the last working day up to today:
        a meeting or a sign-off is held on a working day, even when the demo is loaded at a
        weekend."""
        last = working_day_on_or_before(today, partnership=partnership)
        return min(add_working_days(notified, n, partnership=partnership), last)

    with clock.on(day(1)):
        requests = _requests(review, officer, agencies, due=today)
    for request in requests:
        contributor = _contributor(partnership, request.agency)
        if contributor:
            with clock.on(day(6)):
                _write_return(request, contributor, rows=rows_for(request.agency))
        # Sent the day after the notification, due a week later, returned in time.
        _back_date(
            request,
            sent_on=day(1),
            due_date=day(7),
            returned_on=day(6) if contributor else None,
        )
        if contributor and request.agency in asked_for_more:
            with clock.on(day(8)):
                services.agency_return_send_back(
                    information_request=request,
                    actor=officer,
                    due_date=add_working_days(today, 3, partnership=partnership),
                    note="Please add the dates of any referrals you made to children’s "
                    "social care about the family, and what came of them.",
                )
            # Its clock counts from the day it was asked for, as its History says.
            Deadline.objects.filter(
                subject_type=InformationRequest._meta.label_lower,
                subject_id=request.pk,
                kind=Kind.AGENCY_RETURN,
                closed_on__isnull=True,
            ).update(trigger_date=day(8))
    _requests_step_closed(review)
    with clock.on(day(10)):
        services.rapid_review_record_meeting(
            rapid_review=review,
            actor=officer,
            values={
                "meeting_date": day(10),
                "attendees": "Business manager (chair); children’s social care, police, "
                "health, education and probation safeguarding leads",
                "key_practice_episodes": "1. The bruise seen at the GP visit.\n2. The missed "
                "health visit.\n3. The police call-out.",
                "learning_local": "Bruising in non-mobile babies must always be explored and "
                "referred.",
                "learning_national": "Information about call-outs reached health visitors late.",
                "immediate_actions": "Siblings seen and safe; strategy discussion held.",
                "equality_and_diversity": "The mother’s first language is not English; no "
                "interpreter was used at the GP or the door.",
            },
        )
        if stage == "meeting_held":
            return
        services.rapid_review_decide(
            rapid_review=review,
            actor=officer,
            decision="local_review",
            criteria=["improvements", "working_together"],
            decided_on=day(10),
            rationale="Two or more agencies held pieces of information that, joined up, would "
            "have shown a pattern. The partnership wants to learn why.",
        )
    # Each partner's current lead signs, as the sign-off form offers.
    signers = [
        (partner, partner_lead_initial(review.incident.partnership, partner))
        for partner in ("local_authority", "police", "health")
    ]
    with clock.on(day(13)):
        for partner, lead in signers[:2] if stage == "decided" else signers:
            services.rapid_review_sign_off(
                rapid_review=review,
                actor=officer,
                partner=partner,
                name=lead.get("name") or f"{Partner(partner).label} lead",
                role=lead.get("role", ""),
                signed_on=day(13),
            )
    if stage == "decided":
        return
    with clock.on(day(15)):
        services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=day(15))
    if stage == "panel_responded":
        with clock.on(day(25)):
            services.rapid_review_record_panel_response(
                rapid_review=review,
                actor=officer,
                response="agrees",
                responded_on=day(25),
                note="The Panel agrees that a local review should be held.",
            )
