"""SERVICE_CONTACT_EMAIL: the address of the team that runs the service. Where the service
sends someone to its administrators (a manager's or regional viewer's security notice and
set-up code, the invitation to such a role) it gives the address when there is one; the
footer, the accessibility statement, the recovery-code page and the service status page
give it too. With none set (production's default), the wording is as it always was."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from safeguarding import security_notices
from safeguarding.models import Membership, Role
from safeguarding.people import invitation_deliver
from tests.mail_server import text_of
from tests.utils import authenticator_for, sign_in

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

ADDRESS = "service-team@reviews.example"
ROOT = Path(__file__).resolve().parents[2]


def _setting_under(**env) -> str:
    """SERVICE_CONTACT_EMAIL as settings.py makes it from this environment alone."""
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(repr(settings.SERVICE_CONTACT_EMAIL))",
        ],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "safeguarding.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_demo_has_a_contact_address_and_production_none_unless_set(tmp_path):
    if (ROOT / ".env").exists() and "SERVICE_CONTACT_EMAIL" in (ROOT / ".env").read_text():
        pytest.skip("a local .env sets SERVICE_CONTACT_EMAIL")
    assert _setting_under(DEBUG="false") == "''"
    assert _setting_under(DEBUG="true", DEMO_MODE="true") == "'support@demo.example'"
    assert _setting_under(DEBUG="false", SERVICE_CONTACT_EMAIL=ADDRESS) == repr(ADDRESS)


@pytest.mark.parametrize("address", [ADDRESS, ""])
def test_whom_to_tell_gives_the_administrators_address_when_there_is_one(people, settings, address):
    settings.SERVICE_CONTACT_EMAIL = address
    named = f"the administrators of {settings.SERVICE_NAME}"
    for who in ("manager", "regional"):
        told = security_notices.who_to_tell(people[who])
        assert told == (f"{named} ({ADDRESS})" if address else named), who
    # Anyone else is sent to their business manager, with no address of ours.
    assert security_notices.who_to_tell(people["officer"]) == "your business manager"


def test_a_managers_security_notice_gives_the_administrators_address(
    client, people, smtp, settings, django_capture_on_commit_callbacks
):
    settings.SERVICE_CONTACT_EMAIL = ADDRESS
    sign_in(client, people["manager"])
    new = "a-much-longer-new-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("safeguarding:password-change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
    (message,) = smtp
    text = " ".join(text_of(message).split())
    assert f"- tell the administrators of {settings.SERVICE_NAME} ({ADDRESS})," in text


@pytest.mark.parametrize("address", [ADDRESS, ""])
def test_an_invitation_from_the_administrators_gives_their_address(people, settings, address):
    settings.SERVICE_CONTACT_EMAIL = address
    membership = Membership.objects.get(user=people["regional"], role=Role.REGIONAL_VIEWER)
    membership.invitation_untold_since = timezone.now()
    membership.save(update_fields=["invitation_untold_since"])
    assert invitation_deliver(membership_id=membership.pk) == "sent"
    (invitation,) = mail.outbox
    named = f"the administrators of {settings.SERVICE_NAME}"
    told = (
        f"If you did not expect this, tell {named} ({ADDRESS})."
        if address
        else (f"If you did not expect this, tell {named}.")
    )
    for part in (invitation.body, invitation.alternatives[0][0]):
        assert told in " ".join(part.split())
        assert (ADDRESS in part) == bool(address)


PAGES = {
    "accessibility (staff)": reverse("safeguarding:accessibility"),
    "accessibility (public)": reverse("learning:accessibility"),
    "service status": reverse("safeguarding:service-status"),
}


@pytest.mark.parametrize("address", [ADDRESS, ""])
def test_the_public_pages_give_the_address_when_there_is_one(client, settings, address):
    settings.SERVICE_CONTACT_EMAIL = address
    for name, url in PAGES.items():
        page = client.get(url).content.decode()
        assert (f'href="mailto:{ADDRESS}"' in page) == bool(address), name
    footer = client.get(reverse("safeguarding:accessibility")).content.decode()
    footer = footer.partition('<footer class="govuk-footer">')[2]
    assert (f"Contact the service team: {ADDRESS}" in footer) == bool(address)


@pytest.mark.parametrize("address", [ADDRESS, ""])
def test_the_service_status_page_gives_the_address_when_it_is_not_working(
    client, settings, address
):
    settings.SERVICE_CONTACT_EMAIL = address
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("safeguarding:service-status"))
    assert response.status_code == 503
    page = response.content.decode().partition('<footer class="govuk-footer">')[0]
    assert ("To tell the team that runs the service, email" in page) == bool(address)
    assert (f'href="mailto:{ADDRESS}"' in page) == bool(address)


@pytest.mark.parametrize("address", [ADDRESS, ""])
def test_the_recovery_code_page_gives_the_administrators_address(client, people, settings, address):
    settings.SERVICE_CONTACT_EMAIL = address
    officer = people["officer"]
    authenticator_for(officer)
    client.post(reverse("safeguarding:sign-in"), {"username": officer.email, "password": PASSWORD})
    page = client.get(reverse("safeguarding:two-factor-recovery")).content.decode()
    page = _main(page)
    assert "business manager" not in page  # only an administrator can reset it
    assert f"ask the administrators of {settings.SERVICE_NAME}" in page
    assert (f'href="mailto:{ADDRESS}"' in page) == bool(address)


def _main(page) -> str:
    """The page's main content (the beta banner's "tell your business manager what would
    make it better" is theirs to hear)."""
    return " ".join(page.partition("<main")[2].partition("</main>")[0].split())


