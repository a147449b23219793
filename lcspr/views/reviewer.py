"""The independent reviewer's pages: answering the partners' written requests (reg 14),
in words and with a document such as the draft they asked for; and the reply's document,
for the reviewer and the business unit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .. import selectors, services
from ..forms import WrittenReplyForm
from ..mail import REVIEWER_WORK_DONE
from ..selectors import review_get_for
from .common import audited_download, form_page, review_view


@review_view
def written_reply(request, pk, check_pk):
    review = review_get_for(request.user, pk)
    check = selectors.written_request_get_for(review, check_pk)
    if not selectors.is_assigned_reviewer(request.user, review):
        raise PermissionDenied("Only a reviewer of this review answers its written requests.")
    back = review.get_absolute_url() + "#checks"
    if check.replied_at is not None or review.status in REVIEWER_WORK_DONE:
        messages.info(
            request,
            "This request is answered already."
            if check.replied_at is not None
            else "The review is published or closed: its written requests are not answered.",
        )
        return redirect(back)

    def run(form):
        services.written_request_reply(
            check=check,
            actor=request.user,
            text=form.cleaned_data["text"],
            upload=form.cleaned_data.get("document"),
        )
        sent = "Your reply is sent. The partnership’s business unit is emailed that it is in."
        messages.success(request, sent)
        return redirect(back)

    asked = f"Asked on {check.checked_on:%-d %B %Y}"
    if check.respond_by:
        asked += f", for a reply by {check.respond_by:%-d %B %Y}"
    return form_page(
        request,
        review,
        WrittenReplyForm,
        "Answer the partners’ written request",
        run,
        intro=f"{asked}: {check.note}",
        back=back,
    )


@review_view
def written_reply_document(request, pk, check_pk):
    review = review_get_for(request.user, pk)
    check = selectors.written_request_get_for(review, check_pk)
    return audited_download(
        request,
        review,
        check.reply_document,
        what="reviewer’s reply",
        filename=check.reply_document_name or "reply",
        content_type=check.reply_document_type,
        obj=check,
    )
