"""The agency's side of an information request, as its contributors meet it: pages open
in two tabs or on two colleagues' screens while the request moves on (submitted, sent
back for more, closed), and what such a page may still do."""

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from rapid_reviews.models import AgencyReturn, RequestStatus, StatusChange
from safeguarding.calendar import add_working_days
from safeguarding.models import Role
from tests.factories import member
from tests.utils import sign_in

from .conftest import decide_and_sign, return_and_submit, return_post, rows, values_for_return


def version_in(html):
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def client_for(user):
    client = Client()
    sign_in(client, user)
    return client


def colleague_of(request, partnership):
    return member(
        Role.AGENCY_CONTRIBUTOR, partnership, agency=request.agency, full_name="Second Contributor"
    )


def draft(request, actor, summary="Police attended twice."):
    return services.agency_return_save_draft(
        information_request=request,
        actor=actor,
        values=values_for_return(involvement_summary=summary),
        rows=rows(timezone.localdate() - dt.timedelta(days=5)),
    )


def test_a_check_page_left_open_does_not_submit_again_after_the_return_is_sent_back(
    sent_requests, contributors, partnership, people
):
    """A check page opened before a colleague submitted stays open; the officer sends
    the return back asking for more; the old page's Submit must not send the same return
    straight back, unseen by anyone who read what the officer asked for."""
    request = sent_requests["police"]
    draft(request, contributors["police"])
    url = reverse("rapid_reviews:contributor-submit", args=[request.pk])
    a = client_for(contributors["police"])
    b = client_for(colleague_of(request, partnership))
    checked_by_a = version_in(a.get(url).content.decode())
    checked_by_b = version_in(b.get(url).content.decode())
    assert b.post(url, {"version": checked_by_b}).status_code == 302
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note="Add the custody record.",
        due_date=add_working_days(timezone.localdate(), 2),
    )
    refused = a.post(url, {"version": checked_by_a})
    html = refused.content.decode()
    assert refused.status_code == 200 and "<title>Error:" in html
    assert "This return was changed after you opened this page" in html
    request.refresh_from_db()
    assert request.status == RequestStatus.MORE_INFORMATION
    returned = StatusChange.objects.filter(
        information_request=request, to_status=RequestStatus.RETURNED
    )
    assert returned.count() == 1
    # The page is the current one now: submitting from it is a knowing choice.
    assert a.post(url, {"version": version_in(html)}).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED


def test_a_return_form_left_open_is_stale_once_the_return_was_submitted_and_sent_back(
    sent_requests, contributors, partnership, people
):
    """The form, opened before a colleague submitted, is refused after the send-back (its
    writer has not seen what the officer asked for); the page then shows the officer's
    note with what was typed, to save knowingly."""
    request = sent_requests["police"]
    draft(request, contributors["police"])
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    a = client_for(contributors["police"])
    opened = version_in(a.get(url).content.decode())
    services.agency_return_submit(
        information_request=request, actor=colleague_of(request, partnership)
    )
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note="Add the custody record.",
        due_date=add_working_days(timezone.localdate(), 2),
    )
    html = a.post(url, return_post(opened, "A's late addition")).content.decode()
    assert "This return was changed after you opened this page" in html
    assert "Add the custody record." in html and "A&#x27;s late addition" in html
    saved = AgencyReturn.objects.get(information_request=request)
    assert saved.involvement_summary == "Police attended twice."


def test_typing_sent_after_a_colleague_submitted_is_shown_back_not_lost(
    sent_requests, contributors, partnership
):
    """Saving the form after a colleague submitted the return cannot save, but what was
    typed is shown again with the reason, in the error summary, to copy."""
    request = sent_requests["police"]
    draft(request, contributors["police"])
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    a = client_for(contributors["police"])
    opened = version_in(a.get(url).content.decode())
    services.agency_return_submit(
        information_request=request, actor=colleague_of(request, partnership)
    )
    response = a.post(url, return_post(opened, "Three more call-outs in March"))
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert "govuk-error-summary" in html
    assert "Your agency’s return was submitted" in html
    assert "Three more call-outs in March" in html  # kept, to copy
    assert "Save as draft" not in html  # nothing here can save it
    saved = AgencyReturn.objects.get(information_request=request)
    assert saved.involvement_summary == "Police attended twice."
    assert saved.submitted_copy["answers"]["involvement_summary"] == "Police attended twice."
    # Opened afresh (no typing to show), the page goes back to the request.
    assert a.get(url).status_code == 302


