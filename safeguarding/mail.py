"""Sending one e-mail from a pair of templates: `<template>.txt` as the text and
`<template>.html` beside it (every e-mail the service sends is both)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string

#: An e-mail not sent this long after it was first queued (when its change committed) is
#: queued again by beat: a broker outage then would otherwise lose it.
REQUEUE_AFTER = dt.timedelta(minutes=10)
#: Older ones are not e-mailed any more: someone has noticed by then.
REQUEUE_WITHIN = dt.timedelta(days=7)


def requeue_window(field: str, *, now: dt.datetime) -> dict:
    """The filter on `field` (when the e-mail was first queued) of what beat queues again."""
    return {f"{field}__lt": now - REQUEUE_AFTER, f"{field}__gte": now - REQUEUE_WITHIN}


def untold(queryset, field: str, *, now: dt.datetime):
    """The ids of `queryset`'s rows whose e-mail, first queued at `field`, beat queues
    again (`requeue_window`), oldest first."""
    return (
        queryset.filter(**requeue_window(field, now=now))
        .order_by(field, "id")
        .values_list("pk", flat=True)
    )


def claim_untold(queryset, pk, field: str):
    """The row `pk` of `queryset` whose e-mail is still to go (its mark `field` set),
    locked, with the mark cleared: the caller then sends in the same transaction, so a
    failed send rolls the clearing back for the retry, and the task queued after the
    commit and beat's re-queue (`untold`) send once between them. None when it is gone or
    told already. Only in a transaction (the lock's)."""
    row = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None or getattr(row, field) is None:
        return None
    setattr(row, field, None)
    row.save(update_fields=[field])
    return row


def send_templated(*, to: list[str], subject: str, template: str, context: dict) -> None:
    """Send `template`.txt with `template`.html as its HTML alternative."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def agency_contributors(pairs) -> dict[tuple[int, int], list[tuple[str, str]]]:
    """The active contributors of each (agency id, partnership id) pair, as (full name,
    e-mail) by name: the people `agency_recipients` e-mails. One query, however many pairs;
    a pair with no one is missing from the answer."""
    from .models import Membership, Role

    where = Q()
    for agency_id, partnership_id in set(pairs):
        where |= Q(agency=agency_id, partnership=partnership_id)
    if not where:
        return {}
    found: dict[tuple[int, int], set[tuple[str, str]]] = {}
    for agency_id, partnership_id, name, email in (
        Membership.objects.active()
        .filter(where, role=Role.AGENCY_CONTRIBUTOR)
        .values_list("agency_id", "partnership_id", "user__full_name", "user__email")
    ):
        found.setdefault((agency_id, partnership_id), set()).add((name, email))
    return {pair: sorted(people) for pair, people in found.items()}


def agency_recipients(agency, partnership_id: int) -> tuple[list[str], bool]:
    """Who hears, for an agency, of something in one partnership (a request, a reminder,
    an action), and whether that is the agency's own address: its active contributors in
    the partnership; if it has none, its contact e-mail (if set), so that someone there
    learns of it and asks for an account; if neither, no one."""
    people = agency_contributors([(agency.pk, partnership_id)]).get((agency.pk, partnership_id))
    emails = sorted({email for _, email in people or ()})
    if emails:
        return emails, False
    return ([agency.contact_email], True) if agency.contact_email else ([], False)


def business_unit_to_tell(partnership_id: int, asked_by_id: int | None) -> list[str]:
    """Who in a partnership's business unit hears that something they asked for has come
    (a return, a reviewer's reply): whoever asked, if they still hold an officer or
    manager role there; otherwise its review officers; and if it has none, its managers."""
    from .models import Membership, Role

    case_roles = (
        Membership.objects.active()
        .with_role(Role.REVIEW_OFFICER, Role.PARTNERSHIP_MANAGER)
        .filter(partnership=partnership_id)
    )
    if asked_by_id is not None:
        theirs = set(case_roles.filter(user=asked_by_id).values_list("user__email", flat=True))
        if theirs:
            return sorted(theirs)
    for role in (Role.REVIEW_OFFICER, Role.PARTNERSHIP_MANAGER):
        emails = set(case_roles.with_role(role).values_list("user__email", flat=True))
        if emails:
            return sorted(emails)
    return []
