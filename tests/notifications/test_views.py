"""Incidents through the front door: the journey, validation, scope, query counts."""

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Incident, Nature, Status
from safeguarding.models import AuditEvent
from tests.utils import date_fields, sign_in

pytestmark = pytest.mark.django_db


def test_log_an_incident_step_by_step(client, people, partnership, agency, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sign_in(client, people["officer"])
    aware = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(
        reverse("notifications:new"),
        {
            **date_fields("awareness_date", aware),
            **date_fields("incident_date", aware),
            "incident_place": "Brookfield",
        },
    )
    incident = Incident.objects.get()
    assert response.url == reverse("notifications:step", args=[incident.pk, "nature"])
    # Saved before the journey ends: the draft exists with its clock.
    assert incident.status == Status.DRAFT and incident.notification_due > aware

    url = lambda step: reverse("notifications:step", args=[incident.pk, step])  # noqa: E731
    client.post(
        url("nature"),
        {"nature": "serious_harm", "harm_categories": ["physical"], "version": incident.version},
    )
    incident.refresh_from_db()
    response = client.post(
        url("circumstances"),
        {
            "circumstances": "Infant with fractures.",
            "parallel_processes": ["police"],
            "version": incident.version,
            "later": "",
        },
    )
    assert response.url == incident.get_absolute_url()  # "Save and come back later"
    for name in ("Ava Example", "Ben Example"):
        response = client.post(
            reverse("notifications:child-add", args=[incident.pk]),
            {
                "name": name,
                "pseudonym": "",
                **date_fields("date_of_birth", dt.date(2020, 1, 2)),
                "sex": "female",
                "ethnicity": "white_british",
                "status_at_time": "cp",
                "known_to": [agency.pk],
            },
        )
        assert response.status_code == 302, response.content.decode()
    incident.refresh_from_db()
    # The officer logging it is offered as the one notifying (it can be changed).
    offered = client.get(url("notifier")).content.decode()
    officer = people["officer"]
    assert f'value="{officer.full_name}"' in offered and f'value="{officer.email}"' in offered
    client.post(url("notifier"), {"notifier_name": "Tom Ashworth", "version": incident.version})
    check = client.get(reverse("notifications:check", args=[incident.pk])).content.decode()
    assert "Child A" in check and "Child B" in check and "Midshire Police" in check
    client.post(reverse("notifications:check", args=[incident.pk]))
    incident.refresh_from_db()
    assert incident.status == Status.AWAITING_DECISION

    ready = client.get(reverse("notifications:ready-to-send", args=[incident.pk]))
    assert ready.status_code == 200 and "Ava Example" in ready.content.decode()
    # The next step is one click away.
    record = reverse("notifications:record", args=[incident.pk])
    assert f'href="{record}"' in ready.content.decode()
    response = client.post(
        reverse("notifications:record", args=[incident.pk]),
        {
            **date_fields("sent_date", timezone.localdate()),
            "sent_time": "00:01",
            "dfe_reference": "SIN-555",
        },
    )
    assert response.status_code == 302, response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.NOTIFIED
    ready = client.get(reverse("notifications:ready-to-send", args=[incident.pk]))
    assert f'href="{record}"' not in ready.content.decode()  # recorded: no button
    pdf = client.get(reverse("notifications:pdf", args=[incident.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="download", object_id=str(incident.pk)).exists()


@pytest.mark.parametrize(
    "posted, messages",
    [
        ({}, ["Enter the date the local authority became aware"]),
        (
            {"awareness_date_0": "31", "awareness_date_1": "2", "awareness_date_2": "2026"},
            ["The date the local authority became aware must be a real date"],
        ),
        (
            {"awareness_date_0": "3", "awareness_date_1": "", "awareness_date_2": "2026"},
            ["The date the local authority became aware must include a month"],
        ),
        (
            {"awareness_date_0": "", "awareness_date_1": "", "awareness_date_2": "2026"},
            ["The date the local authority became aware must include a day and month"],
        ),
        (
            {"awareness_date_0": "3", "awareness_date_1": "4", "awareness_date_2": "26"},
            # Which date's year: the page has two dates.
            ["The year of the date the local authority became aware must include 4 numbers"],
        ),
        (
            {"awareness_date_0": "3", "awareness_date_1": "four", "awareness_date_2": "2026"},
            ["The date the local authority became aware must be a real date"],
        ),
        (
            # The year is not the only part wrong: the date is not a real one.
            {"awareness_date_0": "3", "awareness_date_1": "13", "awareness_date_2": "26"},
            ["The date the local authority became aware must be a real date"],
        ),
        (
            {**date_fields("awareness_date", dt.date(2099, 1, 1))},
            ["The date the local authority became aware must be today or in the past"],
        ),
        (
            {
                **date_fields("awareness_date", dt.date(2026, 3, 1)),
                **date_fields("incident_date", dt.date(2026, 3, 5)),
            },
            ["must be the same as or after the date of the incident"],
        ),
    ],
)
def test_validation_messages(client, people, partnership, posted, messages):
    sign_in(client, people["officer"])
    response = client.post(reverse("notifications:new"), posted)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html and "There is a problem" in html
    for message in messages:
        assert message in html
    assert not Incident.objects.exists()


def test_awareness_change_needs_reason_in_the_form(client, people, make_incident):
    incident = make_incident(aware=dt.date(2026, 11, 2), complete=False)
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "dates"])
    posted = {
        **date_fields("awareness_date", dt.date(2026, 11, 3)),
        **date_fields("incident_date", dt.date(2026, 11, 1)),
        "version": incident.version,
    }
    html = client.post(url, posted).content.decode()
    assert "Enter why the date the local authority became aware has changed" in html
    incident.refresh_from_db()
    assert incident.awareness_date == dt.date(2026, 11, 2)
    client.post(url, {**posted, "reason": "Wrong date typed"})
    incident.refresh_from_db()
    assert incident.awareness_date == dt.date(2026, 11, 3)
    assert incident.notification_due == dt.date(2026, 11, 10)
    detail = client.get(incident.get_absolute_url()).content.decode()
    assert "Wrong date typed" in detail and "Why this date?" in detail


def test_both_dates_corrected_at_once_are_checked_against_each_other(client, people, make_incident):
    """Incident 20, aware 23 November, corrected to 10 and 12 November: the new awareness
    date is after the new incident date, so both are saved (it was checked against the
    old incident date and refused)."""
    incident = make_incident(aware=dt.date(2026, 11, 23), complete=False)
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "dates"])
    response = client.post(
        url,
        {
            **date_fields("awareness_date", dt.date(2026, 11, 12)),
            **date_fields("incident_date", dt.date(2026, 11, 10)),
            "reason": "Both dates were typed from the wrong record",
            "version": incident.version,
        },
    )
    assert response.status_code == 302, response.content.decode()
    incident.refresh_from_db()
    assert (incident.incident_date, incident.awareness_date) == (
        dt.date(2026, 11, 10),
        dt.date(2026, 11, 12),
    )
    # Still refused when the new dates disagree with each other.
    html = client.post(
        url,
        {
            **date_fields("awareness_date", dt.date(2026, 11, 11)),
            **date_fields("incident_date", dt.date(2026, 11, 12)),
            "reason": "Typed again",
            "version": incident.version,
        },
    ).content.decode()
    assert "must be the same as or after the date of the incident" in html


