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


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=6))
def test_regional_filters_never_fail(client, people, query):
    sign_in(client, people["regional"])
    query = {k: v.replace("\x00", "") for k, v in query.items()}
    allowed = {200, 404} if query.get("partnership") else {200}
    assert client.get(reverse("safeguarding:regional"), query).status_code in allowed
