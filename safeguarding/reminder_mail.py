"""Reminder e-mails: what they say, and the one service that sends a claimed reminder.

E-mails name a deadline by its title and case reference only (the services that start a
clock write titles such as "Notify the National Panel: BSCP-2026-014"), said as something
to do (`Deadline.task`: a review's step "Get sign-off from the three partners", not the
state "Signed off by the three partners" its timetable lists); nothing here reads the
deadline's subject, so no child's name or other details can reach an e-mail.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from . import calendar
from .deadlines import (
    OWNER_ROLES,
    deadline_explain,
    explain_rule,
    may_own_clocks,
    owner_in_business_unit,
)
from .models import ClosureDay, Deadline, Membership, ReminderSent, User
from .reminders import HAND_OVER, ON_CLOSURE_DAY

logger = logging.getLogger(__name__)
Status = ReminderSent.Status


def _days(n: int) -> str:
    n = abs(n)
    return ngettext("%(n)d working day", "%(n)d working days", n) % {"n": n}


def headline(row: ReminderSent, deadline: Deadline, closures=None) -> str:
    """One line saying where the deadline stands, e.g. "Due in 3 working days".
    `closures`: the partnership's closure days, when read already (else one query)."""
    if row.rule == "moved":
        return f"Due date changed to {deadline.due_date:%-d %B %Y}"
    if row.rule == ON_CLOSURE_DAY:
        return f"Due on a closure day ({deadline.due_date:%-d %B %Y})"
    today = timezone.localdate()
    left, rule = row.context.get("working_days", 0), row.rule
    if timezone.localdate(row.created_at) != today:
        # Sent a day or more after it was claimed (held for the next day's digest, having
        # been claimed after that day's went, or held for one and then handed over to
        # someone who has each reminder on its own): where the clock stands today, not
        # where it stood then.
        left = calendar.working_days_left(
            today,
            deadline.due_date,
            partnership=deadline.partnership_id if closures is None else closures,
        )
        rule = "escalation" if rule == "escalation" else ""
    if rule == "due" or left == 0:
        if deadline.due_date > today:
            return f"Due {deadline.due_date:%A %-d %B %Y}: no working day left before it"
        return "Due today"
    if left > 0:
        return f"Due in {_days(left)}"
    prefix = (
        "Overdue (escalated to you as a partnership manager)" if rule == "escalation" else "Overdue"
    )
    return f"{prefix}: {_days(left)} late"


def _link(path: str) -> str:
    return settings.SITE_URL + path


def deadline_context(row: ReminderSent, deadline: Deadline, closures=None) -> dict:
    explanation = deadline_explain(deadline, closures=closures)
    why = reverse("safeguarding:deadline-why", args=[deadline.pk])
    return {
        "row": row,
        "deadline": deadline,
        "headline": headline(row, deadline, closures),
        "title": deadline.task,
        "reference": deadline.reference,
        "due": deadline.due_date,
        "rule_text": explain_rule(deadline),
        "skipped": explanation.skipped if explanation else [],
        "link": _link(deadline.url or why),
        "why_link": _link(why),
        "old_due": dt.date.fromisoformat(row.context["old_due"])
        if row.context.get("old_due")
        else None,
        "on_closure_day": row.rule == ON_CLOSURE_DAY,
        "closure": row.context.get("closure", ""),
    }


def _message(row: ReminderSent, subject: str, template: str, context: dict):
    context = {**context, "service_name": settings.SERVICE_NAME, "recipient": row.recipient}
    context["preferences_link"] = _link(reverse("safeguarding:reminder-settings"))
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"safeguarding/email/{template}.txt", context),
        to=[row.recipient.email],
        headers={"Message-ID": row.message_id, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string(f"safeguarding/email/{template}.html", context), "text/html"
    )
    return message


def reminder_message(row: ReminderSent) -> EmailMultiAlternatives:
    """The e-mail of one claimed reminder (or of a daily digest)."""
    if row.rule == "digest":
        # One line a clock: a reminder carried over from the day before and today's of
        # the same clock say the same thing, and today's says it as it stands.
        latest = {}
        for item in row.items.filter(status=Status.HELD).select_related("deadline").order_by("id"):
            if item.deadline is not None:
                latest[item.deadline_id] = item
        # The closure days of their partnerships, read once rather than once an item.
        closures: dict[int, dict] = {
            pid: {} for pid in {item.deadline.partnership_id for item in latest.values()}
        }
        days = ClosureDay.objects.filter(partnership__in=list(closures))
        for pid, day, reason in days.values_list("partnership_id", "date", "reason"):
            closures[pid][day] = reason
        items = [
            deadline_context(item, item.deadline, closures[item.deadline.partnership_id])
            for item in sorted(latest.values(), key=lambda i: (i.deadline.due_date, i.pk))
        ]
        subject = ngettext(
            "Your deadlines today: %(n)d reminder",
            "Your deadlines today: %(n)d reminders",
            len(items),
        ) % {"n": len(items)}
        return _message(row, subject, "reminder_digest", {"items": items, "day": row.occurrence})
    if row.rule == HAND_OVER:
        return hand_over_message(row)
    context = deadline_context(row, row.deadline)
    return _message(row, f"{context['headline']}: {context['title']}", "reminder", context)


