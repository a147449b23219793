"""The demo's people, partnerships and agencies (invented). Used by `manage.py seed_demo`
and by the smoke tests. Later stages add their cases through their own services."""

import datetime as dt
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from .models import (
    Agency,
    AuditEvent,
    ClosureDay,
    Membership,
    PartnerLead,
    Partnership,
    Region,
    Role,
    StatutoryPartner,
    User,
)


class DemoClock:
    """When each step of a demo case happened, for its History: the demo's cases are
    written through the services (`safeguarding.stamps`), and `on(day)` stamps the audit
    events, status moves and due-date changes a step writes with that day, in working
    hours. A day's first step is at 09:30 and each next one 12 minutes later, so a day's
    steps read in the order they were taken; the times depend only on the order of the
    seed's steps, so the seed stays the same relative to its today. A step on a day not
    yet over is stamped no later than now, never in the future."""

    FIRST = dt.time(9, 30)
    STEP = dt.timedelta(minutes=12)

    def __init__(self):
        self._next: dict[dt.date, dt.datetime] = {}

    def at(self, day: dt.date) -> dt.datetime:
        moment = self._next.get(day) or timezone.make_aware(dt.datetime.combine(day, self.FIRST))
        self._next[day] = moment + self.STEP
        return min(moment, timezone.now())

    @contextmanager
    def on(self, day: dt.date):
        """The step's History says `day`; so do the records it makes or changes: each time
        the services set to now inside (a record made or changed, a clock started, a return
        submitted, a reviewer assigned) becomes the step's time (`restamp_step`)."""
        from .stamps import stamped_at

        moment = self.at(day)
        began = timezone.now()
        with stamped_at(moment):
            yield
        restamp_step(began, moment)


#: The apps whose records the demo's steps make or change.
DEMO_APPS = ("safeguarding", "notifications", "rapid_reviews", "lcspr")


def _step_times():
    """(model, its time fields) of the demo's records: every `DateTimeField` of their apps
    but the History's own (stamped as they are written, and never changed: ADR 0005).
    Models with no such field are left out."""
    from django.apps import apps
    from django.db import models

    found = []
    for model in apps.get_models():
        if model._meta.app_label not in DEMO_APPS or model is AuditEvent:
            continue
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateTimeField)
        ]
        if names:
            found.append((model, names))
    return found


#: `_restamp_statements` made once for each database vendor.
_RESTAMP_SQL: dict[str, list[tuple[str, int]]] = {}


def _restamp_statements(connection) -> list[tuple[str, int]]:
    """One UPDATE (SQL for `connection`, and its number of time fields) for each model of
    `_step_times`: each time since the step began (the first of each field's parameter
    pair, and of the WHERE's) becomes the step's time (the second); the other times are
    left as they are (a NULL time is not since the step began, so it stays NULL)."""
    if connection.vendor not in _RESTAMP_SQL:
        quote = connection.ops.quote_name
        statements = []
        for model, names in _step_times():
            columns = [quote(model._meta.get_field(name).column) for name in names]
            sets = ", ".join(f"{c} = CASE WHEN {c} >= %s THEN %s ELSE {c} END" for c in columns)
            since = " OR ".join(f"{c} >= %s" for c in columns)
            table = quote(model._meta.db_table)
            statements.append((f"UPDATE {table} SET {sets} WHERE {since}", len(columns)))  # noqa: S608 - names from the models
        _RESTAMP_SQL[connection.vendor] = statements
    return _RESTAMP_SQL[connection.vendor]


