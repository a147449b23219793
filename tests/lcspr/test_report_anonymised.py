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
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from weasyprint import HTML

from lcspr import services
from lcspr.models import PublishedReview
from tests.conftest import (
    make_agency,
    make_other_partnership,
    make_partnership,
    make_people,
    make_region,
)
from tests.rapid_reviews.conftest import CHILD_NAME, notify
from tests.shared_records import fresh, made_once, own_files

from .conftest import BRIEFING, open_review, publish, to_notice_sent

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


def make_ready(people, partnership):
    """A local review with its notice sent and its briefing saved: ready to publish."""
    officer = people["officer"]
    review = open_review(lambda **kwargs: notify(partnership, officer, **kwargs), people)
    review = to_notice_sent(review, officer)
    services.briefing_save(review=review, actor=officer, values=BRIEFING)
    return review


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every test here starts from the same review (tests/shared_records.py): made once,
    each test in a savepoint with its own copy of the files."""

    def build():
        region = make_region()
        partnership = make_partnership(region)
        other = make_other_partnership(region)
        people = make_people(partnership, other, make_agency(partnership, other), region)
        return {"people": people, "ready": make_ready(people, partnership)}

    yield from made_once(django_db_blocker, tmp_path_factory, build)


@pytest.fixture(autouse=True)
def _own_files(request, shared, settings, tmp_path):
    own_files(request, shared, settings, tmp_path)


@pytest.fixture
def people(shared):
    return fresh(shared.records["people"])


@pytest.fixture
def ready(shared):
    return fresh(shared.records["ready"])


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
    # The comment taken off is not left in the file as an object nobody uses.
    with published.report.open("rb") as f:
        assert not any("Jane" in _searchable(o) for o in _objects(f.read()))
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


# The parts of a PDF that are neither on a page nor among its properties: a link's address
# or script, named destinations, PDF 2.0 associated files, the pictures' XMP, actions run
# on opening. Each is built as a word processor or a hand-edited file would have it.

PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
TWO_PAGES = (
    f"<p>Child A was 14.</p><img src='{PNG}' alt='A chart'>"
    "<h2 style='page-break-before: always'>Section 2</h2><p>Findings.</p>"
)


def _name(value: str) -> NameObject:
    return NameObject(value)


def action(kind: str, **values) -> DictionaryObject:
    result = DictionaryObject({_name("/S"): _name(kind)})
    for key, value in values.items():
        result[_name(f"/{key}")] = TextStringObject(value) if isinstance(value, str) else value
    return result


def link(writer: PdfWriter, rect, **entries) -> DictionaryObject:
    """A /Link annotation on page 1 with these entries (/A, /Dest...), as the file has it."""
    annotation = DictionaryObject(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/Link"),
            _name("/Rect"): ArrayObject(map(NumberObject, rect)),
            **{_name(f"/{key}"): value for key, value in entries.items()},
        }
    )
    page = writer.pages[0]
    if "/Annots" not in page:
        page[_name("/Annots")] = ArrayObject()
    page["/Annots"].append(writer._add_object(annotation))
    return annotation


def attached(writer: PdfWriter, name: str, text: str) -> ArrayObject:
    """An /AF array of one file specification: the file's name and its text."""
    data = DecodedStreamObject()
    data.set_data(text.encode())
    data[_name("/Type")] = _name("/EmbeddedFile")
    spec = DictionaryObject(
        {
            _name("/Type"): _name("/Filespec"),
            _name("/F"): TextStringObject(name),
            _name("/UF"): TextStringObject(name),
            _name("/AFRelationship"): _name("/Supplement"),
            _name("/EF"): DictionaryObject({_name("/F"): writer._add_object(data)}),
        }
    )
    return ArrayObject([writer._add_object(spec)])


def picture_xmp(writer: PdfWriter, text: str) -> None:
    """An XMP packet on the report's picture, as a photo library or Word leaves it."""
    xmp = DecodedStreamObject()
    xmp.set_data(f"<x:xmpmeta xmlns:x='adobe:ns:meta/'>{text}</x:xmpmeta>".encode())
    xmp[_name("/Type")] = _name("/Metadata")
    xmp[_name("/Subtype")] = _name("/XML")
    for image in writer.pages[0]["/Resources"]["/XObject"].values():
        image.get_object()[_name("/Metadata")] = writer._add_object(xmp)


def crafted(change, body: str = "<p>Child A was 14.</p>") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report_pdf(body))))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _uri(address: str):
    return lambda w: link(w, (50, 50, 200, 80), A=action("/URI", URI=address))


def _catalogue(key: str, value):
    return lambda w: w._root_object.__setitem__(_name(key), value(w) if callable(value) else value)


