"""When the partnership's business unit moves the due date of an action in a local
review's action plan, the agency that owns it is told once, through a real SMTP server,
with the date it knew and the new one: never the child, the action's words nor the
reason for moving it. Saving the action without moving its date e-mails nobody."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lcspr import services
from lcspr.mail import REQUEUE_AFTER, action_due_date_moved_deliver
from lcspr.models import Action, ActionStatus
from safeguarding.calendar import add_working_days
from safeguarding.mail import REQUEUE_WITHIN
from safeguarding.models import Membership, Role
from tests.mail_server import text_of

from .conftest import CHILD_NAME, TODAY

pytestmark = pytest.mark.django_db

DESCRIPTION = "Check the school attendance records monthly"


def flat(text: str) -> str:
    return " ".join(text.replace("<strong>", "").replace("</strong>", "").split())


def html_of(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/html")
    return part.get_payload(decode=True).decode()


def add(review, actor, agency, capture, *, mail=True, due=30):
    rec = review.recommendations.first() or services.recommendation_add(
        review=review, actor=actor, text="Share sooner."
    )
    with capture(execute=mail):
        return services.action_add(
            recommendation=rec,
            actor=actor,
            description=DESCRIPTION,
            agency=agency,
            lead="Named lead",
            due_date=TODAY() + dt.timedelta(days=due),
        )


def update(action, actor, capture, *, mail=True, due=None, **changes):
    action.refresh_from_db()
    fields = {"status": action.status, "due_date": due or action.due_date, **changes}
    if fields["due_date"] != action.due_date:
        fields.setdefault("reason", f"The school for {CHILD_NAME} closed for a month.")
    with capture(execute=mail):
        return services.action_update(action=action, actor=actor, **fields)


@pytest.fixture
def told(local_review, people, agencies, contributors, smtp, django_capture_on_commit_callbacks):
    """An action the police were told of when it was added."""
    action = add(
        local_review, people["officer"], agencies["police"], django_capture_on_commit_callbacks
    )
    assert [m["To"] for m in smtp] == [contributors["police"].email]
    smtp.clear()
    return action


def test_the_owning_agency_is_told_once_of_the_old_and_new_dates(
    told, local_review, people, contributors, smtp, django_capture_on_commit_callbacks, settings
):
    was = told.due_date
    new = was + dt.timedelta(days=21)
    update(told, people["officer"], django_capture_on_commit_callbacks, due=new)
    assert [m["To"] for m in smtp] == [contributors["police"].email]
    partnership, reference = local_review.partnership.name, local_review.reference
    assert " ".join(smtp[0]["Subject"].split()) == (
        f"New due date: an action {partnership} gave {told.agency.name} in local review "
        f"{reference} is now due {new:%A %-d %B}"
    )
    link = settings.SITE_URL + reverse("lcspr:agency-action", args=[told.pk])
    for text in (flat(text_of(smtp[0])), flat(html_of(smtp[0]))):
        assert f"{new:%A %-d %B %Y}" in text and f"{was:%A %-d %B %Y}" in text
        assert partnership in text and reference in text and link in text
        # Neither the child, the action's words nor the reason (it may name the family).
        assert CHILD_NAME.split()[0] not in text and "attendance" not in text
        assert "closed for a month" not in text
    assert "Sign in to see the action and to record your progress" in flat(text_of(smtp[0]))
    told.refresh_from_db()
    assert told.due_date_moved_at is None and told.due_date_was is None
    # The task run again (a retry, beat's re-queue) sends nothing more.
    assert action_due_date_moved_deliver(action_id=told.pk) == "nothing untold"
    assert len(smtp) == 1


def test_saving_an_action_without_moving_its_date_e_mails_nobody(
    told, people, contributors, smtp, django_capture_on_commit_callbacks
):
    update(
        told,
        people["officer"],
        django_capture_on_commit_callbacks,
        status=ActionStatus.IN_PROGRESS,
        note="Audit started.",
    )
    # The owning agency's own update cannot move it either.
    update(
        told,
        contributors["police"],
        django_capture_on_commit_callbacks,
        note="First month's records checked.",
    )
    told.refresh_from_db()
    assert told.status == ActionStatus.IN_PROGRESS and told.due_date_moved_at is None
    assert smtp == []


def test_moves_not_yet_told_go_as_one_e_mail_and_a_move_back_as_none(
    told, people, contributors, smtp, django_capture_on_commit_callbacks
):
    officer, was = people["officer"], told.due_date
    # The broker was down for two moves: one e-mail, from the date the agency knew to
    # the latest, however many tasks are run.
    update(told, officer, django_capture_on_commit_callbacks, mail=False, due=was + dt.timedelta(7))
    latest = was + dt.timedelta(days=14)
    update(told, officer, django_capture_on_commit_callbacks, mail=False, due=latest)
    assert action_due_date_moved_deliver(action_id=told.pk) == "sent"
    assert action_due_date_moved_deliver(action_id=told.pk) == "nothing untold"
    (message,) = smtp
    body = flat(text_of(message))
    assert f"It is now due by: {latest:%A %-d %B %Y}" in body
    assert f"It was due by: {was:%A %-d %B %Y}" in body
    # Moved, then moved back before the e-mail went: the agency has nothing new to hear.
    update(told, officer, django_capture_on_commit_callbacks, mail=False, due=was)
    update(told, officer, django_capture_on_commit_callbacks, due=latest)
    assert action_due_date_moved_deliver(action_id=told.pk) == "nothing untold"
    assert len(smtp) == 1


def test_an_action_not_yet_told_of_is_told_once_with_its_new_date(
    local_review, people, agencies, contributors, smtp, django_capture_on_commit_callbacks
):
    """Its date moved before the e-mail giving it to the agency went (the broker was
    down): that e-mail says the new date, and no second one says it moved."""
    action = add(
        local_review,
        people["officer"],
        agencies["police"],
        django_capture_on_commit_callbacks,
        mail=False,
    )
    new = action.due_date + dt.timedelta(days=10)
    update(action, people["officer"], django_capture_on_commit_callbacks, due=new)
    action.refresh_from_db()
    assert action.due_date_moved_at is None
    from lcspr.mail import action_assigned_deliver

    assert action_assigned_deliver(action_id=action.pk) == "sent"
    (message,) = smtp
    assert f"It is due by: {new:%A %-d %B %Y}" in flat(text_of(message))


def test_a_complete_action_whose_date_moves_is_not_e_mailed(
    told, people, smtp, django_capture_on_commit_callbacks
):
    update(
        told,
        people["officer"],
        django_capture_on_commit_callbacks,
        due=told.due_date - dt.timedelta(days=5),
        status=ActionStatus.COMPLETE,
        evidence_of_impact="Every record audited.",
    )
    told.refresh_from_db()
    assert told.due_date_moved_at is None
    assert smtp == []


def test_an_agency_with_no_account_is_not_told_to_sign_in(
    local_review, people, agencies, smtp, django_capture_on_commit_callbacks
):
    partnership = local_review.partnership
    Membership.objects.filter(partnership=partnership, role=Role.AGENCY_CONTRIBUTOR).delete()
    health = agencies["health"]
    health.contact_email = "safeguarding@health.example"
    health.save(update_fields=["contact_email"])
    action = add(local_review, people["officer"], health, django_capture_on_commit_callbacks)
    new = action.due_date + dt.timedelta(days=10)
    update(action, people["officer"], django_capture_on_commit_callbacks, due=new)
    # The action given, then its date moved: both to the agency's own address.
    assert [m["To"] for m in smtp] == [health.contact_email] * 2
    for text in (flat(text_of(smtp[1])), flat(html_of(smtp[1]))):
        assert f"No one at {health.name} has an account" in text
        assert partnership.contact_email in text
        assert "Sign in to" not in text
        assert f"Once someone at {health.name} has an account, they can sign in" in text


def test_a_move_not_told_goes_with_the_next_sweep_and_old_ones_never(
    told, people, contributors, smtp, django_capture_on_commit_callbacks, monkeypatch
):
    from lcspr.tasks import requeue_action_emails

    new = told.due_date + dt.timedelta(days=7)
    # The broker was down when the date moved.
    update(told, people["officer"], django_capture_on_commit_callbacks, mail=False, due=new)
    assert requeue_action_emails() == 0  # too recent: its own queueing may be on its way
    later = timezone.now() + REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: later)
    assert requeue_action_emails() == 1
    assert [m["To"] for m in smtp] == [contributors["police"].email]
    assert requeue_action_emails() == 0 and len(smtp) == 1
    # A move long past is left: someone has noticed by then.
    update(
        told,
        people["officer"],
        django_capture_on_commit_callbacks,
        mail=False,
        due=new + dt.timedelta(days=7),
    )
    much_later = timezone.now() + REQUEUE_WITHIN + dt.timedelta(days=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: much_later)
    assert requeue_action_emails() == 0 and len(smtp) == 1
    assert Action.objects.get(pk=told.pk).due_date_moved_at is not None


def test_moving_the_date_on_the_actions_page_e_mails_the_agency_and_says_so(
    client, told, local_review, people, contributors, smtp, django_capture_on_commit_callbacks
):
    from tests.utils import date_fields, sign_in

    sign_in(client, people["officer"])
    url = reverse("lcspr:action", args=[local_review.pk, told.pk])
    new = add_working_days(told.due_date, 10)

    def post(due, **more):
        told.refresh_from_db()
        data = {"status": told.status, "version": told.version, **date_fields("due_date", due)}
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(url, {**data, **more}, follow=True)
        return " ".join(page.content.decode().split())

    said = post(new, reason="The school term ends later.")
    assert [m["To"] for m in smtp] == [contributors["police"].email]
    name = told.agency.name
    assert f"The action is updated. We will email {name} the new due date." in said
    # A progress note only: the date stays, nobody is e-mailed, and the page says so.
    said = post(new, note="Half the records checked.")
    assert "The action is updated." in said and "We will email" not in said
    assert len(smtp) == 1
