"""Rapid reviews through the front door: journeys, isolation for every URL, query counts,
validation messages and the PDF."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from rapid_reviews import services
from rapid_reviews.models import RequestStatus, Status
from safeguarding.dates import short_date
from safeguarding.models import AuditEvent
from tests.utils import date_fields, sign_in

from .conftest import CHILD_NAME, decide_and_sign, return_and_submit, send_requests

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def NEXT_WORKING_DAY():  # noqa: N802 - read like TODAY
    """A due date people may be asked to meet (a working day), the first after today."""
    from safeguarding.calendar import add_working_days

    return add_working_days(TODAY(), 1)


def test_the_officers_journey(client, review, agencies, contributors, people):
    officer = people["officer"]
    sign_in(client, officer)
    detail = review.get_absolute_url()
    html = client.get(detail).content.decode()
    assert "Local timetable" in html and "Agency returns due" in html
    response = client.post(
        reverse("rapid_reviews:requests-new", args=[review.pk]),
        {
            "agencies": [a.pk for a in agencies.values()],
            **date_fields("due_date", NEXT_WORKING_DAY()),
            "continue": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert set(review.requests.values_list("status", flat=True)) == {RequestStatus.SENT}
    days = [TODAY() - dt.timedelta(days=30), TODAY() - dt.timedelta(days=10)]
    for key in ("police", "health"):
        return_and_submit(
            review.requests.get(agency=agencies[key]),
            contributors[key],
            days=days if key == "police" else [TODAY() - dt.timedelta(days=20)],
        )
    html = client.get(detail).content.decode()
    # The merged chronology is by date, tagged by agency; social care is outstanding.
    first, middle, last = (
        html.index(f"Visit on {d}") for d in (days[0], TODAY() - dt.timedelta(days=20), days[1])
    )
    assert first < middle < last
    assert "Outstanding:</strong> Brookfield Children’s Services" in html
    report = client.get(reverse("rapid_reviews:draft-report", args=[review.pk])).content.decode()
    assert "Police attended twice." in report and "Agency involvement" in report

    url = lambda name, *a: reverse(f"rapid_reviews:{name}", args=[review.pk, *a])  # noqa: E731
    response = client.post(
        url("meeting"),
        {
            **date_fields("meeting_date", TODAY()),
            "attendees": "LA, police, health",
            "key_practice_episodes": "Missed health visits",
            "version": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()
    review.refresh_from_db()
    response = client.post(
        url("decision"),
        {
            "decision": "local_review",
            "criteria": ["improvements", "working_together"],
            "rationale": "Two agencies did not share.",
            **date_fields("decided_on", TODAY()),
            "version": review.version,
        },
    )
    assert response.status_code == 302, response.content.decode()
    for partner, name in (
        ("local_authority", "Ann Lee"),
        ("police", "DCI Shah"),
        ("health", "Dr Khan"),
    ):
        html = client.get(detail).content.decode()
        assert "Send to the National Panel</a>" not in html
        response = client.post(
            url("sign-off", partner),
            {"name": name, **date_fields("signed_on", TODAY())},
            follow=True,
        )
        assert response.redirect_chain, response.content.decode()
        said = {
            "local_authority": "The sign-off for the local authority is recorded.",
            "police": "The sign-off for the police is recorded.",
            "health": "The sign-off for health (the integrated care board) is recorded.",
        }[partner]
        assert said in response.content.decode()
    assert "Send to the National Panel</a>" in client.get(detail).content.decode()
    response = client.post(url("send-to-panel"), date_fields("sent_on", TODAY()))
    assert response.status_code == 302
    response = client.post(
        url("panel-response"), {"response": "agrees", **date_fields("responded_on", TODAY())}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Status.PANEL_RESPONDED and review.panel_response == "agrees"
    pdf = client.get(url("report-pdf"))
    assert pdf["Content-Disposition"].startswith("attachment")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert review.incident.reference in text
    for name in ("Ann Lee", "DCI Shah", "Dr Khan"):
        assert name in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert AuditEvent.objects.filter(
        action="download", object_id=str(review.pk), object_type="rapid_reviews.rapidreview"
    ).exists()


def test_form_errors_in_govuk_style(client, review, people):
    sign_in(client, people["officer"])
    html = client.post(
        reverse("rapid_reviews:meeting", args=[review.pk]),
        {**date_fields("meeting_date", TODAY() + dt.timedelta(days=3))},
    ).content.decode()
    assert "<title>Error:" in html and "There is a problem" in html
    assert "The date of the meeting must be today or in the past" in html
    assert "Enter who attended the meeting" in html
    html = client.post(
        reverse("rapid_reviews:requests-new", args=[review.pk]),
        {"due_date_0": "31", "due_date_1": "2", "due_date_2": "2026"},
    ).content.decode()
    assert "Select at least one agency" in html
    assert "The date the return is due must be a real date" in html


def test_cannot_send_to_the_panel_without_three_sign_offs(client, review, people):
    review = decide_and_sign(review, people["officer"], signers=("police",))
    sign_in(client, people["officer"])
    html = client.post(
        reverse("rapid_reviews:send-to-panel", args=[review.pk]), date_fields("sent_on", TODAY())
    ).content.decode()
    assert "All three partners must sign off" in html and "Local authority, Health" in html
    review.refresh_from_db()
    assert review.status == Status.DECIDED


def test_the_contributors_journey_without_javascript(client, sent_requests, contributors, people):
    request = sent_requests["police"]
    sign_in(client, contributors["police"])
    listing = client.get(reverse("rapid_reviews:contributor-list")).content.decode()
    assert request.rapid_review.incident.reference in listing
    assert "Brookfield Hospitals" not in listing  # only their agency's request
    page = client.get(reverse("rapid_reviews:contributor-request", args=[request.pk]))
    html = page.content.decode()
    assert CHILD_NAME in html and "Mia" in html and "1 May 2019" in html
    # Nothing else of the case: not the circumstances, the address or the other agencies.
    for secret in (
        "Hidden circumstances",
        "14 Secret Lane",
        "Child A",
        "Brookfield Hospitals",
        "Ethnicity",
        "White",
    ):
        assert secret not in html, secret

    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    form = client.get(url).content.decode()
    assert 'name="chronology-TOTAL_FORMS" value="1"' in form
    day1, day2 = TODAY() - dt.timedelta(days=9), TODAY() - dt.timedelta(days=3)
    base = {
        "involved": "yes",
        "involvement_summary": "Two call-outs.",
        "chronology-INITIAL_FORMS": "0",
        "chronology-MIN_NUM_FORMS": "0",
        "chronology-MAX_NUM_FORMS": "1000",
    }
    row = lambda i, day, what: {  # noqa: E731
        **{f"chronology-{i}-date_{k}": v for k, v in enumerate((day.day, day.month, day.year))},
        f"chronology-{i}-contact_type": "Call-out",
        f"chronology-{i}-what_happened": what,
        f"chronology-{i}-practitioner_role": "PC",
    }
    # "Add another row" saves the draft and comes back with one more empty row.
    response = client.post(
        url, {**base, "chronology-TOTAL_FORMS": "1", **row(0, day2, "Second call"), "add_row": "1"}
    )
    assert response.status_code == 302 and "add=1" in response.url
    form = client.get(response.url).content.decode()
    assert 'name="chronology-TOTAL_FORMS" value="2"' in form and "Second call" in form
    # The form posts to the page without its #row-N (which the next pages would inherit).
    assert f'<form method="post" action="{url}" novalidate>' in form
    # A row with a date but nothing else is an error, shown in the summary.
    bad = client.post(
        url,
        {
            **base,
            "chronology-TOTAL_FORMS": "2",
            "chronology-INITIAL_FORMS": "1",
            **row(0, day2, "Second call"),
            **row(1, day1, ""),
            "save": "1",
        },
    )
    assert "Contact 2: Enter what happened" in bad.content.decode()
    assert "<title>Error:" in bad.content.decode()
    client.post(
        url,
        {
            **base,
            "chronology-TOTAL_FORMS": "3",
            "chronology-INITIAL_FORMS": "1",
            **row(0, day2, "Second call"),
            **row(1, day1, "First call"),
            **row(2, day1, "Mistake"),
            "chronology-2-DELETE": "on",
            "save": "1",
        },
    )
    entries = request.agency_return.chronology.order_by("date")
    assert [e.what_happened for e in entries] == ["First call", "Second call"]
    check = client.get(reverse("rapid_reviews:contributor-submit", args=[request.pk]))
    assert "First call" in check.content.decode()
    response = client.post(reverse("rapid_reviews:contributor-submit", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED
    # Once submitted, the return cannot be changed by the agency.
    assert client.get(url).status_code == 302


def test_a_late_return_is_flagged_to_the_officer(client, sent_requests, contributors, people):
    request = sent_requests["health"]
    type(request).objects.filter(pk=request.pk).update(due_date=TODAY() - dt.timedelta(days=2))
    sign_in(client, people["officer"])
    assert "Overdue" in client.get(request.rapid_review.get_absolute_url()).content.decode()
    return_and_submit(request, contributors["health"])
    html = client.get(request.get_absolute_url()).content.decode()
    assert "Returned late" in html


def test_sending_back_shows_the_note_to_the_agency(client, sent_requests, contributors, people):
    request = sent_requests["health"]
    return_and_submit(request, contributors["health"])
    sign_in(client, people["officer"])
    url = reverse("rapid_reviews:request-send-back", args=[request.rapid_review_id, request.pk])
    html = client.post(url, {"note": ""}).content.decode()
    assert "Enter what more the agency needs to tell you" in html
    client.post(
        url, {"note": "Add the discharge summary", **date_fields("due_date", NEXT_WORKING_DAY())}
    )
    sign_in(client, contributors["health"])
    html = client.get(
        reverse("rapid_reviews:contributor-request", args=[request.pk])
    ).content.decode()
    assert "Add the discharge summary" in html and "More information requested" in html
    assert CHILD_NAME in html  # sent back: who to search for is shown again


def test_who_to_search_for_is_shown_only_while_a_return_is_awaited(
    client, sent_requests, contributors
):
    """The children's names and dates of birth are for the search: once the return is
    in, an agency's list of past requests no longer holds them."""
    request = sent_requests["health"]
    url = reverse("rapid_reviews:contributor-request", args=[request.pk])
    sign_in(client, contributors["health"])
    html = client.get(url).content.decode()
    assert CHILD_NAME in html and "1 May 2019" in html and "asks" in html
    return_and_submit(request, contributors["health"])
    html = client.get(url).content.decode()
    assert CHILD_NAME not in html and "1 May 2019" not in html
    assert "Who to search for" not in html and "no longer shown" in html
    assert "The partnership asked" in html and "Submitted on" in html


