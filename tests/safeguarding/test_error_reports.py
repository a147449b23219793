"""An error report (the e-mail to ADMINS on a server error) carries no posted values and
no local variables: a child's details must not leave for a mailbox."""

import logging
import sys

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter


def _save_child(values):
    health = values["health"]  # a local holding the child's details when it fails
    raise RuntimeError(f"could not save ({len(health)} characters)")


def _exc_info(request):
    try:
        _save_child(request.POST)
    except RuntimeError:
        return sys.exc_info()


# The reports quote the code around each frame: the child's details are kept far below.


@pytest.mark.parametrize("debug", [False, True])
def test_the_report_hides_posted_values_and_locals(settings, debug):
    settings.DEBUG = debug
    request = RequestFactory().post("/incidents/9/children/add/", CHILD)
    reporter = ExceptionReporter(request, *_exc_info(request))
    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        for value in CHILD.values():
            assert value not in report
        assert "could not save" in report and "_save_child" in report
        assert "health" in report  # the field's name stays, to diagnose


def test_the_e_mail_to_admins_hides_them_too(settings):
    settings.ADMINS = [("Service team", "service-team@example.org")]
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    request = RequestFactory().post("/incidents/9/children/add/", CHILD)
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None
    )
    record.request = request
    record.exc_info = _exc_info(request)
    AdminEmailHandler(include_html=True).emit(record)
    [message] = mail.outbox
    texts = [message.body] + [content for content, _type in message.alternatives]
    for text in texts:
        for value in CHILD.values():
            assert value not in text
    assert "could not save" in message.body


# --------------------------------------------------------------------------------------
# Far from the frames above, so the reports' quoted source lines do not contain them.
#
#
#
#
#
#
#
#
CHILD = {"name": "Zara Example", "health": "Type 1 diabetes", "pseudonym": "Child A"}
