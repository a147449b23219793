"""Administration: only the learning themes taxonomy. Case records change only through
the services (with their checks and audit)."""

from django.contrib import admin

from safeguarding.admin import AuditedAdmin

from .models import LearningTheme


@admin.register(LearningTheme)
class LearningThemeAdmin(AuditedAdmin):
    list_display = ["name", "slug", "is_active"]
    list_editable = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
