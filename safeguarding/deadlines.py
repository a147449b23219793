"""Services that start, move and stop clocks. Nothing else writes `Deadline` rows.

Each stage calls `deadline_start` when its clock starts, `deadline_move` when a due date
must change (with a reason, kept as history) and `deadline_close` when it is met or no
longer needed, inside the same transaction as the change that caused it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from . import calendar
from .audit import COPY_FIELDS, Action, audit_record
from .bulk import copy_rows
from .models import Deadline, DeadlineChange, Membership, Partnership, Role, User
from .models.deadlines import task_title
from .reminders import hand_over_notice_claim, held_reminders_hand_over
from .stamps import history_now

Kind = Deadline.Kind
Rule = Deadline.Rule


#: Clocks counted in calendar months that are a plan, not a date in law: their date is a
#: working day of the partnership's calendar, the working day before if the months land on
#: a weekend, bank holiday or closure day (a plan is not let slip later than it was worked
#: out). The statutory publication target is a date in law and stays as it is
#: (ADR 0015 addendum, planned dates).
PLANNED_ON_WORKING_DAYS = (Kind.LCSPR_MILESTONE,)


def compute_due(
    *,
    trigger_date: dt.date,
    rule: str,
    amount: int,
    partnership: Partnership | None,
    kind: str | None = None,
) -> dt.date:
    """A clock's due date by its rule; `kind`, where known, for the plans kept to working
    days (`PLANNED_ON_WORKING_DAYS`)."""
    if rule == Rule.WORKING_DAYS:
        return calendar.add_working_days(trigger_date, amount, partnership=partnership)
    if rule == Rule.CALENDAR_MONTHS:
        due = trigger_date + relativedelta(months=amount)
        if kind in PLANNED_ON_WORKING_DAYS:
            due = calendar.working_day_on_or_before(due, partnership=partnership)
        return due
    if rule == Rule.WORKING_DAYS_BEFORE:
        return notice_by(trigger_date, amount, partnership=partnership)
    raise ValueError(f"A {rule} deadline has no rule to compute its date from")


def notice_by(day: dt.date, amount: int, *, partnership) -> dt.date:
    """The latest date from which `amount` working days have passed by `day`: sent on it,
    `calendar.add_working_days(it, amount)` is `day` or earlier. Counted back from the last
    working day on or before `day` (for a Saturday target, from the Friday)."""
    last = day
    while not calendar.is_working_day(last, partnership=partnership):
        last -= dt.timedelta(days=1)
    return calendar.add_working_days(last, -amount, partnership=partnership)


def explain_rule(deadline: Deadline) -> str:
    """Why the clock is due when it is, e.g. "5 working days after 24 November 2026"."""
    n, day = deadline.amount, f"{deadline.trigger_date:%-d %B %Y}"
    if deadline.rule == Rule.WORKING_DAYS:
        return ngettext(
            "%(n)d working day after %(day)s", "%(n)d working days after %(day)s", n
        ) % {"n": n, "day": day}
    if deadline.rule == Rule.CALENDAR_MONTHS:
        text = ngettext(
            "%(n)d calendar month after %(day)s", "%(n)d calendar months after %(day)s", n
        ) % {"n": n, "day": day}
        months_on = deadline.trigger_date + relativedelta(months=n)
        if (
            deadline.kind in PLANNED_ON_WORKING_DAYS
            and (deadline.due_date or months_on) < months_on
        ):
            text += f", the working day before ({months_on:%-d %B %Y} is not a working day)"
        return text
    if deadline.rule == Rule.WORKING_DAYS_BEFORE:
        return ngettext(
            "the latest date that leaves %(n)d working day before %(day)s",
            "the latest date that leaves %(n)d working days before %(day)s",
            n,
        ) % {"n": n, "day": day}
    return FIXED_DATE_TEXT.get(deadline.kind, FIXED_DATE_TEXT[None])


#: Why a clock with a date set, not counted, is due then: said for its kind, as the
#: person reading a reminder or "Why this date?" knows it (not "a date set by hand").
FIXED_DATE_TEXT = {
    Deadline.Kind.ACTION: "the due date agreed for this action",
    Deadline.Kind.AGENCY_RETURN: "the date the business unit set for this return",
    Deadline.Kind.RAPID_REVIEW_MILESTONE: "the date set for this step in the rapid review’s "
    "timetable",
    Deadline.Kind.LCSPR_MILESTONE: "the date set for this milestone in the local review’s "
    "timetable",
    None: "the date the business unit set when it changed the due date",
}


def deadline_explain(
    deadline: Deadline, *, closures: Mapping[dt.date, str] | None = None
) -> calendar.Explanation | None:
    """The days counted and skipped, for working-day clocks (None for the others).
    `closures`: the partnership's closure days, when read already (else one query).

    A notice clock (`WORKING_DAYS_BEFORE`) is counted back from its trigger (the
    publication date): its days run from the due date (day 0) forward, the working days
    counted up to the last working day on or before the trigger, and every day not
    counted up to the trigger itself (a bank holiday, a weekend the trigger falls on)."""
    partnership = deadline.partnership_id if closures is None else closures
    if deadline.rule == Rule.WORKING_DAYS:
        return calendar.explain(deadline.trigger_date, deadline.amount, partnership=partnership)
    if deadline.rule != Rule.WORKING_DAYS_BEFORE:
        return None
    if closures is None:
        partnership = calendar.closure_days(deadline.partnership_id)
    counted = calendar.explain(deadline.due_date, deadline.amount, partnership=partnership)
    skipped = list(counted.skipped)
    day = counted.due
    while day < deadline.trigger_date:
        day += dt.timedelta(days=1)
        reason = calendar.non_working_reason(day, partnership=partnership)
        if reason is not None:
            skipped.append(calendar.SkippedDay(day, reason))
    return calendar.Explanation(
        start=deadline.due_date,
        days=deadline.amount,
        due=deadline.due_date,
        counted=counted.counted,
        skipped=skipped,
    )


def _subject_fields(subject: models.Model) -> dict:
    return {"subject_type": subject._meta.label_lower, "subject_id": subject.pk}


@transaction.atomic
def deadline_start(
    *,
    subject: models.Model,
    partnership: Partnership,
    kind: str,
    title: str,
    trigger_date: dt.date,
    rule: str = Rule.WORKING_DAYS,
    amount: int = 0,
    due_date: dt.date | None = None,
    reference: str = "",
    url: str = "",
    owner: User | None = None,
    key: str = "",
) -> Deadline:
    """Start (or restart) one clock for `subject`. Idempotent for the same arguments."""
    if rule == Rule.FIXED:
        if due_date is None:
            raise ValueError("A fixed deadline needs its due date")
    else:
        due_date = compute_due(
            trigger_date=trigger_date,
            rule=rule,
            amount=amount,
            partnership=partnership,
            kind=kind,
        )
    deadline, _ = Deadline.objects.update_or_create(
        **_subject_fields(subject),
        kind=kind,
        key=key,
        defaults={
            "partnership": partnership,
            "title": title[:200],
            "reference": reference,
            "url": url,
            "owner": owner,
            "trigger_date": trigger_date,
            "rule": rule,
            "amount": amount,
            "due_date": due_date,
            "closed_on": None,
            "outcome": "",
        },
    )
    return deadline


def get_deadline(subject: models.Model, kind: str, key: str = "") -> Deadline | None:
    return Deadline.objects.filter(**_subject_fields(subject), kind=kind, key=key).first()


#: Clocks whose subject keeps a copy of the due date on its own row (for its lists, filters
#: and rules: "notified after the due date"). Whenever such a clock moves, by hand or by
#: the calendar, the copy is written too, so the case page and its clock never disagree.
MIRRORED: dict[str, tuple[str, str]] = {
    Kind.NOTIFICATION: ("notifications.incident", "notification_due"),
    Kind.RAPID_REVIEW: ("rapid_reviews.rapidreview", "due_date"),
}
_CHUNK = 500  # ids per statement (SQLite allows a limited number of parameters)


def copy_due_dates_to_subjects(deadline_ids) -> None:
    """Write the due dates of these clocks (those in `MIRRORED`, still open) onto their
    subjects' rows: one UPDATE per kind, each subject taking its own clock's date. A
    closed clock's subject keeps the date it was met or missed against."""
    from django.apps import apps
    from django.db.models import OuterRef, Subquery

    ids = list(deadline_ids)
    if not ids:
        return
    if connection.vendor == "postgresql":  # one UPDATE per kind, the ids as one array
        with connection.cursor() as cursor:
            for kind, (label, field) in MIRRORED.items():
                model = apps.get_model(label)
                table, column = model._meta.db_table, model._meta.get_field(field).column
                cursor.execute(
                    f"UPDATE {table} AS s SET {column} = d.due_date "  # noqa: S608
                    f"FROM {Deadline._meta.db_table} AS d "
                    "WHERE d.id = ANY(%s::bigint[]) AND d.kind = %s AND d.key = '' "
                    "AND d.closed_on IS NULL AND d.subject_type = %s AND s.id = d.subject_id",
                    [ids, kind, label],
                )
        return
    for lo in range(0, len(ids), _CHUNK):
        subjects: dict[str, list[int]] = {}
        for kind, subject_id in Deadline.objects.filter(
            pk__in=ids[lo : lo + _CHUNK], kind__in=list(MIRRORED), key="", closed_on__isnull=True
        ).values_list("kind", "subject_id"):
            subjects.setdefault(kind, []).append(subject_id)
        for kind, subject_ids in subjects.items():
            label, field = MIRRORED[kind]
            due = Deadline.objects.filter(
                subject_type=label, subject_id=OuterRef("pk"), kind=kind, key=""
            ).values("due_date")[:1]
            apps.get_model(label).objects.filter(pk__in=subject_ids).update(
                **{field: Subquery(due)}
            )


