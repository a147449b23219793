"""The ready-to-copy form sections, the PDF of what was sent, and the page that shows them."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from notifications import services
from notifications.documents import (
    Row,
    Section,
    format_date,
    format_datetime,
    national_form_sections,
    notification_pdf,
    sent_copy,
)
from notifications.models import Incident
from notifications.selectors import incident_get_for

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def draft(partnership, people, agency, today):
    """A complete incident with two children, awaiting decision."""
    officer = people["officer"]
    incident = services.incident_create(
        partnership=partnership,
        actor=officer,
        awareness_date=today - dt.timedelta(days=3),
        incident_date=today - dt.timedelta(days=5),
        incident_place="The family home, Brookfield",
    )
    incident = services.incident_update(
        incident=incident,
        actor=officer,
        changes={
            "nature": "death",
            "harm_categories": ["physical", "neglect"],
            "circumstances": "An infant was taken to hospital.\nThe infant died the next day.",
            "parallel_processes": ["police", "cdr"],
            "notifier_name": "Officer One",
            "notifier_role": "Review officer",
            "notifier_contact": "officer.one@example.org",
        },
    )
    services.child_save(
        incident=incident,
        actor=officer,
        values={
            "name": "Amelia Example",
            "other_names": "Millie",
            "date_of_birth": today - dt.timedelta(days=400),
            "sex": "female",
            "ethnicity": "white_british",
            "health": "Born prematurely",
            "status_at_time": "cp",
        },
        known_to=[agency],
    )
    services.child_save(
        incident=incident,
        actor=officer,
        values={"name": "Unborn baby of Jane Example", "unborn": True, "sex": "not_known"},
    )
    return services.incident_submit_for_decision(incident=incident, actor=officer)


@pytest.fixture
def sent_at(today):
    return dt.datetime.combine(today - dt.timedelta(days=1), dt.time(10, 42), tzinfo=LONDON)


@pytest.fixture
def notified(draft, people, sent_at):
    return services.incident_record_notification(
        incident=draft,
        actor=people["officer"],
        notified_at=sent_at,
        dfe_reference="DFE-SIN-123456",
        ofsted_copied=True,
    )


def _as_dict(section: Section) -> dict[str, str]:
    return {row.label: row.value for row in section.rows}


# --- sections -------------------------------------------------------------------------


def test_sections_follow_the_national_form(draft):
    sections = national_form_sections(Incident.objects.get(pk=draft.pk))

    assert [s.title for s in sections] == [
        "Local authority and notifier",
        "The incident",
        "Child 1 of 2: Child A",
        "Child 2 of 2: Child B",
    ]
    assert all(isinstance(r, Row) for s in sections for r in s.rows)


def test_sections_hold_what_was_recorded(draft, partnership, today):
    notifier, incident, first, second = national_form_sections(draft)

    assert _as_dict(notifier) == {
        "Local authority": partnership.local_authority,
        "Safeguarding partnership": "Brookfield SCP",
        "Partnership reference": draft.reference,
        "Name of the person notifying": "Officer One",
        "Role of the person notifying": "Review officer",
        "Contact details": "officer.one@example.org",
    }
    facts = _as_dict(incident)
    assert facts["Date of the incident"] == format_date(today - dt.timedelta(days=5))
    assert facts["Date the local authority became aware"] == format_date(
        today - dt.timedelta(days=3)
    )
    assert facts["Nature of the incident"] == "Child death"
    assert facts["Category of harm"] == "Physical abuse, Neglect"
    assert facts["Parallel processes"] == "Police investigation, Child death review"
    assert facts["Summary of circumstances"].startswith("An infant was taken to hospital.\n")
    assert facts["Local authority where the child lived, if another"] == "This local authority"
    assert facts["Other children in the household"] == "None recorded"

    amelia = _as_dict(first)
    assert amelia["Name"] == "Amelia Example"
    assert amelia["Other names"] == "Millie"
    born = today - dt.timedelta(days=400)
    assert amelia["Date of birth or age"] == f"{born.day} {born:%B %Y} (1 year)"
    assert amelia["Sex"] == "Female"
    assert amelia["Ethnicity"] == "White: English, Welsh, Scottish, Northern Irish or British"
    assert amelia["Disability"] == "Not recorded"
    assert amelia["Status at the time of the incident"] == "Child protection plan"
    assert amelia["Placement type"] == "Not applicable"
    assert amelia["Known to agencies"] == "Midshire Police"

    unborn = _as_dict(second)
    assert unborn["Date of birth or age"] == "Unborn"
    assert unborn["Status at the time of the incident"] == "Not recorded"
    assert unborn["Known to agencies"] == "Not recorded"
    # No notification section until it is sent.
    assert "Notification" not in [s.title for s in national_form_sections(draft)]


def test_notification_section_once_sent(notified, sent_at):
    section = national_form_sections(notified)[-1]

    day = sent_at.date()
    assert section.title == "Notification"
    assert _as_dict(section) == {
        "Sent at": f"{day.day} {day:%B %Y}, 10:42am",
        "DfE reference": "DFE-SIN-123456",
        "Sent by": "Officer One",
        "Ofsted copied": "Yes",
        "Other partnerships told": "Not recorded",
    }


def test_sections_query_count(notified, people, django_assert_max_num_queries):
    plain = Incident.objects.get(pk=notified.pk)
    with django_assert_max_num_queries(3):
        sections = national_form_sections(plain)
    assert len(sections) == 5

    # Through the one door, children and their agencies are already prefetched.
    fetched = incident_get_for(people["officer"], notified.pk)
    with django_assert_max_num_queries(1):
        national_form_sections(fetched)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2026, 12, 3, 10, 42, tzinfo=dt.UTC), "3 December 2026, 10:42am"),
        (dt.datetime(2026, 6, 30, 13, 5, tzinfo=dt.UTC), "30 June 2026, 2:05pm"),  # BST
        (dt.datetime(2026, 12, 31, 12, 0, tzinfo=dt.UTC), "31 December 2026, midday"),
        (dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC), "28 March 2026, 11:30pm"),
    ],
)
def test_format_datetime_in_uk_time(value, expected):
    assert format_datetime(value) == expected


# --- the PDF --------------------------------------------------------------------------


def test_recording_the_notification_attaches_the_pdf(notified):
    notified.refresh_from_db()
    assert notified.notification_pdf.name == (
        f"notifications/{notified.reference}-notification.pdf"
    )
    with notified.notification_pdf.open("rb") as f:
        assert f.read(5) == b"%PDF-"


def test_pdf_is_tagged_and_holds_what_was_sent(notified):
    reader = PdfReader(io.BytesIO(notification_pdf(notified)))

    assert len(reader.pages) >= 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        notified.reference,
        "Child A",
        "Child B",
        "DFE-SIN-123456",
        "Amelia Example",
        "OFFICIAL-SENSITIVE",
    ):
        assert expected in text
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == f"Serious incident notification — {notified.reference}"
    assert reader.metadata.author == "Brookfield SCP"


# --- the page -------------------------------------------------------------------------


def test_ready_to_send_page_renders_every_section(notified, people):
    request = RequestFactory().get("/")
    request.user = people["officer"]
    notified.refresh_from_db()

    html = render_to_string(
        "notifications/ready_to_send.html",
        {
            "incident": notified,
            "sections": national_form_sections(notified),
            "sent_copy": sent_copy(notified),
        },
        request=request,
    )

    assert f"Ready to send: {notified.reference}" in html
    assert html.count('class="govuk-summary-card"') == 5
    assert "Child 2 of 2: Child B" in html
    assert "An infant was taken to hospital.<br>The infant died the next day." in html
    assert reverse("notifications:pdf", args=[notified.pk]) in html
    assert "Download the PDF of what was sent" in html
    assert ' style="' not in html


def test_a_pdf_that_cannot_be_read_is_not_audited_as_downloaded(client, notified, people):
    """The download is audited once the stored file is open: a file lost from storage
    gives the error page, and the trail does not say it was downloaded."""
    from safeguarding.models import AuditEvent
    from tests.utils import sign_in

    notified.refresh_from_db()
    notified.notification_pdf.storage.delete(notified.notification_pdf.name)
    client.raise_request_exception = False
    sign_in(client, people["officer"])
    response = client.get(reverse("notifications:pdf", args=[notified.pk]))
    assert response.status_code == 500
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.DOWNLOAD, object_id=str(notified.pk)
    ).exists()


def test_the_pdf_downloads_and_is_audited(client, notified, people):
    from safeguarding.models import AuditEvent
    from tests.utils import sign_in

    sign_in(client, people["officer"])
    response = client.get(reverse("notifications:pdf", args=[notified.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.DOWNLOAD, object_id=str(notified.pk), actor=people["officer"]
        ).count()
        == 1
    )


def _pdf_text(body: bytes) -> str:
    """The PDF's words, one space between each."""
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split()
    )


