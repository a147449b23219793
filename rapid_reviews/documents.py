"""The rapid review report, set out as the National Panel expects: case details, agency
involvement, key practice episodes, immediate actions, learning, the decision and its
rationale, and the partners' sign-offs. The same sections feed the draft report page
(assembled from the agencies' returns until the panel's findings are recorded) and the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.documents import format_date, format_datetime

from .models import AgencyReturn, ChronologyEntry, Partner, RapidReview, RequestStatus
from .selectors import merged_chronology, submitted_returns

NOT_RECORDED = "Not recorded"
#: An agency asked whose request closed unanswered when the review went to the Panel.
NO_RETURN_CLOSED = "No return: the request closed when the review went to the National Panel."


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    chronology: list[ChronologyEntry] | None = None


def _value(text) -> str:
    text = str(text).strip() if text is not None else ""
    return text or _(NOT_RECORDED)


def _from_returns(returns: list[AgencyReturn], name: str) -> list[tuple[str, str]]:
    return [
        (r.information_request.agency.name, getattr(r, name).strip())
        for r in returns
        if getattr(r, name).strip()
    ]


def _involvement(review: RapidReview, returns: list[AgencyReturn]) -> list[tuple[str, str]]:
    """Each agency asked, by name: what its return said, or that none came (the Panel sees
    who was asked, not only who answered). The review's requests are prefetched on the
    pages that show the report, so this adds no query."""
    said = {
        r.information_request_id: (
            (_("Involved. ") + r.involvement_summary) if r.involved else _("Not involved.")
        )
        for r in returns
    }
    rows = []
    for info in sorted(review.requests.all(), key=lambda r: (r.agency.name, r.pk)):
        if info.pk in said:
            rows.append((info.agency.name, said[info.pk]))
        elif info.status == RequestStatus.NOT_NEEDED:
            rows.append((info.agency.name, _(NO_RETURN_CLOSED)))
        elif info.is_awaiting_return:
            rows.append(
                (
                    info.agency.name,
                    _("No return yet: due %(date)s.") % {"date": format_date(info.due_date)},
                )
            )
    return rows


def _child_line(child) -> str:
    """ "7 years, female; White: Irish": the sex in lower case mid-line, the ethnic group
    (itself a list with commas) after a semicolon."""
    first = ", ".join(
        filter(None, [str(child.age_description or ""), child.get_sex_display().lower()])
    )
    return "; ".join(filter(None, [first, str(child.get_ethnicity_display() or "")]))


def _sent_rows(review: RapidReview) -> list[tuple[str, str]]:
    """The day it went to the National Panel, once it has: the first send (its clock
    stopped then), and a later one with more information the Panel asked for."""
    if not review.sent_to_panel_on:
        return []
    from safeguarding.deadlines import Kind, get_deadline

    clock = get_deadline(review, Kind.RAPID_REVIEW)
    first = (clock.closed_on if clock is not None else None) or review.sent_to_panel_on
    sent = format_date(first)
    if review.sent_to_panel_on != first:
        sent += _("; sent again, with more information, on %(date)s") % {
            "date": format_date(review.sent_to_panel_on)
        }
    return [(_("Sent to the National Panel"), sent)]


def report_sections(review: RapidReview) -> list[Section]:
    incident = review.incident
    returns = submitted_returns(review)
    children = list(incident.children.all())
    case = Section(
        _("Case details"),
        [
            (_("Partnership reference"), incident.reference),
            (_("Safeguarding partnership"), incident.partnership.name),
            (_("Local authority"), incident.partnership.local_authority),
            (_("Date of the incident"), format_date(incident.incident_date)),
            (_("Nature of the incident"), incident.get_nature_display()),
            (
                _("Category of harm"),
                ", ".join(str(c) for c in incident.get_harm_categories_display()),
            ),
            (_("Notified to the National Panel"), format_date(incident.notified_on)),
            (_("Rapid review due"), format_date(review.due_date)),
        ]
        + _sent_rows(review)
        + [(child.pseudonym, _child_line(child)) for child in children],
    )
    involvement = Section(
        _("Agency involvement"),
        _involvement(review, returns),
        chronology=merged_chronology(review, returns),
    )
    episodes = Section(
        _("Key practice episodes"),
        [(_("Key practice episodes"), review.key_practice_episodes)]
        if review.key_practice_episodes
        else _from_returns(returns, "analysis"),
    )
    actions = Section(
        _("Immediate actions"),
        (
            [(_("Agreed at the panel meeting"), review.immediate_actions)]
            if review.immediate_actions
            else []
        )
        + _from_returns(returns, "immediate_actions"),
    )
    learning = Section(
        _("Learning"),
        [
            row
            for row in [
                (_("Learning for the partnership"), review.learning_local),
                (_("Learning for the National Panel"), review.learning_national),
                (
                    _("Race, ethnicity, culture, inequality and disability"),
                    review.equality_and_diversity,
                ),
            ]
            if row[1]
        ]
        + _from_returns(returns, "learning"),
    )
    decision = Section(
        _("The decision and rationale"),
        [
            (
                _("Panel meeting"),
                f"{format_date(review.meeting_date)}. {review.attendees}".strip(". ")
                if review.meeting_date
                else "",
            ),
            (_("Decision"), review.get_decision_display()),
            (
                _("Criteria for a local review met"),
                "; ".join(str(c) for c in review.get_criteria_display())
                or (_("None") if review.decision else ""),
            ),
            (_("Rationale"), review.decision_rationale),
            (_("Date of the decision"), format_date(review.decided_on)),
        ],
    )
    signed = {s.partner: s for s in review.sign_offs.all()}
    sign_offs = Section(
        _("Sign-offs"),
        [
            (
                str(label),
                f"{signed[p].name}{', ' + signed[p].role if signed[p].role else ''}, "
                f"{format_date(signed[p].signed_on)}"
                if p in signed
                else "",
            )
            for p, label in Partner.choices
        ],
    )
    sections = [case, involvement, episodes, actions, learning, decision, sign_offs]
    for section in sections:
        section.rows = [(label, _value(value)) for label, value in section.rows]
    return sections


def rapid_review_pdf(review: RapidReview) -> bytes:
    """A tagged (PDF/UA-1) A4 rapid review report, marked OFFICIAL-SENSITIVE."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        "rapid_reviews/report_pdf.html",
        {
            "review": review,
            "incident": review.incident,
            "partnership": review.incident.partnership,
            "sections": report_sections(review),
            "generated_at": format_datetime(timezone.now()),
            "not_recorded": _(NOT_RECORDED),
        },
    )
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1")
