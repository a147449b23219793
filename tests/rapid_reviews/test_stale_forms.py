"""Forms opened before a colleague's change are refused, not saved over it: the change
of a request, sending a return back, and a brand-new return (optimistic locking)."""

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapid_reviews.models import AgencyReturn, RequestStatus, StatusChange
from safeguarding.calendar import add_working_days
from safeguarding.models import Role
from tests.factories import member
from tests.utils import date_fields, form_as_shown, sign_in

from .conftest import return_and_submit, return_post

STALE = "This request was changed after you opened this page"


def version_in(html):
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def client_for(user):
    client = Client()
    sign_in(client, user)
    return client


def test_a_change_form_opened_before_a_colleagues_change_is_refused(
    sent_requests, people, partnership
):
    request = sent_requests["police"]
    url = reverse("rapid_reviews:request-change", args=[request.rapid_review_id, request.pk])
    first, second = (
        people["officer"],
        member(Role.REVIEW_OFFICER, partnership, full_name="Officer Two"),
    )
    a, b = client_for(first), client_for(second)
    opened_by_a = version_in(a.get(url).content.decode())
    opened_by_b = version_in(b.get(url).content.decode())
    assert opened_by_a == opened_by_b
    b_due = add_working_days(timezone.localdate(), 8)
    response = b.post(
        url,
        {
            "version": opened_by_b,
            "contact": "DS Patel",
            **date_fields("due_date", b_due),
            "reason": "Agreed with the agency",
        },
    )
    assert response.status_code == 302
    a_due = add_working_days(timezone.localdate(), 4)
    refused = a.post(
        url,
        {
            "version": opened_by_a,
            "contact": "PC Jones",
            **date_fields("due_date", a_due),
            "reason": "Asked by phone",
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 200 and STALE in html and "<title>Error:" in html
    request.refresh_from_db()
    assert (request.contact, request.due_date) == ("DS Patel", b_due)  # b's change stands
    # Reloaded, the form carries the new version and saves.
    fresh = version_in(a.get(url).content.decode())
    assert fresh > opened_by_a
    ok = a.post(
        url,
        {
            "version": fresh,
            "contact": "PC Jones",
            **date_fields("due_date", a_due),
            "reason": "Asked by phone",
        },
    )
    assert ok.status_code == 302
    request.refresh_from_db()
    assert (request.contact, request.due_date) == ("PC Jones", a_due)


def test_a_status_move_makes_an_open_change_form_stale(sent_requests, contributors, people):
    request = sent_requests["health"]
    url = reverse("rapid_reviews:request-change", args=[request.rapid_review_id, request.pk])
    a = client_for(people["officer"])
    opened = version_in(a.get(url).content.decode())
    return_and_submit(request, contributors["health"])  # the agency answers meanwhile
    html = a.post(
        url,
        {
            "version": opened,
            "contact": "x",
            **date_fields("due_date", add_working_days(timezone.localdate(), 1)),
        },
    ).content.decode()
    assert STALE in html
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED and request.contact != "x"


def test_sending_back_twice_from_two_open_forms_sends_back_once(
    sent_requests, contributors, people, partnership
):
    request = sent_requests["health"]
    return_and_submit(request, contributors["health"])
    url = reverse("rapid_reviews:request-send-back", args=[request.rapid_review_id, request.pk])
    a = client_for(people["officer"])
    b = client_for(member(Role.REVIEW_OFFICER, partnership, full_name="Officer Two"))
    opened_by_a = version_in(a.get(url).content.decode())
    opened_by_b = version_in(b.get(url).content.decode())
    due = add_working_days(timezone.localdate(), 3)
    sent = b.post(
        url, {"version": opened_by_b, "note": "The GP letters", **date_fields("due_date", due)}
    )
    assert sent.status_code == 302
    html = a.post(
        url, {"version": opened_by_a, "note": "The school records", **date_fields("due_date", due)}
    ).content.decode()
    assert STALE in html
    request.refresh_from_db()
    assert request.more_information_note == "The GP letters"
    moves = StatusChange.objects.filter(
        information_request=request, to_status=RequestStatus.MORE_INFORMATION
    )
    assert moves.count() == 1


def test_a_new_return_opened_before_a_colleague_saved_one_is_refused(
    sent_requests, contributors, partnership
):
    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    colleague = member(
        Role.AGENCY_CONTRIBUTOR, partnership, agency=request.agency, full_name="Second Contributor"
    )
    a, b = client_for(contributors["police"]), client_for(colleague)
    assert version_in(a.get(url).content.decode()) == 0  # no return yet
    assert version_in(b.get(url).content.decode()) == 0
    saved = b.post(url, return_post(0, "B's account", "B"))
    assert saved.status_code == 302
    refused = a.post(url, return_post(0, "A's account", "A"))
    assert "This return was changed after you opened this page" in refused.content.decode()
    kept = AgencyReturn.objects.get(information_request=request)
    assert kept.involvement_summary == "B's account"
    assert [e.what_happened for e in kept.chronology.all()] == ["B"]


def test_a_return_typed_before_a_timeout_comes_back_to_check_and_save(
    client, sent_requests, contributors
):
    from django.contrib.sessions.models import Session

    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    sign_in(client, contributors["police"])
    client.get(url)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    typed = return_post(0, "A long careful account", "Officers attended at night")
    response = client.post(url, typed)
    assert response.status_code == 302 and reverse("safeguarding:sign-in") in response.url
    assert not AgencyReturn.objects.filter(information_request=request).exists()
    sign_in(client, contributors["police"])
    html = client.get(url).content.decode()
    assert "we kept what you typed" in html
    assert "A long careful account" in html and "Officers attended at night" in html
    assert version_in(html) == 0
    # Shown once, then forgotten; saved from the page, it is the return.
    assert "A long careful account" not in client.get(url).content.decode()
    assert client.post(url, typed).status_code == 302
    saved = AgencyReturn.objects.get(information_request=request)
    assert saved.involvement_summary == "A long careful account"


def test_a_return_saved_again_after_it_was_checked_is_not_submitted_unseen(
    sent_requests, contributors, partnership
):
    from rapid_reviews import services

    from .conftest import rows, values_for_return

    request = sent_requests["police"]
    day = timezone.localdate() - dt.timedelta(days=5)
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(involvement_summary="My account"),
        rows=rows(day),
    )
    url = reverse("rapid_reviews:contributor-submit", args=[request.pk])
    a = client_for(contributors["police"])
    checked = version_in(a.get(url).content.decode())
    colleague = member(
        Role.AGENCY_CONTRIBUTOR, partnership, agency=request.agency, full_name="Second Contributor"
    )
    services.agency_return_save_draft(
        information_request=request,
        actor=colleague,
        values=values_for_return(involvement_summary="The colleague's account"),
        rows=rows(day),
        expected_version=checked,
    )
    refused = a.post(url, {"version": checked})
    html = refused.content.decode()
    assert refused.status_code == 200 and "<title>Error:" in html
    assert "This return was changed after you opened this page" in html
    request.refresh_from_db()
    assert request.status == RequestStatus.SENT
    assert AgencyReturn.objects.get(information_request=request).submitted_at is None
    # The page now shows what will be submitted, and carries its version.
    assert "The colleague&#x27;s account" in html and version_in(html) == checked + 1
    assert a.post(url, {"version": "not a number"}).status_code == 200
    request.refresh_from_db()
    assert request.status == RequestStatus.SENT
    submitted = a.post(url, {"version": version_in(html)})
    assert submitted.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED


def test_after_a_refused_stale_save_the_typing_is_kept_and_saving_again_replaces(
    sent_requests, contributors, partnership
):
    """Refused for being stale, the form keeps what was typed and moves on to the saved
    version: it is never refused for ever, nor lost to a reload. Saving again is a
    knowing choice to replace the colleague's change."""
    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    colleague = member(
        Role.AGENCY_CONTRIBUTOR, partnership, agency=request.agency, full_name="Second Contributor"
    )
    a, b = client_for(contributors["police"]), client_for(colleague)
    assert b.post(url, return_post(0, "B's account", "B")).status_code == 302
    refused = a.post(url, return_post(0, "A's account", "A"))
    html = refused.content.decode()
    assert "This return was changed after you opened this page" in html
    assert "save again to replace the other change" in html
    assert "A&#x27;s account" in html  # the typing is kept
    saved_version = AgencyReturn.objects.get(information_request=request).version
    assert version_in(html) == saved_version
    kept = AgencyReturn.objects.get(information_request=request)
    assert kept.involvement_summary == "B's account"
    again = a.post(url, return_post(version_in(html), "A's account", "A"))
    assert again.status_code == 302
    assert AgencyReturn.objects.get(information_request=request).involvement_summary == (
        "A's account"
    )


def test_the_return_form_removes_rows_and_refuses_long_text_without_cutting_it(
    sent_requests, contributors, people
):
    """A row can be removed with its box; a paste longer than allowed is refused with a
    message and kept whole (no maxlength in the page to cut it short); and a return
    sent back shows what the officer asked for."""
    from rapid_reviews import services

    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    a = client_for(contributors["police"])
    assert a.post(url, return_post(0, "First account", "Keep me")).status_code == 302
    html = a.get(url).content.decode()
    assert "Remove this row" in html and 'name="chronology-0-DELETE"' in html
    assert " maxlength=" not in html  # (GOV.UK's character count's data-maxlength cuts nothing)
    version = version_in(html)
    day = timezone.localdate() - dt.timedelta(days=2)
    two_rows = {
        **return_post(version, "First account", "Keep me"),
        "chronology-TOTAL_FORMS": "2",
        "chronology-INITIAL_FORMS": "1",
        "chronology-1-date_0": day.day,
        "chronology-1-date_1": day.month,
        "chronology-1-date_2": day.year,
        "chronology-1-what_happened": "Remove me",
        "chronology-1-DELETE": "on",
    }
    assert a.post(url, two_rows).status_code == 302
    kept = AgencyReturn.objects.get(information_request=request)
    assert [e.what_happened for e in kept.chronology.all()] == ["Keep me"]
    too_long = "x" * 20001
    refused = a.post(url, {**return_post(kept.version, too_long, "Keep me")})
    text = refused.content.decode()
    assert refused.status_code == 200 and "must be 20,000 characters or fewer" in text
    assert too_long in text
    services.agency_return_submit(information_request=request, actor=contributors["police"])
    services.agency_return_send_back(
        information_request=request,
        actor=people["officer"],
        note="Please add the GP letters",
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )
    assert "Please add the GP letters" in a.get(url).content.decode()


def test_a_future_contact_date_is_shown_at_its_row(sent_requests, contributors):
    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    a = client_for(contributors["police"])
    future = timezone.localdate() + dt.timedelta(days=400)
    posted = {
        **return_post(0, "An account", "Later"),
        "chronology-0-date_0": future.day,
        "chronology-0-date_1": future.month,
        "chronology-0-date_2": future.year,
    }
    response = a.post(url, posted)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    row = response.context["formset"].forms[0]
    assert row.errors["date"] == ["The date of the contact must be today or in the past"]
    # The summary links to the date's Day box (a box takes the focus; the row's
    # fieldset does not).
    assert 'href="#id_chronology-0-date_0"' in html and 'href="#row-1"' not in html
    assert not AgencyReturn.objects.filter(information_request=request).exists()


def test_the_check_page_of_a_submitted_return_says_it_is_in(sent_requests, contributors):
    """Back (or a bookmark) after submitting: the page says the return is in, with no
    submit button and no way to change it (the officer sends it back for more)."""
    request = sent_requests["police"]
    return_and_submit(request, contributors["police"])
    a = client_for(contributors["police"])
    html = a.get(reverse("rapid_reviews:contributor-submit", args=[request.pk])).content.decode()
    assert "This return was submitted on" in html
    assert "Submit the return" not in html and "govuk-summary-list__actions" not in html
    assert "Check your return before you submit it" not in html
    # While awaited, each answer has its own Change link to its field on the form.
    request = sent_requests["health"]
    from rapid_reviews import services as rr_services

    from .conftest import rows, values_for_return

    rr_services.agency_return_save_draft(
        information_request=request,
        actor=contributors["health"],
        values=values_for_return(),
        rows=rows(timezone.localdate() - dt.timedelta(days=20)),
    )
    b = client_for(contributors["health"])
    html = b.get(reverse("rapid_reviews:contributor-submit", args=[request.pk])).content.decode()
    form = reverse("rapid_reviews:contributor-return", args=[request.pk])
    for anchor in ("id_involved_1", "id_involvement_summary", "id_learning", "chronology"):
        assert f'href="{form}#{anchor}"' in html, anchor


def test_a_return_kept_after_a_timeout_comes_back_without_errors(
    client, sent_requests, contributors
):
    """Half typed (a row with no date, no summary): shown as typed, not refused, until
    the button is pressed."""
    from django.contrib.sessions.models import Session

    request = sent_requests["police"]
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    sign_in(client, contributors["police"])
    client.get(url)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    typed = return_post(0, "", "Officers attended at night")
    typed.update({"chronology-0-date_0": "", "chronology-0-date_1": "", "chronology-0-date_2": ""})
    client.post(url, typed)
    sign_in(client, contributors["police"])
    html = client.get(url).content.decode()
    assert "we kept what you typed" in html and "Officers attended at night" in html
    assert "govuk-error-summary" not in html and "govuk-error-message" not in html
    assert html.index("we kept what you typed") < html.index('<h1 class="govuk-heading-l">')
    assert "Enter the date of the contact" in client.post(url, typed).content.decode()


def _summary(html):
    return html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]


