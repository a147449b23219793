"""Two-factor authentication (django-otp) and sign-in lockout (django-axes), over HTTP."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.models import AuditEvent
from tests.mail_server import every_part_of, subject_words
from tests.utils import authenticator_for, emailed_code, sign_in, totp_code

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
SIGN_IN = reverse("safeguarding:sign-in")
HOME = reverse("safeguarding:home")
VERIFY = reverse("safeguarding:two-factor-verify")
SETUP = reverse("safeguarding:two-factor-setup")
EMAIL = reverse("safeguarding:two-factor-email")
RESEND = reverse("safeguarding:two-factor-email-resend")
RECOVERY = reverse("safeguarding:two-factor-recovery")


@pytest.fixture
def no_throttle(settings):
    """Wrong codes are slowed down by seconds; tests that then try the right code skip it."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    settings.OTP_EMAIL_THROTTLE_FACTOR = 0


def told_by_an_administrator(notice, settings) -> None:
    """The notice of an administrator's change to someone's account says an administrator
    did it, in words, and never the administrator's network address (198.51.100.7 in
    these tests): that is theirs, not the account holder's."""
    whole = " ".join(every_part_of(notice).split())
    assert "198.51.100.7" not in whole and "network address" not in whole
    assert (
        f"It was done by one of the administrators of {settings.SERVICE_NAME}, not by someone "
        "signed in to your account." in whole
    )