def test_stale_form_does_not_overwrite(client, people, make_incident):
    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "notifier"])
    stale = incident.version
    client.post(url, {"notifier_name": "First", "version": stale})
    html = client.post(url, {"notifier_name": "Second", "version": stale}).content.decode()
    # The earlier save was this officer's own (another tab, or the back button): the
    # message must not blame someone else.
    assert "This incident was changed after you opened this page" in html
    assert "in another tab or window" in html and "Someone else" not in html
    incident.refresh_from_db()
    assert incident.notifier_name == "First"


def test_typed_input_survives_a_session_timeout(client, people, make_incident):
    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "circumstances"])
    client.get(url)  # the form, opened signed in
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(url, {"circumstances": "Long careful summary", "version": 1})
    assert response.status_code == 302 and reverse("safeguarding:sign-in") in response.url
    # The sign-in page says why, and that nothing typed was sent.
    sign_in_page = client.get(response.url).content.decode()
    assert 'id="kept-typing"' in sign_in_page and "Nothing you had typed was sent" in sign_in_page
    assert 'id="kept-typing"' not in Client().get(response.url).content.decode()
    sign_in(client, people["officer"])
    html = client.get(url).content.decode()
    assert "we kept what you typed" in html and "Long careful summary" in html
    # Shown once, then forgotten.
    assert "Long careful summary" not in client.get(url).content.decode()


def test_what_is_kept_after_a_timeout_is_one_form_of_bounded_size_and_soon_forgotten(
    client, people, make_incident
):
    from safeguarding.drafts import KEY, MAX_KEPT_CHARACTERS

    incident = make_incident()
    step = reverse("notifications:step", args=[incident.pk, "circumstances"])
    remove = reverse("notifications:child-remove", args=[incident.pk, incident.children.first().pk])
    sign_in(client, people["officer"])
    client.get(step)  # opened signed in: this browser's typist is the officer
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    client.post(remove, {"version": 1})  # not signed in
    client.post(step, {"circumstances": "Long careful summary", "version": 1})
    kept = [k for k in client.session.keys() if k.startswith(KEY)]
    assert kept == [KEY + step]  # one form only: the last
    client.post(step, {"circumstances": "x" * (MAX_KEPT_CHARACTERS + 1), "version": 1})
    assert not [k for k in client.session.keys() if k.startswith(KEY)]  # too big to keep

    client.post(step, {"circumstances": "Long careful summary", "version": 1})
    sign_in(client, people["officer"])
    client.get(incident.get_absolute_url())  # another case page first: not taken back
    assert not [k for k in client.session.keys() if k.startswith(KEY)]
    assert "Long careful summary" not in client.get(step).content.decode()


def test_typing_kept_after_a_timeout_goes_back_only_to_whoever_typed_it(
    client, people, make_incident
):
    """A shared computer: the officer times out with typing kept; the manager signs in
    next, in the same browser, and must neither see it nor save it as theirs."""
    from safeguarding.drafts import KEY

    incident = make_incident(complete=False)
    url = reverse("notifications:step", args=[incident.pk, "circumstances"])
    sign_in(client, people["officer"])
    client.get(url)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    client.post(url, {"circumstances": "The officer's careful summary", "version": 1})
    assert [k for k in client.session.keys() if k.startswith(KEY)] == [KEY + url]
    sign_in(client, people["manager"])
    html = client.get(url).content.decode()
    assert "The officer's careful summary" not in html and "we kept what you typed" not in html
    assert not [k for k in client.session.keys() if k.startswith(KEY)]  # dropped
    # A post with no typist known (no signed case page in this browser) is not kept.
    stranger = Client()
    stranger.post(url, {"circumstances": "Anything", "version": 1})
    assert not [k for k in stranger.session.keys() if k.startswith(KEY)]


def test_day_counter_and_why_this_date(client, people, make_incident):
    incident = make_incident(aware=dt.date(2026, 11, 2))  # due 9 November: overdue now
    sign_in(client, people["officer"])
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "9 November 2026" in html
    assert "working days overdue" in html
    assert "Saturday 7 November 2026 (weekend)" in html


def _urls(incident, child):
    return [
        reverse("notifications:detail", args=[incident.pk]),
        reverse("notifications:step", args=[incident.pk, "nature"]),
        reverse("notifications:children", args=[incident.pk]),
        reverse("notifications:child-add", args=[incident.pk]),
        reverse("notifications:child-edit", args=[incident.pk, child.pk]),
        reverse("notifications:child-remove", args=[incident.pk, child.pk]),
        reverse("notifications:check", args=[incident.pk]),
        reverse("notifications:record", args=[incident.pk]),
        reverse("notifications:not-notifying", args=[incident.pk]),
        reverse("notifications:reconsider", args=[incident.pk]),
        reverse("notifications:ready-to-send", args=[incident.pk]),
        reverse("notifications:pdf", args=[incident.pk]),
        reverse("notifications:attachments", args=[incident.pk]),
    ]