@transaction.atomic
def deadline_move(
    *,
    deadline: Deadline,
    actor: User | None,
    reason: str,
    trigger_date: dt.date | None = None,
    due_date: dt.date | None = None,
    by_calendar: bool = False,
) -> Deadline:
    """Move a due date: from a new trigger date (same rule) or to a date set by hand.

    A reason is required; the move is kept in the deadline's history and audited.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for changing the due date")
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    old_due = deadline.due_date
    fields = ["due_date", "updated_at"]
    if trigger_date is not None:
        deadline.trigger_date = trigger_date
        fields.append("trigger_date")
    if due_date is not None:
        deadline.rule = Rule.FIXED
        deadline.due_date = due_date
        fields.append("rule")
    else:
        deadline.due_date = compute_due(
            trigger_date=deadline.trigger_date,
            rule=deadline.rule,
            amount=deadline.amount,
            partnership=deadline.partnership,
            kind=deadline.kind,
        )
    if by_calendar and deadline.due_date != old_due:
        deadline.moved_by_calendar = True
        fields.append("moved_by_calendar")
    deadline.save(update_fields=fields)
    if deadline.due_date != old_due:
        copy_due_dates_to_subjects([deadline.pk])
        DeadlineChange.objects.create(
            deadline=deadline,
            actor=actor,
            old_due=old_due,
            new_due=deadline.due_date,
            reason=reason,
            changed_at=history_now(),
        )
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=deadline,
            changes={"due_date": {"old": old_due, "new": deadline.due_date}, "reason": reason},
        )
    return deadline


@transaction.atomic
def deadline_close(
    *,
    subject: models.Model,
    kind: str,
    on: dt.date,
    key: str = "",
    outcome: str = Deadline.Outcome.MET,
) -> Deadline | None:
    """Stop a clock: met on `on`, or cancelled. Closing a closed clock changes nothing."""
    deadline = (
        Deadline.objects.select_for_update()
        .filter(**_subject_fields(subject), kind=kind, key=key)
        .first()
    )
    if deadline is None or deadline.closed_on is not None:
        return deadline
    deadline.closed_on = on
    deadline.outcome = outcome
    deadline.save(update_fields=["closed_on", "outcome", "updated_at"])
    return deadline


def deadlines_no_longer_needed(*, subjects, kind: str, on: dt.date, keys=("",)) -> None:
    """Stop the clocks still open of these subjects (one per key) as "no longer needed":
    a step a later one made moot, never met nor missed. A clock already closed keeps its
    outcome."""
    for subject in subjects:
        for key in keys:
            deadline_close(
                subject=subject, kind=kind, key=key, on=on, outcome=Deadline.Outcome.CANCELLED
            )


# --- clocks whose owner has left -----------------------------------------------------

#: The roles whose people own clocks and are reminded of them: the business unit.
OWNER_ROLES = (Role.REVIEW_OFFICER, Role.PARTNERSHIP_MANAGER)
LEFT_OWNER_OF = "Open deadlines of {email}"


def owner_in_business_unit() -> Exists:
    """For a `Deadline` query: is the clock's owner still an active review officer or
    manager of its partnership? The reminders follow the same rule (reminders.py): a clock
    whose owner has left (the role removed, or the account switched off) is no longer
    theirs, and is shown as left behind until a manager hands it over."""
    return Exists(
        Membership.objects.filter(
            user_id=OuterRef("owner_id"),
            partnership_id=OuterRef("partnership_id"),
            role__in=OWNER_ROLES,
            user__is_active=True,
        )
    )


def deadlines_left_behind(partnership: Partnership) -> QuerySet[Deadline]:
    """The partnership's open clocks (and those paused by a hold, which run again when it
    ends) whose owner has left it."""
    return (
        Deadline.objects.still_to_run()
        .filter(partnership=partnership, owner__isnull=False)
        .filter(~owner_in_business_unit())
    )


def lock_people(*users: User | None) -> None:
    """Lock these people's accounts until the transaction ends, in the order of their ids
    (one statement), so that two hand-overs between the same two people, either way
    round, wait for each other instead of deadlocking."""
    ids = sorted({user.pk for user in users if user is not None})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def may_own_clocks(user: User | int, partnership, *, lock: bool = False) -> bool:
    """Is `user` (or the person with that id) an active review officer or manager of the
    partnership (an instance or its id)? The same rule as `owner_in_business_unit`, for
    one person. With `lock` (inside a transaction), their account and roles there are
    locked until it ends, so that they cannot be removed or switched off while clocks are
    handed to them."""
    roles = Membership.objects.filter(
        user=user, partnership=partnership, role__in=OWNER_ROLES, user__is_active=True
    )
    if lock:
        roles = roles.select_for_update()  # the roles and the account (joined) both
    return bool(list(roles.values_list("pk")))


@transaction.atomic
def deadlines_hand_over(
    *, partnership: Partnership, from_user: User, to_user: User, actor: User
) -> int:
    """Give every open clock of `partnership` owned by `from_user` (and every one paused by
    a hold, which runs again when it ends) to `to_user`, who must be an active review
    officer or manager there (the reminders then go to them). One audit event says how
    many and which cases'. Returns how many were handed over. Their reminders held for
    `from_user`'s daily digest, not sent yet, go to `to_user` too
    (`reminders.held_reminders_hand_over`).

    Both accounts and the successor's roles are locked first (`lock_people`), so that a
    colleague removing the successor or switching them off at the same moment either
    waits for this hand-over or, having gone first, has it refused."""
    lock_people(from_user, to_user)
    if to_user.pk == from_user.pk or not may_own_clocks(to_user, partnership, lock=True):
        raise ValidationError(
            {"successor": "Select a review officer or manager of the partnership"}
        )
    clocks = (
        Deadline.objects.select_for_update()
        .still_to_run()
        .filter(partnership=partnership, owner=from_user)
        .order_by("id")
    )
    rows = list(clocks.values_list("pk", "reference"))
    if not rows:
        return 0
    Deadline.objects.filter(pk__in=[pk for pk, _ref in rows]).update(
        owner=to_user, updated_at=timezone.now()
    )
    # Their reminders held for the old owner's digest go with them (reminders.py).
    held_reminders_hand_over(
        deadline_ids=[pk for pk, _ref in rows], from_user=from_user, to_user=to_user
    )
    references = sorted({ref for _pk, ref in rows if ref})
    event = audit_record(
        actor=actor,
        action=Action.UPDATE,
        partnership=partnership,
        object_repr=LEFT_OWNER_OF.format(email=from_user.email),
        changes={
            "owner": {"old": from_user.email, "new": to_user.email},
            "deadlines": len(rows),
            "references": references,
        },
    )
    # The new owner is told once, when this commits (reminders.hand_over_notice_claim).
    hand_over_notice_claim(
        event=event,
        partnership=partnership,
        from_user=from_user,
        to_user=to_user,
        count=len(rows),
        references=references,
    )
    return len(rows)


@transaction.atomic
def deadline_correct_closing(
    *,
    subject: models.Model,
    kind: str,
    on: dt.date,
    actor: User | None,
    reason: str,
    key: str = "",
) -> Deadline | None:
    """Correct the day a closed clock was met (the day was recorded wrongly), audited."""
    deadline = (
        Deadline.objects.select_for_update()
        .filter(**_subject_fields(subject), kind=kind, key=key, closed_on__isnull=False)
        .first()
    )
    if deadline is None or deadline.closed_on == on:
        return deadline
    old = deadline.closed_on
    deadline.closed_on = on
    deadline.save(update_fields=["closed_on", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=deadline,
        changes={"closed_on": {"old": old, "new": on}, "reason": reason},
    )
    return deadline


def deadlines_rebase(
    *, subject: models.Model, kinds, old_trigger: dt.date, new_trigger: dt.date, actor, reason
) -> list[Deadline]:
    """Move the working-day clocks of `subject` that count from `old_trigger` to count
    from `new_trigger` instead (their trigger was recorded wrongly), each a recorded move.
    A clock already met moves too: it keeps the day it was met, now judged against the
    day it was really due (a clock stopped for good, or paused, is left as it is)."""
    clocks = (
        Deadline.objects.for_subject(subject)
        .filter(Q(closed_on__isnull=True) | Q(outcome=Deadline.Outcome.MET))
        .filter(kind__in=list(kinds), trigger_date=old_trigger, rule=Rule.WORKING_DAYS)
    )
    return [
        deadline_move(deadline=d, actor=actor, reason=reason, trigger_date=new_trigger)
        for d in clocks.order_by("id")
    ]


RECOMPUTE_REASON = "The working-day calendar changed"

#: Clocks whose due date a person typed and which must be a working day, as it is a date
#: an agency is asked to meet (an action's, a return's: `form_fields.not_a_working_day`).
#: A recompute never moves them (ADR 0027 addendum, session 20): one that a new closure
#: day now falls on is flagged on its page and its people are told once
#: (`typed_dates_on_closure_days`, `reminders.closure_day_dates_notify`).
TYPED_WORKING_DAY_KINDS = (Kind.ACTION, Kind.AGENCY_RETURN)


def typed_dates_on_closure_days(partnership: Partnership) -> QuerySet[Deadline]:
    """The partnership's open clocks of a typed due date (`TYPED_WORKING_DAY_KINDS`, set by
    hand) that fall on one of its closure days. A done action's or a returned return's
    clock is closed, and so not among them."""
    from .models import ClosureDay

    return (
        Deadline.objects.open()
        .filter(partnership=partnership, kind__in=TYPED_WORKING_DAY_KINDS, rule=Rule.FIXED)
        .filter(
            Exists(
                ClosureDay.objects.filter(
                    partnership_id=OuterRef("partnership_id"), date=OuterRef("due_date")
                )
            )
        )
        .order_by("due_date", "id")
    )


@transaction.atomic
def deadline_reopen(*, subject: models.Model, kind: str, key: str = "") -> Deadline | None:
    """Run a closed clock again. A recompute after a calendar change passes closed clocks
    by, so a working-day clock is counted again here from today's calendar (the move is
    kept in its history like any other)."""
    deadline = Deadline.objects.filter(**_subject_fields(subject), kind=kind, key=key).first()
    return _reopen(deadline)


@transaction.atomic
def deadlines_reopen(ids) -> list[Deadline]:
    """Run these closed clocks again (by id, in id order), as `deadline_reopen` does: for
    a step that stopped several subjects' clocks at once and is undone."""
    clocks = Deadline.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk")
    return [_reopen(deadline) for deadline in clocks]


