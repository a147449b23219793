"""A file chosen on a form refused for another answer is held: the page names it, and
saving again without choosing a file saves it (safeguarding/held_uploads.py)."""

import datetime as dt
import re
import types

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lcspr import services
from lcspr.models import AnonymisationCheck, PartnerCheck
from safeguarding.models import HeldUpload
from tests.utils import assert_errors_reported, date_fields, sign_in

from .conftest import (
    BRIEFING,
    TODAY,
    days_ago,
    open_review,
    publish,
    report_pdf_bytes,
    to_notice_sent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _pdf(name="signed-terms.pdf", data=None):
    return SimpleUploadedFile(name, data or report_pdf_bytes(), content_type="application/pdf")


def _other_report_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<title>Final report</title><h1>Local review</h1><p>Corrected: Child A.</p>"
    ).write_pdf()


def _held_note(html: str, name: str) -> bool:
    return f"<strong>{name}</strong> is uploaded. Choose a different file to replace it." in html


def _token(html: str) -> str:
    """The page's hidden token ("" when no file is held)."""
    tag = re.search(r'<input type="hidden" name="held_files"[^>]*>', html)[0]
    value = re.search(r'value="([^"]*)"', tag)
    return value[1] if value else ""


def _resubmitted(client, url, response, sent: dict, **changes):
    """What was sent, with `changes`, no file chosen and the page's hidden token."""
    data = {name: value for name, value in sent.items() if not hasattr(value, "read")}
    data.update(changes, held_files=_token(response.content.decode()))
    return client.post(url, data)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block after which what runs once its transactions commit (the held file's
    deletion) has run."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _no_files_left(private_media):
    assert not HeldUpload.objects.exists()
    held = private_media / "held"
    assert not held.exists() or not any(held.iterdir())


# --- each upload form: refused for another answer, saved again without a file -------------


def test_the_terms_document_is_held_when_the_terms_are_missing_and_saved_next_time(
    client, local_review, people, private_media, committed
):
    sign_in(client, people["officer"])
    url = reverse("lcspr:terms", args=[local_review.pk])
    sent = {"text": "", "document": _pdf(), "version": local_review.version}
    response = client.post(url, sent)
    assert_errors_reported(response, {"text": ("id_text", "Enter the terms of reference")})
    page = response.content.decode()
    assert _held_note(page, "signed-terms.pdf")
    assert 'aria-describedby="id_document_hint id_document_held"' in page
    local_review.refresh_from_db()
    assert not local_review.terms_document

    with committed():
        saved = _resubmitted(client, url, response, sent, text="Scope of the review.")
    assert saved.status_code == 302
    local_review.refresh_from_db()
    assert local_review.terms_of_reference == "Scope of the review."
    assert local_review.terms_document_name == "signed-terms.pdf"
    with local_review.terms_document.open("rb") as stored:
        assert stored.read() == report_pdf_bytes()
    _no_files_left(private_media)


def test_the_reviewers_reply_document_is_held_when_the_reply_is_missing(
    client, local_review, people, private_media, committed
):
    reviewer = people["reviewer"]
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[reviewer]
    )
    check = services.partner_check_add(
        review=local_review,
        actor=people["manager"],
        kind=PartnerCheck.Kind.WRITTEN_REQUEST,
        checked_on=TODAY(),
        note="Please send the draft.",
        respond_by=TODAY() + dt.timedelta(days=10),
    )
    sign_in(client, reviewer)
    url = reverse("lcspr:written-reply", args=[local_review.pk, check.pk])
    sent = {"text": "", "document": _pdf("draft.pdf")}
    response = client.post(url, sent)
    assert_errors_reported(response, {"text": ("id_text", "Enter your reply")})
    assert _held_note(response.content.decode(), "draft.pdf")

    with committed():
        saved = _resubmitted(client, url, response, sent, text="The draft is attached.")
    assert saved.status_code == 302
    assert saved["Location"] == reverse(
        "lcspr:written-reply-check", args=[local_review.pk, check.pk]
    )
    check.refresh_from_db()
    assert check.replied_at is None  # a draft, to check before it is sent
    assert check.reply == "The draft is attached."
    assert check.reply_document_name == "draft.pdf"
    with check.reply_document.open("rb") as stored:
        assert stored.read() == report_pdf_bytes()
    _no_files_left(private_media)


