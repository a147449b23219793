"""The action plan as a PDF, a CSV and on the pages: an action completed after its due
date is rated "completed late", not green, everywhere (one function decides it:
`Action.rag`); the PDF is marked as the other case documents are; the CSV's dates are ISO
as the other CSVs' are."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from lcspr import services
from lcspr.models import Action
from tests.utils import sign_in

from .conftest import TODAY, days_ago

pytestmark = pytest.mark.django_db


def _action(review, people, agencies, *, due, complete=True):
    officer = people["officer"]
    rec = services.recommendation_add(review=review, actor=officer, text="Share sooner.")
    action = services.action_add(
        recommendation=rec,
        actor=officer,
        description="Brief staff on information sharing",
        agency=agencies["health"],
        lead="Named nurse",
        due_date=due,
    )
    if complete:
        action = services.action_update(
            action=action,
            actor=officer,
            status="complete",
            due_date=due,
            evidence_of_impact="Audit shows referrals shared.",
        )
    return action


def test_an_action_completed_after_its_due_date_is_amber_completed_late(
    local_review, people, agencies
):
    action = _action(local_review, people, agencies, due=days_ago(20))
    assert action.completed_on == TODAY()
    assert action.rag() == ("Amber: completed late, awaiting sign-off", "yellow")
    services.action_sign_off(action=action, actor=people["manager"])
    action.refresh_from_db()
    assert action.rag() == ("Complete: completed late", "grey")


def test_an_action_completed_by_its_due_date_stays_green_then_complete(
    local_review, people, agencies
):
    action = _action(local_review, people, agencies, due=TODAY() + dt.timedelta(days=3))
    assert action.rag() == ("Green: awaiting sign-off", "green")
    # Rated on the day it was completed, not on today: still on time a month on.
    assert action.rag(TODAY() + dt.timedelta(days=30))[0] == "Green: awaiting sign-off"
    services.action_sign_off(action=action, actor=people["manager"])
    action.refresh_from_db()
    assert action.rag() == ("Complete", "grey")
    # One marked complete before the date was kept has nothing to measure: not late.
    Action.objects.filter(pk=action.pk).update(status="complete", completed_on=None)
    action.refresh_from_db()
    assert action.rag()[0] == "Green: awaiting sign-off"


def test_the_pdf_csv_and_pages_say_completed_late(client, local_review, people, agencies):
    _action(local_review, people, agencies, due=days_ago(20))
    sign_in(client, people["officer"])
    pdf = client.get(reverse("lcspr:action-plan-pdf", args=[local_review.pk]))
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "completed late" in text and "Green: awaiting sign-off" not in text
    body = client.get(reverse("lcspr:action-plan-csv", args=[local_review.pk])).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1][rows[0].index("RAG")] == "Amber: completed late, awaiting sign-off"
    page = client.get(reverse("lcspr:detail", args=[local_review.pk])).content.decode()
    assert "Amber: completed late, awaiting sign-off" in page
    assert "govuk-tag--yellow" in page


def test_the_action_plan_pdf_is_marked_at_the_top_and_foot_with_its_reference(
    client, local_review, people, agencies
):
    """As the notification and rapid review PDFs are: OFFICIAL-SENSITIVE at the top and
    the foot of every page, the case reference and the page number in the footer."""
    _action(local_review, people, agencies, due=TODAY() + dt.timedelta(days=30))
    sign_in(client, people["officer"])
    pdf = client.get(reverse("lcspr:action-plan-pdf", args=[local_review.pk]))
    lines = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().splitlines()
    assert "OFFICIAL-SENSITIVE" in lines  # the top
    assert lines[-1] == f"{local_review.reference} OFFICIAL-SENSITIVE Page 1 of 1", lines


def test_the_action_plan_csv_writes_dates_as_the_other_csvs_do(
    client, local_review, people, agencies
):
    due = TODAY() + dt.timedelta(days=30)
    action = _action(local_review, people, agencies, due=due)
    services.action_sign_off(action=action, actor=people["manager"])
    sign_in(client, people["officer"])
    body = client.get(reverse("lcspr:action-plan-csv", args=[local_review.pk])).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    headers, row = rows[0], rows[1]
    assert row[headers.index("Due")] == due.isoformat()
    assert row[headers.index("Signed off on")] == TODAY().isoformat()
