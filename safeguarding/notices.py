"""The cookies page and the privacy notice: the same words in the staff layout and the
public Learning from reviews layout, with the names and periods the settings use."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

#: The public pages' contrast choice (lcspr/views/public.py sets it, only when asked).
CONTRAST_COOKIE = "lfr_contrast"


def cookie_names() -> dict[str, str]:
    """Every cookie the service sets, by what it is for (the cookies page lists them)."""
    return {
        "session": settings.SESSION_COOKIE_NAME,
        "csrf": settings.CSRF_COOKIE_NAME,
        "contrast": CONTRAST_COOKIE,
    }


#: Each page: its title, and the include that holds its words (the same in both layouts).
STATEMENTS = {
    "accessibility": (_("Accessibility statement"), "accessibility_statement"),
    "cookies": (_("Cookies"), "cookies_statement"),
    "privacy": (_("Privacy notice"), "privacy_notice"),
}


def statement_context(name: str, cookies_url: str) -> dict:
    """What `statement.html` (staff or public) needs to show one of them."""
    title, include = STATEMENTS[name]
    return {
        "title": title,
        "statement": f"safeguarding/includes/{include}.html",
        "cookies": cookie_names(),
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "warning_before": warning_before(),
        "retention_years": settings.RETENTION_YEARS,
        "cookies_url": cookies_url,
    }


def warning_before() -> str:
    """How long before the idle sign-out the timeout warning comes, in words ("2
    minutes", "90 seconds"), as configured."""
    seconds = settings.SESSION_TIMEOUT_WARNING_SECONDS
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
