"""Forms that create something are taken once: the second post of the same form (a
double click, the back button and Continue again, two requests racing) finds its token
taken and is shown what the first one made."""

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.token