def test_typing_sent_after_the_request_closed_is_shown_back_not_lost(
    sent_requests, contributors, people
):
    request = sent_requests["police"]
    draft(request, contributors["police"])
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    a = client_for(contributors["police"])
    opened = version_in(a.get(url).content.decode())
    review = decide_and_sign(request.rapid_review, people["officer"])
    services.rapid_review_send_to_panel(
        rapid_review=review, actor=people["officer"], sent_on=timezone.localdate()
    )
    response = a.post(url, return_post(opened, "Three more call-outs in March"))
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert services.requests.NOT_NEEDED_MESSAGE in html
    assert "Three more call-outs in March" in html
    request.refresh_from_db()
    assert request.status == RequestStatus.NOT_NEEDED
    assert request.agency_return.involvement_summary == "Police attended twice."


def test_the_agency_pages_of_a_request_run_a_fixed_number_of_queries(
    client, sent_requests, contributors, people, django_assert_max_num_queries
):
    """The request page, the return form and the check page read the same number of
    queries however many children there are to search for and rows the chronology has."""
    from notifications.models import Child
    from tests.notifications.conftest import child_values

    request = sent_requests["police"]
    police = contributors["police"]
    sign_in(client, police)
    pages = [
        reverse(f"rapid_reviews:{name}", args=[request.pk])
        for name in ("contributor-request", "contributor-return", "contributor-submit")
    ]
    draft(request, police)
    counts = {}
    for url in pages:
        client.get(url)
        with django_assert_max_num_queries(20) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    incident = request.rapid_review.incident
    for n in range(3):
        Child.objects.create(
            incident=incident,
            position=n + 2,
            **child_values(name=f"Sibling {n}", pseudonym=f"Child {'BCD'[n]}"),
        )
    services.agency_return_save_draft(
        information_request=request,
        actor=police,
        values=values_for_return(),
        rows=rows(*(timezone.localdate() - dt.timedelta(days=d) for d in range(5, 30, 3))),
        expected_version=request.agency_return.version,
    )
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            html = client.get(url).content.decode()
        assert "Visit on" in html or "Sibling 2" in html, url
    assert "Sibling 2" in client.get(pages[0]).content.decode()


