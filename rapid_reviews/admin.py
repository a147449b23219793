"""Administration: only each partnership's local timetable. Case records are never edited
here (they change only through the services, with their checks and audit)."""

from django.contrib import admin

from safeguarding.admin import AuditedAdmin

from .models import Timetable


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