def _two_tabs(sent_requests, contributors):
    """The police contributor's draft, and its return form open in two tabs of one
    browser (the same page twice: what each tab would post, left as shown)."""
    from rapid_reviews import services

    from .conftest import rows, values_for_return

    request = sent_requests["police"]
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(analysis="Old analysis", learning="Old learning"),
        rows=rows(timezone.localdate() - dt.timedelta(days=5)),
    )
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    browser = client_for(contributors["police"])
    page = browser.get(url).content.decode()
    return request, url, browser, form_as_shown(page), form_as_shown(page)


def test_a_stale_return_takes_the_other_tabs_change_where_this_one_typed_nothing(
    sent_requests, contributors
):
    """Tab A changes the analysis and saves; tab B, opened before, changes only the
    learning. B is refused (never merged and saved unseen), but its form comes back with
    A's analysis and B's learning, and one error in the summary; saving again keeps
    both changes (the demo walk's defect: B's old analysis overwrote A's)."""
    request, url, browser, tab_a, tab_b = _two_tabs(sent_requests, contributors)
    assert browser.post(url, {**tab_a, "analysis": "A's analysis", "save": "1"}).status_code == 302
    refused = browser.post(url, {**tab_b, "learning": "B's learning", "save": "1"})
    html = refused.content.decode()
    assert refused.status_code == 200 and "<title>Error:" in html
    saved = AgencyReturn.objects.get(information_request=request)
    assert (saved.analysis, saved.learning) == ("A's analysis", "Old learning")
    summary = _summary(html)
    assert summary.count("<li>") == 1
    assert "This return was changed after you opened this page" in summary
    assert 'href="#id_involved_1"' in summary  # none changed by both: the first question
    assert "We have kept your changes and added the other changes" in html
    # The page below is the merge to check, not "the latest version".
    assert "check the answers below and save again" in summary
    assert "check the latest version" not in summary and "also changed by" not in html
    shown = form_as_shown(html)
    assert shown["analysis"] == ["A's analysis"] and shown["learning"] == ["B's learning"]
    assert browser.post(url, {**shown, "save": "1"}).status_code == 302
    saved.refresh_from_db()
    assert (saved.analysis, saved.learning) == ("A's analysis", "B's learning")
    # The page saved again was based on the version it moved on to: a third tab opened
    # before that save is refused and merged against it, not against the first.
    tab_c = form_as_shown(html)
    again = browser.post(url, {**tab_c, "immediate_actions": "C's actions", "save": "1"})
    shown = form_as_shown(again.content.decode())
    assert (shown["analysis"], shown["learning"], shown["immediate_actions"]) == (
        ["A's analysis"],
        ["B's learning"],
        ["C's actions"],
    )
    assert "also changed by" not in again.content.decode()


