"""A person is e-mailed when their sign-in changes (password, authenticator app, a
recovery code used), through a real SMTP server (aiosmtpd), by the real Celery task run
in-process, once the change is committed."""

import re

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.audit import Action, audit_record
from safeguarding.models import AuditEvent
from tests.mail_server import subject_of, subject_words
from tests.mail_server import text_of as _text
from tests.utils import sign_in, totp_code

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_changed_password_is_told_to_its_owner(
    client, people, smtp, django_capture_on_commit_callbacks
):
    officer = people["officer"]
    sign_in(client, officer)
    new = "a-much-longer-new-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("safeguarding:password-change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
            REMOTE_ADDR="198.51.100.23",
        )
    assert response.status_code == 302
    assert len(smtp) == 1
    message = smtp[0]
    assert message["To"] == officer.email
    assert subject_words(message) == "Your password was changed"
    text = _text(message)
    assert "198.51.100.23" in text and "If it was not you" in text
    assert reverse("safeguarding:password-reset") in text
    assert officer.full_name not in text  # nothing but the change itself


def test_a_password_reset_by_link_is_audited_and_told(
    client, people, smtp, settings, django_capture_on_commit_callbacks, eager_tasks
):
    """Someone who has signed in before chooses a new password by the link: a change."""
    officer = people["officer"]
    sign_in(client, officer)
    client.logout()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(reverse("safeguarding:password-reset"), {"email": officer.email})
    link = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    new = "a-much-longer-new-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_url, {"new_password1": new, "new_password2": new})
    event = AuditEvent.objects.get(action=Action.PASSWORD_CHANGED, actor=officer)
    assert event.changes == {"method": "reset link"}
    assert [subject_words(m) for m in smtp] == ["Your password was changed"]


def test_a_new_authenticator_is_told(
    client, people, smtp, settings, django_capture_on_commit_callbacks
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    officer = people["officer"]
    sign_in(client, officer)
    setup = reverse("safeguarding:two-factor-setup")
    client.get(setup)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(setup, {"code": totp_code(device)}).status_code == 302
    assert [subject_words(m) for m in smtp] == ["An authenticator app was set up for your account"]
    assert smtp[0]["To"] == officer.email


def test_new_recovery_codes_are_told_and_audited_as_that_not_as_a_new_app(
    client, people, smtp, django_capture_on_commit_callbacks
):
    """Getting new recovery codes was recorded and told as "Set up two-factor
    authentication" and "An authenticator app was set up": alarming, and untrue."""
    from tests.mail_server import every_part_of
    from tests.utils import authenticator_for

    manager = people["manager"]
    authenticator_for(manager)
    sign_in(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("safeguarding:recovery-codes-renew"), REMOTE_ADDR="198.51.100.23"
        )
    assert response.status_code == 302
    event = AuditEvent.objects.get(actor=manager, action=Action.RECOVERY_CODES_NEW)
    assert event.get_action_display() == "Got new recovery codes"
    assert not AuditEvent.objects.filter(actor=manager, action=Action.TWO_FACTOR_SET_UP).exists()
    (notice,) = smtp
    assert subject_words(notice) == "New recovery codes were made for your account"
    whole = " ".join(every_part_of(notice).split())
    assert "authenticator app was set up" not in whole
    assert "The recovery codes you had before no longer work." in whole
    assert "198.51.100.23" in whole and "If it was not you" in whole


def test_the_recovery_code_notice_says_how_to_get_new_codes_or_set_up_a_new_phone(
    people, smtp, settings, django_capture_on_commit_callbacks
):
    """As the banner after signing in with a recovery code says: new codes from "Your
    account", and a lost phone means setting up the authenticator app again."""
    officer = people["officer"]
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor=officer, action=Action.RECOVERY_CODE_USED)
    (notice,) = smtp
    account = settings.SITE_URL + reverse("safeguarding:account")
    setup = settings.SITE_URL + reverse("safeguarding:two-factor-setup")
    text = " ".join(_text(notice).split())
    assert (
        f"If you are running out of recovery codes, get new ones from Your account: {account}"
        in text
    )
    assert f"If you have lost your phone, set up your authenticator app again: {setup}" in text
    html = next(p for p in notice.walk() if p.get_content_type() == "text/html")
    html = " ".join(html.get_payload(decode=True).decode().split())
    assert f'href="{account}"' in html and f'href="{setup}"' in html