def _reopen(deadline: Deadline | None) -> Deadline | None:
    if deadline is not None and deadline.closed_on is not None:
        deadline.closed_on = None
        deadline.outcome = ""
        deadline.save(update_fields=["closed_on", "outcome", "updated_at"])
        if deadline.rule in (Rule.WORKING_DAYS, Rule.WORKING_DAYS_BEFORE):
            due = compute_due(
                trigger_date=deadline.trigger_date,
                rule=deadline.rule,
                amount=deadline.amount,
                partnership=deadline.partnership,
            )
            if due != deadline.due_date:
                deadline = deadline_move(
                    deadline=deadline,
                    actor=None,
                    reason=f"{RECOMPUTE_REASON} while the clock was stopped",
                    by_calendar=True,
                )
    return deadline


def working_day_dues(partnership_ids, triggers, amounts, closures: dict):
    """Due dates of many working-day clocks (numpy arrays sorted by partnership id):
    `amounts[i]` working days after `triggers[i]` in partnership `partnership_ids[i]`'s
    calendar (`closures` maps each partnership id to its closure days)."""
    import numpy as np

    due = np.empty(len(triggers), dtype="datetime64[D]")
    bounds = np.flatnonzero(np.diff(partnership_ids)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(triggers)], strict=True):
        if hi > lo:
            due[lo:hi] = calendar.add_working_days_many(
                triggers[lo:hi], amounts[lo:hi], partnership=closures[int(partnership_ids[lo])]
            )
    return due


