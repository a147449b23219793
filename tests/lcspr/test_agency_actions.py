"""The agency that owns an action-plan action records its progress, evidence of impact and
completion itself; it sees only its own actions, and cannot move the due date or sign off."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lcspr import selectors, services
from lcspr.models import ActionStatus
from tests.utils import sign_in

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(local_review, people, agencies):
    """One action owned by the police (people["agency"] contributes for them), one by health."""
    officer = people["officer"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Share sooner.")

    def add(agency, description):
        return services.action_add(
            recommendation=rec,
            actor=officer,
            description=description,
            agency=agency,
            lead="Named lead",
            due_date=TODAY() + dt.timedelta(days=30),
        )

    return {
        "police": add(agencies["police"], "Brief every response officer"),
        "health": add(agencies["health"], "Audit the health visiting records"),
    }


def test_a_contributor_sees_only_their_agencys_actions_in_their_partnership(owned, contributors):
    police = selectors.actions_for_contributor(contributors["police"])
    assert list(police) == [owned["police"]]
    assert list(selectors.actions_for_contributor(contributors["health"])) == [owned["health"]]
    # The same force contributing for another partnership sees none of these.
    assert not selectors.actions_for_contributor(contributors["other_police"]).exists()


def test_the_owning_agency_records_progress_but_not_a_new_due_date(owned, contributors, people):
    action, police = owned["police"], contributors["police"]
    with pytest.raises(ValidationError) as error:
        services.action_update(
            action=action,
            actor=police,
            status="in_progress",
            due_date=action.due_date + dt.timedelta(days=30),
            reason="We need longer.",
        )
    assert (
        "Only the partnership’s business unit moves the due date"
        in (error.value.message_dict["due_date"][0])
    )
    action = services.action_update(
        action=action,
        actor=police,
        status="complete",
        due_date=action.due_date,
        note="Briefing given to all teams.",
        evidence_of_impact="Audit of 20 calls shows the child’s voice recorded.",
        expected_version=action.version,
    )
    assert action.status == ActionStatus.COMPLETE and action.completed_on == TODAY()
    assert action.notes.get().author == police
    # Signing off stays the partnership manager's.
    with pytest.raises(PermissionDenied):
        services.action_sign_off(action=action, actor=police)
    services.action_sign_off(action=action, actor=people["manager"])


@pytest.mark.parametrize("who", ["health", "other_police"])
def test_another_agency_or_partnership_cannot_update_the_action(owned, contributors, who):
    action = owned["police"]
    with pytest.raises(PermissionDenied):
        services.action_update(
            action=action,
            actor=contributors[who],
            status="in_progress",
            due_date=action.due_date,
            note="Not ours.",
        )
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED and not action.notes.exists()


def test_the_contributor_finds_and_updates_the_action_from_their_home_page(
    client, owned, contributors
):
    police = contributors["police"]
    sign_in(client, police)
    home = client.get(reverse("safeguarding:home")).content.decode()
    url = reverse("lcspr:agency-action", args=[owned["police"].pk])
    assert url in home and "Brief every response officer" in home
    assert "Audit the health visiting records" not in home
    page = client.get(url).content.decode()
    assert "Set by the partnership" in page and 'name="due_date' not in page
    response = client.post(
        url,
        {"status": "in_progress", "note": "Dates booked.", "version": owned["police"].version},
    )
    assert response.status_code == 302
    owned["police"].refresh_from_db()
    assert owned["police"].status == ActionStatus.IN_PROGRESS
    # Another agency's action is not found; the business unit's page is refused.
    assert client.get(reverse("lcspr:agency-action", args=[owned["health"].pk])).status_code == 404
    review = owned["police"].recommendation.review
    staff_page = reverse("lcspr:action", args=[review.pk, owned["police"].pk])
    assert client.get(staff_page).status_code == 403


def test_the_home_page_lists_the_agencys_actions_in_a_fixed_number_of_queries(
    client, owned, contributors, django_assert_max_num_queries, local_review, people, agencies
):
    sign_in(client, contributors["police"])
    url = reverse("safeguarding:home")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    rec = local_review.recommendations.get()
    for n in range(5):
        services.action_add(
            recommendation=rec,
            actor=people["officer"],
            description=f"More {n}",
            agency=agencies["police"],
            lead="Lead",
            due_date=TODAY() + dt.timedelta(days=40),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "More 4" in html


def test_a_signed_off_action_stays_on_the_agencys_list_of_its_actions(
    client, owned, contributors, people, django_assert_max_num_queries
):
    action, police = owned["police"], contributors["police"]
    services.action_update(
        action=action,
        actor=police,
        status=ActionStatus.COMPLETE,
        due_date=action.due_date,
        evidence_of_impact="Every officer briefed; audit of 30 calls.",
    )
    action.refresh_from_db()
    services.action_sign_off(action=action, actor=people["manager"])
    sign_in(client, police)
    home = client.get(reverse("safeguarding:home")).content.decode()
    assert "Your agency has no actions to update." in home
    url = reverse("lcspr:agency-actions")
    assert url in home
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    signed = page.split(">Signed off</h2>", 1)[1]
    assert "Brief every response officer" in signed
    assert reverse("lcspr:agency-action", args=[action.pk]) in signed
    assert "Audit the health visiting records" not in page  # another agency's


def test_the_manager_sees_the_actions_awaiting_sign_off_on_their_home_page(
    client, owned, contributors, people
):
    action = owned["police"]
    sign_in(client, people["manager"])
    home = client.get(reverse("safeguarding:home")).content.decode()
    assert "No action is waiting for your sign-off." in home
    services.action_update(
        action=action,
        actor=contributors["police"],
        status=ActionStatus.COMPLETE,
        due_date=action.due_date,
        evidence_of_impact="Every officer briefed.",
    )
    home = client.get(reverse("safeguarding:home")).content.decode()
    waiting = home.split('id="to-sign-off"', 1)[1].split("</table>", 1)[0]
    assert "1 action of a local review’s action plan is marked complete" in waiting
    link = reverse("lcspr:action", args=[action.recommendation.review_id, action.pk])
    assert link in waiting and "Midshire Police" in waiting
    # What the manager signs off is shown above the button: when and the evidence.
    page = client.get(link).content.decode()
    shown = page.split("Sign off as complete", 1)[0]
    assert "Marked complete on" in shown and "Every officer briefed." in shown
    # Not a manager: not asked to sign off.
    sign_in(client, people["officer"])
    assert 'id="to-sign-off"' not in client.get(reverse("safeguarding:home")).content.decode()
    action.refresh_from_db()
    services.action_sign_off(action=action, actor=people["manager"])
    sign_in(client, people["manager"])
    assert "No action is waiting" in client.get(reverse("safeguarding:home")).content.decode()


def test_the_agencys_action_page_runs_a_fixed_number_of_queries(
    client, owned, contributors, django_assert_max_num_queries
):
    """However many progress notes (by however many people) the action has."""
    from safeguarding.models import Role
    from tests.factories import member

    action, police = owned["police"], contributors["police"]
    sign_in(client, police)
    url = reverse("lcspr:agency-action", args=[action.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    partnership = action.recommendation.review.partnership
    for n in range(4):
        writer = member(
            Role.AGENCY_CONTRIBUTOR, partnership, agency=action.agency, full_name=f"Writer {n}"
        )
        action.refresh_from_db()
        services.action_update(
            action=action,
            actor=writer,
            status="in_progress",
            due_date=action.due_date,
            note=f"Progress {n}",
            expected_version=action.version,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "Progress 3" in html and "Writer 3" in html


def test_the_home_page_says_when_the_agency_has_more_actions_than_it_lists(
    client, owned, contributors, local_review, people, agencies, monkeypatch
):
    from safeguarding import views

    monkeypatch.setattr(views, "HOME_ROWS", 2)
    rec = local_review.recommendations.get()
    for n in range(2):
        services.action_add(
            recommendation=rec,
            actor=people["officer"],
            description=f"Later {n}",
            agency=agencies["police"],
            lead="Lead",
            due_date=TODAY() + dt.timedelta(days=60 + n),
        )
    sign_in(client, contributors["police"])
    html = client.get(reverse("safeguarding:home")).content.decode()
    assert "Brief every response officer" in html and "Later 1" not in html
    assert "Your agency has 3 actions to update. The 2 due soonest are listed." in html


def test_a_note_sent_after_the_action_was_signed_off_is_shown_back_with_why(
    client, owned, contributors, people, partnership
):
    """A contributor writing a progress note while a colleague marked the action complete
    and the manager signed it off: nothing can be saved (a signed-off action no longer
    changes), and the page says so, rather than 'save again to replace the other
    change' with the typing hidden."""
    from safeguarding.models import Role
    from tests.factories import member

    action = owned["police"]
    police = contributors["police"]
    sign_in(client, police)
    url = reverse("lcspr:agency-action", args=[action.pk])
    opened = action.version
    assert client.get(url).status_code == 200
    colleague = member(
        Role.AGENCY_CONTRIBUTOR, partnership, agency=action.agency, full_name="Second Contributor"
    )
    action = services.action_update(
        action=action,
        actor=colleague,
        status="complete",
        due_date=action.due_date,
        evidence_of_impact="Audit of 20 calls.",
        expected_version=opened,
    )
    services.action_sign_off(action=action, actor=people["manager"])
    response = client.post(
        url, {"status": "in_progress", "note": "Refresher booked for March", "version": opened}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "signed off" in html
    assert "save again to replace the other change" not in html
    assert "Refresher booked for March" in html  # what was typed, to copy
    action.refresh_from_db()
    assert action.status == ActionStatus.SIGNED_OFF
    assert not action.notes.filter(text__contains="Refresher").exists()


def test_a_mistake_on_the_agencys_action_form_is_not_called_someone_elses_change(
    client, owned, contributors
):
    """The form carries the action's version; a form with an error was compared with the
    review's, so it said the page was out of date (and moved the form on to the review's
    version, so that the corrected form was refused as stale in its turn)."""
    from lcspr.models import Review

    action = owned["police"]
    Review.objects.filter(pk=action.recommendation.review_id).update(version=7)
    sign_in(client, contributors["police"])
    url = reverse("lcspr:agency-action", args=[action.pk])
    typed = {"status": "complete", "note": "Done.", "version": action.version}
    html = client.post(url, typed).content.decode()
    assert "Enter the evidence of impact before you mark the action complete" in html
    assert "changed after you opened this page" not in html
    assert f'name="version" value="{action.version}"' in html
    corrected = client.post(url, {**typed, "evidence_of_impact": "Audit of 20 calls."})
    assert corrected.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETE


def _link_names(html: str, href_start: str) -> list[str]:
    """The accessible names of the links to `href_start…`: their text, hidden words
    included, in single spaces."""
    import re
    from html import unescape

    link = rf'<a [^>]*href="{re.escape(href_start)}[^"]*"[^>]*>(.*?)</a>'
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", inner)).split())
        for inner in re.findall(link, html, re.S)
    ]


