"""One rule for writing dates (ADR 0008, addendum "one rule for writing dates"): in full
in text and summary lists, GOV.UK's truncated months in a table's cells."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.urls import reverse

from safeguarding.dates import full_date, short_date
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
    review,
    sent_requests,
)
from tests.utils import sign_in


@pytest.mark.parametrize(
    ("day", "full", "short"),
    [
        (dt.date(2026, 12, 11), "11 December 2026", "11 Dec 2026"),
        (dt.date(2027, 1, 1), "1 January 2027", "1 Jan 2027"),
        (dt.date(2026, 5, 4), "4 May 2026", "4 May 2026"),
        # GOV.UK's truncated months keep June and July whole, and write Sept.
        (dt.date(2026, 6, 4), "4 June 2026", "4 June 2026"),
        (dt.date(2026, 7, 31), "31 July 2026", "31 July 2026"),
        (dt.date(2026, 9, 9), "9 September 2026", "9 Sept 2026"),
    ],
)
def test_full_and_short_forms(day, full, short):
    assert full_date(day) == full
    assert short_date(day) == short


def render(text, **context):
    return Template(text).render(Context(context))


def test_the_filters_need_no_load_and_read_a_datetime_in_local_time(settings):
    settings.TIME_ZONE = "Europe/London"
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    late = dt.datetime(2026, 6, 30, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert render("{{ d|full_date }}", d=late) == "1 July 2026"
    assert render("{{ d|short_date }}", d=late) == "1 July 2026"
    assert render("{{ d|short_date }}", d=dt.date(2026, 9, 30)) == "30 Sept 2026"


@pytest.mark.parametrize("value", [None, "", "not a date"])
def test_the_filters_write_nothing_for_no_date(value):
    assert render("[{{ v|full_date }}][{{ v|short_date }}]", v=value) == "[][]"


@pytest.mark.django_db
def test_a_review_page_writes_full_dates_in_text_and_short_ones_in_its_timetable(
    client,
    people,
    review,  # noqa: F811 - the fixture imported above
):
    sign_in(client, people["officer"])
    html = client.get(reverse("rapid_reviews:detail", args=[review.pk])).content.decode()
    due = review.due_date
    # The statutory clock's sentence writes it in full; the timetable's row shortens it.
    assert f"by {full_date(due)}" in html
    assert f'<td class="govuk-table__cell">{short_date(due)}</td>' in html


@pytest.mark.parametrize(
    ("moment", "time", "both"),
    [
        (dt.datetime(2026, 12, 7, 14, 5, tzinfo=dt.UTC), "2:05pm", "7 December 2026, 2:05pm"),
        (dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC), "9:30am", "7 December 2026, 9:30am"),
        (dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC), "midday", "7 December 2026, midday"),
        (dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC), "midnight", "7 December 2026, midnight"),
        (dt.datetime(2026, 12, 7, 0, 1, tzinfo=dt.UTC), "12:01am", "7 December 2026, 12:01am"),
        (dt.datetime(2026, 12, 7, 12, 59, tzinfo=dt.UTC), "12:59pm", "7 December 2026, 12:59pm"),
        # British Summer Time: 23:30 UTC on 30 June is 00:30 on 1 July in the UK.
        (dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), "12:30am", "1 July 2026, 12:30am"),
    ],
)
def test_times_are_written_the_govuk_way_in_uk_time(moment, time, both):
    """GOV.UK style: "2:05pm", never "14:05" or "12pm"; the filters and the functions
    agree, and both show UK time."""
    from safeguarding.dates import date_and_time

    assert date_and_time(moment) == both
    rendered = Template("{{ m|time_of_day }} / {{ m|date_and_time }}").render(
        Context({"m": moment})
    )
    assert rendered == f"{time} / {both}"
    assert Template("{{ m|time_of_day }}{{ m|date_and_time }}").render(Context({"m": None})) == ""


def test_no_page_template_writes_a_24_hour_time():
    """Every template writes times through `time_of_day` or `date_and_time`."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = [
        str(path.relative_to(root))
        for app in ("templates", "safeguarding", "notifications", "rapid_reviews", "lcspr")
        for path in (root / app).rglob("*")
        if path.suffix in (".html", ".txt")
        and "/admin/" not in str(path)
        and ("H:i" in (text := path.read_text()) or "G:i" in text)
    ]
    assert found == []
