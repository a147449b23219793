"""Create-once forms: `OnceFormMixin` carries a token, `taken_before` claims it.

A form that creates a record (an incident, a recommendation, an action, a partners'
check) is given a fresh token when it is first shown; the token goes back with every
post of that page, errors and all. The view claims it in the same transaction as the
create: the first post wins; a second post of the same page (a double click, the back
button and Continue again, two requests at once) finds the token taken and is sent to
what the first one made, with a message, instead of making it again. A post refused for
errors rolls back, claim and all, so the corrected form can be sent.
"""

from __future__ import annotations

import re
import uuid

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction

from .models import FormSubmission

TOKEN = re.compile(r"[0-9a-f]{32}")  # uuid4().hex, as `OnceFormMixin` writes it
ALREADY = "This was saved already: the form was sent twice, so it was not saved again."


class OnceFormMixin(forms.Form):
    once = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)
    #: Back after saving shows the page anew (a new token) and, without this, the browser
    #: would fill in what was typed: one click would then make the record again.
    restore_typing = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["once"].initial = uuid.uuid4().hex


def taken_before(request, form) -> str | None:
    """Claim the form's token for this post; if an earlier post took it, the address of
    what that post made ("" if it left none). Call inside the create's transaction."""
    token = (form.cleaned_data.get("once") or "").strip()
    if not token:
        return None  # a page from before tokens, or a hand-made post: no protection
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=request.user)
    except IntegrityError:
        earlier = FormSubmission.objects.filter(token=token, user=request.user).first()
        messages.info(request, ALREADY)
        return earlier.url if earlier is not None else ""
    return None


def sent_before(request) -> str | None:
    """If an earlier post of this page by the same person took its token: the address of
    what that post made ("" if it left none). Asked before the form is checked, because
    the answers, made once already, may now fail a check against the case (the same
    recommendation twice): a second post is sent to the first one's record, not refused."""
    token = request.POST.get("once") or ""
    if not TOKEN.fullmatch(token):
        return None  # not a token this service wrote: the form's own checks say so
    earlier = FormSubmission.objects.filter(token=token, user=request.user).only("url").first()
    if earlier is None:
        return None
    messages.info(request, ALREADY)
    return earlier.url


def made(form, url: str) -> None:
    """Note where the first post's record is, for the posts that come after it."""
    token = (form.cleaned_data.get("once") or "").strip()
    if token:
        FormSubmission.objects.filter(token=token).update(url=url[:300])