def _correct_awareness(incident, people, today):
    return services.incident_correct_awareness_date(
        incident=Incident.objects.get(pk=incident.pk),
        actor=people["manager"],
        awareness_date=today - dt.timedelta(days=4),
        reason="Typed wrongly",
    )


def test_a_correction_keeps_the_pdf_of_what_was_sent(client, notified, people, today):
    """A demo walk found the PDF of what was sent remade by a correction: it said the
    corrected date, not the one sent to the National Panel. It is kept as sent; the
    notification as corrected is its own PDF, saying so, with the correction's date."""
    from tests.utils import sign_in

    sent = format_date(today - dt.timedelta(days=3))
    corrected = format_date(today - dt.timedelta(days=4))
    _correct_awareness(notified, people, today)
    sign_in(client, people["manager"])

    response = client.get(reverse("notifications:pdf", args=[notified.pk]))
    text = _pdf_text(b"".join(response.streaming_content))
    assert f"Date the local authority became aware {sent}" in text
    assert "The copy of what was sent to the National Panel" in text

    response = client.get(reverse("notifications:pdf-corrected", args=[notified.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{notified.reference}-notification-as-corrected.pdf"'
    )
    text = _pdf_text(response.content)
    assert f"Date the local authority became aware {corrected}" in text
    assert f"The notification as corrected on {format_date(today)}. This is not what was sent" in (
        text
    )


def test_the_pages_offer_what_was_sent_and_the_notification_as_corrected(
    client, notified, people, today
):
    from tests.utils import sign_in

    sign_in(client, people["manager"])
    page = client.get(reverse("notifications:detail", args=[notified.pk])).content.decode()
    assert "Download the PDF of what was sent" in page
    assert reverse("notifications:pdf-corrected", args=[notified.pk]) not in page

    _correct_awareness(notified, people, today)
    page = client.get(reverse("notifications:detail", args=[notified.pk])).content.decode()
    on = format_date(today)
    assert (
        "Changed since it was sent: the date the local authority became aware (corrected "
        f"on {on}). The PDF of what was sent keeps it as it was sent."
    ) in page
    assert reverse("notifications:pdf", args=[notified.pk]) in page
    assert f"Download the PDF of the notification as corrected on {on}" in page
    assert "The notification as corrected</a>" in page

    page = client.get(reverse("notifications:ready-to-send", args=[notified.pk])).content
    page = page.decode()
    assert f"These are its answers as corrected on {on}, not as they were sent" in page
    assert "answers that were recorded when it was sent" not in page


def test_a_case_corrected_before_the_copy_was_kept_says_so(client, notified, people, today):
    """A case recorded before the copy of what was sent was kept, and corrected: its PDF
    was remade, so the page says it is made from the record as it is now."""
    from tests.utils import sign_in

    _correct_awareness(notified, people, today)
    Incident.objects.filter(pk=notified.pk).update(notification_pdf_as_sent=False)
    sign_in(client, people["manager"])
    page = client.get(reverse("notifications:detail", args=[notified.pk])).content.decode()
    assert "No copy of it as it was sent was kept" in page
    assert "its PDF is made from the record as it is now" in page
    assert "Download the PDF of what was sent" not in page
    assert reverse("notifications:pdf-corrected", args=[notified.pk]) in page


def test_no_pdf_as_corrected_before_a_correction(client, notified, people):
    from tests.utils import sign_in

    sign_in(client, people["officer"])
    client.raise_request_exception = False
    response = client.get(reverse("notifications:pdf-corrected", args=[notified.pk]))
    assert response.status_code == 404


def test_a_long_unbroken_name_wraps_inside_its_column(draft, people):
    """A name of one 130-letter word breaks inside its cell rather than run off the page:
    every line of the PDF begins and ends within the page, and the word is split over
    lines."""
    word = "Wolfeschlegelsteinhausenbergerdorff" * 4  # 140 letters, no break
    word = word[:130]
    child = draft.children.get(pseudonym="Child A")
    services.child_save(
        incident=draft,
        actor=people["officer"],
        child=child,
        values={"name": f"{word} Jones", "pseudonym": "Child A"},
    )
    services.incident_record_notification(
        incident=draft,
        actor=people["officer"],
        notified_at=timezone.now(),
        dfe_reference="DFE-1",
        late_reason="",
    )
    draft.refresh_from_db()
    reader = PdfReader(io.BytesIO(notification_pdf(draft)))
    lines = []
    for page in reader.pages:
        right = float(page.mediabox.right)
        starts = []

        def seen(text, cm, tm, font, size, starts=starts):
            if text.strip():
                starts.append((cm[0] * tm[4] + cm[4], text))

        lines += page.extract_text(visitor_text=seen).splitlines()
        assert all(0 <= x < right for x, _ in starts), starts
    assert not any(word in line for line in lines), "the word is on one line"
    pieces = [
        piece
        for piece in (line.strip().removeprefix("Name ") for line in lines)
        if piece and piece in word
    ]
    assert "".join(pieces).startswith(word[:100]), lines
    # Each piece is no wider than the value column (about 64% of 174mm at 10.5pt).
    assert max(len(p) for p in pieces) < 75, pieces


def _text_without_page_furniture(reader) -> list[str]:
    """The PDF's lines, without each page's OFFICIAL-SENSITIVE marks and page numbers."""
    lines = []
    for page in reader.pages:
        lines += [
            line
            for line in page.extract_text().splitlines()
            if line != "OFFICIAL-SENSITIVE" and not re.search(r"Page \d+ of \d+$", line)
        ]
    return lines


def test_a_20000_letter_word_is_broken_at_the_filters_breaks_and_kept_whole(draft, people):
    """One word of 20,000 letters took WeasyPrint 8 to 13 s to break wherever it ran out
    of room (`overflow-wrap: anywhere`). The PDF's free text has a zero-width break every
    20 characters of such a run (`breakable`): lines end there, and the whole word is in
    the PDF's text once the breaks are taken out."""
    import itertools
    import string

    from safeguarding.templatetags.pdf_text import EVERY, ZWSP

    word = "".join(itertools.islice(itertools.cycle(string.ascii_letters + string.digits), 20000))
    officer = people["officer"]
    services.incident_update(incident=draft, actor=officer, changes={"circumstances": word})
    draft.refresh_from_db()
    lines = _text_without_page_furniture(PdfReader(io.BytesIO(notification_pdf(draft))))
    text = "".join("".join(lines).replace(ZWSP, "").split())
    assert word in text
    # Each line of the word ends at one of the breaks: a whole number of 20-letter pieces.
    pieces = [
        line.replace(ZWSP, "").strip().removeprefix("Summary of circumstances ") for line in lines
    ]
    pieces = [piece for piece in pieces if piece and piece in word]
    assert "".join(pieces) == word
    assert all(len(piece) % EVERY == 0 for piece in pieces[:-1]), pieces[:5]
