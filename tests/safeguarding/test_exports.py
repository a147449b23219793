"""CSV and Excel exports: same rows as the page, scoped, audited, no child names."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from notifications.models import Child, Incident
from safeguarding import calendar, reports
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
    assert data[0][0] == "Deadlines" and data[2][0] == "Section"  # the title, then the table
    assert [r[2] for r in data[3:]] == ["BSCP-2026-901"]  # only the officer's own item
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
    # The page's rows, each percentage a number ("50%" is 0.5).
    shown = [tuple(r[:-1]) + (0.5 if r[-1] == "50%" else r[-1],) for r in page.charts[0].rows]
    assert list(first[3:]) == shown
    csv_rows = _csv_rows(
        client.get(reverse("safeguarding:timeliness-export", args=["csv"]), {"year": "2025"})
    )
    assert ["Notifications to the National Panel", "2", "1", "1", "0", "50%"] in csv_rows
    # Each table's whole title heads its part of the CSV, and its sheet in Excel (whose
    # sheet names have no more than 31 characters).
    year = {"period": "financial_year", "year": "2025"}
    url = reverse("safeguarding:timeliness-export", args=["csv"])
    assert ["Clocks met on time, April 2025 to March 2026"] in _csv_rows(client.get(url, year))
    url = reverse("safeguarding:timeliness-export", args=["xlsx"])
    book = load_workbook(io.BytesIO(client.get(url, year).content))
    assert book.sheetnames[0] == "Timeliness"
    assert book.worksheets[0]["A1"].value == "Clocks met on time, April 2025 to March 2026"
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


# --- Excel: numbers a spreadsheet can use, sheet names that fit ------------------------------


def _book(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_excel_percentages_are_numbers_and_each_sheet_has_a_short_name(client, people, partnership):
    for day, closed in ((3, 3), (4, 10), (5, 5), (6, 6)):  # 3 on time, 1 late: 75%
        make_deadline(partnership, due=dt.date(2025, 3, day), closed_on=dt.date(2025, 3, closed))
    sign_in(client, people["manager"])
    query = {"period": "financial_year", "year": "2024"}
    book = _book(client.get(reverse("safeguarding:timeliness-export", args=["xlsx"]), query))
    assert book.sheetnames == [
        "Timeliness",
        "Nature of the incident",
        "Category of harm",
        "Age of the child",
        "Sex of the child",
        "Ethnic group of the child",
        "Learning themes",
    ]
    sheet = book["Timeliness"]
    # The whole title heads the sheet; a blank row keeps it apart from the table, so that
    # sorting the table leaves it where it is.
    assert sheet["A1"].value == "Clocks met on time, April 2024 to March 2025"
    assert sheet["A2"].value is None
    assert [c.value for c in sheet[3]][-1] == "Percentage on time"
    notifications = sheet[4]
    assert [c.value for c in notifications] == [
        "Notifications to the National Panel",
        4,
        3,
        1,
        0,
        0.75,
    ]
    assert notifications[-1].number_format == "0%"
    assert sheet["F5"].value == "–"  # no rapid review was due: nothing to work out
    assert sheet.auto_filter.ref == f"A3:F{sheet.max_row}"
    assert book["Learning themes"]["A1"].value == "Learning themes across reviews"
    # The CSV keeps the percentage as it reads on the page.
    rows = _csv_rows(client.get(reverse("safeguarding:timeliness-export", args=["csv"]), query))
    assert ["Notifications to the National Panel", "4", "3", "1", "0", "75%"] in rows


def test_agency_returns_have_their_own_short_sheet(client, people, partnership):
    from rapid_reviews.models import InformationRequest

    make_deadline(
        partnership,
        due=dt.date(2025, 3, 3),
        closed_on=dt.date(2025, 3, 3),
        kind=Deadline.Kind.AGENCY_RETURN,
        subject_type=InformationRequest._meta.label_lower,
    )
    sign_in(client, people["manager"])
    url = reverse("safeguarding:timeliness-export", args=["xlsx"])
    book = _book(client.get(url, {"year": "2025", "stage": "agency_returns"}))
    assert book.sheetnames == ["Timeliness", "Returns by agency", "Learning themes"]
    sheet = book["Returns by agency"]
    assert sheet["A1"].value == "Agency returns on time, by agency"
    assert [c.value for c in sheet[4]] == ["Unknown agency", 1, 1, 0, 0, 1]
    assert sheet["F4"].number_format == "0%"


def test_a_long_title_is_cut_between_words_and_names_stay_unique():
    from safeguarding.exports import xlsx_bytes

    long = "Notifications to the National Panel, by partnership and month"
    book = load_workbook(
        io.BytesIO(
            xlsx_bytes(
                [
                    (long, ["a"], [[1]]),
                    (long, ["a"], [[2]]),
                    ("Timeliness: [draft]", ["a"], [[3]], "Timeliness"),
                    ("timeliness", ["a"], [[4]]),
                    ("x" * 40, ["a"], [[5]]),
                ]
            )
        )
    )
    assert book.sheetnames == [
        "Notifications to the National",
        "Notifications to the (2)",
        "Timeliness",
        "timeliness (2)",  # Excel does not tell names apart by case
        "x" * 31,
    ]
    assert [s["A1"].value for s in book.worksheets][:2] == [long, long]
    assert [s["A4"].value for s in book.worksheets] == [1, 2, 3, 4, 5]


def _every_excel_download(client, people):
    """(what, workbook) of every Excel download, for each stage and for a long period."""
    periods = [
        {"period": "financial_year", "year": "2024"},
        {
            "period": "custom",
            "start_0": "1",
            "start_1": "1",
            "start_2": "2024",
            "end_0": "31",
            "end_1": "12",
            "end_2": "2025",
        },
    ]
    stages = [""] + list(reports.MEASURES)
    sign_in(client, people["manager"])
    yield "dashboard", _book(client.get(reverse("safeguarding:dashboard-export", args=["xlsx"])))
    yield "incidents", _book(client.get(reverse("notifications:list-export", args=["xlsx"])))
    annual = reverse("safeguarding:annual-report-data", args=[2025, "xlsx"])
    yield "annual", _book(client.get(annual))
    for period in periods:
        for stage in stages:
            url = reverse("safeguarding:timeliness-export", args=["xlsx"])
            yield f"timeliness {period} {stage}", _book(client.get(url, {**period, "stage": stage}))
    sign_in(client, people["regional"])
    for stage in stages:
        url = reverse("safeguarding:regional-export", args=["xlsx"])
        yield f"regional {stage}", _book(client.get(url, {"year": "2025", "stage": stage}))


def test_every_excel_sheet_name_fits_and_is_unique(client, people, partnership):
    from rapid_reviews.models import InformationRequest

    make_deadline(
        partnership,
        due=dt.date(2025, 3, 3),
        closed_on=dt.date(2025, 3, 3),
        kind=Deadline.Kind.AGENCY_RETURN,
        subject_type=InformationRequest._meta.label_lower,
    )
    seen = 0
    for what, book in _every_excel_download(client, people):
        names = book.sheetnames
        assert all(0 < len(name) <= 31 for name in names), (what, names)
        assert len({name.casefold() for name in names}) == len(names), (what, names)
        assert not any(set(name) & set("[]:*?/\\") for name in names), (what, names)
        if len(names) > 1:
            # A file of several tables heads each sheet with the table's whole title.
            for sheet in book.worksheets:
                title = sheet["A1"].value
                assert title and sheet["A2"].value is None, (what, sheet.title)
                # Never a title cut mid-word.
                if title.startswith(sheet.title):
                    assert title[len(sheet.title) : len(sheet.title) + 1] in ("", " ", ",")
        seen += len(names)
    assert seen > 80


def test_an_exports_filters_are_stored_without_the_button(client, people, partnership, clocks):
    sign_in(client, people["manager"])
    url = reverse("safeguarding:dashboard-export", args=["csv"])
    client.get(url, {"stage": "agency_returns", "apply": "Apply filters"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, actor=people["manager"])
    assert event.changes["filters"] == {"stage": "agency_returns"}
