"""Bad input (issue 8, item 5): generated values posted to every form of the service.

Every URL of tests/test_url_isolation.AUDIENCE is either a form view in FORM_VIEWS or
excluded in NOT_FORMS with the reason. Each form view gets hypothesis-generated posts as
its intended user: long text, odd Unicode, impossible and malformed dates, wrong choices,
other partnerships' ids, missing and extra fields, either completely random or a valid
post with a few fields spoiled (so the services' own checks are reached too).

For every post: never a 500 (the test client re-raises); a redirect when the input happened
to be valid; otherwise 200 with the GOV.UK error summary and "Error:" in the title, and
nothing saved: every table's row count and every field of the records the form edits are
as they were. Each example runs in a savepoint that is rolled back, so every example starts
from the same records.
"""

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications import forms as incident_forms
from notifications import services as incident_services
from rapid_reviews import forms as review_forms
from rapid_reviews import services as review_services
from safeguarding import forms as account_forms
from safeguarding.form_fields import GDSDateField
from safeguarding.reminder_forms import ReminderPreferenceForm
from tests.factories import AgencyFactory
from tests.lcspr.bad_input import FORM_VIEWS as LCSPR_FORM_VIEWS
from tests.lcspr.bad_input import NOT_FORMS as LCSPR_NOT_FORMS
from tests.lcspr.bad_input import lcspr_target
from tests.notifications.conftest import make_incident  # noqa: F401 - fixture
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    decide_and_sign,
    make_review,
    return_and_submit,
    review,
    sent_requests,
)
from tests.test_url_isolation import AUDIENCE
from tests.utils import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# A deeper run: BAD_INPUT_EXAMPLES=200 pytest tests/bad_input
EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "12"))

# --- what is posted ------------------------------------------------------------------------

