"""After publication: the public copy can be corrected (the briefing edited, then the
published copy updated, checked again) or withdrawn at once by a manager; the NSPCC
repository is claimed only once a copy went there, and its entry is ready to paste."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from lcspr import services
from lcspr.models import PublishedReview
from tests.utils import sign_in

from .conftest import BRIEFING, TODAY, local_review, publish, to_notice_sent  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(local_review, people):  # noqa: F811
    review = to_notice_sent(local_review, people["officer"])
    return publish(review, people["officer"])


def _public(client, item, kind=None):
    code = item.partnership.code.lower()
    if kind:
        return client.get(reverse("learning:download", args=[code, item.slug, kind]))
    return client.get(reverse("learning:review", args=[code, item.slug]))


def test_a_corrected_briefing_reaches_the_public_pages_only_when_updated(client, published, people):
    officer = people["officer"]
    item = PublishedReview.objects.get(source_review_id=published.pk)
    corrected = {**BRIEFING, "key_learning": "CORRECTED learning point one.\nPoint two."}
    sign_in(client, officer)
    saved = client.post(reverse("lcspr:briefing", args=[published.pk]), corrected, follow=True)
    assert "The public pages still show the earlier version" in saved.content.decode()
    page = client.get(published.get_absolute_url()).content.decode()
    assert 'id="public-copy-outdated"' in page
    client.logout()
    assert "CORRECTED" not in _public(client, item).content.decode()

    sign_in(client, officer)
    url = reverse("lcspr:published-update", args=[published.pk])
    kept = {"public_title": item.title, "public_summary": item.summary}
    refused = client.post(url, {**kept, "reason": ""})
    assert "Enter what was corrected" in refused.content.decode()
    assert client.post(url, {**kept, "reason": "Learning point one reworded"}).status_code == 302
    client.logout()
    page = _public(client, item).content.decode()
    assert "CORRECTED learning point one." in page and "Updated " in page
    sign_in(client, officer)
    assert (
        'id="public-copy-outdated"' not in client.get(published.get_absolute_url()).content.decode()
    )
    client.logout()
    pdf = b"".join(_public(client, item, "briefing").streaming_content)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "CORRECTED" in text


def test_an_update_that_would_identify_the_child_is_refused(published, people):
    from django.core.exceptions import ValidationError

    recommendation = published.recommendations.create(number=9, text="Listen to Amelia.")
    with pytest.raises(ValidationError) as error:
        services.published_update(review=published, actor=people["officer"], reason="New rec")
    assert "‘Amelia’" in str(error.value)
    recommendation.delete()


def test_a_manager_withdraws_a_review_from_every_public_page(client, published, people):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    code = item.partnership.code.lower()
    assert _public(client, item).status_code == 200
    sign_in(client, people["officer"])
    url = reverse("lcspr:published-withdraw", args=[published.pk])
    assert client.get(url).status_code == 403  # an officer cannot
    page = client.get(published.get_absolute_url()).content.decode()
    assert (
        "lcspr:published-withdraw" not in page
        and f"/{published.pk}/published/withdraw/" not in page
    )

    sign_in(client, people["manager"])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert (
        client.post(url, {"reason": "A street name could identify the family"}).status_code == 302
    )
    client.logout()
    assert _public(client, item).status_code == 404
    for kind in ("report", "briefing", "presentation"):
        assert _public(client, item, kind).status_code == 404
    for listing in (reverse("learning:index"), reverse("learning:partnership", args=[code])):
        assert item.title not in client.get(listing).content.decode()
    sign_in(client, people["manager"])
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Withdrawn" in page and "A street name could identify the family" in page


def test_the_nspcc_repository_is_claimed_only_once_a_copy_went_there(client, published, people):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    assert "A copy is in the" not in _public(client, item).content.decode()
    services.review_record_nspcc(review=published, actor=people["officer"], sent_on=TODAY())
    assert "A copy is in the" in _public(client, item).content.decode()
    sign_in(client, people["officer"])
    page = client.get(published.get_absolute_url()).content.decode()
    entry = f"{item.year} - {published.partnership.local_authority} - {item.title}"
    assert escape(entry) in page and escape(item.summary) in page


def test_a_partnerships_year_filter_offers_only_its_own_years(client, published):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    PublishedReview.objects.filter(pk=item.pk).update(year=2023)
    other = reverse("learning:index")
    assert 'value="2023"' in client.get(other).content.decode()
    mine = reverse("learning:partnership", args=[item.partnership.code.lower()])
    html = client.get(mine).content.decode()
    assert 'value="2023"' in html
    PublishedReview.objects.filter(pk=item.pk).update(year=2024)
    assert 'value="2023"' not in client.get(mine).content.decode()


def test_the_update_page_says_when_the_titles_differ_and_a_withdrawn_review_has_no_entry(
    client, published, people
):
    officer = people["officer"]
    services.briefing_save(
        review=published, actor=officer, values={**BRIEFING, "title": "Who else is in my house?"}
    )
    sign_in(client, officer)
    html = client.get(reverse("lcspr:published-update", args=[published.pk])).content.decode()
    assert escape("The briefing’s title is now ‘Who else is in my house?’") in html
    services.published_withdraw(review=published, actor=people["manager"], reason="A court order")
    page = client.get(published.get_absolute_url()).content.decode()
    assert 'id="nspcc-entry"' not in page


def _corrected_report() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<title>Final report</title><h1>Local review</h1><p>CORRECTED report text.</p>"
    ).write_pdf()


def _pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_the_title_summary_and_report_can_be_corrected(client, published, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeguarding.models import AuditEvent

    item = PublishedReview.objects.get(source_review_id=published.pk)
    address = _public(client, item).request["PATH_INFO"]
    sign_in(client, people["officer"])
    url = reverse("lcspr:published-update", args=[published.pk])
    form = client.get(url).content.decode()
    assert escape(item.title) in form and 'name="report"' in form
    assert 'name="improvements"' not in form
    response = client.post(
        url,
        {
            "public_title": "Who was listening?",
            "public_summary": "A corrected summary of what was learned.",
            "report": SimpleUploadedFile("corrected.pdf", _corrected_report(), "application/pdf"),
            "reason": "A street name removed from the report",
        },
    )
    assert response.status_code == 302
    client.logout()
    item.refresh_from_db()
    assert item.title == "Who was listening?" and item.updated_on == TODAY()
    # The address follows the title (below): the old one is gone.
    assert client.get(address).status_code == 404
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Who was listening?" in page and "A corrected summary" in page
    report = b"".join(_public(client, item, "report").streaming_content)
    assert "CORRECTED report text." in _pdf_text(report)
    assert PdfReader(io.BytesIO(report)).metadata.title == "Who was listening?"
    found = client.get(reverse("learning:index"), {"q": "listening"}).content.decode()
    assert "Who was listening?" in found
    published.refresh_from_db()
    assert published.public_title == "Who was listening?"
    event = AuditEvent.objects.filter(object_id=str(published.pk), action="update").latest("pk")
    assert event.changes["public_title"] == {
        "old": "Are you listening to me?",
        "new": "Who was listening?",
    }
    assert event.changes["report"]["new"] == "corrected PDF"


def test_a_corrected_title_takes_the_old_titles_words_out_of_the_address(client, published, people):
    """The address and the files' names are made from the title: a review withdrawn for
    a detail in its title, then corrected, must not keep the detail in its address."""
    from safeguarding.models import AuditEvent

    item = PublishedReview.objects.get(source_review_id=published.pk)
    old_address = item.get_absolute_url()
    assert item.slug == "are-you-listening-to-me"
    manager = people["manager"]
    services.published_withdraw(
        review=published, actor=manager, reason="The title gives away the child’s school"
    )
    published.refresh_from_db()
    services.published_update(
        review=published, actor=manager, reason="Title reworded", public_title="Who was listening?"
    )
    item.refresh_from_db()
    assert item.slug == "who-was-listening"
    assert client.get(old_address).status_code == 404
    for kind in ("report", "briefing", "presentation"):
        assert client.get(f"{old_address}{kind}/").status_code == 404
        response = _public(client, item, kind)
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert "who-was-listening" in disposition and "listening-to-me" not in disposition
    assert "Who was listening?" in client.get(item.get_absolute_url()).content.decode()
    event = AuditEvent.objects.filter(object_id=str(published.pk), action="update").latest("pk")
    assert event.changes["address"] == {"old": old_address, "new": item.get_absolute_url()}

    # A correction that leaves the title as it is keeps the address.
    published.refresh_from_db()
    services.published_update(
        review=published,
        actor=people["officer"],
        reason="Summary reworded",
        public_summary="A summary reworded.",
    )
    item.refresh_from_db()
    assert item.slug == "who-was-listening"


def _retitled(review, actor, title=None, **fields):
    """The public copy after a correction of its title (or of `fields` alone)."""
    review.refresh_from_db()
    if title is not None:
        fields["public_title"] = title
    services.published_update(review=review, actor=actor, reason="Corrected", **fields)
    return PublishedReview.objects.get(source_review_id=review.pk)


def _another_copy(partnership, slug, title):
    """Another review of the partnership, already on the public pages at `slug`."""
    on = TODAY()
    return PublishedReview.objects.create(
        partnership=partnership,
        source_review_id=990_000 + PublishedReview.objects.count(),
        slug=slug,
        title=title,
        summary="Another review.",
        year=on.year,
        published_on=on,
        kind="full_report",
    )


def test_a_number_taken_out_of_the_title_leaves_the_address(client, published, people):
    """An age, a house number or a year at the end of a title makes an address that
    looks like one with a number added to tell it from another review's: taken out of
    the title, it must leave the address and the files' names too."""
    officer = people["officer"]
    item = _retitled(published, officer, "Jay, aged 15")
    assert item.slug == "jay-aged-15"
    old_address = item.get_absolute_url()
    item = _retitled(published, officer, "Jay, aged")
    assert item.slug == "jay-aged"
    assert client.get(old_address).status_code == 404
    for kind in ("report", "briefing", "presentation"):
        assert client.get(f"{old_address}{kind}/").status_code == 404
        disposition = _public(client, item, kind)["Content-Disposition"]
        assert "-jay-aged-" in disposition and "jay-aged-15" not in disposition


