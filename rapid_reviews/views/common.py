"""What every rapid review page shares: who may open it, and the one-form page."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from safeguarding import form_pages, permissions
from safeguarding.drafts import login_required_keeping_post
from safeguarding.models import Role

from .. import services
from ..forms import ActionForm

#: Signed in (keeping typed input across a timeout) and in a business unit, or 403.
officer_view = permissions.case_role_required(
    message="Only a partnership’s business unit works on rapid reviews."
)


def contributor_view(view):
    """Signed in and contributing for an agency, or 403."""

    @login_required_keeping_post
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if Role.AGENCY_CONTRIBUTOR not in permissions.roles_of(request.user):
            raise PermissionDenied("Only agency contributors answer information requests.")
        return view(request, *args, **kwargs)

    return wrapped


def form_page(request, review, form_class, title, run, *, information_request=None, **options):
    """One form on one page (safeguarding/form_pages.py), checking the version of what
    it changes: the information request when given (a change or a send-back), else the
    review."""
    if information_request is not None:
        record = information_request

        def check(expected):
            services.information_request_check_version(
                information_request=information_request, expected_version=expected
            )
    else:
        record = review

        def check(expected):
            services.rapid_review_check_version(rapid_review=review, expected_version=expected)

    if issubclass(form_class, ActionForm):
        # The form runs its service's checks against the review with its other errors.
        options["form_kwargs"] = {"review": review, **(options.get("form_kwargs") or {})}
    return form_pages.form_page(
        request,
        record,
        form_class,
        title,
        run,
        template="rapid_reviews/form.html",
        caption=review.incident.reference,
        context={"review": review},
        check_version=check,
        **options,
    )