ODD = [
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e",  # RTL and LTR marks
    "😀👨‍👩‍👧‍👦🏳️‍🌈",
    "e\u0301\u0302\u0303\u0304",  # combining characters
    "\ufeff",
    "\u00a0\u2003\u3000",
    "Z̸̡̢a̵l̷g̶o̸",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7*7 }}{% now 'Y' %}",
    "\r\n\t",
    " ",
    "",
    "ﷺ𒐫",
]
LONG = st.integers(min_value=10_001, max_value=25_000).flatmap(
    lambda n: st.sampled_from(["a", "é", "😀", "\u202e", "x "]).map(lambda c: (c * n)[:n])
)
TEXT = st.one_of(
    st.sampled_from(ODD),
    st.lists(st.sampled_from(ODD), min_size=2, max_size=5).map("".join),
    st.text(max_size=40),
    LONG,
)
NUMBERS = st.one_of(
    st.sampled_from(["0", "-1", "1.5", "1e3", "99999999999999999999999", "٣", "", "abc", " 7 "]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
DATE_PART = st.one_of(NUMBERS, st.sampled_from(["31", "29", "13", "0000", "2026"]), TEXT)
# Whole dates that are malformed or impossible: (day, month, year).
BAD_DATES = st.sampled_from(
    [
        ("31", "2", "2026"),
        ("30", "2", "2024"),
        ("29", "2", "2025"),
        ("1", "1", "0"),
        ("1", "13", "2026"),
        ("0", "0", "0"),
        ("-1", "-1", "-1"),
        ("abc", "def", "ghij"),
        ("1", "1", "99999999999999999999"),
        ("1", "1", "1899"),
        ("1", "1", "2101"),
        ("1", "1", "10000"),
        ("1", "", "2026"),
        ("", "", "2026"),
        ("1\x00", "1", "2026"),
        ("٣", "٣", "٢٠٢٥"),
        ("1", "1", "3000"),
    ]
)


def good_date(days_ago=0):
    d = timezone.localdate() - dt.timedelta(days=days_ago)
    return (str(d.day), str(d.month), str(d.year))


def working_date(working_days_ahead):
    """A due date the forms accept: a working day, `working_days_ahead` from today."""
    from safeguarding.calendar import add_working_days

    d = add_working_days(timezone.localdate(), working_days_ahead)
    return (str(d.day), str(d.month), str(d.year))


@dataclass
class Target:
    """One form view, ready to be posted to."""

    url: str
    user: Any  # None: anonymous
    form: type
    valid: dict  # a post the view accepts
    records: list = field(default_factory=list)  # objects whose fields must not change
    ids: list = field(default_factory=list)  # valid and invalid ids for model choices
    fixed: dict = field(default_factory=dict)  # posted as they are, never spoiled
    ok_200: Any = None  # a 200 that is not an error page (e.g. a download)
    valid_refused: bool = False  # no valid post can be generated (a file upload)
    ignore: tuple = ()  # tables a refused post rightly writes to (a failed sign-in's audit)


def date_post(name, parts):
    return {f"{name}_{i}": v for i, v in enumerate(parts)}


def field_values(name, f, ids, draw):
    """Random data for one form field, as posted fields."""
    if isinstance(f, GDSDateField):
        parts = draw(st.one_of(BAD_DATES, st.tuples(DATE_PART, DATE_PART, DATE_PART)))
        return date_post(name, parts)
    if isinstance(f, forms.ModelMultipleChoiceField):
        return {name: draw(st.lists(st.sampled_from(ids), max_size=4))}
    if isinstance(f, forms.MultipleChoiceField):
        choices = [str(v) for v, _ in f.choices]
        return {name: draw(st.lists(st.sampled_from(choices) | TEXT, max_size=4))}
    if isinstance(f, forms.ModelChoiceField) and not list(f.choices):
        # Its choices are set per page (the form's are empty): the target's ids.
        return {name: draw(st.sampled_from(ids) | TEXT)}
    if isinstance(f, forms.ChoiceField):
        choices = [str(v) for v, _ in f.choices]
        return {name: draw(st.sampled_from(choices) | TEXT)}
    if isinstance(f, forms.BooleanField):
        return {name: draw(st.sampled_from(["on", "true", "false", "0", ""]) | TEXT)}
    if isinstance(f, forms.IntegerField | forms.TimeField):
        return {name: draw(NUMBERS | TEXT | st.sampled_from(["25:61", "14:05", "-1:00"]))}
    if isinstance(f, forms.FileField):
        return {name: draw(TEXT)}  # a string where a file should be
    return {name: draw(TEXT)}


@st.composite
def posts(draw, target: Target):
    """Either a completely random post, or the valid post with some fields spoiled or
    missing; both with extra fields sometimes."""
    fields = target.form.base_fields
    if draw(st.booleans()):
        data = {}
        for name, f in fields.items():
            if draw(st.integers(0, 4)) > 0:  # a field is missing one time in five
                data.update(field_values(name, f, target.ids, draw))
    else:
        data = dict(target.valid)
        spoiled = draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=3))
        for name in spoiled:
            for key in [k for k in data if k == name or k.startswith(f"{name}_")]:
                del data[key]
            if draw(st.integers(0, 3)) > 0:
                data.update(field_values(name, fields[name], target.ids, draw))
    extra = draw(
        st.dictionaries(
            st.sampled_from(
                ["pk", "id", "status", "partnership", "actor", "version_x", "csrf", "x" * 300]
            ),
            TEXT,
            max_size=2,
        )
    )
    return {**extra, **data, **target.fixed}


# --- checking nothing was half-saved --------------------------------------------------------

APPS = ("safeguarding", "notifications", "rapid_reviews", "lcspr")


@functools.cache
def _counting():
    """Every table's row count in one statement (each as its model's `.count()` counts):
    the labels, and the SQL with its parameters. One round trip instead of one a table
    (counting was nearly half of this module's time)."""
    labels, columns, params = [], [], []
    for label in APPS:
        for m in apps.get_app_config(label).get_models():
            query = m._default_manager.values("pk").query
            sql, query_params = query.get_compiler(using=m._default_manager.db).as_sql()
            labels.append(m._meta.label)
            columns.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
            params.extend(query_params)
    return labels, "SELECT " + ", ".join(columns), params


def table_counts() -> dict:
    labels, sql, params = _counting()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(zip(labels, cursor.fetchone(), strict=True))


def snapshot(records):
    counts = table_counts()
    rows = []
    for obj in records:
        fresh = type(obj)._default_manager.filter(pk=obj.pk).values().first()
        rows.append((obj._meta.label, obj.pk, fresh))
    return counts, rows


def test_the_one_statement_counts_each_table_as_its_model_does(people, review):  # noqa: F811
    counts = table_counts()
    assert counts == {
        m._meta.label: m._default_manager.count()
        for label in APPS
        for m in apps.get_app_config(label).get_models()
    }
    assert counts["notifications.Incident"] == 1 and counts["safeguarding.User"] >= 7