def test_a_part_both_tabs_changed_is_named_and_keeps_what_this_tab_typed(
    sent_requests, contributors
):
    request, url, browser, tab_a, tab_b = _two_tabs(sent_requests, contributors)
    a = {**tab_a, "analysis": "A's analysis", "criteria_view": ["improvements"], "save": "1"}
    assert browser.post(url, a).status_code == 302
    b = {**tab_b, "analysis": "B's analysis", "learning": "B's learning", "save": "1"}
    html = browser.post(url, b).content.decode()
    summary = _summary(html)
    assert summary.count("<li>") == 1 and 'href="#id_analysis"' in summary
    assert "also changed by someone else or in another tab: ‘Analysis’." in html
    shown = form_as_shown(html)
    assert shown["analysis"] == ["B's analysis"] and shown["learning"] == ["B's learning"]
    assert shown["criteria_view"] == ["improvements"]  # A's, taken where B typed nothing
    saved = AgencyReturn.objects.get(information_request=request)
    assert saved.analysis == "A's analysis"  # refused: nothing of B's saved yet
    assert browser.post(url, {**shown, "save": "1"}).status_code == 302
    saved.refresh_from_db()
    assert (saved.analysis, saved.learning, saved.criteria_view) == (
        "B's analysis",
        "B's learning",
        ["improvements"],
    )