def test_other_partnerships_get_404_on_every_incident_url(client, people, make_incident):
    incident = make_incident()
    child = incident.children.get()
    for who in ("other_manager", "other_officer"):
        sign_in(client, people[who])
        for url in _urls(incident, child):
            assert client.get(url).status_code == 404, (who, url)
            assert client.post(url, {}).status_code in (404, 405), (who, url)
        listing = client.get(reverse("notifications:list")).content.decode()
        assert incident.reference not in listing
    incident.refresh_from_db()
    assert incident.children.count() == 1


@pytest.mark.parametrize("who", ["agency", "reviewer", "regional"])
def test_other_roles_get_403(client, people, make_incident, who):
    incident = make_incident()
    child = incident.children.get()
    sign_in(client, people[who])
    for url in [
        reverse("notifications:list"),
        reverse("notifications:new"),
        *_urls(incident, child),
    ]:
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(client, make_incident):
    incident = make_incident()
    for url in _urls(incident, incident.children.get()):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response.url


def test_list_filters_search_and_sort(client, people, make_incident):
    late = make_incident(aware=dt.date(2026, 11, 2))
    fresh = make_incident(aware=timezone.localdate())
    sign_in(client, people["manager"])
    url = reverse("notifications:list")

    def refs(**params):
        html = client.get(url, params).content.decode()
        return [r for r in (late.reference, fresh.reference) if r in html]

    assert refs() == [late.reference, fresh.reference]
    assert refs(due="overdue") == [late.reference]
    assert refs(q=late.reference) == [late.reference]
    assert refs(q="child a") == [late.reference, fresh.reference]
    assert refs(status="notified") == []
    html = client.get(url, {"sort": "-due"}).content.decode()
    assert html.index(fresh.reference) < html.index(late.reference)
    bad = client.get(url, {"year": "twenty"}).content.decode()
    assert "Enter a year, like 2026" in bad


def test_the_search_hint_gives_a_reference_of_the_users_own_partnership(
    client, people, partnership, other_partnership, make_incident
):
    """The search box's example is a reference of this year in the user's partnership, not
    the demo's; a business unit member of several partnerships is given the first by code.
    The entered-in-error reason's hint names no partnership's reference."""
    from safeguarding.models import Membership, Role

    year = timezone.localdate().year
    url = reverse("notifications:list")
    sign_in(client, people["other_manager"])
    html = client.get(url).content.decode()
    assert f"For example {other_partnership.code}-{year}-014 or Child A" in html
    assert partnership.code not in html
    sign_in(client, people["manager"])
    assert f"For example {partnership.code}-{year}-014 or" in client.get(url).content.decode()
    both = people["other_officer"]
    Membership.objects.create(user=both, partnership=partnership, role=Role.REVIEW_OFFICER)
    sign_in(client, both)
    first = min(partnership.code, other_partnership.code)
    assert f"For example {first}-{year}-014 or" in client.get(url).content.decode()
    incident = make_incident()
    sign_in(client, people["manager"])
    page = client.get(reverse("notifications:enter-in-error", args=[incident.pk]))
    assert "BSCP-2026-014" not in page.content.decode().replace(incident.reference, "")
    assert "it duplicates another incident (give its reference)" in page.content.decode()


def test_the_nature_filter_is_in_short_words_and_the_list_in_full(client, people, make_incident):
    """The nature filter's choice is shown whole in the filter panel (ADR 0008): its
    options are the shortest words that tell the natures apart; the list keeps the full
    wording, and the question's hint what "looked-after child's death" leaves out."""
    death = make_incident(nature=Nature.LOOKED_AFTER_DEATH)
    harm = make_incident()
    sign_in(client, people["manager"])
    response = client.get(reverse("notifications:list"), {"nature": Nature.LOOKED_AFTER_DEATH})
    html = response.content.decode()
    # Each short name is the start of the full one (a walk found "Care leaver’s death" in
    # the filter beside "Death of a care leaver aged up to 24" in the table).
    assert '<option value="lac_death" selected>Death of a looked-after child</option>' in html
    assert '<option value="care_leaver_death">Death of a care leaver</option>' in html
    for nature in Nature:
        option = re.search(rf'<option value="{nature.value}"[^>]*>([^<]*)</option>', html)[1]
        assert str(nature.label).startswith(option), (option, nature.label)
    assert (
        "‘Death of a looked-after child’ means one where abuse or neglect is not suspected" in html
    )
    table = html.split("<table", 1)[1]
    assert str(Nature.LOOKED_AFTER_DEATH.label) in table
    assert death.reference in table and harm.reference not in table


def test_pages_run_a_fixed_number_of_queries(
    client, people, make_incident, django_assert_max_num_queries
):
    incidents = [make_incident(children=2) for _ in range(30)]
    sign_in(client, people["manager"])
    client.get(reverse("notifications:list"))
    # Session, user, second factor, roles, count, the page of 25, their children.
    with django_assert_max_num_queries(7):
        html = client.get(reverse("notifications:list")).content.decode()
    assert incidents[-1].reference in html
    assert incidents[-1].children.first().pseudonym in html
    with django_assert_max_num_queries(20):
        assert client.get(incidents[0].get_absolute_url()).status_code == 200


def test_each_row_links_to_its_incident_and_shows_its_children(client, people, make_incident):
    incidents = [make_incident(children=2) for _ in range(3)]
    sign_in(client, people["manager"])
    html = client.get(reverse("notifications:list")).content.decode()
    for incident in incidents:
        link = (
            f'<a class="govuk-link" href="{incident.get_absolute_url()}">{incident.reference}</a>'
        )
        assert link in html
        names = ", ".join(
            incident.children.order_by("position", "id").values_list("pseudonym", flat=True)
        )
        assert f'<td class="govuk-table__cell">{names}</td>' in html


