"""The filter panels of the list and report pages are GET forms: odd query strings never
cause a 500, and a value that is not one of a filter's choices is answered in plain words
(never Django's "Select a valid choice. … is not one of the available choices.")."""

import pytest
from django import forms
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguarding.models import Membership, Role
from safeguarding.templatetags.error_summary import first_box
from tests.utils import sign_in

pytestmark = pytest.mark.django_db

#: Every page with a GET filter panel: who sees it with all its filters (a manager of two
#: partnerships gets the partnership filter), and the context name of its form. The
#: public learning library is not here: a value that is not one of its themes or years
#: is left out with a notice instead (tests/lcspr/test_public_pages.py).
FILTER_PAGES = {
    "safeguarding:home": ("manager", "dashboard_form"),
    "safeguarding:timeliness": ("manager", "filter_form"),
    "safeguarding:regional": ("regional", "filter_form"),
    "notifications:list": ("manager", "form"),
    "safeguarding:audit": ("manager", "form"),
}
#: On these pages a partnership not the user's is "Page not found", as on every other page
#: that names one in its address, before any form is read.
NOT_FOUND = {("safeguarding:home", "partnership"), ("safeguarding:timeliness", "partnership")}

#: What the filter panels send (a date as its day, month and year boxes), and the pages'
#: own parameters; test_no_filter_page_answers_… checks that every form's are here.
PARAMS = [
    # the dashboard and the reports
    "partnership",
    "stage",
    "show",
    "period",
    "year",
    "quarter",
    *(f"{date}_{i}" for date in ("start", "end") for i in range(3)),
    # the incident list
    "q",
    "status",
    "nature",
    "due",
    "sort",
    # the audit trail
    "actor",
    "action",
    "record",
    *(f"{date}_{i}" for date in ("occurred_from", "occurred_to") for i in range(3)),
    # pages
    "page",
    "all",
    "before",
    "after",
]
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "-1",
            "99999999999999999999",
            "2026",
            "31",
            "13",
            "abc",
            "custom",
            "quarter",
            "year",
            "financial_year",
            "mine",
            "all",
            "overdue",
            "5",
            "-due",
            "sign_in",
            "notified",
            "\u202e",
        ]
    ),
)


@pytest.fixture
def two_partnership_manager(people, other_partnership):
    Membership.objects.create(
        user=people["manager"], partnership=other_partnership, role=Role.PARTNERSHIP_MANAGER
    )
    return people


@pytest.mark.parametrize("name", FILTER_PAGES)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=6))
def test_filter_pages_never_fail(client, two_partnership_manager, name, query):
    sign_in(client, two_partnership_manager[FILTER_PAGES[name][0]])
    query = {k: v.replace("\x00", "") for k, v in query.items()}
    response = client.get(reverse(name), query)
    # A partnership outside the user's scope is "not found", as everywhere else.
    allowed = (
        {200, 404} if query.get("partnership") and (name, "partnership") in NOT_FOUND else {200}
    )
    assert response.status_code in allowed, (query, response.status_code)
    html = response.content.decode()
    assert "valid choice" not in html and "available choices" not in html, query  # Django's


def _summary(html: str) -> str:
    return html.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]


@pytest.mark.parametrize(
    ("who", "name"),
    [("regional", "safeguarding:regional"), ("manager", "safeguarding:timeliness")],
)
def test_a_hand_edited_filter_gets_a_plain_message_not_djangos(client, people, who, name):
    """An address edited by hand (?quarter=nonsense) showed Django's "Select a valid
    choice. nonsense is not one of the available choices.": each filter now says what to
    do, in the error summary and by its question, and never repeats the value back."""
    sign_in(client, people[who])
    messages = {
        "period": "Select a period from the list",
        "year": "Select a year from the list",
        "quarter": "Select a quarter from the list",
        "stage": "Select a stage from the list",
    }
    for field, message in messages.items():
        response = client.get(reverse(name), {field: "nonsense"})
        assert response.status_code == 200, field
        html = response.content.decode()
        assert "<title>Error:" in html, field
        summary = _summary(html)
        assert message in summary and f'href="#id_{field}"' in summary, field
        assert html.count(message) == 2, field  # the summary and the question
        assert "valid choice" not in html and "nonsense" not in summary, field
    # All at once: each question its own message.
    html = client.get(reverse(name), dict.fromkeys(messages, "nonsense")).content.decode()
    assert all(message in _summary(html) for message in messages.values())
    assert "valid choice" not in html


