"""The administration site's sign-in is the service's own (safeguarding/urls.py). Someone
signed in who is not an administrator is told they have no access, as on every other
staff page, rather than sent round between the two sign-in addresses for ever."""

import pytest

from tests.factories import UserFactory
from tests.utils import sign_in

SIGN_IN = "/sign-in/"


def _no_loop(client, url):
    """`url` followed to its end; the test client raises RedirectCycleError on a loop."""
    response = client.get(url, follow=True)
    assert len(response.redirect_chain) < 5, response.redirect_chain
    return response


@pytest.mark.parametrize("url", ["/admin/", "/admin/safeguarding/user/", "/admin/login/"])
def test_someone_signed_in_who_is_not_an_administrator_is_told_they_have_no_access(
    client, people, url
):
    sign_in(client, people["agency"])
    response = _no_loop(client, url)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_someone_not_signed_in_goes_to_sign_in_and_comes_back(client, db):
    response = _no_loop(client, "/admin/")
    assert response.redirect_chain[-1][0] == f"{SIGN_IN}?next=%2Fadmin%2F"
    assert response.status_code == 200


def test_an_administrator_reaches_the_administration_site(client, db):
    admin = sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    response = _no_loop(client, "/admin/")
    assert response.status_code == 200 and response.redirect_chain == []
    # An administrator who opens the old sign-in address is taken where it was going.
    response = client.get("/admin/login/?next=/admin/safeguarding/user/")
    assert (response.status_code, response.url) == (302, "/admin/safeguarding/user/")
    assert admin.is_staff


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "http://evil.example/admin/",
        "/\\evil.example/",
        "https:evil.example",
    ],
)
def test_an_administrator_is_never_sent_off_site_from_the_old_sign_in_address(client, db, target):
    """The `next` of /admin/login/ is someone else's link: a signed-in administrator is
    taken only to a page of the service (the administration site's home otherwise)."""
    from urllib.parse import quote

    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/admin/login/?next={quote(target, safe='')}")
    assert (response.status_code, response.url) == (302, "/admin/")