def test_row_links_follow_the_script_prefix(make_incident):
    from django.urls import get_script_prefix, set_script_prefix

    from notifications.views.reading import list_rows

    incident = make_incident()
    row = (
        incident.pk,
        incident.reference,
        incident.nature,
        incident.status,
        incident.notification_due,
        incident.notified_on,
    )
    before = get_script_prefix()
    set_script_prefix("/safeguarding/")
    try:
        (shown,) = list_rows([row], timezone.localdate())
        assert shown["url"] == incident.get_absolute_url()
        assert shown["url"].startswith("/safeguarding/incidents/")
    finally:
        set_script_prefix(before)


def test_viewing_an_incident_is_audited(client, people, make_incident):
    incident = make_incident()
    sign_in(client, people["manager"])
    client.get(incident.get_absolute_url())
    assert (
        AuditEvent.objects.filter(
            action="view", actor=people["manager"], object_id=str(incident.pk)
        ).count()
        == 1
    )


def test_manager_can_decide_not_to_notify_officer_cannot(client, people, make_incident):
    incident = make_incident()
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    url = reverse("notifications:not-notifying", args=[incident.pk])
    sign_in(client, people["officer"])
    assert client.get(url).status_code == 403
    sign_in(client, people["manager"])
    response = client.post(
        url,
        {
            **date_fields("decided_on", timezone.localdate()),
            "rationale": "Accident",
            "agreed_by": "All three partners",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.NOT_NOTIFIED


def test_regional_viewer_sees_suppressed_counts_only(client, people, make_incident):
    incidents = [make_incident() for _ in range(2)]
    sign_in(client, people["regional"])
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert "fewer than 5" in html
    for incident in incidents:
        assert incident.reference not in html
    assert "Child A" not in html and "Child Name" not in html


def test_officer_home_lists_what_is_due(client, people, make_incident):
    incident = make_incident(aware=dt.date(2026, 11, 2))
    sign_in(client, people["officer"])
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert f"Notify the National Panel: {incident.reference}" in html
    assert "working days overdue" in html


def test_nothing_shown_to_a_signed_in_person_is_cached(client, people, make_incident):
    """Case pages and documents are `private, no-store`: not kept on a shared computer,
    nor shown again by the Back button after signing out. Public pages are not."""
    incident = make_incident()
    public = client.get("/learning-from-reviews/")
    assert "no-store" not in public.get("Cache-Control", "")
    sign_in(client, people["officer"])
    for url in (incident.get_absolute_url(), reverse("notifications:list"), "/reminders/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", ")), url


def test_the_history_names_status_moves_in_words(client, people, make_incident):
    from notifications import services

    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    sign_in(client, people["officer"])
    html = client.get(incident.get_absolute_url()).content.decode()
    history = html.split(">History<", 1)[1]
    assert "(draft → awaiting decision)" in history, history[:1500]
    assert "created" in history and "(draft)" in history, history[:1500]
    assert "new →" not in html
    assert "awaiting_decision" not in html.split("History", 1)[1]


def test_a_notification_is_about_a_child_and_a_care_leavers_death_up_to_24(
    client, people, make_incident
):
    from notifications.models import Nature

    incident = make_incident(complete=False, children=0)
    on = incident.incident_date or incident.awareness_date
    url = reverse("notifications:child-add", args=[incident.pk])
    sign_in(client, people["officer"])

    def add(**fields):
        base = {"name": "Sam Example", "pseudonym": "", "sex": "male"}
        base.update(ethnicity="white_british", status_at_time="cin")
        return client.post(url, {**base, **fields})

    def born_years_ago(years):
        from dateutil.relativedelta import relativedelta

        return date_fields("date_of_birth", on - relativedelta(years=years))

    adult = add(age_years="22").content.decode()
    assert f"The child is 22 on {on:%-d %B %Y}" in adult and "17 or younger" in adult
    assert "The child is 18" in add(**born_years_ago(18)).content.decode()
    # However big the age, the limit named is this nature's (not the form's 24 as well).
    absurd = add(age_years="200").content.decode()
    assert "17 or younger" in absurd and "24 or less" not in absurd
    mismatch = add(age_years="3", **born_years_ago(10)).content.decode()
    assert "The age does not match the date of birth, which gives 10" in mismatch
    # Born after the day ages are counted on: not yet born then, so "unborn".
    after = add(**date_fields("date_of_birth", on + dt.timedelta(days=2))).content.decode()
    assert "The date of birth must be on or before the date" in after
    assert f"({on:%-d %B %Y}). If the child was not yet born, tick" in after
    assert not incident.children.exists()
    assert add(**born_years_ago(17)).status_code == 302
    # A care leaver's death: up to and including 24.
    services.incident_update(
        incident=incident, actor=people["officer"], changes={"nature": Nature.CARE_LEAVER_DEATH}
    )
    assert add(age_years="24").status_code == 302
    too_old = add(age_years="25").content.decode()
    assert (
        f"The child is 25 on {on:%-d %B %Y}: a care leaver in this notification must be 24 "
        "or younger"
    ) in too_old
    # Changed back to serious harm, the 24-year-old stops it going for a decision.
    services.incident_update(
        incident=incident, actor=people["officer"], changes={"nature": Nature.SERIOUS_HARM}
    )
    incident.refresh_from_db()
    missing = services.missing_for_decision(incident)
    assert any("is 24 on" in m and "17 or younger" in m for m in missing)


def test_every_page_showing_a_childs_details_is_audited(client, people, make_incident):
    """Reading a case is audited on every page that shows it, not only its main page."""
    incident = make_incident()
    child = incident.children.get()
    sign_in(client, people["officer"])
    for url, page in [
        (reverse("notifications:children", args=[incident.pk]), "children"),
        (reverse("notifications:child-edit", args=[incident.pk, child.pk]), "child"),
        (reverse("notifications:check", args=[incident.pk]), "check"),
        (reverse("notifications:attachments", args=[incident.pk]), "attachments"),
    ]:
        before = AuditEvent.objects.filter(action="view").count()
        assert client.get(url).status_code == 200, url
        (event,) = AuditEvent.objects.filter(action="view").order_by("-id")[:1]
        assert AuditEvent.objects.filter(action="view").count() == before + 1, url
        assert event.changes == {"page": page} and event.partnership == incident.partnership
        assert event.actor == people["officer"]


def test_a_notification_date_before_awareness_is_shown_at_the_date(client, people, make_incident):
    """The service's error is shown at the date boxes too (not only in the summary), and
    a date that is wrong is not also asked to explain lateness."""
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    sign_in(client, people["officer"])
    url = reverse("notifications:record", args=[incident.pk])
    before = incident.awareness_date - dt.timedelta(days=30)
    response = client.post(
        url, {**date_fields("sent_date", before), "sent_time": "09:15", "dfe_reference": "R"}
    )
    errors = response.context["form"].errors
    assert "must be the same as or after the date the local authority became aware" in str(
        errors["sent_date"]
    )
    future = timezone.localdate() + dt.timedelta(days=40)
    response = client.post(
        url, {**date_fields("sent_date", future), "sent_time": "09:15", "dfe_reference": "R"}
    )
    errors = response.context["form"].errors
    assert "must be today or in the past" in str(errors["sent_date"])
    assert "late_reason" not in errors


@pytest.mark.parametrize(
    "parts, flagged",
    [
        (("3", "", "2026"), [1]),  # the missing month, not the day
        (("", "", "2026"), [0, 1]),
        (("3", "4", "26"), [2]),
        (("31", "2", "2026"), [0]),
        (("3", "13", "2026"), [1]),
        ((" ", "", ""), [0, 1, 2]),  # nothing typed: the whole date, as GOV.UK marks it
        # Every wrong part at once, not one a try (a walk typed "abc 13 26": only the day
        # was marked, then the month, then the year).
        (("abc", "13", "26"), [0, 1, 2]),
        (("3", "13", "26"), [1, 2]),
        (("32", "4", "2026"), [0]),
        (("x", "4", "20266"), [0, 2]),
    ],
)
def test_a_date_error_marks_the_boxes_it_is_about(parts, flagged):
    from django.core.exceptions import ValidationError

    from safeguarding.form_fields import GDSDateField

    field = GDSDateField(what="the date")
    with pytest.raises(ValidationError):
        field.clean(list(parts))
    marked = [i for i, sub in enumerate(field.fields) if sub.widget.errors]
    assert marked == flagged


def test_an_unborn_child_needs_no_name_typed(client, people, make_incident):
    incident = make_incident(complete=False, children=0)
    sign_in(client, people["officer"])
    url = reverse("notifications:child-add", args=[incident.pk])
    base = {"pseudonym": "", "sex": "not_known", "ethnicity": "not_known", "status_at_time": "cin"}
    missing = client.post(url, {**base, "name": ""}).content.decode()
    assert "Enter the child’s full name, or tick ‘The child was unborn’" in missing
    response = client.post(url, {**base, "name": "", "unborn": "on"})
    assert response.status_code == 302, response.content.decode()
    assert incident.children.get().name == "Unborn"


def _child_post(incident, **values):
    post = {
        "pseudonym": "",
        "name": "Ruby Example",
        "sex": "not_known",
        "ethnicity": "not_known",
        "status_at_time": "cin",
        "age_years": "6",
        "version": incident.version,
    }
    post.update(values)
    return post


def test_a_second_save_from_a_stale_page_neither_adds_twice_nor_overwrites(
    client, people, make_incident
):
    """Two tabs, the back button or a second click: the second save is refused with what
    was typed kept, not a second child or a lost change."""
    incident = make_incident(complete=False, children=0)
    sign_in(client, people["officer"])
    add = reverse("notifications:child-add", args=[incident.pk])
    opened = _child_post(incident, pseudonym="Child A")
    assert client.post(add, opened).status_code == 302
    again = client.post(add, opened)
    html = again.content.decode()
    assert again.status_code == 200 and "changed after you opened this page" in html
    assert "Ruby Example" in html
    assert incident.children.count() == 1

    child = incident.children.get()
    incident.refresh_from_db()
    edit = reverse("notifications:child-edit", args=[incident.pk, child.pk])
    tab_a = _child_post(incident, pseudonym="Child A", name="Ruby Changed")
    tab_b = _child_post(incident, pseudonym="Child A", health="Asthma")
    assert client.post(edit, tab_a).status_code == 302
    stale = client.post(edit, tab_b)
    assert stale.status_code == 200 and "changed after you opened this page" in (
        stale.content.decode()
    )
    child.refresh_from_db()
    assert (child.name, child.health) == ("Ruby Changed", "")


def test_a_pseudonym_used_already_is_refused_ignoring_case(client, people, make_incident):
    incident = make_incident(complete=False, children=0)
    sign_in(client, people["officer"])
    add = reverse("notifications:child-add", args=[incident.pk])
    assert client.post(add, _child_post(incident, pseudonym="Child A")).status_code == 302
    incident.refresh_from_db()
    response = client.post(add, _child_post(incident, pseudonym="child a", name="Other"))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "‘child a’ is already used for another child in this incident" in html
    assert "such as ‘Child B’" in html
    assert incident.children.count() == 1


def test_a_date_with_two_boxes_missing_is_listed_once_in_the_summary(client, people, make_incident):
    incident = make_incident(complete=False, children=0)
    sign_in(client, people["officer"])
    add = reverse("notifications:child-add", args=[incident.pk])
    post = _child_post(incident, age_years="", date_of_birth_2="2019")
    html = client.post(add, post).content.decode()
    summary = html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    message = "must include a day and month"
    assert summary.count(message) == 1
    assert 'href="#id_date_of_birth_0"' in summary
    # Both boxes are still marked.
    assert html.count("govuk-input--error") >= 2


@pytest.mark.parametrize("version", ["abc", "1.5", "1e3"])
def test_a_damaged_hidden_version_is_said_in_the_summary(client, people, make_incident, version):
    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "notifier"])
    response = client.post(url, {"notifier_name": "Tom", "version": version})
    html = response.content.decode()
    summary = html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert response.status_code == 200
    assert "open the page again and re-enter your changes" in summary


def test_a_time_later_today_is_refused(client, people, make_incident):
    incident = make_incident()
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    sign_in(client, people["officer"])
    # Half an hour from now (just after 23:30 that is tomorrow: the date's own check).
    later = timezone.localtime() + dt.timedelta(minutes=30)
    html = client.post(
        reverse("notifications:record", args=[incident.pk]),
        {
            **date_fields("sent_date", later.date()),
            "sent_time": f"{later:%H:%M}",
            "dfe_reference": "SIN-9",
        },
    ).content.decode()
    assert (
        "The time the notification was sent must not be in the future" in html
        if later.date() == timezone.localdate()
        else "must be today or in the past" in html
    )
    incident.refresh_from_db()
    assert incident.notified_on is None


def test_a_correction_that_changes_nothing_says_so(client, people, make_incident):
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    sent = timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
    sent = sent.replace(hour=0, minute=1)
    incident = services.incident_record_notification(
        incident=incident,
        actor=people["officer"],
        notified_at=sent,
        dfe_reference="SIN-1",
        late_reason="Late.",
    )
    sign_in(client, people["officer"])
    url = reverse("notifications:correct-notification", args=[incident.pk])
    response = client.post(
        url,
        {
            **date_fields("sent_date", sent.date()),
            "sent_time": "00:01",
            "reason": "Checking",
            "version": incident.version,
        },
        follow=True,
    )
    assert "Nothing was changed: that is the date and time recorded." in response.content.decode()


def test_details_can_be_corrected_until_the_decision_is_recorded(client, people, make_incident):
    """The check page promises it; the incident page offers the Change links."""
    incident = make_incident()
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    sign_in(client, people["officer"])
    step = reverse("notifications:step", args=[incident.pk, "nature"])
    # The Change link comes back to the incident's page once the answer is saved.
    assert f'href="{step}?from=detail"' in client.get(incident.get_absolute_url()).content.decode()
    assert client.get(step).status_code == 200
    services.incident_record_notification(
        incident=incident, actor=people["officer"], notified_at=timezone.now(), dfe_reference="R"
    )
    assert f'href="{step}' not in client.get(incident.get_absolute_url()).content.decode()
    assert client.get(step).status_code == 302


def test_a_decided_incidents_children_are_shown_as_recorded_with_nothing_to_refuse(
    client, people, make_incident, settings, tmp_path
):
    """A walk followed a child's name from the History of a notified case: the page
    offered Change, Add another child and Continue, and refused the form once filled in."""
    settings.MEDIA_ROOT = tmp_path
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    services.incident_record_notification(
        incident=incident, actor=people["officer"], notified_at=timezone.now(), dfe_reference="R"
    )
    child = incident.children.first()
    sign_in(client, people["officer"])
    children = reverse("notifications:children", args=[incident.pk])
    html = client.get(children).content.decode()
    assert "its children can no longer change" in html and child.pseudonym in html
    add = reverse("notifications:child-add", args=[incident.pk])
    edit = reverse("notifications:child-edit", args=[incident.pk, child.pk])
    assert f'href="{add}"' not in html and f'href="{edit}"' not in html
    assert ">Continue<" not in html
    assert f'href="{incident.get_absolute_url()}">Back to {incident.reference}</a>' in html
    remove = reverse("notifications:child-remove", args=[incident.pk, child.pk])
    for url in (add, edit, remove):  # an old link: to the children as recorded, saying why
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(children, 302)]
        assert "decision is recorded, so it can no longer change" in response.content.decode()