def test_nothing_is_sent_for_a_change_that_is_rolled_back(
    people, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_record(actor=people["officer"], action=Action.PASSWORD_CHANGED)
            raise RuntimeError("the change failed")
    assert smtp == []


def test_no_notice_for_other_events_or_a_switched_off_account(
    people, smtp, django_capture_on_commit_callbacks
):
    officer = people["officer"]
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor=officer, action=Action.SIGN_IN)
        officer.is_active = False
        officer.save(update_fields=["is_active"])
        audit_record(actor=officer, action=Action.PASSWORD_CHANGED)
    assert smtp == []


def _choose_by_link(link: str, new: str, capture, heading: str):
    """Open a password link in a browser of its own (its page headed `heading`) and
    choose `new`: the page that follows."""
    from django.test import Client

    browser = Client(REMOTE_ADDR="203.0.113.40")
    form = browser.get(link.split("8000", 1)[-1], follow=True)
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in form.content.decode()
    form_url = form.redirect_chain[-1][0]
    with capture(execute=True):
        done = browser.post(form_url, {"new_password1": new, "new_password2": new}, follow=True)
    assert done.status_code == 200
    return done.content.decode()


FIRST, AGAIN = "Choose your password", "Choose a new password"


def test_choosing_a_first_password_from_an_invitation_is_not_told_as_a_change(
    client, people, partnership, smtp, django_capture_on_commit_callbacks
):
    """An invited person chose the password of an account made for them (it had only a
    random one no one knew): no "your password was changed" e-mail, which would alarm
    them with "if it was not you". A later reset, even before they first sign in, is a
    change of a password they chose: told."""
    from safeguarding.models import Role, User

    sign_in(client, people["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("safeguarding:person-add", args=[partnership.pk]),
            {"full_name": "Sam Lee", "email": "sam.lee@example.org", "role": Role.REVIEW_OFFICER},
        )
    (invitation,) = smtp
    sam = User.objects.get(email="sam.lee@example.org")
    link = re.search(r"http\S+/password-reset/\S+/\S+/", _text(invitation)).group(0)
    page = _choose_by_link(
        link, "a-much-longer-first-passphrase", django_capture_on_commit_callbacks, FIRST
    )
    assert len(smtp) == 1, [subject_of(m) for m in smtp[1:]]
    assert "Password set" in page and "Password changed" not in page
    assert "When you sign in, you will set up two-factor authentication." in " ".join(page.split())
    event = AuditEvent.objects.get(action=Action.PASSWORD_CHANGED, actor=sam)
    assert event.changes == {"method": "reset link", "first_password": True}

    client.logout()
    client.post(reverse("safeguarding:password-reset"), {"email": sam.email})
    reset = smtp[-1]
    assert reset["To"] == sam.email and len(smtp) == 2
    link = re.search(r"http\S+/password-reset/\S+/\S+/", _text(reset)).group(0)
    page = _choose_by_link(
        link, "another-much-longer-passphrase", django_capture_on_commit_callbacks, AGAIN
    )
    assert "Password changed" in page
    assert [subject_words(m) for m in smtp[2:]] == ["Your password was changed"]
    assert "203.0.113.40" in _text(smtp[-1])  # their own change: from their own address
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED, actor=sam).count() == 2


