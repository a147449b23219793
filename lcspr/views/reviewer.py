"""The independent reviewer's pages: answering the partners' written requests (reg 14),
in words and with a document such as the draft they asked for, checked before it is sent
(GOV.UK's check answers pattern, as the agency's return has it: the reply's page, a check
page that sends, and a confirmation page by POST/redirect/GET); and the reply's document,
for the reviewer and the business unit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from safeguarding.audit import audit_view

from .. import selectors, services
from ..forms import WrittenReplyForm
from ..mail import REVIEWER_WORK_DONE
from ..selectors import review_get_for
from .common import audited_download, form_page, review_view


def _asked(check) -> str:
    asked = f"Asked on {check.checked_on:%-d %B %Y}"
    if check.respond_by:
        asked += f", for a reply by {check.respond_by:%-d %B %Y}"
    return asked


def _answering(request, pk, check_pk):
    """The review and its written request, for a reviewer assigned to it (403 for anyone
    else who reaches the review)."""
    review = review_get_for(request.user, pk)
    check = selectors.written_request_get_for(review, check_pk)
    if not selectors.is_assigned_reviewer(request.user, review):
        raise PermissionDenied("Only a reviewer of this review answers its written requests.")
    return review, check


def _not_to_answer(request, review, check):
    """Where a request that cannot be answered now sends the reviewer, or None: one they
    answered to its confirmation page, any other answered one or one of a review that is
    published or closed to the review's checks, saying why."""
    if check.replied_at is not None and check.replied_by_id == request.user.pk:
        return redirect(reverse("lcspr:written-reply-sent", args=[review.pk, check.pk]))
    if check.replied_at is not None or review.status in REVIEWER_WORK_DONE:
        messages.info(
            request,
            "This request is answered already."
            if check.replied_at is not None
            else "The review is published or closed: its written requests are not answered.",
        )
        return redirect(review.get_absolute_url() + "#checks")
    return None


@review_view
def written_reply(request, pk, check_pk):
    review, check = _answering(request, pk, check_pk)
    elsewhere = _not_to_answer(request, review, check)
    if elsewhere is not None:
        return elsewhere
    checking = reverse("lcspr:written-reply-check", args=[review.pk, check.pk])

    def run(form):
        # Kept as a draft, to check before it is sent: nothing goes yet.
        services.written_reply_save_draft(
            check=check,
            actor=request.user,
            text=form.cleaned_data["text"],
            upload=form.cleaned_data.get("document"),
        )
        return redirect(checking)

    intro = f"{_asked(check)}: {check.note}"
    if check.reply_document:
        intro += (
            f"\n\nYour reply has ‘{check.reply_document_name}’ attached. Choose another file "
            "only to replace it."
        )
    return form_page(
        request,
        review,
        WrittenReplyForm,
        "Answer the partners’ written request",
        run,
        intro=intro,
        initial={"text": check.reply} if check.reply else None,
        back=checking if check.reply else review.get_absolute_url() + "#checks",
    )


@review_view
def written_reply_check(request, pk, check_pk):
    """The reply as it will be sent, with links to change it, and the one button that
    sends it (with the fingerprint of the reply shown, so that a reply changed since is
    not sent unread). A confirm sent again once it is sent goes to the confirmation
    page: the reply is sent once."""
    review, check = _answering(request, pk, check_pk)
    elsewhere = _not_to_answer(request, review, check)
    if elsewhere is not None:
        return elsewhere
    change = reverse("lcspr:written-reply", args=[review.pk, check.pk])
    if not check.reply:
        return redirect(change)
    problem = ""
    if request.method == "POST":
        try:
            services.written_reply_send(
                check=check, actor=request.user, checked=request.POST.get("checked")
            )
        except services.TransitionError as error:
            check.refresh_from_db()
            elsewhere = _not_to_answer(request, review, check)
            if elsewhere is not None:
                return elsewhere  # sent meanwhile (a second click): not twice
            problem = str(error)
        else:
            # POST/redirect/GET: a reload or Back of the confirmation sends nothing.
            return redirect(reverse("lcspr:written-reply-sent", args=[review.pk, check.pk]))
    else:
        audit_view(
            request,
            check,
            "check the reply",
            partnership=review.partnership,
            object_repr=f"{review.reference} {check.get_kind_display()}",
        )
    return render(
        request,
        "lcspr/written_reply_check.html",
        {
            "review": review,
            "check": check,
            "asked": _asked(check),
            "change": change,
            "checked": services.written_reply_checked(check),
            "problem": problem,
        },
    )


@review_view
def written_reply_sent(request, pk, check_pk):
    """GOV.UK's confirmation page, where sending the reply leads. It says what the
    service does next (the business unit is e-mailed, without the reply's words: see
    `services.written_reply_send`) and nothing it does not. Only for a reply sent: before,
    the check page."""
    review, check = _answering(request, pk, check_pk)
    if check.replied_at is None:
        return redirect(reverse("lcspr:written-reply-check", args=[review.pk, check.pk]))
    return render(
        request,
        "lcspr/written_reply_sent.html",
        {"review": review, "check": check, "partnership": review.partnership},
    )


@review_view
def written_reply_document(request, pk, check_pk):
    review = review_get_for(request.user, pk)
    check = selectors.written_request_get_for(review, check_pk)
    if check.replied_at is None and not selectors.is_assigned_reviewer(request.user, review):
        # A reply not sent yet is its reviewer's draft: nobody else reads it.
        raise Http404("No reviewer’s reply")
    return audited_download(
        request,
        review,
        check.reply_document,
        what="reviewer’s reply",
        filename=check.reply_document_name or "reply",
        content_type=check.reply_document_type,
        obj=check,
    )
