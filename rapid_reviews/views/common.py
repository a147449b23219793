"""What every rapid review page shares: who may open it, and the one-form page."""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from safeguarding import permissions
from safeguarding.drafts import login_required_keeping_post, take_kept_post
from safeguarding.models import Role

from .. import services


def officer_view(view):
    """Signed in (keeping typed input across a timeout) and in a business unit, or 403."""

    @login_required_keeping_post
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.partnership_ids(request.user):
            raise PermissionDenied("Only a partnership's business unit works on rapid reviews.")
        return view(request, *args, **kwargs)

    return wrapped


def contributor_view(view):
    """Signed in and contributing for an agency, or 403."""

    @login_required_keeping_post
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if Role.AGENCY_CONTRIBUTOR not in permissions.roles_of(request.user):
            raise PermissionDenied("Only agency contributors answer information requests.")
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
):
    """One form on one page: validate, call the service, show its errors in GOV.UK style."""
    kept = take_kept_post(request)
    data = request.POST if request.method == "POST" else kept
    initial = {"version": review.version, **(initial or {})}
    form = form_class(data, initial=initial, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # A form opened before a colleague saved the review must not overwrite it.
                services.rapid_review_check_version(
                    rapid_review=review, expected_version=form.cleaned_data.get("version")
                )
                run(form)
        except ValidationError as error:
            form.add_service_errors(error)
        except (services.TransitionError, services.ConcurrentEditError) as error:
            form.add_error(None, str(error))
        else:
            return redirect(done or review.get_absolute_url())
    return render(
        request,
        "rapid_reviews/form.html",
        {
            "form": form,
            "title": title,
            "caption": review.incident.reference,
            "review": review,
            "intro": intro,
            "kept": kept is not None,
            "back": back or review.get_absolute_url(),
        },
    )