def test_the_empty_children_page_lets_the_officer_come_back_later(client, people, make_incident):
    incident = make_incident(complete=False, children=0)
    sign_in(client, people["officer"])
    html = client.get(reverse("notifications:children", args=[incident.pk])).content.decode()
    assert "No children added yet." in html
    assert f'href="{incident.get_absolute_url()}">Come back to the children later</a>' in html


def test_a_change_from_check_your_answers_goes_back_there(client, people, make_incident):
    """GOV.UK's pattern: "Change" on the check page (or the incident's page) opens the
    step, and saving it returns there, not on through every later step."""
    incident = make_incident()
    sign_in(client, people["officer"])
    check = reverse("notifications:check", args=[incident.pk])
    step = reverse("notifications:step", args=[incident.pk, "nature"])
    assert f'href="{step}?from=check"' in client.get(check).content.decode()
    page = client.get(f"{step}?from=check").content.decode()
    assert f'href="{check}" class="govuk-back-link"' in page
    response = client.post(
        f"{step}?from=check",
        {"nature": "death", "harm_categories": ["neglect"], "version": incident.version},
    )
    assert (response.status_code, response.url) == (302, check)
    incident.refresh_from_db()
    assert incident.nature == "death"
    detail = incident.get_absolute_url()
    response = client.post(
        f"{step}?from=detail",
        {"nature": "serious_harm", "harm_categories": ["neglect"], "version": incident.version},
    )
    assert (response.status_code, response.url) == (302, detail)
    # Without it, on to the next step as before; an unknown "from" is ignored.
    response = client.post(
        f"{step}?from=https://elsewhere.example/",
        {"nature": "death", "harm_categories": ["neglect"], "version": incident.version + 1},
    )
    assert response.url == reverse("notifications:step", args=[incident.pk, "circumstances"])


