"""Reminder policy and the sweep: who is reminded of which deadline, and when.

`reminders_sweep(now=…)` is the one entry point, run by Celery beat (`tasks.py`) and by
`manage.py sweep_deadlines`. It only works on working days inside office hours. For each
open deadline it works out the one reminder due today (3 and 1 working days before, on
the day, then overdue every N working days, escalated to the partnership managers) and
*claims* it: a `ReminderSent` row whose unique key (deadline, rule, occurrence,
recipient) lets the database decide, once, who sends it. Only the claimant queues the
send task (`reminder_mail.reminder_deliver` does the sending). See ADR 0006.
"""

from __future__ import annotations

import datetime as dt
import logging
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from . import calendar
from .models import (
    ClosureDay,
    Deadline,
    DeadlineChange,
    Membership,
    Partnership,
    ReminderPolicy,
    ReminderSent,
    Role,
    User,
)

logger = logging.getLogger(__name__)
Status = ReminderSent.Status


@dataclass(frozen=True)
class Policy:
    days_before: tuple[int, ...] = (3, 1)
    on_the_day: bool = True
    overdue_every: int = 2
    escalate: bool = True
    enabled: bool = True


#: Used for any kind with no ReminderPolicy row (for the partnership or as a default).
DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class DueReminder:
    """The reminder of one deadline due on one day."""

    rule: str  # "before_3", "due", "overdue"
    occurrence: str  # the due date (and, when overdue, the repeat number)
    working_days: int  # left (> 0), 0 on the day, negative when overdue
    escalate: bool = False


@dataclass
class SweepResult:
    at: dt.datetime
    held: str = ""
    claimed: list[ReminderSent] = field(default_factory=list)
    claimed_count: int = 0
    requeued: int = 0
    digests: int = 0


# --- Policy ----------------------------------------------------------------------------


def _days_before(row: ReminderPolicy) -> tuple[int, ...]:
    """The policy's days, latest first. A row the sweep cannot read (saved before the
    administration site checked it, or by hand) is read as the service's default and
    logged: one such row must not stop every partnership's sweep."""
    try:
        days = {int(day) for day in (row.days_before or [])}
    except (TypeError, ValueError):
        logger.error(
            "reminder policy %s has days the sweep cannot read; using the default",
            row.pk,
            extra={"policy": row.pk, "days_before": repr(row.days_before)[:100]},
        )
        return DEFAULT_POLICY.days_before
    return tuple(sorted((day for day in days if day > 0), reverse=True))


def _as_policy(row: ReminderPolicy) -> Policy:
    return Policy(
        days_before=_days_before(row),
        on_the_day=row.on_the_day,
        overdue_every=row.overdue_every,
        escalate=row.escalate,
        enabled=row.enabled,
    )


def policy_table() -> dict[tuple[int | None, str], Policy]:
    """Every policy row, keyed by (partnership id or None, kind): a small table, one query."""
    return {(row.partnership_id, row.kind): _as_policy(row) for row in ReminderPolicy.objects.all()}


def policy_of(table: dict, partnership_id: int, kind: str) -> Policy:
    """The partnership's own policy for the kind, else the default row, else the code's."""
    return table.get((partnership_id, kind)) or table.get((None, kind)) or DEFAULT_POLICY


def policy_for(deadline: Deadline, table: dict) -> Policy:
    return policy_of(table, deadline.partnership_id, deadline.kind)


@dataclass(frozen=True)
class KindSchedule:
    """When reminders go for one kind of deadline in one partnership, in words."""

    label: str
    words: str
    own: bool  # the partnership's own policy (else the service's default)


def _days_in_words(days: tuple[int, ...]) -> str:
    numbers = [str(day) for day in days]
    listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
    unit = "working day" if numbers == ["1"] else "working days"
    return f"{listed} {unit} before"


def schedule_words(policy: Policy) -> str:
    """The policy as a person reads it: "3 and 1 working days before, on the day, then
    every 2 working days while it is overdue"."""
    if not policy.enabled:
        return "No reminders"
    parts = [_days_in_words(policy.days_before)] if policy.days_before else []
    if policy.on_the_day:
        parts.append("on the day")
    if policy.overdue_every == 1:
        overdue = "every working day while it is overdue"
    elif policy.overdue_every:
        overdue = f"every {policy.overdue_every} working days while it is overdue"
    else:
        overdue = "once when it is overdue"
    words = ", ".join(parts) + (", then " if parts else "") + overdue
    return words[0].upper() + words[1:]


def reminder_schedules(partnership_ids) -> dict[int, list[KindSchedule]]:
    """Each partnership's reminders, kind by kind, by the sweep's own look-up (`policy_of`:
    its own policy, else the service's default, else the code's): one query, however
    many partnerships and policies."""
    table = policy_table()
    return {
        pid: [
            KindSchedule(
                label=str(label),
                words=schedule_words(policy_of(table, pid, kind)),
                own=(pid, kind) in table,
            )
            for kind, label in Deadline.Kind.choices
        ]
        for pid in partnership_ids
    }


def reminder_due(
    deadline: Deadline, *, today: dt.date, policy: Policy, closures=None
) -> DueReminder | None:
    """The reminder of `deadline` due on `today`, if any (pure; `closures` as calendar's)."""
    if deadline.closed_on is not None:
        return None
    return reminder_on(deadline.due_date, today=today, policy=policy, closures=closures)


def reminder_on(
    due: dt.date, *, today: dt.date, policy: Policy, closures=None
) -> DueReminder | None:
    """The reminder due on `today` for an open clock due on `due`, if any.

    A stage missed (the service was down, or the clock started late) is caught up: with
    2 working days left and stages 3 and 1, the "3 days before" reminder goes today.
    """
    if not policy.enabled:
        return None
    left = calendar.working_days_between(today, due, partnership=closures or {})
    return reminder_for(due, left, policy)


