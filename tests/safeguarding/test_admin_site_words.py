"""The administration site reads like the rest of the service: only the pages it uses,
named in the service's own words."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def _text_of(html: str) -> str:
    """What a page says (its words, not its markup or addresses)."""
    html = re.sub(r"<(script|style).*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _text(response) -> str:
    return _text_of(response.content.decode())


@pytest.fixture
def admin_client(client):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    return client


# --- Pages the service does not use ---------------------------------------------------------

#: Django's groups (roles are memberships, and administrators have full access or none)
#: and django-celery-beat's schedule (declared in safeguarding/celery.py, which beat
#: copies over the stored one each time it starts).
UNUSED = {
    "auth": ["group"],
    "django_celery_beat": [
        "periodictask",
        "intervalschedule",
        "crontabschedule",
        "clockedschedule",
        "solarschedule",
    ],
}


def test_the_index_lists_no_groups_and_no_beat_schedule(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    for app, models in UNUSED.items():
        assert f"/admin/{app}/" not in page
        for model in models:
            assert f"/admin/{app}/{model}/" not in page
    for words in ("Groups", "Periodic tasks", "Intervals", "Crontabs", "Clocked", "Solar"):
        assert words not in page


@pytest.mark.parametrize(
    "url",
    [f"/admin/{app}/" for app in UNUSED]
    + [
        f"/admin/{app}/{model}/{page}"
        for app, models in UNUSED.items()
        for model in models
        for page in ("", "add/")
    ],
)
def test_the_unused_pages_are_not_found_even_for_full_access(admin_client, url):
    assert admin_client.get(url).status_code == 404


# --- People and their roles, as the service calls them ---------------------------------------


def test_the_index_says_people_and_roles_not_users_and_memberships(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert ">People<" in page and ">Roles<" in page
    assert "Users" not in page and "Memberships" not in page


def test_a_persons_pages_say_person_and_role(admin_client, people):
    officer = people["officer"]
    listing = admin_client.get(reverse("admin:safeguarding_user_changelist")).content.decode()
    assert "<title>" in listing and "user" not in listing.split("<title>")[1].split("</title>")[0]
    adding = unescape(admin_client.get(reverse("admin:safeguarding_user_add")).content.decode())
    assert "Add person" in adding and "Add user" not in adding
    changing = unescape(
        admin_client.get(
            reverse("admin:safeguarding_user_change", args=[officer.pk])
        ).content.decode()
    )
    assert "Change person" in changing and "Change user" not in changing
    # Their roles, listed under them.
    assert re.search(r'class="inline-heading">\s*Roles\s*</h2>', changing)
    assert "Memberships" not in changing
    roles = _text(admin_client.get(reverse("admin:safeguarding_membership_changelist")))
    assert "membership" not in roles.lower() and "Roles" in roles
    added = unescape(
        admin_client.get(reverse("admin:safeguarding_membership_add")).content.decode()
    )
    assert "Add role" in added


# --- The reminders-sent log says which reminder each was ---------------------------------------

#: Each rule the reminder engine claims a reminder under, and how the log says it.
RULES_IN_WORDS = {
    "before_1": "1 working day before it is due",
    "before_3": "3 working days before it is due",
    "due": "On the day it is due",
    "overdue": "Overdue",
    "escalation": "Overdue: escalated to a partnership manager",
    "digest": "Daily summary",
    "handover": "Deadlines handed over to them",
    "moved": "Due date moved by a change to the calendar",
    "closure_day": "Due date set by hand falls on a new closure day",
}


def test_the_reminders_sent_log_says_each_reminder_in_words_not_its_code(admin_client, people):
    from safeguarding.models import ReminderSent

    for number, rule in enumerate(RULES_IN_WORDS):
        ReminderSent.objects.create(
            recipient=people["officer"], rule=rule, occurrence=f"2026-11-{number + 1:02}"
        )
    response = admin_client.get(reverse("admin:safeguarding_remindersent_changelist"))
    html = response.content.decode()
    cells = {
        unescape(cell).strip()
        for cell in re.findall(r'<td class="field-rule_shown">(.*?)</td>', html, re.S)
    }
    assert cells == set(RULES_IN_WORDS.values())
    # The filter by reminder too: its choices are the same words.
    text = _text(response)
    for code in ("before_1", "before_3", "escalation", "handover"):
        assert code not in text
    assert "?rule=handover" in html
    # And the page of one reminder.
    row = ReminderSent.objects.get(rule="before_3")
    one = _text(admin_client.get(reverse("admin:safeguarding_remindersent_change", args=[row.pk])))
    assert "3 working days before it is due" in one and "before_3" not in one


def test_every_rule_the_engine_names_has_its_words():
    """The rules kept as constants in the reminder engine are all in the log's words."""
    from safeguarding import reminders
    from safeguarding.models import ReminderSent

    for rule in (reminders.HAND_OVER, reminders.ON_CLOSURE_DAY):
        assert ReminderSent(rule=rule).rule_words == RULES_IN_WORDS[rule]