def test_a_notified_incidents_awareness_date_is_corrected_from_its_page(
    client, people, make_incident
):
    officer = people["officer"]
    incident = make_incident(aware=timezone.localdate() - dt.timedelta(days=1))
    services.incident_submit_for_decision(incident=incident, actor=officer)
    services.incident_record_notification(
        incident=incident, actor=officer, notified_at=timezone.now(), dfe_reference="SIN-9"
    )
    incident.refresh_from_db()
    sign_in(client, officer)
    correct = reverse("notifications:correct-awareness", args=[incident.pk])
    assert f'href="{correct}"' in client.get(incident.get_absolute_url()).content.decode()
    response = client.post(
        correct,
        {
            **date_fields("awareness_date", incident.incident_date),
            "reason": "",
            "version": incident.version,
        },
    )
    assert "Enter why the date the local authority became aware is being corrected" in (
        response.content.decode()
    )
    response = client.post(
        correct,
        {
            **date_fields("awareness_date", incident.incident_date),
            "reason": "Typed wrongly",
            "version": incident.version,
        },
        follow=True,
    )
    assert "The date the local authority became aware is corrected." in response.content.decode()
    incident.refresh_from_db()
    assert incident.awareness_date == incident.incident_date


def test_an_officer_is_told_who_records_a_decision_not_to_notify(client, people, make_incident):
    incident = make_incident()
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    not_notifying = reverse("notifications:not-notifying", args=[incident.pk])
    sign_in(client, people["officer"])
    html = client.get(incident.get_absolute_url()).content.decode()
    assert 'id="not-notifying-hint"' in html and not_notifying not in html
    sign_in(client, people["manager"])
    html = client.get(incident.get_absolute_url()).content.decode()
    assert 'id="not-notifying-hint"' not in html and not_notifying in html


