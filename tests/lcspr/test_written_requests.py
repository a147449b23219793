"""The partners' written request to the reviewer (reg 14): the review's reviewers are
e-mailed once, through a real SMTP server, with no child details; the request is on
their home page until its reply date."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lcspr import services
from lcspr.mail import written_request_deliver
from lcspr.models import PartnerCheck
from safeguarding.dates import short_date
from tests.mail_server import text_of
from tests.utils import sign_in

from .conftest import local_review  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def ask(review, actor, capture, *, mail=True, **overrides):
    values = dict(
        review=review,
        actor=actor,
        kind=PartnerCheck.Kind.WRITTEN_REQUEST,
        checked_on=TODAY(),
        note="Please send the draft chronology for Amelia's case.",
        respond_by=TODAY() + dt.timedelta(days=14),
    )
    values.update(overrides)
    with capture(execute=mail):
        return services.partner_check_add(**values)


def test_the_reviewers_are_told_once_without_the_childs_details(
    local_review,  # noqa: F811
    people,
    smtp,
    django_capture_on_commit_callbacks,
    settings,
):
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    check = ask(local_review, people["manager"], django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp] == [people["reviewer"].email]
    body = text_of(smtp[0])
    assert local_review.reference in " ".join(smtp[0]["Subject"].split())
    assert f"{check.respond_by:%A %-d %B %Y}" in body
    assert settings.SITE_URL + local_review.get_absolute_url() in body
    assert "Amelia" not in body and "chronology" not in body
    check.refresh_from_db()
    assert check.reviewers_told_at is not None
    assert written_request_deliver(check_id=check.pk) == "already sent"
    assert len(smtp) == 1
    # A time or quality check is not e-mailed.
    ask(
        local_review,
        people["manager"],
        django_capture_on_commit_callbacks,
        kind=PartnerCheck.Kind.QUALITY,
        respond_by=None,
        note="Draft is on track.",
    )
    assert len(smtp) == 1


def test_a_review_with_no_reviewer_yet_sends_nothing(
    local_review,  # noqa: F811
    people,
    smtp,
    django_capture_on_commit_callbacks,
):
    check = ask(local_review, people["manager"], django_capture_on_commit_callbacks)
    assert smtp == []
    assert written_request_deliver(check_id=check.pk) == "no reviewer"


def test_the_request_is_on_the_reviewers_home_page_until_its_reply_date(
    client,
    local_review,  # noqa: F811
    people,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    check = ask(local_review, people["manager"], django_capture_on_commit_callbacks, mail=False)
    sign_in(client, people["reviewer"])
    home = reverse("safeguarding:home")
    with django_assert_max_num_queries(15):
        html = client.get(home).content.decode()
    section = html.split('id="written-requests"', 1)[1].split("</table>", 1)[0]
    assert local_review.reference in section and short_date(check.respond_by) in section
    PartnerCheck.objects.filter(pk=check.pk).update(respond_by=TODAY() - dt.timedelta(days=1))
    assert 'id="written-requests"' not in client.get(home).content.decode()
    # Another reviewer, not assigned, never sees it.
    from safeguarding.models import Role
    from tests.factories import member

    other = member(Role.INDEPENDENT_REVIEWER, local_review.partnership, full_name="Other One")
    PartnerCheck.objects.filter(pk=check.pk).update(respond_by=TODAY())
    sign_in(client, other)
    assert local_review.reference not in client.get(home).content.decode()


def test_a_request_not_told_is_sent_by_the_next_sweep(
    local_review,  # noqa: F811
    people,
    smtp,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """Saved while the review had no reviewer (or the broker was down): beat's sweep
    sends it once a reviewer is assigned, and only once."""
    from lcspr import mail as lcspr_mail
    from lcspr.tasks import requeue_written_requests
    from safeguarding.celery import app as celery_app

    assert celery_app.conf.beat_schedule["requeue-written-requests"]["task"] == (
        "lcspr.requeue_written_requests"
    )
    check = ask(local_review, people["manager"], django_capture_on_commit_callbacks)
    assert smtp == []  # no reviewer yet
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    assert requeue_written_requests() == 0  # too recent: its own queueing may be on its way
    later = timezone.now() + lcspr_mail.REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: later)
    assert requeue_written_requests() == 1
    assert [m["To"] for m in smtp] == [people["reviewer"].email]
    assert requeue_written_requests() == 0 and len(smtp) == 1
    check.refresh_from_db()
    assert check.reviewers_told_at is not None


def test_a_request_recorded_after_the_fact_or_on_a_published_review_e_mails_nobody(
    local_review,  # noqa: F811
    people,
    smtp,
    django_capture_on_commit_callbacks,
):
    """A request written weeks ago and recorded now, whose reply date has passed, is for
    the record: the reviewer is not asked for something already answered."""
    from .conftest import publish, to_notice_sent

    manager = people["manager"]
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    past = ask(
        local_review,
        manager,
        django_capture_on_commit_callbacks,
        checked_on=TODAY() - dt.timedelta(days=20),
        respond_by=TODAY() - dt.timedelta(days=6),
    )
    assert smtp == []
    assert written_request_deliver(check_id=past.pk) == "no longer open"
    review = publish(to_notice_sent(local_review, manager), manager)
    published = ask(review, manager, django_capture_on_commit_callbacks)
    assert smtp == [] and written_request_deliver(check_id=published.pk) == "no longer open"


def test_the_reviewer_answers_with_a_draft_and_the_business_unit_is_told_once(
    client,
    local_review,  # noqa: F811
    people,
    smtp,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    from django.core.exceptions import PermissionDenied
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lcspr.mail import written_reply_deliver
    from tests.notifications.test_attachments import PDF

    settings.MEDIA_ROOT = tmp_path
    reviewer, manager = people["reviewer"], people["manager"]
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[reviewer]
    )
    check = ask(local_review, manager, django_capture_on_commit_callbacks, mail=False)
    sign_in(client, reviewer)
    url = reverse("lcspr:written-reply", args=[local_review.pk, check.pk])
    home = client.get(reverse("safeguarding:home")).content.decode()
    assert url in home  # to answer, from the home page
    page = client.get(url).content.decode()
    assert "Please send the draft chronology" in page  # what was asked
    # What the reviewer is told about who hears of the reply is what happens below (the
    # business unit is e-mailed, without the words), not "It is not e-mailed".
    told = "business unit is emailed that you have replied, but not what you wrote"
    assert told in page and "not emailed" not in page
    refused = client.post(url, {"text": " "}).content.decode()
    assert "govuk-error-summary" in refused and "Enter your reply" in refused
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "text": "The draft chronology is attached.",
                "document": SimpleUploadedFile("draft.pdf", PDF, content_type="application/pdf"),
            },
        )
    # Checked before it is sent (the next test walks the check page), then sent.
    assert response.status_code == 302
    checking = client.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(response["Location"], {"checked": _checked(checking)}, follow=True)
    assert "Reply sent" in sent.content.decode()
    check.refresh_from_db()
    assert check.reply == "The draft chronology is attached." and check.replied_by == reviewer
    # The manager who asked is e-mailed, once, without the reply's words.
    assert [m["To"] for m in smtp] == [manager.email]
    body = text_of(smtp[0])
    assert "answered" in body and "chronology" not in body and "Amelia" not in body
    assert written_reply_deliver(check_id=check.pk) == "already sent" and len(smtp) == 1
    # Off the reviewer's list; a second reply is refused (a new request asks again).
    assert url not in client.get(reverse("safeguarding:home")).content.decode()
    assert client.get(url).status_code == 302
    with pytest.raises(services.TransitionError):
        services.written_request_reply(check=check, actor=reviewer, text="More.")
    # The business unit reads it and downloads the document; the download is audited.
    sign_in(client, people["officer"])
    detail = client.get(local_review.get_absolute_url()).content.decode()
    assert "The draft chronology is attached." in detail
    document = reverse("lcspr:written-reply-document", args=[local_review.pk, check.pk])
    assert document in detail
    download = client.get(document)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    # Only the review's reviewer answers: not the business unit.
    other = ask(local_review, manager, django_capture_on_commit_callbacks, mail=False)
    with pytest.raises(PermissionDenied):
        services.written_request_reply(check=other, actor=people["officer"], text="For them.")
    assert (
        client.get(reverse("lcspr:written-reply", args=[local_review.pk, other.pk])).status_code
        == 403
    )


def test_an_unanswered_request_stays_on_the_reviewers_home_page_overdue_or_undated(
    client,
    local_review,  # noqa: F811
    people,
    django_capture_on_commit_callbacks,
):
    reviewer, manager = people["reviewer"], people["manager"]
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[reviewer]
    )
    undated = ask(local_review, manager, django_capture_on_commit_callbacks, mail=False)
    # A request from before a reply date was needed has none.
    PartnerCheck.objects.filter(pk=undated.pk).update(respond_by=None)
    late = ask(local_review, manager, django_capture_on_commit_callbacks, mail=False)
    # Recorded two weeks ago, for a reply two days ago: still owed, and late.
    PartnerCheck.objects.filter(pk=late.pk).update(
        respond_by=TODAY() - dt.timedelta(days=2),
        recorded_at=timezone.now() - dt.timedelta(days=14),
    )
    # Recorded after its reply date had gone: for the record, not to answer.
    after = ask(
        local_review,
        manager,
        django_capture_on_commit_callbacks,
        mail=False,
        checked_on=TODAY() - dt.timedelta(days=20),
        respond_by=TODAY() - dt.timedelta(days=6),
    )
    sign_in(client, reviewer)
    home = client.get(reverse("safeguarding:home")).content.decode()
    table = home.split('id="written-requests"', 1)[1].split("</table>", 1)[0]
    for check in (undated, late):
        assert reverse("lcspr:written-reply", args=[local_review.pk, check.pk]) in table
    assert reverse("lcspr:written-reply", args=[local_review.pk, after.pk]) not in table
    assert "No date given" in table and "Overdue" in table
    detail = client.get(local_review.get_absolute_url()).content.decode()
    assert "Reply overdue" in detail


def test_a_written_request_needs_its_reply_date(
    local_review,  # noqa: F811
    people,
    django_capture_on_commit_callbacks,
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        ask(local_review, people["manager"], django_capture_on_commit_callbacks, respond_by=None)
    assert error.value.message_dict["respond_by"] == ["Enter the date the reviewer should reply by"]


def _checked(page: str) -> str:
    import re

    return re.search(r'name="checked" value="([^"]+)"', page).group(1)


def test_the_reviewers_reply_is_checked_before_it_is_sent_and_is_sent_once(
    client,
    local_review,  # noqa: F811
    people,
    smtp,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    """GOV.UK's check answers pattern, as the agency's return has it: the reply's page
    leads to a check page, where nothing is sent until the reviewer confirms; the
    confirmation page follows by POST/redirect/GET. A draft is the reviewer's alone. A
    confirm of a reply changed since it was checked sends nothing; a confirm sent twice
    (Back, a second click) sends once."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeguarding.models import AuditEvent
    from tests.notifications.test_attachments import PDF

    settings.MEDIA_ROOT = tmp_path
    reviewer, manager = people["reviewer"], people["manager"]
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[reviewer]
    )
    check = ask(local_review, manager, django_capture_on_commit_callbacks, mail=False)
    args = [local_review.pk, check.pk]
    url = reverse("lcspr:written-reply", args=args)
    check_url = reverse("lcspr:written-reply-check", args=args)
    sent_url = reverse("lcspr:written-reply-sent", args=args)
    document = reverse("lcspr:written-reply-document", args=args)
    sign_in(client, reviewer)
    assert 'value="Continue"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "text": "The draft is attached.",
                "document": SimpleUploadedFile("draft.pdf", PDF, content_type="application/pdf"),
            },
        )
    assert (response.status_code, response["Location"]) == (302, check_url)
    check.refresh_from_db()
    assert check.replied_at is None and smtp == []
    page = client.get(check_url).content.decode()
    assert "Check your reply before you send it" in page
    assert "The draft is attached." in page and "draft.pdf" in page
    assert f'href="{url}"' in page and "Send your reply" in page
    assert "Please send the draft chronology" in page  # what was asked
    first = _checked(page)
    # Still to answer; the form opens with the draft, the document kept unless replaced.
    assert url in client.get(reverse("safeguarding:home")).content.decode()
    mine = client.get(local_review.get_absolute_url()).content.decode()
    assert f'href="{check_url}">Check and send your reply' in mine
    form = client.get(url).content.decode()
    assert "The draft is attached." in form and "draft.pdf" in form
    assert client.get(document).status_code == 200  # the reviewer may read their draft
    # The business unit sees nothing of a draft, nor its document.
    client.logout()
    sign_in(client, people["officer"])
    detail = client.get(local_review.get_absolute_url()).content.decode()
    assert "The draft is attached." not in detail and document not in detail
    assert client.get(document).status_code == 404
    assert client.get(check_url).status_code == 403
    client.logout()
    sign_in(client, reviewer)
    # Changed (in another tab) after the check page was opened: that confirm sends nothing.
    client.post(url, {"text": "A better reply."})
    stale = client.post(check_url, {"checked": first})
    html = stale.content.decode()
    assert stale.status_code == 200 and "govuk-error-summary" in html
    assert "Your reply changed after you opened this page" in html
    assert "A better reply." in html and "draft.pdf" in html
    check.refresh_from_db()
    assert check.replied_at is None and smtp == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(check_url, {"checked": _checked(html)})
    assert (response.status_code, response["Location"]) == (302, sent_url)
    done = client.get(sent_url).content.decode()
    assert "Reply sent" in done and "What happens next" in done
    assert "emailed" in done and local_review.reference in done
    check.refresh_from_db()
    assert (check.reply, check.replied_by, check.reply_document_name) == (
        "A better reply.",
        reviewer,
        "draft.pdf",
    )
    assert [m["To"] for m in smtp] == [manager.email]
    # The same confirm again: to the confirmation page, nothing sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(check_url, {"checked": _checked(html)})
    assert (again.status_code, again["Location"]) == (302, sent_url)
    assert len(smtp) == 1
    sent_events = AuditEvent.objects.filter(
        object_type="lcspr.partnercheck", object_id=str(check.pk), changes__reply="sent"
    )
    assert sent_events.count() == 1
    # Nothing to check or change once it is sent.
    assert client.get(url).status_code == 302
    assert client.get(check_url)["Location"] == sent_url


def test_the_publish_page_warns_of_a_written_request_not_answered(
    client,
    local_review,  # noqa: F811
    people,
    django_capture_on_commit_callbacks,
):
    """A walk published with a written request to the reviewer still open and nothing
    said so; afterwards it could no longer be answered. The publish page now warns of
    each one not answered (a warning: the partners may publish without it)."""
    from .conftest import BRIEFING, to_notice_sent

    manager = people["manager"]
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    check = ask(local_review, manager, django_capture_on_commit_callbacks, mail=False)
    answered = ask(local_review, manager, django_capture_on_commit_callbacks, mail=False)
    services.written_request_reply(check=answered, actor=people["reviewer"], text="Sent.")
    review = to_notice_sent(local_review, manager)
    services.briefing_save(review=review, actor=manager, values=BRIEFING)
    sign_in(client, manager)
    page = client.get(reverse("lcspr:publish", args=[review.pk])).content.decode()
    warning = (
        f"The reviewer has not answered the written request of {check.checked_on:%-d %B %Y} "
        "(reply by "
    )
    assert page.count(warning) == 1, page
    assert "once the review is published, it can no longer be answered" in page