def test_a_title_changed_only_in_capitals_or_punctuation_keeps_its_address(
    client, published, people
):
    from safeguarding.models import AuditEvent

    officer = people["officer"]
    item = _retitled(published, officer, "Jay, aged")
    address = item.get_absolute_url()
    item = _retitled(published, officer, "JAY: aged…")
    assert item.title == "JAY: aged…" and item.get_absolute_url() == address
    assert "JAY: aged…" in client.get(address).content.decode()
    event = AuditEvent.objects.filter(object_id=str(published.pk), action="update").latest("pk")
    assert "address" not in event.changes


def test_a_number_added_to_tell_two_reviews_apart_stays_when_the_punctuation_changes(
    published, people
):
    officer = people["officer"]
    _another_copy(published.partnership, "jay", "Jay")
    item = _retitled(published, officer, "Jay")
    assert item.slug == "jay-2"
    item = _retitled(published, officer, "Jay.")
    assert item.slug == "jay-2"
    # And a correction of the summary alone keeps it as well.
    assert _retitled(published, officer, public_summary="Reworded.").slug == "jay-2"


@pytest.mark.parametrize("jay_taken, new_slug", [(False, "jay"), (True, "jay-3")])
def test_a_number_that_was_part_of_the_title_is_no_suffix(
    client, published, people, jay_taken, new_slug
):
    """ "Jay 2" corrected to "Jay": the "2" was the title's, so `jay-2` is not kept as
    "jay with a number added", even when another review has `jay`."""
    officer = people["officer"]
    if jay_taken:
        _another_copy(published.partnership, "jay", "Jay")
    item = _retitled(published, officer, "Jay 2")
    assert item.slug == "jay-2"
    old_address = item.get_absolute_url()
    item = _retitled(published, officer, "Jay")
    assert item.slug == new_slug
    assert client.get(old_address).status_code == 404