def test_a_reconsidered_decision_shows_its_clock_running_again(client, people, make_incident):
    """Reconsidering a decision not to notify keeps the earlier decision's date for the
    record, but the clock runs again: the page says how late it is, not "Clock stopped"."""
    incident = make_incident(aware=dt.date(2026, 11, 2))  # due 9 November: overdue now
    services.incident_submit_for_decision(incident=incident, actor=people["officer"])
    incident = services.incident_decide_not_to_notify(
        incident=incident,
        actor=people["manager"],
        rationale="Accidental injury",
        agreed_by="All three partners",
        decided_on=dt.date(2026, 11, 4),
    )
    sign_in(client, people["officer"])
    assert "Clock stopped" in client.get(incident.get_absolute_url()).content.decode()
    services.incident_reconsider(incident=incident, actor=people["manager"], note="New facts")
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "Clock stopped" not in html
    assert "working days overdue" in html


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:05", dt.time(14, 5)),
        ("2:05pm", dt.time(14, 5)),
        ("2:05 PM", dt.time(14, 5)),
        ("10.42am", dt.time(10, 42)),
        ("9am", dt.time(9, 0)),
        ("12:30am", dt.time(0, 30)),
        ("12pm", dt.time(12, 0)),
    ],
)
def test_the_time_sent_is_read_the_way_people_type_it(typed, expected):
    """The service writes "2:05pm" (GOV.UK style), so it reads it as well as 14:05."""
    from notifications.forms import SentAtForm

    assert SentAtForm.base_fields["sent_time"].clean(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "13pm", "2:65pm", "noonish"])
def test_a_time_that_is_not_one_says_how_to_write_it(typed):
    from django.core.exceptions import ValidationError

    from notifications.forms import SentAtForm

    with pytest.raises(ValidationError, match="like 2:05pm or 14:05"):
        SentAtForm.base_fields["sent_time"].clean(typed)


def test_the_record_page_says_is_due_until_the_due_date_has_passed(client, people, make_incident):
    """ "It was due by" only once the day has gone: on the due date and before, "It is due
    by"."""
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    sign_in(client, people["officer"])
    url = reverse("notifications:record", args=[incident.pk])
    today = timezone.localdate()
    for due, said in (
        (today + dt.timedelta(days=3), "It is due by"),
        (today, "It is due by"),
        (today - dt.timedelta(days=1), "It was due by"),
    ):
        Incident.objects.filter(pk=incident.pk).update(notification_due=due)
        html = client.get(url).content.decode()
        assert f"{said} {due:%-d %B %Y}." in html, (due, said)