# --- isolation ------------------------------------------------------------------------------


def officer_urls(review, request):
    r = review.pk
    return [
        reverse("rapid_reviews:detail", args=[r]),
        reverse("rapid_reviews:requests-new", args=[r]),
        reverse("rapid_reviews:request", args=[r, request.pk]),
        reverse("rapid_reviews:request-change", args=[r, request.pk]),
        reverse("rapid_reviews:request-send", args=[r, request.pk]),
        reverse("rapid_reviews:request-send-back", args=[r, request.pk]),
        reverse("rapid_reviews:draft-report", args=[r]),
        reverse("rapid_reviews:meeting", args=[r]),
        reverse("rapid_reviews:decision", args=[r]),
        reverse("rapid_reviews:withdraw-decision", args=[r]),
        reverse("rapid_reviews:sign-off", args=[r, "police"]),
        reverse("rapid_reviews:send-to-panel", args=[r]),
        reverse("rapid_reviews:panel-response", args=[r]),
        reverse("rapid_reviews:report-pdf", args=[r]),
    ]


def contributor_urls(request):
    return [
        reverse("rapid_reviews:contributor-request", args=[request.pk]),
        reverse("rapid_reviews:contributor-return", args=[request.pk]),
        reverse("rapid_reviews:contributor-submit", args=[request.pk]),
    ]