def reminder_for(due: dt.date, left: int, policy: Policy) -> DueReminder | None:
    """The reminder of a clock due on `due` with `left` working days to go (negative:
    overdue), under `policy`."""
    if not policy.enabled:
        return None
    if left > 0:
        stages = [n for n in policy.days_before if n >= left]
        if not stages:
            return None
        return DueReminder(f"before_{min(stages)}", due.isoformat(), left)
    if left == 0:
        return DueReminder("due", due.isoformat(), 0) if policy.on_the_day else None
    repeat = (-left - 1) // policy.overdue_every if policy.overdue_every else 0
    return DueReminder("overdue", f"{due.isoformat()}#{repeat}", left, policy.escalate)


# --- Office hours ----------------------------------------------------------------------


def local_time(now: dt.datetime) -> dt.datetime:
    if timezone.is_naive(now):
        now = now.replace(tzinfo=ZoneInfo(settings.REMINDER_TIME_ZONE))
    return now.astimezone(ZoneInfo(settings.REMINDER_TIME_ZONE))


def held_reason(now: dt.datetime) -> str:
    """Why nothing may be sent at `now` ("" when reminders may go out)."""
    local = local_time(now)
    start, end = settings.REMINDER_OFFICE_HOURS_START, settings.REMINDER_OFFICE_HOURS_END
    if not start <= local.hour < end:
        return f"outside office hours ({start:02d}:00 to {end:02d}:00)"
    reason = calendar.non_working_reason(local.date())
    if reason:
        return f"not a working day ({reason})"
    return ""


# --- Recipients ------------------------------------------------------------------------


def _people(partnership_ids) -> tuple[dict, dict]:
    """Active review officers and managers of these partnerships (one query)."""
    officers, managers = defaultdict(list), defaultdict(list)
    memberships = (
        Membership.objects.active()
        .with_role(Role.REVIEW_OFFICER, Role.PARTNERSHIP_MANAGER)
        .filter(partnership__in=list(partnership_ids))
        .select_related("user")
        .order_by("user_id")
    )
    for m in memberships:
        target = officers if m.role == Role.REVIEW_OFFICER else managers
        target[m.partnership_id].append(m.user)
    return officers, managers


def unowned_recipients(officers: list, managers: list, *, escalated: bool = False) -> list:
    """Who is reminded of a clock nobody in the business unit owns (no owner, or one who
    has left): the partnership's active review officers; with none, its active managers,
    so that a reminder before the day and on the day still reaches someone. Once such a
    clock is overdue and escalated, the managers are told by the escalation itself (its
    rule, and so its claim key), never by a second reminder of the same clock and day.
    `officers` and `managers` are the partnership's, as users or (id, preference)."""
    if officers:
        return list(officers)
    return [] if escalated else list(managers)


def recipients_of(deadline: Deadline, officers: dict, managers: dict) -> list[User]:
    """The owner if set, active and still an officer or manager of the deadline's
    partnership (someone who has left it is not told of its cases), else the
    partnership's review officers, else its managers (`unowned_recipients`)."""
    pid = deadline.partnership_id
    staff = {u.pk for u in [*officers.get(pid, []), *managers.get(pid, [])]}
    if deadline.owner_id in staff:
        return [deadline.owner]
    return unowned_recipients(officers.get(pid, []), managers.get(pid, []))


# --- Claiming and queuing --------------------------------------------------------------


def _publish(task, payload, reminder_ids: list[int]) -> bool:
    """Queue one task message. A broker failure is logged, never raised: the rows stay
    pending with no queued time, and the next sweep queues them again (`requeue_stale`)."""
    try:
        task.apply_async(
            args=[payload],
            # What logs and monitors show of the arguments: Celery's own repr of a long
            # list of ids took longer than sending the message.
            argsrepr=f"[{reminder_ids[0]}, …] ({len(reminder_ids)} reminders)",
            queue=settings.REMINDER_QUEUE,
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        )
        return True
    except Exception as exc:  # noqa: BLE001 - any broker failure; the sweep re-queues
        logger.warning(
            "reminders not queued",
            extra={"reminders": reminder_ids[:20], "count": len(reminder_ids), "error": str(exc)},
        )
        ReminderSent.objects.filter(pk__in=reminder_ids, status=Status.PENDING).update(
            queued_at=None
        )
        return False


def queue_send(reminder_id: int) -> bool:
    """Queue the send of one claimed reminder."""
    from .tasks import send_reminder

    return _publish(send_reminder, reminder_id, [reminder_id])


#: Claimed reminders queued per task message by the sweep (one broker round trip each).
SEND_BATCH = 500


def queue_sends(reminder_ids: list[int]) -> int:
    """Queue the sends of many claimed reminders, SEND_BATCH to a task message: a round
    trip to the broker per reminder would cost more than the whole sweep. The batch task
    sends each row on its own (the row lock and status check keep it to once). Returns
    how many were queued."""
    from .tasks import send_reminders

    queued = 0
    for start in range(0, len(reminder_ids), SEND_BATCH):
        batch = list(reminder_ids[start : start + SEND_BATCH])
        if _publish(send_reminders, batch, batch):
            queued += len(batch)
    return queued


