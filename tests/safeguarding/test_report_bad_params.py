"""Report and dashboard filters are GET forms: odd query strings never cause a 500."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils import sign_in

pytestmark = pytest.mark.django_db

PARAMS = [
    "partnership",
    "stage",
    "show",
    "period",
    "year",
    "quarter",
    "from_0",
    "from_1",
    "from_2",
    "to_0",
    "to_1",
    "to_2",
    "page",
]
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "99999999999999999999",
            "2026",
            "31",
            "13",
            "abc",
            "custom",
            "quarter",
            "year",
            "financial",
            "mine",
            "all",
            "\u202e",
        ]
    ),
)


@pytest.mark.parametrize("name", ["safeguarding:home", "safeguarding:timeliness"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=6))
def test_report_filters_never_fail(client, people, name, query):
    sign_in(client, people["manager"])
    query = {k: v.replace("\x00", "") for k, v in query.items()}
    response = client.get(reverse(name), query)
    # A partnership outside the user's scope is "not found", as everywhere else.
    allowed = {200, 404} if query.get("partnership") else {200}
    assert response.status_code in allowed, (query, response.status_code)
    assert "valid choice" not in response.content.decode(), query  # Django's own wording


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=6))
def test_regional_filters_never_fail(client, people, query):
    sign_in(client, people["regional"])
    query = {k: v.replace("\x00", "") for k, v in query.items()}
    allowed = {200, 404} if query.get("partnership") else {200}
    response = client.get(reverse("safeguarding:regional"), query)
    assert response.status_code in allowed
    assert "valid choice" not in response.content.decode(), query  # Django's own wording


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
