"""What every incident page needs: signed in (keeping typed input) and a case role."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from safeguarding import permissions
from safeguarding.drafts import login_required_keeping_post


def case_view(view):
    """Signed in (keeping typed input across a timeout) and a case role, or 403."""

    @login_required_keeping_post
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.partnership_ids(request.user):
            raise PermissionDenied("Only a partnership's business unit works on incidents.")
        return view(request, *args, **kwargs)

    return wrapped