def test_other_partnerships_get_404_everywhere(client, sent_requests, people):
    request = sent_requests["police"]
    review = request.rapid_review
    for who in ("other_manager", "other_officer"):
        sign_in(client, people[who])
        for url in officer_urls(review, request):
            assert client.get(url).status_code in (404, 405), (who, url)
            assert client.post(url, {}).status_code == 404, (who, url)
        assert (
            review.incident.reference
            not in client.get(reverse("rapid_reviews:list")).content.decode()
        )
    request.refresh_from_db()
    assert request.status == RequestStatus.SENT


@pytest.mark.parametrize("who", ["police", "health", "other_police"])
def test_a_contributor_reaches_only_their_agencys_request(
    client, sent_requests, contributors, people, who
):
    sign_in(client, contributors[who])
    review = sent_requests["police"].rapid_review
    own = sent_requests.get(who)
    for key, request in sent_requests.items():
        for url in contributor_urls(request):
            expected = 200 if key == who else 404
            assert client.get(url).status_code == expected, (who, url)
            if key != who:
                assert client.post(url, {}).status_code == 404, (who, url)
        # The business unit's pages, the review and the incident: 403 for every URL.
        for url in [
            *officer_urls(review, request),
            reverse("rapid_reviews:list"),
            review.incident.get_absolute_url(),
        ]:
            assert client.get(url).status_code == 403, (who, url)
    listing = client.get(reverse("rapid_reviews:contributor-list")).content.decode()
    if own is None:
        assert review.incident.reference not in listing
    else:
        assert listing.count(review.incident.reference) == 1


def test_a_contributor_never_sees_unsent_requests(client, review, agencies, contributors, people):
    (request,) = services.information_requests_create(
        rapid_review=review,
        actor=people["officer"],
        agencies=[agencies["health"]],
        due_date=TODAY(),
    )
    sign_in(client, contributors["health"])
    for url in contributor_urls(request):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["reviewer", "regional"])
def test_other_roles_get_403(client, sent_requests, people, who):
    request = sent_requests["police"]
    sign_in(client, people[who])
    for url in [
        *officer_urls(request.rapid_review, request),
        *contributor_urls(request),
        reverse("rapid_reviews:list"),
        reverse("rapid_reviews:contributor-list"),
    ]:
        assert client.get(url).status_code == 403, url


def test_officers_cannot_use_the_contributor_pages(client, sent_requests, people):
    sign_in(client, people["officer"])
    for url in contributor_urls(sent_requests["police"]):
        assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, sent_requests):
    request = sent_requests["police"]
    for url in [*officer_urls(request.rapid_review, request), *contributor_urls(request)]:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response.url, url


# --- query counts and audit -----------------------------------------------------------------


def test_pages_run_a_fixed_number_of_queries(
    client, make_review, agencies, contributors, people, django_assert_max_num_queries
):
    reviews = []
    for _ in range(3):
        review = make_review()
        created = services.information_requests_create(
            rapid_review=review,
            actor=people["officer"],
            agencies=list(agencies.values()),
            due_date=TODAY(),
            send=True,
        )
        for request in created:
            key = next(k for k, a in agencies.items() if a == request.agency)
            return_and_submit(request, contributors[key])
        reviews.append(review)
    decide_and_sign(reviews[0], people["officer"])
    sign_in(client, people["officer"])
    with django_assert_max_num_queries(25):
        assert client.get(reviews[0].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("rapid_reviews:list")).status_code == 200
    sign_in(client, contributors["police"])
    with django_assert_max_num_queries(12):
        html = client.get(reverse("rapid_reviews:contributor-list")).content.decode()
    assert all(r.incident.reference in html for r in reviews)


def test_viewing_is_audited(client, sent_requests, contributors, people):
    request = sent_requests["police"]
    sign_in(client, contributors["police"])
    client.get(reverse("rapid_reviews:contributor-request", args=[request.pk]))
    assert AuditEvent.objects.filter(
        action="view", actor=contributors["police"], object_type="rapid_reviews.informationrequest"
    ).exists()
    sign_in(client, people["officer"])
    client.get(request.rapid_review.get_absolute_url())
    assert AuditEvent.objects.filter(
        action="view", actor=people["officer"], object_type="rapid_reviews.rapidreview"
    ).exists()


def test_the_incident_page_links_to_its_rapid_review(client, review, people):
    sign_in(client, people["officer"])
    html = client.get(review.incident.get_absolute_url()).content.decode()
    assert review.get_absolute_url() in html


