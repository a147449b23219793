"""Timeliness, counts, the regional comparison and the annual report (issue 7)."""

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lcspr import services as lcspr_services
from lcspr.models import LearningTheme
from notifications.models import Child, Ethnicity, Incident, Nature, Sex
from rapid_reviews.models import InformationRequest, RapidReview
from safeguarding import reports
from safeguarding.models import AuditEvent, Deadline, Membership, Role
from tests.factories import AgencyFactory, PartnershipFactory
from tests.lcspr.conftest import local_review, open_review  # noqa: F401 - fixture
from tests.rapid_reviews.conftest import make_review  # noqa: F401 - fixture
from tests.utils import sign_in

from .report_helpers import make_deadline

Kind = Deadline.Kind
D = dt.date
YEAR_2025 = reports.Period.year(2025)
TODAY = D(2026, 11, 26)

_seq = iter(range(1, 100_000))


def incident(partnership, creator, *, aware, nature=Nature.SERIOUS_HARM, harm=(), when=None):
    n = next(_seq)
    return Incident.objects.create(
        partnership=partnership,
        reference=f"{partnership.code}-{aware.year}-{n:04d}",
        year=aware.year,
        sequence=n,
        awareness_date=aware,
        incident_date=when or aware,
        notification_due=aware + dt.timedelta(days=7),
        nature=nature,
        harm_categories=list(harm),
        created_by=creator,
    )


def child(inc, *, pseudonym="Child A", **values):
    return Child.objects.create(incident=inc, pseudonym=pseudonym, name="Secret Name", **values)


@pytest.fixture
def timeliness_fixture(partnership, other_partnership):
    """Hand-computed 2025 figures for `partnership`:
    notifications: 3 on time, 1 late (closed after due), 1 overdue and open (late),
      1 cancelled (left out), 1 due in 2024 (left out) -> 3 of 5 on time, 60%.
    rapid reviews: 1 on time, 1 late -> 50%.
    """
    p = partnership
    for due, closed in [
        (D(2025, 1, 10), D(2025, 1, 10)),
        (D(2025, 3, 3), D(2025, 2, 28)),
        (D(2025, 12, 31), D(2025, 12, 30)),
        (D(2025, 6, 2), D(2025, 6, 5)),
    ]:
        make_deadline(p, due=due, closed_on=closed)
    make_deadline(p, due=D(2025, 7, 1))  # open and overdue
    make_deadline(p, due=D(2025, 8, 1), closed_on=D(2025, 8, 5), outcome="cancelled")
    make_deadline(p, due=D(2024, 12, 31), closed_on=D(2024, 12, 31))
    make_deadline(p, due=D(2025, 5, 1), kind=Kind.RAPID_REVIEW, closed_on=D(2025, 5, 1))
    make_deadline(p, due=D(2025, 5, 2), kind=Kind.RAPID_REVIEW, closed_on=D(2025, 5, 9))
    make_deadline(other_partnership, due=D(2025, 5, 2), closed_on=D(2025, 5, 9))


def test_timeliness_matches_hand_computed_figures(partnership, timeliness_fixture):
    t = reports.timeliness([partnership.pk], YEAR_2025, today=TODAY)
    n = t["notifications"]
    assert (n.total, n.on_time, n.late, n.pending, n.percent) == (5, 3, 2, 0, 60)
    r = t["rapid_reviews"]
    assert (r.total, r.on_time, r.late, r.percent) == (2, 1, 1, 50)
    assert t["lcspr"].total == 0 and t["lcspr"].percent is None
    assert t["lcspr"].empty_text == "None due in this period"


def test_quarter_and_custom_periods(partnership, timeliness_fixture):
    q1 = reports.timeliness([partnership.pk], reports.Period.quarter(2025, 1), today=TODAY)
    assert (q1["notifications"].total, q1["notifications"].on_time) == (2, 2)
    assert reports.Period.quarter(2025, 4).end == D(2025, 12, 31)
    custom = reports.Period.custom(D(2025, 6, 1), D(2025, 7, 31))
    t = reports.timeliness([partnership.pk], custom, today=TODAY)
    assert (t["notifications"].total, t["notifications"].late) == (2, 2)