def test_each_action_link_on_the_home_page_and_the_list_is_named_uniquely(
    local_review, people, agencies, contributors
):
    """An agency's actions often read the same ("update guidance and train front-line
    staff") under several recommendations: each link says which one it is to a screen
    reader's list of links, not four links of one name."""
    from django.test import Client

    officer = people["officer"]
    for text in ("Share sooner.", "Ask the child."):
        rec = services.recommendation_add(review=local_review, actor=officer, text=text)
        for days in (30, 60):
            services.action_add(
                recommendation=rec,
                actor=officer,
                description="Midshire Police: update guidance and train front-line staff",
                agency=agencies["police"],
                lead="Named lead",
                due_date=TODAY() + dt.timedelta(days=days),
            )
    client = Client()
    sign_in(client, contributors["police"])
    for url in ("/", reverse("lcspr:agency-actions")):
        names = _link_names(client.get(url).content.decode(), "/local-reviews/agency-actions/")
        names = [n for n in names if n.startswith("Midshire Police")]
        assert len(names) == 4, (url, names)
        assert len(set(names)) == 4, (url, names)
        assert all(local_review.reference in n for n in names), names


def test_the_action_page_is_headed_by_the_action_and_names_progress_and_status_apart(
    client, owned, contributors, people
):
    """The heading is the action, not its agency; the agency's answer (not started, in
    progress, complete) is its "Progress", the rating from its due date its "Status", on
    the agency's page and the business unit's alike."""
    import re

    action = owned["police"]
    pages = (
        (contributors["police"], reverse("lcspr:agency-action", args=[action.pk])),
        (
            people["officer"],
            reverse("lcspr:action", args=[action.recommendation.review_id, action.pk]),
        ),
    )
    for who, url in pages:
        sign_in(client, who)
        html = client.get(url).content.decode()
        h1 = re.search(r'<h1 class="govuk-heading-l">(.*?)</h1>', html, re.S).group(1)
        assert h1.strip() == "Brief every response officer", h1
        caption = re.search(r'govuk-caption-l">(.*?)<', html).group(1)
        assert action.agency.name in caption and action.recommendation.review.reference in caption
        legend = re.search(r"<legend[^>]*>(.*?)</legend>", html, re.S).group(1)
        assert "Progress" in legend and "Status" not in legend, legend
        assert html.count('govuk-summary-list__key">Status<') == 1
        typed = {"status": "complete", "version": action.version}
        if "due_date_0" in html:
            due = action.due_date
            typed |= {"due_date_0": due.day, "due_date_1": due.month, "due_date_2": due.year}
        html = client.post(url, typed).content.decode()
        assert "Enter the evidence of impact before you mark the action complete" in html
        client.logout()


