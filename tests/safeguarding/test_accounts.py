"""Sign-in, sign-out, password reset, session expiry and the GOV.UK error pages."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.models import AuditEvent
from tests.utils import authenticator_for, sign_in, totp_code

from ..factories import PASSWORD

Action = AuditEvent.Action

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_govuk_styled(client):
    html = client.get(reverse("safeguarding:sign-in")).content.decode()
    assert 'class="govuk-skip-link"' in html
    assert "govuk-header" in html and "govuk-phase-banner" in html and "govuk-footer" in html
    assert "<title>Sign in –" in html
    assert 'name="username"' in html and 'type="email"' in html


def test_empty_sign_in_shows_error_summary_and_prefixed_title(client):
    response = client.post(reverse("safeguarding:sign-in"), {"username": "", "password": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert "There is a problem" in html
    assert "Enter your email address" in html
    assert "Enter your password" in html


def test_wrong_password_says_so_without_revealing_which(client, people):
    response = client.post(
        reverse("safeguarding:sign-in"),
        {"username": people["officer"].email, "password": "not-it"},
    )
    assert "The email address or password is not correct" in response.content.decode()


def test_sign_in_then_sign_out(client, people):
    device = authenticator_for(people["officer"])
    response = client.post(
        reverse("safeguarding:sign-in"),
        {"username": people["officer"].email, "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(reverse("safeguarding:two-factor-verify"))
    response = client.post(response.redirect_chain[-1][0], {"code": totp_code(device)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("safeguarding:home")
    assert "Your work" in response.content.decode()
    response = client.post(reverse("safeguarding:sign-out"), follow=True)
    assert "You have signed out" in response.content.decode()
    assert client.get(reverse("safeguarding:home")).status_code == 302


def test_opening_the_sign_out_address_asks_to_confirm_and_does_not_sign_out(client, people):
    """Signing out is a post: opening the address (typed, bookmarked, an old link) shows
    the same button to confirm with, not a blank "method not allowed" page, and a page
    fetched ahead by a browser cannot sign anyone out."""
    sign_in(client, people["officer"])
    url = reverse("safeguarding:sign-out")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Sign out" in html
    assert f'<form method="post" action="{url}"' in html
    assert f'href="{reverse("safeguarding:home")}">Stay signed in</a>' in html
    assert client.get(reverse("safeguarding:home")).status_code == 200  # still signed in
    done = client.post(url, follow=True)
    assert "You have signed out" in done.content.decode()
    # Signed out already: sent to sign in, as from every page that needs a signed-in person.
    again = client.get(url)
    assert again.status_code == 302 and again.url == reverse("safeguarding:sign-in")


def test_password_reset_by_email(client, people, eager_tasks, settings):
    """Someone who has signed in before (with their authenticator app) forgot their
    password: the page that confirms the new one says their second factor is unchanged,
    so the code asked for at their next sign-in is no surprise."""
    officer = people["officer"]
    sign_in(client, officer)
    client.logout()
    response = client.post(reverse("safeguarding:password-reset"), {"email": officer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [officer.email]
    assert message.alternatives, "the reset email has an HTML part"
    # The dash before the service's name, as every sign-in notice's (security_notices).
    assert message.subject == f"Reset your password – {settings.SERVICE_NAME}"
    link = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", message.body).group(1)
    page = client.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    short = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert "There is a problem" in short.content.decode()
    new = "a-much-longer-new-passphrase"
    done = client.post(form_url, {"new_password1": new, "new_password2": new}, follow=True)
    page = " ".join(done.content.decode().split())
    assert "Password changed" in page
    assert (
        "Your two-factor authentication has not changed. When you sign in, you still need "
        "a code from your authenticator app (or one of your recovery codes)." in page
    )
    officer.refresh_from_db()
    assert officer.check_password(new)
    # Shown once, to the browser that chose it: opened again, the page says only what
    # is true of everyone.
    again = " ".join(client.get(done.redirect_chain[-1][0]).content.decode().split())
    assert "authenticator app" not in again
    assert "Changing your password does not change your two-factor authentication." in again


def _reset_by_link(client, user) -> str:
    """Ask for a link for `user`, choose a new password with it: the page that follows."""
    from safeguarding.models import User

    mail.outbox.clear()
    User.objects.filter(pk=user.pk).update(password_reset_sent_at=None)  # one link in 5 min
    client.post(reverse("safeguarding:password-reset"), {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a-much-longer-new-passphrase"
    done = client.post(form_url, {"new_password1": new, "new_password2": new}, follow=True)
    assert done.status_code == 200
    return " ".join(done.content.decode().split())


def test_a_new_password_says_a_second_factor_is_still_to_set_up(client, people, eager_tasks):
    """With a role but no authenticator app (an administrator reset it, say), the page
    says the next sign-in sets one up; with no role and no app, nothing is asked, so
    nothing is said; with no role and an app, the app is unchanged."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguarding.models import Membership

    officer = people["officer"]
    sign_in(client, officer)
    client.logout()
    TOTPDevice.objects.filter(user=officer).delete()
    page = _reset_by_link(client, officer)
    assert "Password changed" in page
    assert (
        "When you sign in, you will set up two-factor authentication. We will email you "
        "a code first, then you will set up an authenticator app on your phone." in page
    )
    assert "has not changed" not in page

    Membership.objects.filter(user=officer).delete()
    page = _reset_by_link(client, officer)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Password changed" in main and "two-factor" not in main

    authenticator_for(officer)  # an app kept from before, not asked for without a role
    page = _reset_by_link(client, officer)
    assert "Your two-factor authentication has not changed." in page
    assert "you still need a code" not in page


