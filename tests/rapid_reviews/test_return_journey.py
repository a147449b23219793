"""The agency's return journey as its contributors walk it: the list of its requests,
the check page before submitting, and the confirmation once the return is sent."""

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from safeguarding.dates import full_date
from tests.utils import sign_in

from .conftest import return_and_submit, rows, values_for_return
from .test_request_list_columns import row_of, table_listing, text


def client_for(user):
    client = Client()
    sign_in(client, user)
    return client


def tags(fragment: str) -> list[str]:
    return [text(t) for t in re.findall(r'<strong class="govuk-tag[^"]*">(.*?)</strong>', fragment)]


def test_a_return_sent_late_has_one_tag_on_the_agencys_list(sent_requests, contributors):
    """ "Returned" and "Returned late" side by side said the same thing twice."""
    late, on_time = sent_requests["police"], sent_requests["health"]
    type(late).objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    late.refresh_from_db()
    return_and_submit(late, contributors["police"])
    return_and_submit(on_time, contributors["health"])
    listing = client_for(contributors["police"]).get(reverse("rapid_reviews:contributor-list"))
    assert tags(row_of(table_listing(listing.content.decode(), late), late)) == ["Returned late"]
    listing = client_for(contributors["health"]).get(reverse("rapid_reviews:contributor-list"))
    html = listing.content.decode()
    assert tags(row_of(table_listing(html, on_time), on_time)) == ["Returned"]


def test_the_agency_reads_the_same_words_for_the_same_things(sent_requests, contributors):
    """Home, the list of requests and the return form once said "Reply by", "Due" and
    "Due by" for the one date, and "Case" and "Rapid review" for the one reference: an
    agency reading them on different pages could take them for different things."""
    request = sent_requests["police"]
    client = client_for(contributors["police"])
    home = client.get(reverse("safeguarding:home")).content.decode()
    listing = client.get(reverse("rapid_reviews:contributor-list")).content.decode()
    form = client.get(reverse("rapid_reviews:contributor-return", args=[request.pk]))
    form = text(form.content.decode())
    for page in (text(home), text(listing)):
        assert "Rapid review Due" in page
    assert "Reply by" not in text(home) and "Case" not in text(home)
    assert f"Due {full_date(request.due_date)}." in form and "Due by" not in form


def submit_buttons(html: str) -> list[str]:
    return re.findall(r"<button[^>]*>\s*Submit the return\s*</button>", html)


def test_the_check_page_offers_no_submit_while_something_is_still_to_do(
    sent_requests, contributors
):
    """GOV.UK's check answers pattern: a return that cannot be sent yet has no button to
    send it (it only led to an error), but says what to complete, each with a link to it."""
    request = sent_requests["police"]
    client = client_for(contributors["police"])
    url = reverse("rapid_reviews:contributor-submit", args=[request.pk])
    form = reverse("rapid_reviews:contributor-return", args=[request.pk])
    # Nothing saved yet.
    html = client.get(url).content.decode()
    assert submit_buttons(html) == []
    assert f'<a class="govuk-link" href="{form}#id_involved_1">Select whether' in html
    # A draft without its summary.
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(involvement_summary=""),
        rows=rows(timezone.localdate() - dt.timedelta(days=3)),
    )
    html = client.get(url).content.decode()
    assert submit_buttons(html) == []
    assert "You cannot submit the return yet" in text(html)
    assert (
        f'<a class="govuk-link" href="{form}#id_involvement_summary">'
        "Enter a summary of your agency’s involvement</a>" in html
    )
    # Completed: the button is back.
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(),
        rows=rows(timezone.localdate() - dt.timedelta(days=3)),
    )
    html = client.get(url).content.decode()
    assert len(submit_buttons(html)) == 1 and "You cannot submit" not in html