def test_an_address_left_from_an_earlier_title_goes_at_the_next_correction(published, people):
    """Before corrected titles changed the address, a correction kept it: `jay-15` for a
    title now "Jay" looks like "jay with a number added", but no other review has `jay`,
    so nothing explains the number and it may be the old title's."""
    item = PublishedReview.objects.get(source_review_id=published.pk)
    PublishedReview.objects.filter(pk=item.pk).update(slug="jay-15", title="Jay")
    item = _retitled(published, people["officer"], public_summary="Reworded.")
    assert item.slug == "jay"


@pytest.mark.django_db(transaction=True)
def test_two_reviews_of_the_same_title_published_at_the_same_moment(local_review, people):  # noqa: F811
    """Another review of the same title is being published in the same partnership:
    its address is not yet committed when this one's is chosen, so both choose the same.
    The database refuses the second; publication takes the next address, not a server
    error."""
    import threading
    import time

    from django.db import connection, transaction

    review = to_notice_sent(local_review, people["officer"])
    held, seen = threading.Event(), {}

    def other_publication():
        try:
            with transaction.atomic():
                _another_copy(review.partnership, "are-you-listening-to-me", "Are you listening?")
                held.set()
                # Commit only once this test's publication waits on the same address.
                with connection.cursor() as cursor:
                    for _ in range(400):
                        cursor.execute("SELECT pg_stat_clear_snapshot()")
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND wait_event_type = 'Lock' "
                            "AND query LIKE 'INSERT INTO \"lcspr_publishedreview\"%%'"
                        )
                        if cursor.fetchone()[0]:
                            seen["waiting"] = True
                            break
                        time.sleep(0.05)
        finally:
            connection.close()

    thread = threading.Thread(target=other_publication)
    thread.start()
    try:
        assert held.wait(10)
        publish(review, people["officer"])
    finally:
        thread.join()
    assert seen == {"waiting": True}
    slugs = set(PublishedReview.objects.values_list("slug", flat=True))
    assert slugs == {"are-you-listening-to-me", "are-you-listening-to-me-2"}
    assert PublishedReview.objects.get(source_review_id=review.pk).slug.endswith("-2")


