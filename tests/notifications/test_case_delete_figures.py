"""Deleting a case at the end of its retention (ADR 0014) leaves every figure already
given about the partnership's past years as it was: the timeliness report, the annual
report (its PDF and its CSV and Excel figures), the regional comparison, the dashboard,
and their downloads. The case's clocks and counted facts are kept, anonymised, for the
reports only: nothing in them names the case, a child, a person, a title or an address,
another partnership never counts them, and no sweep or list treats them as live work."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core import serializers
from django.db import connection
from django.template.loader import render_to_string
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lcspr import services as lcspr_services
from lcspr.models import Action, ActionStatus, LearningTheme
from notifications import services as incident_services
from notifications.models import ChildStatus, Ethnicity, HarmCategory, Incident, Nature, Sex
from rapid_reviews import services as rapid_services
from safeguarding import dashboard, reminders, report_views, reports
from safeguarding.calendar import add_working_days
from safeguarding.models import (
    AuditEvent,
    Deadline,
    ErasedChild,
    ErasedClock,
    ErasedIncident,
    ErasedReview,
    ReminderSent,
)
from tests.conftest import (
    make_agency,
    make_other_partnership,
    make_partnership,
    make_people,
    make_region,
)
from tests.lcspr.conftest import publish, to_notice_sent
from tests.notifications.conftest import child_values
from tests.rapid_reviews.conftest import make_agencies
from tests.shared_records import fresh, made_once, own_files
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
SECRET_NAMES = ("Zephyrine Quillfeather", "Oswin Quillfeather", "Baby Quillfeather")
SECRET_PLACE = "27 Larkspur Close"


def _notified(partnership, actor, *, sent_on, children, harm, nature=Nature.SERIOUS_HARM):
    """An incident notified on `sent_on` (2 working days after the local authority became
    aware), through the services, with the given children."""
    aware = add_working_days(sent_on, -2, partnership=partnership)
    incident = incident_services.incident_create(
        partnership=partnership,
        actor=actor,
        awareness_date=aware,
        incident_date=aware - dt.timedelta(days=1),
        incident_place=SECRET_PLACE,
    )
    incident_services.incident_update(
        incident=incident,
        actor=actor,
        changes={
            "nature": nature,
            "harm_categories": harm,
            "circumstances": "Found at home by a neighbour.",
            "notifier_name": "Tom Ashworth",
        },
    )
    for values in children:
        incident_services.child_save(incident=incident, actor=actor, values=values)
    incident_services.incident_submit_for_decision(incident=incident, actor=actor)
    incident_services.incident_record_notification(
        incident=incident,
        actor=actor,
        dfe_reference="SIN-1",
        notified_at=timezone.make_aware(dt.datetime.combine(sent_on, dt.time(10, 0))),
        late_reason="Late.",
    )
    incident.refresh_from_db()
    return incident


def _backdate(clocks, start: D):
    """Spread the clocks over past years, as they would have run: on time, late, and no
    longer needed in turn."""
    for n, clock in enumerate(clocks.order_by("id")):
        due = start + dt.timedelta(days=41 * n)
        outcome = Deadline.Outcome.CANCELLED if n % 3 == 2 else Deadline.Outcome.MET
        closed = due + dt.timedelta(days=4 if n % 3 == 1 else -2)
        Deadline.objects.filter(pk=clock.pk).update(
            trigger_date=due - dt.timedelta(days=10),
            due_date=due,
            closed_on=closed,
            outcome=outcome,
        )


def make_themes():
    def theme(name):
        return LearningTheme.objects.get_or_create(
            name=name, defaults={"slug": name.lower().replace(" ", "-")}
        )[0]

    return {
        "shared": theme("Neglect"),
        "only_deleted": theme("Domestic abuse"),
        "elsewhere": theme("Exploitation"),
    }


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every test here starts from the same history (tests/shared_records.py): made once,
    each test in a savepoint with its own copy of the files."""

    def build():
        with override_settings(RETENTION_YEARS=0):
            region = make_region()
            partnership = make_partnership(region)
            other = make_other_partnership(region)
            agency = make_agency(partnership, other)
            people = make_people(partnership, other, agency, region)
            agencies = make_agencies(partnership, agency)
            history = make_history(partnership, other, people, agencies, make_themes())
        return {
            "partnership": partnership,
            "other_partnership": other,
            "people": people,
            "history": history,
        }

    yield from made_once(django_db_blocker, tmp_path_factory, build)


