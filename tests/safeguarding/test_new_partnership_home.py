"""A new partnership's first manager: their home page says what to set up first, until
it is done, instead of a dashboard of noughts and nothing else to go on."""

import pytest
from django.urls import reverse

from safeguarding.models import PartnerLead, Role, StatutoryPartner
from tests.factories import PartnershipFactory, member
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def test_a_new_partnerships_manager_is_told_what_to_set_up_first(client, region):
    fenbridge = PartnershipFactory(region=region, code="FSCP", name="Fenbridge SCP")
    manager = member(Role.PARTNERSHIP_MANAGER, fenbridge, full_name="Nadia Okafor")
    sign_in(client, manager)
    page = client.get(reverse("safeguarding:home")).content.decode()
    assert "Set up Fenbridge SCP" in page
    people = reverse("safeguarding:people", args=[fenbridge.pk])
    leads = reverse("safeguarding:partner-leads", args=[fenbridge.pk])
    assert f'<a class="govuk-link" href="{people}">Add a review officer</a>' in page
    assert f'<a class="govuk-link" href="{leads}">Record the statutory partners’ leads</a>' in page
    # The set-up comes before the empty dashboard, and says nothing that stops being
    # true once incidents are logged.
    assert page.index("Set up Fenbridge SCP") < page.index("Dashboard")
    assert "Only a manager can do these, and the partnership needs them:" in page


def test_the_set_up_list_goes_once_done(client, region):
    fenbridge = PartnershipFactory(region=region, code="FSCP", name="Fenbridge SCP")
    manager = member(Role.PARTNERSHIP_MANAGER, fenbridge)
    member(Role.REVIEW_OFFICER, fenbridge)
    for partner in StatutoryPartner.values[:2]:
        PartnerLead.objects.create(
            partnership=fenbridge, partner=partner, name="A Lead", job_title="Director"
        )
    sign_in(client, manager)
    page = client.get(reverse("safeguarding:home")).content.decode()
    assert "Add a review officer" not in page
    assert "Record the statutory partners’ leads" in page  # one is still missing
    PartnerLead.objects.create(
        partnership=fenbridge,
        partner=StatutoryPartner.values[2],
        name="A Lead",
        job_title="Director",
    )
    page = client.get(reverse("safeguarding:home")).content.decode()
    assert "Set up Fenbridge SCP" not in page


def test_an_officer_is_not_asked_to_set_up_what_only_a_manager_can(client, region):
    fenbridge = PartnershipFactory(region=region, code="FSCP", name="Fenbridge SCP")
    officer = member(Role.REVIEW_OFFICER, fenbridge)
    sign_in(client, officer)
    page = client.get(reverse("safeguarding:home")).content.decode()
    assert "Set up Fenbridge SCP" not in page
