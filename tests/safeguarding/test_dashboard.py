"""The business unit's dashboard on the home page (issue 7)."""

import datetime as dt
import io
from csv import reader

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguarding import calendar
from safeguarding.dashboard import build_dashboard, rag_for, workload_export_rows
from safeguarding.models import Deadline, Membership, Role
from tests.factories import PartnershipFactory, member
from tests.utils import sign_in

from .report_helpers import make_deadline

Kind = Deadline.Kind


@pytest.fixture
def today():
    return timezone.localdate()


def wd(today, n, partnership):
    return calendar.add_working_days(today, n, partnership=partnership)


@pytest.fixture
def spread(people, partnership, other_partnership, today):
    """Open clocks of every kind of urgency, plus noise that must not show."""
    officer, manager = people["officer"], people["manager"]
    return {
        "overdue": [
            make_deadline(partnership, due=wd(today, -3, partnership), owner=officer),
            make_deadline(
                partnership, due=wd(today, -1, partnership), kind=Kind.AGENCY_RETURN, owner=manager
            ),
        ],
        "today": [make_deadline(partnership, due=today, kind=Kind.RAPID_REVIEW, owner=officer)],
        "soon": [
            make_deadline(partnership, due=wd(today, 1, partnership), owner=officer),
            make_deadline(
                partnership,
                due=wd(today, 5, partnership),
                kind=Kind.RAPID_REVIEW_MILESTONE,
                owner=manager,
            ),
        ],
        "later": [make_deadline(partnership, due=wd(today, 6, partnership), owner=officer)],
        "closed": [
            make_deadline(
                partnership, due=wd(today, -2, partnership), closed_on=today, owner=officer
            )
        ],
        "elsewhere": [make_deadline(other_partnership, due=wd(today, -2, other_partnership))],
    }


def _ids(rows):
    return {row.id for row in rows}


def test_manager_lands_on_the_dashboard_matching_the_deadlines_table(
    client, people, partnership, spread, today
):
    sign_in(client, people["manager"])
    response = client.get(reverse("safeguarding:home"))
    assert response.status_code == 200
    board = response.context["board"]
    # Compare with the table itself.
    open_clocks = Deadline.objects.open().filter(partnership=partnership)
    horizon = wd(today, 5, partnership)
    assert _ids(board.overdue) == set(
        open_clocks.filter(due_date__lt=today).values_list("pk", flat=True)
    )
    assert _ids(board.due_today) == set(
        open_clocks.filter(due_date=today).values_list("pk", flat=True)
    )
    assert _ids(board.due_soon) == set(
        open_clocks.filter(due_date__gt=today, due_date__lte=horizon).values_list("pk", flat=True)
    )
    html = response.content.decode()
    for d in spread["overdue"] + spread["today"] + spread["soon"]:
        assert d.title in html
        assert f'href="{d.url}"' in html
    for d in spread["later"] + spread["closed"] + spread["elsewhere"]:
        assert d.title not in html
    assert "Red: overdue" in html and "Amber: due soon" in html
    # Counted from today: on a weekend or a closure day, one fewer working day has
    # passed since a clock due 3 working days before it.
    late = -calendar.working_days_between(
        today, spread["overdue"][0].due_date, partnership=partnership
    )
    assert late == (3 if calendar.is_working_day(today, partnership=partnership) else 2)
    assert f"{late} working days overdue" in html
    assert "Due today" in html
    # The other roles' sections stay.
    assert "Partnerships you manage" in html


def test_rag_is_worded_not_only_coloured():
    assert rag_for(-1) == ("overdue", "Red: overdue")
    assert rag_for(0)[1] == "Amber: due soon"
    assert rag_for(2)[1] == "Amber: due soon"
    assert rag_for(3) == ("on-track", "Green: on track")


def test_stages_and_workload(client, people, spread):
    sign_in(client, people["manager"])
    board = client.get(reverse("safeguarding:home")).context["board"]
    stages = {s.key: s for s in board.stages}
    assert stages["notifications"].open == 3  # overdue, soon, later
    assert stages["notifications"].overdue == 1
    assert stages["rapid_reviews"].open == 2 and stages["rapid_reviews"].due_today == 1
    assert stages["rapid_reviews"].due_soon == 1
    assert stages["agency_returns"].overdue == 1
    # Every stage now records its clocks; none here has local review or action clocks yet.
    assert all(s.live for s in board.stages)
    assert stages["lcspr"].open == 0 and stages["actions"].open == 0
    workload = {w.name: (w.open, w.overdue) for w in board.workload}
    assert workload == {"Officer One": (4, 1), "Manager One": (2, 1)}
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert "Not yet recorded" not in html
    assert "Workload per person" in html
    # The People page's count includes paused clocks: the dashboard says it leaves them out.
    assert "Deadlines paused while their review is on hold are not counted here." in html