def password_step(client, user):
    response = client.post(SIGN_IN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response.url


def events(action, user):
    return AuditEvent.objects.filter(action=action, actor=user).count()


def test_first_sign_in_sets_up_an_authenticator_then_shows_recovery_codes_once(
    client, people, no_throttle
):
    officer = people["officer"]
    step = password_step(client, officer)
    assert step.startswith(SETUP) and "next=%2F" in step
    # First the e-mailed code, so a password alone cannot set up an authenticator.
    response = client.get(step)
    assert response.status_code == 302 and response.url == f"{EMAIL}?next=%2F"
    html = client.get(response.url).content.decode()
    assert "Check your email" in html and officer.email in html
    assert [m.subject for m in mail.outbox] == [
        "Your set-up code for Safeguarding practice reviews"
    ]
    response = client.post(response.url, {"code": emailed_code(officer.email), "next": "/"})
    assert response.status_code == 302 and response.url == f"{SETUP}?next=%2F"
    assert events(Action.EMAIL_CODE_VERIFIED, officer) == 1
    page = client.get(step)
    html = page.content.decode()
    assert "Set up two-factor authentication" in html
    assert '<img src="data:image/svg+xml;base64,' in html
    secret = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", html).group(1)
    assert len(secret.replace(" ", "")) == 32
    # Not yet usable anywhere else.
    assert client.get(HOME).url.startswith(SETUP)

    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(step, {"code": ""})
    assert "Enter the 6-digit code from your authenticator app" in response.content.decode()
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(step, {"code": wrong})
    assert "<title>Error: Set up two-factor" in response.content.decode()
    assert "The code is not correct or has expired" in response.content.decode()
    assert events(Action.TWO_FACTOR_FAILED, officer) == 1

    response = client.post(step, {"code": totp_code(device)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("safeguarding:two-factor-recovery-codes"))
    html = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "We will not show these codes again" in html
    again = client.get(reverse("safeguarding:two-factor-recovery-codes"))
    assert again.status_code == 302 and again.url == reverse("safeguarding:account")

    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200
    assert events(Action.TWO_FACTOR_SET_UP, officer) == 1
    assert set(
        StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)
    ) == set(codes)


def test_every_page_but_the_sign_in_ones_waits_for_the_second_factor(client, people):
    manager = people["manager"]
    authenticator_for(manager)
    step = password_step(client, manager)
    assert step == f"{VERIFY}?next=%2F"
    for url in [HOME, reverse("safeguarding:audit"), reverse("safeguarding:account"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(VERIFY), url
    assert client.get(reverse("safeguarding:audit")).url == f"{VERIFY}?next=%2Faudit%2F"
    for url in [
        VERIFY,
        RECOVERY,
        reverse("safeguarding:accessibility"),
        reverse("safeguarding:password-reset"),
        reverse("safeguarding:signed-out"),
    ]:
        assert client.get(url).status_code == 200, url
    # Before the second factor there is no service navigation, only the header's sign out.
    html = client.get(VERIFY).content.decode()
    assert "Audit trail" not in html and "Your account" not in html
    assert 'aria-label="Menu"' not in html and 'class="app-header__sign-out"' in html
    # And an authenticator cannot be replaced with only the password.
    assert client.get(SETUP).url == VERIFY
    assert client.post(reverse("safeguarding:sign-out")).status_code == 302


def test_the_code_from_the_app_completes_sign_in(client, people, no_throttle):
    manager = people["manager"]
    device = authenticator_for(manager)
    step = password_step(client, manager)
    page = client.get(step).content.decode()
    assert "Enter the 6-digit code from your authenticator app" in page
    response = client.post(step, {"code": ""})
    html = response.content.decode()
    assert "<title>Error: Enter your security code" in html
    assert "There is a problem" in html
    assert "Enter the 6-digit code from your authenticator app" in html
    assert (
        "The code is not correct or has expired"
        in client.post(step, {"code": "000000"}).content.decode()
    )
    assert events(Action.TWO_FACTOR_FAILED, manager) == 1

    code = totp_code(device)
    response = client.post(step, {"code": code})
    assert response.status_code == 302 and response.url == HOME
    assert client.get(HOME).status_code == 200
    assert events(Action.TWO_FACTOR_VERIFIED, manager) == 1
    # A code works once: replaying it in a new session is refused.
    client.post(reverse("safeguarding:sign-out"))
    step = password_step(client, manager)
    response = client.post(step, {"code": code})
    assert "The code is not correct or has expired" in response.content.decode()


def test_wrong_codes_are_slowed_down_with_a_clear_message(client, people, settings):
    """The first few wrong codes in a row cost no wait (a typo, a code that changed as it
    was typed); after that each wrong code doubles the wait, and only a code refused for
    the wait is recorded as a lockout."""
    officer = people["officer"]
    authenticator_for(officer)
    step = password_step(client, officer)
    untimed = settings.TWO_FACTOR_UNTIMED_FAILURES
    assert untimed == 3
    for _ in range(untimed + 1):
        html = client.post(step, {"code": "000000"}).content.decode()
        assert "The code is not correct or has expired" in html
    assert events(Action.TWO_FACTOR_FAILED, officer) == untimed + 1
    assert events(Action.LOCKED_OUT, officer) == 0
    response = client.post(step, {"code": "000000"})
    html = response.content.decode()
    assert "You have entered too many incorrect codes. Wait 8 seconds and try again." in html
    assert events(Action.LOCKED_OUT, officer) == 1
    locked = AuditEvent.objects.get(action=Action.LOCKED_OUT, actor=officer)
    assert locked.changes == {
        "reason": "too many incorrect two-factor codes",
        "method": "authenticator app",
        "seconds_to_wait": 8,
    }
    assert client.get(HOME).status_code == 302


def test_the_right_code_straight_after_a_typo_at_set_up_is_accepted(client, people):
    """A new invitee mistyped one code at set-up, then the right one was refused with
    "Wait 1 seconds" and the trail said they were locked out."""
    officer = people["officer"]
    password_step(client, officer)
    client.get(EMAIL)
    client.post(EMAIL, {"code": "000000"})  # a typo in the e-mailed code first
    response = client.post(EMAIL, {"code": emailed_code(officer.email), "next": "/"})
    assert response.status_code == 302 and response.url == f"{SETUP}?next=%2F"
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    html = client.post(SETUP, {"code": wrong}).content.decode()
    assert "The code is not correct or has expired" in html
    response = client.post(SETUP, {"code": totp_code(device)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("safeguarding:two-factor-recovery-codes"))
    assert events(Action.TWO_FACTOR_SET_UP, officer) == 1
    assert events(Action.TWO_FACTOR_FAILED, officer) == 2
    assert events(Action.LOCKED_OUT, officer) == 0
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.parametrize(("seconds", "words"), [(1, "1 second"), (2, "2 seconds")])
def test_the_wait_is_said_in_grammatical_words(seconds, words):
    from safeguarding.account_views import _throttled_message
    from safeguarding.two_factor import Outcome, Result

    result = Result(Outcome.THROTTLED, retry_at=timezone.now() + timedelta(seconds=seconds))
    assert _throttled_message(result) == (
        f"You have entered too many incorrect codes. Wait {words} and try again."
    )


def test_a_recovery_code_works_once(client, people, no_throttle):
    officer = people["officer"]
    sign_in(client, officer)
    client.post(reverse("safeguarding:recovery-codes-renew"))
    html = client.get(reverse("safeguarding:two-factor-recovery-codes")).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)
    assert len(codes) == 10
    client.post(reverse("safeguarding:sign-out"))

    password_step(client, officer)
    response = client.post(f"{RECOVERY}?next=/", {"code": codes[0].upper()})
    assert response.status_code == 302 and response.url == "/"
    page = client.get(HOME)
    assert page.status_code == 200
    banner = " ".join(page.content.decode().split())
    assert "You have 9 left" in banner
    # "Your account" is a link, and someone who lost their phone is told what to do.
    account, setup = reverse("safeguarding:account"), reverse("safeguarding:two-factor-setup")
    assert f'get new codes from <a class="govuk-link" href="{account}">Your account</a>' in banner
    assert (
        f'If you have lost your phone, <a class="govuk-link" href="{setup}">set up your '
        "authenticator app again</a> on your new one." in banner
    )
    assert client.get(setup).status_code == 200  # no further step on the way
    assert events(Action.RECOVERY_CODE_USED, officer) == 1
    client.post(reverse("safeguarding:sign-out"))

    password_step(client, officer)
    response = client.post(RECOVERY, {"code": codes[0]})
    assert "The code is not correct or has expired" in response.content.decode()


def test_recovery_codes_are_offered_with_an_authenticator_app(client, people, settings):
    """Codes stand in for the app: with neither (the demo's "Skip for the demo") the
    account page says where they come from rather than "0 codes left" and a button to
    renew that refuses."""
    from safeguarding.two_factor import DEMO_SKIP_SESSION_KEY

    settings.DEMO_MODE = True
    agency = people["agency"]
    client.force_login(agency)
    session = client.session
    session[DEMO_SKIP_SESSION_KEY] = True
    session.save()
    page = client.get(reverse("safeguarding:account")).content.decode()
    assert "Not set up" in page and "0 codes left" not in page
    assert "You get them when you set up your authenticator app" in page
    assert "Get new recovery codes" not in page
    authenticator_for(agency)
    page = client.get(reverse("safeguarding:account")).content.decode()
    assert "Get new recovery codes" in page


def test_new_recovery_codes_replace_the_old_ones(client, people):
    officer = people["officer"]
    sign_in(client, officer)
    client.post(reverse("safeguarding:recovery-codes-renew"))
    first = client.get(reverse("safeguarding:two-factor-recovery-codes")).content.decode()
    client.post(reverse("safeguarding:recovery-codes-renew"))
    second = client.get(reverse("safeguarding:two-factor-recovery-codes")).content.decode()
    old = set(re.findall(r"<code>([a-z2-7]{8})</code>", first))
    new = set(re.findall(r"<code>([a-z2-7]{8})</code>", second))
    assert len(new) == 10 and not old & new
    tokens = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert tokens == new
    assert "10 codes left" in client.get(reverse("safeguarding:account")).content.decode()


def test_setting_up_again_replaces_the_authenticator(client, people, no_throttle):
    officer = people["officer"]
    sign_in(client, officer)
    old = authenticator_for(officer)
    assert "This replaces the authenticator app" in client.get(SETUP).content.decode()
    new = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(SETUP, {"code": totp_code(new)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=officer)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert client.get(HOME).status_code == 200


def test_administrators_sign_in_as_everyone_does_and_need_the_second_factor(client):
    """Django's own admin sign-in form is not used: it would bypass the address limit
    and the lockout warnings of the service's sign-in."""
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD}
    )
    assert (response.status_code, response.url) == (302, f"{SIGN_IN}?next=/admin/")
    assert "_auth_user_id" not in client.session  # the password was not even looked at
    assert client.get("/admin/", follow=True).redirect_chain[-1][0] == (
        f"{SIGN_IN}?next=%2Fadmin%2F"
    )
    assert password_step(client, admin).startswith(SETUP)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(SETUP)
    sign_in(client, admin)
    assert client.get("/admin/").status_code == 200


def test_people_without_a_role_are_not_asked(client, db):
    nobody = UserFactory()
    assert password_step(client, nobody) == HOME
    assert client.get(HOME).status_code == 200


def test_demo_skip_only_in_demo_mode(client, people, settings):
    officer = people["officer"]
    password_step(client, officer)
    skip = reverse("safeguarding:two-factor-skip")
    assert "Skip for the demo" not in client.get(EMAIL).content.decode()
    assert client.post(skip).status_code == 404
    assert client.get(HOME).status_code == 302

    settings.DEMO_MODE = True
    assert "Skip for the demo" in client.get(EMAIL).content.decode()
    response = client.post(skip, {"next": "/audit/"})
    assert response.status_code == 302 and response.url == "/audit/"
    assert client.get(HOME).status_code == 200
    # The flag means nothing once DEMO_MODE is off again.
    settings.DEMO_MODE = False
    assert client.get(HOME).status_code == 302


def test_next_must_stay_on_this_site(client, people):
    manager = people["manager"]
    device = authenticator_for(manager)
    password_step(client, manager)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": totp_code(device)})
    assert response.url == HOME


# --- Lockout (django-axes) -------------------------------------------------------------


def test_five_wrong_passwords_lock_sign_in_for_that_address_from_that_ip(client, people, settings):
    officer = people["officer"]
    for attempt in range(1, 5):
        response = client.post(SIGN_IN, {"username": officer.email, "password": "wrong"})
        assert response.status_code == 200, attempt
    # Case does not get round it: the address is compared in lower case.
    response = client.post(SIGN_IN, {"username": officer.email.upper(), "password": "wrong"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in is locked" in html and "30 minutes" in html
    assert "govuk-header" in html
    # Even the right password is refused now.
    response = client.post(SIGN_IN, {"username": officer.email, "password": PASSWORD})
    assert response.status_code == 429
    assert client.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, actor=officer).count() >= 2
    # Another person from the same IP address, or the same person elsewhere, is not locked.
    manager = people["manager"]
    assert (
        client.post(SIGN_IN, {"username": manager.email, "password": PASSWORD}).status_code == 302
    )
    elsewhere = client.__class__(REMOTE_ADDR="10.0.0.9")
    response = elsewhere.post(SIGN_IN, {"username": officer.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, people):
    officer = people["officer"]
    for _ in range(4):
        client.post(SIGN_IN, {"username": officer.email, "password": "wrong"})
    assert (
        client.post(SIGN_IN, {"username": officer.email, "password": PASSWORD}).status_code == 302
    )
    client.post(reverse("safeguarding:sign-out"))
    for _ in range(4):
        assert client.post(SIGN_IN, {"username": officer.email, "password": "x"}).status_code == 200


def test_the_test_helper_signs_in_past_the_second_factor(client, people):
    sign_in(client, people["reviewer"])
    assert client.get(HOME).status_code == 200


def test_public_learning_pages_stay_open_before_the_second_factor(client, people):
    client.post(
        reverse("safeguarding:sign-in"), {"username": people["officer"].email, "password": PASSWORD}
    )
    assert client.get(reverse("notifications:list")).status_code == 302  # a case page: no
    assert client.get(reverse("learning:index")).status_code == 200  # the public site: yes


def test_the_last_two_tries_before_the_lockout_are_warned_of(client, people, settings):
    officer = people["officer"]
    said = []
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page = client.post(SIGN_IN, {"username": officer.email, "password": "wrong-password-1"})
        html = page.content.decode()
        assert "The email address or password is not correct" in html
        said.append(re.search(r"wrongly (\d) more time", html))
    left = [int(m.group(1)) if m else None for m in said]
    assert left == [None] * (settings.AXES_FAILURE_LIMIT - 3) + [2, 1]
    assert "sign-in will be locked for 30 minutes" in html
    locked = client.post(SIGN_IN, {"username": officer.email, "password": "wrong-password-1"})
    assert locked.status_code == 429


def test_the_set_up_waits_for_the_e_mailed_code(client, people, no_throttle):
    officer = people["officer"]
    password_step(client, officer)
    for response in (client.get(SETUP), client.post(SETUP, {"code": "123456"})):
        assert response.status_code == 302 and response.url.startswith(EMAIL)
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert mail.outbox == []  # only the "Check your e-mail" page sends

    client.get(EMAIL)
    code = emailed_code(officer.email)
    message = mail.outbox[0]
    assert message.to == [officer.email]
    assert code not in message.subject  # not on a locked phone's screen
    assert "/password-reset/" in message.body
    html_body = message.alternatives[0][0]
    assert code in html_body

    # A reload does not send another.
    client.get(EMAIL)
    assert len(mail.outbox) == 1
    # Wrong or malformed codes: a GOV.UK error, and the failure is audited.
    response = client.post(EMAIL, {"code": "12"})
    assert "Enter the 6-digit code from the email" in response.content.decode()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(EMAIL, {"code": wrong})
    html = response.content.decode()
    assert "<title>Error: Check your email" in html
    assert "The code is not correct or has expired" in html
    failed = AuditEvent.objects.get(action=Action.TWO_FACTOR_FAILED, actor=officer)
    assert failed.changes == {"method": "emailed set-up code"}

    # The right code opens the set-up, but it is not a second factor: nothing else opens.
    assert client.post(EMAIL, {"code": f" {code[:3]} {code[3:]} "}).url.startswith(SETUP)
    assert client.get(HOME).url.startswith(SETUP)
    assert client.get(SETUP).status_code == 200
    # It works once.
    assert client.get(EMAIL).url.startswith(SETUP)
    client.post(reverse("safeguarding:sign-out"))
    password_step(client, officer)
    client.get(EMAIL)  # a new session must prove the mailbox again: a new code
    assert len(mail.outbox) == 2
    new_code = emailed_code(officer.email)
    if new_code != code:
        response = client.post(EMAIL, {"code": code})
        assert "The code is not correct or has expired" in response.content.decode()
    assert client.post(EMAIL, {"code": new_code}).url.startswith(SETUP)


def test_a_new_code_at_most_once_a_minute_and_only_the_newest_works(client, people, no_throttle):
    officer = people["officer"]
    password_step(client, officer)
    client.get(EMAIL)
    first = emailed_code(officer.email)
    html = client.post(RESEND, {"next": "/audit/"}, follow=True).content.decode()
    assert "We sent a code less than a minute ago" in html
    assert len(mail.outbox) == 1

    EmailDevice.objects.filter(user=officer).update(
        last_generated_timestamp=timezone.now() - timedelta(minutes=2)
    )
    response = client.post(RESEND, {"next": "/audit/"})
    assert response.url == f"{EMAIL}?next=%2Faudit%2F"
    html = client.get(response.url).content.decode()
    assert f"We have sent a code to {officer.email}" in html
    second = emailed_code(officer.email)
    assert len(mail.outbox) == 2
    if first != second:
        assert "not correct" in client.post(EMAIL, {"code": first}).content.decode()
    response = client.post(EMAIL, {"code": second, "next": "/audit/"})
    assert response.url == f"{SETUP}?next=%2Faudit%2F"


def test_an_expired_code_is_refused(client, people, no_throttle):
    officer = people["officer"]
    password_step(client, officer)
    client.get(EMAIL)
    EmailDevice.objects.filter(user=officer).update(valid_until=timezone.now())
    response = client.post(EMAIL, {"code": emailed_code(officer.email)})
    assert "The code is not correct or has expired" in response.content.decode()
    assert client.get(SETUP).url.startswith(EMAIL)


def test_a_mail_server_that_is_down_is_explained_and_nothing_is_kept(
    client, people, settings, no_throttle
):
    from tests.mail_server import free_port

    officer = people["officer"]
    password_step(client, officer)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    response = client.get(EMAIL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "We could not send the email" in html
    assert "We need to send a 6-digit code" in html
    # No code and no cooldown kept: the device was made in the same transaction.
    assert not EmailDevice.objects.filter(user=officer).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    html = client.post(RESEND, follow=True).content.decode()
    assert f"We have sent a code to {officer.email}" in html
    assert emailed_code(officer.email)


def test_someone_with_an_authenticator_is_not_offered_the_e_mailed_code(client, people):
    manager = people["manager"]
    authenticator_for(manager)
    password_step(client, manager)
    assert client.get(EMAIL).url == VERIFY
    client.post(RESEND)
    assert mail.outbox == []
    # Verified, replacing the app needs no e-mail either.
    sign_in(client, manager)
    assert client.get(SETUP).status_code == 200
    assert client.get(EMAIL).url.startswith(SETUP)


@pytest.mark.django_db(transaction=True)
def test_wrong_e_mailed_codes_sent_at_once_are_counted_one_after_another(people):
    """Guesses racing each other (each on its own connection) must not all slip past the
    slow-down: under the row lock the first is counted wrong and the others wait for it,
    then find they must wait."""
    from django.test import Client

    from tests.utils import posts_at_once

    officer = people["officer"]
    browser = Client()
    password_step(browser, officer)
    browser.get(EMAIL)
    code = emailed_code(officer.email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    # The first few wrong codes cost no wait (TWO_FACTOR_UNTIMED_FAILURES, 3): the fourth
    # starts one, so of six guesses at once four are checked and two are made to wait.
    responses = posts_at_once(browser.cookies, EMAIL, {"code": wrong}, 6)
    pages = [response.content.decode() for response in responses]
    assert sum("The code is not correct or has expired" in page for page in pages) == 4
    assert sum("You have entered too many incorrect codes" in page for page in pages) == 2
    assert EmailDevice.objects.get(user=officer).throttling_failure_count == 4


# --- a lost second factor, reset by an administrator ----------------------------------------


def test_an_administrator_resets_a_lost_second_factor(
    client, people, smtp, settings, django_capture_on_commit_callbacks
):
    """Phone and recovery codes lost: the administrator resets both from the person's user
    page (never seeing a secret); it is audited against the person, who is e-mailed, and
    their signed-in session must pass the second factor again, set up afresh."""
    from django.test import Client

    from safeguarding import two_factor

    officer = people["officer"]
    officers_browser = Client()
    sign_in(officers_browser, officer)
    device = authenticator_for(officer)
    codes = two_factor._new_recovery_codes(officer)
    assert officers_browser.get(HOME).status_code == 200

    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    page = client.get(reverse("admin:safeguarding_user_change", args=[officer.pk]))
    html = page.content.decode()
    reset = reverse("admin:safeguarding_user_second_factor_reset", args=[officer.pk])
    assert "Authenticator app set up" in html and "10 recovery codes left" in html
    assert reset in html
    assert device.key not in html and not any(code in html for code in codes)
    assert "lost the phone" in client.get(reset).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticToken.objects.filter(device__user=officer).exists()
    event = AuditEvent.objects.get(action=Action.TWO_FACTOR_RESET)
    assert (event.actor, event.object_id) == (admin, str(officer.pk))
    assert event.changes == {"authenticator_app": True, "recovery_codes_left": 10}
    (notice,) = smtp
    assert notice["To"] == officer.email
    assert subject_words(notice).startswith(
        "An administrator reset two-factor authentication for your account"
    )
    told_by_an_administrator(notice, settings)
    # Their session no longer counts as having passed the second factor.
    step = officers_browser.get(HOME)
    assert step.status_code == 302 and step.url.startswith(SETUP)
    again = client.post(reset, follow=True).content.decode()
    assert "has no second factor to reset" in again
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR_RESET).count() == 1


def test_no_page_shows_a_persons_authenticator_secret_or_recovery_codes(client, people):
    """django-otp's own device pages (the key, a QR code to copy someone's app, the
    recovery codes; removal with no audit event) are closed, even to a superuser."""
    from django_otp.plugins.otp_static.models import StaticDevice

    from safeguarding import two_factor

    officer = people["officer"]
    device = authenticator_for(officer)
    two_factor._new_recovery_codes(officer)
    static = StaticDevice.objects.get(user=officer)
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    index = client.get(reverse("admin:index")).content.decode()
    assert "TOTP devices" not in index and "Static devices" not in index
    for url in (
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]),
        reverse("admin:otp_static_staticdevice_change", args=[static.pk]),
        reverse("admin:otp_email_emaildevice_changelist"),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_only_administrators_reset_a_second_factor(client, people):
    officer = people["officer"]
    authenticator_for(officer)
    reset = reverse("admin:safeguarding_user_second_factor_reset", args=[officer.pk])
    for who in ("manager", "officer"):
        sign_in(client, people[who])
        assert client.post(reset).status_code == 302  # to the administration sign-in
    assert TOTPDevice.objects.filter(user=officer).exists()
    assert not AuditEvent.objects.filter(action=Action.TWO_FACTOR_RESET).exists()


def test_a_password_set_by_an_administrator_is_audited_and_told(
    client, people, smtp, settings, django_capture_on_commit_callbacks
):
    officer = people["officer"]
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    new = "a-much-longer-new-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:auth_user_password_change", args=[officer.pk]),
            {"password1": new, "password2": new, "usable_password": "true"},
            REMOTE_ADDR="198.51.100.7",
        )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(new)
    event = AuditEvent.objects.get(action=Action.PASSWORD_CHANGED)
    assert (event.actor, event.object_id) == (admin, str(officer.pk))
    assert event.changes == {"method": "administration site"}
    (notice,) = smtp
    assert notice["To"] == officer.email
    assert subject_words(notice).startswith("An administrator changed your password")
    told_by_an_administrator(notice, settings)


def test_an_administrators_own_password_is_changed_only_on_the_account_page(
    client, people, smtp, django_capture_on_commit_callbacks
):
    """The administration site's own "Change password" page saved an administrator's new
    password with no audit event and no e-mail: it now sends them to the service's page
    (audited, e-mailed, the other sessions ended), and a post to it changes nothing."""
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    before = admin.password
    change = reverse("safeguarding:password-change")
    assert client.get(reverse("admin:password_change")).url == change
    assert client.get(reverse("admin:password_change_done")).url == reverse("safeguarding:account")
    new = "a-much-longer-new-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:password_change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
    assert response.status_code == 302 and response.url == change
    admin.refresh_from_db()
    assert admin.password == before and not smtp
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            change, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
    assert response.status_code == 302
    assert events(Action.PASSWORD_CHANGED, admin) == 1
    assert [subject_words(m) for m in smtp] == ["Your password was changed"]
    index = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:password_change")}"' in index


def test_a_refused_administrators_password_post_is_neither_audited_nor_told(
    client, people, smtp, django_capture_on_commit_callbacks
):
    """Django answers conflicting answers ("no password" chosen, the "set" button sent) with
    a redirect back to the form, having saved nothing: nothing happened to tell."""
    officer = people["officer"]
    before = officer.password
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    new = "a-much-longer-new-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:auth_user_password_change", args=[officer.pk]),
            {"password1": new, "password2": new, "usable_password": "false"},
        )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.password == before
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED).exists()
    assert not smtp