def test_the_officer_is_told_when_no_one_at_an_agency_can_answer(
    client, review, agencies, contributors, people, partnership, other_partnership
):
    """A request to an agency with no active contributor reaches no one: the officer is
    told when sending, and on the request's page until a contributor is added."""
    from safeguarding.models import Role
    from tests.factories import AgencyFactory, member

    youth = AgencyFactory(name="Brookfield Youth Justice", partnerships=[partnership])
    sign_in(client, people["officer"])
    response = client.post(
        reverse("rapid_reviews:requests-new", args=[review.pk]),
        {
            "agencies": [agencies["health"].pk, youth.pk],
            **date_fields("due_date", NEXT_WORKING_DAY()),
            "continue": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Requests sent: Brookfield Hospitals, Brookfield Youth Justice." in html
    assert "No one at Brookfield Youth Justice can see the request yet" in html
    assert "No one at Brookfield Hospitals" not in html
    to_youth = review.requests.get(agency=youth)
    page = reverse("rapid_reviews:request", args=[review.pk, to_youth.pk])
    assert "No one at Brookfield Youth Justice" in client.get(page).content.decode()
    health = reverse(
        "rapid_reviews:request", args=[review.pk, review.requests.get(agency=agencies["health"]).pk]
    )
    assert "No one at" not in client.get(health).content.decode()
    # The review's own page flags that request, and only that one, in its table.
    detail = client.get(review.get_absolute_url()).content.decode()
    rows = detail.split('id="requests"', 1)[1].split("</table>", 1)[0].split("<tr")
    (flagged,) = [row for row in rows if "No one there can see it" in row]
    assert "Brookfield Youth Justice" in flagged
    # A contributor for the agency in another partnership does not count; one here does.
    youth.partnerships.add(other_partnership)
    member(Role.AGENCY_CONTRIBUTOR, other_partnership, agency=youth, full_name="Elsewhere")
    assert "No one at Brookfield Youth Justice" in client.get(page).content.decode()
    member(Role.AGENCY_CONTRIBUTOR, partnership, agency=youth, full_name="Youth Contributor")
    assert "No one at" not in client.get(page).content.decode()
    detail = client.get(review.get_absolute_url()).content.decode()
    assert "No one there can see it" not in detail


def test_the_officer_sees_a_return_as_submitted_never_a_later_draft(
    client, sent_requests, contributors, people
):
    """Sent back for more, the agency edits its return; until it submits again the
    officer's pages, the merged chronology and the draft report keep what it submitted."""
    from .conftest import rows, values_for_return

    request = sent_requests["police"]
    review = request.rapid_review
    submitted_day = TODAY() - dt.timedelta(days=30)
    return_and_submit(request, contributors["police"], days=[submitted_day])
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note="The GP letters",
        due_date=TODAY() + dt.timedelta(days=7),
    )
    draft_day = TODAY() - dt.timedelta(days=12)
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(learning="Draft learning not yet submitted"),
        rows=rows(submitted_day, draft_day),
    )
    sign_in(client, people["officer"])
    page = client.get(reverse("rapid_reviews:request", args=[review.pk, request.pk]))
    html = page.content.decode()
    assert f"Visit on {submitted_day}" in html
    assert "Draft learning not yet submitted" not in html and f"Visit on {draft_day}" not in html
    assert "as the agency last submitted it" in html
    detail = client.get(review.get_absolute_url()).content.decode()
    assert f"Visit on {submitted_day}" in detail and f"Visit on {draft_day}" not in detail
    report = client.get(reverse("rapid_reviews:draft-report", args=[review.pk])).content.decode()
    assert f"Visit on {draft_day}" not in report
    services.agency_return_submit(information_request=request, actor=contributors["police"])
    html = client.get(reverse("rapid_reviews:request", args=[review.pk, request.pk])).content
    assert b"Draft learning not yet submitted" in html and f"Visit on {draft_day}".encode() in html
    assert f"Visit on {draft_day}" in client.get(review.get_absolute_url()).content.decode()


def test_returns_submitted_before_the_copy_existed_get_one(sent_requests, contributors):
    import importlib

    from django.apps import apps

    from rapid_reviews.models import AgencyReturn

    migration = importlib.import_module("rapid_reviews.migrations.0005_submitted_copy")
    return_and_submit(sent_requests["police"], contributors["police"])
    AgencyReturn.objects.update(submitted_copy=None)
    migration.copy_submitted_returns(apps, None)
    (agency_return,) = AgencyReturn.objects.all()
    shown = agency_return.as_submitted()
    assert shown.involvement_summary == agency_return.involvement_summary
    assert [e.what_happened for e in shown.submitted_chronology] == [
        e.what_happened for e in agency_return.chronology.order_by("date")
    ]


def test_a_contributor_sees_what_is_waiting_for_them_before_what_they_sent(
    client, make_review, agencies, contributors, people
):
    from safeguarding.calendar import add_working_days

    def ask_health(review, days):
        (request,) = services.information_requests_create(
            rapid_review=review,
            actor=people["officer"],
            agencies=[agencies["health"]],
            due_date=add_working_days(TODAY(), days),
            send=True,
        )
        return request

    answered = ask_health(make_review(), 2)  # due sooner, but already returned
    return_and_submit(answered, contributors["health"])
    waiting = ask_health(make_review(), 9)
    sign_in(client, contributors["health"])
    html = client.get(reverse("rapid_reviews:contributor-list")).content.decode()
    waiting_at = html.index(waiting.rapid_review.incident.reference)
    returned_heading = html.index(">Returned<")
    answered_at = html.index(answered.rapid_review.incident.reference)
    assert html.index("Waiting for your agency") < waiting_at < returned_heading < answered_at


def test_an_agencys_returned_requests_are_listed_a_page_at_a_time(
    client, make_review, agencies, contributors, people, monkeypatch, django_assert_max_num_queries
):
    from rapid_reviews.models import InformationRequest

    monkeypatch.setattr("rapid_reviews.views.contributor.LISTED", 2)
    made = []
    for days_ago in (1, 2, 3):
        review = make_review()
        made += services.information_requests_create(
            rapid_review=review,
            actor=people["officer"],
            agencies=[agencies["health"]],
            due_date=TODAY() + dt.timedelta(days=5),
            send=True,
        )
        InformationRequest.objects.filter(pk=made[-1].pk).update(
            status=RequestStatus.RETURNED, returned_on=TODAY() - dt.timedelta(days=days_ago)
        )
    sign_in(client, contributors["health"])
    url = reverse("rapid_reviews:contributor-list")
    with django_assert_max_num_queries(12):
        first = client.get(url).content.decode()
    refs = [r.rapid_review.incident.reference for r in made]
    assert refs[0] in first and refs[1] in first and refs[2] not in first  # most recent first
    assert 'aria-label="Pagination"' in first and "page=2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert refs[2] in second and refs[0] not in second
    assert client.get(url, {"page": "x"}).status_code == 200  # a bad page: the first


def test_the_review_history_names_status_moves_in_words(client, sent_requests, people):
    review = sent_requests["police"].rapid_review
    sign_in(client, people["officer"])
    html = client.get(review.get_absolute_url()).content.decode()
    assert "Midshire Police: Not sent → Sent" in html
    assert "not_sent" not in html