@pytest.fixture(autouse=True)
def _own_files(request, shared, settings, tmp_path):
    own_files(request, shared, settings, tmp_path)


@pytest.fixture
def partnership(shared):
    return fresh(shared.records["partnership"])


@pytest.fixture
def other_partnership(shared):
    return fresh(shared.records["other_partnership"])


@pytest.fixture
def people(shared):
    return fresh(shared.records["people"])


@pytest.fixture
def history(shared, settings):
    settings.RETENTION_YEARS = 0
    return fresh(shared.records["history"])


def make_history(partnership, other_partnership, people, agencies, themes):
    """Brookfield's cases over 2024-2026, one of them (`doomed`) closed and ready to be
    deleted; one of Ashdown's, the other partnership in the region."""
    officer, manager = people["officer"], people["manager"]
    today = timezone.localdate()

    doomed = _notified(
        partnership,
        officer,
        sent_on=add_working_days(today, -420, partnership=partnership),
        harm=[HarmCategory.NEGLECT, HarmCategory.PHYSICAL],
        children=[
            child_values(name=SECRET_NAMES[0], date_of_birth=D(2012, 3, 4)),
            child_values(
                name=SECRET_NAMES[1],
                date_of_birth=None,
                age_years=16,
                sex=Sex.MALE,
                ethnicity=Ethnicity.BLACK_AFRICAN,
                status_at_time=ChildStatus.CHILD_IN_NEED,
            ),
            child_values(
                name=SECRET_NAMES[2],
                date_of_birth=None,
                unborn=True,
                sex=Sex.NOT_KNOWN,
                ethnicity=Ethnicity.MIXED_OTHER,
            ),
        ],
    )
    rapid = doomed.rapid_review
    rapid_services.information_requests_create(
        rapid_review=rapid,
        actor=officer,
        agencies=[agencies["police"], agencies["health"]],
        due_date=add_working_days(today, 3),
        send=True,
    )
    local = lcspr_services.review_open(
        rapid_review=rapid, decision_date=today - dt.timedelta(days=500), actor=officer
    )
    lcspr_services.review_set_themes(
        review=local, actor=officer, themes=[themes["shared"], themes["only_deleted"]]
    )
    recommendation = lcspr_services.recommendation_add(
        review=local, actor=officer, text="Schools share attendance concerns early."
    )
    action = lcspr_services.action_add(
        recommendation=recommendation,
        actor=officer,
        description="Write the attendance protocol.",
        agency=agencies["health"],
        lead="Head of safeguarding",
        due_date=today + dt.timedelta(days=20),
    )
    local = publish(
        to_notice_sent(local, officer, notice_days_ago=30),
        officer,
        late_reason="Criminal proceedings.",
        published_on=today - dt.timedelta(days=3),
    )
    Action.objects.filter(pk=action.pk).update(
        status=ActionStatus.SIGNED_OFF,
        signed_off_on=today - dt.timedelta(days=2),
        signed_off_by=manager,
    )

    kept = _notified(
        partnership,
        officer,
        sent_on=add_working_days(today, -300, partnership=partnership),
        harm=[HarmCategory.NEGLECT],
        children=[child_values(name="Kept Child", date_of_birth=D(2020, 1, 1))],
    )
    kept_review = lcspr_services.review_open(
        rapid_review=kept.rapid_review, decision_date=today - dt.timedelta(days=380), actor=officer
    )
    lcspr_services.review_set_themes(review=kept_review, actor=officer, themes=[themes["shared"]])
    elsewhere = _notified(
        other_partnership,
        people["other_officer"],
        sent_on=add_working_days(today, -350, partnership=other_partnership),
        harm=[HarmCategory.SEXUAL],
        children=[child_values(name="Elsewhere Child", date_of_birth=D(2015, 6, 1))],
    )
    other_review = lcspr_services.review_open(
        rapid_review=elsewhere.rapid_review,
        decision_date=today - dt.timedelta(days=400),
        actor=people["other_officer"],
    )
    lcspr_services.review_set_themes(
        review=other_review, actor=people["other_officer"], themes=[themes["elsewhere"]]
    )
    _backdate(Deadline.objects.all(), D(2024, 1, 15))
    # One of the kept case's clocks is still open and late: live work, as before.
    Deadline.objects.filter(subject_type="notifications.incident", subject_id=kept.pk).update(
        due_date=today - dt.timedelta(days=9), closed_on=None, outcome=""
    )
    assert not Deadline.objects.filter(
        subject_type="notifications.incident", subject_id=doomed.pk, closed_on__isnull=True
    ).exists()
    return {"doomed": doomed, "kept": kept, "elsewhere": elsewhere, "action": action}


