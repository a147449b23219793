"""Files held for a form refused for another answer (safeguarding/held_uploads.py)."""

from django.conf import settings
from django.db import models


def _held_path(instance, filename):  # pragma: no cover - names come from held_uploads.py
    return filename


class HeldUpload(models.Model):
    """A file that passed its own checks on a form the page refused for something else,
    kept so that saving again without choosing it again uses it. It belongs to one person,
    one case record and one form (on one page); it is stored privately as case files are,
    deleted once used and by the hourly sweep a day after it was held."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    #: "<app>.<model>:<pk>" of the case record the page belongs to.
    record = models.CharField(max_length=100)
    #: The form's class and the page's path.
    form = models.CharField(max_length=300)
    field = models.CharField(max_length=100)
    file = models.FileField(upload_to=_held_path, max_length=200)
    original_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.original_name
