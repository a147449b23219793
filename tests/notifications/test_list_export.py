"""The incident list downloads as CSV and Excel: every incident the filters choose (not
just the page on screen), in the list's order, with what the list shows and the dates
behind it; pseudonyms only, never a child's name; each download audited."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.models import AuditEvent
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_list_offers_its_download_with_the_filters_chosen(client, people, make_incident):
    make_incident()
    sign_in(client, people["officer"])
    html = client.get(reverse("notifications:list"), {"status": "draft", "page": "1"}).content
    html = html.decode()
    csv_url = reverse("notifications:list-export", args=["csv"]) + "?status=draft"
    xlsx_url = reverse("notifications:list-export", args=["xlsx"]) + "?status=draft"
    assert f'href="{csv_url}"' in html and f'href="{xlsx_url}"' in html


def test_the_csv_holds_every_incident_the_filters_choose_in_the_lists_order(
    client, people, make_incident
):
    today = timezone.localdate()
    late = make_incident(aware=today - dt.timedelta(days=20))
    fresh = [make_incident(aware=today) for _ in range(26)]  # more than a page of 25
    sign_in(client, people["manager"])
    header, *rows = rows_of(
        client.get(reverse("notifications:list-export", args=["csv"]), {"sort": "due"})
    )
    assert header == [
        "Reference",
        "Partnership",
        "Children",
        "Nature",
        "Status",
        "Local authority became aware",
        "Notify by",
        "Notified on",
        "On time",
    ]
    assert len(rows) == 27
    first = rows[0]
    assert first[0] == late.reference and first[1] == late.partnership.code
    assert first[2] == "Child A" and first[3] == "Serious harm" and first[4] == "Draft"
    assert first[5] == late.awareness_date.isoformat()
    assert first[6] == late.notification_due.isoformat()
    assert first[7] == "" and first[8] == "Overdue"
    assert {row[0] for row in rows[1:]} == {incident.reference for incident in fresh}
    assert {row[8] for row in rows[1:]} == {"Not yet due"}
    # What the list shows, and never a child's name.
    body = client.get(reverse("notifications:list-export", args=["csv"])).content.decode()
    assert "Child Name" not in body


def test_the_filters_choose_the_rows(client, people, make_incident):
    today = timezone.localdate()
    late = make_incident(aware=today - dt.timedelta(days=20))
    make_incident(aware=today)
    sign_in(client, people["officer"])
    url = reverse("notifications:list-export", args=["csv"])
    _header, *rows = rows_of(client.get(url, {"due": "overdue"}))
    assert [row[0] for row in rows] == [late.reference]
    _header, *rows = rows_of(client.get(url, {"q": late.reference}))
    assert [row[0] for row in rows] == [late.reference]


def test_a_notified_incident_says_when_and_whether_on_time(client, people, make_incident):
    from notifications import services

    incident = make_incident()
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    sent = timezone.localtime().replace(second=0, microsecond=0)
    services.incident_record_notification(
        incident=incident, actor=people["manager"], notified_at=sent, dfe_reference="DFE-1"
    )
    sign_in(client, people["manager"])
    _header, row = rows_of(client.get(reverse("notifications:list-export", args=["csv"])))
    assert row[4] == "Notified"
    assert row[7] == sent.date().isoformat() and row[8] == "Yes"


def test_the_excel_file_opens_with_the_same_rows(client, people, make_incident):
    from openpyxl import load_workbook

    incident = make_incident()
    sign_in(client, people["officer"])
    response = client.get(reverse("notifications:list-export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="incidents-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Reference" and values[1][0] == incident.reference
    assert len(values) == 2


def test_each_download_is_audited(client, people, partnership, make_incident):
    make_incident()
    sign_in(client, people["officer"])
    client.get(reverse("notifications:list-export", args=["csv"]), {"status": "draft"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, actor=people["officer"])
    assert event.partnership == partnership
    assert event.changes["rows"] == 1 and event.changes["filters"] == {"status": "draft"}


def test_an_unknown_format_is_not_found(client, people):
    sign_in(client, people["officer"])
    assert client.get("/incidents/export.pdf").status_code == 404


def test_only_the_business_unit_downloads_it(client, people, make_incident):
    make_incident()
    for who in ("agency", "reviewer", "regional"):
        sign_in(client, people[who])
        response = client.get(reverse("notifications:list-export", args=["csv"]))
        assert response.status_code == 403, who