def _old_style_destination(writer: PdfWriter) -> None:
    page = writer.pages[0].indirect_reference
    writer._root_object[_name("/Dests")] = DictionaryObject(
        {_name("/Amelia_chronology"): ArrayObject([page, _name("/Fit")])}
    )


def _page_associated_file(writer: PdfWriter) -> None:
    writer.pages[0][_name("/AF")] = attached(writer, "Amelia_Zephyrine_notes.txt", "Notes.")


def _page_open_script(writer: PdfWriter) -> None:
    script = action("/JavaScript", JS="app.alert('Zephyrine')")
    writer.pages[0][_name("/AA")] = DictionaryObject({_name("/O"): script})


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            _uri("https://casework.council.example/people/Amelia%20Zephyrine"),
            "‘Amelia’ (the file’s links and actions)",
        ),
        (
            _uri("https://casework.council.example/people/amelia_zephyrine?dob=2019-05-01"),
            "‘Amelia’ (the file’s links and actions), ‘Zephyrine’ (the file’s links and "
            "actions), ‘2019-05-01’ (the file’s links and actions)",
        ),
        (
            _uri("https://casework.example/search?q=Zephyrine%2BAmelia%252001%252F05%252F2019"),
            "‘01/05/2019’ (the file’s links and actions)",
        ),
        (
            lambda w: link(
                w, (50, 100, 200, 130), A=action("/JavaScript", JS="app.alert('Amelia')")
            ),
            "‘Amelia’ (the file’s links and actions)",
        ),
        (
            lambda w: link(w, (50, 100, 200, 130), A=action("/Launch", F="Amelia Zephyrine.docx")),
            "‘Amelia’ (the file’s links and actions)",
        ),
        (
            lambda w: w.add_named_destination("Amelia Zephyrine chronology", 0),
            "‘Amelia’ (the file’s named destinations)",
        ),
        (_old_style_destination, "‘Amelia’ (the file’s named destinations)"),
        (
            _catalogue("/AF", lambda w: attached(w, "notes.txt", "Born 1 May 2019, Acacia Road")),
            "‘1 May 2019’ (a file attached to the report)",
        ),
        (_page_associated_file, "‘Amelia’ (a file attached to the report)"),
        (
            _catalogue("/OpenAction", action("/JavaScript", JS="app.alert('Zephyrine')")),
            "‘Zephyrine’ (the file’s links and actions)",
        ),
        (_page_open_script, "‘Zephyrine’ (the file’s links and actions)"),
        (
            lambda w: picture_xmp(w, "<dc:description>Amelia at school</dc:description>"),
            "‘Amelia’ (the hidden properties of a picture)",
        ),
    ],
    ids=[
        "link address, percent-encoded",
        "link address with underscores and a date of birth",
        "link address encoded twice",
        "script link",
        "launch link",
        "named destination",
        "old-style named destination",
        "file associated with the document",
        "file associated with a page",
        "script run on opening",
        "script run on opening a page",
        "picture's XMP",
    ],
)
def test_the_report_s_links_destinations_attachments_and_pictures_are_checked(
    ready, people, change, expected
):
    body = f"<p>Child A was 14.</p><img src='{PNG}' alt='A chart'>"
    message = refusal(ready, people["officer"], report=upload(crafted(change, body)))
    assert "The final report must be anonymised" in message and expected in message
    assert not PublishedReview.objects.exists()


def test_a_correction_with_a_link_naming_the_child_is_refused(ready, people):
    review = publish(ready, people["officer"])
    published = PublishedReview.objects.get(source_review_id=review.pk)
    before = published.report.name
    naming = crafted(_uri("https://casework.council.example/people/Amelia_Zephyrine"))
    with pytest.raises(ValidationError) as error:
        services.published_update(
            review=review, actor=people["officer"], reason="Corrected", report=upload(naming)
        )
    assert "‘Amelia’ (the file’s links and actions)" in str(error.value)
    published.refresh_from_db()
    assert published.report.name == before


