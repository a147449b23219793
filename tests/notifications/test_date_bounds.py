"""The earliest dates a case accepts (ADR 0027, addendum "the earliest dates"): nothing
before 29 June 2018, when the duty to notify the National Panel began; an incident no
more than 18 years before the local authority became aware of it. A walk logged an
incident on 1 January 1900, and the sweep e-mailed "32310 working days late"."""

import datetime as dt
import inspect

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from lcspr import forms as lcspr_forms
from notifications import forms as incident_forms
from notifications import services
from notifications.models import Incident
from rapid_reviews import forms as review_forms
from safeguarding.form_fields import CASE_DATE, INCIDENT_DATE, GDSDateField
from tests.utils import date_fields, sign_in

pytestmark = pytest.mark.django_db

AWARE_TOO_EARLY = (
    "The date the local authority became aware must be the same as or after 29 June 2018, "
    "when the duty to notify the National Panel began"
)
INCIDENT_TOO_EARLY = (
    "The date of the incident must be the same as or after 29 June 2000, 18 years before "
    "the duty to notify the National Panel began"
)


def _errors(response) -> dict:
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html and "There is a problem" in html
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def test_an_incident_in_1900_is_refused_with_both_dates_at_once(client, people):
    sign_in(client, people["officer"])
    response = client.post(
        reverse("notifications:new"),
        {
            **date_fields("incident_date", dt.date(1900, 1, 1)),
            **date_fields("awareness_date", dt.date(1900, 1, 2)),
            "incident_place": "Brookfield",
        },
    )
    assert _errors(response) == {
        "incident_date": [INCIDENT_TOO_EARLY],
        "awareness_date": [AWARE_TOO_EARLY],
    }
    html = response.content.decode()
    # In the error summary, each linked to its first box.
    assert 'href="#id_incident_date_0"' in html and 'href="#id_awareness_date_0"' in html
    assert not Incident.objects.exists()


def test_the_duty_began_on_29_june_2018(client, people):
    sign_in(client, people["officer"])
    url = reverse("notifications:new")
    response = client.post(url, date_fields("awareness_date", dt.date(2018, 6, 28)))
    assert _errors(response) == {"awareness_date": [AWARE_TOO_EARLY]}
    response = client.post(url, date_fields("awareness_date", dt.date(2018, 6, 29)))
    assert response.status_code == 302
    assert Incident.objects.get().awareness_date == dt.date(2018, 6, 29)


def test_an_incident_is_at_most_18_years_before_the_awareness(client, people):
    sign_in(client, people["officer"])
    url = reverse("notifications:new")
    aware = dt.date(2026, 11, 2)
    response = client.post(
        url,
        {
            **date_fields("awareness_date", aware),
            **date_fields("incident_date", dt.date(2008, 11, 1)),
        },
    )
    assert _errors(response) == {
        "incident_date": [
            "The date of the incident must be no more than 18 years before the date the "
            "local authority became aware (2 November 2026)"
        ]
    }
    response = client.post(
        url,
        {
            **date_fields("awareness_date", aware),
            **date_fields("incident_date", dt.date(2008, 11, 2)),
        },
    )
    assert response.status_code == 302
    assert Incident.objects.get().incident_date == dt.date(2008, 11, 2)


def test_the_services_refuse_them_too(people, partnership, make_incident):
    officer = people["officer"]
    with pytest.raises(ValidationError) as error:
        services.incident_create(
            partnership=partnership,
            actor=officer,
            awareness_date=dt.date(1900, 1, 2),
            incident_date=dt.date(1900, 1, 1),
        )
    assert error.value.message_dict == {
        "incident_date": [INCIDENT_TOO_EARLY],
        "awareness_date": [AWARE_TOO_EARLY],
    }
    incident = make_incident(aware=dt.date(2026, 11, 2), complete=False)
    with pytest.raises(ValidationError) as error:
        services.incident_update(
            incident=incident, actor=officer, changes={"incident_date": dt.date(2001, 1, 1)}
        )
    assert "no more than 18 years before" in error.value.message_dict["incident_date"][0]
    with pytest.raises(ValidationError) as error:
        services.incident_change_awareness_date(
            incident=incident, actor=officer, awareness_date=dt.date(2017, 1, 2), reason="Typo"
        )
    assert error.value.message_dict["awareness_date"] == [AWARE_TOO_EARLY]


def test_a_childs_date_of_birth_in_1900_is_refused_by_the_childs_age(client, people, make_incident):
    incident = make_incident(complete=False, children=0)
    sign_in(client, people["officer"])
    response = client.post(
        reverse("notifications:child-add", args=[incident.pk]),
        {
            "name": "Ava Example",
            **date_fields("date_of_birth", dt.date(1900, 1, 1)),
            "sex": "female",
            "ethnicity": "white_british",
            "status_at_time": "cin",
        },
    )
    (message,) = _errors(response)["date_of_birth"]
    assert "a child in this notification must be 17 or younger" in message


#: Date inputs that are not a case's own dates, with what bounds them instead.
NOT_CASE_DATES = {
    "notifications.forms.IncidentDatesForm.incident_date": INCIDENT_DATE,
    "notifications.forms.IncidentNewForm.incident_date": INCIDENT_DATE,
    "notifications.forms.ChildForm.date_of_birth": None,  # the child's age
    "rapid_reviews.forms.ChronologyRowForm.date": None,  # the child's life, and before
}


def date_inputs():
    for module in (incident_forms, review_forms, lcspr_forms):
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for field_name, field in form.base_fields.items():
                if isinstance(field, GDSDateField):
                    yield pytest.param(field, id=f"{module.__name__}.{name}.{field_name}")


@pytest.mark.parametrize("field", list(date_inputs()))
def test_every_date_of_a_case_is_on_or_after_the_duty_began(field, request):
    """Every case form's date input refuses 1 January 1900 (and 28 June 2018), in words
    that name it, unless it is one of the few that are not a case's own dates."""
    name = request.node.callspec.id
    if name in NOT_CASE_DATES:
        assert field.earliest == NOT_CASE_DATES[name]
        return
    assert field.earliest == CASE_DATE
    for day in (dt.date(1900, 1, 1), dt.date(2018, 6, 28)):
        with pytest.raises(ValidationError) as error:
            field.clean([str(day.day), str(day.month), str(day.year)])
        (message,) = error.value.messages
        assert message.endswith(
            "must be the same as or after 29 June 2018, when the duty to notify the National "
            "Panel began"
        )
        assert message.startswith(field.what[0].upper() + field.what[1:])
    assert field.clean(["29", "6", "2018"]) == dt.date(2018, 6, 29)  # a Friday