# --- every figure, as a user sees and downloads it --------------------------------------------

PERIODS = (
    [{"period": "year", "year": str(y)} for y in (2024, 2025, 2026)]
    + [{"period": "financial_year", "year": str(y)} for y in (2023, 2024, 2025)]
    + [
        {"period": "quarter", "year": str(y), "quarter": str(q)}
        for y in (2024, 2025)
        for q in "1234"
    ]
    + [
        {
            "period": "custom",
            "start_0": "1",
            "start_1": "1",
            "start_2": "2020",
            "end_0": str(timezone.localdate().day),
            "end_1": str(timezone.localdate().month),
            "end_2": str(timezone.localdate().year),
        }
    ]
)
#: Every period whole, and one year stage by stage.
QUERIES = [{**params, "stage": ""} for params in PERIODS] + [
    {"period": "year", "year": "2025", "stage": stage} for stage in reports.MEASURES
]


def _csv(response):
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response):
    assert response.status_code == 200, response.status_code
    book = load_workbook(io.BytesIO(response.content))
    return {s.title: [[c.value for c in row] for row in s.iter_rows()] for s in book.worksheets}


def _report(report):
    return {
        "charts": [(c.key, c.title, c.headers, c.rows, c.svg, c.note) for c in report.charts],
        "themes": report.themes,
    }


def _pdf_text(response) -> str:
    """The annual report PDF's text, less the minute it was produced."""
    import subprocess

    assert response.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return re.sub(r"Produced on [^.]*?\d{1,2}:\d{2}", "Produced on <when>", text)


def _page(response) -> str:
    html = response.content.decode()
    return re.sub(r'(nonce|value|data-csrf-token)="[^"]*"', r'\1=""', html)