def test_a_tampered_record_of_what_was_opened_keeps_all_the_typing_as_before(
    sent_requests, contributors
):
    """A page whose record of what it opened with is not ours (changed, or from before
    it was kept) cannot tell what was typed from what was shown: everything on it is
    kept, as before, and the page says that saving again replaces the other change."""
    request, url, browser, tab_a, tab_b = _two_tabs(sent_requests, contributors)
    assert tab_b["opened"] and tab_b["opened"] != [""]
    assert browser.post(url, {**tab_a, "analysis": "A's analysis", "save": "1"}).status_code == 302
    for opened in ("not-signed", tab_b["opened"][0] + "x", ""):
        b = {**tab_b, "opened": opened, "learning": "B's learning", "save": "1"}
        response = browser.post(url, b)
        html = response.content.decode()
        assert response.status_code == 200
        assert _summary(html).count("<li>") == 1
        assert "save again to replace the other change" in html
        assert form_as_shown(html)["analysis"] == ["Old analysis"]
    saved = AgencyReturn.objects.get(information_request=request)
    assert saved.analysis == "A's analysis"


def test_the_chronology_left_as_opened_takes_the_other_tabs_rows(sent_requests, contributors):
    """The rows are merged as a whole, as a question is: tab A changes a row and saves;
    tab B, opened before, changes only the learning. B's page comes back with A's row
    (not B's old one, which saving again would have put back unseen: a review found it)."""
    request, url, browser, tab_a, tab_b = _two_tabs(sent_requests, contributors)
    a = {**tab_a, "chronology-0-what_happened": "A's row", "save": "1"}
    assert browser.post(url, a).status_code == 302
    html = browser.post(url, {**tab_b, "learning": "B's learning", "save": "1"}).content.decode()
    assert "We have kept your changes and added the other changes" in html
    assert "also changed by" not in html
    shown = form_as_shown(html)
    assert shown["chronology-0-what_happened"] == ["A's row"]
    assert browser.post(url, {**shown, "save": "1"}).status_code == 302
    saved = AgencyReturn.objects.get(information_request=request)
    assert saved.learning == "B's learning"
    assert [e.what_happened for e in saved.chronology.all()] == ["A's row"]