def reminder_claim(
    *,
    recipient: User,
    rule: str,
    occurrence: str,
    deadline: Deadline | None = None,
    context: dict | None = None,
    queue: bool = True,
) -> ReminderSent | None:
    """Claim one reminder: insert its row unless it exists. Returns the row if this call
    created it (and then queues it on commit), None if someone else already had."""
    held = recipient.reminder_preference == User.ReminderPreference.DIGEST and rule != "digest"
    status = Status.HELD if held else Status.PENDING
    row = _claim_row(
        deadline_id=deadline.pk if deadline is not None else None,
        recipient_id=recipient.pk,
        rule=rule,
        occurrence=occurrence,
        status=status,
        context=context or {},
        now=timezone.now(),
        queued=queue and not held,
    )
    if row is not None and queue and not held:
        transaction.on_commit(lambda: queue_send(row.pk))
    return row


def _claim_row(
    *, deadline_id, recipient_id, rule, occurrence, status, context, now, queued
) -> ReminderSent | None:
    """Insert one reminder row unless its key exists; the row if this call made it."""
    try:
        with transaction.atomic():
            row, created = ReminderSent.objects.get_or_create(
                deadline_id=deadline_id,
                rule=rule,
                occurrence=occurrence,
                recipient_id=recipient_id,
                defaults={
                    "status": status,
                    "context": context,
                    "created_at": now,
                    "queued_at": now if queued else None,
                },
            )
    except IntegrityError:  # a concurrent claim won between our SELECT and INSERT
        return None
    return row if created else None


def requeue_stale(*, now: dt.datetime | None = None) -> int:
    """Queue again every pending reminder never queued, or queued long ago and not sent.

    Each row is reserved by a conditional UPDATE, so two sweeps never both re-queue it;
    even if they did, the send task's row lock and status check send it once.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS)
    stale = ReminderSent.objects.filter(status=Status.PENDING).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=cutoff)
    )
    count = 0
    for pk, queued_at in stale.values_list("pk", "queued_at")[:1000]:
        reserved = ReminderSent.objects.filter(pk=pk, status=Status.PENDING, queued_at=queued_at)
        if queued_at is None:
            reserved = ReminderSent.objects.filter(
                pk=pk, status=Status.PENDING, queued_at__isnull=True
            )
        if reserved.update(queued_at=now) and queue_send(pk):
            count += 1
    return count


def digests_build(*, today: dt.date) -> int:
    """One digest per person per day gathering their held reminders (unique key).
    Held reminders of a person who is no longer there are skipped (ADR 0010)."""
    ReminderSent.objects.filter(status=Status.HELD, digest__isnull=True).exclude(
        Exists(User.objects.filter(pk=OuterRef("recipient_id")))
    ).update(status=Status.SKIPPED, last_error="recipient gone")
    count = 0
    waiting = (
        ReminderSent.objects.filter(status=Status.HELD, digest__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for user in User.objects.filter(pk__in=list(waiting), is_active=True):
        with transaction.atomic():
            digest = reminder_claim(
                recipient=user, rule="digest", occurrence=today.isoformat(), queue=True
            )
            if digest is None:
                continue
            ReminderSent.objects.filter(
                recipient=user, status=Status.HELD, digest__isnull=True
            ).update(digest=digest)
            count += 1
    return count


# --- The sweep -------------------------------------------------------------------------

#: Open deadlines read per round trip by the Python sweep (SQLite): memory stays flat.
SWEEP_CHUNK = 2000
#: What the Python sweep reads of each open deadline.
SWEEP_COLUMNS = (
    "id",
    "partnership_id",
    "kind",
    "due_date",
    "owner_id",
    "owner__is_active",
    "owner__reminder_preference",
)


def sweep_horizon(today: dt.date, max_before: int, closed_ahead: int = 0) -> dt.date:
    """No clock due after this day can be due a reminder today: the longest "days before"
    plus `closed_ahead` (the most closure days any partnership has in the weeks ahead),
    counted in working days, and a margin."""
    return calendar.add_working_days(today, max_before + closed_ahead) + dt.timedelta(days=14)


def sweep_candidates(horizon: dt.date):
    """Open deadlines of active partnerships that could be due a reminder today: overdue,
    or due by the sweep's horizon."""
    return Deadline.objects.open().filter(due_date__lte=horizon, partnership__is_active=True)


#: How far ahead closure days are counted to widen the sweep's horizon.
CLOSURES_AHEAD_DAYS = 120


class SweepSetting:
    """What a sweep needs besides the clocks themselves: small, read once per sweep. The
    partnerships and their closure days are read only by the Python way: the SQL reads
    them itself."""

    def __init__(self, today: dt.date):
        self.today = today
        self.table = policy_table()
        max_before = max([n for p in self.table.values() for n in p.days_before] + [3])
        # The most closure days one partnership has in the months ahead: each pushes its
        # "3 working days before" further out (one small aggregate query).
        ahead = (
            ClosureDay.objects.filter(
                date__gt=today, date__lte=today + dt.timedelta(days=CLOSURES_AHEAD_DAYS)
            )
            .values("partnership")
            .annotate(n=Count("id"))
            .aggregate(most=Max("n"))
        )
        self.horizon = sweep_horizon(today, max_before, ahead["most"] or 0)

    @cached_property
    def pids(self) -> list[int]:
        return list(Partnership.objects.filter(is_active=True).values_list("pk", flat=True))

    @cached_property
    def closures(self) -> dict[int, dict]:
        closures: dict[int, dict] = defaultdict(dict)
        for pid, day, reason in ClosureDay.objects.filter(partnership__in=self.pids).values_list(
            "partnership_id", "date", "reason"
        ):
            closures[pid][day] = reason
        return closures

    @cached_property
    def working(self) -> dict[int, bool]:
        """Whether `today` is a working day in each partnership (its closure days)."""
        return {
            pid: calendar.is_working_day(self.today, partnership=self.closures[pid])
            for pid in self.pids
        }


