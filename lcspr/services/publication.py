"""Before and at publication: the final report to the National Panel and DfE at least 7
working days before publication, then publication itself, which writes the anonymised
`PublishedReview` (with copies of the published files) the public pages read."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from safeguarding import calendar
from safeguarding.audit import Action, audit_record
from safeguarding.deadlines import Kind, deadline_close
from safeguarding.form_fields import working_day_checked
from safeguarding.models import User

from ..models import (
    NOTICE_WORKING_DAYS,
    AnonymisationCheck,
    LearningBriefing,
    PublicationKind,
    PublishedReview,
    Review,
    Status,
)
from ..report_pdf import UnreadableReport, identifying_in_report, public_copy
from .briefing import (
    BRIEFING_FIELDS,
    briefing_generate,
    identifying_patterns,
    identifying_terms_in,
)
from .common import (
    TransitionError,
    ensure_move,
    latest_of,
    locked,
    locked_for_change,
    move,
    past_date,
    planned_too_late,
    raise_if,
    require_manager,
    since_hold,
)


def earliest_publication(review: Review, notice_sent_on: dt.date) -> calendar.Explanation:
    """The earliest allowed publication date, with the working days counted and skipped."""
    return calendar.explain(notice_sent_on, NOTICE_WORKING_DAYS, partnership=review.partnership)


def _too_early(review: Review, sent_on: dt.date, value: dt.date, what: str) -> str | None:
    earliest = earliest_publication(review, sent_on).due
    if value < earliest:
        return (
            f"{what} must be on or after {earliest:%-d %B %Y}: at least "
            f"{NOTICE_WORKING_DAYS} working days after the final report went to the "
            f"National Panel and DfE on {sent_on:%-d %B %Y}"
        )
    return None


def notice_errors(
    review: Review, *, sent_on: dt.date | None, planned_publication: dt.date | None
) -> dict[str, str]:
    """The notice's date, after the approval, a hold and an earlier notice, and the
    planned publication 7 working days on (for the service and its form)."""
    again = review.status == Status.NOTICE_SENT
    not_before, not_before_what = latest_of(
        (review.final_approved_on, "the date the final report was approved"),
        since_hold(review),
        (review.notice_sent_on if again else None, "the earlier notice"),
    )
    errors = past_date(
        sent_on,
        "sent_on",
        "the date it was sent to the Panel and DfE",
        not_before=not_before,
        not_before_what=not_before_what,
    )
    what = "The planned publication date"
    if planned_publication is None:
        errors["planned_publication"] = "Enter the planned publication date"
    elif message := planned_too_late(review, planned_publication, what):
        errors["planned_publication"] = message
    elif sent_on and not errors:
        message = _too_early(review, sent_on, planned_publication, what)
        if message:
            errors["planned_publication"] = message
    # A date the partnership plans to meet, as an action's due date: a working day (one
    # kept as it was recorded is not refused).
    return working_day_checked(
        errors,
        "the planned publication date",
        planned_publication,
        partnership=review.partnership,
        was=review.planned_publication,
        field="planned_publication",
    )


@transaction.atomic
def review_send_notice(
    *,
    review: Review,
    actor: User,
    sent_on: dt.date | None,
    planned_publication: dt.date | None,
    expected_version: int | None = None,
) -> Review:
    """Record that the final report went to the National Panel and DfE, and the planned
    publication date (no earlier than 7 working days after). Recorded again (a revised
    report sent after a hold, or a new planned date), the 7 working days count from the
    latest notice; the earlier one stays in the audit trail."""
    review = locked_for_change(review, actor, expected_version)
    again = review.status == Status.NOTICE_SENT
    if not again:
        ensure_move(review, Status.NOTICE_SENT)
    raise_if(notice_errors(review, sent_on=sent_on, planned_publication=planned_publication))
    before = {
        "notice_sent_on": review.notice_sent_on,
        "planned_publication": review.planned_publication,
    }
    if again:
        review.version += 1
    else:
        move(review, Status.NOTICE_SENT, actor)
    review.notice_sent_on = sent_on
    review.planned_publication = planned_publication
    review.save()
    deadline_close(subject=review, kind=Kind.PRE_PUBLICATION_NOTICE, on=sent_on)
    changes = {"notice_sent_on": sent_on, "planned_publication": planned_publication}
    if again:
        changes = {key: {"old": before[key], "new": value} for key, value in changes.items()}
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes=changes,
    )
    return review


def _slug_base(title: str) -> str:
    return slugify(title)[:100].strip("-") or "review"


def _unique_slug(partnership, title: str) -> str:
    """The public address's last part, made from the title (with -2, -3 … when the
    partnership already has one). A copy given a new address never gets its own old one
    back: the old one stops working (a corrected "Jay 2" is not left at `jay-2` because
    another review has `jay`)."""
    base = _slug_base(title)
    slug, n = base, 2
    taken = PublishedReview.objects.filter(partnership=partnership)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _address_kept(published: PublishedReview, *, old_title: str, new_title: str) -> bool:
    """Whether a copy whose title goes from `old_title` to `new_title` keeps its address:
    only when that address is the new title's own. The two titles make the same address
    (they differ only in case, punctuation or spacing), and the address is that one, or
    that one with the number publication adds because another review in the partnership
    has it. A number that belonged to the title ("Jay, aged 15" corrected to "Jay, aged")
    is a word taken out of it, and an address with a number nobody else's address
    explains may be left from an earlier title: both get a new address."""
    base = _slug_base(new_title)
    if _slug_base(old_title) != base:
        return False
    if published.slug == base:
        return True
    if not re.fullmatch(rf"{re.escape(base)}-\d+", published.slug):
        return False
    others = PublishedReview.objects.filter(partnership_id=published.partnership_id)
    return others.exclude(pk=published.pk).filter(slug=base).exists()


def _save_at_unique_address(published: PublishedReview, *, attempts: int = 5) -> None:
    """Save the copy. Its address was free when it was chosen, but another review of the
    same title published at the same moment may have taken it since (the database keeps
    addresses unique in a partnership): then it takes the next free one."""
    for _ in range(attempts):
        try:
            with transaction.atomic():
                published.save()
            return
        except IntegrityError:
            others = PublishedReview.objects.filter(partnership_id=published.partnership_id)
            if not others.exclude(pk=published.pk).filter(slug=published.slug).exists():
                raise  # not the address: nothing to retry
            published.slug = _unique_slug(published.partnership, published.title)
    raise ValidationError(
        {
            "public_title": "Other reviews with this title were being published at the "
            "same moment: try again"
        }
    )


def _copy(field_file, target, prefix: str, extension: str) -> None:
    with field_file.open("rb") as source:
        data = source.read()
    target.save(f"{prefix}/{uuid.uuid4().hex}{extension}", ContentFile(data), save=False)


def _report_not_anonymised(review: Review, report) -> str | None:
    """Why the uploaded report cannot be published as it is, if it cannot: its pages or
    hidden properties name the child, give a date of birth or the case reference, or it
    cannot be read to check."""
    report.seek(0)
    data = report.read()
    report.seek(0)
    try:
        found = identifying_in_report(data, identifying_patterns(review))
    except UnreadableReport as error:
        return str(error)
    if found:
        return "The final report must be anonymised: remove " + ", ".join(map(str, found))
    return None


def _fill_from_case(published: PublishedReview, review: Review, briefing) -> list:
    """Copy the briefing (its files, key learning and hash), the recommendations and the
    search text onto the public copy; the themes to set once it is saved."""
    themes = list(review.themes.all())
    published.key_learning = briefing.key_learning
    published.recommendations = PublishedReview.recommendations_text(review.recommendations.all())
    published.briefing_hash = briefing.content_hash
    published.search_text = "\n".join(
        [published.title, published.summary, published.key_learning, published.improvements]
        + [t.name for t in themes]
    )
    prefix = f"published/{review.partnership.pk}"
    _copy(briefing.pdf, published.briefing_pdf, prefix, ".pdf")
    _copy(briefing.pptx, published.briefing_pptx, prefix, ".pptx")
    return themes


def _not_anonymised(found: list[str]) -> str:
    return "Published material must be anonymised: remove " + ", ".join(f"‘{t}’" for t in found)


def _write_published(review: Review, briefing: LearningBriefing) -> PublishedReview:
    partnership = review.partnership
    # Dated, listed and archived from the day the public can read it (the form says an
    # embargoed review counts as published on the embargo's last day).
    public_on = _public_on(review.published_on, review.embargo_until)
    published = PublishedReview(
        partnership=partnership,
        source_review_id=review.pk,
        slug=_unique_slug(partnership, review.public_title),
        title=review.public_title,
        summary=review.public_summary,
        year=public_on.year,
        published_on=public_on,
        embargo_until=review.embargo_until,
        kind=review.publication_kind,
        improvements=review.improvements,
        nspcc_sent_on=review.nspcc_sent_on,
    )
    if review.publication_kind == PublicationKind.FULL_REPORT:
        _write_public_report(published, review)
    themes = _fill_from_case(published, review, briefing)
    _save_at_unique_address(published)
    published.themes.set(themes)
    return published


def _public_on(published_on: dt.date | None, embargo_until: dt.date | None) -> dt.date | None:
    """The report is published, for the 6 months and the timeliness figures, on the day
    the public can read it: the end of an embargo, where there is one."""
    if embargo_until and published_on and embargo_until > published_on:
        return embargo_until
    return published_on


def publish_errors(
    review: Review,
    *,
    kind,
    public_title: str,
    public_summary: str,
    checks,
    published_on: dt.date | None,
    report=None,
    improvements: str = "",
    improvements_reason: str = "",
    embargo_until: dt.date | None = None,
    nspcc_sent_on: dt.date | None = None,
    late_reason: str = "",
) -> dict:
    """What publishing needs: what each kind needs (a report that is a PDF naming no one,
    or the improvements and why), the public words anonymised, every anonymisation check,
    the dates against the notice, and a briefing of one page (for the service and its
    form)."""
    errors = {}
    if kind not in PublicationKind.values:
        errors["kind"] = "Select what is being published"
    if kind == PublicationKind.FULL_REPORT:
        if report is None:
            errors["report"] = "Select the final report (PDF)"
        else:
            _, message = _check_report(review, report)
            if message:
                errors["report"] = message
    if kind == PublicationKind.IMPROVEMENTS:
        if not (improvements or "").strip():
            errors["improvements"] = "Enter the improvements to be made"
        if not (improvements_reason or "").strip():
            errors["improvements_reason"] = "Enter why the report itself is not being published"
    if not (public_title or "").strip():
        errors["public_title"] = "Enter the public title"
    if not (public_summary or "").strip():
        errors["public_summary"] = "Enter the public summary"
    missing = [c for c in AnonymisationCheck.values if c not in (checks or [])]
    if missing:
        errors["checks"] = "Confirm every anonymisation check before publishing"
    not_before, not_before_what = latest_of(
        (review.notice_sent_on, "the date it went to the Panel and DfE"), since_hold(review)
    )
    errors.update(
        past_date(
            published_on,
            "published_on",
            "the date of publication",
            not_before=not_before,
            not_before_what=not_before_what,
        )
    )
    if embargo_until and published_on and embargo_until < published_on:
        errors["embargo_until"] = "The embargo date must be the same as or after publication"
    public_on = _public_on(published_on, embargo_until)
    earliest = (
        earliest_publication(review, review.notice_sent_on).due if review.notice_sent_on else None
    )
    # Before the earliest day the only way up is an embargo: each refusal of the date of
    # publication then says so (today is too early, the earliest day in the future).
    by_embargo = (
        f". To put the report up today, set an embargo that ends on or after {earliest:%-d %B %Y}"
        if earliest and earliest > timezone.localdate() and not embargo_until
        else ""
    )
    future = published_on is not None and published_on > timezone.localdate()
    if by_embargo and "published_on" in errors and future:
        errors["published_on"] += by_embargo
    # The 7 working days run to the day the public can read the report: under an embargo,
    # its end (the day it counts as published for the 6 months too). (No notice yet,
    # publishing is refused as a step out of order: the service says so.)
    if public_on and "published_on" not in errors and review.notice_sent_on:
        embargoed = public_on != published_on
        message = _too_early(
            review,
            review.notice_sent_on,
            public_on,
            "The embargo date" if embargoed else "The date of publication",
        )
        if message:
            errors["embargo_until" if embargoed else "published_on"] = message + (
                "" if embargoed else by_embargo
            )
    late = public_on is not None and public_on > review.target_publication
    if late and not (late_reason or "").strip():
        happens = "is published" if public_on == published_on else "becomes public"
        errors["late_reason"] = (
            f"Enter why the review {happens} after the statutory date "
            f"({review.target_publication:%-d %B %Y}, 6 months after the decision)"
        )
    if nspcc_sent_on:
        errors.update(
            past_date(
                nspcc_sent_on,
                "nspcc_sent_on",
                "the date it was sent to the NSPCC repository",
                not_before=published_on,
                not_before_what="the date of publication",
            )
        )
    briefing = LearningBriefing.objects.filter(review=review).first()
    if briefing is None:
        errors["__all__"] = "Write the learning briefing before publishing"
    elif not briefing.fits_one_page:
        errors["__all__"] = "Shorten the learning briefing to one page before publishing"
    patterns = identifying_patterns(review)
    for field, value in (
        ("public_title", public_title),
        ("public_summary", public_summary),
        ("improvements", improvements),
    ):
        found = identifying_terms_in(review, value, patterns=patterns)
        if found:
            errors[field] = _not_anonymised(found)
    messages = [errors["__all__"]] if "__all__" in errors else []
    if briefing is not None:
        # Checked when it was saved, but against the checks of that day: it is published
        # now, so it is checked now, as a correction of the public copy checks it.
        found = identifying_terms_in(
            review, *[getattr(briefing, f) for f in BRIEFING_FIELDS], patterns=patterns
        )
        if found:
            messages.append(
                _not_anonymised(found) + " from the learning briefing (on the review’s page) first"
            )
    found = identifying_terms_in(
        review, *review.recommendations.values_list("text", flat=True), patterns=patterns
    )
    if found:
        messages.append(
            _not_anonymised(found) + " from the recommendations (change them under "
            "‘Recommendations and action plan’ on the review’s page) first"
        )
    if messages:
        errors["__all__"] = messages[0] if len(messages) == 1 else messages
    return errors


@transaction.atomic
def review_publish(
    *,
    review: Review,
    actor: User,
    kind: str,
    public_title: str,
    public_summary: str,
    checks: list[str],
    published_on: dt.date | None,
    report=None,
    improvements: str = "",
    improvements_reason: str = "",
    embargo_until: dt.date | None = None,
    nspcc_sent_on: dt.date | None = None,
    late_reason: str = "",
    expected_version: int | None = None,
) -> Review:
    from safeguarding.uploads import check_upload, private_name

    review = locked_for_change(review, actor, expected_version)
    ensure_move(review, Status.PUBLISHED)
    raise_if(
        publish_errors(
            review,
            kind=kind,
            public_title=public_title,
            public_summary=public_summary,
            checks=checks,
            published_on=published_on,
            report=report,
            improvements=improvements,
            improvements_reason=improvements_reason,
            embargo_until=embargo_until,
            nspcc_sent_on=nspcc_sent_on,
            late_reason=late_reason,
        )
    )
    # The report is checked (a PDF naming no one): kept under its checked name and hash.
    checked = check_upload(report) if kind == PublicationKind.FULL_REPORT else None
    public_on = _public_on(published_on, embargo_until)
    late = public_on > review.target_publication
    briefing = LearningBriefing.objects.get(review=review)
    move(review, Status.PUBLISHED, actor)
    review.publication_kind = kind
    review.public_title = public_title.strip()
    review.public_summary = public_summary.strip()
    review.anonymisation_checks = list(AnonymisationCheck.values)
    review.published_on = published_on
    review.late_reason = late_reason.strip() if late else ""
    review.embargo_until = embargo_until
    review.nspcc_sent_on = nspcc_sent_on
    if kind == PublicationKind.FULL_REPORT:
        review.report_file.save(
            private_name(f"lcspr/{review.partnership.pk}", checked), report, save=False
        )
        review.report_sha256 = checked.sha256
    else:
        review.improvements = improvements.strip()
        review.improvements_reason = improvements_reason.strip()
    review.save()
    deadline_close(subject=review, kind=Kind.PUBLICATION, on=public_on)
    briefing.review = review
    briefing = briefing_generate(briefing)  # the year on the briefing is the publication's
    published = _write_published(review, briefing)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={
            "published_on": published_on,
            "publication_kind": kind,
            "embargo_until": embargo_until,
            "published_review": published.pk,
        },
    )
    return review


@transaction.atomic
def review_record_nspcc(
    *, review: Review, actor: User, sent_on: dt.date | None, expected_version: int | None = None
) -> Review:
    """The copy sent to the NSPCC national case review repository; a second record
    corrects the date (the audit trail keeps the earlier one)."""
    review = locked_for_change(review, actor, expected_version)
    if review.status != Status.PUBLISHED:
        raise ValidationError("Record the NSPCC copy once the review is published")
    raise_if(
        past_date(
            sent_on,
            "sent_on",
            "the date it was sent to the NSPCC repository",
            not_before=review.published_on,
            not_before_what="the date of publication",
        )
    )
    earlier = review.nspcc_sent_on
    review.nspcc_sent_on = sent_on
    review.version += 1
    review.save(update_fields=["nspcc_sent_on", "version", "updated_at"])
    PublishedReview.objects.filter(source_review_id=review.pk).update(nspcc_sent_on=sent_on)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={"nspcc_sent_on": {"old": earlier, "new": sent_on}},
    )
    return review


# --- after publication: correct or withdraw the public copy ----------------------------------


def _published_copy(review: Review) -> PublishedReview:
    published = PublishedReview.objects.select_for_update().filter(source_review_id=review.pk)
    published = published.first()
    if review.status != Status.PUBLISHED or published is None:
        raise TransitionError("Only a published review has a public copy.")
    return published


def _check_report(review: Review, report) -> tuple[object | None, str | None]:
    """A final report as uploaded: (its checked upload, None), or (None, what is wrong):
    a PDF, checked by content, that names no one (report_pdf)."""
    from safeguarding.uploads import check_upload

    report.seek(0)
    if not report.read(5).startswith(b"%PDF-"):
        report.seek(0)
        return None, "The selected file must be a PDF"
    report.seek(0)
    try:
        checked = check_upload(report)
    except ValidationError as error:
        return None, error.messages[0]
    if checked.content_type != "application/pdf":
        return None, "The selected file must be a PDF"
    message = _report_not_anonymised(review, report)
    return (None, message) if message else (checked, None)


def _write_public_report(published: PublishedReview, review: Review) -> str:
    """The public copy of the case's report (cleaned, under the public title): the name
    of the one it replaces, if any, to delete once committed."""
    old = published.report.name
    with review.report_file.open("rb") as source:
        clean = public_copy(source.read(), title=published.title, author=review.partnership.name)
    published.report.save(
        f"published/{review.partnership.pk}/{uuid.uuid4().hex}.pdf", ContentFile(clean), save=False
    )
    return old


def published_update_errors(
    review: Review,
    *,
    reason: str,
    public_title: str,
    public_summary: str,
    improvements: str,
    report=None,
) -> dict:
    """A correction of the public copy, as it will be (the title, summary and
    improvements given or kept): why, what each kind needs, a corrected report that is a
    PDF naming no one, and every public word anonymised, the briefing's and the
    recommendations' too (for the service and its form)."""
    full_report = review.publication_kind == PublicationKind.FULL_REPORT
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "Enter what was corrected"
    if not public_title:
        errors["public_title"] = "Enter the public title"
    if not public_summary:
        errors["public_summary"] = "Enter the public summary"
    if not full_report and not improvements:
        errors["improvements"] = "Enter the improvements to be made"
    if report is not None:
        if not full_report:
            errors["report"] = "The review was published without its report: no report to replace"
        else:
            _, message = _check_report(review, report)
            if message:
                errors["report"] = message
    briefing = LearningBriefing.objects.filter(review=review).first()
    if not briefing.fits_one_page:
        errors["__all__"] = "Shorten the learning briefing to one page before publishing it"
    patterns = identifying_patterns(review)  # one look-up for the four checks below
    for field, value in (
        ("public_title", public_title),
        ("public_summary", public_summary),
        ("improvements", improvements),
    ):
        found = identifying_terms_in(review, value, patterns=patterns)
        if found:
            errors[field] = _not_anonymised(found)
    found = identifying_terms_in(
        review,
        *[getattr(briefing, f) for f in BRIEFING_FIELDS],
        *review.recommendations.values_list("text", flat=True),
        patterns=patterns,
    )
    if found:
        errors["__all__"] = (
            _not_anonymised(found)
            + " from the learning briefing or the recommendations (on the review’s page) first"
        )
    return errors


