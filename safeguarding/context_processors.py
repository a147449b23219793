from django.conf import settings

from . import permissions


def service(request):
    """Service name, demo flag, session timing and the signed-in user's roles for layouts."""
    user = getattr(request, "user", None)
    roles = permissions.roles_of(user) if user is not None else set()
    return {
        "service_name": settings.SERVICE_NAME,
        "service_contact_email": settings.SERVICE_CONTACT_EMAIL,
        "demo_mode": settings.DEMO_MODE,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.SESSION_TIMEOUT_WARNING_SECONDS,
        "user_roles": roles,
        "can_view_audit": permissions.can_view_audit(user) if user is not None else False,
    }