def hand_over_message(row: ReminderSent) -> EmailMultiAlternatives:
    """ "N open deadlines in {partnership} are now yours": how many, whose they were, the
    cases' references (never more of a case) and a link to the new owner's deadlines."""
    told = row.context
    count = told.get("count", 0)
    subject = ngettext(
        "%(n)d open deadline in %(partnership)s is now yours",
        "%(n)d open deadlines in %(partnership)s are now yours",
        count,
    ) % {"n": count, "partnership": told.get("partnership", "")}
    context = {
        "count": count,
        "partnership": told.get("partnership", ""),
        "from_name": told.get("from", ""),
        "references": told.get("references", []),
        "link": _link(reverse("safeguarding:home")),
    }
    return _message(row, subject, "hand_over", context)


def _should_skip(row: ReminderSent, recipient: User | None) -> str:
    # The claim table has no foreign-key constraints (ADR 0010): a person or clock that
    # is no longer there is a reason to skip, never an error to retry.
    if recipient is None:
        return "recipient gone"
    if not recipient.is_active:
        return "recipient switched off"
    if row.deadline_id is not None and row.deadline is None:
        return "deadline gone"
    if row.deadline is not None and row.deadline.closed_on is not None and row.rule != "moved":
        return "deadline closed"
    if row.rule == ON_CLOSURE_DAY and row.deadline is not None and not on_closure_day_still(row):
        return NOT_ON_A_CLOSURE_DAY
    if row.deadline is not None and not may_own_clocks(recipient, row.deadline.partnership_id):
        return LEFT
    if row.deadline is not None and _has_another_owner(row):
        return HANDED_OVER
    if row.deadline is not None and row.rule not in NEWS and _superseded(row):
        return SUPERSEDED
    if row.rule == "digest" and not _digest_items_left(row):
        return "nothing left to send"
    if row.rule == HAND_OVER and not may_own_clocks(recipient, row.context.get("partnership_id")):
        return LEFT
    return ""


#: A typed due date told as falling on a closure day that no longer does when the e-mail
#: is to go: the date was moved, or the closure day taken away, in the meantime.
NOT_ON_A_CLOSURE_DAY = "the due date is no longer on a closure day"


def on_closure_day_still(row: ReminderSent) -> bool:
    """Whether the clock of a `closure_day` e-mail is still due on the date it was claimed
    for, and that date still one of its partnership's closure days."""
    deadline = row.deadline
    return (
        deadline.due_date.isoformat() == row.occurrence
        and calendar.closure_on(deadline.partnership_id, deadline.due_date) is not None
    )


#: Someone removed from the partnership's business unit (or switched off) after the
#: reminder was claimed: it is not theirs any more, and they are told nothing of its case.
LEFT = "recipient left the partnership"


#: A reminder claimed for the person who owned the clock (or, while nobody in the business
#: unit did, for its review officers or managers), whose clock has been given since to
#: someone else who may own it: a hand-over, perhaps while a sweep was claiming it from
#: what it had read before. The next sweep reminds the new owner.
HANDED_OVER = "the deadline has another owner now"

#: Reminders that are not the owner's: told as a manager, or of a moved due date or a
#: typed one now on a closure day (each of the clock's people is told that once, whoever
#: owns it now).
NOT_THE_OWNERS = ("escalation", "moved", ON_CLOSURE_DAY)

#: E-mails that tell of a change to the clock's date, not where it stands today: a later
#: reminder of the same clock does not replace them (`_superseded`).
NEWS = ("moved", ON_CLOSURE_DAY)


def _has_another_owner(row: ReminderSent) -> bool:
    """Whether `row` is an owner's reminder (or one of an unowned clock's) and its clock
    is now owned by someone else who may own clocks there. A clock nobody in the business
    unit owns keeps its reminders to the officers or managers."""
    owner_id = row.deadline.owner_id
    if row.rule in NOT_THE_OWNERS or owner_id is None or owner_id == row.recipient_id:
        return False
    return may_own_clocks(owner_id, row.deadline.partnership_id)


