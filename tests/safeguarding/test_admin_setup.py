"""Setting up a new partnership in the administration site: what an administrator types
is checked and said plainly, never a server error, and nothing that would break the
service later (a reference prefix, a reminder policy the sweep cannot read) is let in."""

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
