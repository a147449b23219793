"""When the working-day calendar changes, open clocks are recomputed and owners told once.

`calendar_changed(partnership=…)` is the service. Closure days change in the
administration site: the receivers below only schedule the service after the commit
(the rules live in the service, not in the signal). Bank-holiday data changes arrive with
a new `holidays` release: run `manage.py recompute_deadlines` after upgrading it.
"""

from __future__ import annotations

import logging

from django.db import OperationalError, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .deadlines import deadlines_recompute, typed_dates_on_closure_days
from .models import ClosureDay, Deadline, Partnership, User
from .reminders import closure_day_dates_notify, moved_deadlines_notify

logger = logging.getLogger(__name__)


#: Tries of a recompute that PostgreSQL stopped to break a deadlock with a case's save.
ATTEMPTS = 3


def calendar_changed(*, partnership: Partnership, actor: User | None = None) -> list[Deadline]:
    """Recompute a partnership's open working-day clocks; claim one "moved" e-mail per
    moved deadline and person (sent by the next sweep in office hours). Due dates typed
    by a person (an action's, a return's) are not moved: those now on a closure day get
    one e-mail per date and person saying so (`closure_day_dates_notify`), and their
    pages mark them. Idempotent, so a run stopped by a deadlock is simply run again."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                moved = deadlines_recompute(partnership=partnership, actor=actor)
                moved_deadlines_notify(deadlines=moved)
                on_closure_days = list(typed_dates_on_closure_days(partnership))
                told = closure_day_dates_notify(deadlines=on_closure_days)
            break
        except OperationalError as error:
            if "deadlock" not in str(error).lower() or attempt == ATTEMPTS:
                raise
            logger.warning("calendar recompute deadlocked; again", extra={"try": attempt})
    if moved:
        logger.info(
            "deadlines moved by calendar",
            extra={"partnership": partnership.code, "moved": [d.pk for d in moved]},
        )
    if told:
        logger.info(
            "typed due dates on closure days",
            extra={
                "partnership": partnership.code,
                "deadlines": sorted({row.deadline_id for row in told}),
            },
        )
    return moved


def calendars_changed_everywhere(*, actor: User | None = None) -> dict[str, int]:
    """After the bank-holiday data changed: every active partnership."""
    return {
        p.code: len(calendar_changed(partnership=p, actor=actor))
        for p in Partnership.objects.filter(is_active=True)
    }


def _schedule(partnership_id: int) -> None:
    def run():
        partnership = Partnership.objects.filter(pk=partnership_id).first()
        if partnership is not None:
            calendar_changed(partnership=partnership)

    transaction.on_commit(run)


@receiver(pre_save, sender=ClosureDay, dispatch_uid="closure_day_saving_recompute")
def _closure_day_saving(sender, instance, raw=False, **kwargs):
    """A closure day moved to another partnership changes the first one's calendar too."""
    if raw or instance.pk is None:
        return
    before = ClosureDay.objects.filter(pk=instance.pk).values_list("partnership_id", flat=True)
    before = before.first()
    if before is not None and before != instance.partnership_id:
        _schedule(before)


@receiver(post_save, sender=ClosureDay, dispatch_uid="closure_day_saved_recompute")
def _closure_day_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _schedule(instance.partnership_id)


@receiver(post_delete, sender=ClosureDay, dispatch_uid="closure_day_deleted_recompute")
def _closure_day_deleted(sender, instance, **kwargs):
    _schedule(instance.partnership_id)
