"""Migrations that change data, run on the data they are for."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("safeguarding", "0010_deadline_notice_rule_and_paused")]
AFTER = [("safeguarding", "0011_user_email_ignoring_case")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_addresses_differing_only_in_case_are_lower_cased_and_the_later_one_set_aside():
    old = migrate(BEFORE)
    User = old.get_model("safeguarding", "User")
    first = User.objects.create(email="Officer@BSCP.example", full_name="First", password="x")
    later = User.objects.create(email="officer@bscp.example", full_name="Later", password="x")
    other = User.objects.create(email="Someone@Else.example", full_name="Other", password="x")
    try:
        new = migrate(AFTER)
        User = new.get_model("safeguarding", "User")
        assert User.objects.get(pk=first.pk).email == "officer@bscp.example"
        set_aside = User.objects.get(pk=later.pk)
        assert set_aside.email == f"duplicate-{later.pk}.officer@bscp.example"
        assert not set_aside.is_active
        assert User.objects.get(pk=other.pk).email == "someone@else.example"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
