"""The filter panel cache: the same HTML crispy renders, kept only while it cannot differ."""

import pytest
from crispy_forms.utils import render_crispy_form
from django.http import QueryDict

from notifications.filters import IncidentFilter
from notifications.models import Incident
from safeguarding.filters import AuditEventFilter
from safeguarding.forms import PasswordResetRequestForm
from safeguarding.models import AuditEvent
from safeguarding.templatetags import filter_panels

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    filter_panels._cache.clear()
    calls = []

    def counting(form, helper=None, context=None):
        calls.append(type(form).__name__)
        return render_crispy_form(form, helper=helper, context=context)

    monkeypatch.setattr(filter_panels, "render_crispy_form", counting)
    return calls


def incident_form(query=""):
    return IncidentFilter(QueryDict(query) or None, queryset=Incident.objects.none()).form


@pytest.mark.parametrize(
    "query", ["", "status=notified&sort=due", "year=not-a-year&q=Child+A", "page=3"]
)
def test_the_panel_is_what_crispy_renders(renders, query):
    form = incident_form(query)
    expected = render_crispy_form(incident_form(query), helper=incident_form(query).helper)
    assert filter_panels.render_filter_panel(form) == expected
    assert filter_panels.render_filter_panel(incident_form(query)) == expected
    assert len(renders) == 1  # the second came from the cache


def test_different_filters_or_errors_are_rendered_afresh(renders):
    plain = filter_panels.render_filter_panel(incident_form(""))
    chosen = filter_panels.render_filter_panel(incident_form("status=notified"))
    wrong = filter_panels.render_filter_panel(incident_form("year=abc"))
    assert len(renders) == 3 and len({plain, chosen, wrong}) == 3
    assert 'value="notified" selected' in chosen and "Enter a year, like 2026" in wrong
    # Other query parameters (the page number) do not change the panel.
    filter_panels.render_filter_panel(incident_form("status=notified&page=2"))
    assert len(renders) == 3


def test_dates_typed_in_day_month_year_boxes_are_part_of_the_key(renders):
    """A date arrives as start_0, start_1 and start_2: two people choosing different
    dates (one of them wrongly) must each get their own dates and errors back."""
    from safeguarding.report_forms import PeriodFilterForm

    def period_form(query):
        form = PeriodFilterForm(QueryDict(query))
        form.is_valid()
        return form

    reversed_dates = "period=custom&start_0=31&start_1=12&start_2=2026&end_0=1&end_1=1&end_2=2026"
    quarter = "period=custom&start_0=1&start_1=7&start_2=2026&end_0=30&end_1=9&end_2=2026"
    wrong = filter_panels.render_filter_panel(period_form(reversed_dates))
    right = filter_panels.render_filter_panel(period_form(quarter))
    assert "The last day must be the same as or after the first" in wrong
    assert "The last day must be" not in right
    assert 'value="30"' in right and 'value="31"' not in right
    assert len(renders) == 2


def test_changed_choices_are_a_different_panel(renders):
    form = incident_form("")
    filter_panels.render_filter_panel(form)
    changed = incident_form("")
    changed.fields["status"].choices = [("", "Any status"), ("draft", "Draft only")]
    assert "Draft only" in filter_panels.render_filter_panel(changed)
    assert len(renders) == 2


def test_query_choices_and_post_forms_are_never_kept(renders, people):
    audit = AuditEventFilter(None, queryset=AuditEvent.objects.none(), user=people["manager"])
    filter_panels.render_filter_panel(audit.form)
    filter_panels.render_filter_panel(audit.form)
    with pytest.raises(filter_panels.Uncacheable):
        filter_panels.form_key(PasswordResetRequestForm())
    assert len(renders) == 2 and filter_panels._cache == {}


def test_the_cache_is_bounded(renders, monkeypatch):
    monkeypatch.setattr(filter_panels, "MAX_ENTRIES", 3)
    for year in range(2020, 2026):
        filter_panels.render_filter_panel(incident_form(f"year={year}"))
    assert len(filter_panels._cache) == 3