def test_open_clocks_not_yet_due_are_pending(partnership):
    make_deadline(partnership, due=D(2026, 12, 10))
    t = reports.timeliness([partnership.pk], reports.Period.year(2026), today=TODAY)
    assert (t["notifications"].pending, t["notifications"].decided) == (1, 0)


def test_agency_returns_per_agency(partnership, people):
    inc = incident(partnership, people["officer"], aware=D(2025, 3, 3))
    review = RapidReview.objects.create(incident=inc, due_date=D(2025, 3, 31))
    police = AgencyFactory(name="Police force")
    health = AgencyFactory(name="Health trust")
    on_time = InformationRequest.objects.create(
        rapid_review=review, agency=police, due_date=D(2025, 3, 14)
    )
    late = InformationRequest.objects.create(
        rapid_review=review, agency=health, due_date=D(2025, 3, 14)
    )
    for req, closed in [(on_time, D(2025, 3, 13)), (late, D(2025, 3, 20))]:
        make_deadline(
            partnership,
            due=req.due_date,
            kind=Kind.AGENCY_RETURN,
            closed_on=closed,
            subject_type="rapid_reviews.informationrequest",
            subject_id=req.pk,
        )
    rows = {
        a.agency: (a.on_time, a.late)
        for a in reports.agency_timeliness([partnership.pk], YEAR_2025, today=TODAY)
    }
    assert rows == {"Health trust": (0, 1), "Police force": (1, 0)}


def test_counts_by_nature_harm_age_sex_and_ethnicity(partnership, other_partnership, people):
    officer = people["officer"]
    a = incident(
        partnership,
        officer,
        aware=D(2025, 6, 10),
        harm=["neglect", "physical"],
        when=D(2025, 6, 9),
    )
    b = incident(
        partnership, officer, aware=D(2025, 9, 1), nature=Nature.CHILD_DEATH, harm=["neglect"]
    )
    incident(partnership, officer, aware=D(2024, 9, 1), harm=["sexual"])  # another year
    incident(other_partnership, officer, aware=D(2025, 9, 1), harm=["sexual"])  # elsewhere
    # Ages at the incident date (9 June 2025) or awareness date.
    child(
        a,
        pseudonym="A",
        date_of_birth=D(2024, 6, 10),
        sex=Sex.FEMALE,
        ethnicity=Ethnicity.WHITE_BRITISH,
    )  # 11 months: under 1
    child(
        a,
        pseudonym="B",
        date_of_birth=D(2024, 6, 9),
        sex=Sex.MALE,
        ethnicity=Ethnicity.BLACK_AFRICAN,
    )  # 1st birthday that day: 1 to 4
    child(a, pseudonym="C", date_of_birth=D(2015, 6, 10), ethnicity=Ethnicity.ASIAN_INDIAN)  # 9
    child(a, pseudonym="D", unborn=True, sex=Sex.NOT_KNOWN)
    child(b, pseudonym="E", age_years=16, sex=Sex.MALE, ethnicity=Ethnicity.MIXED_OTHER)
    child(b, pseudonym="F", age_years=19, ethnicity=Ethnicity.OTHER_ARAB)
    child(b, pseudonym="G")  # nothing known
    child(b, pseudonym="H", age_years=12, status_at_time="care_leaver")  # recorded as care leaver

    with CaptureQueriesContext(connection) as ctx:
        result = {
            b.key: {code: n for code, _l, n in b.rows}
            for b in reports.counts([partnership.pk], YEAR_2025)
        }
    assert len(ctx.captured_queries) == 5
    assert result["nature"]["serious_harm"] == 1 and result["nature"]["death"] == 1
    assert result["harm"] == {"physical": 1, "sexual": 0, "emotional": 0, "neglect": 2}
    assert result["age"] == {
        "unborn": 1,
        "under_1": 1,
        "1_4": 1,
        "5_9": 1,
        "10_15": 0,
        "16_17": 1,
        "18_plus": 2,
        "not_known": 1,
    }
    assert result["sex"] == {"female": 1, "male": 2, "not_known": 5}
    assert result["ethnicity"] == {
        "asian": 1,
        "black": 1,
        "mixed": 1,
        "white": 1,
        "other": 1,
        "not_known": 3,
    }