def test_return_pages_are_audited_when_read(client, sent_requests, contributors, people):
    from safeguarding.models import AuditEvent

    request = sent_requests["police"]
    return_and_submit(request, contributors["police"])
    views = AuditEvent.objects.filter(action="view", object_type="rapid_reviews.informationrequest")
    sign_in(client, people["officer"])
    client.get(reverse("rapid_reviews:request", args=[request.rapid_review_id, request.pk]))
    assert (
        views.filter(actor=people["officer"], changes={"page": "information request"}).count() == 1
    )
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note="More please",
        due_date=TODAY() + dt.timedelta(days=7),
    )
    sign_in(client, contributors["police"])
    client.get(reverse("rapid_reviews:contributor-return", args=[request.pk]))
    client.get(reverse("rapid_reviews:contributor-submit", args=[request.pk]))
    pages = set(views.filter(actor=contributors["police"]).values_list("changes__page", flat=True))
    assert {"return form", "check the return"} <= pages


def test_a_review_signed_off_by_all_three_says_it_is_ready_to_send(client, review, people):
    from .conftest import decide_and_sign

    sign_in(client, people["officer"])
    decided = decide_and_sign(review, people["officer"], signers=("local_authority",))
    assert "Decided, awaiting sign-off" in client.get(decided.get_absolute_url()).content.decode()
    for partner in ("police", "health"):
        services.rapid_review_sign_off(
            rapid_review=decided,
            actor=people["officer"],
            partner=partner,
            name=f"Signer {partner}",
            signed_on=TODAY(),
        )
    html = client.get(decided.get_absolute_url()).content.decode()
    assert "Decided and signed off: ready to send" in html
    assert "Decided, awaiting sign-off</strong>" not in html


def test_the_decision_page_names_the_returns_still_awaited(
    client, sent_requests, contributors, people
):
    review = sent_requests["police"].rapid_review
    return_and_submit(sent_requests["police"], contributors["police"])
    sign_in(client, people["officer"])
    html = client.get(reverse("rapid_reviews:decision", args=[review.pk])).content.decode()
    assert "Returns still awaited from:" in html
    assert "Brookfield Hospitals" in html and "Brookfield Children’s Services" in html
    assert "Midshire Police" not in html.split("Returns still awaited from:")[1].split(".")[0]


def test_a_return_cannot_be_due_on_a_weekend_or_bank_holiday(client, review, agencies, people):
    import datetime as dt_

    sign_in(client, people["officer"])
    url = reverse("rapid_reviews:requests-new", args=[review.pk])
    agencies_posted = [agencies["health"].pk]
    for day, said in [
        (dt_.date(2027, 12, 4), "4 December 2027 is a Saturday"),
        (dt_.date(2027, 12, 27), "27 December 2027 is Christmas Day (observed)"),
    ]:
        html = client.post(
            url, {"agencies": agencies_posted, **date_fields("due_date", day), "continue": ""}
        ).content.decode()
        assert f"The date the return is due must be a working day: {said}" in html
    assert not review.requests.exists()


def test_a_return_cannot_be_due_on_one_of_the_partnerships_closure_days(
    client, review, agencies, people
):
    """Asked for, or moved to, a day the partnership's office is closed: refused, naming
    the closure. A date kept as it was (set before the closure day was added) still saves."""
    from safeguarding.calendar import add_working_days
    from safeguarding.models import ClosureDay

    closed = add_working_days(TODAY(), 6)
    ClosureDay.objects.create(partnership=review.partnership, date=closed, reason="Office move")
    said = (
        "The date the return is due must be a working day: "
        f"{closed:%-d %B %Y} is a closure day (Office move)"
    )
    sign_in(client, people["officer"])
    html = client.post(
        reverse("rapid_reviews:requests-new", args=[review.pk]),
        {"agencies": [agencies["health"].pk], **date_fields("due_date", closed), "continue": ""},
    ).content.decode()
    assert said in html
    assert not review.requests.exists()
    due = add_working_days(TODAY(), 5)
    client.post(
        reverse("rapid_reviews:requests-new", args=[review.pk]),
        {"agencies": [agencies["health"].pk], **date_fields("due_date", due), "continue": ""},
    )
    request = review.requests.get()
    change = reverse("rapid_reviews:request-change", args=[review.pk, request.pk])
    html = client.post(change, {"contact": "Ward 4", **date_fields("due_date", closed)})
    assert said in html.content.decode()
    request.refresh_from_db()
    assert request.due_date == due
    # The closure day added on the date already asked for: kept as it was, it saves.
    ClosureDay.objects.filter(date=closed).update(date=due)
    response = client.post(change, {"contact": "Ward 5", **date_fields("due_date", due)})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.due_date, request.contact) == (due, "Ward 5")


def test_the_list_puts_reviews_in_progress_first_and_pages_those_sent(client, make_review, people):
    officer = people["officer"]
    active = make_review()
    sent = [make_review() for _ in range(26)]
    for review in sent:
        review = decide_and_sign(review, officer)
        services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
    sign_in(client, officer)
    html = client.get(reverse("rapid_reviews:list")).content.decode()
    in_progress, done = html.split('id="sent"', 1)
    assert active.incident.reference in in_progress
    assert not any(r.incident.reference in in_progress for r in sent)
    assert sum(r.incident.reference in done for r in sent) == 25
    assert "Waiting for the Panel" in done
    page_two = client.get(reverse("rapid_reviews:list"), {"page": "2"}).content.decode()
    assert sum(r.incident.reference in page_two.split('id="sent"', 1)[1] for r in sent) == 1
    # A page past the end shows the last one, not an error.
    assert client.get(reverse("rapid_reviews:list"), {"page": "99"}).status_code == 200


