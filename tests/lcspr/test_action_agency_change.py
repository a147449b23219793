"""The partnership's business unit gives an action of the action plan to another of the
partnership's agencies (it was given to the wrong one, or the work moved). As ADR 0028's
addendum says, the new agency gets the e-mail that gives an action, once, through a real
SMTP server, never naming the child, the action's words nor the reason; the old agency
gets none. The change is audited and shown on the action's page; the old agency's
contributors no longer reach the action and the new one's do."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from lcspr import services
from lcspr.mail import REQUEUE_AFTER, action_assigned_deliver
from lcspr.models import Action, ActionStatus
from safeguarding.deadlines import Kind, get_deadline
from safeguarding.models import AuditEvent
from tests.factories import AgencyFactory
from tests.mail_server import text_of
from tests.utils import sign_in

from .conftest import CHILD_NAME, TODAY

pytestmark = pytest.mark.django_db

DESCRIPTION = "Check the school attendance records monthly"
REASON = f"Given to the police in error: the school nurse for {CHILD_NAME} leads this."


def flat(text: str) -> str:
    return " ".join(text.replace("<strong>", "").replace("</strong>", "").split())


def html_of(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/html")
    return part.get_payload(decode=True).decode()


@pytest.fixture
def told(local_review, people, agencies, contributors, smtp, django_capture_on_commit_callbacks):
    """An action the police own and were told of when it was added."""
    rec = services.recommendation_add(
        review=local_review, actor=people["officer"], text="Share sooner."
    )
    with django_capture_on_commit_callbacks(execute=True):
        action = services.action_add(
            recommendation=rec,
            actor=people["officer"],
            description=DESCRIPTION,
            agency=agencies["police"],
            lead="Named lead",
            due_date=TODAY() + dt.timedelta(days=30),
        )
    assert [m["To"] for m in smtp] == [contributors["police"].email]
    smtp.clear()
    return action


def change(action, actor, agency, capture, *, mail=True, reason=REASON):
    action.refresh_from_db()
    with capture(execute=mail):
        return services.action_agency_change(
            action=action, actor=actor, agency=agency, reason=reason
        )


def page_url(review, action, name="lcspr:action-agency"):
    return reverse(name, args=[review.pk, action.pk])


def post(client, review, action, capture, **data):
    action.refresh_from_db()
    with capture(execute=True):
        return client.post(
            page_url(review, action), {"version": action.version, **data}, follow=True
        )


def summary(html: str) -> str:
    return flat(html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0])


# --- the e-mail ----------------------------------------------------------------------------


def test_the_new_agency_is_told_once_that_it_owns_the_action_and_the_old_one_not(
    told, local_review, people, agencies, contributors, smtp, django_capture_on_commit_callbacks
):
    health = agencies["health"]
    change(told, people["officer"], health, django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp] == [contributors["health"].email]
    partnership, reference = local_review.partnership.name, local_review.reference
    assert flat(smtp[0]["Subject"]) == (
        f"{partnership}: an action for {health.name} in local review {reference}"
    )
    for text in (flat(text_of(smtp[0])), flat(html_of(smtp[0]))):
        assert f"{told.due_date:%A %-d %B %Y}" in text and reference in text
        # Neither the child, the action's words nor the reason (it names the child).
        assert CHILD_NAME.split()[0] not in text and "attendance" not in text
        assert "in error" not in text and "police" not in text.lower()
    told.refresh_from_db()
    assert told.agency == health and told.agency_told_at is not None
    # The task run again (a retry, beat's re-queue) sends nothing more.
    assert action_assigned_deliver(action_id=told.pk) == "already sent"
    assert len(smtp) == 1


def test_a_due_date_move_not_yet_told_goes_with_the_e_mail_to_the_new_agency(
    told, people, agencies, contributors, smtp, django_capture_on_commit_callbacks
):
    """The date moved while the broker was down: the police, who no longer own it, are
    not told of the move; the new agency hears the new date in the e-mail giving it."""
    new = told.due_date + dt.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=False):
        services.action_update(
            action=told,
            actor=people["officer"],
            status=told.status,
            due_date=new,
            reason="The school term ends later.",
        )
    change(told, people["officer"], agencies["health"], django_capture_on_commit_callbacks)
    from lcspr.mail import action_due_date_moved_deliver

    assert action_due_date_moved_deliver(action_id=told.pk) == "nothing untold"
    (message,) = smtp
    assert message["To"] == contributors["health"].email
    assert f"It is due by: {new:%A %-d %B %Y}" in flat(text_of(message))


def test_a_change_not_told_goes_with_the_next_sweep(
    told, people, agencies, contributors, smtp, django_capture_on_commit_callbacks, monkeypatch
):
    from lcspr.tasks import requeue_action_emails

    # The broker was down when the agency changed.
    change(told, people["officer"], agencies["health"], django_capture_on_commit_callbacks, mail=0)
    assert smtp == []
    later = timezone.now() + REQUEUE_AFTER + dt.timedelta(seconds=1)
    monkeypatch.setattr("lcspr.tasks.timezone.now", lambda: later)
    assert requeue_action_emails() == 1
    assert [m["To"] for m in smtp] == [contributors["health"].email]
    assert requeue_action_emails() == 0 and len(smtp) == 1


# --- the service's record --------------------------------------------------------------------


def test_the_change_is_audited_and_the_clock_named_after_the_new_agency(
    told, local_review, people, agencies, django_capture_on_commit_callbacks
):
    health = agencies["health"]
    change(told, people["manager"], health, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.filter(
        object_type="lcspr.action", object_id=str(told.pk), action=AuditEvent.Action.UPDATE
    ).get()
    assert event.actor == people["manager"]
    assert event.partnership == local_review.partnership
    assert event.changes == {
        "agency": {"old": agencies["police"].name, "new": health.name},
        "reason": REASON,
    }
    assert event.object_repr.endswith(f"action for {health.name}")
    assert f"({health.name})" in get_deadline(told, Kind.ACTION).title
    told.refresh_from_db()
    assert told.version == 2


def test_the_change_keeps_when_the_action_was_added(
    told, people, agencies, django_capture_on_commit_callbacks
):
    """Its e-mail's re-queue window starts again from the change (`assigned_at`); the
    time the action was added (`created_at`, in the case export) was rewritten with it."""
    added = told.created_at
    change(told, people["manager"], agencies["health"], django_capture_on_commit_callbacks)
    told.refresh_from_db()
    assert told.created_at == added
    assert told.assigned_at > added


# --- the pages -----------------------------------------------------------------------------


def test_the_business_unit_changes_the_agency_from_the_actions_page_and_reads_it_there(
    client, told, local_review, people, agencies, smtp, django_capture_on_commit_callbacks
):
    sign_in(client, people["officer"])
    action_page = client.get(page_url(local_review, told, "lcspr:action")).content.decode()
    assert page_url(local_review, told) in action_page
    assert "has owned the action since it was added" in flat(action_page)
    form = unescape(client.get(page_url(local_review, told)).content.decode())
    # Only the partnership's agencies other than the one that owns it are offered.
    elsewhere = AgencyFactory(name="Elsewhere Council")
    elsewhere.partnerships.set([people["other_manager"].memberships.get().partnership])
    assert agencies["health"].name in form and agencies["social_care"].name in form
    offered = set(re.findall(r'id="id_agency_\d+"\s+value="(\d+)"', form))
    assert offered == {str(agencies["health"].pk), str(agencies["social_care"].pk)}
    assert elsewhere.name not in form
    health = agencies["health"]
    page = post(
        client,
        local_review,
        told,
        django_capture_on_commit_callbacks,
        agency=health.pk,
        reason=REASON,
    )
    said = flat(page.content.decode())
    assert page.redirect_chain[-1][0] == page_url(local_review, told, "lcspr:action")
    assert (
        f"{health.name} now owns the action. We will email {health.name} that it is "
        f"theirs. {agencies['police'].name} is not emailed."
    ) in said
    # The action's page says when, from whom to whom, why and who.
    history = flat(said.partition('id="agency-history"')[2].partition("</table>")[0])
    assert agencies["police"].name in history and health.name in history
    assert "Given to the police in error" in history and "Officer One" in history
    assert len(smtp) == 1
    # The review's History says it in words, without the reason (its reviewers read it).
    review_page = flat(unescape(client.get(local_review.get_absolute_url()).content.decode()))
    lines = review_page.partition(">History</h2>")[2].partition("</ol>")[0]
    assert (
        f"Officer One: An action for recommendation 1 given to {health.name} instead of "
        f"{agencies['police'].name}"
    ) in lines
    assert "in error" not in lines


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"agency": "", "reason": "Wrong agency."}, "agency", "Select the agency that now owns"),
        ({"agency": "999999", "reason": "Wrong."}, "agency", "Select the agency that now owns"),
        ({"agency": "abc", "reason": "Wrong."}, "agency", "Select the agency that now owns"),
        ("other", "agency", "Select the agency that now owns"),
        ("police", "agency", "Select the agency that now owns"),
        ({"agency": "health", "reason": "  "}, "reason", "Enter the reason for changing"),
    ],
)
def test_a_wrong_answer_is_shown_in_the_error_summary_and_nothing_changes(
    client,
    told,
    local_review,
    people,
    agencies,
    smtp,
    django_capture_on_commit_callbacks,
    data,
    field,
    message,
):
    if data == "other":
        # An agency of another partnership only.
        other = AgencyFactory(name="Elsewhere Council")
        other.partnerships.set([people["other_manager"].memberships.get().partnership])
        data = {"agency": other.pk, "reason": "Wrong."}
    elif data == "police":
        data = {"agency": agencies["police"].pk, "reason": "Wrong."}
    elif data.get("agency") == "health":
        data = {**data, "agency": agencies["health"].pk}
    sign_in(client, people["officer"])
    page = post(client, local_review, told, django_capture_on_commit_callbacks, **data)
    assert page.status_code == 200
    html = page.content.decode()
    assert message in summary(html)
    assert f'href="#id_{field}' in html.partition('class="govuk-error-summary"')[2]
    told.refresh_from_db()
    assert told.agency == agencies["police"] and told.version == 1
    assert smtp == []


def test_the_service_refuses_the_agency_that_already_owns_it(told, people, agencies):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.action_agency_change(
            action=told, actor=people["officer"], agency=agencies["police"], reason="Wrong."
        )
    assert f"{agencies['police'].name} already owns the action" in str(error.value)


def test_a_complete_or_signed_off_action_keeps_its_agency(
    client, told, local_review, people, agencies, smtp, django_capture_on_commit_callbacks
):
    services.action_update(
        action=told,
        actor=people["officer"],
        status=ActionStatus.COMPLETE,
        due_date=told.due_date,
        evidence_of_impact="Every record audited.",
    )
    sign_in(client, people["manager"])
    action_page = client.get(page_url(local_review, told, "lcspr:action")).content.decode()
    assert page_url(local_review, told) not in action_page  # not offered
    data = {"agency": agencies["health"].pk, "reason": "Wrong agency."}
    page = post(client, local_review, told, django_capture_on_commit_callbacks, **data)
    assert "put it back in progress first" in summary(page.content.decode())
    told.refresh_from_db()
    services.action_sign_off(action=told, actor=people["manager"])
    page = post(client, local_review, told, django_capture_on_commit_callbacks, **data)
    assert "signed off and can no longer change" in summary(page.content.decode())
    assert Action.objects.get(pk=told.pk).agency == agencies["police"]
    assert smtp == []


def test_a_closed_reviews_action_keeps_its_agency(
    client, told, local_review, people, agencies, django_capture_on_commit_callbacks
):
    services.review_close(
        review=local_review,
        actor=people["manager"],
        reason="The National Panel took a national review.",
        closed_on=TODAY(),
    )
    sign_in(client, people["manager"])
    assert client.get(page_url(local_review, told)).status_code == 403
    data = {"agency": agencies["health"].pk, "reason": "Wrong agency."}
    assert (
        post(client, local_review, told, django_capture_on_commit_callbacks, **data).status_code
        == 403
    )
    assert Action.objects.get(pk=told.pk).agency == agencies["police"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200),
        ("officer", 200),
        ("agency", 403),
        ("reviewer", 403),
        ("regional", 403),
        ("other_manager", 404),
        ("other_officer", 404),
    ],
)
def test_only_the_reviews_business_unit_reaches_the_page(
    client, told, local_review, people, agencies, django_capture_on_commit_callbacks, who, status
):
    sign_in(client, people[who])
    assert client.get(page_url(local_review, told)).status_code == status
    data = {"agency": agencies["health"].pk, "reason": "Wrong agency."}
    page = post(client, local_review, told, django_capture_on_commit_callbacks, **data)
    assert page.status_code == status
    told.refresh_from_db()
    assert told.agency == (agencies["health"] if status == 200 else agencies["police"])


def test_the_old_agency_no_longer_sees_the_action_and_the_new_one_does(
    client, told, local_review, people, agencies, contributors, django_capture_on_commit_callbacks
):
    mine = reverse("lcspr:agency-action", args=[told.pk])
    sign_in(client, contributors["police"])
    assert mine in client.get(reverse("lcspr:agency-actions")).content.decode()
    assert client.get(mine).status_code == 200
    sign_in(client, contributors["health"])
    assert mine not in client.get(reverse("lcspr:agency-actions")).content.decode()
    assert client.get(mine).status_code == 404

    change(told, people["officer"], agencies["health"], django_capture_on_commit_callbacks)

    assert mine in client.get(reverse("lcspr:agency-actions")).content.decode()
    page = client.get(mine)
    assert page.status_code == 200 and DESCRIPTION in page.content.decode()
    # The agency's page does not show the business unit's reason.
    assert "in error" not in page.content.decode()
    client.logout()
    sign_in(client, contributors["police"])
    assert mine not in client.get(reverse("lcspr:agency-actions")).content.decode()
    assert client.get(mine).status_code == 404
    police_post = client.post(mine, {"status": "in_progress", "note": "Started.", "version": 2})
    assert police_post.status_code == 404


def test_the_page_says_when_nobody_at_the_new_agency_can_be_e_mailed(
    client,
    told,
    local_review,
    people,
    agencies,
    contributors,
    smtp,
    django_capture_on_commit_callbacks,
):
    """No contributor for social care in the partnership, and no address of its own."""
    social_care = agencies["social_care"]
    contributors["social_care"].memberships.all().delete()
    social_care.contact_email = ""
    social_care.save(update_fields=["contact_email"])
    sign_in(client, people["officer"])
    data = {"agency": social_care.pk, "reason": "Wrong agency."}
    page = post(client, local_review, told, django_capture_on_commit_callbacks, **data)
    said = flat(unescape(page.content.decode()))
    assert (
        f"No one at {social_care.name} has an account and it has no email address here, so "
        "nobody is emailed: tell them yourself."
    ) in said
    assert smtp == []
    assert Action.objects.get(pk=told.pk).agency == social_care
