"""Typed input survives a session timeout.

If a session has expired when a form is posted, the posted values are kept in the new
(anonymous) session under the form's path, the person signs in again, and the form page
shows what they typed, ready to save. Only the same path can take them back, and that
path's view still checks the person may see the record, so nothing crosses partnerships.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict

KEY = "kept-post:"


#: More than this is not kept (the longest form, a chronology, is well under it); anyone
#: can post to a case page, signed in or not, and sessions live in the database.
MAX_KEPT_CHARACTERS = 200_000


def login_required_keeping_post(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            _forget_others(request, keep=KEY + request.path)
            return view(request, *args, **kwargs)
        if request.method == "POST":
            values = {
                k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"
            }
            _forget_others(request, keep=None)
            if sum(len(v) for vs in values.values() for v in vs) <= MAX_KEPT_CHARACTERS:
                request.session[KEY + request.path] = values
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


def take_kept_post(request) -> QueryDict | None:
    """The values posted to this path before a timeout, once (then forgotten)."""
    kept = request.session.pop(KEY + request.path, None)
    if not kept:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept.items():
        data.setlist(key, values)
    return data
