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