# The reminders due are rows (deadline, recipient, rule, occurrence, status, context).
# They are worked out in one of two ways, and a test holds both to the same answer on
# random data (tests/safeguarding/test_reminders_sql.py):
# - in the database, with one statement (PostgreSQL: `due_reminders_sql`);
# - in Python, a chunk of clocks at a time (`due_reminders_python`), for the embedded
#   SQLite demo. `reminder_for` is the rule both follow. The working days come from the
#   calendar module in both: the SQL gets them as a sorted array.


def due_reminders_python(setting: SweepSetting):
    """The reminders due on `setting.today`: a generator of lists of wanted rows, one per
    chunk of clocks, so only one chunk is held in memory."""
    today, table = setting.today, setting.table
    officers, managers = _people_ids(setting.pids)
    # An owner is told only while still an officer or manager of the clock's partnership.
    staff = {
        pid: {user_id for user_id, _pref in [*officers.get(pid, []), *managers.get(pid, [])]}
        for pid in setting.pids
    }
    digest_pref = User.ReminderPreference.DIGEST

    def status_for(preference: str) -> str:
        return Status.HELD if preference == digest_pref else Status.PENDING

    def wanted_of(chunk: list[tuple]) -> list[tuple]:
        wanted = []
        lefts = _working_days_left(chunk, today, setting.closures)
        for (pk, pid, kind, due_date, owner_id, owner_active, owner_pref), left in zip(
            chunk, lefts, strict=True
        ):
            if not setting.working.get(pid):
                continue
            due = reminder_for(due_date, int(left), policy_of(table, pid, kind))
            if due is None:
                continue
            if owner_id and owner_active and owner_id in staff.get(pid, ()):
                people = [(owner_id, owner_pref)]
            else:
                people = unowned_recipients(
                    officers.get(pid, []), managers.get(pid, []), escalated=due.escalate
                )
            context = {"working_days": due.working_days, "on": today.isoformat()}
            for user_id, pref in people:
                wanted.append((pk, user_id, due.rule, due.occurrence, status_for(pref), context))
            if due.escalate:
                told = {user_id for user_id, _pref in people}
                for user_id, pref in managers.get(pid, []):
                    if user_id not in told:
                        wanted.append(
                            (pk, user_id, "escalation", due.occurrence, status_for(pref), context)
                        )
        return wanted

    rows = (
        sweep_candidates(setting.horizon)
        .order_by()
        .values_list(*SWEEP_COLUMNS)
        .iterator(chunk_size=SWEEP_CHUNK)
    )
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= SWEEP_CHUNK:
            yield wanted_of(chunk)
            chunk = []
    if chunk:
        yield wanted_of(chunk)


