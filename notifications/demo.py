"""Demo incidents in every state for both demo partnerships (dates relative to today).

Created through the services, so clocks, audit and documents are exactly as in real use.
Runs once per partnership: a partnership that already has incidents is left alone.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from safeguarding.calendar import add_working_days, working_day_on_or_before
from safeguarding.demo import DemoClock, set_up_at
from safeguarding.form_fields import DUTY_TO_NOTIFY_BEGAN
from safeguarding.models import Membership, Partnership, Role
from safeguarding.stamps import history_now

from . import services
from .models import ChildStatus, Ethnicity, HarmCategory, Incident, Nature, Sex


def _born(age: int, month: int, day: int) -> dt.date:
    """A birthday `age` years before this year's: the demo's children stay the same age
    whenever it is seeded (a fixed date of birth would grow them into adults)."""
    return dt.date(timezone.localdate().year - age, month, day)


CHILDREN = [
    (
        "Lily-Mae Harper",
        _born(1, 9, 14),
        Sex.FEMALE,
        Ethnicity.WHITE_BRITISH,
        ChildStatus.CHILD_PROTECTION,
    ),
    ("Noah Adeyemi", _born(12, 2, 3), Sex.MALE, Ethnicity.BLACK_AFRICAN, ChildStatus.CHILD_IN_NEED),
    (
        "Aisha Rahman",
        _born(16, 6, 21),
        Sex.FEMALE,
        Ethnicity.ASIAN_BANGLADESHI,
        ChildStatus.LOOKED_AFTER,
    ),
    (
        "Jayden Cole",
        _born(3, 11, 30),
        Sex.MALE,
        Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN,
        ChildStatus.NONE,
    ),
    ("Sophie Walsh", _born(16, 1, 9), Sex.FEMALE, Ethnicity.WHITE_IRISH, ChildStatus.NOT_KNOWN),
    ("Ryan Price", _born(19, 3, 2), Sex.MALE, Ethnicity.WHITE_BRITISH, ChildStatus.NONE),
    (
        "Freddie Okoro",
        _born(2, 4, 11),
        Sex.MALE,
        Ethnicity.BLACK_AFRICAN,
        ChildStatus.CHILD_IN_NEED,
    ),
    (
        "Mia Clarke",
        _born(1, 2, 6),
        Sex.FEMALE,
        Ethnicity.WHITE_BRITISH,
        ChildStatus.CHILD_PROTECTION,
    ),
    (
        "Leo Clarke",
        _born(5, 7, 19),
        Sex.MALE,
        Ethnicity.WHITE_BRITISH,
        ChildStatus.CHILD_PROTECTION,
    ),
    ("Tyler Booth", _born(15, 10, 3), Sex.MALE, Ethnicity.WHITE_BRITISH, ChildStatus.CHILD_IN_NEED),
]
#: Each incident has its own children (one child in two incidents would contradict itself).

# (state, working days since awareness, nature, harm, circumstances, children)
SCENARIOS = [
    (
        "draft",
        1,
        Nature.SERIOUS_HARM,
        [HarmCategory.PHYSICAL],
        "Baby admitted to hospital with a skull fracture; explanation inconsistent.",
        [0],
    ),
    (
        "draft",
        8,
        Nature.CHILD_DEATH,
        [HarmCategory.NEGLECT],
        "Toddler found unresponsive at home; concerns about supervision and home conditions.",
        [6],
    ),
    (
        "awaiting_decision",
        3,
        Nature.SERIOUS_HARM,
        [HarmCategory.SEXUAL, HarmCategory.EMOTIONAL],
        "Young person disclosed exploitation by adults; missing episodes over six months.",
        [1, 4],
    ),
    (
        "notified",
        12,
        Nature.SERIOUS_HARM,
        [HarmCategory.PHYSICAL, HarmCategory.NEGLECT],
        "Sibling group: non-accidental injuries to the youngest found at a GP visit.",
        [7, 8],
    ),
    (
        "notified_late",
        40,
        Nature.CHILD_DEATH,
        [HarmCategory.NEGLECT],
        "Death of a teenager after a long period out of education.",
        [9],
    ),
    (
        "not_notified",
        20,
        Nature.SERIOUS_HARM,
        [HarmCategory.PHYSICAL],
        "Injury at nursery; investigation found an accident with no abuse or neglect.",
        [3],
    ),
    (
        "recorded",
        25,
        Nature.CARE_LEAVER_DEATH,
        [],
        "Death of a care leaver aged 19 from a medical condition.",
        [5],
    ),
    # Notified two working days before the most recent: its panel has met while more
    # information is awaited (rapid_reviews/demo.py).
    (
        "notified",
        14,
        Nature.SERIOUS_HARM,
        [HarmCategory.PHYSICAL],
        "Young person in foster care seriously assaulted after repeated missing episodes; "
        "concerns about criminal exploitation.",
        [2],
    ),
]


def _person(partnership: Partnership, role: str):
    membership = Membership.objects.filter(partnership=partnership, role=role).first()
    return membership.user if membership else None


def describe_incident(
    incident: Incident, officer, *, nature, harm, circumstances, parallel=("police",)
) -> Incident:
    """The notification's details as the review officer fills them in, with themselves as
    the notifier."""
    return services.incident_update(
        incident=incident,
        actor=officer,
        changes={
            "nature": nature,
            "harm_categories": list(harm),
            "circumstances": circumstances,
            "parallel_processes": list(parallel),
            "notifier_name": officer.full_name,
            "notifier_role": officer.job_title,
            "notifier_contact": officer.email,
        },
    )


def add_child(incident: Incident, officer, *, name, born, sex, ethnicity, status, known_to=()):
    services.child_save(
        incident=incident,
        actor=officer,
        known_to=list(known_to),
        values={
            "name": name,
            "date_of_birth": born,
            "sex": sex,
            "ethnicity": ethnicity,
            "status_at_time": status,
            "placement_type": "Foster care" if status == ChildStatus.LOOKED_AFTER else "",
        },
    )


@transaction.atomic
def seed_incidents(partnership: Partnership, *, scenarios=SCENARIOS, clock=None) -> int:
    """Each step's History rows say the day it happened (`DemoClock`): logged on the day
    of awareness, sent for a decision the working day after, decided or notified on the
    day recorded."""
    if Incident.objects.filter(partnership=partnership).exists():
        return 0
    clock = clock or DemoClock()
    officer = _person(partnership, Role.REVIEW_OFFICER)
    manager = _person(partnership, Role.PARTNERSHIP_MANAGER)
    agencies = list(partnership.agencies.order_by("name")[:3])
    today = timezone.localdate()
    for state, days_ago, nature, harm, circumstances, children in scenarios:
        aware = add_working_days(today, -days_ago, partnership=partnership)
        with clock.on(aware):
            incident = services.incident_create(
                partnership=partnership,
                actor=officer,
                awareness_date=aware,
                incident_date=aware - dt.timedelta(days=1),
                incident_place=partnership.local_authority,
            )
            incident = describe_incident(
                incident,
                officer,
                nature=nature,
                harm=harm,
                circumstances=circumstances,
                parallel=["police"] if nature != Nature.CARE_LEAVER_DEATH else [],
            )
            for index in children:
                name, born, sex, ethnicity, status = CHILDREN[index]
                add_child(
                    incident,
                    officer,
                    name=name,
                    born=born,
                    sex=sex,
                    ethnicity=ethnicity,
                    status=status,
                    known_to=agencies,
                )
        if state == "draft":
            continue
        submitted = min(
            add_working_days(aware, 1, partnership=partnership),
            working_day_on_or_before(today, partnership=partnership),
        )
        with clock.on(submitted):
            services.incident_submit_for_decision(incident=incident, actor=officer)
        if state == "awaiting_decision":
            continue
        if state == "not_notified":
            decided = add_working_days(aware, 2, partnership=partnership)
            with clock.on(decided):
                services.incident_decide_not_to_notify(
                    incident=incident,
                    actor=manager,
                    decided_on=decided,
                    rationale="The injury was accidental; no abuse or neglect is suspected.",
                    agreed_by="Local authority, police and ICB safeguarding leads (panel of "
                    f"{decided:%-d %B %Y})",
                )
            continue
        late = state == "notified_late"
        sent_on = add_working_days(aware, 7 if late else 3, partnership=partnership)
        with clock.on(sent_on):
            services.incident_record_notification(
                incident=incident,
                actor=officer,
                notified_at=history_now(),  # sent as it was recorded, the step's time
                dfe_reference=f"SIN-{incident.reference.replace('-', '')}",
                ofsted_copied=True,
                late_reason="Waiting for the hospital to confirm the cause of death."
                if late
                else "",
            )
    return len(scenarios)


# --- Cases past their retention period (ADR 0014) --------------------------------------
#
# No case recorded in this service can be past a retention period of 25 years until 2043
# (the duty to notify began on 29 June 2018). A partnership moving to the service brings
# the cases of its older system with it, dated as they were: these two, decisions not to
# notify of about 26 and 27 years ago, are such cases, imported when the partnership
# moved to the service (`set_up_at`), so the demo's retention report has something to
# decide on under the real retention period. The import writes the incident as it was
# (past the earliest-date check, as imported dates are kept: `validate_incident_dates`),
# with no clock of this service (the older system's ran out long ago); its facts and
# decision go through the services, on the day of the import.

#: (years before today it closed, circumstances, child (name, age, sex, ethnicity), keep)
PAST_RETENTION = [
    (
        27,
        "Imported from the partnership’s previous case system. Child seriously injured in a "
        "fall from a first-floor window; the strategy discussion found no abuse or neglect.",
        ("Daniel Shaw", 3, Sex.MALE, Ethnicity.WHITE_BRITISH),
        "",
    ),
    (
        26,
        "Imported from the partnership’s previous case system. Death of an infant in an "
        "unsafe sleeping arrangement; the family brought a civil claim against an agency.",
        ("Amelia Grant", 0, Sex.FEMALE, Ethnicity.WHITE_OTHER),
        "Civil claim brought by the family: keep until it is settled.",
    ),
]


def _imported_incident(partnership, officer, aware: dt.date) -> Incident:
    """The incident as the import from the older system writes it: its own dates kept,
    its reference in its year's sequence, its History; no clock."""
    from safeguarding.audit import Action, audit_record

    from .models import Status
    from .services.incidents import next_reference

    sequence, reference = next_reference(partnership, aware.year)
    incident = Incident.objects.create(
        partnership=partnership,
        reference=reference,
        year=aware.year,
        sequence=sequence,
        awareness_date=aware,
        incident_date=aware - dt.timedelta(days=1),
        incident_place=partnership.local_authority,
        notification_due=aware,
        created_by=officer,
    )
    audit_record(
        actor=officer,
        action=Action.CREATE,
        obj=incident,
        changes={"status": {"old": None, "new": Status.DRAFT}, "imported": True},
    )
    return incident