def restamp_step(began: dt.datetime, moment: dt.datetime) -> None:
    """Give the records a demo step made or changed the step's time: each time set since
    `began` (the real time the step started, always later than the times of the steps
    before it, which are no later than their own now) becomes `moment`. A plain UPDATE
    leaves `auto_now` alone, so the time written is the one kept.

    One UPDATE a model, not one a field, and its SQL made once (a seed has about 180
    steps; building the queries through the ORM each time cost more than running them)."""
    from django.db import connection, models

    # As a DateTimeField writes them (SQLite keeps UTC text).
    field = models.DateTimeField()
    began_value = field.get_db_prep_value(began, connection)
    moment_value = field.get_db_prep_value(moment, connection)
    with connection.cursor() as cursor:
        for sql, count in _restamp_statements(connection):
            cursor.execute(sql, [began_value, moment_value] * count + [began_value] * count)


#: The demo's records with a time they were made, recorded or last changed, which pages
#: and exports show or sort by ("Newest first", a case export's "Created at", a learning
#: briefing's "Made"): each such field, and whether it takes the time of the record's
#: first History row or its last.
STAMPED_FIELDS = {
    "notifications.Incident": {"created_at": "first", "updated_at": "last"},
    "rapid_reviews.RapidReview": {"opened_at": "first", "updated_at": "last"},
    "rapid_reviews.InformationRequest": {"created_at": "first"},
    "rapid_reviews.AgencyReturn": {"updated_at": "last"},
    "rapid_reviews.SignOff": {"recorded_at": "first"},
    "lcspr.Review": {"opened_at": "first", "updated_at": "last"},
    "lcspr.Action": {"created_at": "first", "assigned_at": "first"},
    "lcspr.PartnerCheck": {"recorded_at": "first"},
    "lcspr.LearningBriefing": {"generated_at": "last"},
}


def date_records_from_history() -> int:
    """Give the demo's cases the times their story says, not the time of loading: each
    record's time of making (`created_at`, `opened_at`, `recorded_at`) becomes the time of
    its first History row and its time of last change (`updated_at`, a briefing's
    `generated_at`) that of its last (`DemoClock` stamped them, on working days in office
    hours). A case the local authority became aware of in 2025 is then "created" in 2025,
    and the incident list's "Newest first" follows the days of awareness. Records with no
    History are left as they are. Returns how many records it dated."""
    from django.apps import apps
    from django.db.models import Max, Min

    dated = 0
    for label, fields in STAMPED_FIELDS.items():
        model = apps.get_model(label)
        times = {
            row["object_id"]: {"first": row["first"], "last": row["last"]}
            for row in AuditEvent.objects.filter(object_type=model._meta.label_lower)
            .values("object_id")
            .annotate(first=Min("occurred_at"), last=Max("occurred_at"))
        }
        records = list(model.objects.filter(pk__in=[int(pk) for pk in times if pk.isdigit()]))
        for record in records:
            for name, which in fields.items():
                setattr(record, name, times[str(record.pk)][which])
        # bulk_update leaves auto_now alone: the times set here are the ones written.
        model.objects.bulk_update(records, list(fields), batch_size=500)
        dated += len(records)
    return dated


DEMO_PASSWORD = "demo-safeguarding-2026"  # noqa: S105 - demo only; seed_demo refuses in production

REGION = {"code": "midshire", "name": "Midshire region"}

PARTNERSHIPS = [
    {
        "code": "BSCP",
        "name": "Brookfield Safeguarding Children Partnership",
        "local_authority": "Brookfield City Council",
        "contact_email": "bscp@brookfield.example",
    },
    {
        "code": "ASCP",
        "name": "Ashdown Safeguarding Children Partnership",
        "local_authority": "Ashdown County Council",
        "contact_email": "ascp@ashdown.example",
    },
]