def test_deadlines_of_someone_who_has_left_are_marked(
    people, partnership, other_partnership, spread, today
):
    """The owner's role in the clock's partnership removed (or their account switched
    off): their rows and their workload there say so, apart from what they still own
    where they work, and the board counts them for its warning."""
    officer = people["officer"]
    Membership.objects.create(user=officer, partnership=other_partnership, role=Role.REVIEW_OFFICER)
    there = make_deadline(other_partnership, due=wd(today, -1, other_partnership), owner=officer)
    board = build_dashboard([partnership, other_partnership], today=today)
    assert board.left_behind == 0
    assert not any(row.owner_left for row in board.attention_rows)

    Membership.objects.filter(user=officer, partnership=partnership).delete()
    board = build_dashboard([partnership, other_partnership], today=today)
    left = {row.id for row in board.attention_rows if row.owner_left}
    assert left == {d.pk for d in spread["overdue"] + spread["today"] + spread["soon"]} - {
        d.pk for d in spread["overdue"] + spread["soon"] if d.owner_id != officer.pk
    }
    assert there.pk not in left
    workload = {(w.name, w.left): (w.open, w.overdue) for w in board.workload}
    assert workload[("Officer One", True)] == (4, 1)
    assert workload[("Officer One", False)] == (1, 1)
    assert board.left_behind == 4

    officer.is_active = False
    officer.save()
    board = build_dashboard([partnership, other_partnership], today=today)
    assert board.left_behind == 5
    assert ["Officer One (has left)", 5, 2] in workload_export_rows(board)


def test_my_items_toggle_works_without_javascript(client, people, spread):
    sign_in(client, people["manager"])
    board = client.get(reverse("safeguarding:home"), {"show": "mine"}).context["board"]
    rows = board.overdue + board.due_today + board.due_soon
    assert rows and all(r.owner_id == people["manager"].pk for r in rows)
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert "?show=mine" in html


def test_stage_filter(client, people, spread):
    sign_in(client, people["officer"])
    board = client.get(reverse("safeguarding:home"), {"stage": "agency_returns"}).context["board"]
    assert [r.kind for r in board.attention_rows] == [Kind.AGENCY_RETURN]
    assert [s.key for s in board.stages] == ["agency_returns"]


def test_moved_by_calendar_listed(client, people, partnership, today):
    moved = make_deadline(partnership, due=wd(today, 20, partnership), moved=True)
    sign_in(client, people["officer"])
    response = client.get(reverse("safeguarding:home"))
    assert _ids(response.context["board"].moved) == {moved.pk}
    assert moved.title in response.content.decode()


def test_partnership_filter_for_people_in_several_partnerships(
    client, people, partnership, other_partnership, spread
):
    both = people["manager"]
    Membership.objects.create(user=both, partnership=other_partnership, role=Role.REVIEW_OFFICER)
    sign_in(client, both)
    board = client.get(reverse("safeguarding:home")).context["board"]
    assert _ids(board.overdue) >= {spread["elsewhere"][0].pk}
    board = client.get(reverse("safeguarding:home"), {"partnership": partnership.pk}).context[
        "board"
    ]
    assert spread["elsewhere"][0].pk not in _ids(board.overdue)
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert "All your partnerships" in html


def test_a_partnership_outside_scope_is_not_found(client, people, other_partnership, spread):
    sign_in(client, people["manager"])
    assert client.get("/", {"partnership": other_partnership.pk}).status_code == 404
    assert client.get("/", {"partnership": "nonsense"}).status_code == 404


