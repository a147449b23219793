"""The subject access export's records.txt, which a parent or a court reads: every record,
clock and audit line in words, as its README promises (coded values by their labels,
people by name, dates written out), with nothing of the service's internals."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest

from lcspr import services
from lcspr.models import ActionStatus, LearningTheme, PartnerCheck, Review
from notifications.case_export import case_export_zip
from safeguarding.models import Deadline
from tests.rapid_reviews.conftest import return_and_submit, send_requests

from .conftest import local_review, publish, to_notice_sent  # noqa: F401

pytestmark = pytest.mark.django_db

LONG_ACTION = "Brookfield Hospitals: update guidance and train every front-line member of staff"


@pytest.fixture
def case(local_review, people, agencies):  # noqa: F811
    """A published local review with themes, a reviewer, an action with a progress note,
    a partner check and a milestone met two working days late."""
    officer = people["officer"]
    review = local_review
    services.review_set_themes(
        review=review, actor=officer, themes=list(LearningTheme.objects.order_by("name")[:2])
    )
    services.review_set_reviewers(review=review, actor=officer, reviewers=[people["reviewer"]])
    review = Review.objects.get(pk=review.pk)
    check_day = review.decision_date + dt.timedelta(days=10)
    services.partner_check_add(
        review=review,
        actor=people["manager"],
        kind=PartnerCheck.Kind.WRITTEN_REQUEST,
        checked_on=check_day,
        note="Please send the draft chronology.",
        respond_by=check_day + dt.timedelta(days=10),
    )
    review = to_notice_sent(Review.objects.get(pk=review.pk), officer)
    review = publish(review, officer)
    recommendation = services.recommendation_add(
        review=review, actor=officer, text="Ask children directly about home."
    )
    action = services.action_add(
        recommendation=recommendation,
        actor=officer,
        description=LONG_ACTION,
        agency=agencies["health"],
        lead="Named safeguarding lead",
        due_date=review.decision_date + dt.timedelta(days=200),
    )
    services.action_update(
        action=action,
        actor=officer,
        status=ActionStatus.IN_PROGRESS,
        due_date=action.due_date,
        note="Training booked for every team in the hospital trust this winter.",
    )
    # The draft report was due on a Tuesday and done on the Thursday: 2 working days late.
    Deadline.objects.filter(
        subject_type="lcspr.review", subject_id=review.pk, key="draft_report"
    ).update(
        due_date=dt.date(2026, 2, 3), closed_on=dt.date(2026, 2, 5), outcome="met", rule="fixed"
    )
    Deadline.objects.filter(
        subject_type="lcspr.review", subject_id=review.pk, key="agency_reports"
    ).update(
        due_date=dt.date(2025, 12, 3),
        closed_on=dt.date(2025, 11, 27),
        outcome="met",
        rule="calendar_months",
        amount=2,
    )
    return review


def export(review, people):
    incident = review.rapid_review.incident
    return zipfile.ZipFile(io.BytesIO(case_export_zip(incident, actor=people["manager"])))


def records_txt(review, people) -> str:
    return export(review, people).read("records.txt").decode()


def headings(text: str) -> list[str]:
    """The headings of records.txt's records: each line underlined with dashes."""
    lines = text.splitlines()
    return [
        line
        for line, under in zip(lines, lines[1:], strict=False)
        if under and set(under) == {"-"} and len(under) == len(line)
    ]


def section(text: str, heading_start: str) -> str:
    """One record of records.txt: from its heading to the next blank line after its fields."""
    start = text.index("\n" + heading_start) + 1
    end = text.find("\n\n", text.index("\n\n", start) + 2)
    return text[start:end]


def test_relationship_rows_read_in_words(case, people, agencies):
    """An auto-made row of a many-to-many read "Review-learningtheme relationship:
    Review_themes object (10)" and "Child-agency relationship: Child_known_to object (43)"."""
    child = case.rapid_review.incident.children.get()
    child.known_to.add(agencies["police"])
    text = records_txt(case, people)
    assert "relationship" not in text
    assert " object (" not in text
    for theme in case.themes.all():
        assert f"\nLearning theme of the review: {theme.name} (record " in text
        assert f"\nLearning theme: {theme.name}\n" in text
    assert f"\nAgency {child.pseudonym} was known to: {agencies['police'].name} (record " in text


def test_statuses_read_as_the_service_words_them(case, people):
    text = records_txt(case, people)
    for code in ("in_progress", "final_approved", "awaiting_decision", "notice_sent"):
        assert code not in text, code
    assert "To status: in progress" not in text
    assert "\nTo status: Review under way\n" in text
    assert "\nStatus change: Local review BSCP-" in text
    assert ": Setting up → Review under way (record " in text
    assert "\nStatus change: Incident BSCP-" in text
    assert ": Draft → Awaiting decision (record " in text
    # A clock says what it is for in words; internal fields are left out (the JSON has them).
    assert "\nType of record the clock is for: Local review\n" in text
    assert "lcspr.review" not in text and "rapid_reviews.rapidreview" not in text
    for internal in ("Step of the case", "Slug", "Search text", "Content hash", "Briefing hash"):
        assert f"\n{internal}" not in text, internal
    assert "(code)" not in text
    clocks = json.loads(export(case, people).read("clocks.json"))
    assert any(c["fields"].get("key") == "draft_report" for c in clocks)


