"""Administration: only each partnership's local timetable. Case records are never edited
here (they change only through the services, with their checks and audit)."""

from django.contrib import admin

from safeguarding.admin import AuditedAdmin

from .models import Timetable

_DEFAULT_DAYS = ", ".join(str(day) for day in Timetable.DEFAULTS_BY_KEY.values())


@admin.register(Timetable)
class TimetableAdmin(AuditedAdmin):
    list_display = [
        "partnership",
        "requests_day",
        "returns_day",
        "meeting_day",
        "sign_off_day",
        "panel_day",
    ]
    fieldsets = [
        (None, {"fields": ["partnership"]}),
        (
            "Steps",
            {
                "description": (
                    "Working days after the notification was sent to the National Panel, "
                    "by which each step is due. A partnership with no timetable of its own "
                    f"uses these days: {_DEFAULT_DAYS}. A change applies to the rapid "
                    "reviews that open from then on; those open already keep their dates."
                ),
                "fields": [
                    "requests_day",
                    "returns_day",
                    "meeting_day",
                    "sign_off_day",
                    "panel_day",
                ],
            },
        ),
    ]
