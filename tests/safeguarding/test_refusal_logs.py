"""A refused page is logged as one line, not a traceback: every 403 (and the 404s of records
outside a person's scope) is an expected answer, and a full traceback for each hid the real
errors in the log. A server error keeps its traceback."""

import logging
import sys

import pytest

from safeguarding.logging_filters import RefusalsWithoutTraceback
from tests.utils import sign_in

pytestmark = pytest.mark.django_db


def test_a_refused_page_is_logged_without_its_traceback(client, people, caplog):
    sign_in(client, people["agency"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/audit/")
    assert response.status_code == 403
    refused = [r for r in caplog.records if r.name == "django.request"]
    assert len(refused) == 1
    assert refused[0].status_code == 403
    assert refused[0].getMessage().startswith("Forbidden")
    assert refused[0].exc_info is None


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failure = sys.exc_info()
    error = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), failure
    )
    error.status_code = 500
    assert RefusalsWithoutTraceback().filter(error) is True
    assert error.exc_info is not None
