"""What every local review page shares: who may open it, and the one-form page."""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from safeguarding import permissions
from safeguarding.drafts import login_required_keeping_post, take_kept_post
from safeguarding.models import Role

from .. import services

REVIEW_ROLES = frozenset({*permissions.CASE_ROLES, Role.INDEPENDENT_REVIEWER})


def officer_view(view):
    """Signed in (keeping typed input across a timeout) and in a business unit, or 403."""

    @login_required_keeping_post
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.partnership_ids(request.user):
            raise PermissionDenied("Only a partnership's business unit changes local reviews.")
        return view(request, *args, **kwargs)

    return wrapped


def review_view(view):
    """Signed in, in a business unit or an independent reviewer (who then reaches only the
    reviews assigned to them, through `review_get_for`), or 403."""

    @login_required_keeping_post
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.partnership_ids(request.user, REVIEW_ROLES):
            raise PermissionDenied("Your role does not give access to local reviews.")
        return view(request, *args, **kwargs)

    return wrapped


def form_page(
    request,
    review,
    form_class,
    title,
    run,
    *,
    intro="",
    initial=None,
    back=None,
    form_kwargs=None,
    done=None,
    extra=None,
    template="lcspr/form.html",
):
    """One form on one page: validate, call the service, show its errors in GOV.UK style."""
    kept = take_kept_post(request)
    posted = request.method == "POST"
    data = request.POST if posted else kept
    files = request.FILES if posted else None
    form = form_class(data, files, initial=initial or {}, **(form_kwargs or {}))
    if posted and form.is_valid():
        try:
            result = run(form)
        except ValidationError as error:
            form.add_service_errors(error)
        except (services.TransitionError, services.ConcurrentEditError) as error:
            form.add_error(None, str(error))
        else:
            return result or redirect(done or review.get_absolute_url())
    return render(
        request,
        template,
        {
            "form": form,
            "title": title,
            "caption": f"Local review {review.reference}",
            "review": review,
            "intro": intro,
            "kept": kept is not None,
            "back": back or review.get_absolute_url(),
            **(extra or {}),
        },
    )