def test_a_chronology_both_tabs_changed_keeps_this_tabs_rows_and_says_so(
    sent_requests, contributors
):
    request, url, browser, tab_a, tab_b = _two_tabs(sent_requests, contributors)
    a = {**tab_a, "chronology-0-what_happened": "A's row", "save": "1"}
    assert browser.post(url, a).status_code == 302
    b = {**tab_b, "chronology-0-what_happened": "B's row", "save": "1"}
    html = browser.post(url, b).content.decode()
    assert "also changed by someone else or in another tab: ‘Chronology’." in html
    assert form_as_shown(html)["chronology-0-what_happened"] == ["B's row"]
    saved = AgencyReturn.objects.get(information_request=request)
    assert [e.what_happened for e in saved.chronology.all()] == ["A's row"]


SAVED = "Saved by someone else or in another tab:"
SEE = "See what was saved by someone else or in another tab"


def _question(html: str, name: str) -> str:
    """The part of the page that is the question `name` (up to the next question)."""
    rest = html.split(f'id="div_id_{name}"', 1)[1]
    return re.split(r'id="div_id_\w+"', rest, maxsplit=1)[0]


def test_criteria_both_tabs_changed_are_combined_and_what_the_other_saved_is_shown(
    sent_requests, contributors
):
    """Opened with two criteria ticked. Tab A ticks a third and rewrites the analysis;
    tab B, opened before, unticks the first, ticks the fourth and rewrites the analysis
    too. B's page keeps B's analysis, with A's shown at the question (behind a details:
    it may be long), and the criteria combined: A's ticks with B's changes made to them,
    named for B to check. Saving again saves that."""
    from rapid_reviews import services

    from .conftest import rows, values_for_return

    request = sent_requests["police"]
    opened_with = ["improvements", "recurrent_themes"]
    services.agency_return_save_draft(
        information_request=request,
        actor=contributors["police"],
        values=values_for_return(analysis="Old analysis", criteria_view=opened_with),
        rows=rows(timezone.localdate() - dt.timedelta(days=5)),
    )
    url = reverse("rapid_reviews:contributor-return", args=[request.pk])
    browser = client_for(contributors["police"])
    page = browser.get(url).content.decode()
    tab_a, tab_b = form_as_shown(page), form_as_shown(page)
    a = {
        **tab_a,
        "analysis": "A's <analysis>\nover two lines",
        "criteria_view": [*opened_with, "working_together"],
        "save": "1",
    }
    assert browser.post(url, a).status_code == 302
    b = {
        **tab_b,
        "analysis": "B's analysis",
        "criteria_view": ["recurrent_themes", "panel_suggestion"],
        "save": "1",
    }
    refused = browser.post(url, b)
    html = refused.content.decode()
    assert refused.status_code == 200
    summary = _summary(html)  # the summary as it was: one error, at the first named
    assert summary.count("<li>") == 1 and 'href="#id_analysis"' in summary
    shown = form_as_shown(html)
    assert shown["analysis"] == ["B's analysis"]
    assert sorted(shown["criteria_view"]) == [
        "panel_suggestion",
        "recurrent_themes",
        "working_together",
    ]
    assert "also changed by someone else or in another tab: ‘Analysis’. What you typed" in html
    assert (
        "also changed by someone else or in another tab: ‘In your agency’s view, which "
        "criteria for a local review does the case meet?’. Their choices and yours are "
        "combined in them: check them before you save again."
    ) in html
    analysis = _question(html, "analysis")
    assert SEE in analysis and "A&#x27;s &lt;analysis&gt;\nover two lines" in analysis
    assert analysis.index(SEE) < analysis.index("<textarea")
    criteria = _question(html, "criteria_view")
    assert SAVED in criteria
    saved_part = criteria.split(SAVED, 1)[1].split("</ul>", 1)[0]
    assert "two or more agencies working together" in saved_part
    assert "National Panel has suggested" not in saved_part  # B's, not saved
    for untouched in ("involved", "learning", "involvement_summary"):
        assert SAVED not in _question(html, untouched) and SEE not in _question(html, untouched)
    assert browser.post(url, {**shown, "save": "1"}).status_code == 302
    saved = AgencyReturn.objects.get(information_request=request)
    assert saved.analysis == "B's analysis"
    assert sorted(saved.criteria_view) == [
        "panel_suggestion",
        "recurrent_themes",
        "working_together",
    ]
