"""What is published identifies no one: the uploaded final report is read (its pages and
its hidden properties, comments and metadata) and refused if it names the child, gives a
date of birth or the case reference; the public copy carries none of the hidden parts.
Dates of birth are caught in every published text, however they are written."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link, Text
from weasyprint import HTML

from lcspr import services
from lcspr.models import PublishedReview
from tests.rapid_reviews.conftest import CHILD_NAME

from .conftest import BRIEFING, publish, to_notice_sent

pytestmark = pytest.mark.django_db

BORN = "1 May 2019"  # tests.notifications.conftest.child_values


def report_pdf(
    body: str = "<p>Child A was 14.</p>", *, title="Final report", author="", keywords=""
):
    """A real PDF written by WeasyPrint, with these properties."""
    meta = f'<meta name="author" content="{author}"><meta name="keywords" content="{keywords}">'
    html = f"<html><head><title>{title}</title>{meta}</head><body>{body}</body></html>"
    return HTML(string=html).write_pdf()


def with_annotations(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.add_annotation(0, Text(text="Check with Jane Practitioner", rect=(50, 550, 200, 650)))
    writer.add_annotation(
        0, Link(rect=(50, 50, 200, 80), url="https://www.gov.uk/government/organisations")
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("final-report.pdf", data, content_type="application/pdf")


@pytest.fixture
def ready(local_review, people):
    review = to_notice_sent(local_review, people["officer"])
    services.briefing_save(review=review, actor=people["officer"], values=BRIEFING)
    return review


def refusal(review, officer, **values) -> str:
    with pytest.raises(ValidationError) as error:
        publish(review, officer, **values)
    return " ".join(sum(error.value.message_dict.values(), []))


@pytest.mark.parametrize(
    "pdf, expected",
    [
        (lambda ref: report_pdf(f"<p>{CHILD_NAME} was 14.</p>"), "‘Amelia’ (page 1)"),
        (
            lambda ref: report_pdf("<p>One.</p><p style='page-break-before: always'>" + ref),
            "(page 2)",
        ),
        (lambda ref: report_pdf("<p>Born 01/05/2019 in the city.</p>"), "‘01/05/2019’ (page 1)"),
        (lambda ref: report_pdf(title="LCSPR Amelia Zephyrine FINAL"), "hidden properties"),
        (lambda ref: report_pdf(keywords=f"{ref}, DOB {BORN}"), "hidden properties"),
    ],
    ids=["name on a page", "reference on page 2", "date of birth", "title", "keywords"],
)
def test_a_report_that_identifies_the_case_is_refused(ready, people, pdf, expected):
    message = refusal(ready, people["officer"], report=upload(pdf(ready.reference)))
    assert "The final report must be anonymised" in message and expected in message
    assert not PublishedReview.objects.exists()


def test_a_comment_in_the_report_naming_the_child_is_found(ready, people):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report_pdf())))
    writer.add_annotation(0, Text(text="Ask Amelia's mother", rect=(50, 550, 200, 650)))
    out = io.BytesIO()
    writer.write(out)
    message = refusal(ready, people["officer"], report=upload(out.getvalue()))
    assert "‘Amelia’ (the file’s hidden properties)" in message


def test_a_password_protected_or_broken_report_is_refused_with_a_reason(ready, people):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report_pdf())))
    writer.encrypt(user_password="secret", owner_password="secret")
    out = io.BytesIO()
    writer.write(out)
    message = refusal(ready, people["officer"], report=upload(out.getvalue()))
    assert "must not be password protected" in message


def test_the_public_copy_keeps_the_pages_and_links_but_no_hidden_parts(ready, people, client):
    original = with_annotations(
        report_pdf("<p>Child A was 14.</p>", title="Draft 7 tracked", author="Jane Practitioner")
    )
    review = publish(ready, people["officer"], report=upload(original))
    published = PublishedReview.objects.get(source_review_id=review.pk)
    with published.report.open("rb") as f:
        public = PdfReader(io.BytesIO(f.read()))
    assert public.metadata.title == review.public_title
    assert public.metadata.author == review.partnership.name
    assert "Jane" not in str(dict(public.metadata)) and "Draft 7" not in str(dict(public.metadata))
    xmp = public.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert review.public_title in xmp and "Jane" not in xmp and "Draft 7" not in xmp
    kinds = [a.get_object()["/Subtype"] for a in public.pages[0].get("/Annots", [])]
    assert kinds == ["/Link"]
    assert "Child A was 14." in public.pages[0].extract_text()
    assert (
        "/Names" not in public.trailer["/Root"]
        or "/EmbeddedFiles" not in (public.trailer["/Root"]["/Names"])
    )
    # The staff copy is the file as uploaded.
    with review.report_file.open("rb") as f:
        assert f.read() == original


@pytest.mark.parametrize(
    "written",
    ["1 May 2019", "1st May 2019", "May 1, 2019", "01/05/2019", "1.5.19", "2019-05-01"],
)
def test_a_date_of_birth_is_caught_in_the_public_summary_and_the_briefing(ready, people, written):
    message = refusal(ready, people["officer"], public_summary=f"Child A, born {written}, was…")
    assert "must be anonymised" in message and written in message
    with pytest.raises(ValidationError) as error:
        services.briefing_save(
            review=ready,
            actor=people["officer"],
            values={**BRIEFING, "title": f"Who was with me on {written}?"},
        )
    assert written in error.value.messages[0] and "date of birth" in error.value.messages[0]


def test_a_tagged_report_stays_tagged_and_keeps_its_pdf_ua_identification(ready, people):
    original = HTML(
        string="<html lang='en-GB'><title>Report</title><h1>Review</h1><p>Child A.</p></html>"
    ).write_pdf(pdf_variant="pdf/ua-1")
    review = publish(ready, people["officer"], report=upload(original))
    published = PublishedReview.objects.get(source_review_id=review.pk)
    with published.report.open("rb") as f:
        root = PdfReader(io.BytesIO(f.read())).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp


def test_other_dates_are_not_taken_for_a_date_of_birth(ready, people):
    review = publish(
        ready,
        people["officer"],
        public_summary="Reviewed on 11 May 2019 and 1 May 2020; published 2019-05-10.",
    )
    assert review.status == "published"


def test_bookmarks_and_picture_descriptions_are_checked_too(ready, people):
    """Word exports headings as bookmarks and pictures' descriptions as tags: neither is on
    a page's text, and both reach the public copy."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report_pdf())))
    writer.add_outline_item(title="Amelia Zephyrine chronology", page_number=0)
    out = io.BytesIO()
    writer.write(out)
    message = refusal(ready, people["officer"], report=upload(out.getvalue()))
    assert "‘Amelia’ (the file’s hidden properties)" in message

    png = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    described = HTML(
        string=f"<html lang='en-GB'><title>R</title><p>Child A.</p>"
        f"<img src='{png}' alt='Genogram: Amelia Zephyrine and her mother'></html>"
    ).write_pdf(pdf_variant="pdf/ua-1")
    message = refusal(ready, people["officer"], report=upload(described))
    assert "‘Amelia’ (the file’s hidden properties)" in message


def test_a_report_with_no_readable_text_is_refused(ready, people):
    blank = HTML(string="<title>Scan</title><div style='height: 10cm'></div>").write_pdf()
    message = refusal(ready, people["officer"], report=upload(blank))
    assert "no text that can be read" in message
