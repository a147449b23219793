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
    assert message["Subject"].startswith("Your password was changed")
    text = _text(message)
    assert "198.51.100.23" in text and "If it was not you" in text
    assert reverse("safeguarding:password-reset") in text
    assert officer.full_name not in text  # nothing but the change itself


def test_a_password_reset_by_link_is_audited_and_told(
    client, people, smtp, settings, django_capture_on_commit_callbacks, eager_tasks
):
    officer = people["officer"]
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
    assert [m["Subject"].split(":")[0] for m in smtp] == ["Your password was changed"]


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
    assert [m["Subject"].split(":")[0] for m in smtp] == [
        "An authenticator app was set up for your account"
    ]
    assert smtp[0]["To"] == officer.email


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