def test_people_are_named_and_no_word_is_repeated(case, people):
    text = records_txt(case, people)
    reviewer = people["reviewer"].full_name
    assert not re.search(r"Reviewer \d+ of review \d+", text)
    assert f"\nReviewer assignment: {reviewer}, reviewer of Local review BSCP-" in text
    trail = text[text.index("Audit trail (") :]
    lines = [line for line in trail.splitlines()[2:] if line and not line.startswith(" ")]
    assert lines
    for line in lines:
        assert "@" not in line, line
    assert f"  {people['officer'].full_name}  Created  Incident BSCP-" in trail
    assert "Rapid review Rapid review" not in text
    assert "Local review Local review" not in text
    assert "  Updated  Local review BSCP-" in trail


def test_the_submitted_copy_names_who_submitted(review, agencies, contributors, people):
    requests = send_requests(review, {"police": agencies["police"]}, people["officer"])
    return_and_submit(requests["police"], contributors["police"])
    archive = zipfile.ZipFile(io.BytesIO(case_export_zip(review.incident, actor=people["manager"])))
    text = archive.read("records.txt").decode()
    assert not re.search(r"Submitted by: \d", text)
    copy = re.search(r"^Submitted copy: (.+)$", text, re.M).group(1)
    assert f"Submitted by: {contributors['police'].full_name}" in copy, copy
    assert "not_sent" not in text and "Not sent → Sent" in text


def test_a_clock_met_late_says_so_and_a_months_rule_counts_months(case, people):
    text = records_txt(case, people)
    late = section(text, "Deadline: Complete the draft report: ")
    assert "\nOutcome: Met, 2 working days late\n" in late, late
    on_time = section(text, "Deadline: Get the agency reports in: ")
    assert "\nOutcome: Met on time\n" in on_time, on_time
    assert "\nRule: calendar months\nMonths allowed: 2\n" in on_time, on_time
    assert "Days allowed" not in on_time
    # A date set by hand counts nothing.
    assert "Allowed" not in late and "allowed" not in late
    assert "\nOutcome: Met\n" not in text


def test_audit_values_withheld_say_so_plainly(case, people):
    text = records_txt(case, people)
    assert "changed (not recorded)" not in text
    assert "    Date of birth: entered (the value is not kept in the audit trail)\n" in text
    assert "    Summary of circumstances: " in text


def test_headings_give_dates_in_words_and_cut_at_a_word(case, people):
    text = records_txt(case, people)
    shown = headings(text)
    assert shown
    for heading in shown:
        assert not re.search(r"\d{4}-\d{2}-\d{2}", heading), heading
    action = next(h for h in shown if h.startswith("Action: "))
    cut = action.removeprefix("Action: ").rsplit(" (record ", 1)[0]
    assert cut.endswith("…"), cut
    kept = cut.removesuffix("…")
    assert LONG_ACTION.startswith(kept) and LONG_ACTION[len(kept)] == " ", cut
    note = next(h for h in shown if h.startswith("Progress note: "))
    assert re.match(r"Progress note: \d{1,2} [A-Z][a-z]+ \d{4}: Training booked", note), note
    check = next(h for h in shown if h.startswith("Partner check: "))
    assert re.search(r" on \d{1,2} [A-Z][a-z]+ \d{4} \(record", check), check


def test_a_file_held_twice_is_in_the_zip_once_and_the_manifest_counts(case, people):
    themes = list(LearningTheme.objects.order_by("name"))
    assert len(themes) >= 4
    for i in range(6):  # new rows each time: record numbers past 9
        services.review_set_themes(
            review=case, actor=people["officer"], themes=themes[i % 2 * 2 : i % 2 * 2 + 2]
        )
    archive = export(case, people)
    files = [n for n in archive.namelist() if n.startswith("files/")]
    contents = [archive.read(n) for n in files]
    assert len(set(contents)) == len(contents), files
    text = archive.read("records.txt").decode()
    pdf = re.search(r"^PDF: (files/\S+)$", text, re.M).group(1)
    slides = re.search(r"^Slides \(PowerPoint\): (files/\S+)$", text, re.M).group(1)
    assert f"\nBriefing PDF: {pdf}\n" in text
    assert f"\nBriefing slides (PowerPoint): {slides}\n" in text
    for path in re.findall(r": (files/\S+)$", text, re.M):
        assert path in files, path
    readme = archive.read("README.txt").decode()
    assert f"({len(files)} files)" in readme
    manifest = json.loads(archive.read("manifest.json"))
    assert max(int(pk) for pk in manifest["lcspr.review_themes"]) >= 10
    for numbers in manifest.values():
        assert numbers == sorted(numbers, key=int), numbers