def test_a_contributors_home_lists_what_their_agency_has_still_to_answer(
    client,
    sent_requests,
    contributors,
    make_review,
    people,
    agencies,
    django_assert_max_num_queries,
):
    police = sent_requests["police"]
    home = reverse("safeguarding:home")
    sign_in(client, contributors["police"])
    with django_assert_max_num_queries(10):
        html = client.get(home).content.decode()
    link = reverse("rapid_reviews:contributor-request", args=[police.pk])
    assert f'href="{link}"' in html
    assert short_date(police.due_date) in html  # a table cell
    for other in ("health", "social_care"):
        own = reverse("rapid_reviews:contributor-request", args=[sent_requests[other].pk])
        assert own not in html
    assert "More information requested" not in html
    return_and_submit(police, contributors["police"])
    html = client.get(home).content.decode()
    assert link not in html and "Nothing is waiting for your answer." in html
    # Sent back for more: on the list again, saying so.
    services.agency_return_send_back(
        information_request=police,
        actor=people["officer"],
        note="Add the custody record.",
        due_date=NEXT_WORKING_DAY(),
    )
    html = client.get(home).content.decode()
    row = html.split(link, 1)[1].split("</tr>", 1)[0]
    # In the words and colour of the request's own page and the list of requests, so
    # that one state does not read as two.
    tag = '<strong class="govuk-tag govuk-tag--orange">More information requested</strong>'
    assert tag in row
    for page in ("rapid_reviews:contributor-list", "rapid_reviews:contributor-request"):
        args = [police.pk] if page.endswith("request") else []
        assert tag in client.get(reverse(page, args=args)).content.decode()
    # Once the review has gone to the National Panel, an unanswered request is moot.
    health = sent_requests["health"]
    sign_in(client, contributors["health"])
    health_link = reverse("rapid_reviews:contributor-request", args=[health.pk])
    assert health_link in client.get(home).content.decode()
    review = decide_and_sign(health.rapid_review, people["officer"])
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=TODAY()
    )
    assert health_link not in client.get(home).content.decode()
    sign_in(client, contributors["police"])
    # Another partnership's contributor for the same force sees none of it.
    sign_in(client, contributors["other_police"])
    assert link not in client.get(home).content.decode()


def test_the_review_page_explains_its_due_date(client, review, people):
    from safeguarding.models import Deadline

    clock = Deadline.objects.get(subject_id=review.pk, kind=Deadline.Kind.RAPID_REVIEW)
    sign_in(client, people["officer"])
    html = client.get(review.get_absolute_url()).content.decode()
    why = reverse("safeguarding:deadline-why", args=[clock.pk])
    assert f'href="{why}">Why this date?</a>' in html
    assert "Opened when the notification sent on" in html
    page = client.get(why)
    assert page.status_code == 200
    assert f"{review.due_date:%-d %B %Y}" in page.content.decode()


def test_the_review_page_says_how_long_is_left_until_it_is_sent(client, review, people):
    """As the incident page does: working days left while the clock runs, overdue once
    the due date has passed, and nothing once the review has gone to the Panel."""
    from rapid_reviews.models import RapidReview
    from safeguarding.calendar import working_days_left
    from safeguarding.models import Deadline

    officer = people["officer"]
    sign_in(client, officer)
    left = working_days_left(TODAY(), review.due_date, partnership=review.incident.partnership_id)
    html = client.get(review.get_absolute_url()).content.decode()
    assert f"{left} working days left</strong>" in html

    late = TODAY() - dt.timedelta(days=10)
    RapidReview.objects.filter(pk=review.pk).update(due_date=late)
    Deadline.objects.filter(subject_id=review.pk, kind=Deadline.Kind.RAPID_REVIEW).update(
        due_date=late
    )
    overdue = -working_days_left(TODAY(), late, partnership=review.incident.partnership_id)
    html = client.get(review.get_absolute_url()).content.decode()
    assert f"{overdue} working days overdue</strong>" in html

    review.refresh_from_db()
    review = decide_and_sign(review, officer)
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=officer, sent_on=TODAY(), late_reason="Delayed."
    )
    html = client.get(review.get_absolute_url()).content.decode()
    assert "working days overdue" not in html and "working days left" not in html


def test_a_resend_after_the_due_date_does_not_make_an_on_time_review_late(client, review, people):
    """First sent on time; the Panel asked for more and it went again after its due date:
    on time (the clock stopped at the first send), with the second send shown."""
    from rapid_reviews.models import RapidReview
    from safeguarding.models import Deadline

    officer = people["officer"]
    review = decide_and_sign(review, officer)
    review = services.rapid_review_send_to_panel(
        rapid_review=review, actor=officer, sent_on=TODAY()
    )
    first, due = TODAY() - dt.timedelta(days=5), TODAY() - dt.timedelta(days=2)
    RapidReview.objects.filter(pk=review.pk).update(due_date=due, sent_to_panel_on=first)
    Deadline.objects.filter(subject_id=review.pk, kind=Deadline.Kind.RAPID_REVIEW).update(
        due_date=due, closed_on=first
    )
    review.refresh_from_db()
    review = services.rapid_review_record_panel_response(
        rapid_review=review,
        actor=officer,
        response="more_information",
        responded_on=first,
        note="Say more about the school.",
        more_information_by=first + dt.timedelta(days=10),
    )
    services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
    sign_in(client, officer)
    panel = client.get(review.get_absolute_url()).content.decode().split('id="panel"', 1)[1]
    panel = panel.split("</dl>", 1)[0]
    assert f"{first:%-d %B %Y}" in panel and "Late" not in panel
    assert f"Sent again, with more information, on {TODAY():%-d %B %Y}" in panel
    listing = client.get(reverse("rapid_reviews:list")).content.decode().split('id="sent"')[1]
    assert "Late" not in listing and f"Again {short_date(TODAY())}" in listing


def test_a_step_opened_out_of_order_says_what_to_do_first(client, review, people):
    """Reached by its address before its time, a step's page says so before the form is
    filled in (the service still refuses it if sent)."""
    sign_in(client, people["officer"])
    for name, first in [
        ("rapid_reviews:decision", "Record the panel meeting before the decision."),
        ("rapid_reviews:send-to-panel", "Record the decision and the three partners"),
        ("rapid_reviews:panel-response", "The review has not been sent to the National Panel."),
    ]:
        html = client.get(reverse(name, args=[review.pk])).content.decode()
        assert first in html, name
    sign_off = reverse("rapid_reviews:sign-off", args=[review.pk, "police"])
    assert "Record the decision before the partners sign it off." in (
        client.get(sign_off).content.decode()
    )
    # In its time, no warning.
    review = decide_and_sign(review, people["officer"])
    html = client.get(reverse("rapid_reviews:send-to-panel", args=[review.pk])).content.decode()
    assert "before sending it" not in html
    # Done already (the back button): it says so, not what to do first; sent again, the
    # service says the same.
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=TODAY()
    )
    for name in ("rapid_reviews:decision", "rapid_reviews:send-to-panel"):
        html = client.get(reverse(name, args=[review.pk])).content.decode()
        assert "this step is done already" in html and "before" not in html.split("</h1>")[0]
    html = client.post(
        reverse("rapid_reviews:send-to-panel", args=[review.pk]), date_fields("sent_on", TODAY())
    ).content.decode()
    assert "This has already been done: the rapid review is" in html