_DUE_REMINDERS_SQL = """
WITH calendar AS (
    -- The working days (weekdays that are not bank holidays) from the earliest open due
    -- date to the horizon, as days since 1970, sorted: width_bucket(day, days) counts
    -- the working days on or before a day with one binary search.
    SELECT %(working)s::integer[] AS days, %(today)s::date - DATE '1970-01-01' AS today
), policy AS (
    -- Partnership 0 holds the default of each kind for partnerships with no row of their
    -- own, and -1 the code’s default (DEFAULT_POLICY) for any other kind.
    SELECT * FROM unnest(%(p_partnership)s::bigint[], %(p_kind)s::text[], %(p_days)s::text[],
                         %(p_on_the_day)s::boolean[], %(p_every)s::integer[],
                         %(p_escalate)s::boolean[], %(p_enabled)s::boolean[])
        AS t(partnership_id, kind, days_before, on_the_day, overdue_every, escalate, enabled)
), closed AS (
    -- Each partnership’s closure days that would otherwise be working days, sorted.
    SELECT c.partnership_id, array_agg(c.date - DATE '1970-01-01' ORDER BY c.date) AS days
      FROM {closure} c CROSS JOIN calendar
     WHERE width_bucket(c.date - DATE '1970-01-01', calendar.days)
           > width_bucket(c.date - DATE '1970-01-02', calendar.days)
     GROUP BY c.partnership_id
), clock AS (
    SELECT d.id, d.partnership_id, d.kind, d.due_date, d.owner_id,
           -- Owned: the owner is active and still an officer or manager of the
           -- partnership (someone who has left it is not told of its cases).
           COALESCE(owner.is_active, false) AND EXISTS (
               SELECT 1 FROM {membership} om
                WHERE om.user_id = d.owner_id AND om.partnership_id = d.partnership_id
                  AND om.role IN (%(officer)s, %(manager)s)) AS owned,
           width_bucket(d.due_date - DATE '1970-01-01', calendar.days)
             - width_bucket(calendar.today, calendar.days)
             - COALESCE(width_bucket(d.due_date - DATE '1970-01-01', closed.days)
                          - width_bucket(calendar.today, closed.days), 0) AS days_left
      FROM {deadline} d
      JOIN {partnership} p ON p.id = d.partnership_id AND p.is_active
      CROSS JOIN calendar
      LEFT JOIN {user} owner ON owner.id = d.owner_id
      LEFT JOIN closed ON closed.partnership_id = d.partnership_id
     WHERE d.closed_on IS NULL AND d.due_date <= %(horizon)s
       -- A clock reopened after `first` was read waits for the next sweep, rather than
       -- being counted against working days the array does not hold.
       AND d.due_date >= %(first)s
       AND NOT EXISTS (SELECT 1 FROM {closure} shut
                        WHERE shut.partnership_id = d.partnership_id AND shut.date = %(today)s)
), ruled AS (
    -- Each clock with its policy: the partnership’s own row, else the kind’s default,
    -- else the code’s.
    SELECT clock.*,
           COALESCE(own.days_before, base.days_before, code.days_before) AS days_before,
           COALESCE(own.on_the_day, base.on_the_day, code.on_the_day) AS on_the_day,
           COALESCE(own.overdue_every, base.overdue_every, code.overdue_every) AS every,
           COALESCE(own.escalate, base.escalate, code.escalate) AS escalates
      FROM clock
      CROSS JOIN (SELECT * FROM policy WHERE partnership_id = -1) AS code
      LEFT JOIN policy base ON base.partnership_id = 0 AND base.kind = clock.kind
      LEFT JOIN policy own ON own.partnership_id = clock.partnership_id AND own.kind = clock.kind
     WHERE COALESCE(own.enabled, base.enabled, code.enabled)
), due AS (
    SELECT ruled.*,
           CASE WHEN days_left > 0 THEN 'before_' || (
                    SELECT min(n) FROM unnest(string_to_array(days_before, ',')::integer[]) AS n
                     WHERE n >= days_left)
                WHEN days_left = 0 AND on_the_day THEN 'due'
                WHEN days_left < 0 THEN 'overdue'
           END AS rule,
           to_char(due_date, 'YYYY-MM-DD') || CASE WHEN days_left >= 0 THEN '' ELSE
               '#' || CASE WHEN every > 0 THEN (-days_left - 1) / every ELSE 0 END
           END AS occurrence,
           days_left < 0 AND escalates AS escalate
      FROM ruled
), staff AS (
    SELECT m.partnership_id, m.role, m.user_id
      FROM {membership} m JOIN {user} u ON u.id = m.user_id AND u.is_active
     WHERE m.role IN (%(officer)s, %(manager)s)
), unowned AS (
    -- Who is told of a clock nobody in the business unit owns: the partnership’s review
    -- officers; with none, its managers (unowned_recipients).
    SELECT s.partnership_id, s.role, s.user_id
      FROM staff s
     WHERE s.role = %(officer)s
        OR NOT EXISTS (SELECT 1 FROM staff o
                        WHERE o.partnership_id = s.partnership_id AND o.role = %(officer)s)
), wanted AS (
    -- The owner if set and active, else the partnership’s review officers, else its
    -- managers (but not once escalated: the escalation below tells them) ...
    SELECT due.id, due.owner_id AS user_id, due.rule, due.occurrence, due.days_left
      FROM due WHERE due.rule IS NOT NULL AND due.owned
    UNION ALL
    SELECT due.id, unowned.user_id, due.rule, due.occurrence, due.days_left
      FROM due JOIN unowned ON unowned.partnership_id = due.partnership_id
     WHERE due.rule IS NOT NULL AND NOT due.owned
       AND (unowned.role = %(officer)s OR NOT due.escalate)
    UNION ALL
    -- ... and, once overdue, the partnership managers who were not told already.
    SELECT due.id, staff.user_id, 'escalation', due.occurrence, due.days_left
      FROM due JOIN staff ON staff.partnership_id = due.partnership_id
                         AND staff.role = %(manager)s
     WHERE due.escalate
       AND CASE WHEN due.owned THEN staff.user_id <> due.owner_id
                ELSE NOT EXISTS (SELECT 1 FROM staff told
                                  WHERE told.partnership_id = due.partnership_id
                                    AND told.role = %(officer)s
                                    AND told.user_id = staff.user_id) END
)
SELECT wanted.id AS deadline_id, wanted.user_id AS recipient_id, wanted.rule,
       wanted.occurrence,
       CASE WHEN person.reminder_preference = %(digest)s THEN %(held)s ELSE %(pending)s END
           AS status,
       jsonb_build_object('working_days', wanted.days_left, 'on', %(today_iso)s::text) AS context
  FROM wanted JOIN {user} person ON person.id = wanted.user_id
"""

_CLAIM_DUE_SQL = """
INSERT INTO {reminder} (deadline_id, recipient_id, rule, occurrence, status, context,
                        created_at, queued_at, attempts, last_error)
SELECT deadline_id, recipient_id, rule, occurrence, status, context, %(now)s,
       CASE WHEN status = %(pending)s THEN %(now)s::timestamptz END, 0, ''
  FROM ({due}) AS due
 -- An "overdue" whose escalation (the same clock and occurrence) this person has had
 -- already, as a manager before the clock was handed to them: that told them
 -- (`told_by_escalation`). One probe of the unique key’s index each.
 WHERE NOT (due.rule = 'overdue' AND EXISTS (
            SELECT 1 FROM {reminder} told
             WHERE told.deadline_id = due.deadline_id AND told.rule = 'escalation'
               AND told.occurrence = due.occurrence AND told.recipient_id = due.recipient_id))
 -- The same order in every sweep, so two sweeps at once wait for each other’s rows
 -- rather than deadlock.
 ORDER BY deadline_id, rule, occurrence, recipient_id
ON CONFLICT DO NOTHING
RETURNING id, deadline_id, recipient_id, rule, occurrence, status
"""


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def due_reminders_sql(setting: SweepSetting) -> tuple[str, dict]:
    """One SELECT of every reminder due on `setting.today` (PostgreSQL): the rows that
    `due_reminders_python` works out, as (deadline_id, recipient_id, rule, occurrence,
    status, context). The bank-holiday calendar is the calendar module's (the `holidays`
    package), handed over as a sorted array of working days."""
    today = setting.today
    earliest = Deadline.objects.open().order_by("due_date").values_list("due_date", flat=True)
    first = min(earliest.first() or today, today)
    kinds = set(Deadline.Kind.values) | {kind for (pid, kind) in setting.table if pid is None}
    policies = [(-1, "", DEFAULT_POLICY)]
    policies += [(0, kind, policy_of(setting.table, 0, kind)) for kind in sorted(kinds)]
    policies += [(pid, kind, policy) for (pid, kind), policy in setting.table.items() if pid]
    params = {
        "working": calendar.working_day_numbers(first, setting.horizon),
        "today": today,
        "today_iso": today.isoformat(),
        "horizon": setting.horizon,
        "first": first,
        "p_partnership": [pid for pid, _kind, _p in policies],
        "p_kind": [kind for _pid, kind, _p in policies],
        "p_days": [",".join(map(str, p.days_before)) for _pid, _kind, p in policies],
        "p_on_the_day": [p.on_the_day for _pid, _kind, p in policies],
        "p_every": [p.overdue_every for _pid, _kind, p in policies],
        "p_escalate": [p.escalate for _pid, _kind, p in policies],
        "p_enabled": [p.enabled for _pid, _kind, p in policies],
        "officer": Role.REVIEW_OFFICER,
        "manager": Role.PARTNERSHIP_MANAGER,
        "digest": User.ReminderPreference.DIGEST,
        "held": Status.HELD,
        "pending": Status.PENDING,
    }
    sql = _DUE_REMINDERS_SQL.format(
        closure=_table(ClosureDay),
        deadline=_table(Deadline),
        partnership=_table(Partnership),
        user=_table(User),
        membership=_table(Membership),
    )
    return sql, params