def test_a_rule_the_log_has_no_words_for_is_shown_as_it_is():
    """A rule added to the engine later, or one made by hand, is still shown."""
    from safeguarding.models import ReminderSent

    assert ReminderSent(rule="something_new").rule_words == "something_new"
    assert ReminderSent(rule="before_x").rule_words == "before_x"


def test_the_filter_by_reminder_offers_known_rules_without_reading_the_log(admin_client, people):
    """The log grows by millions of rows: its filter by reminder lists the rules the
    engine knows (and the days before of the policies, a small table), not a SELECT
    DISTINCT over the whole log."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeguarding.models import ReminderPolicy, ReminderSent

    ReminderPolicy.objects.create(kind="notification", days_before=[5, 1])
    ReminderSent.objects.create(recipient=people["officer"], rule="due", occurrence="2026-11-02")
    url = reverse("admin:safeguarding_remindersent_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200
    table = ReminderSent._meta.db_table
    assert not [q["sql"] for q in queries if f'DISTINCT "{table}"."rule"' in q["sql"]]
    html = unescape(response.content.decode())
    choices = dict(re.findall(r'<a href="\?rule=([\w-]+)">([^<]+)</a>', html))
    # Every rule with words, whether the log holds one or not, and each day before.
    for rule, words in RULES_IN_WORDS.items():
        if rule != "before_3" or "before_3" in choices:
            assert choices.get(rule) == words, rule
    assert choices["before_5"] == "5 working days before it is due"
    assert choices["before_3"] == "3 working days before it is due"  # the service's default
    # ... and every "before" at once, whatever the days (a policy changed since).
    ReminderSent.objects.create(
        recipient=people["officer"], rule="before_7", occurrence="2026-11-12"
    )
    assert choices["before"] == "Before it is due (any number of working days)"
    listed = admin_client.get(url + "?rule=before").content.decode()
    assert "7 working days before it is due" in listed
    assert 'class="field-rule_shown">On the day it is due' not in listed


def test_the_reminders_log_reads_no_whole_table_for_its_dates_and_is_in_time_order_by_an_index(
    admin_client, people
):
    """The log's dates are filtered by fixed periods (today, the past 7 days, this
    month, this year), not by a year/month/day drill-down that reads every row's date
    (SELECT DISTINCT over millions of rows); and its order, newest first, is an index's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeguarding.models import ReminderSent

    for day in ("2025-03-02", "2026-11-02"):
        sent = ReminderSent.objects.create(recipient=people["officer"], rule="due", occurrence=day)
        ReminderSent.objects.filter(pk=sent.pk).update(created_at=f"{day}T10:00Z")
    url = reverse("admin:safeguarding_remindersent_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
    html = unescape(response.content.decode())
    assert "Past 7 days" in html and "This year" in html
    this_year = admin_client.get(url + "?created_at__gte=2026-01-01+00%3A00%3A00%2B00%3A00")
    assert this_year.status_code == 200
    assert "2 November 2026" in unescape(this_year.content.decode())
    indexed = [
        tuple(index.fields) for index in ReminderSent._meta.indexes if index.condition is None
    ]
    assert ("-created_at", "-id") in indexed or ("created_at", "id") in indexed


def test_the_reminders_log_cannot_be_deleted_from_the_administration(admin_client, people):
    """A claim is the record that a reminder went (or will go) once: deleting it by hand
    would let the next sweep send it again. The log is read only: no delete action, no
    delete page."""
    from safeguarding.models import ReminderSent

    sent = ReminderSent.objects.create(
        recipient=people["officer"], rule="due", occurrence="2026-11-02"
    )
    listing = admin_client.get(reverse("admin:safeguarding_remindersent_changelist"))
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    delete = reverse("admin:safeguarding_remindersent_delete", args=[sent.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ReminderSent.objects.filter(pk=sent.pk).exists()


#: A claim's occurrence (the engine's key) and how the log says it.
OCCURRENCES_IN_WORDS = [
    ("before_3", "2026-12-14", {}, "Due 14 December 2026"),
    ("due", "2026-12-14", {}, "Due 14 December 2026"),
    ("overdue", "2026-12-14#0", {}, "Due 14 December 2026: overdue reminder 1"),
    ("escalation", "2026-12-14#2", {}, "Due 14 December 2026: overdue reminder 3"),
    ("closure_day", "2026-12-24", {}, "Due 24 December 2026"),
    ("digest", "2026-12-07", {}, "Summary of 7 December 2026"),
    (
        "moved",
        "41",
        {"old_due": "2026-12-24", "new_due": "2026-12-29"},
        "Moved from 24 December 2026 to 29 December 2026",
    ),
    ("handover", "audit-93", {"from": "Sam Officer", "count": 3}, "3 deadlines from Sam Officer"),
    ("handover", "audit-94", {"from": "Sam Officer", "count": 1}, "1 deadline from Sam Officer"),
]


def test_the_log_says_what_each_reminder_was_about_in_words(admin_client, people):
    """Its "occurrence" column showed the engine's key ("2026-12-14#2", "audit-93")."""
    from safeguarding.models import ReminderSent

    for rule, occurrence, context, _words in OCCURRENCES_IN_WORDS:
        ReminderSent.objects.create(
            recipient=people["officer"], rule=rule, occurrence=occurrence, context=context
        )
    response = admin_client.get(reverse("admin:safeguarding_remindersent_changelist"))
    html = response.content.decode()
    cells = {
        unescape(cell).strip()
        for cell in re.findall(r'<td class="field-occurrence_shown">(.*?)</td>', html, re.S)
    }
    assert cells == {words for *_, words in OCCURRENCES_IN_WORDS}
    for key in ("#0", "#2", "audit-93"):
        assert key not in _text(response)
    row = ReminderSent.objects.get(rule="escalation")
    one = _text(admin_client.get(reverse("admin:safeguarding_remindersent_change", args=[row.pk])))
    assert "Due 14 December 2026: overdue reminder 3" in one and "#2" not in one


def test_an_occurrence_the_log_cannot_read_is_shown_as_it_is():
    from safeguarding.models import ReminderSent

    assert ReminderSent(rule="due", occurrence="soon").occurrence_words == "soon"
    assert ReminderSent(rule="overdue", occurrence="2026-12-14#x").occurrence_words == (
        "2026-12-14#x"
    )
    assert ReminderSent(rule="moved", occurrence="41").occurrence_words == "41"
    assert ReminderSent(rule="something_new", occurrence="x").occurrence_words == "x"


# --- One region per name, whatever its capitals --------------------------------------------------


def _add_region(client, name, code="northvale"):
    return client.post(reverse("admin:safeguarding_region_add"), {"name": name, "code": code})


@pytest.mark.parametrize(
    "typed", ["Midshire region", "midshire region", "MIDSHIRE REGION", " Midshire   region "]
)
def test_a_region_name_taken_in_other_capitals_or_spacing_is_refused(admin_client, region, typed):
    """ "Midshire" and "midshire" could not be told apart in a list, a filter or the role
    of a regional viewer."""
    from safeguarding.models import Region

    response = _add_region(admin_client, typed)
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Midshire region is already a region: give this one another name" in page
    assert page.count("is already a region") == 1  # one message, not Django's too
    assert "already exists" not in page
    assert Region.objects.count() == 1


def test_a_regions_own_name_can_be_recapitalised_and_its_spaces_tidied(admin_client, region):
    from safeguarding.models import Region

    response = admin_client.post(
        reverse("admin:safeguarding_region_change", args=[region.pk]),
        {"name": " MIDSHIRE  Region ", "code": region.code},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Region.objects.get(pk=region.pk).name == "MIDSHIRE Region"
    assert _add_region(admin_client, "Northvale region").status_code == 302


def test_the_database_refuses_a_region_name_in_other_capitals(region):
    """The check above is the form's; the database's constraint stops any other way in
    (a script, two administrators at once)."""
    from django.db import IntegrityError, transaction

    from safeguarding.models import Region

    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name=region.name.upper(), code="other")


# --- Django's stock wording, on the service's own pages -----------------------------------------


@pytest.mark.parametrize(
    ("model", "heading"),
    [
        ("safeguarding_user", "People"),
        ("safeguarding_membership", "Roles"),
        ("safeguarding_region", "Regions"),
        ("safeguarding_agency", "Agencies"),
        ("safeguarding_auditevent", "Audit events"),
        ("safeguarding_remindersent", "Reminders sent"),
        ("lcspr_learningtheme", "Learning themes"),
        ("rapid_reviews_timetable", "Rapid review timetables"),
    ],
)
def test_a_list_is_headed_by_what_it_lists_not_select_to_change(admin_client, model, heading):
    """Django's "Select person to change" (or "… to view") read as an instruction, and
    not as the name of the page the index links to."""
    html = admin_client.get(reverse(f"admin:{model}_changelist")).content.decode()
    assert re.search(rf"<h1>{heading}</h1>", html)
    assert re.search(rf"<title>{heading} \|", html)
    assert not re.search(r"Select [\w ]+ to (change|view)", _text_of(html))


def test_the_window_for_picking_one_still_says_select(admin_client):
    """The small window a "find" icon opens (a person for a role) is for picking one."""
    url = reverse("admin:safeguarding_user_changelist") + "?_popup=1&_to_field=id"
    assert "<h1>Select person</h1>" in admin_client.get(url).content.decode()


def test_choosing_an_agencys_partnerships_says_how_in_plain_words(admin_client):
    """The partnerships are chosen in a two-box chooser (filter_horizontal), where
    Ctrl-click is not how to choose more than one."""
    text = _text(admin_client.get(reverse("admin:safeguarding_agency_add")))
    assert "Hold down “Control”" not in text and "Ctrl" not in text
    assert (
        "The partnerships it sends information to and owns actions for. Choose them in the "
        "left-hand box and move them to the right-hand box with the arrow." in text
    )


def test_a_list_of_choices_without_the_chooser_still_says_ctrl():
    from django import forms
    from django.contrib import admin

    from safeguarding.admin import CHOOSE_MORE_THAN_ONE, ServiceAdmin
    from safeguarding.models import Agency

    class PlainAdmin(ServiceAdmin):
        pass

    field = PlainAdmin(Agency, admin.site).formfield_for_manytomany(
        Agency._meta.get_field("partnerships"), None
    )
    assert isinstance(field.widget, forms.SelectMultiple)
    assert CHOOSE_MORE_THAN_ONE in field.help_text


def test_add_another_says_role_and_closure_day_in_sentence_case(admin_client):
    adding = unescape(admin_client.get(reverse("admin:safeguarding_user_add")).content.decode())
    assert "Add another role" in adding and "Add another Role" not in adding
    adding = unescape(
        admin_client.get(reverse("admin:safeguarding_partnership_add")).content.decode()
    )
    assert "Add another closure day" in adding and "Add another Closure day" not in adding


def test_adding_a_person_says_person_not_user(admin_client):
    text = _text(admin_client.get(reverse("admin:safeguarding_user_add")))
    assert "created a user" not in text and "user options" not in text
    assert "After you save the person, you can change more of their details." in text


def test_times_in_the_administration_are_written_as_the_service_writes_them(admin_client, people):
    """A lockout's end and when a role was given: "7 December 2026, 4:16pm"
    (safeguarding/dates.py), not "16:16" nor "4:16 p.m."."""
    import datetime as dt
    from types import SimpleNamespace

    from django.utils import timezone

    from safeguarding.admin import _lockouts_text
    from safeguarding.dates import date_and_time

    until = timezone.make_aware(dt.datetime(2026, 12, 7, 16, 16))
    text = _lockouts_text([SimpleNamespace(failures=6, address="203.0.113.9", until=until)])
    assert text == "6 failed sign-ins from 203.0.113.9, until 7 December 2026, 4:16pm"

    officer = people["officer"]
    membership = officer.memberships.get()
    page = _text(admin_client.get(reverse("admin:safeguarding_user_change", args=[officer.pk])))
    assert date_and_time(membership.since) in page
    assert date_and_time(officer.date_joined) in page
    assert "a.m." not in page and "p.m." not in page
    roles = _text(admin_client.get(reverse("admin:safeguarding_membership_changelist")))
    assert date_and_time(membership.since) in roles and "p.m." not in roles and "a.m." not in roles
    # A new role's row, not given yet, shows no time.
    adding = _text(admin_client.get(reverse("admin:safeguarding_user_add")))
    assert "a.m." not in adding and "p.m." not in adding


@pytest.mark.parametrize("typed", ["officer", "OFFICER"])
def test_adding_a_person_whose_address_is_taken_says_so_once_in_words(admin_client, people, typed):
    """Django said it twice: "A user with this e-mail address already exists." (the
    constraint) and "Person with this E-mail address already exists." (the field)."""
    from safeguarding.models import User

    officer = people["officer"]
    local, _at, domain = officer.email.partition("@")
    address = f"{local.upper() if typed == 'OFFICER' else local}@{domain}"
    response = admin_client.post(
        reverse("admin:safeguarding_user_add"),
        {
            "email": address,
            "full_name": "Someone Else",
            "password1": "",
            "password2": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode())
    assert [unescape(re.sub(r"<[^>]+>", "", error)) for error in errors] == [
        f"{officer.full_name} already has this email address: each person signs in with their own"
    ]
    assert User.objects.with_email(address).count() == 1


def test_a_regions_code_typed_in_capitals_is_kept_in_lower_case(admin_client):
    """Its help says lower-case letters, numbers and hyphens: capitals were kept as typed."""
    from safeguarding.models import Region

    response = _add_region(admin_client, "Northvale region", code="NorthVale")
    assert response.status_code == 302
    assert Region.objects.get(name="Northvale region").code == "northvale"


def test_a_region_made_in_code_keeps_its_code_in_lower_case_too():
    """Not only the administration site's form: a region made by a script or the shell
    (or changed there) is kept in lower case by the model itself."""
    from safeguarding.models import Region

    region = Region.objects.create(name="Northvale region", code=" NorthVale ")
    assert region.code == "northvale"
    assert Region.objects.get(pk=region.pk).code == "northvale"
    region.code = "NORTH-VALE"
    region.save()
    assert Region.objects.get(pk=region.pk).code == "north-vale"


def test_the_database_refuses_a_region_code_in_capitals():
    """A write that skips `save` (an update, a bulk insert) is refused by the database."""
    from django.db import IntegrityError, transaction

    from safeguarding.models import Region

    region = Region.objects.create(name="Northvale region", code="northvale")
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.filter(pk=region.pk).update(code="NorthVale")
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.bulk_create([Region(name="Southvale region", code="SouthVale")])


def test_no_list_in_the_administration_shows_a_moment_in_djangos_style():
    """Every list column that shows a date and time (a DateTimeField named in
    list_display) goes through the service's style (safeguarding.admin.moment_column):
    Django's own says "Dec. 7, 2026, 4:16 p.m."."""
    from django.contrib import admin
    from django.db import models

    raw = [
        f"{model._meta.label}.{name}"
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.list_display
        if isinstance(name, str)
        and any(
            f.name == name and isinstance(f, models.DateTimeField) for f in model._meta.get_fields()
        )
    ]
    assert raw == []


def test_the_audit_and_reminder_lists_write_moments_as_the_service_does(admin_client, people):
    import datetime as dt

    from django.utils import timezone

    from safeguarding.dates import date_and_time
    from safeguarding.models import AuditEvent, ReminderSent

    moment = timezone.make_aware(dt.datetime(2026, 12, 3, 14, 15))
    AuditEvent.objects.create(
        action="update", object_repr="Something", actor_email="a@example.org", occurred_at=moment
    )
    row = ReminderSent.objects.create(
        recipient=people["officer"], rule="before_3", occurrence="2026-11-01"
    )
    ReminderSent.objects.filter(pk=row.pk).update(created_at=moment, sent_at=moment)
    for name in ("auditevent", "remindersent"):
        response = admin_client.get(reverse(f"admin:safeguarding_{name}_changelist"))
        text = _text(response)
        assert "3 December 2026, 2:15pm" == date_and_time(moment)
        assert "3 December 2026, 2:15pm" in text, name
        assert "p.m." not in text and "a.m." not in text, name
    # And when a person's authenticator app was set up and last used, on their page.
    from safeguarding.dates import full_date
    from tests.utils import authenticator_for

    officer = people["officer"]
    device = authenticator_for(officer)
    type(device).objects.filter(pk=device.pk).update(created_at=moment, last_used_at=moment)
    page = _text(admin_client.get(reverse("admin:safeguarding_user_change", args=[officer.pk])))
    set_up = f"Authenticator app set up {full_date(moment.date())}"
    assert f"{set_up}, last used {date_and_time(moment)}" in page
    # Still sorted by the moment: its column header links to the ordering.
    html = admin_client.get(reverse("admin:safeguarding_auditevent_changelist")).content.decode()
    assert re.search(r'<th scope="col" class="sortable column-occurred_at', html)


@pytest.mark.parametrize(
    "full_name, shown",
    [
        ("Service Administrator", "Service Administrator"),
        ("Dr Asha Khan", "Dr Asha Khan"),
        ("", "no-name@example.org"),
    ],
)
def test_the_header_greets_an_administrator_by_their_full_name(client, full_name, shown):
    """The service keeps one full name, not a first name: its first word is no greeting
    ("Welcome, Service" for "Service Administrator", "Welcome, Dr" for "Dr Asha Khan")."""
    admin = UserFactory(
        is_staff=True, is_superuser=True, full_name=full_name, email="no-name@example.org"
    )
    sign_in(client, admin)
    text = _text(client.get(reverse("admin:index")))
    assert re.search(rf"Welcome, {re.escape(shown)} ?\.", text), text[:400]


def test_the_password_hints_in_the_administration_speak_of_the_person_not_to_you(
    admin_client, people
):
    """The administrator reads them, about someone else's password: "Their password
    must contain at least 12 characters", not Django's "Your password …" (said to the
    person themselves, on their own password pages)."""
    officer = people["officer"]
    for url in (
        reverse("admin:safeguarding_user_add"),
        reverse("admin:auth_user_password_change", args=[officer.pk]),
    ):
        text = _text(admin_client.get(url))
        assert "Their password must contain at least 12 characters." in text, url
        assert "Their password must not contain their name or the first part of their email" in (
            text
        ), url
        assert not re.search(r"\b[Yy]our\b", text.split("Password", 1)[1]), url