def test_the_agencies_that_knew_the_children_are_ticked_to_start_with(
    client, review, agencies, people
):
    """The notification recorded who knew each child: asking them is the usual start."""
    child = review.incident.children.first()
    child.known_to.set([agencies["health"]])
    sign_in(client, people["officer"])
    html = client.get(reverse("rapid_reviews:requests-new", args=[review.pk])).content.decode()
    ticked = {
        name
        for name, agency in agencies.items()
        if re.search(rf'value="{agency.pk}"[^>]*\bchecked\b', html)
    }
    assert ticked == {"health"}


def test_an_empty_section_of_the_pdf_says_not_recorded(client, review, people):
    """No immediate actions yet, from the meeting or the returns: the section says so
    rather than end in an empty table under its heading."""
    sign_in(client, people["officer"])
    pdf = client.get(reverse("rapid_reviews:report-pdf", args=[review.pk]))
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages
    )
    after = text.split("Immediate actions", 1)[1]
    assert after.lstrip().startswith("Not recorded"), after[:80]


def test_the_panels_reply_is_corrected_on_its_own_page(client, review, people):
    officer = people["officer"]
    today = timezone.localdate()
    review = decide_and_sign(review, officer, decision="no_local_review")
    review = services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=today)
    sign_in(client, officer)
    url = reverse("rapid_reviews:panel-response", args=[review.pk])
    wanted = today + dt.timedelta(days=10)
    response = client.post(
        url,
        {
            "response": "more_information",
            **date_fields("responded_on", today),
            "note": "The school's records.",
            **date_fields("more_information_by", wanted),
            "version": review.version,
        },
    )
    assert response.status_code == 302
    detail = client.get(review.get_absolute_url()).content.decode()
    answer = detail.split('id="panel-response"', 1)[1].split("</div>", 1)[0]
    assert f"Wanted by {wanted:%-d %B %Y}" in answer and url in answer
    review.refresh_from_db()
    page = client.get(url).content.decode()
    assert "Correct the National Panel’s response" in page and "correction_reason" in page
    refused = client.post(
        url,
        {"response": "agrees", **date_fields("responded_on", today), "version": review.version},
    )
    assert "Enter why the response is being corrected" in refused.content.decode()
    done = client.post(
        url,
        {
            "response": "agrees",
            **date_fields("responded_on", today),
            "correction_reason": "Read wrongly.",
            "version": review.version,
        },
        follow=True,
    )
    assert "The National Panel’s response is corrected." in done.content.decode()
    review.refresh_from_db()
    assert review.panel_response == "agrees"
    # The History shows the correction beside the status moves; the words are on the
    # page (the reply's own line and the correction's reason), not in the trail's line.
    history = done.content.decode().split(">History</h2>", 1)[1]
    lines = re.findall(r"<li>(.*?)</li>", history, re.S)
    assert "Sent to the National Panel → National Panel replied" in lines[-2]
    assert (
        "The National Panel’s response: asks for more information → agrees with the decision; "
        f"the date it wants more information by: {wanted:%-d %B %Y} → none; "
        "what it said: changed"
    ) in lines[-1]
    assert officer.full_name in lines[-1] and "Read wrongly" not in lines[-1]


def test_only_a_later_button_that_saves_a_draft_is_for_the_timeout_to_press(client, review, people):
    """static/js/timeout.mjs presses a "later" button marked data-draft; "Save without
    sending" makes the requests, so it is not marked."""
    from notifications.forms import CircumstancesForm

    sign_in(client, people["officer"])
    page = client.get(reverse("rapid_reviews:requests-new", args=[review.pk])).content.decode()
    later = re.search(r"<input[^>]*name=\"later\"[^>]*>", page).group(0)
    assert "Save without sending" in later and "data-draft" not in later
    form = CircumstancesForm()
    assert form.later_is_draft and 'data-draft="true"' in form.helper.inputs[-1].flat_attrs


def test_the_panels_reply_form_shows_every_missing_answer_at_once(client, review, people):
    officer = people["officer"]
    review = decide_and_sign(review, officer, decision="no_local_review")
    review = services.rapid_review_send_to_panel(
        rapid_review=review, actor=officer, sent_on=timezone.localdate()
    )
    sign_in(client, officer)
    url = reverse("rapid_reviews:panel-response", args=[review.pk])
    page = client.post(
        url, {"response": "more_information", "version": review.version}
    ).content.decode()
    summary = page.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    for message in (
        "Enter the date of the Panel",
        "Enter what the National Panel asked for",
        "Enter the date the Panel wants it by",
    ):
        assert message in summary, message


def test_a_whole_date_error_links_to_the_dates_first_box(client, review, people):
    """A date in the future is an error of the whole date: the summary's link goes to the
    day box, which takes the focus (the date's own id is the group around the boxes)."""
    sign_in(client, people["officer"])
    future = TODAY() + dt.timedelta(days=30)
    page = client.post(
        reverse("rapid_reviews:meeting", args=[review.pk]),
        {
            **date_fields("meeting_date", future),
            "attendees": "LA, police",
            "version": review.version,
        },
    ).content.decode()
    summary = page.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert 'href="#id_meeting_date_0"' in summary and 'href="#id_meeting_date"' not in summary
    assert 'id="id_meeting_date_0"' in page