def _claim_one_by_one(wanted: list[tuple], *, now: dt.datetime) -> list[tuple]:
    """The same claims on a database without arrays (the embedded SQLite demo)."""
    won = []
    for deadline_id, recipient_id, rule, occurrence, status, context in wanted:
        row = _claim_row(
            deadline_id=deadline_id,
            recipient_id=recipient_id,
            rule=rule,
            occurrence=occurrence,
            status=status,
            context=context,
            now=now,
            queued=status == Status.PENDING,
        )
        if row is not None:
            won.append((row.pk, deadline_id, recipient_id, rule, occurrence, status))
    return won


def _people_ids(partnership_ids) -> tuple[dict, dict]:
    """(user id, reminder preference) of the active review officers and managers of these
    partnerships, by partnership: one query, no model instances."""
    officers, managers = defaultdict(list), defaultdict(list)
    rows = (
        Membership.objects.active()
        .with_role(Role.REVIEW_OFFICER, Role.PARTNERSHIP_MANAGER)
        .filter(partnership__in=list(partnership_ids))
        .order_by("user_id")
        .values_list("partnership_id", "role", "user_id", "user__reminder_preference")
    )
    for pid, role, user_id, preference in rows:
        target = officers if role == Role.REVIEW_OFFICER else managers
        target[pid].append((user_id, preference))
    return officers, managers


def told_by_escalation(key: tuple, claimed: set[tuple]) -> bool:
    """Whether the reminder `key` (deadline, recipient, rule, occurrence) is an "overdue"
    whose escalation, the same clock and occurrence, `claimed` holds for the same person.
    A manager told of an overdue clock by its escalation, who then takes the clock over
    (cover, or a leaver's clocks), is not told again as its owner that day; they are at
    its next repeat. The SQL sweep follows the same rule (`_CLAIM_DUE_SQL`)."""
    deadline_id, recipient_id, rule, occurrence = key
    return rule == "overdue" and (deadline_id, recipient_id, "escalation", occurrence) in claimed


def _claimed_already(wanted: list[tuple]) -> set[tuple]:
    """Which of the wanted (deadline, recipient, rule, occurrence) are claimed already."""
    deadline_ids = sorted({w[0] for w in wanted})
    occurrences = sorted({w[3] for w in wanted})
    if connection.vendor != "postgresql":
        return set(
            ReminderSent.objects.filter(
                deadline__in=deadline_ids, occurrence__in=occurrences
            ).values_list("deadline_id", "recipient_id", "rule", "occurrence")
        )
    with connection.cursor() as cursor:  # arrays: two parameters, not thousands
        cursor.execute(
            f"SELECT deadline_id, recipient_id, rule, occurrence FROM {ReminderSent._meta.db_table}"  # noqa: S608
            " WHERE deadline_id = ANY(%s) AND occurrence = ANY(%s)",
            [deadline_ids, occurrences],
        )
        return set(cursor.fetchall())


def _working_days_left(rows: list[tuple], today: dt.date, closures: dict):
    """Working days from `today` to each row's due date (rows: (id, partnership, kind,
    due date, …)), a partnership at a time with numpy rather than a date at a time."""
    import numpy as np

    pids = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    dues = np.array([row[3] for row in rows], dtype="datetime64[D]")
    left = np.zeros(len(rows), dtype=np.int64)
    for pid in np.unique(pids).tolist():
        mask = pids == pid
        left[mask] = calendar.working_days_between_many(
            today, dues[mask], partnership=closures[pid]
        )
    return left.tolist()


def _claim_due_in_sql(setting: SweepSetting, result: SweepResult, collect: bool):
    """Claim every due reminder with one INSERT … SELECT … ON CONFLICT DO NOTHING: the
    unique key decides under concurrency, as for a single claim. The rows this sweep
    inserted are streamed back a hundred at a time (libpq's chunked mode), and only the
    ids of those to queue are kept, eight bytes each: memory stays flat."""
    import psycopg

    due, params = due_reminders_sql(setting)
    sql = _CLAIM_DUE_SQL.format(reminder=_table(ReminderSent), due=due)
    params = {**params, "now": timezone.now()}
    size = 100 if psycopg.pq.version() >= 170000 else 1  # chunks need libpq 17
    pending = array("q")
    with connection.cursor() as cursor, connection.wrap_database_errors:
        for row in cursor.cursor.stream(sql, params, size=size):
            _won(result, collect, *row)
            if row[5] == Status.PENDING:
                pending.append(row[0])
    return pending


