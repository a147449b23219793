"""Valid HTML on every page type (issue 8, item 6): the Nu HTML Checker (npm `vnu-jar`,
run with Java) over every page of the service.

The pages are rendered with the test client as the user each is for, reusing the world of
tests/test_url_isolation.py (partnership A's notified incident, its rapid review and a
request with a draft return) plus a draft incident for the journey's steps: every list,
detail and form page, every form's error state (an empty form posted), the public pages
and the 404 page. They are written into one folder and checked by one `vnu` run.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from safeguarding.models import AuditEvent, User
from tests.notifications.conftest import make_incident  # noqa: F401 - fixture
from tests.rapid_reviews.conftest import (  # noqa: F401 - fixtures
    agencies,
    contributors,
    make_review,
    review,
    sent_requests,
)
from tests.test_url_isolation import (  # noqa: F401 - fixture
    AUDIENCE,
    object_kwargs,
    object_url,
    world,
)
from tests.utils import sign_in

from .test_double_click import unguarded_buttons

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)

# Empty forms posted to show each form's error state.
ERROR_STATES = [
    "notifications:new",
    "notifications:find-by-name",
    "notifications:child-add",
    "notifications:record",
    "notifications:not-notifying",
    "notifications:attachments",
    "notifications:export",
    "rapid_reviews:requests-new",
    "rapid_reviews:request-change",
    "rapid_reviews:meeting",
    "rapid_reviews:decision",
    "rapid_reviews:sign-off",
    "rapid_reviews:send-to-panel",
    "rapid_reviews:panel-response",
    "rapid_reviews:contributor-return",
    "safeguarding:reminder-settings",
    "safeguarding:password-change",
    "safeguarding:deadlines-hand-over",
]
PUBLIC = [
    "safeguarding:sign-in",
    "safeguarding:signed-out",
    "safeguarding:password-reset",
    "safeguarding:password-reset-sent",
    "safeguarding:password-reset-complete",
    "safeguarding:accessibility",
    "safeguarding:cookies",
    "safeguarding:privacy",
]

# Messages from markup we do not write (exact text), with why they are not ours to fix.
IGNORED = {}


def is_html(response):
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def collect(client, people, world, draft):  # noqa: F811
    """{file name: html} for every page type."""
    pages = {}

    def keep(key, response):
        if is_html(response):
            pages[key.replace(":", "_").replace("/", "_") + ".html"] = response.content.decode()

    users = {
        "case": people["officer"],
        "manager": people["manager"],
        "contributor": people["agency"],
        "self": people["officer"],
    }
    for name, audience in AUDIENCE.items():
        if audience not in users:
            continue
        kwargs = object_kwargs(name, world)
        sign_in(client, users[audience])
        url = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
        if name == "safeguarding:keep-alive":
            continue
        keep(name, client.get(url))
        if name in ERROR_STATES:
            keep(f"{name}-error", client.post(url, {}))
    # The manager's home page (the dashboard) differs from the officer's.
    sign_in(client, people["manager"])
    keep("home-manager", client.get(reverse("safeguarding:home")))
    # The hand-over page for someone still in the business unit (cover for leave).
    cover = object_url("safeguarding:deadlines-hand-over:cover", world)
    keep("hand-over-cover", client.get(cover))
    keep("hand-over-cover-error", client.post(cover, {}))
    assert {"hand-over-cover.html", "hand-over-cover-error.html"} <= set(pages)
    # The audit trail between its Newer and Older links (ADR 0023).
    partnership = people["manager"].memberships.first().partnership
    for n in range(120):
        AuditEvent.objects.create(
            actor=people["officer"], partnership=partnership, action="view", object_repr=f"{n}"
        )
    audit = reverse("safeguarding:audit")
    older = client.get(audit).context["page"].older
    middle = client.get(audit, {"before": older})
    assert middle.context["page"].newer and middle.context["page"].older
    keep("audit-newer-and-older", middle)
    sign_in(client, people["agency"])
    keep("home-agency", client.get(reverse("safeguarding:home")))
    keep("reminders-agency", client.get(reverse("safeguarding:reminder-settings")))
    # The independent reviewer: their home page, the review page, and the answer to a
    # written request with its error state (the world's review is made answerable).
    import datetime as dt

    from django.utils import timezone

    from lcspr.models import PartnerCheck, Review
    from lcspr.services import written_reply_checked as lcspr_checked

    local = Review.objects.get(pk=world["lcspr"])
    local.reviewers.add(people["reviewer"])
    asked = PartnerCheck.objects.create(
        review=local,
        kind=PartnerCheck.Kind.WRITTEN_REQUEST,
        checked_on=timezone.localdate(),
        note="Please send the draft.",
        respond_by=timezone.localdate() + dt.timedelta(days=10),
        recorded_by=people["officer"],
    )
    Review.objects.filter(pk=local.pk).update(status="in_progress")
    sign_in(client, people["reviewer"])
    keep("home-reviewer", client.get(reverse("safeguarding:home")))
    keep("review-reviewer", client.get(local.get_absolute_url()))
    reply = reverse("lcspr:written-reply", args=[local.pk, asked.pk])
    keep("written-reply", client.get(reply))
    keep("written-reply-error", client.post(reply, {}))
    # Checked before it is sent: the check page, its error (a reply changed since it was
    # opened), and the confirmation page.
    checking = client.post(reply, {"text": "The draft is attached."})["Location"]
    keep("written-reply-check", client.get(checking))
    keep("written-reply-check-error", client.post(checking, {"checked": "stale"}))
    client.post(checking, {"checked": lcspr_checked(PartnerCheck.objects.get(pk=asked.pk))})
    keep(
        "written-reply-sent",
        client.get(reverse("lcspr:written-reply-sent", args=[local.pk, asked.pk])),
    )
    assert {
        "written-reply.html",
        "written-reply-error.html",
        "written-reply-check.html",
        "written-reply-check-error.html",
        "written-reply-sent.html",
        "home-reviewer.html",
    } <= set(pages)
    Review.objects.filter(pk=local.pk).update(status=local.status)
    local.reviewers.remove(people["reviewer"])
    # Reopening a review closed in error: the page with its clocks (some overdue), and its
    # error state (the world's review is published, so its own page only refuses).
    from lcspr import services as lcspr_services
    from tests.rapid_reviews.conftest import notify

    rapid = notify(local.partnership, people["officer"], name="Other Child")
    closed = lcspr_services.review_open(
        rapid_review=rapid,
        decision_date=timezone.localdate() - dt.timedelta(days=100),
        actor=people["manager"],
    )
    closed = lcspr_services.review_close(
        review=closed, actor=people["manager"], reason="By mistake.", closed_on=timezone.localdate()
    )
    sign_in(client, people["manager"])
    reopen = reverse("lcspr:reopen", args=[closed.pk])
    keep("reopen-closed", client.get(reopen))
    keep("reopen-closed-error", client.post(reopen, {"version": str(closed.version)}))
    keep("review-closed-manager", client.get(closed.get_absolute_url()))
    assert {"reopen-closed.html", "reopen-closed-error.html"} <= set(pages)
    # The hold page of a review on hold already (a colleague's hold): what to do instead,
    # and a hold form sent anyway.
    held = lcspr_services.review_open(
        rapid_review=notify(local.partnership, people["officer"], name="Held Child"),
        decision_date=timezone.localdate() - dt.timedelta(days=30),
        actor=people["manager"],
    )
    held = lcspr_services.review_put_on_hold(
        review=held,
        actor=people["manager"],
        reason="inquest",
        note="",
        held_since=timezone.localdate(),
        look_again_on=timezone.localdate() + dt.timedelta(days=9),
    )
    hold = reverse("lcspr:hold", args=[held.pk])
    keep("hold-on-hold-already", client.get(hold))
    keep("hold-on-hold-already-error", client.post(hold, {"version": str(held.version)}))
    assert {"hold-on-hold-already.html", "hold-on-hold-already-error.html"} <= set(pages)
    # The agency's return form posted after a colleague submitted the return: what was
    # typed, shown back with why it cannot be saved.
    from rapid_reviews import services as rr_services
    from rapid_reviews.models import InformationRequest
    from tests.rapid_reviews.conftest import rows, values_for_return

    police = InformationRequest.objects.get(pk=world["request"])
    rr_services.agency_return_save_draft(
        information_request=police,
        actor=people["agency"],
        values=values_for_return(),
        rows=rows(timezone.localdate() - dt.timedelta(days=9)),
    )
    rr_services.agency_return_submit(information_request=police, actor=people["agency"])
    sign_in(client, people["agency"])
    typed = reverse("rapid_reviews:contributor-return", args=[police.pk])
    keep("contributor-return-submitted-meanwhile", client.post(typed, {"involved": "yes"}))
    assert "contributor-return-submitted-meanwhile.html" in pages
    # The journey's steps, on a draft incident.
    sign_in(client, people["officer"])
    child = draft.children.first()
    for step in ("dates", "nature", "circumstances", "notifier"):
        url = reverse("notifications:step", args=[draft.pk, step])
        keep(f"step-{step}", client.get(url))
        keep(f"step-{step}-error", client.post(url, {"awareness_date_0": "31"}))
    for name, args in [
        ("notifications:children", [draft.pk]),
        ("notifications:child-edit", [draft.pk, child.pk]),
        ("notifications:child-remove", [draft.pk, child.pk]),
        ("notifications:check", [draft.pk]),
        ("notifications:detail", [draft.pk]),
    ]:
        keep(f"draft-{name}", client.get(reverse(name, args=args)))
    keep("draft-check-error", client.post(reverse("notifications:check", args=[draft.pk])))
    # Finding a case by the child's name: children found (the draft's), and none.
    find = reverse("notifications:find-by-name")
    keep("find-by-name-found", client.post(find, {"name": "child name"}))
    keep("find-by-name-none", client.post(find, {"name": "Nobody Here"}))
    assert {"find-by-name-found.html", "find-by-name-none.html"} <= set(pages)
    # Administrators' outbox.
    admin = User.objects.create_superuser(email="admin@example.org", password="x" * 20)
    sign_in(client, admin)
    keep("outbox", client.get(reverse("safeguarding:outbox")))
    # Public pages, their error states, and the 404 page.
    client.logout()
    for name in PUBLIC:
        keep(f"public-{name}", client.get(reverse(name)))
    _collect_learning(keep, pages, client, world)
    keep("sign-in-error", client.post(reverse("safeguarding:sign-in"), {}))
    keep("password-reset-error", client.post(reverse("safeguarding:password-reset"), {}))
    return pages


def _collect_learning(keep, pages, client, world):  # noqa: F811
    """The public Learning from reviews pages, as a visitor sees them: the lists with
    pages of results (and in high contrast), a search that finds nothing, a review, the
    accessibility statement and the public Page not found."""
    from lcspr.models import PublishedReview

    item = PublishedReview.objects.get(source_review_id=world["lcspr"])
    for n in range(21):  # more than a page
        PublishedReview.objects.create(
            partnership=item.partnership,
            source_review_id=10_000 + n,
            slug=f"more-{n}",
            title=f"More learning {n}",
            summary="What was learned.",
            year=item.year,
            published_on=item.published_on,
            kind=item.kind,
        )
    index = reverse("learning:index")
    code = item.partnership.code.lower()
    keep("learning-index", client.get(index))
    keep("learning-index-page-2", client.get(index, {"page": 2}))
    keep("learning-search-none", client.get(index, {"q": "nothing matches this"}))
    keep("learning-filters-left-out", client.get(index, {"year": "1999", "theme": "nonsense"}))
    keep("learning-partnership", client.get(reverse("learning:partnership", args=[code])))
    keep("learning-review", client.get(item.get_absolute_url()))
    keep("learning-accessibility", client.get(reverse("learning:accessibility")))
    keep("learning-cookies", client.get(reverse("learning:cookies")))
    keep("learning-privacy", client.get(reverse("learning:privacy")))
    client.cookies["lfr_contrast"] = "high"
    keep("learning-index-high-contrast", client.get(index, {"page": 2}))
    del client.cookies["lfr_contrast"]
    missing = client.get(f"/learning-from-reviews/{code}/no-such-review/")
    assert missing.status_code == 404 and b"Exit this page" in missing.content
    pages["learning-not-found.html"] = missing.content.decode()
    assert 'class="govuk-pagination"' in pages["learning-index-page-2.html"]
    assert "filters-left-out" in pages["learning-filters-left-out.html"]
    assert "app-high-contrast" in pages["learning-index-high-contrast.html"]
    assert len([p for p in pages if p.startswith("learning-")]) == 11


def test_every_page_type_is_valid_html(client, people, world, make_incident, settings, tmp_path):  # noqa: F811
    assert shutil.which("java"), "Java is missing: `make test` installs default-jre-headless"
    assert VNU.exists(), f"{VNU} is missing: run `npm ci` (vnu-jar is a devDependency)"
    settings.AXES_ENABLED = False
    draft = make_incident()
    pages = collect(client, people, world, draft)
    settings.DEBUG = False  # the service's own 404 page, not Django's technical one
    sign_in(client, people["officer"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    pages["404.html"] = response.content.decode()
    assert len(pages) > 60, sorted(pages)
    unguarded = {name: found for name, html in pages.items() if (found := unguarded_buttons(html))}
    assert not unguarded, unguarded

    folder = tmp_path / "pages"
    folder.mkdir()
    for name, html in pages.items():
        (folder / name).write_text(html, encoding="utf-8")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--skip-non-html", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors, warnings = [], []
    for m in messages:
        where = f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        if m["type"] == "error" and m["message"] not in IGNORED:
            errors.append(where)
        elif m["type"] != "error":
            warnings.append(where)
    for warning in warnings:
        print("vnu warning:", warning)
    assert not errors, "\n".join(errors)