def _everything_neutral(writer: PdfWriter) -> None:
    """A report whose hidden parts name no one, but which has all of them: links to the web,
    to a named destination and to scripts or programs, named destinations old and new,
    associated files, a bookmark to a named destination, actions run on opening, a
    picture's XMP."""
    root, page = writer._root_object, writer.pages[0]
    second = writer.pages[1].indirect_reference
    writer.add_named_destination("section-2", 1)
    root[_name("/Dests")] = DictionaryObject(
        {_name("/findings"): DictionaryObject({_name("/D"): ArrayObject([second, _name("/Fit")])})}
    )
    web = link(writer, (50, 50, 200, 80), A=action("/URI", URI="https://www.gov.uk/guidance"))
    web[_name("/AA")] = DictionaryObject({_name("/E"): action("/JavaScript", JS="app.beep()")})
    link(writer, (50, 100, 200, 130), A=action("/JavaScript", JS="app.alert('Hello')"))
    link(writer, (50, 150, 200, 180), A=action("/Launch", F="report.exe"))
    link(writer, (50, 200, 200, 230), A=action("/SubmitForm", F="https://forms.example/"))
    link(writer, (50, 250, 200, 280), Dest=TextStringObject("section-2"))
    link(writer, (50, 300, 200, 330), A=action("/GoTo", D="section-2"))
    link(writer, (50, 350, 200, 380), Dest=_name("/findings"))
    link(writer, (50, 400, 200, 430), Dest=TextStringObject("no-such-place"))
    link(writer, (50, 450, 200, 480), A=action("/URI", URI="javascript:alert(1)"))
    bookmark = writer.add_outline_item(title="Section 2", page_number=0).get_object()
    bookmark.pop(_name("/Dest"), None)
    bookmark[_name("/A")] = action("/GoTo", D="section-2")
    root[_name("/AF")] = attached(writer, "minutes.txt", "Neutral meeting minutes text")
    page[_name("/AF")] = attached(writer, "chart-data.csv", "Neutral chart data text")
    root[_name("/OpenAction")] = action("/JavaScript", JS="app.alert('Welcome')")
    page[_name("/AA")] = DictionaryObject({_name("/O"): action("/Launch", F="neutral-program.exe")})
    picture_xmp(writer, "<dc:description>Neutral picture packet</dc:description>")


def _objects(data: bytes) -> list:
    """Every object written in the file, used or not."""
    reader = PdfReader(io.BytesIO(data))
    numbers = [n for generation in reader.xref.values() for n in generation]
    return [reader.get_object(n) for n in numbers]


def _searchable(obj) -> str:
    text = repr(obj)
    if hasattr(obj, "get_data"):
        text += obj.get_data().decode("latin-1")
    return text


def test_the_public_copy_keeps_links_to_pages_and_the_web_and_nothing_else(ready, people):
    original = crafted(_everything_neutral, TWO_PAGES)
    for hidden in ("/JavaScript", "/Launch", "Neutral meeting minutes", "Neutral picture"):
        assert any(hidden in _searchable(o) for o in _objects(original))  # the upload has them
    review = publish(ready, people["officer"], report=upload(original))  # nothing names Amelia
    published = PublishedReview.objects.get(source_review_id=review.pk)
    with published.report.open("rb") as f:
        data = f.read()
    public = PdfReader(io.BytesIO(data))
    root, first, second = public.trailer["/Root"], public.pages[0], public.pages[1]

    for key in ("/AF", "/OpenAction", "/AA", "/Names", "/Dests"):
        assert key not in root
    for page in public.pages:
        assert "/AF" not in page and "/AA" not in page
    image = next(iter(first["/Resources"]["/XObject"].values())).get_object()
    assert image["/Subtype"] == "/Image" and "/Metadata" not in image
    # Nothing taken off is left in the file as an object nobody uses.
    everything = "\n".join(_searchable(o) for o in _objects(data))
    for gone in (
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "app.",
        ".exe",
        "Neutral meeting minutes",
        "Neutral chart data",
        "Neutral picture packet",
        "section-2",
        "findings",
        "javascript:",
    ):
        assert gone not in everything, gone

    links = [a.get_object() for a in first["/Annots"]]
    assert [list(a["/Rect"]) for a in links] == [
        [50, 50 + 50 * n, 200, 80 + 50 * n] for n in range(9)
    ]
    for annotation in links:
        assert set(annotation) <= {"/Type", "/Subtype", "/Rect", "/Border", "/BS", "/Dest", "/A"}
    web, script, launch, form, named, goto, old_style, nowhere, bad_uri = links
    assert web["/A"] == {"/S": "/URI", "/URI": "https://www.gov.uk/guidance"}
    for inert in (script, launch, form, nowhere, bad_uri):
        assert "/A" not in inert and "/Dest" not in inert
    for internal in (named, goto, old_style):
        assert "/A" not in internal
        assert internal["/Dest"][0].idnum == second.indirect_reference.idnum
        assert (
            public.get_destination_page_number(public._build_destination("", internal["/Dest"]))
            == 1
        )
    assert public.outline[0].title == "Section 2"
    assert public.get_destination_page_number(public.outline[0]) == 1
    assert "Child A was 14." in first.extract_text() and "Findings." in second.extract_text()