def test_a_replaced_report_leaves_no_file_behind(
    published, people, settings, django_capture_on_commit_callbacks
):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    item = PublishedReview.objects.get(source_review_id=published.pk)
    media = Path(settings.MEDIA_ROOT)
    old_case, old_public = published.report_file.name, item.report.name
    assert (media / old_case).exists() and (media / old_public).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.published_update(
            review=published,
            actor=people["officer"],
            reason="A street name removed",
            report=SimpleUploadedFile("corrected.pdf", _corrected_report(), "application/pdf"),
        )
    published.refresh_from_db()
    item.refresh_from_db()
    assert not (media / old_case).exists() and not (media / old_public).exists()
    assert (media / published.report_file.name).exists() and (media / item.report.name).exists()


def test_a_correction_that_would_identify_the_child_changes_nothing(client, published, people):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from weasyprint import HTML

    item = PublishedReview.objects.get(source_review_id=published.pk)
    before = (item.title, item.summary, item.report.name)
    naming = HTML(string="<title>Final report</title><p>Amelia was 14.</p>").write_pdf()
    sign_in(client, people["officer"])
    url = reverse("lcspr:published-update", args=[published.pk])
    response = client.post(
        url,
        {
            "public_title": "Amelia's story",
            "public_summary": "A summary.",
            "report": SimpleUploadedFile("corrected.pdf", naming, "application/pdf"),
            "reason": "Corrected",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Published material must be anonymised" in page
    assert "The final report must be anonymised" in page
    item.refresh_from_db()
    assert (item.title, item.summary, item.report.name) == before


def test_a_manager_corrects_a_withdrawn_review_and_puts_it_back(client, published, people):
    item = PublishedReview.objects.get(source_review_id=published.pk)
    services.published_withdraw(
        review=published, actor=people["manager"], reason="A street name in the summary"
    )
    url = reverse("lcspr:published-update", args=[published.pk])
    sign_in(client, people["officer"])
    assert client.get(url).status_code == 403
    officer_page = client.get(published.get_absolute_url()).content.decode()
    assert url not in officer_page
    assert "A partnership manager can correct it and put it back." in officer_page

    sign_in(client, people["manager"])
    assert url in client.get(published.get_absolute_url()).content.decode()
    form = client.get(url).content.decode()
    assert "A street name in the summary" in form
    assert "Correct and put back on the public pages" in form
    response = client.post(
        url,
        {
            "public_title": item.title,
            "public_summary": "A summary without the street.",
            "reason": "Street name removed",
        },
        follow=True,
    )
    assert "The review is back on the public pages." in response.content.decode()
    item.refresh_from_db()
    assert item.withdrawn_on is None and item.summary == "A summary without the street."
    client.logout()
    assert _public(client, item).status_code == 200
    assert _public(client, item, "report").status_code == 200


def test_a_review_published_without_its_report_corrects_its_improvements(
    client,
    local_review,  # noqa: F811
    people,
):
    officer = people["officer"]
    review = publish(
        to_notice_sent(local_review, officer),
        officer,
        kind="improvements",
        report=None,
        improvements="Improve joint working.",
        improvements_reason="The family asked.",
    )
    sign_in(client, officer)
    url = reverse("lcspr:published-update", args=[review.pk])
    form = client.get(url).content.decode()
    assert 'name="report"' not in form and "Improve joint working." in form
    refused = client.post(
        url, {"public_title": "T", "public_summary": "S", "improvements": "", "reason": "r"}
    )
    assert "Enter the improvements to be made" in refused.content.decode()
    client.post(
        url,
        {
            "public_title": "T",
            "public_summary": "S",
            "improvements": "Improve joint working and supervision.",
            "reason": "Supervision added",
        },
    )
    item = PublishedReview.objects.get(source_review_id=review.pk)
    assert item.improvements == "Improve joint working and supervision."


def test_a_correction_says_where_the_name_is_and_what_a_report_must_be(client, published, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = PublishedReview.objects.get(source_review_id=published.pk)
    sign_in(client, people["officer"])
    url = reverse("lcspr:published-update", args=[published.pk])
    response = client.post(
        url,
        {
            "public_title": item.title,
            "public_summary": "What Amelia's school saw.",
            "report": SimpleUploadedFile("notes.docx", b"PK\x03\x04 not a pdf", "application/pdf"),
            "reason": "Corrected",
            "version": published.version,
        },
    )
    page = response.content.decode()
    assert 'href="#id_public_summary"' in page  # the summary is the field with the name
    assert "The selected file must be a PDF" in page
    assert "Word (.docx)" not in page


def test_a_correction_from_a_page_opened_before_a_colleagues_is_refused(published, people):
    services.published_update(
        review=published,
        actor=people["manager"],
        reason="First",
        public_summary="The manager's corrected summary.",
        expected_version=published.version,
    )
    with pytest.raises(services.ConcurrentEditError):
        services.published_update(
            review=published,
            actor=people["officer"],
            reason="Second",
            public_summary="The officer's summary, from a page opened earlier.",
            expected_version=published.version,
        )
    item = PublishedReview.objects.get(source_review_id=published.pk)
    assert item.summary == "The manager's corrected summary."


def test_the_subject_access_export_holds_the_public_copy_and_the_clocks_history(published, people):
    import json
    import zipfile

    from notifications.case_export import case_export_zip
    from safeguarding.deadlines import deadline_move
    from safeguarding.models import Deadline

    incident = published.rapid_review.incident
    clock = Deadline.objects.filter(subject_type="lcspr.review", subject_id=published.pk).first()
    deadline_move(
        deadline=clock,
        actor=people["manager"],
        reason="Agreed with the Panel",
        due_date=clock.due_date + dt.timedelta(days=7),
    )
    archive = zipfile.ZipFile(io.BytesIO(case_export_zip(incident, actor=people["manager"])))
    manifest = json.loads(archive.read("manifest.json"))
    item = PublishedReview.objects.get(source_review_id=published.pk)
    assert manifest["lcspr.publishedreview"] == [str(item.pk)]
    # Named as its download is, not by its storage name.
    assert item.briefing_pdf.name not in str(archive.namelist())
    # The same PDF as the briefing's own: in files/ once, under the briefing's name.
    text = archive.read("records.txt").decode()
    path = re.search(r"^Briefing PDF: (files/\S+)$", text, re.M).group(1)
    assert re.search(rf"^PDF: {re.escape(path)}$", text, re.M)
    briefing = archive.read(path)
    with item.briefing_pdf.open("rb") as stored:
        assert briefing == stored.read()
    audit = json.loads(archive.read("audit.json"))
    assert any(
        e["fields"]["object_type"] == "safeguarding.deadline"
        and e["fields"]["object_id"] == str(clock.pk)
        for e in audit
    )


def test_the_nspcc_date_is_corrected_from_a_fresh_page_and_the_trail_keeps_both(published, people):
    from lcspr.models import Review
    from safeguarding.models import AuditEvent
    from safeguarding.workflow import ConcurrentEditError

    officer = people["officer"]
    Review.objects.filter(pk=published.pk).update(published_on=TODAY() - dt.timedelta(days=10))
    published.refresh_from_db()
    first = services.review_record_nspcc(review=published, actor=officer, sent_on=TODAY())
    with pytest.raises(ConcurrentEditError):
        services.review_record_nspcc(
            review=published,
            actor=officer,
            sent_on=TODAY(),
            expected_version=first.version - 1,
        )
    earlier = TODAY() - dt.timedelta(days=1)
    services.review_record_nspcc(
        review=published, actor=officer, sent_on=earlier, expected_version=first.version
    )
    assert PublishedReview.objects.get(source_review_id=published.pk).nspcc_sent_on == earlier
    event = AuditEvent.objects.filter(changes__has_key="nspcc_sent_on").order_by("pk").last()
    assert event.changes["nspcc_sent_on"] == {"old": str(TODAY()), "new": str(earlier)}


def test_withdrawing_a_review_sent_to_the_nspcc_says_to_ask_them_too(client, published, people):
    services.review_record_nspcc(review=published, actor=people["officer"], sent_on=TODAY())
    sign_in(client, people["manager"])
    page = client.get(reverse("lcspr:published-withdraw", args=[published.pk])).content.decode()
    assert "ask the NSPCC to take it down too" in page


def test_the_subject_access_export_names_every_field_it_relabels_in_words(published, people):
    """Every field the export relabels (LABELS) that a local review's case holds reads by
    its label in records.txt, never by its capitalised field name ("Nspcc sent on",
    "Source review id", "Pdf")."""
    import zipfile

    from django.utils.text import capfirst

    from notifications.case_export import LABELS, case_export_zip

    incident = published.rapid_review.incident
    archive = zipfile.ZipFile(io.BytesIO(case_export_zip(incident, actor=people["manager"])))
    text = archive.read("records.txt").decode()
    held = set(json_models(archive))
    checked = []
    for (model, name), label in LABELS.items():
        if model not in held:
            continue
        raw = capfirst(name.replace("_", " "))
        assert f"\n{raw}:" not in text and f"    {raw}:" not in text, (model, name)
        assert f"\n{label}:" in text, (model, name, label)
        checked.append(name)
    assert {"source_review_id", "nspcc_sent_on", "pdf", "pptx", "subject_id"} <= set(checked)


def json_models(archive) -> set[str]:
    import json

    clocks = {record["model"] for record in json.loads(archive.read("clocks.json"))}
    return set(json.loads(archive.read("manifest.json"))) | clocks


def test_the_published_row_reads_as_a_sentence_and_only_the_business_unit_is_told_to_copy(
    client, published, people
):
    """ "Published: 18 March 2026: The full report" read oddly; and the entry for the
    NSPCC repository, with its instruction to copy it, is the business unit's work, not
    the reviewer's."""
    from safeguarding.dates import full_date

    services.review_set_reviewers(
        review=published, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    sign_in(client, people["officer"])
    page = client.get(published.get_absolute_url()).content.decode()
    assert f"The full report, published on {full_date(published.published_on)}" in page
    assert 'id="nspcc-entry"' in page and "Copy this into the repository" in page
    sign_in(client, people["reviewer"])
    page = client.get(published.get_absolute_url()).content.decode()
    assert f"The full report, published on {full_date(published.published_on)}" in page
    assert 'id="nspcc-entry"' not in page and "Copy this into the repository" not in page
