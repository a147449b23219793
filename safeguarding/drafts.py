"""Typed input survives a session timeout.

If a session has expired when a form is posted, the posted values are kept in the new
(anonymous) session under the form's path, the person signs in again, and the form page
shows what they typed, ready to save. Only the same path can take them back, and that
path's view still checks the person may see the record, so nothing crosses partnerships.

Only the person who typed them gets them back: a shared computer's next user must not
see (nor save as theirs) what a colleague typed. Each signed-in case page leaves a signed
cookie naming its user (the typist); a post kept after a timeout is tagged with it, and
given back only to that user. A post with no typist cookie is not kept.

Given back, the values come as `KeptPost`: a form (or formset) bound to them shows them
as typed but without errors (`KeptValuesShownQuietly`), since the person has not pressed
its button since; the button then checks them as usual.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.forms.formsets import BaseFormSet
from django.forms.utils import ErrorDict
from django.http import QueryDict

KEY = "kept-post:"
TYPIST_COOKIE = "sg_typist"
TYPIST_SALT = "safeguarding.drafts.typist"


#: More than this is not kept (the longest form, a chronology, is well under it); anyone
#: can post to a case page, signed in or not, and sessions live in the database.
MAX_KEPT_CHARACTERS = 200_000


def _typist(request) -> str | None:
    try:
        return request.get_signed_cookie(TYPIST_COOKIE, default=None, salt=TYPIST_SALT)
    except signing.BadSignature:
        return None


def _remember_typist(request, response) -> None:
    """Name the signed-in user in the typist cookie (a browser-session cookie, signed,
    not readable by scripts), unless it already does."""
    user_pk = str(request.user.pk)
    if _typist(request) != user_pk:
        response.set_signed_cookie(
            TYPIST_COOKIE,
            user_pk,
            salt=TYPIST_SALT,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )


def login_required_keeping_post(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            _forget_others(request, keep=KEY + request.path)
            response = view(request, *args, **kwargs)
            _remember_typist(request, response)
            return response
        if request.method == "POST":
            values = {
                k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"
            }
            _forget_others(request, keep=None)
            typist = _typist(request)
            size = sum(len(v) for vs in values.values() for v in vs)
            if typist is not None and size <= MAX_KEPT_CHARACTERS:
                request.session[KEY + request.path] = {"by": typist, "post": values}
            return redirect_to_login(request.path)
        return redirect_to_login(request.get_full_path())

    return wrapped


def _forget_others(request, *, keep: str | None) -> None:
    """At most one form is kept, for the first case page after signing in again: a case
    page reached with anything else kept drops it (it was not taken back)."""
    for key in [k for k in request.session.keys() if k.startswith(KEY) and k != keep]:
        del request.session[key]


def has_kept_post(request) -> bool:
    """Whether this (signed-out) session holds typing kept from a form after a timeout:
    the sign-in page then says so."""
    session = getattr(request, "session", None)
    return session is not None and any(k.startswith(KEY) for k in session.keys())


class KeptPost(QueryDict):
    """Values posted before a timeout, given back to the page: not sent by the person
    since they signed in again."""


class KeptValuesShownQuietly:
    """For a form or formset: bound to a `KeptPost`, it shows the values as typed, with
    no errors (and is not valid: nothing is saved from it). Errors the person did not
    cause by pressing a button would greet them after signing in again."""

    def full_clean(self):
        if not isinstance(self.data, KeptPost):
            return super().full_clean()
        if isinstance(self, BaseFormSet):
            self._errors = [form.errors for form in self.forms]
            self._non_form_errors = self.error_class(error_class="nonform", renderer=self.renderer)
        else:
            self._errors = ErrorDict(renderer=self.renderer)
            self.cleaned_data = {}
        return None

    def is_valid(self) -> bool:
        return not isinstance(self.data, KeptPost) and super().is_valid()


def take_kept_post(request) -> KeptPost | None:
    """The values posted to this path before a timeout, once (then forgotten)."""
    kept = request.session.pop(KEY + request.path, None)
    if not isinstance(kept, dict) or kept.get("by") != str(request.user.pk):
        return None  # someone else's typing (or none): dropped, never shown
    data = KeptPost(mutable=True)
    for key, values in kept["post"].items():
        data.setlist(key, values)
    return data