def figures(client, people, partnership, other_partnership) -> dict:
    """Every report figure and download, keyed by what it is."""
    out = {}
    for who in ("manager", "other_manager"):
        sign_in(client, people[who])
        for query in QUERIES:
            name = f"{who} {sorted(query.items())}"
            response = client.get(reverse("safeguarding:timeliness"), query)
            out[f"timeliness page {name}"] = _report(response.context["report"])
            for fmt in ("csv", "xlsx"):
                url = reverse("safeguarding:timeliness-export", args=[fmt])
                read = _csv if fmt == "csv" else _xlsx
                out[f"timeliness {fmt} {name}"] = read(client.get(url, query))
        for year in (2024, 2025, 2026):
            out[f"annual pdf {who} {year}"] = _pdf_text(
                client.get(reverse("safeguarding:annual-report", args=[year]))
            )
            out[f"annual csv {who} {year}"] = _csv(
                client.get(reverse("safeguarding:annual-report-data", args=[year, "csv"]))
            )
            out[f"annual xlsx {who} {year}"] = _xlsx(
                client.get(reverse("safeguarding:annual-report-data", args=[year, "xlsx"]))
            )
        home = client.get(reverse("safeguarding:home"))
        out[f"dashboard {who}"] = _page(home)
        for fmt, read in (("csv", _csv), ("xlsx", _xlsx)):
            out[f"dashboard {fmt} {who}"] = read(
                client.get(reverse("safeguarding:dashboard-export", args=[fmt]))
            )
    sign_in(client, people["regional"])
    for query in QUERIES:
        if query["period"] == "custom":  # not offered in the regional comparison
            continue
        name = f"{sorted(query.items())}"
        page = client.get(reverse("safeguarding:regional"), query)
        out[f"regional page {name}"] = json.dumps(page.context["regional"], default=str)
        out[f"regional csv {name}"] = _csv(
            client.get(reverse("safeguarding:regional-export", args=["csv"]), query)
        )
        out[f"regional xlsx {name}"] = _xlsx(
            client.get(reverse("safeguarding:regional-export", args=["xlsx"]), query)
        )
    # The annual report's page as the PDF is made from it.
    for pids, label in (([partnership], "one"), ([partnership, other_partnership], "both")):
        report = report_views.build_report(pids, reports.Period.year(2025), chart_prefix="annual")
        out[f"annual pdf html {label}"] = render_to_string(
            "safeguarding/annual_report_pdf.html",
            {"report": report, "year": 2025, "generated": dt.datetime(2026, 1, 1, 9, 0)},
        )
    return out


def _delete(incident, people, capture):
    with capture(execute=True):
        incident_services.case_delete(
            incident=incident, actor=people["manager"], reason="Retention review with the DPO"
        )
    assert not Incident.objects.filter(pk=incident.pk).exists()


def test_deleting_a_case_leaves_every_past_figure_and_download_as_it_was(
    client, people, partnership, other_partnership, history, django_capture_on_commit_callbacks
):
    before = figures(client, people, partnership, other_partnership)
    # The deleted case counts in them: without it, Brookfield's 2025 figures would differ.
    annual = before["annual csv manager 2025"]
    assert ["Unborn", "1"] in annual and ["Domestic abuse", "1"] in annual

    _delete(history["doomed"], people, django_capture_on_commit_callbacks)

    after = figures(client, people, partnership, other_partnership)
    assert before.keys() == after.keys()
    changed = [key for key in before if before[key] != after[key]]
    assert changed == [], f"{len(changed)} of {len(before)} changed, e.g. {changed[:20]}"


def test_the_kept_facts_hold_nothing_that_identifies_the_case(
    people, partnership, history, django_capture_on_commit_callbacks
):
    doomed = history["doomed"]
    titles = list(Deadline.objects.filter(reference=doomed.reference).values_list("title", "url"))
    assert titles
    _delete(doomed, people, django_capture_on_commit_callbacks)

    kept = [
        *ErasedClock.objects.all(),
        *ErasedIncident.objects.all(),
        *ErasedChild.objects.all(),
        *ErasedReview.objects.all(),
    ]
    assert {type(row) for row in kept} == {ErasedClock, ErasedIncident, ErasedChild, ErasedReview}
    assert ErasedChild.objects.count() == 3
    dump = serializers.serialize("json", kept)
    forbidden = [
        doomed.reference,
        SECRET_PLACE,
        "Found at home",
        "Tom Ashworth",
        "SIN-1",
        *SECRET_NAMES,
        *(part for name in SECRET_NAMES for part in name.split()),
        *(t for pair in titles for t in pair),
        people["officer"].full_name,
        people["officer"].email,
        str(D(2012, 3, 4)),  # a date of birth
        "Write the attendance protocol",
    ]
    assert [term for term in forbidden if term in dump] == []
    # Only what the figures need: no free text, no person, no link to a record.
    for model in (ErasedClock, ErasedIncident, ErasedChild, ErasedReview):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {
            "title",
            "reference",
            "url",
            "owner",
            "subject_type",
            "subject_id",
            "name",
            "date_of_birth",
            "incident",
            "created_at",
        }, model
    assert set(ErasedChild.objects.values_list("band", flat=True)) == {"unborn", "10_15", "16_17"}
    # The deletion's audit event counts what was kept, as it counts what was deleted.
    event = AuditEvent.objects.get(action="delete", object_repr__startswith=doomed.reference)
    assert event.changes["kept_for_figures"] == {
        "clocks": ErasedClock.objects.count(),
        "incidents": 1,
        "children": 3,
        "reviews": 1,
    }
    assert event.changes["deleted"]["safeguarding.deadline"] == ErasedClock.objects.count()
    # Nothing of the case stays live.
    assert not Deadline.objects.filter(reference=doomed.reference).exists()