def test_a_first_password_after_an_administrator_turned_the_random_one_off_is_not_a_change(
    client, people, partnership, smtp, django_capture_on_commit_callbacks
):
    """Turning off a password no one knew does not give the person one: the password
    they choose next, by an invitation's link, is still their first."""
    from safeguarding import security_notices
    from safeguarding.models import User

    invited = User.objects.create_user(email="nia.evans@example.org", full_name="Nia Evans")
    admin = User.objects.create_superuser(
        email="root@example.org", full_name="Root", password="x" * 20
    )
    assert security_notices.first_password(invited)
    with django_capture_on_commit_callbacks(execute=True):
        invited.set_unusable_password()
        invited.save(update_fields=["password"])
        audit_record(
            actor=admin,
            action=Action.PASSWORD_CHANGED,
            obj=invited,
            changes={"method": "administration site", "usable": False},
        )
    assert security_notices.first_password(invited)
    invited.last_login = invited.date_joined
    invited.save(update_fields=["last_login"])
    assert not security_notices.first_password(invited)


@pytest.mark.parametrize(
    ("who", "tell"), [("officer", "your business manager"), ("manager", "the administrators of ")]
)
def test_the_notice_says_whom_to_tell_by_the_persons_role(
    client, people, smtp, django_capture_on_commit_callbacks, who, tell
):
    """A partnership manager is the business manager: their notice sends them to the
    service's administrators, who can switch the account off; anyone else to theirs."""
    person = people[who]
    sign_in(client, person)
    new = "a-much-longer-new-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("safeguarding:password-change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
    assert [m["To"] for m in smtp] == [person.email]
    text = " ".join(_text(smtp[0]).split())
    assert f"- tell {tell}" in text and "who can switch the account off" in text
    if who == "manager":
        assert "business manager" not in text


def test_a_lockout_is_told_to_the_owner_once_and_never_to_the_person_typing(
    people, smtp, settings, django_capture_on_commit_callbacks
):
    """Too many wrong passwords lock the account's sign-in: its owner is e-mailed once
    for the lockout (not for each refused attempt), with what to do; the page says the
    same as for an address with no account."""
    from django.test import Client

    officer = people["officer"]
    sign_in_url = reverse("safeguarding:sign-in")
    browser = Client(REMOTE_ADDR="203.0.113.9")

    def attempts(email, times):
        with django_capture_on_commit_callbacks(execute=True):
            return [
                browser.post(sign_in_url, {"username": email, "password": "wrong"})
                for _ in range(times)
            ]

    tries = attempts(officer.email, settings.AXES_FAILURE_LIMIT + 3)
    assert [r.status_code for r in tries[-4:]] == [429] * 4
    (notice,) = smtp
    assert notice["To"] == officer.email
    assert subject_words(notice) == (
        "Sign-in to your account was locked after too many failed attempts"
    )
    text = " ".join(_text(notice).split())
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() // 60
    assert f"You can sign in again after {minutes:.0f} minutes." in text
    assert settings.SITE_URL + reverse("safeguarding:password-reset") in text
    assert "203.0.113.9" in text
    # The person typing sees what anyone locked out sees, account or not.
    nobody = attempts("nobody@example.org", settings.AXES_FAILURE_LIMIT)[-1]
    assert " ".join(tries[-1].content.decode().split()).replace(officer.email, "") == " ".join(
        nobody.content.decode().split()
    ).replace("nobody@example.org", "")
    assert len(smtp) == 1
    # A lockout after an administrator ended this one is a new one: told again.
    from safeguarding import lockouts
    from tests.factories import UserFactory

    with django_capture_on_commit_callbacks(execute=True):
        lockouts.lockout_end(actor=UserFactory(is_staff=True, is_superuser=True), user=officer)
    attempts(officer.email, settings.AXES_FAILURE_LIMIT + 1)
    assert [subject_words(m) for m in smtp[1:]] == [
        "An administrator unlocked your account after too many failed sign-ins",
        "Sign-in to your account was locked after too many failed attempts",
    ]