@transaction.atomic
def published_update(
    *,
    review: Review,
    actor: User,
    reason: str,
    public_title: str | None = None,
    public_summary: str | None = None,
    improvements: str | None = None,
    report=None,
    expected_version: int | None = None,
) -> PublishedReview:
    """Correct the public copy: its title, summary, improvements (when the report itself
    is not published) and report (a corrected PDF), and the current learning briefing,
    recommendations and themes, all checked again for anything that identifies the case.
    A value left as None stays as published. The page's address is made from the title:
    a title with other words gives it a new address (the old one stops working); one
    changed only in capitals, punctuation or spacing keeps it (`_address_kept`).

    A withdrawn copy is corrected by a partnership manager only, and the correction puts
    it back on the public pages (withdrawal is for a detail that must come out first)."""
    from safeguarding.uploads import check_upload, delete_after_commit, private_name, replace_stored

    review = locked_for_change(review, actor, expected_version)
    published = _published_copy(review)
    withdrawn = published.withdrawn_on is not None
    if withdrawn:
        require_manager(actor, review.partnership)
    full_report = review.publication_kind == PublicationKind.FULL_REPORT
    title = published.title if public_title is None else public_title.strip()
    summary = published.summary if public_summary is None else public_summary.strip()
    improved = published.improvements if improvements is None else improvements.strip()
    raise_if(
        published_update_errors(
            review,
            reason=reason,
            public_title=title,
            public_summary=summary,
            improvements=improved,
            report=report,
        )
    )
    # The corrected report is checked (a PDF naming no one): kept under its name and hash.
    checked = check_upload(report) if report is not None else None
    briefing = LearningBriefing.objects.get(review=review)

    changes = {}
    if title != published.title:
        changes["public_title"] = {"old": published.title, "new": title}
    if summary != published.summary:
        changes["public_summary"] = {"old": published.summary, "new": summary}
    if improved != published.improvements:
        changes["improvements"] = "corrected"
    review.public_title, review.public_summary = title, summary
    if not full_report:
        review.improvements = improved
    old_address = published.get_absolute_url()
    if not _address_kept(published, old_title=published.title, new_title=title):
        # The address (and the downloads' names) are made from the title: a title
        # corrected because it gave something away must not leave it in the address.
        # The old address answers "Page not found" from now on.
        published.slug = _unique_slug(review.partnership, title)
    published.title, published.summary, published.improvements = title, summary, improved
    if checked is not None:
        # The corrected report replaces the one published (which may be what identified
        # the family): the old file goes once this commits.
        replace_stored(
            review.report_file, private_name(f"lcspr/{review.partnership.pk}", checked), report
        )
        review.report_sha256 = checked.sha256
        changes["report"] = {"old": "as published", "new": "corrected PDF"}
    review.version += 1
    review.save()

    briefing = briefing_generate(briefing)
    old_names = [published.briefing_pdf.name, published.briefing_pptx.name]
    if full_report and (checked is not None or "public_title" in changes):
        old_names.append(_write_public_report(published, review))
    themes = _fill_from_case(published, review, briefing)
    published.updated_on = timezone.localdate()
    if withdrawn:
        changes["withdrawn"] = {
            "old": published.withdrawn_reason,
            "new": "back on the public pages",
        }
        published.withdrawn_on, published.withdrawn_reason = None, ""
    _save_at_unique_address(published)
    if published.get_absolute_url() != old_address:
        changes["address"] = {"old": old_address, "new": published.get_absolute_url()}
    published.themes.set(themes)
    delete_after_commit(published.briefing_pdf.storage, *old_names)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={
            "public copy": {"old": "as published", "new": "corrected"},
            **changes,
            "reason": reason.strip(),
        },
    )
    return published


@transaction.atomic
def published_withdraw(*, review: Review, actor: User, reason: str) -> PublishedReview:
    """Take the review off the public pages at once (a manager's decision, with why):
    every list, page and download stops showing it. The case record is unchanged."""
    require_manager(actor, review.partnership)
    review = locked(review)
    published = _published_copy(review)
    if published.withdrawn_on is not None:
        return published
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the review is being withdrawn"})
    published.withdrawn_on = timezone.localdate()
    published.withdrawn_reason = reason.strip()
    published.save(update_fields=["withdrawn_on", "withdrawn_reason"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=review,
        partnership=review.partnership,
        changes={
            "public copy": {"old": "on the public pages", "new": "withdrawn"},
            "reason": reason.strip(),
        },
    )
    return published
