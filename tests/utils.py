"""Helpers shared by the tests."""


def sign_in(client, user):
    """Sign `user` in on the test client as a real sign-in would leave the session."""
    client.force_login(user)
    return user