def test_a_filter_edited_by_hand_is_in_an_error_summary_at_the_top(client, people, spread):
    """The dashboard's filter said what was wrong by the question only, half-way down the
    home page: the GOV.UK error summary at the top of the page now lists each message,
    linked to its question, and the page's title starts "Error:". The figures are the
    whole partnership's meanwhile."""
    sign_in(client, people["manager"])
    response = client.get(reverse("safeguarding:home"), {"stage": "nonsense", "show": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Home" in html
    main = html.split('id="main-content"', 1)[1]
    assert main.index("govuk-error-summary") < main.index("Your work")  # before the heading
    summary = main.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]
    assert '<a href="#id_stage">Select a stage from the list</a>' in summary
    assert '<a href="#id_show_1">Select whose deadlines to show</a>' in summary
    assert 'id="id_stage"' in html and 'id="id_show_1"' in html
    assert _ids(response.context["board"].overdue) == {c.pk for c in spread["overdue"]}
    # Filters that are fine: no summary, and no "Error:".
    html = client.get(reverse("safeguarding:home"), {"show": "mine"}).content.decode()
    assert "govuk-error-summary" not in html and "<title>Error:" not in html


@pytest.mark.parametrize("who", ["regional", "agency", "reviewer"])
def test_other_roles_get_no_dashboard(client, people, spread, who):
    sign_in(client, people[who])
    response = client.get("/")
    assert response.status_code == 200
    assert "board" not in response.context
    assert spread["overdue"][0].title not in response.content.decode()
    for fmt in ("csv", "xlsx"):
        assert client.get(reverse("safeguarding:dashboard-export", args=[fmt])).status_code == 403


def test_closure_days_count_in_working_days_left(partnership, people, today):
    from safeguarding.models import ClosureDay

    first = calendar.add_working_days(today, 1)
    ClosureDay.objects.create(partnership=partnership, date=first, reason="Training")
    due = calendar.add_working_days(today, 2)
    clock = make_deadline(partnership, due=due)
    board = build_dashboard([partnership], today=today)
    assert {r.id: r.left for r in board.due_soon}[clock.pk] == 1


def _home_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("safeguarding:home")).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_runs_a_fixed_number_of_queries(
    client, people, partnership, other_partnership, today, django_assert_max_num_queries
):
    Membership.objects.create(
        user=people["manager"], partnership=other_partnership, role=Role.REVIEW_OFFICER
    )
    owners = [people["manager"], people["officer"], member(Role.REVIEW_OFFICER, partnership)]

    def add(n):
        for i in range(n):
            p = partnership if i % 2 else other_partnership
            make_deadline(
                p,
                due=today + dt.timedelta(days=(i % 9) - 4),
                kind=list(Kind)[i % 4],
                owner=owners[i % 3],
                moved=i % 7 == 0,
            )

    sign_in(client, people["manager"])
    add(5)
    small = _home_queries(client)
    add(45)
    with django_assert_max_num_queries(small):
        client.get(reverse("safeguarding:home"))
    # 15, one for a manager's actions awaiting sign-off, one for what is still to set up
    assert small <= 17, small


def test_more_partnerships_do_not_add_queries(client, people, partnership, today):
    sign_in(client, people["manager"])
    make_deadline(partnership, due=today)
    one = _home_queries(client)
    for _ in range(4):
        p = PartnershipFactory(region=partnership.region)
        Membership.objects.create(user=people["manager"], partnership=p, role=Role.REVIEW_OFFICER)
        make_deadline(p, due=today)
    assert _home_queries(client) <= one


def test_each_section_shows_its_most_urgent_rows_and_a_link_to_all(
    client, people, partnership, today, monkeypatch, django_assert_max_num_queries
):
    """The page costs the same however many clocks are overdue: a page of the most urgent
    per section with the exact total, "Show all" for the rest, and the export holds all."""
    from safeguarding import dashboard, report_views

    monkeypatch.setattr(report_views, "SECTION_LIMIT", 3)
    overdue = [
        make_deadline(partnership, due=today - dt.timedelta(days=40 - i), owner=people["officer"])
        for i in range(7)
    ]
    sign_in(client, people["manager"])
    with django_assert_max_num_queries(17):  # the home page's budget, as in the test above
        html = client.get(reverse("safeguarding:home")).content.decode()
    assert 'id="count-overdue">7<' in html
    # The section's table is named by its heading, not by a caption that repeats it.
    section = html.split('id="section-overdue"', 1)[1].split("</table>", 1)[0]
    assert 'aria-labelledby="section-overdue"' in section and "<caption" not in section
    assert "Showing the 3 most urgent of 7." in html
    assert "Show all 7" in html and "?all=1" in html
    shown = [d.title for d in overdue if d.title in html]
    assert len(shown) == 3
    every = client.get(reverse("safeguarding:home") + "?all=1").content.decode()
    assert "most urgent of" not in every
    assert all(d.title in every for d in overdue)
    board = dashboard.build_dashboard([partnership], today=today, limit=3)
    assert [r.id for r in board.overdue] == [d.pk for d in overdue[:3]]
    assert board.totals["overdue"] == 7 and board.truncated
    csv = client.get(reverse("safeguarding:dashboard-export", args=["csv"])).content.decode()
    assert all(d.title in csv for d in overdue)


