"""The review pages over HTTP: scoping (reviewers see only their review), the forms,
the briefing editor, the documents and the query counts."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from pptx import Presentation
from pypdf import PdfReader

from lcspr import selectors, services
from lcspr.models import Review
from safeguarding.calendar import working_day_on_or_before
from safeguarding.models import Role
from tests.factories import member
from tests.utils import date_fields, sign_in

from .conftest import BRIEFING, TODAY, days_ago, open_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(local_review, people):
    services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    return local_review


def test_a_reviewer_sees_only_the_review_assigned_to_them(client, assigned, make_review, people):
    other = open_review(make_review, people, name="Bartholomew Quince")
    sign_in(client, people["reviewer"])
    listing = client.get(reverse("lcspr:list")).content.decode()
    assert assigned.reference in listing and other.reference not in listing
    assert client.get(reverse("lcspr:detail", args=[assigned.pk])).status_code == 200
    assert client.get(reverse("lcspr:detail", args=[other.pk])).status_code == 404
    # Read-only: the business unit's forms are not theirs.
    assert client.get(reverse("lcspr:terms", args=[assigned.pk])).status_code == 403
    # No link to the rapid review, which is the business unit's (it would answer 403).
    page = client.get(reverse("lcspr:detail", args=[assigned.pk])).content.decode()
    rapid = assigned.rapid_review.get_absolute_url()
    assert f'href="{rapid}"' not in page
    assert client.get(rapid).status_code == 403
    sign_in(client, people["officer"])
    assert (
        f'href="{rapid}"'
        in client.get(reverse("lcspr:detail", args=[assigned.pk])).content.decode()
    )


def test_a_reviewer_of_another_partnership_and_other_partnerships_get_404(
    client, assigned, people, other_partnership
):
    outsider = member(Role.INDEPENDENT_REVIEWER, other_partnership)
    assigned.reviewers.add(outsider)  # even if wrongly assigned, the partnership must match
    for user in (outsider, people["other_manager"], people["other_officer"]):
        sign_in(client, user)
        assert client.get(reverse("lcspr:detail", args=[assigned.pk])).status_code == 404


def test_a_reviewer_who_no_longer_has_access_is_named_as_such(client, assigned, people):
    """Removed from the role (or switched off), a reviewer stays on the review, which the
    business unit must then see, to commission or add someone."""
    from safeguarding.models import Membership

    reviewer = people["reviewer"]
    page = reverse("lcspr:detail", args=[assigned.pk])
    sign_in(client, people["officer"])
    assert "no longer has access" not in client.get(page).content.decode()
    sign_in(client, people["manager"])
    role = Membership.objects.get(user=reviewer, role=Role.INDEPENDENT_REVIEWER)
    removed = client.post(
        reverse("safeguarding:person-remove", args=[role.partnership_id, role.pk])
    )
    assert removed.status_code == 302
    sign_in(client, people["officer"])
    html = client.get(page).content.decode()
    assert f"{reviewer.full_name} (no longer has access)" in html
    Membership.objects.create(
        user=reviewer, partnership=role.partnership, role=Role.INDEPENDENT_REVIEWER
    )
    assert "no longer has access" not in client.get(page).content.decode()
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])
    assert "(no longer has access)" in client.get(page).content.decode()


def test_the_review_page_in_a_bounded_number_of_queries(
    client, local_review, people, agencies, django_assert_max_num_queries
):
    officer = people["officer"]
    services.briefing_save(review=local_review, actor=officer, values=BRIEFING)
    for n in range(3):
        rec = services.recommendation_add(review=local_review, actor=officer, text=f"Rec {n}")
        for agency in agencies.values():
            services.action_add(
                recommendation=rec,
                actor=officer,
                description="Do it",
                agency=agency,
                lead="Lead",
                due_date=TODAY() + dt.timedelta(days=60),
            )
    sign_in(client, officer)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("lcspr:detail", args=[local_review.pk]))
    assert response.status_code == 200


def test_moving_a_milestone_through_the_form_shows_its_history(client, local_review, people):
    sign_in(client, people["officer"])
    url = reverse("lcspr:milestone", args=[local_review.pk, "draft_report"])
    new = working_day_on_or_before(TODAY() + dt.timedelta(days=200))  # a plan: a working day
    date = {"planned_0": new.day, "planned_1": new.month, "planned_2": new.year}
    response = client.post(url, date)
    assert "Enter the reason for moving the planned date" in response.content.decode()
    response = client.post(url, {**date, "reason": "Reviewer ill for three weeks"})
    assert response.status_code == 302
    page = client.get(reverse("lcspr:detail", args=[local_review.pk])).content.decode()
    assert "Reviewer ill for three weeks" in page
    assert "Reviewer ill for three weeks" in client.get(url).content.decode()
    # 200 days on is after the date the report is expected: the officer is warned.
    assert "after the date the report is expected to be published" in page
    assert f"({local_review.expected_publication:%-d %B %Y})" in page
    sooner = working_day_on_or_before(TODAY() + dt.timedelta(days=30))
    date = {"planned_0": sooner.day, "planned_1": sooner.month, "planned_2": sooner.year}
    client.post(url, {**date, "reason": "Back on track"})
    page = client.get(reverse("lcspr:detail", args=[local_review.pk])).content.decode()
    assert "after the date the report is expected to be published" not in page


def test_a_milestone_page_opened_before_a_colleagues_save_does_not_save_over_it(
    client, local_review, people
):
    """Two people move the same milestone: the second page, opened before the first
    save, is refused with what was typed kept, and the first move stands."""
    sign_in(client, people["officer"])
    url = reverse("lcspr:milestone", args=[local_review.pk, "draft_report"])
    opened = client.get(url).context["form"].initial["version"]
    colleague = working_day_on_or_before(TODAY() + dt.timedelta(days=40))
    services.milestone_update(
        review=local_review,
        actor=people["manager"],
        key="draft_report",
        planned=colleague,
        reason="Reviewer ill",
    )
    mine = working_day_on_or_before(TODAY() + dt.timedelta(days=20))
    response = client.post(
        url,
        {
            "planned_0": mine.day,
            "planned_1": mine.month,
            "planned_2": mine.year,
            "reason": "Agency reports early",
            "version": opened,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "was changed after you opened this page" in html
    assert "Agency reports early" in html
    row = next(m for m in selectors.milestones_of(local_review) if m.key == "draft_report")
    assert row.planned == colleague


def test_a_milestone_saved_as_it_was_changes_nothing(local_review, people):
    """Saving the page unchanged neither moves the review's version (which would make a
    colleague's open page stale) nor writes to the audit trail."""
    from safeguarding.models import AuditEvent

    row = next(m for m in selectors.milestones_of(local_review) if m.key == "draft_report")
    events = AuditEvent.objects.count()
    services.milestone_update(
        review=local_review, actor=people["officer"], key="draft_report", planned=row.planned
    )
    local_review.refresh_from_db()
    assert local_review.version == 1 and AuditEvent.objects.count() == events


