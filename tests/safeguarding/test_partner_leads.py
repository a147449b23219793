"""A partnership manager records the statutory partners' leads (safeguarding/leads.py):
the name and job title each sign-off form starts with. Only the partnership's own
manager sees or changes them; every change is audited; bad input gets the GOV.UK error
summary and changes nothing."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safeguarding.leads import partner_leads_of, partner_leads_set, partner_leads_summary
from safeguarding.models import AuditEvent, PartnerLead
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

LEADS = {
    "local_authority_name": "Karen Whitfield",
    "local_authority_job_title": "Director of Children’s Services",
    "police_name": "Raj Patel",
    "police_job_title": "Detective Superintendent",
    "health_name": "Dr Fiona Osei",
    "health_job_title": "Designated Nurse",
}


def leads_url(partnership):
    return reverse("safeguarding:partner-leads", args=[partnership.pk])


def saved(partnership):
    return {p: (lead.name, lead.job_title) for p, lead in partner_leads_of(partnership).items()}


def test_a_manager_finds_records_and_sees_the_leads(client, people, partnership):
    manager = people["manager"]
    sign_in(client, manager)
    url = leads_url(partnership)
    # Reached from where the manager manages the partnership: home and the People page.
    assert f'href="{url}"' in client.get(reverse("safeguarding:home")).content.decode()
    people_page = reverse("safeguarding:people", args=[partnership.pk])
    assert f'href="{url}?from=people"' in client.get(people_page).content.decode()
    page = client.get(url).content.decode()
    assert "Statutory partners’ leads" in page
    # One fieldset for each partner, its legend naming the partner.
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", page, re.S)
    assert [re.sub(r"<[^>]+>", "", x).strip() for x in legends] == [
        "Local authority",
        "Police",
        "Health (integrated care board)",
    ]

    response = client.post(url, {**LEADS, "police_name": "  Raj   Patel "})
    assert response.status_code == 302
    assert saved(partnership) == {
        "local_authority": ("Karen Whitfield", "Director of Children’s Services"),
        "police": ("Raj Patel", "Detective Superintendent"),
        "health": ("Dr Fiona Osei", "Designated Nurse"),
    }
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.UPDATE, actor=manager, partnership=partnership
    )
    assert event.changes["partner_leads"]["police"] == {
        "old": None,
        "new": {"name": "Raj Patel", "job_title": "Detective Superintendent"},
    }
    # The page shows what is recorded, ready to change.
    page = client.get(url).content.decode()
    assert 'value="Karen Whitfield"' in page and 'value="Designated Nurse"' in page


def test_a_new_lead_is_audited_with_the_old_and_a_blank_partner_has_none(people, partnership):
    manager = people["manager"]
    partner_leads_set(
        partnership=partnership,
        actor=manager,
        leads={"police": ("Raj Patel", "Detective Superintendent"), "health": ("Dr Osei", "DN")},
    )
    partner_leads_set(
        partnership=partnership,
        actor=manager,
        leads={"police": ("Sam Cole", "Detective Chief Inspector"), "health": ("", "")},
    )
    assert saved(partnership) == {"police": ("Sam Cole", "Detective Chief Inspector")}
    latest = AuditEvent.objects.filter(partnership=partnership).order_by("-pk").first()
    assert latest.changes["partner_leads"] == {
        "police": {
            "old": {"name": "Raj Patel", "job_title": "Detective Superintendent"},
            "new": {"name": "Sam Cole", "job_title": "Detective Chief Inspector"},
        },
        "health": {"old": {"name": "Dr Osei", "job_title": "DN"}, "new": None},
    }
    # Saving the same again changes nothing and records nothing.
    events = AuditEvent.objects.count()
    partner_leads_set(
        partnership=partnership,
        actor=manager,
        leads={"police": ("Sam Cole", "Detective Chief Inspector")},
    )
    assert AuditEvent.objects.count() == events
    # Whose agreement is still to write keeps its line (a decision not to notify needs all three).
    assert partner_leads_summary(partnership) == (
        "Local authority: \nPolice: Sam Cole, Detective Chief Inspector\n"
        "Health (integrated care board): "
    )


@pytest.mark.parametrize("role", ["officer", "agency", "reviewer", "regional"])
def test_every_other_role_is_refused_the_page(client, people, partnership, role):
    sign_in(client, people[role])
    url = leads_url(partnership)
    assert client.get(url).status_code == 403
    assert client.post(url, LEADS).status_code == 403
    assert not PartnerLead.objects.exists()
    home = client.get(reverse("safeguarding:home")).content.decode()
    assert url not in home
    with pytest.raises(PermissionDenied):
        partner_leads_set(partnership=partnership, actor=people[role], leads={"police": ("A", "B")})


def test_one_partnerships_manager_cannot_see_or_change_anothers(
    client, people, partnership, other_partnership
):
    partner_leads_set(
        partnership=partnership,
        actor=people["manager"],
        leads={"police": ("Raj Patel", "Detective Superintendent")},
    )
    other = people["other_manager"]
    sign_in(client, other)
    url = leads_url(partnership)
    assert client.get(url).status_code == 404
    assert client.post(url, {**LEADS, "police_name": "Someone Else"}).status_code == 404
    assert saved(partnership) == {"police": ("Raj Patel", "Detective Superintendent")}
    # Their own page holds only their own partnership's leads.
    own = client.get(leads_url(other_partnership)).content.decode()
    assert "Raj Patel" not in own
    assert client.post(leads_url(other_partnership), LEADS).status_code == 302
    assert saved(partnership) == {"police": ("Raj Patel", "Detective Superintendent")}
    assert saved(other_partnership)["police"] == ("Raj Patel", "Detective Superintendent")
    assert saved(other_partnership)["local_authority"][0] == "Karen Whitfield"
    with pytest.raises(PermissionDenied):
        partner_leads_set(partnership=partnership, actor=other, leads={})


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"police_name": ""}, "police_name", "Enter the name of the police lead"),
        (
            {"health_job_title": "  "},
            "health_job_title",
            "Enter the job title of the health (integrated care board) lead",
        ),
        (
            {"local_authority_name": "x" * 151},
            "local_authority_name",
            "The name of the local authority lead must be 150 characters or fewer",
        ),
        (
            {"police_job_title": "a\x00b"},
            "police_job_title",
            "Remove the hidden characters from this answer",
        ),
    ],
)
def test_bad_input_gets_the_error_summary_and_saves_nothing(
    client, people, partnership, change, field, message
):
    sign_in(client, people["manager"])
    response = client.post(leads_url(partnership), {**LEADS, **change})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html and "There is a problem" in html
    assert f'href="#id_{field}"' in html
    assert message in html
    # What was typed is kept, and nothing is saved.
    assert 'value="Dr Fiona Osei"' in html
    assert not PartnerLead.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()


def test_the_service_checks_what_the_form_does_not(people, partnership):
    with pytest.raises(ValidationError) as error:
        partner_leads_set(
            partnership=partnership,
            actor=people["manager"],
            leads={"police": ("", "Detective Superintendent"), "health": ("Dr Osei", "y" * 151)},
        )
    assert error.value.message_dict == {
        "police_name": ["Enter the name of the police lead"],
        "health_job_title": [
            "The job title of the health (integrated care board) lead must be 150 "
            "characters or fewer"
        ],
    }
    assert not PartnerLead.objects.exists()


def test_every_error_of_the_leads_shows_at_once(client, people, partnership):
    """A name without a job title and a job title without a name, in different partners,
    with a name too long in a third: the form runs the service's checks (ADR 0021), so
    the error summary lists all three on the first save."""
    sign_in(client, people["manager"])
    response = client.post(
        leads_url(partnership),
        {
            **LEADS,
            "police_job_title": "",
            "health_name": " ",
            "local_authority_name": "x" * 151,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('class="govuk-error-summary"')
    summary = html[start : html.index("</ul>", start)]
    for field, message in (
        ("police_job_title", "Enter the job title of the police lead"),
        ("health_name", "Enter the name of the health (integrated care board) lead"),
        (
            "local_authority_name",
            "The name of the local authority lead must be 150 characters or fewer",
        ),
    ):
        assert f'href="#id_{field}"' in summary and message in summary
    # Each box says its own error once: the name too long is not also "missing".
    assert html.count("The name of the local authority lead must be") == 2  # summary, field
    assert "Enter the job title of the local authority lead" not in html
    assert not PartnerLead.objects.exists()


def test_a_box_too_long_still_counts_as_filled_in_for_its_partners_other_box(
    client, people, partnership
):
    sign_in(client, people["manager"])
    html = client.post(
        leads_url(partnership), {**LEADS, "police_name": "x" * 151, "police_job_title": ""}
    ).content.decode()
    assert "The name of the police lead must be 150 characters or fewer" in html
    assert "Enter the job title of the police lead" in html
    assert 'href="#id_police_job_title"' in html


@pytest.mark.parametrize(
    "opened_from, returns_to",
    [
        ("", "home"),
        ("?from=people", "people"),
        # Only the pages it is linked from: anything else goes home, never elsewhere.
        ("?from=https://evil.example/", "home"),
        ("?from=//evil.example", "home"),
        ("?from=home", "home"),
    ],
)
def test_back_and_saving_return_to_the_page_it_was_opened_from(
    client, people, partnership, opened_from, returns_to
):
    sign_in(client, people["manager"])
    url = leads_url(partnership) + opened_from
    expected = {
        "home": reverse("safeguarding:home"),
        "people": reverse("safeguarding:people", args=[partnership.pk]),
    }[returns_to]
    page = client.get(url).content.decode()
    back = re.search(r'<a href="([^"]*)" class="govuk-back-link">', page).group(1)
    assert back == expected
    assert "evil" not in page
    # The form posts to the page's own address, marker included (no action of its own).
    forms = [f for f in re.findall(r"<form[^>]*>", page) if "sign-out" not in f]
    assert len(forms) == 1 and "action" not in forms[0]
    # An error keeps the way back; a save goes there.
    error = client.post(url, {**LEADS, "police_name": ""}).content.decode()
    assert f'<a href="{expected}" class="govuk-back-link">' in error
    response = client.post(url, LEADS)
    assert response.status_code == 302 and response.url == expected
    assert saved(partnership)["police"] == ("Raj Patel", "Detective Superintendent")