def _claim_due_in_python(setting: SweepSetting, result: SweepResult, collect: bool):
    """The same claims without the one statement (SQLite): a chunk of clocks at a time,
    skipping what is claimed already, then one guarded insert each."""
    pending = array("q")
    for wanted in due_reminders_python(setting):
        if not wanted:
            continue
        done = _claimed_already(wanted)
        fresh = [w for w in wanted if w[:4] not in done and not told_by_escalation(w[:4], done)]
        for row in _claim_one_by_one(fresh, now=timezone.now()):
            _won(result, collect, *row)
            if row[5] == Status.PENDING:
                pending.append(row[0])
    return pending


def _won(result, collect, pk, deadline_id, recipient_id, rule, occurrence, status) -> None:
    """Count (and with `collect`, keep) one reminder this sweep claimed."""
    result.claimed_count += 1
    if collect:
        result.claimed.append(
            ReminderSent(
                pk=pk,
                deadline_id=deadline_id,
                recipient_id=recipient_id,
                rule=rule,
                occurrence=occurrence,
                status=status,
            )
        )


def claims_in_one_statement() -> bool:
    """Whether the database works out and claims the due reminders in one statement."""
    return connection.vendor == "postgresql"


def reminders_sweep(*, now: dt.datetime | None = None, collect: bool = True) -> SweepResult:
    """Claim and queue every reminder due at `now`; re-queue stragglers; build digests.

    On PostgreSQL one INSERT … SELECT works out every reminder due today and claims the
    ones nobody has (the unique key decides). Elsewhere the open clocks are read a chunk
    at a time and the reminders worked out in Python. Only the claimant queues a send,
    after commit, SEND_BATCH to a message. With `collect` the claimed rows are returned
    (for the command and the tests); the beat task only counts them.
    """
    now = now or timezone.now()
    result = SweepResult(at=local_time(now))
    result.held = held_reason(now)
    if result.held:
        return result
    setting = SweepSetting(result.at.date())
    claim = _claim_due_in_sql if claims_in_one_statement() else _claim_due_in_python
    pending = claim(setting, result, collect)
    if pending:
        transaction.on_commit(lambda: queue_sends(pending))
    result.requeued = requeue_stale()
    result.digests = digests_build(today=setting.today)
    return result


# --- Hand-overs ------------------------------------------------------------------------

#: Why a held reminder was not moved to the new owner at a hand-over: they have the same
#: claim already, or had its escalation (the same clock and occurrence) as a manager.
TOLD_ALREADY = "handed over: the new owner has it already"
TOLD_BY_ESCALATION = "handed over: the new owner had its escalation as a manager"


#: The rule of the e-mail telling someone that deadlines were handed over to them.
HAND_OVER = "handover"


def hand_over_notice_claim(
    *, event, partnership: Partnership, from_user: User, to_user: User, count: int, references
) -> ReminderSent | None:
    """Inside a hand-over's transaction: claim the one e-mail telling the new owner how
    many open deadlines are now theirs, of which cases (references only) and where to
    see them. A claimed reminder like any other (ADR 0006): queued when the hand-over
    commits, re-queued by the sweep if the broker was down, and sent once by
    `reminder_mail.reminder_deliver`, which locks the row and marks it sent. Sent at once
    whatever their reminder preference: it is news, not a reminder of a date. The
    hand-over's audit event names it, so it is claimed once per hand-over."""
    row = _claim_row(
        deadline_id=None,
        recipient_id=to_user.pk,
        rule=HAND_OVER,
        occurrence=f"audit-{event.pk}",
        status=Status.PENDING,
        context={
            "partnership_id": partnership.pk,
            "partnership": partnership.name,
            "from": from_user.full_name,
            "count": count,
            "references": list(references),
        },
        now=timezone.now(),
        queued=True,
    )
    if row is not None:
        transaction.on_commit(lambda: queue_send(row.pk))
    return row