@pytest.mark.parametrize("address", [ADDRESS, ""])
def test_the_lockout_page_names_the_administrators_who_can_unlock(
    client, people, settings, address
):
    """Only the service's administrators end a lockout (the administration site): the page
    sent the person to their business manager, who cannot."""
    settings.SERVICE_CONTACT_EMAIL = address
    officer = people["officer"]
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("safeguarding:sign-in"), {"username": officer.email, "password": "wrong"}
        )
    assert response.status_code == 429
    page = _main(response.content.decode())
    assert "business manager" not in page
    assert f"tell the administrators of {settings.SERVICE_NAME}" in page
    assert (
        f"If you cannot wait, ask the administrators of {settings.SERVICE_NAME} to unlock your "
        "sign-in. No one else can." in page
    )
    assert (f'href="mailto:{ADDRESS}"' in page) == bool(address)


@pytest.mark.parametrize("address", [ADDRESS, ""])
def test_the_set_up_code_page_names_the_administrators_who_correct_an_address(
    client, people, settings, address
):
    """A person's e-mail address is corrected on the administration site only."""
    settings.SERVICE_CONTACT_EMAIL = address
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer = people["officer"]
    client.post(reverse("safeguarding:sign-in"), {"username": officer.email, "password": PASSWORD})
    page = _main(client.get(reverse("safeguarding:two-factor-email")).content.decode())
    assert "business manager" not in page
    assert (
        f"If the email address above is wrong, ask the administrators of {settings.SERVICE_NAME}"
        in page
    )
    assert (f'href="mailto:{ADDRESS}"' in page) == bool(address)


@pytest.mark.parametrize("contact", ["business.unit@nscp.example", ""])
def test_an_invitation_from_a_partnership_gives_its_contact_address(people, contact):
    """ "Tell the partnership's business manager" gave no name nor address, though the
    partnership has a contact address."""
    membership = Membership.objects.get(user=people["officer"], role=Role.REVIEW_OFFICER)
    partnership = membership.partnership
    partnership.contact_email = contact
    partnership.save(update_fields=["contact_email"])
    membership.invitation_untold_since = timezone.now()
    membership.save(update_fields=["invitation_untold_since"])
    assert invitation_deliver(membership_id=membership.pk) == "sent"
    (invitation,) = mail.outbox
    told = f"If you did not expect this, tell the business manager of {partnership.name}"
    told += f" ({contact})." if contact else "."
    for part in (invitation.body, invitation.alternatives[0][0]):
        assert told in " ".join(re.sub(r"<[^>]+>", "", part).split())
    assert (f'href="mailto:{contact}"' in invitation.alternatives[0][0]) == bool(contact)
