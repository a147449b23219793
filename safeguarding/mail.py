"""Sending one e-mail from a pair of templates: `<template>.txt` as the text and
`<template>.html` beside it (every e-mail the service sends is both)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


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


def agency_recipients(agency, partnership_id: int) -> tuple[list[str], bool]:
    """Who hears, for an agency, of something in one partnership (a request, a reminder,
    an action), and whether that is the agency's own address: its active contributors in
    the partnership; if it has none, its contact e-mail (if set), so that someone there
    learns of it and asks for an account; if neither, no one."""
    from .models import Membership, Role

    emails = sorted(
        set(
            Membership.objects.active()
            .filter(role=Role.AGENCY_CONTRIBUTOR, agency=agency.pk, partnership=partnership_id)
            .values_list("user__email", flat=True)
        )
    )
    if emails:
        return emails, False
    return ([agency.contact_email], True) if agency.contact_email else ([], False)
