"""The audit trail names an action as its page does (review, recommendation, agency),
never by its database id, including the events stored before it did: what is stored is
not changed, only how the page reads it."""

import datetime as dt

import pytest
from django.urls import reverse

from lcspr import services
from lcspr.models import Action
from safeguarding.audit import Action as AuditAction
from safeguarding.models import AuditEvent
from tests.utils import sign_in

from .conftest import days_ago

pytestmark = pytest.mark.django_db


def _action(local_review, people, agency):
    rec = services.recommendation_add(
        review=local_review, actor=people["officer"], text="Ask the child directly."
    )
    services.recommendation_add(
        review=local_review, actor=people["officer"], text="Share absence concerns."
    )
    rec = local_review.recommendations.get(number=2)
    return services.action_add(
        recommendation=rec,
        actor=people["officer"],
        description="Train staff",
        agency=agency,
        lead="Head of training",
        due_date=days_ago(0) + dt.timedelta(days=30),
    )


def _old_style_event(local_review, action, people):
    """An event as the trail stored it before: the action by its database id."""
    return AuditEvent.objects.create(
        actor=people["officer"],
        actor_email=people["officer"].email,
        partnership=local_review.partnership,
        action=AuditAction.UPDATE,
        object_type="lcspr.action",
        object_id=str(action.pk),
        object_repr=f"{local_review.reference} action {action.pk}",
        changes={"status": {"old": "not_started", "new": "in_progress"}},
    )


def test_an_action_reads_by_recommendation_and_agency_not_id(client, local_review, people, agency):
    action = _action(local_review, people, agency)
    old = _old_style_event(local_review, action, people)
    sign_in(client, people["manager"])
    html = client.get(reverse("safeguarding:audit")).content.decode()
    name = f"{local_review.reference} recommendation 2, action for {agency.name}"
    assert html.count(name) == 2  # the new event and the one stored by id
    assert f"{local_review.reference} action {action.pk}<" not in html
    old.refresh_from_db()
    assert old.object_repr == f"{local_review.reference} action {action.pk}"  # unchanged
    # What is stored now names it as the page does.
    created = AuditEvent.objects.get(object_type="lcspr.action", action=AuditAction.CREATE)
    assert created.object_repr == name


def test_a_removed_action_reads_without_its_id(client, local_review, people, agency):
    action = _action(local_review, people, agency)
    _old_style_event(local_review, action, people)
    pk = action.pk
    Action.objects.filter(pk=pk).delete()
    sign_in(client, people["manager"])
    html = client.get(reverse("safeguarding:audit")).content.decode()
    assert f"{local_review.reference}, an action since removed" in html
    assert f"action {pk}<" not in html


def test_action_names_cost_one_query_a_page(
    client, local_review, people, agency, django_assert_max_num_queries
):
    action = _action(local_review, people, agency)
    for _ in range(20):
        _old_style_event(local_review, action, people)
    sign_in(client, people["manager"])
    client.get(reverse("safeguarding:audit"))
    # 18: the page's record links (safeguarding.audit_links) take one query per kind of
    # record on it (incidents, children, rapid and local reviews, recommendations and
    # actions), never one per row: 20 more events of the action cost nothing more.
    with django_assert_max_num_queries(18):
        html = client.get(reverse("safeguarding:audit")).content.decode()
    assert html.count("recommendation 2, action for") >= 20
    for _ in range(20):
        _old_style_event(local_review, action, people)
    with django_assert_max_num_queries(18):
        html = client.get(reverse("safeguarding:audit")).content.decode()
    assert html.count("recommendation 2, action for") >= 40