def test_the_kept_facts_count_only_for_their_partnership(
    people, partnership, other_partnership, history, django_capture_on_commit_callbacks
):
    period = reports.Period.custom(D(2020, 1, 1), timezone.localdate())
    today = timezone.localdate()

    def theirs():
        pid = [other_partnership.pk]
        return (
            reports.timeliness(pid, period, today=today),
            reports.agency_timeliness(pid, period, today=today),
            reports.counts(pid, period),
            reports.learning_themes(pid, period),
        )

    before = theirs()
    _delete(history["doomed"], people, django_capture_on_commit_callbacks)
    assert set(ErasedClock.objects.values_list("partnership", flat=True)) == {partnership.pk}
    assert set(ErasedIncident.objects.values_list("partnership", flat=True)) == {partnership.pk}
    assert theirs() == before
    assert reports.learning_themes([other_partnership.pk], period) == [("Exploitation", 1)]


def test_the_kept_clocks_are_never_chased_or_listed_as_work(
    client, people, partnership, history, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _delete(history["doomed"], people, django_capture_on_commit_callbacks)
    assert ErasedClock.objects.exists()
    today = timezone.localdate()
    # The only clock left open is the kept case's: the board and the sweep see it alone.
    board = dashboard.build_dashboard([partnership], today=today, limit=None)
    assert [row.reference for row in board.attention_rows] == [history["kept"].reference]
    assert sum(s.open for s in board.stages) == 1
    with django_capture_on_commit_callbacks(execute=True):
        for days in range(0, 30, 3):
            reminders.reminders_sweep(
                now=timezone.make_aware(dt.datetime.combine(today, dt.time(10)))
                + dt.timedelta(days=days)
            )
    assert set(ReminderSent.objects.values_list("deadline_id", flat=True)) <= set(
        Deadline.objects.values_list("id", flat=True)
    )
    assert Deadline.objects.filter(closed_on__isnull=True).count() == 1


def test_reports_keep_a_fixed_number_of_queries_with_kept_facts(
    partnership, other_partnership, people, history, django_capture_on_commit_callbacks
):
    ids = [partnership.pk, other_partnership.pk]
    period = reports.Period.year(2025)
    today = timezone.localdate()

    def run():
        with CaptureQueriesContext(connection) as ctx:
            reports.timeliness(ids, period, today=today)
            reports.timeliness(ids, period, today=today, by_partnership=True)
            reports.agency_timeliness(ids, period, today=today)
            reports.counts(ids, period)
            reports.counts(ids, period, by_partnership=True)
            reports.learning_themes(ids, period)
        return len(ctx.captured_queries)

    before = run()
    _delete(history["doomed"], people, django_capture_on_commit_callbacks)
    assert run() == before == 1 + 1 + 1 + 5 + 5 + 1