def test_an_administrator_turning_off_a_password_is_told_as_that(
    client, people, smtp, settings, django_capture_on_commit_callbacks
):
    officer = people["officer"]
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:auth_user_password_change", args=[officer.pk]),
            {"usable_password": "false", "unset-password": "1"},
            REMOTE_ADDR="198.51.100.7",
        )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.has_usable_password()
    event = AuditEvent.objects.get(action=Action.PASSWORD_CHANGED)
    assert event.changes == {"method": "administration site", "usable": False}
    (notice,) = smtp
    assert notice["To"] == officer.email
    assert subject_words(notice).startswith("An administrator turned off your password")
    told_by_an_administrator(notice, settings)


# --- a sign-in lockout, ended by an administrator -------------------------------------------


def test_an_administrator_ends_a_lockout_and_it_is_audited_and_told(
    client, people, settings, smtp, django_capture_on_commit_callbacks
):
    """Locked out by too many wrong passwords and unable to wait: the administrator ends the
    lockout on the person's user page; it is audited against the person, who is e-mailed."""
    from django.test import Client

    officer = people["officer"]
    officers_browser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        officers_browser.post(SIGN_IN, {"username": officer.email, "password": "wrong"})
    refused = officers_browser.post(SIGN_IN, {"username": officer.email, "password": PASSWORD})
    assert refused.status_code == 429

    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    page = client.get(reverse("admin:safeguarding_user_change", args=[officer.pk]))
    html = page.content.decode()
    unlock = reverse("admin:safeguarding_user_unlock", args=[officer.pk])
    # The refused attempt with the right password counts too.
    assert "Locked out: 6 failed sign-ins from 203.0.113.9, until" in html and unlock in html
    assert "calling them" in client.get(unlock).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(unlock, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.LOCKOUT_ENDED)
    assert (event.actor, event.object_id, event.partnership) == (admin, str(officer.pk), None)
    assert event.changes == {"addresses": ["203.0.113.9"], "failed_sign_ins": 6}
    (notice,) = smtp
    assert notice["To"] == officer.email
    assert subject_words(notice).startswith("An administrator unlocked your account")
    told_by_an_administrator(notice, settings)
    signed_in = officers_browser.post(SIGN_IN, {"username": officer.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    page = client.get(reverse("admin:safeguarding_user_change", args=[officer.pk]))
    assert "Not locked out." in page.content.decode()
    again = client.post(unlock, follow=True).content.decode()
    assert "is not locked out" in again
    assert AuditEvent.objects.filter(action=Action.LOCKOUT_ENDED).count() == 1


def test_no_lockout_is_ended_unaudited_on_the_lockout_librarys_own_pages(client, people, settings):
    """django-axes' own pages ended a lockout by deleting its attempts, with no audit event
    nor word to the person: they are not there, even for a superuser."""
    from axes.models import AccessAttempt
    from django.contrib import admin

    officer = people["officer"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": officer.email, "password": "wrong"})
    attempt = AccessAttempt.objects.get(username=officer.email.lower())
    assert not admin.site.is_registered(AccessAttempt)
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    assert "Access attempts" not in client.get(reverse("admin:index")).content.decode()
    for url in (
        "/admin/axes/accessattempt/",
        f"/admin/axes/accessattempt/{attempt.pk}/delete/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"post": "yes"}).status_code == 404, url
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_only_administrators_end_a_lockout(client, people, settings):
    from axes.models import AccessAttempt

    officer = people["officer"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": officer.email, "password": "wrong"})
    unlock = reverse("admin:safeguarding_user_unlock", args=[officer.pk])
    for who in ("manager", "officer"):
        browser = client.__class__()
        sign_in(browser, people[who])
        assert browser.post(unlock).status_code == 302  # to the administration sign-in
    assert AccessAttempt.objects.filter(username=officer.email.lower()).exists()
    assert not AuditEvent.objects.filter(action=Action.LOCKOUT_ENDED).exists()


def test_letters_the_database_upper_cases_alike_do_not_reach_the_account(client, people):
    """PostgreSQL's case-insensitive match (`iexact`) upper-cases both sides, so it found
    the account "person1@…" for "perſon1@…" (a long s) or "ıd@…" (a dotless i). Lower-
    casing what was typed for the lockout kept them apart, so each spelling had its own
    five tries at the same account; and the unique constraint, which compares lower-cased,
    let a second account with such an address exist, which made signing in to either a
    server error. An address is now found lower-cased, as the constraint compares it."""
    from safeguarding.models import User

    officer = people["officer"]
    local, _, domain = officer.email.partition("@")
    assert "s" in local
    variant = f"{local.replace('s', 'ſ')}@{domain}"
    # Not the officer's account: the right password is refused and counts for nothing.
    response = client.post(SIGN_IN, {"username": variant, "password": PASSWORD})
    assert response.status_code == 200
    assert "The email address or password is not correct" in response.content.decode()
    for attempt in range(2, 5):
        response = client.post(SIGN_IN, {"username": variant, "password": "wrong"})
        assert response.status_code == 200, attempt
    # Four failures of the other spelling, one of the officer's: not five of one account.
    response = client.post(SIGN_IN, {"username": officer.email, "password": "wrong"})
    assert response.status_code == 200
    response = client.post(SIGN_IN, {"username": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    client.post(reverse("safeguarding:sign-out"))
    # An account of that other address signs in as itself; the officer's as the officer.
    other = User.objects.create_user(variant, PASSWORD, full_name="Another person")
    for address, account in ((variant, other), (officer.email.upper(), officer)):
        response = client.post(SIGN_IN, {"username": address, "password": PASSWORD})
        assert response.status_code == 302, address
        assert int(client.session["_auth_user_id"]) == account.pk
        client.post(reverse("safeguarding:sign-out"))


def test_only_a_session_past_the_second_factor_makes_codes_or_a_feed_that_outlive_it(
    client, people, partnership, no_throttle
):
    """Someone with no role (a leaver, say) signs in with the password alone. Whoever
    holds only that password must not make recovery codes, which pass the second factor
    once the account has a role again, nor a calendar feed address, which shows its
    deadlines then without any sign-in."""
    from safeguarding.models import CalendarFeedToken, Membership

    leaver = people["officer"]
    authenticator_for(leaver)
    Membership.objects.filter(user=leaver).delete()
    response = client.post(SIGN_IN, {"username": leaver.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == HOME  # no second factor asked

    response = client.post(reverse("safeguarding:recovery-codes-renew"))
    assert response.status_code == 302 and response.url.partition("?")[0] == VERIFY
    html = client.get(reverse("safeguarding:two-factor-recovery-codes"), follow=True)
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", html.content.decode())
    assert codes == []
    assert not StaticToken.objects.filter(device__user=leaver).exists()

    response = client.post(reverse("safeguarding:reminder-settings"), {"action": "feed-create"})
    assert response.status_code == 302 and response.url.partition("?")[0] == VERIFY
    assert not CalendarFeedToken.objects.filter(user=leaver).exists()

    # Past the second factor, the same person gets both.
    client.post(VERIFY, {"code": totp_code(authenticator_for(leaver))})
    client.post(reverse("safeguarding:recovery-codes-renew"))
    html = client.get(reverse("safeguarding:two-factor-recovery-codes")).content.decode()
    assert len(re.findall(r"<code>([a-z2-7]{8})</code>", html)) == 10
    response = client.post(reverse("safeguarding:reminder-settings"), {"action": "feed-create"})
    assert response.status_code == 200
    assert CalendarFeedToken.objects.filter(user=leaver).exists()


@pytest.mark.parametrize(
    ("who", "tell"), [("officer", "your business manager"), ("manager", "the administrators of ")]
)
def test_the_set_up_code_says_whom_to_tell_by_the_persons_role(
    client, people, no_throttle, who, tell
):
    """As the security notices: a partnership manager is the business manager, so their
    set-up code sends them to the service's administrators if the sign-in was not theirs."""
    person = people[who]
    response = client.get(password_step(client, person))
    client.get(response.url)
    (message,) = mail.outbox
    assert message.to == [person.email]
    body = " ".join(message.body.split())
    assert f"- tell {tell}" in body
    if who == "manager":
        assert "business manager" not in body