# --- pages --------------------------------------------------------------------------------


def test_timeliness_page_shows_figures_charts_and_tables(client, people, timeliness_fixture):
    sign_in(client, people["manager"])
    response = client.get(reverse("safeguarding:timeliness"), {"period": "year", "year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 of 5 on time" in html and "(60%)" in html
    assert 'role="img"' in html and "<title id=" in html and "aria-labelledby=" in html
    assert "Data for the chart" in html
    assert "None due in this period" in html
    assert "Learning themes across reviews" in html
    assert " style=" not in html
    # A financial year's page links the calendar year's annual report: it says which.
    fy = client.get(
        reverse("safeguarding:timeliness"), {"period": "financial_year", "year": "2025"}
    )
    assert "The calendar year, 1 January to 31 December 2025." in fy.content.decode()


def test_timeliness_custom_period_validation(client, people):
    sign_in(client, people["manager"])
    response = client.get(reverse("safeguarding:timeliness"), {"period": "custom"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the first day of the period" in html
    assert html.count("Error:") >= 1
    ok = client.get(
        reverse("safeguarding:timeliness"),
        {
            "period": "custom",
            "start_0": "1",
            "start_1": "6",
            "start_2": "2025",
            "end_0": "31",
            "end_1": "7",
            "end_2": "2025",
        },
    )
    assert "1 June 2025 to 31 July 2025" in ok.content.decode()


def test_refused_timeliness_filters_show_no_figures(client, people, timeliness_fixture):
    """A custom period ending before it starts is refused: the error, and no figures
    (the calendar year's figures under the error would look like the answer)."""
    sign_in(client, people["manager"])
    response = client.get(
        reverse("safeguarding:timeliness"),
        {
            "period": "custom",
            "start_0": "1",
            "start_1": "6",
            "start_2": "2025",
            "end_0": "1",
            "end_1": "5",
            "end_2": "2025",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Correct the filters to see the figures." in html
    assert "Timeliness: " not in html
    assert "<svg" not in html and "on time" not in html
    assert "These figures (CSV)" not in html
    assert people["manager"].memberships.first().partnership.name in html  # the caption
    # The same filters typed into a download's address download nothing.
    export = client.get(
        reverse("safeguarding:timeliness-export", args=["csv"]), response.wsgi_request.GET
    )
    assert export.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_refused_regional_filters_show_no_figures(
    client, people, partnership, other_partnership, region_data
):
    """As on the timeliness page: a refused filter gives the error and no figures (the
    default period's figures under it would look like the answer), and its download
    address downloads nothing."""
    sign_in(client, people["regional"])
    response = client.get(reverse("safeguarding:regional"), {"year": "nonsense"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Correct the filters to see the figures." in html
    assert "Regional comparison: " not in html
    assert partnership.name not in html.split("<main", 1)[1]
    assert "These figures (CSV)" not in html
    export = client.get(
        reverse("safeguarding:regional-export", args=["csv"]), response.wsgi_request.GET
    )
    assert export.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    # Accepted, the figures are there as before.
    html = client.get(reverse("safeguarding:regional"), {"year": "2025"}).content.decode()
    assert "Regional comparison: " in html and partnership.name in html


def test_an_annual_report_for_a_year_not_yet_begun_is_not_found(client, people):
    sign_in(client, people["manager"])
    next_year = dt.date.today().year + 1
    this_year = next_year - 1
    assert client.get(reverse("safeguarding:annual-report", args=[next_year])).status_code == 404
    assert (
        client.get(reverse("safeguarding:annual-report-data", args=[next_year, "csv"])).status_code
        == 404
    )
    data = client.get(reverse("safeguarding:annual-report-data", args=[this_year, "csv"]))
    assert data.status_code == 200


def test_timeliness_stage_filter(client, people, timeliness_fixture):
    sign_in(client, people["manager"])
    response = client.get(
        reverse("safeguarding:timeliness"), {"year": "2025", "stage": "rapid_reviews"}
    )
    labels = [m.label for m in response.context["report"].measures]
    assert labels == ["Rapid reviews"]
    assert response.context["report"].breakdowns is None


@pytest.mark.parametrize("who", ["regional", "agency", "reviewer"])
def test_timeliness_and_annual_report_are_for_the_business_unit(client, people, who):
    sign_in(client, people[who])
    assert client.get(reverse("safeguarding:timeliness")).status_code == 403
    assert client.get(reverse("safeguarding:annual-report", args=[2025])).status_code == 403
    assert (
        client.get(reverse("safeguarding:annual-report-data", args=[2025, "csv"])).status_code
        == 403
    )


def test_report_pages_run_a_fixed_number_of_queries(
    client, people, partnership, django_assert_max_num_queries
):
    officer = people["officer"]

    def add(n):
        for i in range(n):
            inc = incident(partnership, officer, aware=D(2025, 1 + i % 12, 5), harm=["neglect"])
            child(inc, date_of_birth=D(2015, 1, 1), sex=Sex.FEMALE)
            make_deadline(partnership, due=inc.awareness_date, closed_on=inc.awareness_date)

    sign_in(client, people["manager"])
    url = reverse("safeguarding:timeliness") + "?year=2025"
    add(5)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    small = len(ctx.captured_queries)
    add(45)
    with django_assert_max_num_queries(small):
        client.get(url)
    assert small <= 20, small


# --- regional -------------------------------------------------------------------------------


@pytest.fixture
def region_data(partnership, other_partnership, people):
    """BSCP: 6 notifications in 2025, 5 on time. ASCP: 3 notifications, all on time."""
    for i in range(6):
        due = D(2025, 2, 3 + i)
        make_deadline(partnership, due=due, closed_on=due if i else due + dt.timedelta(days=3))
    for i in range(3):
        due = D(2025, 4, 1 + i)
        make_deadline(other_partnership, due=due, closed_on=due)
    officer = people["officer"]
    for _ in range(3):
        child(incident(other_partnership, officer, aware=D(2025, 4, 1)), sex=Sex.FEMALE)


def test_regional_view_side_by_side_with_small_numbers_suppressed(
    client, people, partnership, other_partnership, region_data
):
    outside = PartnershipFactory(code="ZZZ", name="Outside region SCP")
    make_deadline(outside, due=D(2025, 2, 3), closed_on=D(2025, 2, 3))
    sign_in(client, people["regional"])
    response = client.get(reverse("safeguarding:regional"), {"year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    notifications = next(
        m for m in response.context["regional"]["measures"] if m["key"] == "notifications"
    )
    rows = {r[0]: r[1:] for r in notifications["rows"]}
    # 5 on time of 6 with "83%" would give away the single late one: where late (or on
    # time) is hidden, so are the other and the percentage.
    # 6 due, shown as 5 (5 to 7), less 5 or more on time would leave the late one at 1
    # or 2: the number due is hidden too.
    assert rows[partnership.name] == ["not shown", "not shown", "fewer than 5", "0", "not shown"]
    assert rows[other_partnership.name] == [
        "fewer than 5",
        "fewer than 5",
        "0",
        "0",
        "not shown",
    ]
    assert "83%" not in html
    assert "Outside region SCP" not in html
    assert "Secret Name" not in html and "Child A" not in html
    assert "fewer than 5" in html
    sex = next(b for b in response.context["regional"]["breakdowns"] if b["key"] == "sex")
    assert [other_partnership.name, "fewer than 5", "0", "0"] in sex["rows"]


def test_a_regional_row_adds_up_as_the_timeliness_report_does(client, people, partnership):
    """Due in the period counts clocks not yet due, as the timeliness report does: the
    regional row shows them in their own column (page and download), so due = on time +
    late + not yet due."""
    import csv

    today = timezone.localdate()
    for i in range(10):  # met on time early in the year
        due = D(today.year, 1, 6 + i)
        make_deadline(partnership, due=due, closed_on=due)
    for _ in range(5):  # open, due today: not yet due
        make_deadline(partnership, due=today)
    sign_in(client, people["regional"])
    query = {"year": str(today.year)}
    response = client.get(reverse("safeguarding:regional"), query)
    notifications = next(
        m for m in response.context["regional"]["measures"] if m["key"] == "notifications"
    )
    rows = {r[0]: r[1:] for r in notifications["rows"]}
    assert rows[partnership.name] == ["15", "10", "0", "5", "100%"]
    assert "Not yet due" in response.content.decode()
    export = client.get(reverse("safeguarding:regional-export", args=["csv"]), query)
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header = next(i for i, r in enumerate(lines) if r[:2] == ["Partnership", "Due in the period"])
    assert lines[header][3:5] == ["Late or overdue", "Not yet due"]
    row = next(r for r in lines[header:] if r[0] == partnership.name)
    assert row[1:] == ["15", "10", "0", "5", "100%"]


def test_regional_export_is_suppressed_and_audited(client, people, region_data, partnership):
    sign_in(client, people["regional"])
    response = client.get(reverse("safeguarding:regional-export", args=["csv"]), {"year": "2025"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "fewer than 5" in text and "Secret Name" not in text
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, actor=people["regional"], partnership=partnership
    ).exists()


def test_regional_figures_are_for_whole_years_and_quarters_only(client, people, region_data):
    """Two ranges of one's own a day apart would give away, by difference, one case
    hidden in "fewer than 5": regional viewers choose years and quarters, not dates."""
    sign_in(client, people["regional"])
    page = client.get(reverse("safeguarding:regional")).content.decode()
    assert 'value="custom"' not in page and 'name="start_0"' not in page
    custom = {
        "period": "custom",
        **{f"start_{i}": v for i, v in enumerate(["1", "2", "2025"])},
        **{f"end_{i}": v for i, v in enumerate(["5", "2", "2025"])},
    }
    refused = client.get(reverse("safeguarding:regional"), custom)
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    # Refused: no figures at all, of that range or any other, and nothing to download.
    assert refused.context["regional"] is None
    export = client.get(reverse("safeguarding:regional-export", args=["csv"]), custom)
    assert export.status_code == 404


def test_a_hidden_count_is_not_given_away_by_the_other_or_the_percentage():
    from safeguarding.reports import suppressed_timeliness

    # 9 due, 3 on time, 2 late and 4 not yet due: "60%" would give both away, and the
    # number due less the others would narrow them.
    assert suppressed_timeliness(9, 3, 2, 4) == (
        ["not shown", "fewer than 5", "fewer than 5", "fewer than 5", "not shown"],
        None,
    )
    assert suppressed_timeliness(11, 6, 3, 2) == (
        ["not shown", "not shown", "fewer than 5", "fewer than 5", "not shown"],
        None,
    )
    # The percentage is worked out from the rounded counts (7 and 5 show as 5 and 5).
    assert suppressed_timeliness(12, 7, 5, 0) == (["10", "5", "5", "0", "50%"], 50)
    assert suppressed_timeliness(7, 7, 0, 0) == (["5", "5", "0", "0", "100%"], 100)
    assert suppressed_timeliness(0, 0, 0, 0) == (["0", "0", "0", "0", "–"], None)
    # Only one count above 0: the number due is that count, and says no more.
    assert suppressed_timeliness(3, 0, 0, 3) == (
        ["fewer than 5", "0", "0", "fewer than 5", "–"],
        None,
    )


def test_no_count_under_5_in_a_regional_row_can_be_worked_out_from_the_others():
    """Every row a regional viewer could see, from every true (on time, late, not yet due)
    up to 30 each: for each count shown as "fewer than 5", every value from 1 to 4 fits
    all the row shows (due = on time + late + not yet due, rounded counts, percentage)."""
    from itertools import product

    from safeguarding.reports import suppressed_timeliness

    seen: dict[tuple, list[tuple[int, int, int]]] = {}
    for parts in product(range(31), repeat=3):
        cells, _percent = suppressed_timeliness(sum(parts), *parts)
        seen.setdefault(tuple(cells), []).append(parts)
    for cells, truths in seen.items():
        for i in range(3):
            if cells[1 + i] == "fewer than 5":
                assert {t[i] for t in truths} == {1, 2, 3, 4}, (cells, truths)


def test_counts_are_rounded_to_the_nearest_5_above_4():
    from safeguarding.reports import suppress

    shown = {n: suppress(n) for n in range(0, 19)}
    assert shown[0] == "0"
    assert {shown[n] for n in range(1, 5)} == {"fewer than 5"}
    assert [shown[n] for n in (5, 7, 8, 12, 13, 17, 18)] == ["5", "5", "10", "10", "15", "15", "20"]


def _consistent(shown: str, value: int) -> bool:
    from safeguarding.reports import suppress

    return suppress(value) == shown


@pytest.mark.parametrize(
    "quarters",
    [
        # What a security review derived from exact counts: the year less three shown
        # quarters gave the hidden one (14 boys: 5, 4, 5, 0; 13 late returns: 6, 1, 6, 0).
        (5, 4, 5, 0),
        (6, 1, 6, 0),
    ],
)
def test_a_year_less_its_quarters_no_longer_gives_a_hidden_quarter_away(quarters):
    from safeguarding.reports import suppress

    year, shown = suppress(sum(quarters)), [suppress(q) for q in quarters]
    hidden = shown.index("fewer than 5")
    # Every value from 1 to 4 for the hidden quarter fits everything a viewer sees.
    fits = set()
    for candidate in range(1, 5):
        for others in _ranges_of(shown, hidden):
            if _consistent(year, candidate + sum(others)):
                fits.add(candidate)
                break
    assert fits == {1, 2, 3, 4}


def _ranges_of(shown, hidden):
    """Every set of true values for the quarters other than `hidden` that shows as
    `shown` (each count up to 30)."""
    from itertools import product

    options = [
        [v for v in range(0, 31) if _consistent(text, v)]
        for i, text in enumerate(shown)
        if i != hidden
    ]
    return product(*options)


@pytest.mark.parametrize("who", ["manager", "officer", "agency"])
def test_regional_view_is_only_for_regional_viewers(client, people, who):
    sign_in(client, people[who])
    assert client.get(reverse("safeguarding:regional")).status_code == 403
    assert client.get(reverse("safeguarding:regional-export", args=["csv"])).status_code == 403


def test_regional_view_fixed_queries(client, people, region, django_assert_max_num_queries):
    sign_in(client, people["regional"])
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("safeguarding:regional"))
    small = len(ctx.captured_queries)
    for _ in range(5):
        p = PartnershipFactory(region=region)
        make_deadline(p, due=D(2026, 2, 3), closed_on=D(2026, 2, 3))
    with django_assert_max_num_queries(small):
        client.get(reverse("safeguarding:regional"))


# --- annual report ----------------------------------------------------------------------------


def test_annual_report_pdf_with_charts_audited(client, people, partnership, timeliness_fixture):
    from pypdf import PdfReader

    sign_in(client, people["manager"])
    response = client.get(reverse("safeguarding:annual-report", args=[2025]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('2025.pdf"')
    pdf = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "timeliness and figures, 2025" in text
    assert "3 of 5 on time" in text
    assert "Nature of the incident" in text
    assert "Secret Name" not in text
    assert pdf.trailer["/Root"].get("/MarkInfo", {}).get("/Marked")  # tagged PDF
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DOWNLOAD, actor=people["manager"], partnership=partnership
    ).exists()


def _pdf_text(response) -> str:
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(response.content))
    return " ".join("\n".join(page.extract_text() for page in pdf.pages).split())


def test_annual_report_names_the_local_review_measure_without_saying_published_twice(
    client, people, partnership, timeliness_fixture
):
    """It read "Local reviews (LCSPR) published, published within 6 months of ..."."""
    sign_in(client, people["manager"])
    text = _pdf_text(client.get(reverse("safeguarding:annual-report", args=[2025])))
    assert (
        "Local reviews (LCSPR), published within 6 months of the decision to hold the review"
        in text
    )
    assert "published, published" not in text


def test_annual_report_pdf_lists_learning_themes_with_counts(
    client,
    people,
    local_review,  # noqa: F811
    make_review,  # noqa: F811
):
    curiosity = LearningTheme.objects.get(name__icontains="curiosity")
    voice = LearningTheme.objects.get(name__icontains="voice of the child")
    manager = people["manager"]
    lcspr_services.review_set_themes(review=local_review, actor=manager, themes=[curiosity, voice])
    second = open_review(make_review, people)
    lcspr_services.review_set_themes(review=second, actor=manager, themes=[curiosity])
    year = local_review.decision_date.year
    sign_in(client, manager)

    text = _pdf_text(client.get(reverse("safeguarding:annual-report", args=[year])))
    assert "Learning themes across reviews" in text
    assert f"{curiosity.name} 2" in text and f"{voice.name} 1" in text
    assert text.index(curiosity.name) < text.index(voice.name)  # most frequent first
    assert "Not yet recorded" not in text
    assert "has learning themes recorded yet" not in text

    # The figures behind it, and the timeliness page's downloads, hold the same table.
    for url, query in [
        (reverse("safeguarding:annual-report-data", args=[year, "csv"]), {}),
        (reverse("safeguarding:timeliness-export", args=["csv"]), {"year": year}),
    ]:
        data = client.get(url, query).content.decode("utf-8-sig")
        themes = data.split("Learning themes across reviews", 1)[1]
        assert f"{curiosity.name},2" in themes and f"{voice.name},1" in themes
    xlsx = client.get(reverse("safeguarding:annual-report-data", args=[year, "xlsx"]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content))["Learning themes"]
    assert sheet["A1"].value == "Learning themes across reviews"
    assert [curiosity.name, 2] in [list(r) for r in sheet.iter_rows(values_only=True)]

    text = _pdf_text(client.get(reverse("safeguarding:annual-report", args=[year - 1])))
    assert curiosity.name not in text
    assert "No local review decided in this period has learning themes recorded yet." in text


def test_annual_report_csv(client, people, partnership, timeliness_fixture):
    import csv

    sign_in(client, people["officer"])
    response = client.get(reverse("safeguarding:annual-report-data", args=[2025, "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Notifications to the National Panel", "5", "3", "2", "0", "60%"] in rows
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, partnership=partnership
    ).exists()


def test_annual_report_of_another_partnership_is_not_found(client, people, other_partnership):
    sign_in(client, people["manager"])
    url = reverse("safeguarding:annual-report", args=[2025])
    assert client.get(url, {"partnership": other_partnership.pk}).status_code == 404


def test_multi_partnership_user_chooses_one(
    client, people, partnership, other_partnership, timeliness_fixture
):
    Membership.objects.create(
        user=people["manager"], partnership=other_partnership, role=Role.REVIEW_OFFICER
    )
    sign_in(client, people["manager"])
    url = reverse("safeguarding:timeliness")
    both = client.get(url, {"year": "2025"}).context["report"].measures[0]
    one = (
        client.get(url, {"year": "2025", "partnership": other_partnership.pk})
        .context["report"]
        .measures[0]
    )
    assert (both.total, one.total) == (6, 1)


def test_the_regional_download_explains_its_figures_and_keeps_full_titles(
    client, people, region_data
):
    from safeguarding.reports import MEASURES

    sign_in(client, people["regional"])
    response = client.get(reverse("safeguarding:regional-export", args=["csv"]), {"year": "2025"})
    text = response.content.decode("utf-8-sig")
    assert "Other counts are rounded to the nearest 5" in text
    for label, _kind, _meaning in MEASURES.values():
        assert str(label) in text.splitlines() or f'"{label}"' in text  # not cut to 31
    assert "Learning themes across the region" in text
    page = client.get(reverse("safeguarding:regional"), {"year": "2025"}).content.decode()
    assert "Other counts are rounded to the nearest 5" in page
    assert "Not yet recorded" not in page


def test_no_regional_chart_is_drawn_when_no_percentage_can_be_shown(client, people, region_data):
    """BSCP's late count and ASCP's counts are all under 5: every percentage is hidden,
    so the table says so and no chart of empty bars is drawn."""
    sign_in(client, people["regional"])
    response = client.get(reverse("safeguarding:regional"), {"year": "2025"})
    notifications = next(
        m for m in response.context["regional"]["measures"] if m["key"] == "notifications"
    )
    assert notifications["has_data"] and notifications["svg"] == ""
    assert 'id="regional-notifications"' not in response.content.decode()


def test_the_regional_excel_holds_counts_as_numbers(client, people, region_data):
    import io

    from openpyxl import load_workbook

    sign_in(client, people["regional"])
    response = client.get(reverse("safeguarding:regional-export", args=["xlsx"]), {"year": "2025"})
    book = load_workbook(io.BytesIO(response.content))
    sheet = next(s for s in book.worksheets if s.title.startswith("Notifications"))
    values = [cell.value for row in sheet.iter_rows(min_row=4) for cell in row[1:]]
    assert 0 in values and "0" not in values  # BSCP's and ASCP's 0 not yet due: numbers
    assert "fewer than 5" in values  # what is hidden stays words


def test_the_regional_excel_has_short_sheet_names_and_percentages_as_numbers(
    client, people, partnership, region_data
):
    import io

    from openpyxl import load_workbook

    for i in range(5):  # BSCP: 5 rapid reviews, all on time: 100% can be shown
        due = D(2025, 3, 3 + i)
        make_deadline(partnership, due=due, closed_on=due, kind=Deadline.Kind.RAPID_REVIEW)
    sign_in(client, people["regional"])
    response = client.get(reverse("safeguarding:regional-export", args=["xlsx"]), {"year": "2025"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "About these figures",
        "Notifications",
        "Rapid reviews",
        "Agency returns",
        "Local reviews (LCSPR)",
        "Action plans",
        "Nature of the incident",
        "Category of harm",
        "Age of the child",
        "Sex of the child",
        "Ethnic group of the child",
        "Learning themes",
    ]
    assert book["Notifications"]["A1"].value == "Notifications to the National Panel"
    assert book["Learning themes"]["A1"].value == "Learning themes across the region"
    sheet = book["Rapid reviews"]
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == partnership.name)
    assert [c.value for c in row[1:]] == [5, 5, 0, 0, 1]
    assert row[-1].number_format == "0%"


def test_the_regional_note_says_point_by_point_what_due_counts_and_what_is_hidden(
    client, people, region_data
):
    """The note was one block of eight sentences, which said due was "not yet due added
    together" (a contradiction to a reader) and that where on time or late is fewer than
    5 "the other" is not shown, though a 0 is. Now a list, the same in the downloads."""
    sign_in(client, people["regional"])
    html = client.get(reverse("safeguarding:regional"), {"year": "2025"}).content.decode()
    note = html.split('<div class="govuk-inset-text">')[1].split("</div>")[0]
    points = re.findall(r"<li>(.*?)</li>", note, re.S)
    assert len(points) == 6
    assert any(p.startswith("Due in the period counts everything with a due date") for p in points)
    assert any("neither is the other unless it is 0" in p for p in points)
    assert "added together" not in html
    csv_text = client.get(
        reverse("safeguarding:regional-export", args=["csv"]), {"year": "2025"}
    ).content.decode("utf-8-sig")
    assert "neither is the other unless it is 0" in csv_text and "added together" not in csv_text
