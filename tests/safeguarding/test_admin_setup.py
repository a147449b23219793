"""Setting up a new partnership in the administration site: what an administrator types
is checked and said plainly, never a server error, and nothing that would break the
service later (a reference prefix, a reminder policy the sweep cannot read) is let in."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from safeguarding.models import Partnership
from tests.factories import UserFactory
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def _inline(prefix: str, rows=()) -> dict:
    """The management form (and rows) of an inline on an administration page."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def _add_partnership(client, region, code, closure_days=()):
    return client.post(
        reverse("admin:safeguarding_partnership_add"),
        {
            "region": region.pk,
            "name": "Northvale Safeguarding Children Partnership",
            "code": code,
            "local_authority": "Northvale Council",
            "contact_email": "nscp@northvale.example",
            "is_active": "on",
            **_inline("closure_days", closure_days),
        },
    )


def test_a_reference_code_taken_in_other_capitals_is_refused_not_a_server_error(
    admin_client, partnership, region
):
    """The code is kept in capitals: "bscp" passed the form's check against "BSCP" and
    then failed the database's, a server error."""
    response = _add_partnership(admin_client, region, partnership.code.lower())
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{partnership.name} already uses the code {partnership.code}" in page
    assert not Partnership.objects.filter(name__startswith="Northvale").exists()


@pytest.mark.parametrize("code", ["N-SCP", "NS CP", "NSCP/1", "N", "ÑSCP"])
def test_a_reference_code_is_letters_and_numbers_only(admin_client, region, code):
    """It starts every case reference (NSCP-2026-001) and the partnership's public
    address: a hyphen, a space or a slash in it made references that read wrongly and
    an address that cannot be made."""
    response = _add_partnership(admin_client, region, code)
    assert response.status_code == 200
    assert "Enter a code of 2 to 10 letters or numbers, like BSCP" in response.content.decode()
    assert not Partnership.objects.filter(name__startswith="Northvale").exists()


def test_a_reference_code_is_kept_in_capitals(admin_client, region):
    response = _add_partnership(admin_client, region, " nscp2 ")
    assert response.status_code == 302
    assert Partnership.objects.get(name__startswith="Northvale").code == "NSCP2"


def _add_named(client, region, name, code="NSCP"):
    return client.post(
        reverse("admin:safeguarding_partnership_add"),
        {
            "region": region.pk,
            "name": name,
            "code": code,
            "local_authority": "Northvale Council",
            "contact_email": "nscp@northvale.example",
            "is_active": "on",
            **_inline("closure_days"),
        },
    )