def test_the_notice_form_shows_the_earliest_date_and_why(client, local_review, people):
    officer = people["officer"]
    review = services.review_save_terms(
        review=local_review, actor=officer, text="T", agreed_on=days_ago(40)
    )
    services.review_approve_final(review=review, actor=officer, approved_on=days_ago(20))
    sign_in(client, officer)
    url = reverse("lcspr:notice", args=[review.pk])
    sent = days_ago(10)
    earliest = services.earliest_publication(review, sent).due
    too_soon = earliest - dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "sent_on_0": sent.day,
            "sent_on_1": sent.month,
            "sent_on_2": sent.year,
            "planned_publication_0": too_soon.day,
            "planned_publication_1": too_soon.month,
            "planned_publication_2": too_soon.year,
        },
    )
    html = response.content.decode()
    assert "Earliest allowed publication date" in html
    assert f"{earliest:%-d %B %Y}" in html and "working day 7" in html
    assert "7 working days after the final report went to the" in html


def test_the_briefing_pdf_is_exactly_one_page_and_the_pptx_reopens(local_review, people):
    briefing = services.briefing_save(review=local_review, actor=people["officer"], values=BRIEFING)
    reader = PdfReader(briefing.pdf.open("rb"))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Are you listening to me?" in text and local_review.reference not in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged

    prs = Presentation(briefing.pptx.open("rb"))
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles == [
        "Are you listening to me?",
        "Background",
        "Key learning 1 of 3",
        "Key learning 2 of 3",
        "Key learning 3 of 3",
        "Areas for practice improvement",
        "Questions for team discussion",
        "Find out more",
    ]
    notes = [s.notes_slide.notes_text_frame.text for s in prs.slides]
    assert all(notes) and "Absence from school" in notes[3]
    assert prs.core_properties.author == local_review.partnership.name


def test_the_briefing_pdf_prints_each_links_address_after_its_title(local_review, people):
    """On paper a link is only its words: the PDF prints the address after a link's title
    (as the PowerPoint's "Find out more" does), and once only for a link that is its
    address. Both stay links for someone reading the PDF on screen."""
    bare = "https://www.example.org/learning"
    values = {**BRIEFING, "links": f"{BRIEFING['links']}\n{bare}"}
    briefing = services.briefing_save(review=local_review, actor=people["officer"], values=values)
    reader = PdfReader(briefing.pdf.open("rb"))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    title, _bar, address = (part.strip() for part in BRIEFING["links"].partition("|"))
    assert f"{title} ({address})" in text
    assert text.count(bare) == 1 and f"({bare})" not in text
    uris = {a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])}
    assert uris == {address, bare}


@pytest.mark.parametrize(
    "name",
    [
        "St Helen's & Knowsley",
        'Ynys Môn "Anglesey" \\ } @page { margin: 0 } Ω',
    ],
)
def test_the_briefing_footer_prints_the_partnership_name_exactly_on_every_page(
    local_review, people, name
):
    partnership = local_review.partnership
    partnership.name = name
    partnership.save(update_fields=["name"])
    # Long enough for two pages, so the footer is seen to repeat.
    values = {**BRIEFING, "background": "\n".join([BRIEFING["background"]] * 12)}
    briefing = services.briefing_save(review=local_review, actor=people["officer"], values=values)
    reader = PdfReader(briefing.pdf.open("rb"))
    assert len(reader.pages) > 1
    year = TODAY().year
    for page in reader.pages:
        text = " ".join(page.extract_text().split())
        assert f"{name} · Learning briefing {year}" in text
    assert "Are you listening to me?" in reader.pages[0].extract_text()


