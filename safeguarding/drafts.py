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


def login_required_keeping_post(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            request.session[KEY + request.path] = {
                k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"
            }
            return redirect_to_login(request.path)
        return redirect_to_login(request.get_full_path())

    return wrapped


def take_kept_post(request) -> QueryDict | None:
    """The values posted to this path before a timeout, once (then forgotten)."""
    kept = request.session.pop(KEY + request.path, None)
    if not kept:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept.items():
        data.setlist(key, values)
    return data
