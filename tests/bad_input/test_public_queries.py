"""Bad input on the public Learning from reviews pages: whatever a visitor (or a robot)
puts in the address, the search and filter values, a page number or a review's slug,
the answer is a page (200, or the public "Page not found"), never a server error."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

ODD = [
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "\u202eevil\u202c",
    "😀👨‍👩‍👧‍👦",
    "e\u0301\u0302",
    "\ufeff\ufffe\uffff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "!!:*&|()<->",
    "-1",
    "0",
    "99999999999999999999999",
    "1e5",
    "٢٠٢٦",  # Arabic-Indic digits
    "",
    " ",
]
VALUES = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=40),
    st.text(min_size=2_000, max_size=6_000, alphabet=st.characters(codec="utf-8")),
)
PARAMS = st.fixed_dictionaries(
    {},
    optional={"q": VALUES, "theme": VALUES, "year": VALUES, "page": VALUES, "next": VALUES},
)


@pytest.mark.parametrize("name", ["learning:index", "learning:partnership"])
def test_generated_search_values_never_break_a_public_list(client, partnership, name):
    url = reverse(name, args=[partnership.code.lower()] if name == "learning:partnership" else [])

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(params=PARAMS)
    def check(params):
        response = client.get(url, params)
        assert response.status_code == 200, params
        assert b"Learning from reviews" in response.content

    check()


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "x\x00" * 50])
@pytest.mark.parametrize("key", ["q", "theme"])
def test_a_null_character_in_the_search_is_a_page_not_an_error(client, key, value):
    response = client.get(reverse("learning:index"), {key: value})
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()


def test_odd_review_addresses_are_not_found(client, partnership):
    code = partnership.code.lower()
    for path in (
        f"/learning-from-reviews/{code}/%00/",
        f"/learning-from-reviews/{code}/{'a' * 3000}/",
        f"/learning-from-reviews/{code}/x/%E2%80%AE/",
        f"/learning-from-reviews/{code}/x/report/",
        f"/learning-from-reviews/{'z' * 300}/",
    ):
        assert client.get(path).status_code == 404, path