def check(client, target: Target, data):
    before = snapshot(target.records)
    response = client.post(target.url, data)  # a 500 raises here
    status = response.status_code
    if status in (301, 302, 303):
        return
    assert status == 200, (target.url, status, data)
    if target.ok_200 and target.ok_200(response):
        return
    html = response.content.decode()
    assert "There is a problem" in html, (target.url, data)
    assert "<title>Error:" in html, (target.url, data)
    # Each link of the error summary goes to a box on the page (a radio group's first
    # option, a date's day box), so following it moves the focus there.
    summary = html.partition('class="govuk-error-summary')[2].partition("</ul>")[0]
    for element_id in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{element_id}"' in html, (target.url, element_id, data)
    after = snapshot(target.records)
    for label in target.ignore:
        before[0].pop(label), after[0].pop(label)
    assert after[0] == before[0], ("row counts changed", target.url, data)
    assert after[1] == before[1], ("a record changed", target.url, data)


def errors_in(html):
    """The messages of the error summary, for failure reports."""
    summary = html.partition('class="govuk-error-summary')[2].partition("</ul>")[0]
    return re.findall(r"<a [^>]*>([^<]*)</a>", summary) or summary[:500]


def run(client, target: Target, examples=EXAMPLES):
    if target.user is not None:
        sign_in(client, target.user)
    # The valid post really is valid: the redirect proves the strategies can reach success.
    with transaction.atomic():
        response = client.post(target.url, {**target.valid, **target.fixed})
        assert response.status_code in (200, 302), response.status_code
        refused = response.status_code == 200 and not (target.ok_200 and target.ok_200(response))
        if refused and not target.valid_refused:
            html = response.content.decode()
            pytest.fail(f"the valid post was refused: {errors_in(html)}")
        transaction.set_rollback(True)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=posts(target))
    def fuzz(data):
        with transaction.atomic():
            check(client, target, data)
            transaction.set_rollback(True)

    fuzz()


# --- the form views, and the rest ----------------------------------------------------------