def test_the_agency_is_told_when_the_due_date_of_its_awaited_return_moves(
    sent_requests, contributors, people, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    """An officer moving the date (with a reason) used to tell nobody: an agency working
    to the old date could be overdue on a date it never heard of. Its contributors are
    e-mailed once, with both dates and the link, never the reason nor the child."""
    from rapid_reviews.mail import due_date_moved_deliver

    from .conftest import CHILD_NAME

    request = sent_requests["police"]
    old = request.due_date
    new = add_working_days(old, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.information_request_update(
            information_request=request,
            actor=people["officer"],
            contact=request.contact,
            due_date=new,
            reason=f"The panel meeting moved; {CHILD_NAME}'s sibling was seen.",
        )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [contributors["police"].email]
    assert request.rapid_review.incident.reference in mail.subject
    body = " ".join(mail.body.split())
    assert f"{new:%A %-d %B %Y}" in body and f"{old:%A %-d %B %Y}" in body
    assert reverse("rapid_reviews:contributor-request", args=[request.pk]) in body
    for text in (mail.subject, mail.body, mail.alternatives[0][0]):
        assert "Amelia" not in text and "panel meeting moved" not in text
    # Once: a task run again sends nothing more.
    assert due_date_moved_deliver(request_id=request.pk) == "nothing untold"
    assert len(mailoutbox) == 1
    # A change of contact only, or of a request not yet sent, is not e-mailed.
    with django_capture_on_commit_callbacks(execute=True):
        services.information_request_update(
            information_request=request,
            actor=people["officer"],
            contact="DS Khan",
            due_date=new,
        )
    assert len(mailoutbox) == 1
    assert due_date_moved_deliver(request_id=request.pk) == "nothing untold"
    assert len(mailoutbox) == 1


def test_a_due_date_moved_after_the_return_is_in_is_not_e_mailed(
    sent_requests, contributors, people, mailoutbox, eager_tasks
):
    from rapid_reviews.mail import due_date_moved_deliver

    request = sent_requests["health"]
    new = add_working_days(request.due_date, 1)
    # Queued (no on_commit callback run here), but the return came in before the worker
    # ran (an outage): nothing to tell.
    services.information_request_update(
        information_request=request,
        actor=people["officer"],
        contact=request.contact,
        due_date=new,
        reason="Meeting moved.",
    )
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["health"],
        values=values_for_return(),
        rows=rows(timezone.localdate() - dt.timedelta(days=4)),
    )
    services.agency_return_submit(information_request=request, actor=contributors["health"])
    assert due_date_moved_deliver(request_id=request.pk) == "superseded"
    assert not mailoutbox


def test_the_home_page_says_when_more_requests_wait_than_it_lists(
    client, sent_requests, contributors, agencies, make_review, people, monkeypatch
):
    """The home page lists the first few requests still to answer; when there are more,
    it says how many, rather than look like the whole of the agency's work."""
    from safeguarding import views

    monkeypatch.setattr(views, "HOME_ROWS", 2)
    police = [sent_requests["police"]]
    for _ in range(2):
        police += services.information_requests_create(
            rapid_review=make_review(),
            actor=people["officer"],
            agencies=[agencies["police"]],
            due_date=add_working_days(timezone.localdate(), 4),
            send=True,
        )
    sign_in(client, contributors["police"])
    html = client.get(reverse("safeguarding:home")).content.decode()
    listed = [r for r in police if f"/rapid-reviews/requests/{r.pk}/" in html]
    assert listed == police[:2]  # soonest due first
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "3 requests are waiting for your agency’s answer. The 2 due soonest are listed." in (
        text
    )
    # All of them listed: nothing more to say.
    monkeypatch.setattr(views, "HOME_ROWS", 3)
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert "due soonest are listed" not in html


def test_the_request_page_says_whom_to_ask(client, sent_requests, contributors, partnership):
    """The agency is told to contact the partnership (with a question, or information
    after the request closed): the page says how."""
    request = sent_requests["police"]
    sign_in(client, contributors["police"])
    html = client.get(reverse("rapid_reviews:contributor-request", args=[request.pk])).content
    assert partnership.contact_email in html.decode()


def test_one_person_for_two_agencies_in_two_partnerships_sees_each_only_where_it_is_theirs(
    client, sent_requests, agencies, partnership, other_partnership, make_review, people
):
    """Police in partnership A and health in partnership B: A's police request and B's
    health request, never A's health request nor B's police one (the pairs, not every
    agency in every partnership); the same agency in two partnerships sees both."""
    from safeguarding.models import Membership

    other_partnership.agencies.add(agencies["health"])
    officer_b = member(Role.REVIEW_OFFICER, other_partnership, full_name="Officer B")
    review_b = make_review(partnership=other_partnership, actor=officer_b, name="Other Child")
    in_b = {
        key: request
        for key, request in zip(
            ("health", "police"),
            services.information_requests_create(
                rapid_review=review_b,
                actor=officer_b,
                agencies=[agencies["health"], agencies["police"]],
                due_date=add_working_days(timezone.localdate(), 3),
                send=True,
            ),
            strict=True,
        )
    }
    both = member(Role.AGENCY_CONTRIBUTOR, partnership, agency=agencies["police"], full_name="Both")
    Membership.objects.create(
        user=both,
        partnership=other_partnership,
        role=Role.AGENCY_CONTRIBUTOR,
        agency=agencies["health"],
    )
    sign_in(client, both)

    def page(request):
        return client.get(reverse("rapid_reviews:contributor-request", args=[request.pk]))

    assert page(sent_requests["police"]).status_code == 200
    assert page(in_b["health"]).status_code == 200
    assert page(sent_requests["health"]).status_code == 404
    assert page(in_b["police"]).status_code == 404
    html = page(in_b["health"]).content.decode()
    assert "Other Child" in html and "Amelia" not in html  # each case's own children
    listing = client.get(reverse("rapid_reviews:contributor-list")).content.decode()
    for request, shown in [
        (sent_requests["police"], True),
        (in_b["health"], True),
        (sent_requests["health"], False),
        (in_b["police"], False),
    ]:
        link = reverse("rapid_reviews:contributor-request", args=[request.pk])
        assert (f'href="{link}"' in listing) is shown, request
    # The same agency (police) in both partnerships: both requests.
    Membership.objects.filter(user=both, partnership=other_partnership).update(
        agency=agencies["police"]
    )
    both = type(both).objects.get(pk=both.pk)
    sign_in(client, both)
    assert page(in_b["police"]).status_code == 200
    assert page(in_b["health"]).status_code == 404


def test_the_check_pages_error_summary_links_each_problem_to_its_question(
    sent_requests, contributors
):
    """GOV.UK's error summary takes the person to the question to answer: on the check
    page that question is on the return form, so each link goes to it there, not to the
    top of a long form. (The check page offers no Submit while something is still to do,
    and links the same things there; a submit posted all the same, from a page left
    open, or the Enter key, gets the summary.)"""
    request = sent_requests["police"]

    def current_version():
        return AgencyReturn.objects.get(information_request=request).version

    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(involvement_summary=""),
        rows=[],
    )
    client = client_for(contributors["police"])
    url = reverse("rapid_reviews:contributor-submit", args=[request.pk])
    html = client.post(url, {"version": current_version()}).content.decode()
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    form = reverse("rapid_reviews:contributor-return", args=[request.pk])
    assert f'<a href="{form}#id_involvement_summary">Enter a summary of your' in summary
    # To the first row's Day box (the form has an empty row when there are none), not
    # to the chronology's heading, which cannot take the focus.
    assert f'<a href="{form}#id_chronology-0-date_0">Add at least one contact' in summary
    # Each anchor is on the form.
    page = client.get(form).content.decode()
    assert 'id="id_involvement_summary"' in page and 'id="id_chronology-0-date_0"' in page
    # Not yet said whether the agency was involved: the first of the two answers.
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(involved=None, involvement_summary=""),
        rows=[],
    )
    html = client.post(url, {"version": current_version()})
    assert f'<a href="{form}#id_involved_1">Select whether' in html.content.decode()
    assert 'id="id_involved_1"' in page


def test_the_request_page_says_how_to_get_more_time_while_the_return_is_awaited(
    sent_requests, contributors, people
):
    """The reminders say "If your agency cannot meet the date, tell the business unit";
    the request page, where the contributor works, says it too, with the address, for as
    long as the return is awaited (sent back for more included), and not once it is in."""
    request = sent_requests["police"]
    client = client_for(contributors["police"])
    url = reverse("rapid_reviews:contributor-request", args=[request.pk])
    asked = "If Midshire Police cannot send its return by"
    html = client.get(url).content.decode()
    contact = html.partition('id="contact"')[2]
    assert asked in contact and "the review officer can give your agency more time" in contact
    assert f'href="mailto:{request.rapid_review.incident.partnership.contact_email}"' in contact
    return_and_submit(request, contributors["police"])
    assert asked not in client.get(url).content.decode()
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note="Add the custody record.",
        due_date=add_working_days(timezone.localdate(), 2),
    )
    assert asked in client.get(url).content.decode()