def test_the_final_report_is_held_when_publishing_is_refused_for_the_summary(
    client, local_review, people, private_media, committed
):
    officer = people["officer"]
    review = to_notice_sent(local_review, officer)
    services.briefing_save(review=review, actor=officer, values=BRIEFING)
    sign_in(client, officer)
    url = reverse("lcspr:publish", args=[review.pk])
    sent = {
        "kind": "full_report",
        "report": _pdf("final-report.pdf"),
        "public_title": "Are you listening to me?",
        "public_summary": "",
        "checks": list(AnonymisationCheck.values),
        **date_fields("published_on", TODAY()),
        "version": review.version,
    }
    response = client.post(url, sent)
    assert_errors_reported(
        response, {"public_summary": ("id_public_summary", "Enter the public summary")}
    )
    assert _held_note(response.content.decode(), "final-report.pdf")
    review.refresh_from_db()
    assert review.status == "notice_sent"

    with committed():
        saved = _resubmitted(client, url, response, sent, public_summary="Hints about home.")
    assert saved.status_code == 302
    review.refresh_from_db()
    assert review.status == "published"
    with review.report_file.open("rb") as stored:
        assert stored.read() == report_pdf_bytes()
    _no_files_left(private_media)


def test_a_corrected_report_is_held_when_the_correction_has_no_reason(
    client, local_review, people, private_media, committed
):
    officer = people["officer"]
    review = publish(to_notice_sent(local_review, officer), officer)
    corrected = _other_report_bytes()
    sign_in(client, officer)
    url = reverse("lcspr:published-update", args=[review.pk])
    sent = {
        "public_title": "Are you listening to me?",
        "public_summary": "A summary.",
        "report": _pdf("corrected.pdf", corrected),
        "reason": "",
        "version": review.version,
    }
    response = client.post(url, sent)
    assert_errors_reported(response, {"reason": ("id_reason", "Enter what was corrected")})
    assert _held_note(response.content.decode(), "corrected.pdf")

    with committed():
        saved = _resubmitted(client, url, response, sent, reason="A typo on page 1.")
    assert saved.status_code == 302
    review.refresh_from_db()
    with review.report_file.open("rb") as stored:
        assert stored.read() == corrected
    _no_files_left(private_media)


def test_a_file_that_fails_its_own_check_is_not_held(client, local_review, people):
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:terms", args=[local_review.pk]),
        {
            "text": "",
            "document": SimpleUploadedFile("notes.pdf", b"Only words, not a PDF."),
            "version": local_review.version,
        },
    )
    assert_errors_reported(
        response, {"document": ("id_document", "The selected file must be a PDF")}
    )
    assert "is uploaded" not in response.content.decode()
    assert _token(response.content.decode()) == ""
    assert not HeldUpload.objects.exists()


def test_choosing_another_file_replaces_the_held_one(
    client, local_review, people, private_media, committed
):
    sign_in(client, people["officer"])
    url = reverse("lcspr:terms", args=[local_review.pk])
    sent = {"text": "", "version": local_review.version}
    first = client.post(url, {**sent, "document": _pdf()})
    other = _other_report_bytes()
    second = client.post(
        url,
        {
            **sent,
            "document": _pdf("second.pdf", other),
            "held_files": _token(first.content.decode()),
        },
    )
    assert _held_note(second.content.decode(), "second.pdf")
    assert HeldUpload.objects.get().original_name == "second.pdf"
    assert len(list((private_media / "held").iterdir())) == 1
    with committed():
        saved = _resubmitted(client, url, second, sent, text="Scope.")
    assert saved.status_code == 302
    local_review.refresh_from_db()
    with local_review.terms_document.open("rb") as stored:
        assert stored.read() == other


# --- a token that is not this person's, record's or form's, changed or expired -----------


def _held_on_terms(client, review, user) -> str:
    sign_in(client, user)
    response = client.post(
        reverse("lcspr:terms", args=[review.pk]),
        {"text": "", "document": _pdf(), "version": review.version},
    )
    assert _held_note(response.content.decode(), "signed-terms.pdf")
    return _token(response.content.decode())


def _post_terms_with(client, review, token):
    """Refused again (no terms), so the page shows whether a file is held."""
    return client.post(
        reverse("lcspr:terms", args=[review.pk]),
        {"text": "", "held_files": token, "version": review.version},
    )


def _ignored(response):
    page = response.content.decode()
    assert response.status_code == 200
    assert "is uploaded" not in page
    assert "signed-terms.pdf" not in page
    assert _token(page) == ""
    assert not response.context["form"].cleaned_data.get("document")


def test_the_same_person_on_the_same_page_gets_the_held_file(client, local_review, people):
    token = _held_on_terms(client, local_review, people["officer"])
    response = _post_terms_with(client, local_review, token)
    assert _held_note(response.content.decode(), "signed-terms.pdf")


def test_another_persons_token_is_ignored(client, local_review, people):
    token = _held_on_terms(client, local_review, people["officer"])
    manager = Client()
    sign_in(manager, people["manager"])
    _ignored(_post_terms_with(manager, local_review, token))
    assert HeldUpload.objects.count() == 1  # still the officer's