NOT_FORMS = {
    "safeguarding:home": "the home page, whose dashboard has a GET filter form",
    "safeguarding:dashboard-export": "GET only: a CSV or XLSX download",
    "safeguarding:timeliness": "a GET filter form (the period): no record is written",
    "safeguarding:timeliness-export": "GET only: a CSV or XLSX download",
    "safeguarding:annual-report": "GET only: a PDF download",
    "safeguarding:annual-report-data": "GET only: a CSV or XLSX download",
    "safeguarding:regional": "a GET filter form (the period): no record is written",
    "safeguarding:regional-export": "GET only: a CSV or XLSX download",
    "safeguarding:sign-out": "a POST with no fields: signs out",
    "safeguarding:signed-out": "GET only",
    "safeguarding:keep-alive": "a POST with no fields: extends the session",
    "safeguarding:password-reset-sent": "GET only",
    "safeguarding:password-reset-confirm": "needs a token from an email; the same "
    "SetNewPasswordForm rules as password change; covered in tests/safeguarding",
    "safeguarding:password-reset-complete": "GET only",
    "safeguarding:audit": "a GET filter form: no record is written",
    "safeguarding:healthz": "GET only",
    "safeguarding:service-status": "GET only",
    "safeguarding:two-factor-verify": "needs a half-signed-in session and a live TOTP; "
    "the code is checked by clean_code; covered in tests/safeguarding",
    "safeguarding:two-factor-recovery": "needs a half-signed-in session; covered in "
    "tests/safeguarding",
    "safeguarding:two-factor-setup": "needs a user without an authenticator and a live "
    "TOTP; covered in tests/safeguarding",
    "safeguarding:two-factor-email": "needs a half-signed-in session and an emailed "
    "code; the code is checked by clean_code; covered in tests/safeguarding",
    "safeguarding:two-factor-email-resend": "a POST with no fields: sends another code",
    "safeguarding:two-factor-recovery-codes": "GET only",
    "safeguarding:people": "GET only",
    "safeguarding:working-days": "GET only: a partnership’s closure days and reminders",
    "safeguarding:person-remove": "a confirmation; its one question (who takes over the "
    "deadlines of someone leaving) is the hand-over form, generated below",
    "safeguarding:two-factor-skip": "a POST with no fields (DEMO_MODE only)",
    "safeguarding:account": "GET only",
    "safeguarding:recovery-codes-renew": "a POST with no fields",
    "safeguarding:accessibility": "GET only",
    "safeguarding:cookies": "GET only",
    "safeguarding:privacy": "GET only",
    "safeguarding:deadline-why": "GET only",
    "safeguarding:calendar-feed": "GET only",
    "safeguarding:outbox": "GET only",
    "safeguarding:outbox-message": "GET only",
    "notifications:list": "a GET filter form: no record is written",
    "notifications:list-export": "GET only: a CSV or XLSX download of the filtered list",
    "notifications:retention": "GET only",
    "notifications:detail": "GET only",
    "notifications:children": "GET only",
    "notifications:child-remove": "a confirmation POST with no fields",
    "notifications:check": "a confirmation POST with no fields (its problems list is "
    "tested in tests/notifications)",
    "notifications:return-to-draft": "a POST with no fields",
    "notifications:ready-to-send": "GET only",
    "notifications:pdf": "GET only: a download",
    "notifications:pdf-corrected": "GET only: a download (the notification as corrected)",
    "notifications:attachment": "GET only: a download",
    "notifications:attachment-remove": "a POST with no fields",
    "rapid_reviews:list": "GET only",
    "rapid_reviews:detail": "GET only",
    "rapid_reviews:request": "GET only",
    "rapid_reviews:request-send": "a POST with no fields",
    "rapid_reviews:draft-report": "GET only",
    "rapid_reviews:report-pdf": "GET only: a download",
    "rapid_reviews:contributor-list": "GET only",
    "rapid_reviews:contributor-request": "GET only",
    "rapid_reviews:contributor-submit": "a confirmation POST with no fields",
    "rapid_reviews:contributor-sent": "GET only",
    **LCSPR_NOT_FORMS,
}
FORM_VIEWS = [
    "safeguarding:sign-in",
    "safeguarding:password-reset",
    "safeguarding:password-change",
    "safeguarding:reminder-settings",
    "safeguarding:person-add",
    "safeguarding:partner-leads",
    "safeguarding:deadlines-hand-over",
    "safeguarding:deadlines-hand-over:cover",
    "notifications:new",
    "notifications:find-by-name",
    "notifications:step:dates",
    "notifications:step:nature",
    "notifications:step:circumstances",
    "notifications:step:notifier",
    "notifications:child-add",
    "notifications:child-edit",
    "notifications:record",
    "notifications:correct-notification",
    "notifications:correct-awareness",
    "notifications:not-notifying",
    "notifications:reconsider",
    "notifications:enter-in-error",
    "notifications:attachments",
    "notifications:export",
    "notifications:case-delete",
    "notifications:case-keep",
    "notifications:case-keep-stop",
    "rapid_reviews:requests-new",
    "rapid_reviews:request-change",
    "rapid_reviews:request-send-back",
    "rapid_reviews:meeting",
    "rapid_reviews:meeting:findings",
    "rapid_reviews:decision",
    "rapid_reviews:withdraw-decision",
    "rapid_reviews:sign-off",
    "rapid_reviews:send-to-panel",
    "rapid_reviews:panel-response",
    "rapid_reviews:send-to-panel-correct",
    "rapid_reviews:local-review-after-panel",
    "rapid_reviews:contributor-return",
    *LCSPR_FORM_VIEWS,
]


def test_every_url_is_a_form_view_or_excluded_with_a_reason():
    covered = {name.rsplit(":", 1)[0] if name.count(":") == 2 else name for name in FORM_VIEWS}
    assert not covered & set(NOT_FORMS)
    missing = sorted(set(AUDIENCE) - covered - set(NOT_FORMS))
    assert not missing, f"Add these URLs to FORM_VIEWS or NOT_FORMS: {missing}"


@pytest.fixture
def other_agency(other_partnership):
    return AgencyFactory(name="Ashdown Health", partnerships=[other_partnership])


def _ids(agency_map, other_agency):
    return [
        str(agency_map["health"].pk),
        str(agency_map["police"].pk),
        str(other_agency.pk),  # another partnership's agency
        "abc",
        "-1",
        "0",
        "99999999999999999999999",
        "1.0",
        "1\x00",
        "",
    ]


def is_zip(response):
    return response.get("Content-Type") == "application/zip"