def test_a_local_reviews_steps_are_to_dos_and_other_clocks_keep_their_titles(
    client, people, partnership, today
):
    from lcspr.models import HOLD_REVIEW_KEY, Milestone

    steps = {
        key: make_deadline(
            partnership,
            due=wd(today, 1, partnership),
            kind=Kind.LCSPR_MILESTONE,
            key=key,
            title=f"{Milestone(key).label}: BSCP-2026-020",
            reference="BSCP-2026-020",
        )
        for key in Milestone.values
    }
    hold = make_deadline(
        partnership,
        due=today,
        kind=Kind.LCSPR_MILESTONE,
        key=HOLD_REVIEW_KEY,
        title="Look again at the hold on the local review: BSCP-2026-020",
    )
    board = build_dashboard([partnership], today=today)
    titles = {row.id: row.title for row in board.attention_rows}
    assert titles[steps["terms_agreed"].pk] == "Agree the terms of reference: BSCP-2026-020"
    assert titles[steps["final_approved"].pk] == "Approve the final report: BSCP-2026-020"
    assert titles[hold.pk] == hold.title
    for key in Milestone.values:
        assert titles[steps[key].pk] == f"{Milestone(key).task}: BSCP-2026-020"
        assert str(Milestone(key).label) not in titles[steps[key].pk]


def _row_of(html, title):
    """The dashboard table row (`<tr>…</tr>`) that names `title`."""
    before, after = html.split(title, 1)
    return before.rsplit("<tr", 1)[1] + title + after.split("</tr>", 1)[0]


def test_a_typed_date_on_a_closure_day_is_tagged_on_its_row(
    client, people, partnership, other_partnership, today
):
    """An action's or an agency return's due date set by hand that a closure day falls on
    is tagged "On a closure day" on the dashboard, as on the action plan and the table of
    requests (ADR 0027 addendum); a clock counted in working days, a typed date on a
    working day, a closure day of another partnership and a closed clock are not."""
    from safeguarding.models import ClosureDay

    Membership.objects.create(
        user=people["manager"], partnership=other_partnership, role=Role.REVIEW_OFFICER
    )
    past, soon = wd(today, -3, None), wd(today, 2, None)
    for day in (past, soon):
        ClosureDay.objects.create(partnership=partnership, date=day, reason="Office move")
    action = make_deadline(partnership, due=past, kind=Kind.ACTION, title="Action on closure")
    ret = make_deadline(partnership, due=soon, kind=Kind.AGENCY_RETURN, title="Return on closure")
    counted = make_deadline(partnership, due=past, kind=Kind.NOTIFICATION, title="Counted clock")
    Deadline.objects.filter(pk=counted.pk).update(rule=Deadline.Rule.WORKING_DAYS)
    working = make_deadline(
        partnership, due=wd(today, -2, None), kind=Kind.ACTION, title="Action on a working day"
    )
    elsewhere = make_deadline(
        other_partnership, due=past, kind=Kind.ACTION, title="Action of the other partnership"
    )
    sign_in(client, people["manager"])
    html = client.get(reverse("safeguarding:home")).content.decode()
    for tagged in (action, ret):
        assert "On a closure day" in _row_of(html, tagged.title), tagged.title
    for untagged in (counted, working, elsewhere):
        assert "On a closure day" not in _row_of(html, untagged.title), untagged.title
    board = build_dashboard([partnership, other_partnership], today=today)
    assert {r.id for r in board.attention_rows if r.on_closure_day} == {action.pk, ret.pk}
    # The download of the list says it too, in its last column.
    csv = client.get(reverse("safeguarding:dashboard-export", args=["csv"])).content.decode()
    rows = {r[3]: r for r in reader(io.StringIO(csv)) if len(r) > 3}
    assert rows["What"][-1] == "On a closure day"
    assert rows[action.title][-1] == rows[ret.title][-1] == "Yes"
    assert rows[counted.title][-1] == rows[working.title][-1] == "No"


def test_closure_day_tags_cost_no_query_per_row(
    client, people, partnership, other_partnership, today, django_assert_max_num_queries
):
    """The closure days are read once for the page, whatever the number of rows tagged."""
    from safeguarding.models import ClosureDay

    Membership.objects.create(
        user=people["manager"], partnership=other_partnership, role=Role.REVIEW_OFFICER
    )
    days = [wd(today, n, None) for n in (-4, -2, 1, 3)]
    for p in (partnership, other_partnership):
        for day in days:
            ClosureDay.objects.create(partnership=p, date=day, reason="Training")

    def add(n):
        for i in range(n):
            make_deadline(
                partnership if i % 2 else other_partnership,
                due=days[i % len(days)],
                kind=(Kind.ACTION, Kind.AGENCY_RETURN)[i % 2],
                owner=people["officer"],
                moved=i % 5 == 0,
            )

    sign_in(client, people["manager"])
    add(2)
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert html.count("On a closure day") == 2 + 1  # the first is among those moved too
    small = _home_queries(client)
    assert small <= 17, small
    add(38)
    with django_assert_max_num_queries(small):
        html = client.get(reverse("safeguarding:home") + "?all=1").content.decode()
    # Every row is tagged, in its section and again among those moved by the calendar.
    moved = Deadline.objects.filter(moved_by_calendar=True).count()
    assert moved == 1 + 8 and html.count("On a closure day") == 40 + moved