def test_another_records_token_is_ignored(client, local_review, make_review, people):
    token = _held_on_terms(client, local_review, people["officer"])
    other = open_review(make_review, people)
    _ignored(_post_terms_with(client, other, token))


def test_another_partnerships_user_never_reaches_the_held_file(
    client, local_review, make_review, people, other_partnership
):
    token = _held_on_terms(client, local_review, people["officer"])
    stranger = Client()
    rapid = make_review(partnership=other_partnership, actor=people["other_officer"])
    theirs = services.review_open(
        rapid_review=rapid, decision_date=days_ago(60), actor=people["other_officer"]
    )
    sign_in(stranger, people["other_officer"])
    _ignored(_post_terms_with(stranger, theirs, token))
    # The page of the first partnership's review is not theirs at all.
    refused = _post_terms_with(stranger, local_review, token)
    assert refused.status_code in (403, 404)
    # A held file has no address of its own.
    row = HeldUpload.objects.get()
    assert row.file.name.startswith("held/") and "signed-terms" not in row.file.name


def test_another_forms_token_is_ignored(client, local_review, people, rf):
    """The written reply's form has a `document` question too: a token made for the
    terms form is not taken by it, on the same page, person and record."""
    from lcspr.forms import TermsForm, WrittenReplyForm
    from safeguarding import held_uploads

    officer = people["officer"]
    request = rf.post("/same/page/")
    request.user = officer
    terms = TermsForm({"text": ""}, {"document": _pdf()}, review=local_review)
    held = held_uploads.hold_for(terms, request=request, record=local_review)
    held.keep()
    token = terms.data["held_files"]
    again = TermsForm({"text": "", "held_files": token}, {}, review=local_review)
    assert held_uploads.hold_for(again, request=request, record=local_review).taken
    reply = WrittenReplyForm({"text": "", "held_files": token}, {}, review=local_review)
    assert not held_uploads.hold_for(reply, request=request, record=local_review).taken
    assert "document" not in reply.files


def test_a_changed_token_is_ignored(client, local_review, people):
    token = _held_on_terms(client, local_review, people["officer"])
    payload = signing.loads(token, salt="safeguarding.held_uploads")
    # Signed by someone without the key: another held file's number.
    forged = signing.dumps({**payload, "h": {"document": payload["h"]["document"] + 1}})
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, forged, "not a token", token + "x"):
        _ignored(_post_terms_with(client, local_review, bad))


def test_an_expired_token_is_ignored(client, local_review, people, monkeypatch):
    token = _held_on_terms(client, local_review, people["officer"])
    later = signing.time.time() + 24 * 60 * 60 + 5
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: later))
    _ignored(_post_terms_with(client, local_review, token))


# --- the sweep ------------------------------------------------------------------------------


def test_files_held_for_more_than_a_day_are_deleted_by_the_hourly_sweep(
    client, local_review, people, private_media
):
    from safeguarding.celery import app as celery_app
    from safeguarding.tasks import clear_held_uploads

    schedule = celery_app.conf.beat_schedule["clear-held-uploads"]
    assert schedule["task"] == clear_held_uploads.name
    assert schedule["schedule"] == 60 * 60
    _held_on_terms(client, local_review, people["officer"])
    _held_on_terms(client, local_review, people["manager"])
    old, new = HeldUpload.objects.order_by("pk")
    HeldUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    assert clear_held_uploads() == 1
    assert list(HeldUpload.objects.all()) == [new]
    assert not (private_media / old.file.name).exists()
    assert (private_media / new.file.name).exists()
    assert clear_held_uploads() == 0  # safe to run twice


def test_the_held_files_name_is_shown_as_text(client, local_review, people):
    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:terms", args=[local_review.pk]),
        {"text": "", "document": _pdf("<b>terms.pdf"), "version": local_review.version},
    )
    page = response.content.decode()
    assert _held_note(page, "&lt;b&gt;terms.pdf")
    assert "<b>terms" not in page


def test_a_page_given_back_after_a_session_timeout_names_its_held_file(
    client, local_review, people
):
    """Typing kept across a timeout (drafts.py) carries the token: the page says which
    file saving will use, never uses it unsaid."""
    from safeguarding.drafts import KEY

    officer = people["officer"]
    token = _held_on_terms(client, local_review, officer)
    url = reverse("lcspr:terms", args=[local_review.pk])
    session = client.session
    session[KEY + url] = {
        "by": str(officer.pk),
        "post": {"text": ["Scope."], "held_files": [token], "version": [str(local_review.version)]},
    }
    session.save()
    page = client.get(url).content.decode()
    assert _held_note(page, "signed-terms.pdf")
    assert _token(page) == token