@transaction.atomic
def seed_past_retention(partnership: Partnership, *, clock=None) -> int:
    """Two closed cases past the retention period, for the partnership's manager: one due
    for a decision (Keep or Delete), one kept with a decision in force. Once only."""
    from dateutil.relativedelta import relativedelta

    today = timezone.localdate()
    if Incident.objects.filter(
        partnership=partnership, awareness_date__lt=DUTY_TO_NOTIFY_BEGAN
    ).exists():
        return 0
    clock = clock or DemoClock()
    officer = _person(partnership, Role.REVIEW_OFFICER)
    manager = _person(partnership, Role.PARTNERSHIP_MANAGER)
    if officer is None or manager is None:
        return 0
    imported = set_up_at().date()
    for years_ago, circumstances, child, keep in PAST_RETENTION:
        decided = working_day_on_or_before(
            today - relativedelta(years=years_ago, months=1), partnership=partnership
        )
        aware = add_working_days(decided, -3, partnership=partnership)
        with clock.on(imported):
            incident = _imported_incident(partnership, officer, aware)
            incident = describe_incident(
                incident,
                officer,
                nature=Nature.SERIOUS_HARM if child[1] else Nature.CHILD_DEATH,
                harm=[HarmCategory.NEGLECT],
                circumstances=circumstances,
            )
            name, age, sex, ethnicity = child
            add_child(
                incident,
                officer,
                name=name,
                born=aware - relativedelta(years=age, months=4),
                sex=sex,
                ethnicity=ethnicity,
                status=ChildStatus.NONE,
            )
        with clock.on(imported):
            services.incident_submit_for_decision(incident=incident, actor=officer)
            services.incident_decide_not_to_notify(
                incident=incident,
                actor=manager,
                decided_on=decided,
                rationale="The criteria for a serious case review were not met.",
                agreed_by="Local authority, police and health safeguarding leads",
            )
        if keep:
            with clock.on(today):
                services.case_keep(
                    incident=incident,
                    actor=manager,
                    reason=keep,
                    review_on=working_day_on_or_before(
                        today + relativedelta(years=1), partnership=partnership
                    ),
                )
    return len(PAST_RETENTION)
