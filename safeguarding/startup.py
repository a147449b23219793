"""Checks the serving processes (web and worker) make before they start."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_start() -> None:
    """Refuse to serve without a secret key (settings.py already refuses a weak one)."""
    if not settings.DEBUG and not getattr(settings, "_wrapped", settings).SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