def test_the_regional_comparison_has_no_partnership_filter_to_get_wrong(client, people):
    """Every partnership of the region is shown side by side: a partnership in the address
    is not one of the page's filters, and is left alone as any other unknown parameter."""
    sign_in(client, people["regional"])
    response = client.get(reverse("safeguarding:regional"), {"partnership": "99999"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" not in html and "<title>Error:" not in html


def test_a_partnership_not_in_the_list_gets_a_plain_message(partnership, other_partnership):
    """The pages answer "not found" for a partnership that is not the user's (above); the
    forms themselves say what to do, in the same words as the other filters."""
    from safeguarding.report_forms import DashboardFilterForm, PeriodFilterForm

    for form_class in (PeriodFilterForm, DashboardFilterForm):
        form = form_class({"partnership": "99999"}, partnerships=[partnership, other_partnership])
        assert form.errors["partnership"] == ["Select a partnership from the list"]
    form = DashboardFilterForm({"stage": "nonsense", "show": "nonsense"}, partnerships=())
    assert form.errors == {
        "stage": ["Select a stage from the list"],
        "show": ["Select whose deadlines to show"],
    }


# --- every filter page, every choice ---------------------------------------------------------

#: What is typed into an address by hand, or left there from an older version of a list.
NOT_CHOICES = ["nonsense", "99999", "-1", "<b>x</b>"]


def test_every_get_filter_form_of_the_site_is_walked_here():
    """A new list page with a GET filter panel is added to FILTER_PAGES (the bad-input
    guard describes each such page as having "a GET filter form")."""
    from tests.bad_input.test_generated_posts import NOT_FORMS

    described = {name for name, why in NOT_FORMS.items() if "GET filter form" in why}
    assert described == set(FILTER_PAGES)


def _parts(widget) -> list[str]:
    return list(getattr(widget, "widgets_names", None) or [""])


@pytest.mark.parametrize("name", FILTER_PAGES)
def test_no_filter_page_answers_a_value_not_listed_in_djangos_words(
    client, two_partnership_manager, name
):
    """Each choice of each filter panel (selects and radios alike), given a value that is
    not one of its choices: the page says, in the error summary linked to the question and
    by the question, what to do ("Select a nature from the list"), never Django's "Select a
    valid choice. nonsense is not one of the available choices.", and never repeats the
    value back."""
    who, form_name = FILTER_PAGES[name]
    sign_in(client, two_partnership_manager[who])
    form = client.get(reverse(name)).context[form_name]
    # What the panel sends (a date's boxes as start_0, start_1, start_2) is among the
    # parameters the generated queries above are made of.
    sent = {n + part for n, f in form.fields.items() for part in _parts(f.widget)}
    assert sent <= set(PARAMS), sent - set(PARAMS)
    choices = [n for n, f in form.fields.items() if isinstance(f, forms.ChoiceField)]
    assert choices, name
    for field in choices:
        for bad in NOT_CHOICES:
            response = client.get(reverse(name), {field: bad})
            html = response.content.decode()
            assert "valid choice" not in html and "available choices" not in html, (field, bad)
            if (name, field) in NOT_FOUND:
                assert response.status_code == 404, (field, bad)
                continue
            assert response.status_code == 200, (field, bad)
            assert "<title>Error:" in html, (field, bad)
            bound = response.context[form_name][field]
            message = str(bound.field.error_messages["invalid_choice"])
            assert message.startswith("Select "), (field, message)
            summary = _summary(html)
            assert f'<a href="#{first_box(bound)}">{message}</a>' in summary, (field, bad)
            assert f'id="{first_box(bound)}"' in html, field  # the link goes somewhere
            assert html.count(message) == 2, (field, bad)  # the summary and the question
            assert bad not in summary and escape(bad) not in summary, (field, bad)