def incident_target(step, people, make_incident):  # noqa: F811
    officer = people["officer"]
    incident = make_incident()  # a complete draft with one child
    v = {"version": str(incident.version)}
    step_url = reverse("notifications:step", args=[incident.pk, step])
    form, valid = {
        "dates": (
            incident_forms.IncidentDatesForm,
            {
                **date_post("incident_date", good_date(5)),
                "incident_place": "Brookfield",
                **date_post("awareness_date", good_date(3)),
                "reason": "",
            },
        ),
        "nature": (
            incident_forms.NatureForm,
            {"nature": "serious_harm", "harm_categories": ["neglect"]},
        ),
        "circumstances": (
            incident_forms.CircumstancesForm,
            {"circumstances": "Baby admitted.", "parallel_processes": []},
        ),
        "notifier": (incident_forms.NotifierForm, {"notifier_name": "Tom Ashworth"}),
    }[step]
    return Target(step_url, officer, form, {**valid, **v}, records=[incident])


CHILD = {
    "pseudonym": "Child B",
    "name": "Amelia Example",
    **date_post("date_of_birth", ("1", "5", "2019")),
    "sex": "female",
    "ethnicity": "white_british",
    "status_at_time": "cp",
}


@pytest.fixture
def target(
    request,
    people,
    partnership,
    agencies,  # noqa: F811
    other_agency,
    make_incident,  # noqa: F811
    make_review,  # noqa: F811
    settings,
):
    """The Target for FORM_VIEWS entry `request.param`, with the records it needs."""
    name = request.param
    if name.startswith("lcspr:"):
        return lcspr_target(name, people, agencies, make_review)
    officer, manager = people["officer"], people["manager"]
    ids = _ids(agencies, other_agency)
    if name == "safeguarding:sign-in":
        return Target(
            reverse(name),
            None,
            account_forms.SignInForm,
            {"username": officer.email, "password": "correct-horse-battery-staple"},
            ignore=("safeguarding.AuditEvent",),
        )
    if name == "safeguarding:password-reset":
        return Target(
            reverse(name), None, account_forms.PasswordResetRequestForm, {"email": officer.email}
        )
    if name == "safeguarding:password-change":
        return Target(
            reverse(name),
            officer,
            account_forms.ChangePasswordForm,
            {
                "old_password": "correct-horse-battery-staple",
                "new_password1": "a much longer passphrase 2026",
                "new_password2": "a much longer passphrase 2026",
            },
            records=[officer],
        )
    if name == "safeguarding:reminder-settings":
        return Target(
            reverse(name),
            officer,
            ReminderPreferenceForm,
            {"reminder_preference": "digest"},
            records=[officer],
            fixed={"action": "preference"},
        )
    if name == "safeguarding:deadlines-hand-over":
        from tests.factories import UserFactory
        from tests.safeguarding.report_helpers import make_deadline

        leaver = UserFactory(email="leaver@example.org")  # no role left in the partnership
        clock = make_deadline(partnership, due=timezone.localdate(), owner=leaver)
        return Target(
            reverse(name, args=[partnership.pk, leaver.pk]),
            manager,
            account_forms.HandOverForm,
            {"successor": str(officer.pk)},
            records=[clock],
            ids=[
                str(people["agency"].pk),  # not in the business unit
                str(people["other_manager"].pk),  # another partnership's
                str(leaver.pk),
                "abc",
                "-1",
                "",
                "1\x00",
            ],
        )
    if name == "safeguarding:deadlines-hand-over:cover":
        # Cover for leave: someone still in the business unit, who keeps their role.
        from safeguarding.models import Role
        from tests.factories import member
        from tests.safeguarding.report_helpers import make_deadline

        colleague = member(Role.REVIEW_OFFICER, partnership, full_name="Colleague Two")
        clock = make_deadline(partnership, due=timezone.localdate(), owner=officer)
        return Target(
            reverse("safeguarding:deadlines-hand-over", args=[partnership.pk, officer.pk]),
            manager,
            account_forms.HandOverForm,
            {"successor": str(colleague.pk)},
            records=[clock, *officer.memberships.all()],
            ids=[
                str(people["agency"].pk),  # not in the business unit
                str(people["other_manager"].pk),  # another partnership's
                str(officer.pk),  # the same person
                str(people["reviewer"].pk),
                "abc",
                "-1",
                "",
                "1\x00",
            ],
        )
    if name == "safeguarding:person-add":
        return Target(
            reverse(name, args=[partnership.pk]),
            manager,
            account_forms.PersonForm,
            {
                "full_name": "New Person",
                "email": "new.person@example.org",
                "role": "agency",
                "agency": str(agencies["police"].pk),
            },
            ids=ids,
        )
    if name == "safeguarding:partner-leads":
        from safeguarding.leads import partner_leads_set

        current = partner_leads_set(
            partnership=partnership,
            actor=manager,
            leads={"police": ("Raj Patel", "Detective Superintendent")},
        )
        return Target(
            reverse(name, args=[partnership.pk]),
            manager,
            account_forms.PartnerLeadsForm,
            {
                "local_authority_name": "Karen Whitfield",
                "local_authority_job_title": "Director of Children’s Services",
                "police_name": "Raj Patel",
                "police_job_title": "Detective Superintendent",
                "health_name": "",
                "health_job_title": "",
            },
            records=[partnership, *current.values()],
        )
    if name == "notifications:new":
        return Target(
            reverse(name),
            officer,
            incident_forms.IncidentDatesForm,
            {**date_post("awareness_date", good_date(2)), "incident_place": ""},
        )
    if name.startswith("notifications:step:"):
        return incident_target(name.rsplit(":", 1)[1], people, make_incident)
    if name in ("notifications:child-add", "notifications:child-edit"):
        incident = make_incident()
        child = incident.children.first()
        url = (
            reverse(name, args=[incident.pk])
            if name.endswith("add")
            else reverse(name, args=[incident.pk, child.pk])
        )
        return Target(
            url,
            officer,
            incident_forms.ChildForm,
            {**CHILD, "known_to": [str(agencies["police"].pk)]},
            records=[incident, child],
            ids=ids,
        )
    if name in ("notifications:record", "notifications:not-notifying", "notifications:reconsider"):
        incident = make_incident()
        incident_services.incident_submit_for_decision(incident=incident, actor=officer)
        if name == "notifications:reconsider":
            incident_services.incident_decide_not_to_notify(
                incident=incident,
                actor=manager,
                rationale="Not serious harm.",
                agreed_by="LA, police, ICB",
                decided_on=timezone.localdate(),
            )
        incident.refresh_from_db()
        url = reverse(name, args=[incident.pk])
        if name == "notifications:record":
            return Target(
                url,
                officer,
                incident_forms.RecordNotificationForm,
                {
                    **date_post("sent_date", good_date(0)),
                    "sent_time": "00:01",
                    "dfe_reference": "SIN-42",
                },
                records=[incident],
            )
        if name == "notifications:not-notifying":
            return Target(
                url,
                manager,
                incident_forms.NotNotifyForm,
                {
                    **date_post("decided_on", good_date(0)),
                    "rationale": "No abuse or neglect.",
                    "agreed_by": "LA, police and ICB",
                },
                records=[incident],
            )
        return Target(
            url, manager, incident_forms.NoteForm, {"note": "New facts"}, records=[incident]
        )
    if name == "notifications:enter-in-error":
        incident = make_incident()
        return Target(
            reverse(name, args=[incident.pk]),
            officer,
            incident_forms.EnterInErrorForm,
            {"reason": "Logged twice", "version": str(incident.version)},
            records=[incident],
        )
    if name in ("notifications:correct-notification", "notifications:correct-awareness"):
        incident = make_incident()
        incident_services.incident_submit_for_decision(incident=incident, actor=officer)
        incident_services.incident_record_notification(
            incident=incident,
            actor=officer,
            notified_at=timezone.now(),
            dfe_reference="SIN-1",
            late_reason="Late.",
        )
        incident.refresh_from_db()
        if name == "notifications:correct-awareness":
            return Target(
                reverse(name, args=[incident.pk]),
                officer,
                incident_forms.CorrectAwarenessForm,
                {
                    **date_post(
                        "awareness_date",
                        tuple(
                            str(part)
                            for part in (
                                incident.awareness_date.day,
                                incident.awareness_date.month,
                                incident.awareness_date.year,
                            )
                        ),
                    ),
                    "reason": "Typed wrongly",
                    "late_reason": "Late.",
                    "version": str(incident.version),
                },
                records=[incident],
            )
        return Target(
            reverse(name, args=[incident.pk]),
            officer,
            incident_forms.CorrectNotificationForm,
            {
                **date_post("sent_date", good_date(0)),
                "sent_time": "00:01",
                "reason": "Typed wrongly",
                "late_reason": "Late.",
                "version": str(incident.version),
            },
            records=[incident],
        )
    if name == "notifications:find-by-name":
        # A search: a valid post answers 200 with the results (and audits the search).
        make_incident()
        return Target(
            reverse(name),
            officer,
            incident_forms.FindByNameForm,
            {"name": "child name", **date_post("date_of_birth", ("1", "5", "2019"))},
            ok_200=lambda response: b"There is a problem" not in response.content,
        )
    if name in ("notifications:attachments", "notifications:export"):
        incident = make_incident()
        if name == "notifications:attachments":
            # No valid upload is generated here (tests/notifications/test_attachments.py
            # covers uploads): a string where the file should be is always refused.
            return Target(
                reverse(name, args=[incident.pk]),
                officer,
                incident_forms.AttachmentForm,
                {"description": "x"},
                records=[incident],
                valid_refused=True,
            )
        return Target(
            reverse(name, args=[incident.pk]),
            manager,
            incident_forms.ExportReasonForm,
            {"reason": "SAR-1"},
            records=[incident],
            ok_200=is_zip,
        )
    if name in (
        "notifications:case-delete",
        "notifications:case-keep",
        "notifications:case-keep-stop",
    ):
        settings.RETENTION_YEARS = 1
        incident = make_incident(aware=timezone.localdate() - dt.timedelta(days=800))
        incident_services.incident_submit_for_decision(incident=incident, actor=officer)
        incident_services.incident_decide_not_to_notify(
            incident=incident,
            actor=manager,
            rationale="Not serious harm.",
            agreed_by="LA, police, ICB",
            decided_on=timezone.localdate() - dt.timedelta(days=790),
        )
        if name == "notifications:case-keep":
            day = timezone.localdate() + dt.timedelta(days=400)
            return Target(
                reverse(name, args=[incident.pk]),
                manager,
                incident_forms.CaseKeepForm,
                {"reason": "Inquest", **date_post("review_on", (day.day, day.month, day.year))},
                records=[incident],
            )
        if name == "notifications:case-keep-stop":
            incident_services.case_keep(
                incident=incident,
                actor=manager,
                reason="Inquest",
                review_on=timezone.localdate() + dt.timedelta(days=400),
            )
            return Target(
                reverse(name, args=[incident.pk]),
                manager,
                incident_forms.CaseKeepStopForm,
                {"reason": "Inquest ended"},
                records=[incident.retention_holds.get()],
            )
        return Target(
            reverse(name, args=[incident.pk]),
            manager,
            incident_forms.CaseDeleteForm,
            {"reason": "Retention review with the DPO"},
            records=[incident],
        )
    # --- rapid reviews
    rr = make_review()  # open, no requests yet
    if name == "rapid_reviews:requests-new":
        return Target(
            reverse(name, args=[rr.pk]),
            officer,
            review_forms.RequestsForm,
            {
                "agencies": [str(agencies["health"].pk)],
                **date_post("due_date", working_date(5)),
            },
            records=[rr],
            ids=ids,
        )
    if name.startswith("rapid_reviews:request-") or name == "rapid_reviews:contributor-return":
        (info,) = review_services.information_requests_create(
            rapid_review=rr,
            actor=officer,
            agencies=[agencies["police"]],
            due_date=timezone.localdate() + dt.timedelta(days=7),
            send=True,
        )
        if name == "rapid_reviews:request-send-back":
            return_and_submit(info, people["agency"])
        info.refresh_from_db()
        records = [rr, info]
        if name == "rapid_reviews:request-change":
            return Target(
                reverse(name, args=[rr.pk, info.pk]),
                officer,
                review_forms.RequestChangeForm,
                {
                    "contact": "DS Smith",
                    **date_post("due_date", working_date(7)),
                    "reason": "Asked for more time",
                },
                records=records,
            )
        if name == "rapid_reviews:request-send-back":
            return Target(
                reverse(name, args=[rr.pk, info.pk]),
                officer,
                review_forms.SendBackForm,
                {"note": "More please", **date_post("due_date", working_date(3))},
                records=[*records, info.agency_return],
            )
        return Target(
            reverse(name, args=[info.pk]),
            people["agency"],
            ReturnWithRows,
            {
                "involved": "yes",
                "involvement_summary": "We attended.",
                **date_post("chronology-0-date", good_date(30)),
                "chronology-0-what_happened": "Home visit",
            },
            records=records,
            # The management form is always sent: see test_a_return_without_its_management_form_...
            fixed={"chronology-TOTAL_FORMS": "2", "chronology-INITIAL_FORMS": "0"},
        )
    if name in ("rapid_reviews:meeting", "rapid_reviews:meeting:findings"):
        if name.endswith("findings"):
            rr = decide_and_sign(rr, officer, signers=())
        return Target(
            reverse("rapid_reviews:meeting", args=[rr.pk]),
            officer,
            review_forms.MeetingForm,
            {
                **date_post("meeting_date", good_date(0)),
                "attendees": "LA, police, health",
                "version": str(rr.version),
            },
            records=[rr],
        )
    today = good_date(0)
    if name == "rapid_reviews:decision":
        rr = review_services.rapid_review_record_meeting(
            rapid_review=rr,
            actor=officer,
            values={"meeting_date": timezone.localdate(), "attendees": "LA, police, health"},
        )
        return Target(
            reverse(name, args=[rr.pk]),
            officer,
            review_forms.DecisionForm,
            {
                "decision": "local_review",
                "criteria": ["improvements"],
                "rationale": "Because.",
                **date_post("decided_on", today),
                "version": str(rr.version),
            },
            records=[rr],
        )
    if name in ("rapid_reviews:withdraw-decision", "rapid_reviews:sign-off"):
        rr = decide_and_sign(rr, officer, signers=("health",))
        if name == "rapid_reviews:withdraw-decision":
            return Target(
                reverse(name, args=[rr.pk]),
                officer,
                review_forms.NoteForm,
                {"note": "Wrong criteria"},
                records=[rr, rr.sign_offs.get()],
            )
        return Target(
            reverse(name, args=[rr.pk, "police"]),
            officer,
            review_forms.SignOffForm,
            {"name": "Chief Supt Jones", "role": "", **date_post("signed_on", today)},
            records=[rr, rr.sign_offs.get()],
        )
    after_panel = name == "rapid_reviews:local-review-after-panel"
    rr = decide_and_sign(rr, officer, decision="no_local_review" if after_panel else "local_review")
    if name == "rapid_reviews:send-to-panel":
        return Target(
            reverse(name, args=[rr.pk]),
            officer,
            review_forms.SendToPanelForm,
            {**date_post("sent_on", today)},
            records=[rr],
        )
    rr = review_services.rapid_review_send_to_panel(
        rapid_review=rr, actor=officer, sent_on=timezone.localdate()
    )
    if name == "rapid_reviews:send-to-panel-correct":
        return Target(
            reverse(name, args=[rr.pk]),
            officer,
            review_forms.CorrectSentToPanelForm,
            {
                **date_post("sent_on", today),
                "reason": "Typed from the wrong email.",
                "version": str(rr.version),
            },
            records=[rr],
        )
    if name == "rapid_reviews:local-review-after-panel":
        rr = review_services.rapid_review_record_panel_response(
            rapid_review=rr,
            actor=officer,
            response="disagrees",
            responded_on=timezone.localdate(),
            note="The Panel thinks a local review would help.",
        )
        return Target(
            reverse(name, args=[rr.pk]),
            officer,
            review_forms.LocalReviewAfterPanelForm,
            {
                **date_post("decided_on", today),
                "rationale": "The Panel suggests one.",
                "version": str(rr.version),
            },
            records=[rr],
        )
    assert name == "rapid_reviews:panel-response"
    return Target(
        reverse(name, args=[rr.pk]),
        officer,
        review_forms.PanelResponseForm,
        {"response": "agrees", **date_post("responded_on", today), "note": ""},
        records=[rr],
    )


class ReturnWithRows:
    """The agency's return and two chronology rows, as one set of fields to generate."""

    base_fields = {
        **review_forms.ReturnForm.base_fields,
        "chronology-0-date": GDSDateField(what="the date of the contact"),
        "chronology-0-what_happened": forms.CharField(),
        "chronology-0-contact_type": forms.CharField(),
        "chronology-0-DELETE": forms.BooleanField(),
        "chronology-1-date": GDSDateField(what="the date of the contact"),
        "chronology-1-what_happened": forms.CharField(),
    }


@pytest.mark.parametrize("target", FORM_VIEWS, indirect=True)
def test_bad_input_never_breaks_a_form(client, target, settings):
    settings.AXES_ENABLED = False  # random failed sign-ins would lock the account
    run(client, target)


@pytest.mark.parametrize("target", ["rapid_reviews:contributor-return"], indirect=True)
def test_a_return_without_its_management_form_shows_an_error(client, target):
    sign_in(client, target.user)
    data = {k: v for k, v in target.valid.items() if not k.startswith("chronology-")}
    html = client.post(target.url, data).content.decode()
    assert "There is a problem" in html and "<title>Error:" in html
