"""Each partner's sign-off form starts with the partnership's current lead for that
partner (safeguarding/leads.py), still editable for a deputy; the sign-off keeps the
name as signed, so a new lead later leaves earlier sign-offs as they were."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from rapid_reviews import services
from rapid_reviews.models import SignOff
from safeguarding.leads import partner_leads_set
from tests.utils import date_fields, sign_in

from .conftest import decide_and_sign

pytestmark = pytest.mark.django_db

LEADS = {
    "local_authority": ("Karen Whitfield", "Director of Children’s Services"),
    "police": ("Raj Patel", "Detective Superintendent"),
    "health": ("Dr Fiona Osei", "Designated Nurse"),
}


@pytest.fixture
def decided(review, people, partnership):
    partner_leads_set(partnership=partnership, actor=people["manager"], leads=LEADS)
    return decide_and_sign(review, people["officer"], signers=())


def value_of(html, field):
    """The value a text box of the page starts with (None: empty)."""
    tag = re.search(rf'<input[^>]* name="{field}"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return unescape(value.group(1)) if value else None


def sign_off_url(review, partner):
    return reverse("rapid_reviews:sign-off", args=[review.pk, partner])


def test_the_form_starts_with_the_partners_current_lead(client, people, decided):
    sign_in(client, people["officer"])
    for partner, (name, job_title) in LEADS.items():
        html = client.get(sign_off_url(decided, partner)).content.decode()
        assert value_of(html, "name") == name
        assert value_of(html, "role") == job_title
        assert "Filled in with the partnership’s lead" in html


def test_a_deputy_signs_and_the_record_keeps_what_was_posted(client, people, decided):
    sign_in(client, people["officer"])
    response = client.post(
        sign_off_url(decided, "police"),
        {
            "name": "DCI Sam Cole",
            "role": "Deputy head of public protection",
            **date_fields("signed_on", timezone.localdate()),
        },
    )
    assert response.status_code == 302, response.content.decode()
    sign_off = SignOff.objects.get(rapid_review=decided, partner="police")
    assert (sign_off.name, sign_off.role) == ("DCI Sam Cole", "Deputy head of public protection")
    # The lead is not changed by a deputy's signature.
    assert decided.incident.partnership.partner_leads.get(partner="police").name == "Raj Patel"


def test_a_new_lead_leaves_earlier_sign_offs_as_signed(client, people, partnership, decided):
    sign_in(client, people["officer"])
    for partner, (name, job_title) in LEADS.items():
        response = client.post(
            sign_off_url(decided, partner),
            {"name": name, "role": job_title, **date_fields("signed_on", timezone.localdate())},
        )
        assert response.status_code == 302
    partner_leads_set(
        partnership=partnership,
        actor=people["manager"],
        leads={**LEADS, "local_authority": ("Stephen Marsh", "Interim Director")},
    )
    signed = {s.partner: (s.name, s.role) for s in SignOff.objects.filter(rapid_review=decided)}
    assert signed == LEADS
    html = client.get(decided.get_absolute_url()).content.decode().replace("&#x27;", "'")
    assert "Karen Whitfield, Director of Children’s Services" in html
    assert "Stephen Marsh" not in html
    # Opening a recorded sign-off again shows the name as signed, not the new lead.
    form = client.get(sign_off_url(decided, "local_authority")).content.decode()
    assert value_of(form, "name") == "Karen Whitfield" and "Stephen Marsh" not in form
    assert "Filled in with the partnership’s lead" not in form


def test_without_a_lead_the_form_starts_empty(client, people, review, partnership):
    decided = decide_and_sign(review, people["officer"], signers=())
    sign_in(client, people["officer"])
    html = client.get(sign_off_url(decided, "health")).content.decode()
    assert value_of(html, "name") is None and value_of(html, "role") is None
    assert "Filled in with the partnership’s lead" not in html


def test_another_partnerships_leads_are_never_offered(
    client, people, review, partnership, other_partnership
):
    partner_leads_set(
        partnership=other_partnership,
        actor=people["other_manager"],
        leads={"police": ("Other Lead", "Superintendent")},
    )
    decided = decide_and_sign(review, people["officer"], signers=())
    sign_in(client, people["officer"])
    html = client.get(sign_off_url(decided, "police")).content.decode()
    assert "Other Lead" not in html and value_of(html, "name") is None


def test_the_service_stores_the_name_given_not_the_lead(people, partnership, decided):
    sign_off = services.rapid_review_sign_off(
        rapid_review=decided,
        actor=people["officer"],
        partner="health",
        name="  Dr Ama Boateng ",
        role="Deputy designated nurse",
        signed_on=timezone.localdate(),
    )
    sign_off.refresh_from_db()
    assert (sign_off.name, sign_off.role) == ("Dr Ama Boateng", "Deputy designated nurse")


def test_a_name_longer_than_the_record_keeps_is_an_error_not_a_500(client, people, decided):
    """The sign-off keeps 150 characters of name and role: a longer one is refused by the
    form with the GOV.UK error summary (on PostgreSQL it was a database error)."""
    sign_in(client, people["officer"])
    response = client.post(
        sign_off_url(decided, "police"),
        {"name": "N" * 151, "role": "R" * 151, **date_fields("signed_on", timezone.localdate())},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Name of the person signing off must be 150 characters or fewer" in html
    assert "Their job title must be 150 characters or fewer" in html
    assert not SignOff.objects.filter(rapid_review=decided, partner="police").exists()