# (name, kind, partnership codes served)
AGENCIES = [
    ("Brookfield Children’s Social Care", Agency.Kind.SOCIAL_CARE, ["BSCP"]),
    ("Ashdown Children’s Services", Agency.Kind.SOCIAL_CARE, ["ASCP"]),
    ("Midshire Police", Agency.Kind.POLICE, ["BSCP", "ASCP"]),
    ("Midshire Integrated Care Board", Agency.Kind.HEALTH, ["BSCP", "ASCP"]),
    ("Brookfield Hospitals NHS Foundation Trust", Agency.Kind.HEALTH, ["BSCP"]),
    ("Ashdown Community Health NHS Trust", Agency.Kind.HEALTH, ["ASCP"]),
    ("Midshire Ambulance Service", Agency.Kind.HEALTH, ["BSCP", "ASCP"]),
    ("Brookfield GP Practices", Agency.Kind.HEALTH, ["BSCP"]),
    ("Brookfield Schools and Education", Agency.Kind.EDUCATION, ["BSCP"]),
    ("Ashdown Schools and Education", Agency.Kind.EDUCATION, ["ASCP"]),
    ("Midshire Probation Service", Agency.Kind.PROBATION, ["BSCP", "ASCP"]),
    ("Brookfield Housing", Agency.Kind.OTHER, ["BSCP"]),
    ("Ashdown Youth Justice Service", Agency.Kind.OTHER, ["ASCP"]),
    ("Midshire Women’s Aid", Agency.Kind.OTHER, ["BSCP", "ASCP"]),
]

# (e-mail local part, full name, job title, role, agency name or None)
PEOPLE = {
    "BSCP": [
        ("manager", "Helen Okafor", "Business manager", Role.PARTNERSHIP_MANAGER, None),
        ("officer", "Tom Ashworth", "Review officer", Role.REVIEW_OFFICER, None),
        (
            "police",
            "Priya Nair",
            "Detective inspector, review lead",
            Role.AGENCY_CONTRIBUTOR,
            "Midshire Police",
        ),
        (
            "health",
            "Gareth Lewis",
            "Named nurse for safeguarding",
            Role.AGENCY_CONTRIBUTOR,
            "Brookfield Hospitals NHS Foundation Trust",
        ),
        ("reviewer", "Dr Ruth Mensah", "Independent reviewer", Role.INDEPENDENT_REVIEWER, None),
    ],
    "ASCP": [
        ("manager", "Sarah Whitfield", "Business manager", Role.PARTNERSHIP_MANAGER, None),
        ("officer", "Daniel Price", "Review officer", Role.REVIEW_OFFICER, None),
        (
            "school",
            "Amira Haddad",
            "Designated safeguarding lead",
            Role.AGENCY_CONTRIBUTOR,
            "Ashdown Schools and Education",
        ),
        ("reviewer", "Michael Byrne", "Independent reviewer", Role.INDEPENDENT_REVIEWER, None),
    ],
}
REGIONAL_VIEWER = ("regional@midshire.example", "Joanne Carter", "Regional safeguarding lead")
ADMIN = ("admin@demo.example", "Service Administrator")

CLOSURE_DAYS = {
    "BSCP": [(dt.date(2026, 12, 24), "Business unit closed (Christmas Eve)")],
    "ASCP": [(dt.date(2026, 12, 31), "Business unit closed (New Year’s Eve)")],
}


# Each partnership's statutory leads (invented): the names its sign-off forms start with.
PARTNER_LEADS = {
    "BSCP": {
        StatutoryPartner.LOCAL_AUTHORITY: ("Karen Whitfield", "Director of Children’s Services"),
        StatutoryPartner.POLICE: ("Raj Patel", "Detective Superintendent"),
        StatutoryPartner.HEALTH: ("Dr Fiona Osei", "Designated Nurse, Midshire ICB"),
    },
    "ASCP": {
        StatutoryPartner.LOCAL_AUTHORITY: ("Stephen Marsh", "Director of Children’s Services"),
        StatutoryPartner.POLICE: ("Raj Patel", "Detective Superintendent"),
        StatutoryPartner.HEALTH: ("Dr Fiona Osei", "Designated Nurse, Midshire ICB"),
    },
}


def demo_email(code: str, local: str) -> str:
    return f"{local}@{code.lower()}.example"


