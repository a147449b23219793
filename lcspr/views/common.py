"""What every local review page shares: who may open it, and the one-form page."""

from django.http import Http404

from rapid_reviews.forms import ActionForm
from safeguarding import form_pages, permissions
from safeguarding.audit import Action, audit_record
from safeguarding.models import Role
from safeguarding.uploads import download_response

REVIEW_ROLES = frozenset({*permissions.CASE_ROLES, Role.INDEPENDENT_REVIEWER})


#: Signed in (keeping typed input across a timeout) and in a business unit, or 403.
officer_view = permissions.case_role_required(
    message="Only a partnership’s business unit changes local reviews."
)

#: Signed in, in a business unit or an independent reviewer (who then reaches only the
#: reviews assigned to them, through `review_get_for`), or 403.
review_view = permissions.case_role_required(
    REVIEW_ROLES, message="Your role does not give access to local reviews."
)


def action_heading(action) -> dict:
    """An action's page is headed by the action itself, under a caption naming its review
    and its agency (the agency's page and the business unit's alike); a description too
    long for a heading is cut short there and given in full beneath it."""
    from django.utils.text import Truncator

    description = " ".join(action.description.split())
    title = Truncator(description).chars(120)
    return {
        "title": title,
        "caption": f"Local review {action.recommendation.review.reference}: {action.agency.name}",
        "intro": action.description if title != description else "",
    }


def form_page(
    request,
    review,
    form_class,
    title,
    run,
    *,
    extra=None,
    template="lcspr/form.html",
    caption=None,
    **options,
):
    """One form on one page (safeguarding/form_pages.py); `extra` adds to the template's
    context, and `run` may return a response of its own instead of the redirect. A
    form given the review runs its service's checks against it with its other errors."""
    if issubclass(form_class, ActionForm):
        options["form_kwargs"] = {"review": review, **(options.get("form_kwargs") or {})}
    return form_pages.form_page(
        request,
        review,
        form_class,
        title,
        run,
        template=template,
        caption=caption or f"Local review {review.reference}",
        context={"review": review, **(extra or {})},
        **options,
    )


def audited_download(
    request, review, field_file, *, what: str, filename: str, content_type: str, obj=None
):
    """A review's stored document as an attachment, its download audited (on `obj`, the
    review by default), or 404 if there is none."""
    if not field_file:
        raise Http404(f"No {what}")
    # The file is opened first: one that cannot be read is not audited as downloaded.
    response = download_response(
        field_file, filename=filename, content_type=content_type or "application/octet-stream"
    )
    audit_record(
        actor=request.user,
        action=Action.DOWNLOAD,
        obj=obj or review,
        partnership=review.partnership,
        object_repr=f"{review.reference} {what}",
    )
    return response
