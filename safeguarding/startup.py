"""Checks the serving processes (web and worker) make before they start."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_start() -> None:
    """Refuse to serve without a secret key (settings.py already refuses a weak one), or
    without the service's public https address: SITE_URL starts every link in e-mails
    and calendar feeds, and its default (127.0.0.1) would send each recipient to their
    own computer."""
    if settings.DEBUG:
        return
    if not getattr(settings, "_wrapped", settings).SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    if not settings.SITE_URL.startswith("https://"):
        raise ImproperlyConfigured(
            "SITE_URL must be the service’s public https:// address when DEBUG is off: every "
            "link in emails and calendar feeds starts with it (see .env.example)."
        )
