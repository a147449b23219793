"""CSV and Excel exports: same rows as the page, scoped, audited, no child names."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from notifications.models import Child, Incident
from safeguarding import calendar
from safeguarding.exports import csv_bytes
from safeguarding.models import AuditEvent, Deadline
from tests.utils import sign_in

from .report_helpers import make_deadline


@pytest.fixture
def clocks(people, partnership, other_partnership):
    today = timezone.localdate()
    inc = Incident.objects.create(
        partnership=partnership,
        reference="BSCP-2026-901",
        year=2026,
        sequence=901,
        awareness_date=today,
        notification_due=today,
        created_by=people["officer"],
    )
    Child.objects.create(incident=inc, pseudonym="Child A", name="Lily Secretname")
    rows = [
        make_deadline(
            partnership,
            due=calendar.add_working_days(today, -2, partnership=partnership),
            owner=people["officer"],
            title="Notify the National Panel: BSCP-2026-901",
            reference="BSCP-2026-901",
        ),
        make_deadline(partnership, due=today, kind=Deadline.Kind.RAPID_REVIEW),
        make_deadline(
            partnership, due=calendar.add_working_days(today, 3, partnership=partnership)
        ),
    ]
    make_deadline(other_partnership, due=today, title="Elsewhere: ASCP-2026-1")
    return rows


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_dashboard_csv_has_the_page_rows_and_is_audited(client, people, partnership, clocks):
    sign_in(client, people["manager"])
    page = client.get(reverse("safeguarding:home")).context["board"]
    response = client.get(reverse("safeguarding:dashboard-export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    exported_titles = {
        r[3]
        for r in rows
        if len(r) > 3 and r[0] in {"Overdue", "Due today", "Due within the next 5 working days"}
    }
    assert exported_titles == {row.title for row in page.attention_rows}
    text = response.content.decode("utf-8-sig")
    assert "Lily Secretname" not in text and "Elsewhere" not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, actor=people["manager"])
    assert event.partnership == partnership
    assert event.changes["format"] == "csv"


def test_dashboard_xlsx_opens_with_openpyxl(client, people, clocks):
    sign_in(client, people["officer"])
    response = client.get(reverse("safeguarding:dashboard-export", args=["xlsx"]), {"show": "mine"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Deadlines", "By stage", "Workload"]
    sheet = book["Deadlines"]
    data = list(sheet.iter_rows(values_only=True))
    assert data[0][0] == "Section"
    assert [r[2] for r in data[1:]] == ["BSCP-2026-901"]  # only the officer's own item
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_timeliness_exports_match_the_page(client, people, partnership):
    make_deadline(partnership, due=dt.date(2025, 3, 3), closed_on=dt.date(2025, 3, 3))
    make_deadline(partnership, due=dt.date(2025, 3, 4), closed_on=dt.date(2025, 3, 10))
    sign_in(client, people["manager"])
    page = client.get(reverse("safeguarding:timeliness"), {"year": "2025"}).context["report"]
    response = client.get(
        reverse("safeguarding:timeliness-export", args=["xlsx"]), {"year": "2025"}
    )
    book = load_workbook(io.BytesIO(response.content))
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(first[1:]) == [tuple(r) for r in page.charts[0].rows]
    csv_rows = _csv_rows(
        client.get(reverse("safeguarding:timeliness-export", args=["csv"]), {"year": "2025"})
    )
    assert ["Notifications to the National Panel", "2", "1", "1", "0", "50%"] in csv_rows
    # Each table's whole title heads its part of the CSV (only Excel's sheet names are
    # cut to its 31 characters).
    year = {"period": "financial_year", "year": "2025"}
    url = reverse("safeguarding:timeliness-export", args=["csv"])
    assert ["Clocks met on time, April 2025 to March 2026"] in _csv_rows(client.get(url, year))
    url = reverse("safeguarding:timeliness-export", args=["xlsx"])
    book = load_workbook(io.BytesIO(client.get(url, year).content))
    assert book.sheetnames[0] == "Clocks met on time, April 2025 "
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 4


def test_unknown_format_is_not_found(client, people):
    sign_in(client, people["manager"])
    assert client.get(reverse("safeguarding:dashboard-export", args=["pdf"])).status_code == 404


def test_export_of_another_partnership_is_not_found(client, people, other_partnership):
    sign_in(client, people["manager"])
    url = reverse("safeguarding:dashboard-export", args=["csv"])
    assert client.get(url, {"partnership": other_partnership.pk}).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_signed_out_exports_go_to_sign_in(client):
    response = client.get(reverse("safeguarding:dashboard-export", args=["csv"]))
    assert response.status_code == 302 and "/sign-in/" in response.url


def test_formula_like_text_is_neutralised():
    text = csv_bytes([("T", ["a"], [["=HYPERLINK(1)"], ["-3"]])]).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "\n-3" in text.replace("\r", "")
    # A spreadsheet may skip a leading tab or carriage return before the formula.
    for value in ("\t=HYPERLINK(1)", "\r=HYPERLINK(1)"):
        assert "'" + value in csv_bytes([("T", ["a"], [[value]])]).decode("utf-8-sig")
