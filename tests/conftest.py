import pytest

from safeguarding.models import Role

from .factories import AgencyFactory, PartnershipFactory, RegionFactory, member
from .mail_server import MailServer
from .utils import tasks_in_process


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users: a fast hasher keeps them quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The records below are made by plain functions, so that a fixture of a wider scope (a
# module's records made once, tests/test_url_isolation.py) makes the same ones.


def make_region():
    return RegionFactory(code="midshire", name="Midshire region")


def make_partnership(region):
    return PartnershipFactory(region=region, code="BSCP", name="Brookfield SCP")


def make_other_partnership(region):
    return PartnershipFactory(region=region, code="ASCP", name="Ashdown SCP")


def make_agency(partnership, other_partnership):
    return AgencyFactory(name="Midshire Police", partnerships=[partnership, other_partnership])


def make_people(partnership, other_partnership, agency, region):
    """One user for every role in `partnership`, plus a manager and an officer of the other
    partnership."""
    return {
        "manager": member(Role.PARTNERSHIP_MANAGER, partnership, full_name="Manager One"),
        "officer": member(Role.REVIEW_OFFICER, partnership, full_name="Officer One"),
        "agency": member(Role.AGENCY_CONTRIBUTOR, partnership, agency=agency),
        "reviewer": member(Role.INDEPENDENT_REVIEWER, partnership),
        "regional": member(Role.REGIONAL_VIEWER, region=region),
        "other_manager": member(Role.PARTNERSHIP_MANAGER, other_partnership),
        "other_officer": member(Role.REVIEW_OFFICER, other_partnership),
    }


@pytest.fixture
def region(db):
    return make_region()


@pytest.fixture
def partnership(region):
    return make_partnership(region)


@pytest.fixture
def other_partnership(region):
    return make_other_partnership(region)


@pytest.fixture
def agency(partnership, other_partnership):
    return make_agency(partnership, other_partnership)


@pytest.fixture
def people(partnership, other_partnership, agency, region):
    """One user for every role in `partnership`, plus a manager of the other partnership."""
    return make_people(partnership, other_partnership, agency, region)


@pytest.fixture
def eager_tasks(settings):
    """Tasks run at once, in the test's process (on_commit callbacks still wait)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with tasks_in_process():
        yield


@pytest.fixture
def smtp(settings):
    """Tasks run in-process and send through a real SMTP server (aiosmtpd) on loopback;
    the messages it received, parsed."""
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    with tasks_in_process():
        yield server.inbox.messages
    server.stop()