def test_the_check_page_warns_when_not_involved_but_details_are_given(sent_requests, contributors):
    """ "Involved: No" beside a summary, an analysis and contacts is one answer or the
    other mistaken: a warning (not an error, the return can still go, details and all)
    names what does not fit, with a link to change each."""
    request = sent_requests["police"]
    client = client_for(contributors["police"])
    url = reverse("rapid_reviews:contributor-submit", args=[request.pk])
    form = reverse("rapid_reviews:contributor-return", args=[request.pk])
    day = timezone.localdate() - dt.timedelta(days=3)
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(involved=False, analysis="Missed a referral."),
        rows=rows(day, day),
    )
    html = client.get(url).content.decode()
    region = html.split('class="govuk-warning-text"', 1)[1].split("</ul>", 1)[0]
    warning = text(region)
    assert "You said your agency was not involved with the child or family" in warning
    assert "a summary of your agency’s involvement" in warning
    assert "an analysis" in warning and "2 contacts in the chronology" in warning
    assert f'href="{form}#id_involved_1"' in region
    # A warning only: the return can still be submitted, details and all.
    assert len(submit_buttons(html)) == 1
    # Nothing but the answer "No": no warning.
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(involved=False, involvement_summary=""),
        rows=[],
    )
    html = client.get(url).content.decode()
    assert "not involved" not in html and len(submit_buttons(html)) == 1


def test_submitting_shows_a_confirmation_page_that_a_reload_does_not_resubmit(
    sent_requests,
    contributors,
    partnership,
    mailoutbox,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    """GOV.UK's confirmation page: a panel with the reference, what happens next (only
    what the service does: the business unit is e-mailed), and where to go now. The
    submit redirects to it (POST/redirect/GET), so a reload asks for nothing again."""
    request = sent_requests["police"]
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(),
        rows=rows(timezone.localdate() - dt.timedelta(days=3)),
    )
    client = client_for(contributors["police"])
    url = reverse("rapid_reviews:contributor-submit", args=[request.pk])
    version = re.search(r'name="version" value="(\d+)"', client.get(url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"version": version.group(1)})
    sent = reverse("rapid_reviews:contributor-sent", args=[request.pk])
    assert response.status_code == 302 and response.url == sent
    # What the page says happened did: the business unit is e-mailed.
    assert [m.subject for m in mailoutbox] == [
        f"Return received from {request.agency.name} for rapid review "
        f"{request.rapid_review.incident.reference}"
    ]
    html = client.get(sent).content.decode()
    panel = text(html.split('class="govuk-panel', 1)[1].split("</div></div>", 1)[0])
    assert "Return sent" in panel and request.rapid_review.incident.reference in panel
    page = text(html)
    assert "What happens next" in page
    assert f"Your agency’s return is with {partnership.name}’s business unit" in page
    for link in (
        reverse("rapid_reviews:contributor-request", args=[request.pk]),
        reverse("rapid_reviews:contributor-list"),
        reverse("safeguarding:home"),
    ):
        assert f'href="{link}"' in html
    # A reload is a GET: nothing is submitted again, no second e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(sent).status_code == 200
    assert len(mailoutbox) == 1
    # Back on the check page: it says the return is sent and links to what was sent,
    # not to the form (which only redirects now).
    html = client.get(url).content.decode()
    request_page = reverse("rapid_reviews:contributor-request", args=[request.pk])
    assert f'<a href="{request_page}" class="govuk-back-link">' in html
    form = reverse("rapid_reviews:contributor-return", args=[request.pk])
    assert f'href="{form}"' not in html


def test_the_confirmation_page_is_only_for_a_return_that_is_sent(sent_requests, contributors):
    """Before the return is sent (or once it is sent back for more) there is nothing to
    confirm: the page goes to the request."""
    request = sent_requests["police"]
    client = client_for(contributors["police"])
    response = client.get(reverse("rapid_reviews:contributor-sent", args=[request.pk]))
    assert response.status_code == 302
    assert response.url == reverse("rapid_reviews:contributor-request", args=[request.pk])


def test_a_late_return_sent_back_keeps_its_lateness_beside_its_status():
    """One tag for a late return; sent back for more, "Returned late" stays beside the
    new status (a review found the lateness lost from the partnership's pages)."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    def tags(**info):
        html = render_to_string("rapid_reviews/_status.html", {"info": SimpleNamespace(**info)})
        return html.count("govuk-tag--"), "Returned late" in html

    returned = {"status": "returned", "returned_late": True, "status_colour": "green"}
    assert tags(**returned, status_label="Returned") == (1, True)
    sent_back = {"status": "more_info", "returned_late": True, "status_colour": "yellow"}
    assert tags(**sent_back, status_label="More information requested") == (2, True)