def _lock_subjects(clocks: models.QuerySet[Deadline]) -> None:
    """Lock the case records whose copy of a due date the recompute will write, before
    their clocks, in the order the services lock them (incident, rapid review, then
    clocks): two writers taking the same rows in opposite orders could deadlock. One
    query finds them (the clocks' queryset may be long), one per kind locks them."""
    from django.apps import apps

    subjects: dict[str, list[int]] = {}
    for kind, subject_id in clocks.filter(
        kind__in=list(MIRRORED), key="", closed_on__isnull=True
    ).values_list("kind", "subject_id"):
        subjects.setdefault(kind, []).append(subject_id)
    for kind, (label, _field) in MIRRORED.items():
        if subjects.get(kind):
            model = apps.get_model(label)
            list(
                model.objects.select_for_update()
                .filter(pk__in=sorted(set(subjects[kind])))
                .order_by("pk")
                .values_list("pk", flat=True)
            )


#: What a recompute reads of each clock (by position below).
RECOMPUTE_COLUMNS = (
    "id",
    "partnership_id",
    "trigger_date",
    "amount",
    "due_date",
    "title",
    "rule",
    "kind",
    "key",
)


@transaction.atomic
def deadlines_recompute_many(
    clocks: models.QuerySet[Deadline], *, actor: User | None = None
) -> list[int]:
    """After the calendar changed: recompute the working-day clocks among `clocks`, set-wise
    (and the few notice clocks, counted back from their date, one by one).

        The clocks are locked and read in one query, their due dates worked out per
        partnership with `calendar.add_working_days_many` (numpy, no loop per date), and the
        ones that moved are written with one UPDATE, their history (`DeadlineChange`) and
        audit events with bulk inserts: the same rows `deadline_move` writes one at a time.
        Returns the ids of the clocks that moved (flagged `moved_by_calendar`).
    """
    import numpy as np

    from .models import AuditEvent, ClosureDay

    calendar.clear_caches()
    _lock_subjects(clocks.filter(rule=Rule.WORKING_DAYS))
    rows = list(
        clocks.filter(rule__in=[Rule.WORKING_DAYS, Rule.WORKING_DAYS_BEFORE])
        .select_for_update()
        .order_by("partnership_id", "id")
        .values_list(*RECOMPUTE_COLUMNS)
    )
    if not rows:
        return []
    pids = sorted({row[1] for row in rows})
    closures: dict[int, dict] = {pid: {} for pid in pids}
    for pid, day, reason in ClosureDay.objects.filter(partnership__in=pids).values_list(
        "partnership_id", "date", "reason"
    ):
        closures[pid][day] = reason
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    owners = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    triggers = np.array([row[2] for row in rows], dtype="datetime64[D]")
    amounts = np.fromiter((row[3] for row in rows), dtype=np.int64, count=len(rows))
    old = np.array([row[4] for row in rows], dtype="datetime64[D]")
    new = working_day_dues(owners, triggers, amounts, closures)
    for i, row in enumerate(rows):  # notice clocks: few, one at a time
        if row[6] == Rule.WORKING_DAYS_BEFORE:
            new[i] = notice_by(row[2], row[3], partnership=closures[row[1]])
    moved = np.flatnonzero(new != old)
    if moved.size == 0:
        return []
    moved_ids = ids[moved].tolist()
    new_dues = new[moved].tolist()  # datetime.date objects
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Deadline._meta.db_table} AS d SET due_date = v.due, "  # noqa: S608
                "moved_by_calendar = TRUE, updated_at = %s "
                "FROM unnest(%s::bigint[], %s::date[]) AS v(id, due) WHERE d.id = v.id",
                [now, moved_ids, new_dues],
            )
    else:
        Deadline.objects.bulk_update(
            [
                Deadline(pk=pk, due_date=due, moved_by_calendar=True, updated_at=now)
                for pk, due in zip(moved_ids, new_dues, strict=True)
            ],
            ["due_date", "moved_by_calendar", "updated_at"],
            batch_size=2000,
        )
    copy_due_dates_to_subjects(moved_ids)
    actor_id = actor.pk if actor is not None else None
    actor_email = actor.email if actor is not None else ""
    # Each named in the audit trail as something to do, as `deadline_move` names it.
    moved_rows = [
        (pk, rows[i][1], rows[i][4], due, task_title(rows[i][7], rows[i][8], rows[i][5]))
        for i, pk, due in zip(moved.tolist(), moved_ids, new_dues, strict=True)
    ]
    copy_rows(
        DeadlineChange,
        ["deadline", "actor", "old_due", "new_due", "reason", "changed_at"],
        ((pk, actor_id, old, due, RECOMPUTE_REASON, now) for pk, _pid, old, due, _t in moved_rows),
    )
    copy_rows(
        AuditEvent,
        COPY_FIELDS,
        (
            (
                now,
                actor_id,
                actor_email,
                pid,
                Action.UPDATE,
                Deadline._meta.label_lower,
                str(pk),
                f"{title} – due {due:%-d %B %Y}"[:200],
                {
                    "due_date": {"old": old.isoformat(), "new": due.isoformat()},
                    "reason": RECOMPUTE_REASON,
                },
                None,
            )
            for pk, pid, old, due, title in moved_rows
        ),
    )
    return moved_ids


def deadlines_recompute(*, partnership: Partnership, actor: User | None = None) -> list[Deadline]:
    """After the calendar changed: recompute every open working-day clock of a partnership.

    Returns the deadlines whose due date moved (flagged `moved_by_calendar`).
    """
    moved = deadlines_recompute_many(
        Deadline.objects.open().filter(partnership=partnership), actor=actor
    )
    return list(Deadline.objects.filter(pk__in=moved).order_by("due_date", "id"))