def test_the_history_says_what_each_change_was(client, people, make_incident):
    """A child added reads as that, by pseudonym (never the name); an update names the
    fields it changed, as the audit trail's page reads them; none of it costs a query a
    line."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.notifications.conftest import child_values

    officer = people["officer"]
    incident = make_incident()
    sign_in(client, officer)

    def history():
        with CaptureQueriesContext(connection) as queries:
            html = client.get(incident.get_absolute_url()).content.decode()
        history = html.split(">History<", 1)[1].split("</ol>", 1)[0]
        # What the page shows: a child's link (test_history_links) without its markup
        # and the case reference it carries for screen readers only.
        history = re.sub(r'<span class="govuk-visually-hidden">[^<]*</span>', "", history)
        return re.sub(r"</?a\b[^>]*>", "", history), len(queries)

    history()  # the first visit fills what is cached across pages
    _, queries_before = history()
    child = incident.children.get()
    services.child_save(
        incident=incident,
        actor=officer,
        child=child,
        values=child_values(name="Child Name 0", pseudonym=child.pseudonym, sex="male"),
    )
    services.incident_update(
        incident=incident,
        actor=officer,
        changes={"incident_place": "The park", "other_children_in_household": "A brother"},
    )
    services.child_save(
        incident=incident, actor=officer, values=child_values(name="Second Name", pseudonym="")
    )
    services.child_remove(child=incident.children.get(pseudonym="Child B"), actor=officer)
    text, queries_after = history()
    lines = [" ".join(line.split()) for line in text.split("</li>")]
    said = [line.split(": ", 1)[1] for line in lines if ": " in line]
    assert "added a child: Child A" in said, said
    assert "added a child: Child B" in said and "removed a child: Child B" in said, said
    assert "updated Child A’s details: sex" in said, said
    assert "updated nature, harm categories, summary of circumstances and notifier name" in said, (
        said
    )
    assert "updated where the incident happened and other children in household" in said, said
    assert incident.reference not in text and "Child Name" not in text and "Second" not in text
    assert "updated" not in [line.strip() for line in said]
    assert queries_after == queries_before


def test_an_over_long_local_authority_is_named_shortly(client, people, make_incident):
    incident = make_incident()
    sign_in(client, people["officer"])
    response = client.post(
        reverse("notifications:step", args=[incident.pk, "circumstances"]),
        {
            "circumstances": "A summary.",
            "other_local_authority": "x" * 201,
            "version": incident.version,
        },
    )
    html = response.content.decode()
    assert "The local authority must be 200 characters or fewer" in html
    assert "if not this one must be" not in html


def test_a_stale_step_takes_the_other_tabs_change_where_this_one_typed_nothing(
    client, people, make_incident
):
    """The same three-way merge on a step of the incident journey: tab A ticks a
    parallel process and saves; tab B, opened before, changes only the summary. B is
    refused, comes back with A's ticks and B's summary, and saving again keeps both."""
    from tests.utils import form_as_shown

    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "circumstances"])
    page = client.get(url).content.decode()
    tab_a, tab_b = form_as_shown(page), form_as_shown(page)
    a = {**tab_a, "parallel_processes": ["police", "inquest"], "circumstances": "Summary."}
    assert client.post(url, {**a, "later": ""}).status_code == 302
    b = {**tab_b, "circumstances": "Summary.", "other_children_in_household": "One, aged 4."}
    refused = client.post(url, {**b, "later": ""})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "This incident was changed after you opened this page" in html
    assert "We have kept your changes and added the other changes" in html
    shown = form_as_shown(html)
    assert sorted(shown["parallel_processes"]) == ["inquest", "police"]
    assert shown["other_children_in_household"] == ["One, aged 4."]
    # Both typed the same summary: not a change to choose between.
    assert "also changed by" not in html
    assert client.post(url, {**shown, "later": ""}).status_code == 302
    incident.refresh_from_db()
    assert sorted(incident.parallel_processes) == ["inquest", "police"]
    assert incident.other_children_in_household == "One, aged 4."


def test_the_record_page_says_on_opening_that_the_notification_is_recorded(
    client, people, make_incident, settings, tmp_path
):
    """Opened again once recorded (the back button, an old link), the page says the step
    is done before anything is typed, as the other steps' pages do; not only on submit."""
    settings.MEDIA_ROOT = tmp_path
    officer = people["officer"]
    incident = services.incident_submit_for_decision(incident=make_incident(), actor=officer)
    sign_in(client, officer)
    url = reverse("notifications:record", args=[incident.pk])
    assert "this step is done already" not in client.get(url).content.decode()
    services.incident_record_notification(
        incident=incident,
        actor=officer,
        notified_at=timezone.now() - dt.timedelta(hours=1),
        dfe_reference="SIN-1",
    )
    response = client.get(url, follow=True)
    # Not a form pre-filled with now, to be refused (a walk found one with its button):
    # the case, whose National Panel section shows what was recorded.
    assert response.redirect_chain == [(incident.get_absolute_url(), 302)]
    html = response.content.decode()
    assert f"The notification of {incident.reference} is recorded already" in html
    # Nor for a case entered in error, which can never be recorded.
    other = make_incident()
    services.incident_enter_in_error(incident=other, actor=people["manager"], reason="Wrong.")
    response = client.get(reverse("notifications:record", args=[other.pk]), follow=True)
    assert response.redirect_chain == [(other.get_absolute_url(), 302)]
    assert "entered in error: it can no longer change" in response.content.decode()


@pytest.mark.parametrize(
    ("hour", "minute"), [(20, 53), (9, 5), (12, 0), (0, 0), (0, 5), (12, 30), (23, 59)]
)
def test_a_time_offered_in_the_services_own_words_reads_back(hour, minute):
    """The time put in the form is written as the hint and the History write it ("8:53pm",
    "midday"), not "20:53"; typed back unchanged, it is read as the same time."""
    from notifications.forms import SentAtForm, time_in_form

    moment = dt.datetime(2026, 12, 7, hour, minute)
    offered = time_in_form(moment)
    assert re.fullmatch(r"\d{1,2}:\d\d[ap]m|midday|midnight", offered), offered
    assert SentAtForm.base_fields["sent_time"].clean(offered) == dt.time(hour, minute)


def test_the_record_page_offers_the_time_as_the_hint_writes_it(client, people, make_incident):
    incident = services.incident_submit_for_decision(
        incident=make_incident(), actor=people["officer"]
    )
    sign_in(client, people["officer"])
    html = client.get(reverse("notifications:record", args=[incident.pk])).content.decode()
    offered = re.search(r'name="sent_time"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="sent_time"', html
    )
    assert offered and re.fullmatch(r"\d{1,2}:\d\d[ap]m|midday|midnight", offered[1]), offered


@pytest.mark.parametrize(
    "contact, saved",
    [
        ("not an email", False),
        ("tom@", False),
        ("0161 496", False),
        ("tom.ashworth@bscp.example", True),
        ("01632 960 001", True),
        ("+44 (0)1632 960001 ext 234", True),
        ("07700 900123", True),
    ],
)
def test_the_notifiers_contact_is_an_email_address_or_a_telephone_number(
    client, people, make_incident, contact, saved
):
    """A walk saved "not an email" as the contact of the person notifying (the
    National Panel's form asks for one it can use): it must read as an email address or
    a telephone number (10 to 15 digits, an extension allowed)."""
    incident = make_incident(complete=False)
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "notifier"])
    response = client.post(
        url,
        {"notifier_name": "Tom Ashworth", "notifier_contact": contact, "version": incident.version},
    )
    incident.refresh_from_db()
    if saved:
        assert response.status_code == 302 and incident.notifier_contact == contact
    else:
        html = response.content.decode()
        assert "Enter an email address, like name@example.com, or a telephone number" in html
        assert incident.notifier_contact != contact
        assert f'value="{contact}"' in html  # kept as typed


def test_a_contact_saved_before_the_check_is_kept_when_the_step_is_saved_again(
    client, people, make_incident
):
    incident = make_incident(complete=False)
    Incident.objects.filter(pk=incident.pk).update(
        notifier_name="Tom A", notifier_contact="via the switchboard"
    )
    incident.refresh_from_db()
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "notifier"])
    response = client.post(
        url,
        {
            "notifier_name": "Tom Ashworth",
            "notifier_contact": "via the switchboard",
            "version": incident.version,
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.notifier_name == "Tom Ashworth"