def test_a_changed_password_says_the_second_factor_is_unchanged(client, people):
    sign_in(client, people["officer"])
    new = "a-much-longer-new-passphrase"
    response = client.post(
        reverse("safeguarding:password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    page = " ".join(response.content.decode().split())
    assert "Your password has been changed. Your two-factor authentication has not changed" in page


def test_the_reset_link_is_on_the_services_address_not_the_one_asked_for(
    client, people, settings, eager_tasks
):
    """The link carried the host the request named. Any host the service answers to
    (ALLOWED_HOSTS may list several, or a whole domain) then decided where the secret
    link pointed: a request naming another one e-mailed the person a link there, which
    whoever controls it could read. The link, as every e-mail's, is on SITE_URL."""
    settings.ALLOWED_HOSTS = ["reviews.example.org", ".example.org"]
    settings.SITE_URL = "https://reviews.example.org"
    officer = people["officer"]
    response = client.post(
        reverse("safeguarding:password-reset"),
        {"email": officer.email},
        HTTP_HOST="elsewhere.example.org",
    )
    assert response.status_code == 302
    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "elsewhere" not in text
        assert "https://reviews.example.org/password-reset/" in text


def test_the_reset_e_mail_is_sent_by_the_worker_not_in_the_request(client, people, monkeypatch):
    """Talking to the mail server in the request (or even claiming the account there)
    made an address with an account answer slower than one without: the page said the
    same, the time told which addresses have accounts. The request queues one task with
    the address typed, whatever it is; the worker finds the account and sends the link."""
    from safeguarding.tasks import send_password_reset

    queued = []
    monkeypatch.setattr(
        "safeguarding.tasks.send_password_reset.apply_async",
        lambda args=None, kwargs=None, **options: queued.append(tuple(args)),
    )
    officer = people["officer"]
    url = reverse("safeguarding:password-reset")
    for email in (officer.email, "nobody@example.org"):
        response = client.post(url, {"email": email})
        assert response.status_code == 302
        assert response.url == reverse("safeguarding:password-reset-sent")
    assert mail.outbox == [] and queued == [(officer.email,), ("nobody@example.org",)]
    assert send_password_reset.run("nobody@example.org") == "no account"
    assert send_password_reset.run(officer.email.upper()) == "sent"
    (message,) = mail.outbox
    assert message.to == [officer.email] and "/password-reset/" in message.body
    # A spelling the database upper-cases alike is another address, with no account.
    variant = officer.email.replace("s", "ſ", 1)
    assert variant != officer.email
    assert send_password_reset.run(variant) == "no account"


def test_password_reset_links_cannot_flood_an_inbox(client, people, eager_tasks):
    """One link per account every few minutes, whatever is posted; the page says the
    same either way, so it tells nothing about the account."""
    import datetime as dt

    from django.utils import timezone

    from safeguarding.models import User
    from safeguarding.security_notices import RESET_EMAIL_INTERVAL

    officer = people["officer"]
    url = reverse("safeguarding:password-reset")
    responses = [client.post(url, {"email": officer.email.upper()}) for _ in range(5)]
    assert {(r.status_code, r.url) for r in responses} == {
        (302, reverse("safeguarding:password-reset-sent"))
    }
    assert len(mail.outbox) == 1
    # The page said "we have sent a link" after each, though only the first was sent: it
    # says now, to everyone alike, that a link asked for again so soon is not sent again.
    page = " ".join(client.get(responses[-1].url).content.decode().split())
    minutes = int(RESET_EMAIL_INTERVAL.total_seconds() // 60)
    assert (
        f"We send one link every {minutes} minutes at most. If you asked for a link less than "
        f"{minutes} minutes ago, we have not sent another: use the link in the earlier email."
        in page
    )
    User.objects.filter(pk=officer.pk).update(
        password_reset_sent_at=timezone.now() - RESET_EMAIL_INTERVAL - dt.timedelta(seconds=1)
    )
    client.post(url, {"email": officer.email})
    assert len(mail.outbox) == 2


def test_password_reset_for_unknown_address_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("safeguarding:password-reset"), {"email": "nobody@x.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_activity_renews_the_idle_timeout_at_most_once_a_minute(client, people):
    """A page view slides the expiry forward, but writes the session only when the last
    write is a minute old: reading pages costs no database write."""
    from safeguarding.middleware import SessionActivityMiddleware

    assert SessionActivityMiddleware.refresh_interval() == 60
    sign_in(client, people["officer"])
    client.get(reverse("safeguarding:home"))
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < remaining
    assert remaining <= dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    soon = timezone.now() + dt.timedelta(seconds=300)
    Session.objects.update(expire_date=soon)
    client.get(reverse("safeguarding:home"))  # within the minute: not written
    assert Session.objects.get().expire_date == soon

    stored = client.session
    stored[SessionActivityMiddleware.KEY] -= 61  # the last write was a minute ago
    stored.save()
    Session.objects.update(expire_date=soon)
    client.get(reverse("safeguarding:home"))
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_stay_signed_in_renews_at_once(client, people):
    sign_in(client, people["officer"])
    client.get(reverse("safeguarding:home"))
    soon = timezone.now() + dt.timedelta(seconds=100)
    Session.objects.update(expire_date=soon)
    assert client.post(reverse("safeguarding:keep-alive")).status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_idle_session_expires(client, people):
    sign_in(client, people["officer"])
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("safeguarding:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("safeguarding:sign-in"))


def test_keep_alive(client, people):
    url = reverse("safeguarding:keep-alive")
    assert client.post(url).status_code == 401
    sign_in(client, people["officer"])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.json() == {"signed_in": True, "expires_in": settings.SESSION_COOKIE_AGE}


def test_timeout_warning_is_on_signed_in_pages_only(client, people):
    assert 'id="timeout-dialog"' not in client.get(reverse("safeguarding:sign-in")).content.decode()
    sign_in(client, people["officer"])
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert 'id="timeout-dialog"' in html
    assert f'data-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in html


def test_not_found_page_is_govuk_styled(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_not_found_speaks_to_a_signed_out_visitor_as_the_public(client, people):
    """Signed out, nobody has a home page or partnership: the page says to check the
    address, and offers Learning from reviews and signing in. Signed in, it keeps its
    words about records of other partnerships."""
    html = client.get("/no-such-page/").content.decode()
    assert "another partnership" not in html and "Go to your home page" not in html
    assert f'href="{reverse("learning:index")}"' in html
    assert f'href="{reverse("safeguarding:sign-in")}"' in html
    sign_in(client, people["officer"])
    html = client.get("/no-such-page/").content.decode()
    assert "the record may belong to another partnership" in html
    assert "Go to your home page" in html


CROWDED = "&".join(f"f{n}=1" for n in range(1001))  # one more than Django reads


def _refused_with_the_services_page(response):
    assert response.status_code == 400
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sorry, the service could not read that address' in html
    assert "Bad Request" not in html


def test_an_address_with_too_many_fields_gets_the_services_own_page(client, people):
    """Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields (400): the answer is
    the service's page, not Django's bare "Bad Request (400)"."""
    _refused_with_the_services_page(client.get(f"/learning-from-reviews/?{CROWDED}"))
    sign_in(client, people["officer"])
    for path in ("/", "/incidents/", "/learning-from-reviews/"):
        _refused_with_the_services_page(client.get(f"{path}?{CROWDED}"))
    # A form posted with as many fields is refused the same way.
    client.logout()
    posted = {f"f{n}": "1" for n in range(1001)}
    _refused_with_the_services_page(client.post(reverse("safeguarding:sign-in"), posted))


def test_server_error_page_renders_without_the_database():
    from safeguarding.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def _other_client_signed_in(user):
    other = Client()
    sign_in(other, user)
    assert other.get(reverse("safeguarding:home")).status_code == 200
    return other


def test_account_page_links_to_password_and_two_factor(client, people):
    sign_in(client, people["officer"])
    html = client.get(reverse("safeguarding:account")).content.decode()
    assert "Your account" in html
    assert reverse("safeguarding:password-change") in html
    assert reverse("safeguarding:two-factor-setup") in html
    assert reverse("safeguarding:recovery-codes-renew") in html


def test_changing_the_password_ends_every_other_session(client, people):
    officer = people["officer"]
    sign_in(client, officer)
    elsewhere = _other_client_signed_in(officer)
    new = "a-much-longer-new-passphrase"
    response = client.post(
        reverse("safeguarding:password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Your password has been changed" in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(new)
    # This session carries on (still past the second factor); the other one is signed out.
    assert client.get(reverse("safeguarding:home")).status_code == 200
    response = elsewhere.get(reverse("safeguarding:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("safeguarding:sign-in"))
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED, actor=officer).exists()


def test_password_change_errors_in_govuk_wording(client, people):
    sign_in(client, people["officer"])
    url = reverse("safeguarding:password-change")
    html = client.post(url, {}).content.decode()
    assert "<title>Error: Change your password" in html
    assert "Enter your current password" in html and "Enter a new password" in html
    html = client.post(
        url, {"old_password": "wrong", "new_password1": "x" * 14, "new_password2": "x" * 14}
    ).content.decode()
    assert "Your current password is not correct" in html


def _errors_of(html: str) -> list[str]:
    """The error summary's messages, in order."""
    summary = html.partition('govuk-error-summary__list">')[2].partition("</ul>")[0]
    return [" ".join(m.split()) for m in re.findall(r"<a [^>]*>(.*?)</a>", summary, re.S)]


def test_the_password_pages_report_every_problem_at_once_in_govuk_words(
    client, people, eager_tasks
):
    """Choosing a password by a link said Django's "The two password fields didn't match."
    and kept quiet about the length rule until both boxes matched (it checked only the
    confirmation). Both password pages now say every problem at once, in plain words."""
    officer = people["officer"]
    sign_in(client, officer)
    change = reverse("safeguarding:password-change")
    html = client.post(
        change, {"old_password": PASSWORD, "new_password1": "short", "new_password2": "other"}
    ).content.decode()
    expected = ["Your password must be at least 12 characters", "Passwords do not match"]
    assert _errors_of(html) == expected
    client.logout()
    client.post(reverse("safeguarding:password-reset"), {"email": officer.email})
    link = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    html = client.post(form_url, {"new_password1": "short", "new_password2": "other"})
    html = html.content.decode()
    assert _errors_of(html) == expected
    assert "didn’t match" not in html and "didn&#x27;t match" not in html
    html = client.post(form_url, {"new_password1": "8402957163047", "new_password2": "1"})
    assert _errors_of(html.content.decode()) == [
        "Your password must not be only numbers",
        "Passwords do not match",
    ]
    html = client.post(form_url, {"new_password1": "password1234", "new_password2": "password1234"})
    assert _errors_of(html.content.decode()) == [
        "Your password is too common: choose one that is harder to guess"
    ]


STOCK_HINTS = (
    "can’t be too similar to your other personal information",
    "can&#x27;t be too similar",
    "Enter the same password as before, for verification.",
    "Your password must contain at least",
)


def test_the_password_pages_give_plain_hints_not_djangos(client, people, eager_tasks):
    """The change page and the invitation's "Choose your password" page showed Django's
    stock hints; the confirmation's read as if it meant the current password."""
    officer = people["officer"]
    sign_in(client, officer)
    change = " ".join(client.get(reverse("safeguarding:password-change")).content.decode().split())
    client.logout()
    client.post(reverse("safeguarding:password-reset"), {"email": officer.email})
    link = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", mail.outbox[-1].body).group(1)
    choose = " ".join(client.get(link, follow=True).content.decode().split())
    for html in (change, choose):
        for stock in STOCK_HINTS:
            assert stock not in html
        assert "Enter the new password again" in html
        assert (
            "Use at least 12 characters. Do not use common words, your name or the first "
            "part of your email address." in html
        )


@pytest.mark.parametrize(
    ("full_name", "email", "password", "part"),
    [
        ("Helen Okafor", "h.okafor@bscp.example", "helenokafor2026", "Helen"),
        ("Sam Patel", "sam.patel@bscp.example", "Sam-Patel-newpass-1", "Sam"),
        ("Jo Ng", "jong.work@bscp.example", "my-JONG-WORK-passphrase", "jong"),
        ("Priya Shah", "priya.shah@bscp.example", "long pass SHAH words", "Shah"),
    ],
)
def test_a_new_password_may_not_contain_the_persons_name(client, full_name, email, password, part):
    from safeguarding.models import Membership, Role
    from tests.factories import PartnershipFactory, UserFactory

    user = UserFactory(full_name=full_name, email=email)
    Membership.objects.create(user=user, role=Role.REVIEW_OFFICER, partnership=PartnershipFactory())
    sign_in(client, user)
    url = reverse("safeguarding:password-change")
    post = {"old_password": PASSWORD, "new_password1": password, "new_password2": password}
    html = client.post(url, post).content.decode()
    assert "<title>Error: Change your password" in html
    assert (
        "Your password must not contain your name or the first part of your email "
        f"address (it contains ‘{part}’)" in html
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # Short parts (under 3 letters) and other people's names are not refused.
    fine = "a-much-longer-new-passphrase"
    assert (
        client.post(url, {**post, "new_password1": fine, "new_password2": fine}).status_code == 302
    )


def test_expired_sessions_are_cleared_nightly(client, people):
    from safeguarding.celery import app as celery_app
    from safeguarding.tasks import clear_expired_sessions

    schedule = celery_app.conf.beat_schedule["clear-expired-sessions"]
    assert schedule["task"] == clear_expired_sessions.name
    sign_in(client, people["officer"])
    sign_in(Client(), people["manager"])
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert clear_expired_sessions() == 1
    assert Session.objects.count() == 1


def test_an_address_differing_only_in_case_is_refused_and_sign_in_still_works(client, people):
    """The administration site once accepted OFFICER@… beside officer@…; every sign-in as
    that person then failed with a server error."""
    from tests.factories import UserFactory

    officer = people["officer"]
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    response = client.post(
        reverse("admin:safeguarding_user_add"),
        {
            "email": officer.email.upper(),
            "full_name": "Someone Else",
            "password1": "A-long-enough-passw0rd!",
            "password2": "A-long-enough-passw0rd!",
        },
    )
    assert response.status_code == 200
    assert "already has this email address" in response.content.decode()
    from safeguarding.models import User

    assert User.objects.filter(email__iexact=officer.email).count() == 1
    # Saved in any case, an address is kept in lower case.
    other = UserFactory(email="New.Person@Example.ORG")
    other.refresh_from_db()
    assert other.email == "new.person@example.org"
    response = Client().post(
        reverse("safeguarding:sign-in"),
        {"username": officer.email.upper(), "password": PASSWORD},
    )
    assert response.status_code == 302


def test_membership_mistakes_in_the_administration_site_are_said_plainly(
    client, people, partnership, other_partnership
):
    from safeguarding.models import Agency, Membership
    from tests.factories import AgencyFactory, UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory()
    elsewhere = AgencyFactory(
        name="Ashdown Schools", kind=Agency.Kind.EDUCATION, partnerships=[other_partnership]
    )
    sign_in(client, admin)
    url = reverse("admin:safeguarding_membership_add")

    def refused(**post):
        response = client.post(url, {"user": person.pk, **post})
        assert response.status_code == 200
        return response.content.decode()

    html = refused(role="agency", partnership=partnership.pk, agency=elsewhere.pk)
    assert "Ashdown Schools does not work with this partnership" in html
    html = refused(role="officer")
    assert "Select the partnership this role is in." in html
    assert "membership_scope_matches_role" not in html
    html = refused(role="officer", partnership=partnership.pk, agency=elsewhere.pk)
    assert "Only agency contributors have an agency." in html
    assert not Membership.objects.filter(user=person).exists()


def test_an_old_membership_does_not_block_edits_after_its_agency_left_the_partnership(
    partnership, other_partnership
):
    from safeguarding.models import Agency, Membership, Role
    from tests.factories import AgencyFactory, UserFactory

    agency = AgencyFactory(
        name="Leaving Trust", kind=Agency.Kind.HEALTH, partnerships=[partnership]
    )
    person = UserFactory()
    membership = Membership.objects.create(
        user=person, role=Role.AGENCY_CONTRIBUTOR, partnership=partnership, agency=agency
    )
    agency.partnerships.remove(partnership)
    membership.full_clean()  # unchanged: still valid, so the person can be edited
    membership.agency = AgencyFactory(
        name="Elsewhere", kind=Agency.Kind.HEALTH, partnerships=[other_partnership]
    )
    with pytest.raises(Exception) as error:
        membership.full_clean()
    assert "does not work with this partnership" in str(error.value)


def test_a_contributor_refused_a_move_to_another_agency_is_told_their_agency_now(
    client, partnership, other_partnership
):
    """Moving an agency contributor to an agency that does not work with the
    partnership is refused: the error names the agency they still answer for, not
    only the one refused."""
    from safeguarding.models import Agency, Membership, Role
    from tests.factories import AgencyFactory, UserFactory

    now = AgencyFactory(name="Ashdown Police", kind=Agency.Kind.POLICE, partnerships=[partnership])
    refused = AgencyFactory(
        name="Ashdown Schools", kind=Agency.Kind.EDUCATION, partnerships=[other_partnership]
    )
    person = UserFactory(full_name="Sam Rivers")
    membership = Membership.objects.create(
        user=person, role=Role.AGENCY_CONTRIBUTOR, partnership=partnership, agency=now
    )
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    response = client.post(
        reverse("admin:safeguarding_membership_change", args=[membership.pk]),
        {
            "user": person.pk,
            "role": Role.AGENCY_CONTRIBUTOR,
            "partnership": partnership.pk,
            "agency": refused.pk,
        },
    )
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'").replace("&#39;", "'")
    assert "Ashdown Schools does not work with this partnership" in html
    assert "Sam Rivers still answers for Ashdown Police" in html
    membership.refresh_from_db()
    assert membership.agency == now


def test_a_password_reset_ends_the_accounts_lockout(client, people, settings, eager_tasks):
    """The locked-out page says to reset the password: doing so lets the person in."""
    officer = people["officer"]
    url = reverse("safeguarding:sign-in")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": officer.email, "password": "wrong-password-1"})
    locked = client.post(url, {"username": officer.email, "password": "wrong-password-1"})
    assert locked.status_code == 429
    client.post(reverse("safeguarding:password-reset"), {"email": officer.email})
    link = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a-much-longer-new-passphrase"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    signed_in = client.post(url, {"username": officer.email.upper(), "password": new})
    assert signed_in.status_code == 302


def test_the_home_page_tells_an_administrator_what_they_do_and_others_to_ask(client):
    """An administrator is in no partnership by design: their home page says what they
    administer and links to it, not "ask the business manager to add you"."""
    from django.urls import reverse

    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    page = client.get(reverse("safeguarding:home")).content.decode()
    assert "You administer the service" in page and "not yet part of a partnership" not in page
    assert f'href="{reverse("admin:index")}"' in page
    assert f'href="{reverse("safeguarding:audit")}"' in page

    newcomer = UserFactory()
    sign_in(client, newcomer)
    page = client.get(reverse("safeguarding:home")).content.decode()
    assert "not yet part of a partnership" in page and "You administer" not in page
    assert f'href="{reverse("admin:index")}"' not in page


def test_a_staff_account_that_cannot_read_the_audit_trail_is_not_offered_it(client):
    """The administration site can give someone staff access without making them a
    superuser: the audit trail is a superuser's (or a manager's), so their home page
    does not link to a page that would refuse them."""
    from django.urls import reverse

    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=False)
    sign_in(client, staff)
    assert client.get(reverse("safeguarding:audit")).status_code == 403
    page = client.get(reverse("safeguarding:home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in page
    assert f'href="{reverse("safeguarding:audit")}"' not in page


def _password_link(user, token=None) -> str:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return reverse(
        "safeguarding:password-reset-confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            token or default_token_generator.make_token(user),
        ],
    )


def _title_and_heading(page: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?) –", page, re.S).group(1).strip()
    heading = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', page, re.S).group(1)
    return title, heading.strip()


def test_a_used_password_link_says_it_was_used_and_offers_sign_in(people):
    """Reopening an invitation's or a reset's link after choosing a password said "This
    link has expired" (under the title "Choose a new password"): it was used, not
    expired, and the person most likely wants to sign in."""
    officer = people["officer"]
    link = _password_link(officer)
    browser = Client()
    form_url = browser.get(link, follow=True).redirect_chain[-1][0]
    new = "a-much-longer-new-passphrase"
    assert browser.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    for again in (Client(), browser):
        page = again.get(link, follow=True).content.decode()
        assert _title_and_heading(page) == (
            "This link has already been used",
            "This link has already been used",
        )
        assert f'<a class="govuk-link" href="{reverse("safeguarding:sign-in")}">' in page
        assert "expired" not in page.partition("<main")[2]


def test_an_expired_password_link_says_so_under_a_matching_title(people, settings):
    from django.contrib.auth.tokens import default_token_generator

    officer = people["officer"]
    generator = default_token_generator
    long_ago = generator._num_seconds(generator._now()) - settings.PASSWORD_RESET_TIMEOUT - 60
    token = generator._make_token_with_timestamp(officer, long_ago, generator.secret)
    link = _password_link(officer, token)
    page = Client().get(link, follow=True).content.decode()
    assert _title_and_heading(page) == ("This link has expired", "This link has expired")
    assert reverse("safeguarding:password-reset") in page