@pytest.mark.parametrize(
    "typed", ["Brookfield SCP", "brookfield scp", "BROOKFIELD SCP", " Brookfield  SCP "]
)
def test_a_partnership_name_taken_in_other_capitals_or_spacing_is_refused(
    admin_client, partnership, region, typed
):
    """Two partnerships called "Brookfield SCP" and "brookfield scp" could not be told
    apart in any list, filter or e-mail."""
    response = _add_named(admin_client, region, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Brookfield SCP is already a partnership: give this one another name" in page
    assert page.count("is already a partnership") == 1  # one message, not Django's too
    assert "with this Name already exists" not in page
    assert Partnership.objects.count() == 1


def test_a_taken_name_and_a_wrong_code_are_said_at_once(admin_client, partnership, region):
    page = _add_named(admin_client, region, "brookfield scp", code="N-SCP").content.decode()
    assert "Brookfield SCP is already a partnership: give this one another name" in page
    assert "Enter a code of 2 to 10 letters or numbers, like BSCP" in page


def test_a_partnerships_own_name_can_be_recapitalised(admin_client, partnership, region):
    response = admin_client.post(
        reverse("admin:safeguarding_partnership_change", args=[partnership.pk]),
        {
            "region": region.pk,
            "name": "BROOKFIELD SCP",
            "code": partnership.code,
            "local_authority": partnership.local_authority,
            "contact_email": partnership.contact_email,
            "is_active": "on",
            **_inline("closure_days"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    partnership.refresh_from_db()
    assert partnership.name == "BROOKFIELD SCP"


def test_the_database_refuses_a_partnership_name_in_other_capitals(partnership):
    """The check above is the form's; the database's constraint stops any other way in
    (a script, two administrators at once)."""
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(
            name=partnership.name.upper(),
            code="OTHER",
            local_authority="Elsewhere",
            contact_email="x@example.org",
        )


# --- Reminder policies --------------------------------------------------------------------


def _add_policy(client, days_before, partnership=None, kind="agency_return"):
    return client.post(
        reverse("admin:safeguarding_reminderpolicy_add"),
        {
            "partnership": partnership.pk if partnership else "",
            "kind": kind,
            "days_before": days_before,
            "on_the_day": "on",
            "overdue_every": "2",
            "escalate": "on",
            "enabled": "on",
        },
    )


@pytest.mark.parametrize(
    "typed, stored", [("3, 1", [3, 1]), ("5 3 1", [5, 3, 1]), ("[3, 1]", [3, 1]), ("", [])]
)
def test_a_reminder_policys_days_are_typed_as_numbers_not_json(
    admin_client, partnership, typed, stored
):
    from safeguarding.models import ReminderPolicy

    response = _add_policy(admin_client, typed, partnership)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ReminderPolicy.objects.get().days_before == stored
    policy = ReminderPolicy.objects.get()
    page = admin_client.get(
        reverse("admin:safeguarding_reminderpolicy_change", args=[policy.pk])
    ).content.decode()
    assert f'value="{", ".join(map(str, stored))}"' in page


@pytest.mark.parametrize(
    "typed, error",
    [
        ("7; x", "Enter working days as whole numbers separated by commas, like 3, 1"),
        ('{"a": 1}', "Enter working days as whole numbers separated by commas, like 3, 1"),
        ("1.5", "Enter working days as whole numbers separated by commas, like 3, 1"),
        ("0", "Enter working days from 1 to 60"),
        ("3, 500", "Enter working days from 1 to 60"),
    ],
)
def test_a_reminder_policy_the_sweep_could_not_read_is_refused(
    admin_client, partnership, typed, error
):
    """The field took any JSON: "7" or {"a": 1} was saved, and the next sweep failed on
    it, stopping every partnership's reminders."""
    from safeguarding.models import ReminderPolicy

    response = _add_policy(admin_client, typed, partnership)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ReminderPolicy.objects.exists()


def test_the_model_refuses_days_that_are_not_a_list_of_whole_numbers(partnership):
    from django.core.exceptions import ValidationError

    from safeguarding.models import ReminderPolicy

    for days in (7, {"a": 1}, ["x"], [1.5], [True], [0], [61]):
        with pytest.raises(ValidationError) as error:
            ReminderPolicy(
                partnership=partnership, kind="agency_return", days_before=days
            ).full_clean()
        assert "days_before" in error.value.message_dict
    ReminderPolicy(partnership=partnership, kind="agency_return", days_before=[5, 1]).full_clean()


def test_an_unreadable_policy_already_stored_does_not_stop_the_sweep(partnership, caplog):
    """A row saved before the check (or by hand) is read as the service's default days,
    and logged, rather than failing every partnership's sweep."""
    from safeguarding import reminders
    from safeguarding.models import ReminderPolicy

    ReminderPolicy.objects.create(partnership=partnership, kind="agency_return", days_before=7)
    table = reminders.policy_table()
    assert table[(partnership.pk, "agency_return")].days_before == (3, 1)
    assert "reminder policy" in caplog.text.lower()


def test_a_second_policy_for_the_same_kind_is_refused_in_words(admin_client, partnership):
    _add_policy(admin_client, "3, 1", partnership)
    page = _add_policy(admin_client, "2", partnership).content.decode()
    assert "This partnership already has a reminder policy for this kind of deadline" in page
    assert "reminder_policy_one_per_partnership_kind" not in page
    _add_policy(admin_client, "3, 1")
    page = _add_policy(admin_client, "2").content.decode()
    assert "There is already a default reminder policy for this kind of deadline" in page
    assert "reminder_policy_one_default_per_kind" not in page


# --- The first manager: invited from the administration site ---------------------------


def _add_user(client, email, full_name, memberships, password=""):
    return client.post(
        reverse("admin:safeguarding_user_add"),
        {
            "email": email,
            "full_name": full_name,
            "password1": password,
            "password2": password,
            **_inline("memberships", memberships),
        },
    )


def _link(message) -> str:
    import re

    return re.search(r"https?://[^/\s]+(/password-reset/\S+/\S+/)", message.body).group(1)


def test_the_first_manager_is_invited_by_e_mail_and_chooses_their_own_password(
    client, partnership, django_capture_on_commit_callbacks, settings
):
    """An administrator adding the first manager had to invent a password for them and
    pass it on some other way: nothing was e-mailed. Now they leave the password empty,
    and the person is e-mailed a link to choose their own, as a manager's invitation
    does on the People page."""
    from django.core import mail

    from safeguarding.models import Membership, Role, User

    settings.CELERY_TASK_ALWAYS_EAGER = True
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = _add_user(
            client,
            "Nadia.Okafor@Northvale.example",
            "Nadia Okafor",
            [{"role": Role.PARTNERSHIP_MANAGER, "partnership": partnership.pk}],
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="nadia.okafor@northvale.example")
    assert user.has_usable_password()  # a random one no one knows, as on the People page
    assert Membership.objects.get(user=user).invitation_untold_since is None  # sent
    (invitation,) = mail.outbox
    assert invitation.to == [user.email]
    assert f"Partnership manager, {partnership.name}" in invitation.body
    # They are the partnership's business manager: whoever gave them the role is one of
    # the service's administrators.
    told_whom = f"If you did not expect this, tell the administrators of {settings.SERVICE_NAME}."
    for part in (invitation.body, invitation.alternatives[0][0]):
        assert "tell the partnership’s business manager" not in part.replace("&#x27;", "'")
        assert told_whom in part
    told = [str(m) for m in client.get(response.url).context["messages"]]
    assert any("We have emailed nadia.okafor@northvale.example" in m for m in told), told

    # The link lets them choose a password, and then sign in with it.
    client.logout()
    form_url = client.get(_link(invitation), follow=True).redirect_chain[-1][0]
    new = "a-much-longer-new-passphrase"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    signed_in = client.post(
        reverse("safeguarding:sign-in"), {"username": user.email, "password": new}
    )
    assert signed_in.status_code == 302


def test_the_add_person_page_says_the_password_may_be_left_empty(admin_client):
    page = admin_client.get(reverse("admin:safeguarding_user_add")).content.decode()
    assert "Leave both password boxes empty" in page


def test_a_role_given_to_someone_who_has_signed_in_tells_them_to_sign_in_as_usual(
    admin_client, people, other_partnership, django_capture_on_commit_callbacks, settings
):
    from django.core import mail

    from safeguarding.models import Role

    settings.CELERY_TASK_ALWAYS_EAGER = True
    officer = people["officer"]
    officer.last_login = officer.date_joined
    officer.save(update_fields=["last_login"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:safeguarding_membership_add"),
            {
                "user": officer.pk,
                "role": Role.PARTNERSHIP_MANAGER,
                "partnership": other_partnership.pk,
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    (notice,) = mail.outbox
    assert notice.to == [officer.email]
    assert f"Partnership manager, {other_partnership.name}" in notice.body
    assert "Sign in as usual" in notice.body


def test_a_regional_viewer_is_told_their_region(
    admin_client, region, django_capture_on_commit_callbacks, settings
):
    """The invitation named the partnership only: a regional viewer's read "Regional
    viewer, ." with no region."""
    from django.core import mail

    from safeguarding.models import Role

    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        response = _add_user(
            admin_client,
            "viewer@midshire.example",
            "Joanne Carter",
            [{"role": Role.REGIONAL_VIEWER, "region": region.pk}],
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    (invitation,) = mail.outbox
    assert f"Regional viewer, {region.name}" in invitation.body
    assert "Regional viewer, ." not in invitation.body
    assert "business manager" not in invitation.body
    assert f"If you did not expect this, tell the administrators of {settings.SERVICE_NAME}." in (
        invitation.body
    )
    assert invitation.subject.startswith(f"{region.name} has given you a role")


def test_changing_someones_details_sends_them_nothing(
    admin_client, people, django_capture_on_commit_callbacks, settings
):
    from django.core import mail

    settings.CELERY_TASK_ALWAYS_EAGER = True
    officer = people["officer"]
    membership = officer.memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:safeguarding_user_change", args=[officer.pk]),
            {
                "email": officer.email,
                "full_name": "Officer Renamed",
                "job_title": "",
                "reminder_preference": officer.reminder_preference,
                "is_active": "on",
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "1",
                "memberships-MIN_NUM_FORMS": "0",
                "memberships-MAX_NUM_FORMS": "1000",
                "memberships-0-id": membership.pk,
                "memberships-0-user": officer.pk,
                "memberships-0-role": membership.role,
                "memberships-0-partnership": membership.partnership_id,
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert mail.outbox == []


# --- Closure days ---------------------------------------------------------------------------


def _closure_errors(partnership, day):
    from django.core.exceptions import ValidationError

    from safeguarding.models import ClosureDay

    try:
        ClosureDay(partnership=partnership, date=day, reason="Office closed").full_clean()
    except ValidationError as error:
        return error.message_dict.get("date", [])
    return []


def _weekday(start):
    import datetime as dt

    from safeguarding import calendar

    day = start
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def test_a_closure_day_is_a_day_the_business_unit_would_otherwise_work(partnership):
    """A weekend or a bank holiday was taken, and then listed twice in "Why this date?"."""
    import datetime as dt

    from django.utils import timezone

    from safeguarding import calendar

    today = timezone.localdate()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    assert _closure_errors(partnership, saturday) == [
        f"{saturday:%-d %B %Y} is a Saturday: it is not a working day anyway"
    ]
    holiday, name = next(iter(calendar.bank_holidays(today.year + 1).items()))
    assert _closure_errors(partnership, holiday) == [
        f"{holiday:%-d %B %Y} is a bank holiday ({name}): it is not a working day anyway"
    ]
    assert _closure_errors(partnership, _weekday(today + dt.timedelta(days=10))) == []


def test_a_closure_day_far_in_the_past_or_future_is_refused(partnership):
    """1999 and 2126 were both taken: a typing slip of the year."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    first = dt.date(today.year - 1, 1, 1)
    last = dt.date(today.year + 2, 12, 31)
    too_early = _weekday(dt.date(today.year - 2, 6, 1))
    too_late = _weekday(dt.date(today.year + 3, 6, 1))
    assert _closure_errors(partnership, too_early) == [
        f"Enter a date from {first:%-d %B %Y} to {last:%-d %B %Y}"
    ]
    assert _closure_errors(partnership, too_late) == [
        f"Enter a date from {first:%-d %B %Y} to {last:%-d %B %Y}"
    ]
    assert _closure_errors(partnership, _weekday(first)) == []
    assert _closure_errors(partnership, _weekday(dt.date(today.year + 2, 12, 1))) == []


def test_an_old_closure_day_already_kept_does_not_stop_the_partnership_being_saved(
    admin_client, partnership
):
    """Only a date typed now is checked: the partnership's page, with its closure days
    listed, is saved as it was with one from years ago."""
    import datetime as dt

    from safeguarding.models import ClosureDay

    old = ClosureDay.objects.create(
        partnership=partnership, date=_weekday(dt.date(2019, 5, 1)), reason="Old"
    )
    data = {
        "region": partnership.region_id,
        "name": partnership.name,
        "code": partnership.code,
        "local_authority": partnership.local_authority,
        "contact_email": partnership.contact_email,
        "is_active": "on",
        **_inline(
            "closure_days",
            [
                {
                    "id": old.pk,
                    "partnership": partnership.pk,
                    "date": old.date.isoformat(),
                    "reason": "Old",
                }
            ],
        ),
        "closure_days-INITIAL_FORMS": "1",
    }
    response = admin_client.post(
        reverse("admin:safeguarding_partnership_change", args=[partnership.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def test_the_partnership_page_refuses_a_weekend_closure_day_in_words(admin_client, region):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    response = _add_partnership(
        admin_client,
        region,
        "NSCP",
        [{"date": saturday.isoformat(), "reason": "Office closed"}],
    )
    assert response.status_code == 200
    assert "is a Saturday: it is not a working day anyway" in response.content.decode()


# --- Agencies -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["midshire police", "MIDSHIRE POLICE", "Midshire  Police"])
def test_an_agency_is_not_added_twice_under_other_capitals_or_spacing(
    admin_client, agency, other_partnership, typed
):
    """ "midshire police" beside "Midshire Police" made a second agency: its requests,
    contributors and actions split between the two."""
    from safeguarding.models import Agency

    response = admin_client.post(
        reverse("admin:safeguarding_agency_add"),
        {"name": typed, "kind": Agency.Kind.POLICE, "partnerships": [other_partnership.pk]},
    )
    assert response.status_code == 200
    assert (
        "Midshire Police is already an agency: add the partnership to it instead"
        in response.content.decode()
    )
    assert Agency.objects.count() == 1


def test_an_agencys_own_name_can_be_recapitalised(admin_client, agency, partnership):
    from safeguarding.models import Agency

    response = admin_client.post(
        reverse("admin:safeguarding_agency_change", args=[agency.pk]),
        {"name": "MIDSHIRE Police", "kind": Agency.Kind.POLICE, "partnerships": [partnership.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:3000]


# --- The administration site's own words ----------------------------------------------------


def test_the_administration_site_is_named_for_the_service_not_django(admin_client, settings):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Django administration" not in page and "Django site admin" not in page
    assert f"{settings.SERVICE_NAME}: administration" in page
    assert "Reminder sents" not in page and "Reminders sent" in page


def test_the_agency_list_shows_which_partnerships_each_works_with(
    admin_client, agency, partnership, other_partnership
):
    page = admin_client.get(reverse("admin:safeguarding_agency_changelist")).content.decode()
    assert "Works with" in page
    assert f"{other_partnership.code}, {partnership.code}" in page


def test_the_set_up_fields_say_what_they_are_for(admin_client):
    partnership_page = admin_client.get(
        reverse("admin:safeguarding_partnership_add")
    ).content.decode()
    assert "agencies with no account are told to ask this address" in partnership_page
    assert "Untick to switch the partnership off" in partnership_page
    agency_page = admin_client.get(reverse("admin:safeguarding_agency_add")).content.decode()
    assert "when no one at the agency has an account" in agency_page
    region_page = admin_client.get(reverse("admin:safeguarding_region_add")).content.decode()
    assert "Lower-case letters, numbers and hyphens" in region_page


#: Words of the project's own fields and columns that read as code to a business manager.
CODE_WORDS = re.compile(
    r"\b(?:[a-z]+_[a-z_]+|Slug|Is active|Repr|Ip address|Object id|Object type|Actor|"
    r"Superuser|Designates|Kind|Occurred at|Object repr|Last login)\b"
)


def _words_shown(html: str) -> list[str]:
    """A page's field labels, column headings, filter titles and help texts, as text."""
    found = []
    for pattern in (
        r"<label[^>]*>(.*?)</label>",
        r'<th[^>]*scope="col"[^>]*>(.*?)</th>',
        r"<summary[^>]*>(.*?)</summary>",
        r'<div class="help"[^>]*>(.*?)</div>',
    ):
        found += [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", x)).split())
            for x in re.findall(pattern, html, re.S)
        ]
    return [text for text in found if text]


def test_the_pages_of_the_projects_own_records_speak_plainly(
    admin_client, people, partnership, agency
):
    """The labels, columns, filters and help texts of the administration pages of the
    project's own records (not Django's or a library's pages) read as words, not code:
    no snake_case, "Slug", "Is active", "Object repr", "Ip address" or "Superuser
    status: Designates that this user has all permissions…"."""
    from django.contrib import admin

    from lcspr.models import LearningTheme
    from safeguarding.audit import Action, audit_record

    LearningTheme.objects.get_or_create(slug="neglect", defaults={"name": "Neglect"})
    audit_record(actor=people["manager"], action=Action.SIGN_IN, obj=people["manager"])
    ours = {"safeguarding", "notifications", "rapid_reviews", "lcspr"}
    wrong = {}
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in ours:
            continue
        name = f"admin:{meta.app_label}_{meta.model_name}"
        urls = [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{name}_change", args=[first.pk]))
        for url in urls:
            response = admin_client.get(url)
            if response.status_code != 200:  # a page that adds nothing, a hidden one
                continue
            page = response.content.decode()
            bad = [words for words in _words_shown(page) if CODE_WORDS.search(words)]
            title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
            if CODE_WORDS.search(title):
                bad.append(f"title: {title}")
            if bad:
                wrong[url] = bad
    assert not wrong, "\n".join(f"{url}: {bad}" for url, bad in wrong.items())


def test_a_persons_page_says_whether_they_have_a_password_in_words_not_its_hash(
    admin_client, people
):
    """The page showed "algorithm: pbkdf2_sha256 iterations: … salt: … hash: …"."""
    officer = people["officer"]
    officer.last_login = officer.date_joined  # they have signed in: the password is theirs
    officer.save(update_fields=["last_login"])
    url = reverse("admin:safeguarding_user_change", args=[officer.pk])
    page = admin_client.get(url).content.decode()
    assert "salt" not in page and "algorithm" not in page
    assert "They have a password. No one, administrators included, can see it." in page
    officer.set_unusable_password()
    officer.save(update_fields=["password"])
    page = admin_client.get(url).content.decode()
    assert "Their password is switched off: they cannot sign in." in page


def test_a_persons_page_says_an_invited_person_has_not_chosen_a_password_yet(
    admin_client, people, partnership, django_capture_on_commit_callbacks
):
    """Someone invited who has not used the link has only a random password no one knows:
    the page said "They have a password" of them. It says they have not chosen one, and
    when the invitation went (or that it has not gone yet)."""
    import datetime as dt

    from django.utils import timezone

    from safeguarding.dates import full_date
    from safeguarding.models import Membership, Role, User

    sam = User.objects.create_user(email="sam.lee@example.org", full_name="Sam Lee")
    sam.set_password("a-random-one-no-one-knows-123")
    sam.save(update_fields=["password"])
    given = timezone.now() - dt.timedelta(days=2)
    role = Membership.objects.create(
        user=sam, partnership=partnership, role=Role.REVIEW_OFFICER, since=given
    )
    url = reverse("admin:safeguarding_user_change", args=[sam.pk])

    def said():
        page = " ".join(unescape(admin_client.get(url).content.decode()).split())
        assert "They have a password" not in page
        return page

    assert (
        "Not chosen yet: they have not used the link in their invitation, emailed on "
        f"{full_date(timezone.localdate(given))}." in said()
    )
    role.invitation_untold_since = timezone.now()
    role.save(update_fields=["invitation_untold_since"])
    assert "Not chosen yet: their invitation has not been emailed yet." in said()
    role.delete()
    assert "Not chosen yet: no invitation has been emailed (they have no role)." in said()
    # A password an administrator typed when making an account is a password.
    response = _add_user(
        admin_client, "nia.evans@example.org", "Nia Evans", [], "A-long-enough-passw0rd!"
    )
    assert response.status_code == 302
    nia = User.objects.get(email="nia.evans@example.org")
    page = admin_client.get(reverse("admin:safeguarding_user_change", args=[nia.pk]))
    assert "They have a password. No one" in page.content.decode()
    # Once they have signed in, the password is theirs.
    sam.last_login = timezone.now()
    sam.save(update_fields=["last_login"])
    page = admin_client.get(url).content.decode()
    assert "They have a password. No one, administrators included, can see it." in page


def test_a_code_that_starts_another_partnerships_references_is_refused(
    admin_client, partnership, region, people
):
    """A partnership that changed its code leaves its old references as they were: a new
    partnership given the old code would make the same references again, and logging
    its first incident failed on the references' uniqueness, a server error."""
    from notifications.models import Incident

    Incident.objects.create(
        partnership=partnership,
        reference="OLD-2026-001",
        year=2026,
        sequence=1,
        awareness_date=dt.date(2026, 11, 2),
        notification_due=dt.date(2026, 11, 9),
        created_by=people["officer"],
    )
    response = _add_partnership(admin_client, region, "old")
    assert response.status_code == 200
    assert (
        f"{partnership.name}’s case references start with OLD: choose another"
        in response.content.decode()
    )


def test_a_closure_day_taken_twice_says_which_day_plainly(admin_client, partnership):
    """Django's "Closure day with this Partnership and Date already exists." named the
    model and its fields; the administrator is told which day, in words."""
    from safeguarding.models import ClosureDay

    day = dt.date(2026, 12, 24)
    ClosureDay.objects.create(partnership=partnership, date=day, reason="Office closed")
    response = admin_client.post(
        reverse("admin:safeguarding_closureday_add"),
        {"partnership": partnership.pk, "date": "2026-12-24", "reason": "Again"},
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "This partnership already has a closure day on 24 December 2026" in page
    assert "already exists" not in page
    assert ClosureDay.objects.filter(partnership=partnership).count() == 1
    # The same on the partnership's own page, where closure days are listed under it.
    data = {
        "region": partnership.region_id,
        "name": partnership.name,
        "code": partnership.code,
        "local_authority": partnership.local_authority,
        "contact_email": partnership.contact_email,
        "is_active": "on",
        **_inline("closure_days", [{"date": "2026-12-24", "reason": "Again"}]),
    }
    response = admin_client.post(
        reverse("admin:safeguarding_partnership_change", args=[partnership.pk]), data
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "This partnership already has a closure day on 24 December 2026" in page
    assert "already exists" not in page


def test_a_closure_day_listed_twice_on_the_partnership_page_says_which_day(
    admin_client, partnership
):
    data = {
        "region": partnership.region_id,
        "name": partnership.name,
        "code": partnership.code,
        "local_authority": partnership.local_authority,
        "contact_email": partnership.contact_email,
        "is_active": "on",
        **_inline(
            "closure_days",
            [{"date": "2026-12-24", "reason": "One"}, {"date": "2026-12-24", "reason": "Two"}],
        ),
    }
    response = admin_client.post(
        reverse("admin:safeguarding_partnership_change", args=[partnership.pk]), data
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "This partnership already has a closure day on 24 December 2026" in page
    assert "duplicate data" not in page
    assert not partnership.closure_days.exists()


def test_an_invited_persons_page_offers_to_send_the_invitation_again(
    admin_client, people, partnership, smtp, django_capture_on_commit_callbacks
):
    """Someone invited who has not chosen a password: their page said to use "I have
    forgotten my password", as for someone who had one. It offers to send the invitation
    again (a fresh link to choose one), which sends it; once they have signed in, the
    page says what it said, and there is no invitation to send again."""
    from django.utils import timezone

    from safeguarding.models import Membership, Role, User

    sam = User.objects.create_user(email="sam.lee@example.org", full_name="Sam Lee")
    sam.set_password("a-random-one-no-one-knows-123")
    sam.save(update_fields=["password"])
    Membership.objects.create(user=sam, partnership=partnership, role=Role.REVIEW_OFFICER)
    url = reverse("admin:safeguarding_user_change", args=[sam.pk])
    again = reverse("admin:safeguarding_user_invitation_again", args=[sam.pk])

    page = " ".join(unescape(admin_client.get(url).content.decode()).split())
    assert "I have forgotten my password" not in page
    assert f'<a href="{again}">Send the invitation again</a>' in page
    confirm = " ".join(unescape(admin_client.get(again).content.decode()).split())
    assert "Sam Lee" in confirm and "a new link to choose their password" in confirm

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(again)
    assert response.status_code == 302 and response.url == url
    (message,) = smtp
    assert message["To"] == "sam.lee@example.org"
    from tests.mail_server import text_of

    assert "/password-reset/" in text_of(message)
    # It sends a link that sets a password: audited against the person, by whom.
    from safeguarding.models import AuditEvent

    (sent,) = AuditEvent.objects.filter(object_type="safeguarding.user", object_id=str(sam.pk))
    assert sent.actor is not None and sent.actor.is_superuser
    assert sent.partnership == partnership
    assert sent.changes["invitation"] == "sent again"
    assert "We have emailed sam.lee@example.org their invitation again" in " ".join(
        unescape(admin_client.get(url).content.decode()).split()
    )

    sam.last_login = timezone.now()
    sam.save(update_fields=["last_login"])
    page = admin_client.get(url).content.decode()
    assert "I have forgotten my password" in unescape(page) and again not in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(again)
    assert len(smtp) == 1
    assert AuditEvent.objects.filter(changes__invitation="sent again").count() == 1


@pytest.mark.parametrize("why", ["password", "switched off", "no role"])
def test_no_invitation_to_send_again_says_why(admin_client, partnership, smtp, why):
    """Nothing to send again: the message and the page give the reason that applies
    (a password chosen, the account switched off, or no role), not always the first."""
    from django.utils import timezone

    from safeguarding.models import Membership, Role, User

    sam = User.objects.create_user(email="sam.lee@example.org", full_name="Sam Lee")
    if why != "no role":
        Membership.objects.create(user=sam, partnership=partnership, role=Role.REVIEW_OFFICER)
    if why == "password":
        sam.last_login = timezone.now()
    if why == "switched off":
        sam.is_active = False
    sam.save()
    again = reverse("admin:safeguarding_user_invitation_again", args=[sam.pk])
    said = {
        "password": "sam.lee@example.org has chosen a password already",
        "switched off": "The account of sam.lee@example.org is switched off",
        "no role": "sam.lee@example.org has no role",
    }
    confirm = " ".join(unescape(admin_client.get(again).content.decode()).split()).lower()
    response = admin_client.post(again, follow=True)
    # (The message shown starts with a capital: "Sam.lee@…".)
    page = " ".join(unescape(response.content.decode()).split()).lower()
    assert smtp == []
    for reason, text in said.items():
        assert (text.lower() in page) == (reason == why), reason
        assert (text.lower() in confirm) == (reason == why), reason