def test_the_pptx_opens_in_libreoffice(local_review, people, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    briefing = services.briefing_save(review=local_review, actor=people["officer"], values=BRIEFING)
    source = tmp_path / "briefing.pptx"
    source.write_bytes(briefing.pptx.open("rb").read())
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert len(PdfReader(tmp_path / "briefing.pdf").pages) == 8


def test_the_editor_warns_when_the_briefing_no_longer_fits(client, local_review, people):
    sign_in(client, people["officer"])
    url = reverse("lcspr:briefing", args=[local_review.pk])
    long = {**BRIEFING, "background": "\n".join([BRIEFING["background"]] * 12)}
    assert client.post(url, long).status_code == 302
    html = client.get(url).content.decode()
    assert "no longer fits on one page" in html
    local_review.refresh_from_db()
    assert local_review.briefing.pdf_pages > 1
    assert (
        client.post(url, {**BRIEFING, "version": local_review.briefing.version}).status_code == 302
    )
    html = client.get(url).content.decode()
    assert "no longer fits on one page" not in html and "Fits on one page" in html


def test_the_briefing_is_regenerated_only_when_fields_change(local_review, people):
    officer = people["officer"]
    first = services.briefing_save(review=local_review, actor=officer, values=BRIEFING)
    name = first.pdf.name
    same = services.briefing_save(review=local_review, actor=officer, values=BRIEFING)
    assert same.pdf.name == name
    changed = services.briefing_save(
        review=local_review, actor=officer, values={**BRIEFING, "title": "Who is in my house?"}
    )
    assert changed.pdf.name != name
    assert "Who is in my house?" in PdfReader(changed.pdf.open("rb")).pages[0].extract_text()


def test_the_briefing_refuses_real_names(client, local_review, people):
    sign_in(client, people["officer"])
    url = reverse("lcspr:briefing", args=[local_review.pk])
    html = client.post(
        url, {**BRIEFING, "background": "Amelia lived with her mother."}
    ).content.decode()
    assert (
        "must be anonymised" in html and not Review.objects.filter(briefing__isnull=False).exists()
    )


def test_action_plan_pdf_and_csv(client, local_review, people, agencies):
    officer = people["officer"]
    rec = services.recommendation_add(
        review=local_review,
        actor=officer,
        text="=HYPERLINK(1)",
        partners_response="Agreed: the partners’ training plan covers it.",
    )
    services.action_add(
        recommendation=rec,
        actor=officer,
        description="Train staff",
        agency=agencies["health"],
        lead="Named nurse",
        due_date=TODAY() + dt.timedelta(days=30),
    )
    sign_in(client, officer)
    response = client.get(reverse("lcspr:action-plan-csv", args=[local_review.pk]))
    # Named by the case first, as every other download of a case is.
    named = f'attachment; filename="{local_review.reference}-action-plan'
    assert response["Content-Disposition"] == f'{named}.csv"'
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8's mark: Excel shows "partners’" right
    csv = body.decode("utf-8-sig")
    assert "Train staff" in csv and "'=HYPERLINK(1)" in csv and "Brookfield Hospitals" in csv
    assert "Partners’ response" in csv.splitlines()[0]
    assert "Agreed: the partners’ training plan covers it." in csv
    pdf = client.get(reverse("lcspr:action-plan-pdf", args=[local_review.pk]))
    assert pdf["Content-Disposition"] == f'{named}.pdf"'
    reader = PdfReader(
        io.BytesIO(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    )
    assert "Train staff" in reader.pages[0].extract_text()


def test_a_closed_reviews_action_plan_is_still_read_and_downloaded(
    client, local_review, people, agencies
):
    """Closing keeps the recommendations and actions as they are, to read: the business
    unit still sees them on the review's page (without the links to change them) and
    downloads the action plan; before, the section went from the page and both
    downloads answered that the review "can no longer change"."""
    officer, manager, reviewer = people["officer"], people["manager"], people["reviewer"]
    rec = services.recommendation_add(
        review=local_review, actor=officer, text="Share referrals with schools."
    )
    action = services.action_add(
        recommendation=rec,
        actor=officer,
        description="Train designated leads",
        agency=agencies["health"],
        lead="Named nurse",
        due_date=TODAY() + dt.timedelta(days=30),
    )
    services.review_set_reviewers(review=local_review, actor=officer, reviewers=[reviewer])
    services.review_close(
        review=local_review,
        actor=manager,
        reason="The National Panel took a national review.",
        closed_on=TODAY(),
    )
    for person in (officer, manager):
        client.logout()
        sign_in(client, person)
        page = client.get(local_review.get_absolute_url()).content.decode()
        assert "Share referrals with schools." in page and "Train designated leads" in page
        for gone in ("lcspr:recommendation-add", "lcspr:action-add"):
            args = {"lcspr:recommendation-add": [local_review.pk]}.get(
                gone, [local_review.pk, rec.pk]
            )
            assert reverse(gone, args=args) not in page
        # Each action opens to read, with its notes and history, and nothing to change.
        action_url = reverse("lcspr:action", args=[local_review.pk, action.pk])
        assert f'href="{action_url}"' in page
        opened = client.get(action_url)
        assert opened.status_code == 200
        html = opened.content.decode()
        assert "kept as it was, to read" in html and "Progress notes" in html
        assert "<form" not in html.split('id="main-content"')[1].split("</main>")[0]
        assert client.post(action_url, {"status": "complete"}).status_code == 403
        csv = client.get(reverse("lcspr:action-plan-csv", args=[local_review.pk]))
        assert csv.status_code == 200
        assert "Train designated leads" in csv.content.decode("utf-8-sig")
        pdf = client.get(reverse("lcspr:action-plan-pdf", args=[local_review.pk]))
        assert pdf.status_code == 200
        assert (
            "Train designated leads" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        )
    # The review's reviewer reads its page, not its action plan.
    client.logout()
    sign_in(client, reviewer)
    assert (
        "Train designated leads" not in client.get(local_review.get_absolute_url()).content.decode()
    )
    for name in ("lcspr:action-plan-csv", "lcspr:action-plan-pdf"):
        assert client.get(reverse(name, args=[local_review.pk])).status_code == 403
    action_url = reverse("lcspr:action", args=[local_review.pk, action.pk])
    assert client.get(action_url).status_code == 403


@pytest.mark.parametrize(
    ("name", "maker"),
    [("lcspr:action-plan-pdf", "action_plan_pdf"), ("lcspr:action-plan-csv", "action_plan_csv")],
)
def test_an_action_plan_that_fails_to_be_made_is_not_audited_as_exported(
    client, local_review, people, monkeypatch, name, maker
):
    """The export's audit event was written before the file was made: a file that failed
    (a server error, nothing downloaded) stayed in the audit trail as exported."""
    from lcspr.views import staff
    from safeguarding.models import AuditEvent

    def fails(review):
        raise OSError("the renderer failed")

    monkeypatch.setattr(staff, maker, fails)
    sign_in(client, people["officer"])
    client.raise_request_exception = False
    response = client.get(reverse(name, args=[local_review.pk]))
    assert response.status_code == 500
    assert not AuditEvent.objects.filter(action="export").exists()
    monkeypatch.undo()
    assert client.get(reverse(name, args=[local_review.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_the_action_plan_pdf_shows_status_progress_notes_and_evidence(
    client, local_review, people, agencies
):
    officer = people["officer"]
    rec = services.recommendation_add(
        review=local_review, actor=officer, text="Hear the child’s voice."
    )
    due = TODAY() + dt.timedelta(days=30)
    action = services.action_add(
        recommendation=rec,
        actor=officer,
        description="Train school nurses",
        agency=agencies["health"],
        lead="Named nurse",
        due_date=due,
    )
    action = services.action_update(
        action=action, actor=officer, status="in_progress", due_date=due, note="Dates agreed."
    )
    action.notes.update(written_on=days_ago(20))
    long_word = "Attendance" * 30  # no spaces: must still wrap inside its column
    action = services.action_update(
        action=action,
        actor=officer,
        status="complete",
        due_date=due,
        note="Two sessions held; 40 nurses trained.",
        evidence_of_impact=f"Audit shows the child’s words recorded. {long_word}",
    )
    sign_in(client, officer)
    response = client.get(reverse("lcspr:action-plan-pdf", args=[local_review.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    text = " ".join(raw.split())
    assert "Complete, awaiting sign-off" in text
    assert "Evidence of impact" in text
    assert "Audit shows the child’s words recorded." in text
    # Latest first, each with its date.
    latest = f"{TODAY():%-d %B %Y} Two sessions held; 40 nurses trained."
    earlier = f"{days_ago(20):%-d %B %Y} Dates agreed."
    assert latest in text and earlier in text
    assert text.index(latest) < text.index(earlier)
    # The long word is broken over lines in its column, not run off the page, at the
    # zero-width breaks `breakable` gives it (every 20 letters).
    assert long_word not in raw and long_word in "".join(raw.replace("\u200b", "").split())
    pieces = [line.replace("\u200b", "").strip() for line in raw.splitlines()]
    pieces = [piece for piece in pieces if len(piece) > 2 and piece in long_word]
    assert "".join(pieces) == long_word
    assert all(len(piece) % 20 == 0 for piece in pieces[:-1]), pieces


def test_terms_of_reference_upload_and_download(client, local_review, people):
    from .conftest import pdf_upload

    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:terms", args=[local_review.pk]),
        {
            "text": "Scope: two years before the incident.",
            "document": pdf_upload("ToR - Amelia Zephyrine DOB 01.05.2019.pdf"),
            "agreed_on_0": days_ago(3).day,
            "agreed_on_1": days_ago(3).month,
            "agreed_on_2": days_ago(3).year,
            "version": local_review.version,
        },
    )
    assert response.status_code == 302
    local_review.refresh_from_db()
    assert local_review.status == "in_progress"
    assert local_review.terms_document_name == "ToR - Amelia Zephyrine DOB 01.05.2019.pdf"
    # The file's name (which may name the child) never reaches the permanent audit trail.
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from safeguarding.models import AuditEvent

    event = AuditEvent.objects.filter(changes__has_key="terms_document").latest("id")
    assert event.changes["terms_document"].startswith("uploaded (sha256 ")
    trail = AuditEvent.objects.annotate(text=Cast("changes", TextField()))
    assert trail.filter(text__contains="sha256").exists()
    assert not trail.filter(text__icontains="Zephyrine").exists()
    download = client.get(reverse("lcspr:terms-document", args=[local_review.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("uploaded", "downloaded"),
    [
        ("Terms of reference", "Terms of reference.pdf"),
        ("terms.docx", "terms.docx.pdf"),
        ("Terms v2.1", "Terms v2.1.pdf"),
        ("TERMS.PDF", "TERMS.PDF"),
    ],
)
def test_a_document_downloads_with_the_ending_of_its_type(
    client, local_review, people, uploaded, downloaded
):
    """The type of an upload is found from its content, not its name: a PDF uploaded
    with no ending, or another type's, was downloaded under that name and did not open
    (a browser saves it as the name says). It now gets its type's ending."""
    from .conftest import pdf_upload

    sign_in(client, people["officer"])
    response = client.post(
        reverse("lcspr:terms", args=[local_review.pk]),
        {"text": "Scope.", "document": pdf_upload(uploaded), "version": local_review.version},
    )
    assert response.status_code == 302
    download = client.get(reverse("lcspr:terms-document", args=[local_review.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{downloaded}"'


def test_the_final_report_downloads_under_the_cases_reference(client, local_review, people):
    """Named by the case, as the notification and the rapid review are
    ("BSCP-2026-001-rapid-review.pdf"), not "final-report.pdf" whatever the case."""
    from .conftest import publish, to_notice_sent

    publish(to_notice_sent(local_review, people["officer"]), people["officer"])
    sign_in(client, people["officer"])
    download = client.get(reverse("lcspr:report", args=[local_review.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="{local_review.reference}-final-report.pdf"'
    )


def test_the_rapid_review_links_to_its_local_review(client, review, people):
    from rapid_reviews import services as rr_services
    from tests.rapid_reviews.conftest import decide_and_sign

    officer = people["officer"]
    rapid = decide_and_sign(review, officer)
    rr_services.rapid_review_send_to_panel(rapid_review=rapid, actor=officer, sent_on=TODAY())
    sign_in(client, officer)
    html = client.get(reverse("rapid_reviews:detail", args=[rapid.pk])).content.decode()
    assert reverse("lcspr:detail", args=[rapid.local_review.pk]) in html


def test_the_briefing_page_says_how_long_it_is_and_names_its_files(client, local_review, people):
    sign_in(client, people["officer"])
    url = reverse("lcspr:briefing", args=[local_review.pk])
    long = {**BRIEFING, "background": "\n".join([BRIEFING["background"]] * 12)}
    assert client.post(url, long).status_code == 302
    html = client.get(url).content.decode()
    heading = html.index("<h1")
    assert html.index('id="page-warning"') > heading  # below the page's heading
    assert "Download the one-page briefing" not in html
    assert "Download the briefing as it is now (2 pages, PDF)" in html
    response = client.get(reverse("lcspr:briefing-file", args=[local_review.pk, "pdf"]))
    assert 'filename="are-you-listening-to-me-briefing.pdf"' in response["Content-Disposition"]


def test_a_reviewers_home_lists_the_reviews_assigned_to_them(client, local_review, people):
    from lcspr import services as lcspr_services

    home = reverse("safeguarding:home")
    sign_in(client, people["reviewer"])
    assert "No review is assigned to you at the moment." in client.get(home).content.decode()
    lcspr_services.review_set_reviewers(
        review=local_review, actor=people["officer"], reviewers=[people["reviewer"]]
    )
    html = client.get(home).content.decode()
    assert f'href="{local_review.get_absolute_url()}"' in html
    assert local_review.reference in html


def test_a_hold_does_not_hide_a_step_already_overdue(client, local_review, people):
    """Decided 60 days ago: the terms were due after a month and are not agreed. Put on
    hold now, that step shows as overdue before the hold, not merely paused."""
    import datetime as dt

    from django.utils import timezone

    from lcspr.models import HoldReason

    today = timezone.localdate()
    services.review_put_on_hold(
        review=local_review,
        actor=people["officer"],
        reason=HoldReason.INQUEST,
        note="",
        held_since=today - dt.timedelta(days=2),
        look_again_on=today + dt.timedelta(days=20),
    )
    sign_in(client, people["officer"])
    html = client.get(local_review.get_absolute_url()).content.decode()
    table = html.split('id="milestones"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr")
    terms = next(r for r in rows if "Terms of reference agreed" in r)
    assert "Overdue, then paused" in terms
    draft = next(r for r in rows if "Draft report" in r)
    assert "Paused" in draft and "Overdue" not in draft


def test_a_closed_review_is_listed_last_and_offers_no_changes(
    client, local_review, make_review, people
):
    from django.utils import timezone

    from .conftest import open_review

    running = open_review(make_review, people, decided_days_ago=10)
    services.review_close(
        review=local_review,
        actor=people["manager"],
        reason="The National Panel took a national review.",
        closed_on=timezone.localdate(),
    )
    sign_in(client, people["officer"])
    listing = client.get(reverse("lcspr:list")).content.decode()
    assert listing.index(running.reference) < listing.index(local_review.reference)
    page = client.get(local_review.get_absolute_url()).content.decode()
    assert "Closed without publication" in page
    assert "The National Panel took a national review." in page
    milestone = reverse("lcspr:milestone", args=[local_review.pk, "draft_report"])
    assert milestone not in page and reverse("lcspr:terms", args=[local_review.pk]) not in page
    assert client.get(milestone).status_code == 403
    # It no longer talks about publishing, and still leads back to its rapid review.
    assert "Publish by" not in page and "tell the National Panel and DfE why" not in page
    assert "It was due to be published by" in page
    assert local_review.rapid_review.get_absolute_url() in page


def test_a_signed_off_action_is_shown_as_it_is_without_a_form(
    client, local_review, people, agencies
):
    officer, manager = people["officer"], people["manager"]
    rec = services.recommendation_add(review=local_review, actor=officer, text="Listen.")
    due = TODAY() + dt.timedelta(days=30)
    action = services.action_add(
        recommendation=rec,
        actor=officer,
        description="Train staff",
        agency=agencies["health"],
        lead="Named nurse",
        due_date=due,
    )
    services.action_update(
        action=action,
        actor=officer,
        status="complete",
        due_date=due,
        evidence_of_impact="Audit shows the child’s words recorded.",
    )
    url = reverse("lcspr:action", args=[local_review.pk, action.pk])
    sign_in(client, officer)
    page = client.get(url).content.decode()
    assert "Save progress" in page
    # The action's date is its due date (the field's own word), not a milestone's plan.
    assert "History of the due date" in page and "The due date has not moved." in page
    assert "planned date" not in page
    action.refresh_from_db()
    services.action_sign_off(action=action, actor=manager)
    page = client.get(url).content.decode()
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Save progress" not in page and "<form" not in main
    assert "it can no longer change" in page
    assert "Audit shows the child’s words recorded." in page


def test_a_late_step_opened_too_early_says_what_to_do_first(client, local_review, people):
    sign_in(client, people["officer"])
    for name, first in [
        ("lcspr:approve", "Agree the terms of reference before the final report."),
        ("lcspr:notice", "Record that the partners approved the final report first."),
        ("lcspr:publish", "Record the notice to the Panel and DfE before publishing."),
    ]:
        html = client.get(reverse(name, args=[local_review.pk])).content.decode()
        assert first in html, name


def test_the_review_page_lists_what_publishing_needs(client, local_review, people):
    """Once the final report is approved, the page says what publishing needs and what
    is done, rather than the last form finding it out one error at a time."""
    from .conftest import to_notice_sent

    sign_in(client, people["officer"])
    page = reverse("lcspr:detail", args=[local_review.pk])
    assert 'id="before-publishing"' not in client.get(page).content.decode()
    review = to_notice_sent(local_review, people["officer"], notice_days_ago=1)
    html = client.get(page).content.decode()
    section = html.split('id="before-publishing"', 1)[1].split("</ul>", 1)[0]
    assert f"Sent to the National Panel and DfE on {review.notice_sent_on:%-d %B %Y}" in section
    assert "Write the one-page learning briefing" in section
    assert section.count("To do") == 3  # the 7 working days, the briefing, the form
    services.briefing_save(review=review, actor=people["officer"], values=BRIEFING)
    section = client.get(page).content.decode().split('id="before-publishing"', 1)[1]
    assert "The learning briefing fits one page" in section.split("</ul>", 1)[0]


def test_a_national_review_is_flagged_on_the_local_review_with_the_way_to_close_it(
    client, local_review, people
):
    from rapid_reviews.models import RapidReview

    url = local_review.get_absolute_url()
    sign_in(client, people["manager"])
    assert 'id="national-review"' not in client.get(url).content.decode()
    RapidReview.objects.filter(pk=local_review.rapid_review_id).update(
        panel_response="national_review", panel_response_on=TODAY()
    )
    page = client.get(url).content.decode()
    banner = page.split('id="national-review"', 1)[1].split("</div>\n</div>", 1)[0]
    close = reverse("lcspr:close", args=[local_review.pk])
    assert "takes a national review of this case" in banner and close in banner
    form = client.get(close).content.decode()
    assert "The National Panel took a national review of the case." in form
    # An officer is told who can close it; once closed, the banner goes.
    client.logout()
    sign_in(client, people["officer"])
    page = client.get(url).content.decode()
    assert "A partnership manager can close it without publication." in page
    services.review_close(
        review=local_review,
        actor=people["manager"],
        reason="The National Panel took a national review.",
        closed_on=TODAY(),
    )
    assert 'id="national-review"' not in client.get(url).content.decode()


def test_the_date_to_look_again_at_a_hold_is_changed_from_the_review_page(
    client, local_review, people
):
    from lcspr.models import HoldReason

    officer = people["officer"]
    review = services.review_put_on_hold(
        review=local_review,
        actor=officer,
        reason=HoldReason.INQUEST,
        note="",
        held_since=days_ago(3),
        look_again_on=TODAY() + dt.timedelta(days=5),
    )
    sign_in(client, officer)
    url = reverse("lcspr:hold-change", args=[review.pk])
    assert url in client.get(review.get_absolute_url()).content.decode()
    later = TODAY() + dt.timedelta(days=40)
    response = client.post(
        url,
        {
            **date_fields("look_again_on", later),
            "note": "Adjourned to the spring.",
            "reason": "The inquest was adjourned.",
            "version": review.version,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "The hold is updated." in page and f"Look again on {later:%-d %B %Y}" in page
    # The History shows the change beside the hold's status move; the detail (it may
    # name people in the proceedings) is on the page above, not in the History line.
    # Newest first.
    lines = _history_lines(page)
    assert "→ On hold" in lines[1]
    assert (
        f"{officer.full_name}: The date to look again at the hold: "
        f"{TODAY() + dt.timedelta(days=5):%-d %B %Y} → {later:%-d %B %Y}; "
        "the hold’s detail: changed"
    ) in lines[0]
    assert "Adjourned" not in lines[0]


def _history_lines(page: str) -> list[str]:
    import re

    history = page.split(">History</h2>", 1)[1].split("</ol>", 1)[0]
    return [" ".join(line.split()) for line in re.findall(r"<li>(.*?)</li>", history, re.S)]


def test_only_a_manager_is_offered_the_correction_of_the_decision_date(
    client, local_review, people
):
    url = reverse("lcspr:decision-date", args=[local_review.pk])
    sign_in(client, people["officer"])
    assert url not in client.get(local_review.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 403
    client.logout()
    sign_in(client, people["manager"])
    assert url in client.get(local_review.get_absolute_url()).content.decode()
    right = days_ago(61)
    response = client.post(
        url,
        {**date_fields("decided_on", right), "reason": "Typo.", "version": local_review.version},
        follow=True,
    )
    assert "The decision date and the dates counted from it are corrected." in (
        response.content.decode()
    )
    local_review.refresh_from_db()
    assert local_review.decision_date == right
    target, before = local_review.target_publication, days_ago(60) + relativedelta(months=6)
    assert (
        f"The date of the decision: {days_ago(60):%-d %B %Y} → {right:%-d %B %Y}; "
        f"the statutory publication date: {before:%-d %B %Y} → {target:%-d %B %Y}"
    ) in _history_lines(response.content.decode())[0]  # newest first


def _summary(html: str) -> str:
    return html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]


def test_a_hold_saved_after_a_colleagues_hold_says_what_to_do_and_saves_nothing(
    client, local_review, people
):
    """The page was opened, then a colleague put the review on hold: saving the form
    does not end on "resume it first" (a dead end) nor on "save again to replace the
    other change" (a hold cannot be saved over a hold), but says the review is on hold
    already, since when and why, in the error summary, linking to changing the hold."""
    from lcspr.models import HoldReason, StatusChange
    from safeguarding.models import AuditEvent, Deadline

    officer = people["officer"]
    url = reverse("lcspr:hold", args=[local_review.pk])
    sign_in(client, officer)
    opened = client.get(url)
    assert 'name="reason"' in opened.content.decode()
    opened_at = local_review.version
    held = services.review_put_on_hold(
        review=local_review,
        actor=people["manager"],
        reason=HoldReason.CRIMINAL_PROCEEDINGS,
        note="Trial listed.",
        held_since=days_ago(2),
        look_again_on=TODAY() + dt.timedelta(days=30),
    )
    moves, events = StatusChange.objects.count(), AuditEvent.objects.count()
    clocks = {(d.key, d.due_date, d.outcome) for d in Deadline.objects.for_subject(held)}
    response = client.post(
        url,
        {
            "reason": HoldReason.INQUEST,
            "note": "Inquest opened.",
            **date_fields("held_since", TODAY()),
            **date_fields("look_again_on", TODAY() + dt.timedelta(days=10)),
            "version": str(opened_at),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    summary = _summary(html)
    assert (
        f"The review is already on hold (since {days_ago(2):%-d %B %Y}; reason: Criminal "
        "proceedings), so this hold was not saved." in summary
    )
    assert "resume it first" not in html and "changed after you opened" not in html
    assert "save again" not in html.lower()
    # The summary's link goes to "Change the hold", beside resuming and the review.
    assert 'href="#change-hold"' in summary
    change = reverse("lcspr:hold-change", args=[held.pk])
    assert f'id="change-hold" href="{change}"' in html
    assert reverse("lcspr:resume", args=[held.pk]) in html
    assert 'name="reason"' not in html  # no form to fill in for nothing
    # Nothing saved: the colleague's hold stands as it was.
    review = Review.objects.get(pk=held.pk)
    assert (review.hold_reason, review.held_since, review.hold_note, review.version) == (
        HoldReason.CRIMINAL_PROCEEDINGS,
        days_ago(2),
        "Trial listed.",
        held.version,
    )
    assert (StatusChange.objects.count(), AuditEvent.objects.count()) == (moves, events)
    assert {(d.key, d.due_date, d.outcome) for d in Deadline.objects.for_subject(review)} == (
        clocks
    )
    # Sent empty, or opened anew: the same, and no error of the form's questions.
    empty = client.post(url, {}).content.decode()
    assert "The review is already on hold" in _summary(empty)
    assert "Select why" not in empty
    page = client.get(url).content.decode()
    assert "govuk-error-summary" not in page and 'name="reason"' not in page
    assert "This review is already on hold since" in page and change in page


def test_the_service_refuses_a_second_hold_before_the_version(local_review, people):
    """Called with the version the page was opened at, the service says the review is on
    hold already rather than that it changed since (a hold cannot be saved over one)."""
    from lcspr.models import HoldReason

    opened_at = local_review.version
    held = services.review_put_on_hold(
        review=local_review,
        actor=people["manager"],
        reason=HoldReason.INQUEST,
        note="",
        held_since=days_ago(1),
        look_again_on=TODAY() + dt.timedelta(days=9),
    )
    with pytest.raises(services.TransitionError) as refused:
        services.review_put_on_hold(
            review=held,
            actor=people["officer"],
            reason=HoldReason.FAMILY,
            note="",
            held_since=TODAY(),
            look_again_on=TODAY() + dt.timedelta(days=5),
            expected_version=opened_at,
        )
    assert str(refused.value) == (
        f"The review is already on hold (since {days_ago(1):%-d %B %Y}; reason: Inquest), so "
        "this hold was not saved. To change the date to look again or the detail, change the "
        "hold; to end the hold, resume the review."
    )


@pytest.mark.parametrize(
    "step, said",
    [
        ("hold", "Only a review not yet published can be put on hold."),
        ("close", "Only a review not yet published can be closed without publication."),
    ],
)
def test_a_published_reviews_hold_and_close_pages_say_so_before_the_form(
    client, local_review, people, step, said
):
    """Opened by an old link or the back button, the page says at once that the step is
    ruled out, rather than after the form is filled in and sent."""
    from .conftest import publish, to_notice_sent

    review = publish(to_notice_sent(local_review, people["manager"]), people["manager"])
    sign_in(client, people["manager"])
    html = client.get(reverse(f"lcspr:{step}", args=[review.pk])).content.decode()
    assert f"{review.reference} is ‘Published’. {said}" in html


@pytest.mark.parametrize("step", ["hold", "close"])
def test_a_running_reviews_hold_and_close_pages_warn_of_nothing(client, local_review, people, step):
    sign_in(client, people["manager"])
    html = client.get(reverse(f"lcspr:{step}", args=[local_review.pk])).content.decode()
    assert "Only a review not yet published" not in html


def test_a_met_milestone_says_in_words_whether_it_was_on_time(client, local_review, people):
    """WCAG 1.4.1: the "Actual" column's tag colour is not the only sign that a step was
    late; it says so, as the subject access export and the reports word a met clock."""
    terms = selectors.milestones_of(local_review)[0].deadline
    assert terms.key == "terms_agreed" and terms.due_date < TODAY()
    for key, actual in (("terms_agreed", TODAY()), ("agency_reports", days_ago(59))):
        row = next(m for m in selectors.milestones_of(local_review) if m.key == key)
        services.milestone_update(
            review=local_review,
            actor=people["officer"],
            key=key,
            planned=row.planned,
            actual=actual,
        )
    sign_in(client, people["officer"])
    html = client.get(local_review.get_absolute_url()).content.decode()
    table = html.split('id="milestones"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr")
    late = next(r for r in rows if "Terms of reference agreed" in r)
    assert "working days late" in late and "Met, " in late
    on_time = next(r for r in rows if "Agency reports in" in r)
    assert "Met on time" in on_time


def test_an_approved_final_report_is_said_once_with_its_date_not_again_below(
    client, local_review, people
):
    """The status tag says the final report is approved; "Before you can publish" says
    when, and the milestones table says whether on time. "Before and at publication" no
    longer repeats it as a row of its own (a walk of the page read it twice)."""
    manager = people["manager"]
    review = services.review_save_terms(
        review=local_review, actor=manager, text="Terms.", agreed_on=days_ago(50)
    )
    review = services.review_approve_final(review=review, actor=manager, approved_on=days_ago(3))
    sign_in(client, manager)
    page = client.get(review.get_absolute_url()).content.decode()
    steps = page.partition('id="before-publishing"')[2].partition("</ul>")[0]
    assert f"The partners approved the final report on {days_ago(3):%-d %B %Y}" in steps
    publication = page.partition('id="publication"')[2].partition("</dl>")[0]
    assert "Final report approved" not in publication
    assert "Sent to the Panel and DfE" in publication
    milestones = page.partition('id="milestones"')[2].partition("</table>")[0]
    from safeguarding.dates import short_date

    assert "Final report approved" in milestones and short_date(days_ago(3)) in milestones


def test_a_published_review_shows_when_it_was_published_not_the_plan(client, local_review, people):
    """The planned publication date stayed beside "Published" once published (a walk saw
    "Planned publication 25 December 2026" on a review published on the 8th): the plan
    is shown until the review is published, then only what happened."""
    from .conftest import publish, to_notice_sent

    officer = people["officer"]
    review = to_notice_sent(local_review, officer)
    sign_in(client, officer)
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Planned publication" in page
    publish(review, officer)
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Planned publication" not in page
    assert f"published on {TODAY():%-d %B %Y}" in page