#: A reminder claimed on an earlier day, going only now (held for a digest, then handed
#: over to someone who has each reminder on its own; or kept back by a broker that was
#: down), when the same person has had a newer one of the same clock claimed since: that
#: one says where it stands today, and one e-mail is enough.
SUPERSEDED = "a newer reminder of the deadline replaces it"


def _superseded(row: ReminderSent) -> bool:
    if timezone.localdate(row.created_at) == timezone.localdate():
        return False
    newer = ReminderSent.objects.filter(
        deadline_id=row.deadline_id, recipient_id=row.recipient_id, created_at__gt=row.created_at
    )
    return newer.exclude(rule="moved").exists()


def _digest_items_left(digest: ReminderSent) -> bool:
    """Skip a digest's items whose clock has gone or was met or stopped since they were
    claimed (as a reminder sent on its own would be), whose partnership the person has
    left, or whose clock has another owner now (`_has_another_owner`); whether any item
    is left to send. One statement each, however many items."""
    held = digest.items.filter(status=Status.HELD, deadline__isnull=False)
    held.exclude(
        Exists(
            Membership.objects.filter(
                user_id=OuterRef("recipient_id"),
                partnership_id=OuterRef("deadline__partnership_id"),
                role__in=OWNER_ROLES,
            )
        )
    ).update(status=Status.SKIPPED, last_error=LEFT)
    held.exclude(Exists(Deadline.objects.filter(pk=OuterRef("deadline_id")))).update(
        status=Status.SKIPPED, last_error="deadline gone"
    )
    held.exclude(rule="moved").filter(
        Exists(Deadline.objects.filter(pk=OuterRef("deadline_id"), closed_on__isnull=False))
    ).update(status=Status.SKIPPED, last_error="deadline closed")
    handed_over = (
        Deadline.objects.filter(pk=OuterRef("deadline_id"), owner_id__isnull=False)
        .exclude(owner_id=OuterRef("recipient_id"))
        .filter(owner_in_business_unit())
    )
    held.exclude(rule__in=NOT_THE_OWNERS).filter(Exists(handed_over)).update(
        status=Status.SKIPPED, last_error=HANDED_OVER
    )
    for item in held.filter(rule=ON_CLOSURE_DAY).select_related("deadline"):
        if item.deadline is not None and not on_closure_day_still(item):
            item.status, item.last_error = Status.SKIPPED, NOT_ON_A_CLOSURE_DAY
            item.save(update_fields=["status", "last_error"])
    return digest.items.filter(status=Status.HELD).exists()


def reminder_deliver(*, reminder_id: int) -> str:
    """Send one claimed reminder, at most once.

    The row is locked (SKIP LOCKED: a second worker holding the same task goes away) and
    marked sent in the same transaction as the SMTP hand-over succeeds. If sending raises,
    the transaction rolls back, the row stays pending and the task retries. The remaining
    window — the mail server accepted, then this process died before COMMIT — is covered
    by a stable Message-ID (ADR 0006).
    """
    try:
        with transaction.atomic():
            row = (
                ReminderSent.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("deadline", "deadline__partnership")
                .filter(pk=reminder_id)
                .first()
            )
            if row is None:
                return "locked or gone"
            if row.status != Status.PENDING:
                return row.status
            recipient = User.objects.filter(pk=row.recipient_id).first()
            skip = _should_skip(row, recipient)
            if skip:
                row.status, row.last_error = Status.SKIPPED, skip
                row.save(update_fields=["status", "last_error"])
                if skip.endswith("gone"):  # a row deleted outside Django: worth a look
                    logger.warning(
                        "reminder skipped", extra={"reminder": reminder_id, "reason": skip}
                    )
                return Status.SKIPPED
            row.recipient = recipient
            reminder_message(row).send()
            now = timezone.now()
            row.status, row.sent_at, row.attempts = Status.SENT, now, row.attempts + 1
            row.save(update_fields=["status", "sent_at", "attempts"])
            if row.rule == "digest":
                row.items.filter(status=Status.HELD).update(status=Status.SENT, sent_at=now)
    except Exception as exc:
        ReminderSent.objects.filter(pk=reminder_id, status=Status.PENDING).update(
            attempts=F("attempts") + 1, last_error=str(exc)[:300]
        )
        logger.warning("reminder not sent", extra={"reminder": reminder_id, "error": str(exc)})
        raise
    logger.info("reminder sent", extra={"reminder": reminder_id, "rule": row.rule})
    return Status.SENT
