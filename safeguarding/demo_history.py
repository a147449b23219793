"""Demo history: three past years of closed cases, so the charts and the regional comparison
have something to show (issue 7). Used by `manage.py seed_demo` after the current cases.

Rows are bulk-created directly (incidents, children, rapid reviews, information requests
and their closed `Deadline` rows), as the services would have left them once finished:
every clock is closed, some late. Deterministic (seeded by partnership and year) and
idempotent: a partnership-year that already has history is left alone. History sequences
start at 501, so references never clash with incidents logged through the services
(which number from 1 upwards each year).

Also adds three partnerships to the demo region (no people), so the regional comparison
has enough partnerships to compare.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from . import calendar
from .models import Agency, Deadline, Membership, Partnership, Region, Role, User

HISTORY_START = 501
EXTRA_PARTNERSHIPS = [
    ("CSCP", "Castlebrook Safeguarding Children Partnership", "Castlebrook Borough Council"),
    ("DSCP", "Dunmere Safeguarding Children Partnership", "Dunmere District Council"),
    ("ESCP", "Eastwold Safeguarding Children Partnership", "Eastwold County Council"),
]
SHARED_AGENCIES = [
    "Midshire Police",
    "Midshire Integrated Care Board",
    "Midshire Ambulance Service",
    "Midshire Probation Service",
]
#: Incidents a year, by partnership code (small partnerships have small numbers, which
#: the regional comparison suppresses).
VOLUME = {"BSCP": 14, "ASCP": 9, "CSCP": 11, "DSCP": 4, "ESCP": 7}

NATURES = [("death", 45), ("serious_harm", 48), ("other", 4), ("care_leaver_death", 3)]
HARMS = ["physical", "sexual", "emotional", "neglect"]
SEXES = [("female", 46), ("male", 50), ("not_known", 4)]
ETHNICITIES = [
    ("white_british", 60),
    ("white_other", 6),
    ("asian_pakistani", 7),
    ("asian_indian", 3),
    ("black_african", 6),
    ("black_caribbean", 4),
    ("mixed_white_black_caribbean", 6),
    ("mixed_other", 3),
    ("other_arab", 2),
    ("not_known", 3),
]
# (age in years or None for unborn, weight)
AGES = [(None, 5), (0, 30), (2, 15), (6, 10), (12, 20), (16, 15), (19, 5)]


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def ensure_extra_partnerships() -> list[Partnership]:
    region = Region.objects.filter(code="midshire").first()
    if region is None:
        return []
    created = []
    for code, name, authority in EXTRA_PARTNERSHIPS:
        partnership, _ = Partnership.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "local_authority": authority,
                "contact_email": f"{code.lower()}@demo.example",
                "region": region,
            },
        )
        created.append(partnership)
    for agency in Agency.objects.filter(name__in=SHARED_AGENCIES):
        agency.partnerships.add(*created)
    return created


def _owner(partnership: Partnership) -> User | None:
    m = (
        Membership.objects.filter(partnership=partnership, role=Role.REVIEW_OFFICER)
        .select_related("user")
        .first()
    )
    return m.user if m else None


def _creator() -> User:
    return (
        User.objects.filter(is_superuser=True).order_by("pk").first()
        or User.objects.order_by("pk").first()
    )


def _working_day(rng: random.Random, year: int, closures) -> dt.date:
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
    while not calendar.is_working_day(day, partnership=closures):
        day += dt.timedelta(days=1)
    return day


@transaction.atomic
def seed_history(partnership: Partnership, years=None) -> int:
    """Closed incidents and clocks for the past three years. Returns incidents added."""
    from notifications.models import NO_RAPID_REVIEW, Child, Incident
    from rapid_reviews.models import InformationRequest, RapidReview

    this_year = timezone.localdate().year
    years = years or [this_year - 3, this_year - 2, this_year - 1]
    if Incident.objects.filter(
        partnership=partnership, year__in=years, sequence__gte=HISTORY_START
    ).exists():
        return 0
    creator = _creator()
    owner = _owner(partnership)
    closures = calendar.closure_days(partnership)
    agencies = list(partnership.agencies.order_by("name")[:6])

    def wd(start, n):
        return calendar.add_working_days(start, n, partnership=closures)

    incidents: list[Incident] = []
    plans = []
    for year in years:
        rng = random.Random(f"{partnership.code}-{year}")
        count = VOLUME.get(partnership.code, 8) + rng.randint(-2, 3)
        for i in range(max(count, 1)):
            aware = _working_day(rng, year, closures)
            due = wd(aware, 5)
            nature = _pick(rng, NATURES)
            late = rng.random() < 0.18
            not_notified = nature != "care_leaver_death" and rng.random() < 0.06
            notified_on = (
                None
                if not_notified
                else wd(aware, rng.randint(6, 9) if late else rng.randint(1, 5))
            )
            seq = HISTORY_START + i
            incidents.append(
                Incident(
                    partnership=partnership,
                    reference=f"{partnership.code}-{year}-{seq:03d}",
                    year=year,
                    sequence=seq,
                    status="not_notified"
                    if not_notified
                    else ("recorded" if nature in NO_RAPID_REVIEW else "notified"),
                    incident_date=aware - dt.timedelta(days=rng.randint(0, 3)),
                    incident_place=partnership.local_authority,
                    awareness_date=aware,
                    notification_due=due,
                    nature=nature,
                    harm_categories=sorted(rng.sample(HARMS, rng.choice([1, 1, 2])))
                    if nature != "care_leaver_death"
                    else [],
                    circumstances="Historic demo case (invented).",
                    notified_on=notified_on,
                    notified_at=timezone.make_aware(dt.datetime.combine(notified_on, dt.time(11)))
                    if notified_on
                    else None,
                    dfe_reference=f"SIN-{partnership.code}{year}{seq}" if notified_on else "",
                    late_reason="Waiting for partner agencies to confirm the facts."
                    if late and notified_on
                    else "",
                    decision_rationale="No abuse or neglect suspected after enquiries."
                    if not_notified
                    else "",
                    decided_on=wd(aware, 3) if not_notified else None,
                    created_by=creator,
                    # Logged on the day the local authority became aware, not at seeding:
                    # the lists' "newest first" puts this year's cases before history.
                    created_at=timezone.make_aware(dt.datetime.combine(aware, dt.time(9, 30))),
                )
            )
            plans.append((rng, nature, not_notified))
    Incident.objects.bulk_create(incidents)

    children, deadlines, reviews, review_plans = [], [], [], []
    for incident, (rng, nature, not_notified) in zip(incidents, plans, strict=True):
        for position in range(1, rng.choice([1, 1, 1, 2]) + 1):
            age = _pick(rng, AGES)
            ref = incident.incident_date
            children.append(
                Child(
                    incident=incident,
                    position=position,
                    pseudonym=f"Child {'AB'[position - 1]}",
                    name=f"Demo child {incident.reference}/{position}",
                    unborn=age is None,
                    date_of_birth=None
                    if age is None
                    else ref - dt.timedelta(days=365 * age + rng.randint(10, 300)),
                    sex="" if age is None else _pick(rng, SEXES),
                    ethnicity=_pick(rng, ETHNICITIES),
                    status_at_time="care_leaver" if nature == "care_leaver_death" else "",
                )
            )
        deadlines.append(
            Deadline(
                partnership=partnership,
                kind=Deadline.Kind.NOTIFICATION,
                subject_type="notifications.incident",
                subject_id=incident.pk,
                title=f"Notify the National Panel: {incident.reference}",
                reference=incident.reference,
                url=incident.get_absolute_url(),
                owner=owner,
                trigger_date=incident.awareness_date,
                amount=5,
                due_date=incident.notification_due,
                closed_on=incident.decided_on if not_notified else incident.notified_on,
                outcome=Deadline.Outcome.CANCELLED if not_notified else Deadline.Outcome.MET,
            )
        )
        if incident.notified_on and incident.status == "notified":
            due = wd(incident.notified_on, 15)
            late = rng.random() < 0.2
            sent = (
                wd(due, rng.randint(1, 6))
                if late
                else wd(incident.notified_on, rng.randint(11, 15))
            )
            reviews.append(
                RapidReview(
                    incident=incident,
                    due_date=due,
                    status="panel_responded",
                    meeting_date=wd(incident.notified_on, 10),
                    decision=rng.choice(["no_local_review", "no_local_review", "local_review"]),
                    decision_rationale="Historic demo decision (invented).",
                    learning_local="Share concerns about injuries to non-mobile babies at once.",
                    decided_on=wd(incident.notified_on, 11),
                    sent_to_panel_on=sent,
                    late_reason="The police summary was delayed by a parallel investigation."
                    if late
                    else "",
                    panel_response="agrees",
                    panel_response_on=wd(sent, 10),
                )
            )
            review_plans.append(rng)
    Child.objects.bulk_create(children)
    RapidReview.objects.bulk_create(reviews)

    requests, request_plans = [], []
    for review, rng in zip(reviews, review_plans, strict=True):
        notified = review.incident.notified_on
        deadlines.append(
            Deadline(
                partnership=partnership,
                kind=Deadline.Kind.RAPID_REVIEW,
                subject_type="rapid_reviews.rapidreview",
                subject_id=review.pk,
                title=f"Complete the rapid review: {review.incident.reference}",
                reference=review.incident.reference,
                url=review.get_absolute_url(),
                owner=owner,
                trigger_date=notified,
                amount=15,
                due_date=review.due_date,
                closed_on=review.sent_to_panel_on,
                outcome=Deadline.Outcome.MET,
            )
        )
        for agency in rng.sample(agencies, min(len(agencies), rng.randint(3, 4))):
            due = wd(notified, 7)
            late = rng.random() < 0.22
            requests.append(
                InformationRequest(
                    rapid_review=review,
                    agency=agency,
                    due_date=due,
                    status="returned",
                    sent_on=wd(notified, 1),
                    returned_on=wd(due, rng.randint(1, 4))
                    if late
                    else wd(notified, rng.randint(3, 7)),
                )
            )
            request_plans.append(review)
    InformationRequest.objects.bulk_create(requests)
    for request, review in zip(requests, request_plans, strict=True):
        deadlines.append(
            Deadline(
                partnership=partnership,
                kind=Deadline.Kind.AGENCY_RETURN,
                subject_type="rapid_reviews.informationrequest",
                subject_id=request.pk,
                title=f"Agency return from {request.agency.name}: {review.incident.reference}",
                reference=review.incident.reference,
                url=request.get_absolute_url(),
                owner=owner,
                trigger_date=request.sent_on,
                rule=Deadline.Rule.FIXED,
                due_date=request.due_date,
                closed_on=request.returned_on,
                outcome=Deadline.Outcome.MET,
            )
        )
    Deadline.objects.bulk_create(deadlines)
    _date_as_the_story(incidents, reviews, requests, deadlines)
    return len(incidents)


def _at_work(day: dt.date, at: dt.time = dt.time(9, 30)) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _date_as_the_story(incidents, reviews, requests, deadlines) -> None:
    """The times these past cases were last changed (their reviews opened, their requests
    made, their clocks started and stopped) on their step's day, not at loading
    (bulk_create stamps `auto_now` fields with now; bulk_update does not). Recording the
    notification (at `notified_at`) changes the incident last and opens its rapid review."""
    from notifications.models import Incident
    from rapid_reviews.models import InformationRequest, RapidReview

    for incident in incidents:
        incident.updated_at = incident.notified_at or _at_work(
            incident.decided_on or incident.awareness_date
        )
    Incident.objects.bulk_update(incidents, ["updated_at"], batch_size=500)
    for review in reviews:
        review.opened_at = review.incident.notified_at
        review.updated_at = _at_work(review.panel_response_on)
    RapidReview.objects.bulk_update(reviews, ["opened_at", "updated_at"], batch_size=500)
    for request in requests:
        request.created_at = _at_work(request.sent_on)
    InformationRequest.objects.bulk_update(requests, ["created_at"], batch_size=500)
    # A clock starts with its case's step (the incident logged, the notification sent,
    # the request sent) and was last changed when it stopped.
    started = {
        "notifications.incident": {i.pk: i.created_at for i in incidents},
        "rapid_reviews.rapidreview": {r.pk: r.opened_at for r in reviews},
        "rapid_reviews.informationrequest": {r.pk: r.created_at for r in requests},
    }
    stopped = {"notifications.incident": {i.pk: i.updated_at for i in incidents}}
    for deadline in deadlines:
        deadline.created_at = started[deadline.subject_type][deadline.subject_id]
        deadline.updated_at = stopped.get(deadline.subject_type, {}).get(
            deadline.subject_id
        ) or max(_at_work(deadline.closed_on), deadline.created_at)
    Deadline.objects.bulk_update(deadlines, ["created_at", "updated_at"], batch_size=500)


def seed_all_history() -> dict[str, int]:
    """History for every partnership of the demo region (the extra ones created first)."""
    ensure_extra_partnerships()
    added = {}
    for partnership in Partnership.objects.filter(region__code="midshire").order_by("code"):
        added[partnership.code] = seed_history(partnership)
    return added