def held_reminders_hand_over(
    *, deadline_ids: list[int], from_user: User, to_user: User
) -> tuple[int, int]:
    """At a hand-over of these clocks, inside its transaction: the reminders of them held
    for `from_user`'s daily digest and not sent, that were theirs as the owner (not an
    escalation, theirs as a manager), go to `to_user`, so that the digest reaches whoever
    owns the clocks now and nobody is told twice. Returns (moved, dropped).

    - One the new owner has already (the same clock, rule and occurrence: the same claim
      key, whatever its status) is dropped: marked skipped. So is an "overdue" whose
      escalation (the same clock and occurrence) the new owner had as a manager: it told
      them, and the sweep does not claim that "overdue" for them either
      (`told_by_escalation`); they are reminded as the owner at its next repeat.
    - A moved one leaves the old owner's digest. If the new owner chose a daily digest it
      waits for their next one; otherwise the next sweep in office hours sends it (it is
      made pending, not queued: nobody is e-mailed at night, as for a moved clock).
    - The digests holding them are locked first, as the send task locks a digest before
      its items: a digest being sent goes first (its items are then sent, and stay), or
      waits and is sent without them ("nothing left to send" if none is left). A digest
      built for the old owner after their ids were read (a sweep committing between the
      two statements) is not locked, and its send task may be sending it: its reminders
      are left in it. Sent after this transaction, it skips them, as their clocks have
      another owner (`reminder_mail.HANDED_OVER`), and the next sweep reminds the new
      owner. Locking the reminders before their digests would close that gap but wait in
      the opposite order to the send task: a deadlock.
    """
    owner_held = (
        ReminderSent.objects.filter(
            deadline_id__in=list(deadline_ids), recipient=from_user, status=Status.HELD
        )
        .exclude(rule="escalation")
        .order_by("pk")
    )
    digest_ids = {pk for pk in owner_held.values_list("digest_id", flat=True) if pk is not None}
    if digest_ids:
        digests = ReminderSent.objects.select_for_update().filter(pk__in=digest_ids)
        list(digests.order_by("pk").values_list("pk"))
    locked = owner_held.select_for_update().values_list(
        "pk", "deadline_id", "rule", "occurrence", "digest_id"
    )
    # Their digest as it is now that they are locked: one built since the read above was
    # not locked, and its send task may be sending them. They stay in it.
    held = [row[:4] for row in locked if row[4] is None or row[4] in digest_ids]
    if not held:
        return 0, 0
    theirs = set(
        ReminderSent.objects.filter(
            deadline_id__in=sorted({row[1] for row in held}), recipient=to_user
        ).values_list("deadline_id", "recipient_id", "rule", "occurrence")
    )
    dropped: dict[int, str] = {}
    moved = []
    for pk, deadline_id, rule, occurrence in held:
        key = (deadline_id, to_user.pk, rule, occurrence)
        if key in theirs:
            dropped[pk] = TOLD_ALREADY
        elif told_by_escalation(key, theirs):
            dropped[pk] = TOLD_BY_ESCALATION
        else:
            moved.append(pk)
    digest = to_user.reminder_preference == User.ReminderPreference.DIGEST
    changes = {
        "recipient": to_user,
        "digest": None,
        "status": Status.HELD if digest else Status.PENDING,
        "queued_at": None,
    }
    try:
        with transaction.atomic():
            ReminderSent.objects.filter(pk__in=moved).update(**changes)
    except IntegrityError:
        # A sweep claimed one of them for the new owner meanwhile: move the others.
        for pk in list(moved):
            try:
                with transaction.atomic():
                    ReminderSent.objects.filter(pk=pk).update(**changes)
            except IntegrityError:
                moved.remove(pk)
                dropped[pk] = TOLD_ALREADY
    for reason in (TOLD_ALREADY, TOLD_BY_ESCALATION):
        pks = [pk for pk, why in dropped.items() if why == reason]
        if pks:
            ReminderSent.objects.filter(pk__in=pks).update(status=Status.SKIPPED, last_error=reason)
    return len(moved), len(dropped)


# --- Calendar changes ------------------------------------------------------------------


def moved_deadlines_notify(*, deadlines: list[Deadline]) -> list[ReminderSent]:
    """Tell each moved deadline's people once per move (keyed by the DeadlineChange).

    The rows wait (not queued) for the next sweep, so nobody is e-mailed at night.
    """
    if not deadlines:
        return []
    pids = {d.partnership_id for d in deadlines}
    officers, managers = _people(pids)
    claimed = []
    for deadline in deadlines:
        change = (
            DeadlineChange.objects.filter(deadline=deadline).order_by("-changed_at", "-id").first()
        )
        if change is None:
            continue
        for user in recipients_of(deadline, officers, managers):
            row = reminder_claim(
                deadline=deadline,
                recipient=user,
                rule="moved",
                occurrence=str(change.pk),
                context={
                    "old_due": change.old_due.isoformat(),
                    "new_due": change.new_due.isoformat(),
                },
                queue=False,
            )
            if row is not None:
                claimed.append(row)
    return claimed


#: The rule of the e-mail telling a clock's people that its due date, typed by a person
#: (`deadlines.TYPED_WORKING_DAY_KINDS`), now falls on one of the partnership's closure
#: days. The date is not moved: the agency was given it (ADR 0027 addendum, session 20).
ON_CLOSURE_DAY = "closure_day"


def closure_day_dates_notify(*, deadlines: list[Deadline]) -> list[ReminderSent]:
    """Tell each of these clocks' people once that its typed due date falls on a closure
    day (`deadlines.typed_dates_on_closure_days`). Keyed by the due date, so a recompute
    run twice tells nobody twice, and a date moved onto another closure day is told
    again. The rows wait (not queued) for the next sweep, as the "moved" ones do."""
    if not deadlines:
        return []
    pids = {d.partnership_id for d in deadlines}
    officers, managers = _people(pids)
    closures: dict[tuple[int, dt.date], str] = {
        (pid, day): reason
        for pid, day, reason in ClosureDay.objects.filter(
            partnership__in=pids, date__in={d.due_date for d in deadlines}
        ).values_list("partnership_id", "date", "reason")
    }
    claimed = []
    for deadline in deadlines:
        for user in recipients_of(deadline, officers, managers):
            row = reminder_claim(
                deadline=deadline,
                recipient=user,
                rule=ON_CLOSURE_DAY,
                occurrence=deadline.due_date.isoformat(),
                context={"closure": closures.get((deadline.partnership_id, deadline.due_date), "")},
                queue=False,
            )
            if row is not None:
                claimed.append(row)
    return claimed


def reminder_preference_set(*, actor: User, preference: str) -> User:
    """A person chooses immediate reminders or one daily digest (audited)."""
    from .audit import Action, audit_record

    if preference not in User.ReminderPreference.values:
        raise ValueError(f"Unknown reminder preference {preference!r}")
    old = actor.reminder_preference
    if old != preference:
        with transaction.atomic():
            actor.reminder_preference = preference
            actor.save(update_fields=["reminder_preference"])
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                obj=actor,
                changes={"reminder_preference": {"old": old, "new": preference}},
            )
    return actor
