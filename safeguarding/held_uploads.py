"""Files held for a form refused for another answer (ADR 0003, addendum of 2026-12-07).

A browser never sends a file again: a page shown again with errors has an empty file
input, and the person had to choose the file again without being told. Now, when a form
with a file question is refused, each file that passed its own checks (no error at its
question: its type and size, and whatever its service checks of it) is stored privately
(`HeldUpload`, in the default storage under MEDIA_ROOT, which has no URL) and the page
says, under the file input, "report.pdf is uploaded. Choose a different file to replace
it.". A hidden field (`HELD_FIELD`, added by GDSFormMixin to every form with a file
question) carries a signed token naming the held files. Saving again without choosing a
file puts the held one back in the form as if it had been sent (so every check reads it
again), and once the save is done it is deleted.

The token is signed for the person, the case record the page belongs to and the form (its
class and the page's path), and lasts a day: a token of another person, record, form or
page, one changed by hand or older than a day is ignored, as if no file were held. The
rows are looked up by the same three as well, so nobody reaches another's file. The
hourly sweep (`clear_expired`, task `safeguarding.clear_held_uploads`) deletes files held
for more than a day.

Used by every form page (`form_pages.form_page`) and by the incident's attachments page:

    held = held_uploads.hold_for(form, request=request, record=record)  # before is_valid
    ...save... held.used_up()      # after a successful save, inside its transaction
    held.keep()                    # before showing the page again with its errors
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

#: The hidden field carrying the token (GDSFormMixin adds it to forms with a file question).
HELD_FIELD = "held_files"
#: How long a file is held (and its token honoured).
HOLD_FOR = dt.timedelta(days=1)
SALT = "safeguarding.held_uploads"
#: Where the held files are stored, in the default (private) storage.
FOLDER = "held"


def held_field() -> forms.CharField:
    return forms.CharField(required=False, widget=forms.HiddenInput)


def file_fields(form) -> list[str]:
    return [name for name, field in form.fields.items() if isinstance(field, forms.FileField)]


def record_key(record) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


def form_key(form, path: str) -> str:
    return f"{type(form).__module__}.{type(form).__qualname__}:{path}"[:300]


class HeldUploads:
    """The held files of one form on one page for one person (see the module's notes)."""

    def __init__(self, form, *, user, record, path: str):
        self.form = form
        self.user = user
        self.owner = {"u": user.pk, "r": record_key(record), "f": form_key(form, path)}
        #: field -> the HeldUpload put back into the form for it.
        self.taken: dict = {}
        #: field -> the file object put back (to tell it from one chosen now).
        self._given: dict = {}
        form.held_names = {}
        self._take()

    # --- reading the token -----------------------------------------------------------

    def _held_rows(self) -> dict:
        from .models import HeldUpload

        token = self.form.data.get(self.form.add_prefix(HELD_FIELD)) if self.form.data else None
        if not token or not isinstance(token, str):
            return {}
        try:
            payload = signing.loads(token, salt=SALT, max_age=HOLD_FOR)
        except (signing.BadSignature, ValueError, TypeError):
            return {}  # changed by hand, or expired (SignatureExpired is a BadSignature)
        if not isinstance(payload, dict) or any(
            payload.get(key) != value for key, value in self.owner.items()
        ):
            return {}  # another person's, record's, form's or page's
        held = payload.get("h")
        if not isinstance(held, dict):
            return {}
        wanted = {
            name: pk
            for name, pk in held.items()
            if name in file_fields(self.form) and isinstance(pk, int)
        }
        rows = HeldUpload.objects.filter(
            pk__in=wanted.values(),
            user=self.user,
            record=self.owner["r"],
            form=self.owner["f"],
            created_at__gt=timezone.now() - HOLD_FOR,
        )
        by_pk = {row.pk: row for row in rows}
        return {
            name: by_pk[pk]
            for name, pk in wanted.items()
            if pk in by_pk and by_pk[pk].field == name
        }

    def _take(self) -> None:
        """Each held file whose question was sent without a file goes back into the form,
        as if sent again."""
        if not self.form.is_bound:
            return
        rows = self._held_rows()
        if not rows:
            return
        files = self.form.files.copy() if self.form.files else MultiValueDict()
        for name, row in rows.items():
            key = self.form.add_prefix(name)
            if files.get(key):
                self.taken[name] = row  # replaced by a file chosen now: let go in keep()
                continue
            try:
                with row.file.open("rb") as stored:
                    content = stored.read()
            except OSError:
                continue  # gone from storage: nothing is held
            upload = SimpleUploadedFile(row.original_name, content)
            files[key] = upload
            self.taken[name] = row
            self._given[name] = upload
            self.form.held_names[name] = row.original_name
        self.form.files = files

    # --- after the page is refused, or saved --------------------------------------------

    def keep(self) -> None:
        """The form was refused: hold each file that passed its own checks, and put the
        token naming them in the page. A question with an error holds nothing."""
        form = self.form
        if not form.is_bound or not form.errors:
            return
        held = {}
        names = {}
        cleaned = getattr(form, "cleaned_data", {}) or {}
        for name in file_fields(form):
            row = self.taken.get(name)
            upload = cleaned.get(name)
            if name in form.errors or not isinstance(upload, UploadedFile):
                if row is not None and name in form.errors:
                    _delete(row)
                continue
            if row is None or upload is not self._given.get(name):
                if row is not None:
                    _delete(row)  # replaced by the file chosen now
                row = self._store(name, upload)
            held[name] = row.pk
            names[name] = row.original_name
        form.held_names = names
        data = form.data.copy()
        data[form.add_prefix(HELD_FIELD)] = (
            signing.dumps({**self.owner, "h": held}, salt=SALT) if held else ""
        )
        form.data = data

    def _store(self, name: str, upload: UploadedFile):
        from .models import HeldUpload
        from .uploads import _short_name

        upload.seek(0)
        content = upload.read()
        upload.seek(0)
        row = HeldUpload(
            user=self.user,
            record=self.owner["r"],
            form=self.owner["f"],
            field=name,
            original_name=_short_name(upload.name or "file"),
        )
        row.file.save(f"{FOLDER}/{uuid.uuid4().hex}", ContentFile(content), save=False)
        row.save()
        return row

    def used_up(self) -> None:
        """The form was saved: the held files it used are deleted once its transaction
        commits (not before: a save rolled back still has them to offer)."""
        rows = list(self.taken.values())
        if rows:
            transaction.on_commit(lambda: [_delete(row) for row in rows])


def _delete(row) -> None:
    name = row.file.name
    row.delete()
    if name:
        row.file.storage.delete(name)


def hold_for(form, *, request, record) -> HeldUploads | None:
    """The held files of `form` on this page for the signed-in person, or None for a
    form without a file question (or a page without a case record)."""
    if record is None or getattr(record, "pk", None) is None or not file_fields(form):
        return None
    if not getattr(request.user, "is_authenticated", False):
        return None
    return HeldUploads(form, user=request.user, record=record, path=request.path)


def clear_expired(*, now=None) -> int:
    """Delete the files held for more than a day (the hourly sweep); how many."""
    from .models import HeldUpload

    now = now or timezone.now()
    count = 0
    for row in HeldUpload.objects.filter(created_at__lte=now - HOLD_FOR).iterator():
        _delete(row)
        count += 1
    return count
