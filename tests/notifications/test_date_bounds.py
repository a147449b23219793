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
    "notifications.forms.FindByNameForm.date_of_birth": None,  # a search: any real date
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


# --- A date kept as it was stored still saves --------------------------------------------------


def _legacy(incident, *, incident_date, awareness_date):
    """Dates kept before the earliest dates were checked (imported from an older system):
    written as they were, past the services' checks."""
    Incident.objects.filter(pk=incident.pk).update(
        incident_date=incident_date, awareness_date=awareness_date
    )
    incident.refresh_from_db()
    return incident


def test_dates_kept_as_they_were_stored_still_save(client, people, make_incident):
    """An incident imported with dates before the earliest (aware in 2017, the incident
    in 1999, more than 18 years before): its dates step saves with them unchanged,
    as a closure day does not refuse a typed date kept as it was."""
    incident = _legacy(
        make_incident(complete=False),
        incident_date=dt.date(1999, 1, 4),
        awareness_date=dt.date(2017, 3, 1),
    )
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "dates"])
    kept = {
        **date_fields("incident_date", incident.incident_date),
        **date_fields("awareness_date", incident.awareness_date),
        "incident_place": "Brookfield Road",
        "version": incident.version,
    }
    response = client.post(url, kept)
    assert response.status_code == 302, _errors(response)
    incident.refresh_from_db()
    assert incident.incident_place == "Brookfield Road"
    assert (incident.incident_date, incident.awareness_date) == (
        dt.date(1999, 1, 4),
        dt.date(2017, 3, 1),
    )
    # A date changed is refused as a new one is, the other kept as it was.
    changed = {**kept, "version": incident.version}
    response = client.post(url, {**changed, **date_fields("incident_date", dt.date(1999, 1, 5))})
    assert _errors(response) == {"incident_date": [INCIDENT_TOO_EARLY]}
    response = client.post(
        url,
        {**changed, **date_fields("awareness_date", dt.date(2017, 3, 2)), "reason": "Typo"},
    )
    assert _errors(response) == {"awareness_date": [AWARE_TOO_EARLY]}


def test_the_18_years_are_checked_again_only_when_a_date_changes(client, people, make_incident):
    """Each date is after its earliest, but the two are more than 18 years apart: kept
    as they were they save; a new awareness date is checked against the incident's."""
    incident = _legacy(
        make_incident(complete=False),
        incident_date=dt.date(2001, 1, 2),
        awareness_date=dt.date(2019, 6, 3),
    )
    sign_in(client, people["officer"])
    url = reverse("notifications:step", args=[incident.pk, "dates"])
    kept = {
        **date_fields("incident_date", incident.incident_date),
        **date_fields("awareness_date", incident.awareness_date),
        "version": incident.version,
    }
    assert client.post(url, kept).status_code == 302
    incident.refresh_from_db()
    response = client.post(
        url,
        {
            **kept,
            **date_fields("awareness_date", dt.date(2019, 6, 4)),
            "reason": "Typo",
            "version": incident.version,
        },
    )
    assert _errors(response) == {
        "incident_date": [
            "The date of the incident must be no more than 18 years before the date the "
            "local authority became aware (4 June 2019)"
        ]
    }


def test_the_services_let_dates_kept_as_they_were_through(people, make_incident):
    officer = people["officer"]
    incident = _legacy(
        make_incident(complete=False),
        incident_date=dt.date(1999, 1, 4),
        awareness_date=dt.date(2017, 3, 1),
    )
    incident = services.incident_update(
        incident=incident,
        actor=officer,
        changes={"incident_date": dt.date(1999, 1, 4), "incident_place": "Brookfield Road"},
    )
    assert incident.incident_place == "Brookfield Road"
    with pytest.raises(ValidationError) as error:
        services.incident_update(
            incident=incident, actor=officer, changes={"incident_date": dt.date(1999, 1, 5)}
        )
    assert error.value.message_dict == {"incident_date": [INCIDENT_TOO_EARLY]}
    # A new awareness date is checked; the incident date kept is not refused for its age
    # alone, only against the new awareness date.
    with pytest.raises(ValidationError) as error:
        services.incident_change_awareness_date(
            incident=incident, actor=officer, awareness_date=dt.date(2017, 3, 2), reason="Typo"
        )
    assert error.value.message_dict == {"awareness_date": [AWARE_TOO_EARLY]}
    with pytest.raises(ValidationError) as error:
        services.incident_change_awareness_date(
            incident=incident, actor=officer, awareness_date=dt.date(2018, 7, 2), reason="Typo"
        )
    assert error.value.message_dict == {
        "incident_date": [
            "The date of the incident must be no more than 18 years before the date the "
            "local authority became aware (2 July 2018)"
        ]
    }
    incident = services.incident_change_awareness_date(
        incident=incident,
        actor=officer,
        awareness_date=dt.date(2018, 7, 2),
        reason="Typo",
        incident_date=dt.date(2000, 7, 3),
    )
    assert incident.awareness_date == dt.date(2018, 7, 2)


def test_every_case_form_lets_a_date_kept_as_it_was_stored_save():
    """The date inputs of every case form: a date before the earliest is refused when
    typed, but not when it is the one stored (the form's initial value)."""
    from safeguarding.forms import BaseForm

    class Form(BaseForm):
        day = GDSDateField(what="the date of the meeting")

    stored = dt.date(2017, 3, 1)
    typed = {"day_0": "1", "day_1": "3", "day_2": "2017"}
    assert Form(typed, initial={"day": stored}).is_valid()
    assert not Form(typed).is_valid()
    assert not Form(typed, initial={"day": stored + dt.timedelta(days=1)}).is_valid()
    assert Form(typed).errors["day"] == [
        "The date of the meeting must be the same as or after 29 June 2018, when the duty to "
        "notify the National Panel began"
    ]


@pytest.mark.parametrize("field", list(date_inputs()))
def test_every_case_date_input_is_on_a_form_that_knows_the_stored_date(field, request):
    from safeguarding.forms import GDSFormMixin

    name = request.node.callspec.id
    module, form_name, _field = name.rsplit(".", 2)
    form = getattr(__import__(module, fromlist=[form_name]), form_name)
    assert field.earliest is None or issubclass(form, GDSFormMixin), name