def _visible_rows(html: str, href_start: str) -> list[str]:
    """The visible text of each table row linking to `href_start…` (hidden words left
    out)."""
    import re
    from html import unescape

    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)
    rows = [r for r in rows if f'href="{href_start}' in r]
    visible = [
        re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", r, flags=re.S) for r in rows
    ]
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", r)).split()) for r in visible]


def test_the_rows_of_actions_that_read_alike_differ_on_screen(
    local_review, people, agencies, contributors
):
    """Not only to a screen reader: each row shows which recommendation its action
    answers, so two actions alike under two recommendations, due the same day, can be
    told apart by everyone."""
    from django.test import Client

    officer = people["officer"]
    for text in ("Share sooner.", "Ask the child."):
        rec = services.recommendation_add(review=local_review, actor=officer, text=text)
        for days in (30, 60):
            services.action_add(
                recommendation=rec,
                actor=officer,
                description="Midshire Police: update guidance and train front-line staff",
                agency=agencies["police"],
                lead="Named lead",
                due_date=TODAY() + dt.timedelta(days=days),
            )
    client = Client()
    sign_in(client, contributors["police"])
    for url in ("/", reverse("lcspr:agency-actions")):
        rows = _visible_rows(client.get(url).content.decode(), "/local-reviews/agency-actions/")
        assert len(rows) == 4 and len(set(rows)) == 4, (url, rows)
        assert any("Recommendation 2" in r for r in rows), rows