class _DemoPasswords:
    """The demo password hashed once per seed, and the stored hashes already found to be
    it: the password hasher (PBKDF2) is slow on purpose, about 0.2 s a time, and every
    `make run` seeds again. The demo users share one hash (and salt): their password is
    the same, and printed for all to read."""

    def __init__(self):
        self.hashed: str | None = None
        self.known: set[str] = set()

    def ensure(self, user: User, created: bool) -> None:
        if not created and user.password in self.known:
            return
        if created or not user.check_password(DEMO_PASSWORD):
            if self.hashed is None:
                user.set_password(DEMO_PASSWORD)
                self.hashed = user.password
            user.password = self.hashed
            user.save(update_fields=["password"])
        self.known.add(user.password)


def _user(
    email: str, full_name: str, job_title: str = "", *, passwords: _DemoPasswords, **extra
) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "job_title": job_title, **extra}
    )
    passwords.ensure(user, created)
    if created:
        # The demo's published password is theirs, not a random one an invitation's link
        # replaces: recorded as their first (the administration site says they have one).
        from .audit import Action, audit_record

        audit_record(
            actor=None,
            action=Action.PASSWORD_CHANGED,
            obj=user,
            object_repr=user.email,
            changes={"method": "demo", "first_password": True},
        )
    return user


def set_up_at() -> dt.datetime:
    """When the demo's people were given their roles and its partnerships their leads:
    five years before today (a working day, at 09:00), before the oldest step of any demo
    case (a local review decided four years ago, the past years of closed cases), so that
    nobody acted in a partnership before they had a role there."""
    from .calendar import working_day_on_or_before

    day = working_day_on_or_before(timezone.localdate() - dt.timedelta(days=5 * 365))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


@transaction.atomic
def seed_people_and_places() -> list[tuple[str, str, str]]:
    """Create (or leave as they are) the demo region, partnerships, agencies and people,
    given their roles and leads at `set_up_at`.

    Returns (e-mail, name, role description) for every demo sign-in.
    """
    since = set_up_at()
    region, _ = Region.objects.get_or_create(code=REGION["code"], defaults={"name": REGION["name"]})
    partnerships = {}
    for spec in PARTNERSHIPS:
        p, _ = Partnership.objects.get_or_create(
            code=spec["code"], defaults={**spec, "region": region}
        )
        partnerships[p.code] = p
        for date, reason in CLOSURE_DAYS.get(p.code, []):
            ClosureDay.objects.get_or_create(partnership=p, date=date, defaults={"reason": reason})
        for partner, (name, job_title) in PARTNER_LEADS.get(p.code, {}).items():
            PartnerLead.objects.get_or_create(
                partnership=p,
                partner=partner,
                defaults={"name": name, "job_title": job_title, "updated_at": since},
            )
    agencies = {}
    for name, kind, codes in AGENCIES:
        agency, _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
        agency.partnerships.add(*(partnerships[c] for c in codes))
        agencies[name] = agency

    sign_ins = []
    passwords = _DemoPasswords()
    for code, people in PEOPLE.items():
        for local, name, job, role, agency_name in people:
            email = demo_email(code, local)
            user = _user(email, name, job, passwords=passwords, date_joined=since)
            Membership.objects.get_or_create(
                user=user,
                partnership=partnerships[code],
                role=role,
                defaults={"agency": agencies.get(agency_name), "since": since},
            )
            label = Role(role).label + (f" ({agency_name})" if agency_name else "") + f", {code}"
            sign_ins.append((email, name, label))
    email, name, job = REGIONAL_VIEWER
    regional = _user(email, name, job, passwords=passwords, date_joined=since)
    Membership.objects.get_or_create(
        user=regional, region=region, role=Role.REGIONAL_VIEWER, defaults={"since": since}
    )
    sign_ins.append((email, name, f"{Role.REGIONAL_VIEWER.label}, {region.name}"))
    email, name = ADMIN
    _user(email, name, passwords=passwords, is_staff=True, is_superuser=True, date_joined=since)
    sign_ins.append((email, name, "Administrator (administration site, outbox and audit trail)"))
    return sign_ins