def test_the_request_form_marks_agencies_nobody_can_answer_before_sending(
    client, review, agencies, contributors, people, partnership
):
    from safeguarding.models import Agency
    from tests.factories import AgencyFactory

    AgencyFactory(
        name="Brookfield GP Practices",
        kind=Agency.Kind.HEALTH,
        partnerships=[partnership],
        contact_email="safeguarding@gp.example",
    )
    AgencyFactory(name="Brookfield Schools", kind=Agency.Kind.EDUCATION, partnerships=[partnership])
    sign_in(client, people["officer"])
    form = client.get(reverse("rapid_reviews:requests-new", args=[review.pk])).content.decode()
    assert "Brookfield GP Practices (no one there has an account: the request goes to " in form
    assert "safeguarding@gp.example" in form
    assert "Brookfield Schools (no one there has an account and it has no address" in form
    assert "Brookfield Hospitals (" not in form  # it has a contributor


def test_the_contact_for_a_request_is_who_at_the_agency_is_e_mailed(
    client, review, agencies, contributors, people, partnership
):
    """The request e-mail goes to the agency's contributors in the partnership (or, if it
    has none, to the agency's address): the pages name them as its contact, with a
    contact the officer typed in first."""
    from safeguarding.models import Agency
    from tests.factories import AgencyFactory

    gps = AgencyFactory(
        name="Brookfield GP Practices",
        kind=Agency.Kind.HEALTH,
        partnerships=[partnership],
        contact_email="safeguarding@gp.example",
    )
    sent = send_requests(review, {**agencies, "gps": gps}, people["officer"])
    sent["health"].contact = "Duty desk, 0100 000 000"
    sent["health"].save(update_fields=["contact"])
    sign_in(client, people["officer"])
    html = client.get(review.get_absolute_url()).content.decode()
    table = html[html.index('id="requests"') :].split("</table>", 1)[0]

    def row(name):
        return table[table.index(name) :].split("</tr>", 1)[0]

    health = row("Brookfield Hospitals")
    assert "Duty desk, 0100 000 000" in health and "Health Contributor" in health
    assert "Social Care Contributor" in row("Brookfield Children")
    assert contributors["police"].full_name in row("Midshire Police")
    # The same force's contributor in the other partnership is not e-mailed about this one.
    assert contributors["other_police"].full_name not in table
    assert "safeguarding@gp.example" in row("Brookfield GP Practices")

    page = client.get(sent["health"].get_absolute_url()).content.decode()
    contact = page[page.index(">Contact<") :].split("</div>", 1)[0]
    assert "Duty desk, 0100 000 000" in contact and "Health Contributor" in contact
    assert contributors["health"].email in contact
    page = client.get(sent["gps"].get_absolute_url()).content.decode()
    contact = page[page.index(">Contact<") :].split("</div>", 1)[0]
    assert "safeguarding@gp.example" in contact and "the agency’s address" in contact


def test_a_long_unbroken_finding_is_broken_at_the_pdfs_breaks_and_kept_whole(
    client, review, people
):
    """The report's free text goes through `breakable`, as every case PDF's does: a
    word of 2,000 letters is broken at its zero-width breaks (every 20 letters), not
    wherever WeasyPrint ran out of room, and none of it is lost."""
    import itertools
    import string

    from rapid_reviews.models import RapidReview
    from safeguarding.templatetags.pdf_text import EVERY, ZWSP

    word = "".join(itertools.islice(itertools.cycle(string.ascii_letters + string.digits), 2000))
    RapidReview.objects.filter(pk=review.pk).update(key_practice_episodes=word)
    sign_in(client, people["officer"])
    pdf = client.get(reverse("rapid_reviews:report-pdf", args=[review.pk]))
    lines = [
        line.replace(ZWSP, "").strip()
        for page in PdfReader(io.BytesIO(pdf.content)).pages
        for line in page.extract_text().splitlines()
    ]
    pieces = [line.rsplit(" ", 1)[-1] for line in lines]
    pieces = [piece for piece in pieces if len(piece) > 2 and piece in word]
    assert "".join(pieces) == word
    assert all(len(piece) % EVERY == 0 for piece in pieces[:-1]), pieces[:5]


def test_the_review_page_says_the_met_clock_as_the_incident_page_does(client, review, people):
    """Once sent to the Panel the heading's clock says it was sent on time or late, with
    the incident page's tags ("Notified on time"), not the due date alone."""
    from notifications.models import Incident

    officer = people["officer"]
    sign_in(client, officer)
    review = decide_and_sign(review, officer)
    services.rapid_review_send_to_panel(rapid_review=review, actor=officer, sent_on=TODAY())
    html = client.get(review.get_absolute_url()).content.decode()
    heading = html.split('id="timetable"', 1)[0]
    # Green, as the timetable's "Met on time" below it (a walk found it grey beside them).
    assert '<strong class="govuk-tag govuk-tag--green">Sent on time</strong>' in heading
    timetable = html.split('id="timetable"', 1)[1].split("</table>", 1)[0]
    assert 'govuk-tag--green">Met on time</strong>' in timetable
    incident = Incident.objects.get(pk=review.incident_id)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert '<strong class="govuk-tag govuk-tag--green">Notified on time</strong>' in page


def test_the_review_page_says_a_review_sent_after_its_due_date_was_late(client, review, people):
    from rapid_reviews.models import RapidReview
    from safeguarding.models import Deadline

    officer = people["officer"]
    late = TODAY() - dt.timedelta(days=10)
    RapidReview.objects.filter(pk=review.pk).update(due_date=late)
    Deadline.objects.filter(subject_id=review.pk, kind=Deadline.Kind.RAPID_REVIEW).update(
        due_date=late
    )
    review.refresh_from_db()
    review = decide_and_sign(review, officer)
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=officer, sent_on=TODAY(), late_reason="Delayed."
    )
    sign_in(client, officer)
    heading = client.get(review.get_absolute_url()).content.decode().split('id="timetable"')[0]
    assert '<strong class="govuk-tag app-tag--overdue">Sent late</strong>' in heading
