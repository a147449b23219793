"""What was (or will be) sent to the National Panel, laid out as the DfE form asks for it.

`national_form_sections` feeds both the "Ready to send" page and the PDF kept on the
incident once the notification is recorded (`notification_pdf`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from safeguarding.dates import date_and_time

from .models import Child, ChildStatus, Incident

NOT_RECORDED = gettext_noop("Not recorded")
#: What a blank answer of the incident means (as its page and the export say it).
BLANK = Incident.BLANK_MEANS
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]


# --- formatting -----------------------------------------------------------------------


def format_date(value: dt.date | None) -> str:
    """GOV.UK style: "31 December 2026"."""
    return date_format(value, "j F Y") if value else ""


def format_datetime(value: dt.datetime | None) -> str:
    """GOV.UK style in UK time: "3 December 2026, 10:42am" (midday and midnight by name)."""
    return date_and_time(value) if value is not None else ""


def _row(label: str, value, blank: str = NOT_RECORDED) -> Row:
    """A row; an empty answer says what it means (as the incident page does)."""
    text = str(value).strip() if value is not None else ""
    return Row(label, text or _(blank))


def _join(values) -> str:
    return ", ".join(str(v) for v in values)


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _years(n: int) -> str:
    return ngettext("%(n)s year", "%(n)s years", n) % {"n": n}


def _age_at(born: dt.date, on: dt.date) -> str:
    age = relativedelta(on, born)
    if age.years >= 1:
        return _years(age.years)
    if age.months >= 1:
        return ngettext("%(n)s month", "%(n)s months", age.months) % {"n": age.months}
    days = max(age.days, 0)
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


def _child_age(child: Child, incident: Incident) -> str:
    """Date of birth with the age at the incident, or the age alone, or "Unborn"."""
    if child.unborn:
        return _("Unborn")
    if child.date_of_birth:
        on = incident.incident_date or incident.awareness_date
        return f"{format_date(child.date_of_birth)} ({_age_at(child.date_of_birth, on)})"
    if child.age_years is not None:
        return _years(child.age_years)
    return ""


def _placement(child: Child) -> str:
    if child.placement_type or child.status_at_time == ChildStatus.LOOKED_AFTER:
        return child.placement_type
    return _("Not applicable")


# --- loading --------------------------------------------------------------------------


def _load(incident: Incident) -> list[Child]:
    """Fetch what is not already cached: parents in one query, children and agencies in two."""
    missing = [
        name
        for name in ("partnership", "sent_by")
        if getattr(incident, f"{name}_id") is not None
        and not Incident._meta.get_field(name).is_cached(incident)
    ]
    if len(missing) > 1:
        row = Incident.objects.select_related(*missing).only("pk", *missing).get(pk=incident.pk)
        for name in missing:
            Incident._meta.get_field(name).set_cached_value(incident, getattr(row, name))
    # Skips whatever the caller already prefetched (for example `incident_get_for`).
    prefetch_related_objects([incident], "children__known_to")
    return list(incident.children.all())


# --- the form -------------------------------------------------------------------------


def national_form_sections(incident: Incident) -> list[Section]:
    """Everything recorded about the incident, in the order of the DfE notification form."""
    children = _load(incident)
    partnership = incident.partnership
    sections = [
        Section(
            _("Local authority and notifier"),
            [
                _row(_("Local authority"), partnership.local_authority),
                _row(_("Safeguarding partnership"), partnership.name),
                _row(_("Partnership reference"), incident.reference),
                _row(_("Name of the person notifying"), incident.notifier_name),
                _row(_("Role of the person notifying"), incident.notifier_role),
                _row(_("Contact details"), incident.notifier_contact),
            ],
        ),
        Section(
            _("The incident"),
            [
                _row(_("Date of the incident"), format_date(incident.incident_date)),
                _row(_("Where the incident happened"), incident.incident_place),
                _row(
                    _("Date the local authority became aware"),
                    format_date(incident.awareness_date),
                ),
                _row(_("Nature of the incident"), incident.get_nature_display()),
                _row(
                    _("Category of harm"),
                    _join(incident.get_harm_categories_display()),
                    BLANK["harm_categories"],
                ),
                _row(_("Summary of circumstances"), incident.circumstances),
                _row(
                    _("Local authority where the child lived, if another"),
                    incident.other_local_authority,
                    BLANK["other_local_authority"],
                ),
                _row(
                    _("Parallel processes"),
                    _join(incident.get_parallel_processes_display()),
                    BLANK["parallel_processes"],
                ),
                _row(
                    _("Other children in the household"),
                    incident.other_children_in_household,
                    BLANK["other_children_in_household"],
                ),
            ],
        ),
    ]
    for number, child in enumerate(children, start=1):
        title = _("Child %(number)s of %(count)s: %(pseudonym)s") % {
            "number": number,
            "count": len(children),
            "pseudonym": child.pseudonym,
        }
        sections.append(
            Section(
                title,
                [
                    _row(_("Name"), child.name),
                    _row(_("Other names"), child.other_names),
                    _row(_("Date of birth or age"), _child_age(child, incident)),
                    _row(_("Sex"), child.get_sex_display()),
                    _row(_("Ethnicity"), child.get_ethnicity_display()),
                    _row(_("Disability"), child.disability),
                    _row(_("Health"), child.health),
                    _row(
                        _("Status at the time of the incident"), child.get_status_at_time_display()
                    ),
                    _row(_("Placement type"), _placement(child)),
                    _row(_("Known to agencies"), _join(a.name for a in child.known_to.all())),
                ],
            )
        )
    if incident.notified_at:
        rows = [
            _row(_("Sent at"), format_datetime(incident.notified_at)),
            _row(_("DfE reference"), incident.dfe_reference),
            _row(_("Sent by"), incident.sent_by.full_name if incident.sent_by else ""),
            _row(_("Ofsted copied"), _yes_no(incident.ofsted_copied)),
            _row(_("Other partnerships told"), incident.other_partnerships_told),
        ]
        if incident.late_reason:
            rows.append(_row(_("Reason the notification was late"), incident.late_reason))
        sections.append(Section(_("Notification"), rows))
    return sections


# --- the PDF --------------------------------------------------------------------------


@dataclass(frozen=True)
class SentCopy:
    """What the case holds of a recorded notification: the corrections made to it since
    (audit events, oldest first, each with `corrected` in words), and whether its stored
    PDF is the copy of what was sent (kept since it was recorded, or never corrected)."""

    corrections: list
    as_sent: bool

    @property
    def corrected_on(self) -> dt.date | None:
        return timezone.localdate(self.corrections[-1].occurred_at) if self.corrections else None

    @property
    def corrections_in_words(self) -> str:
        """ "the date the local authority became aware (corrected on 7 December 2026)",
        each joined: what was corrected first, so the day of the correction is not read as
        the corrected date."""
        return "; ".join(
            f"{' and '.join(event.corrected)} "
            f"(corrected on {format_date(timezone.localdate(event.occurred_at))})"
            for event in self.corrections
        )


def sent_copy(incident: Incident) -> SentCopy | None:
    """The notification's `SentCopy`, or None before it is recorded (one query)."""
    from .selectors import notification_corrections

    if incident.notified_at is None:
        return None
    corrections = notification_corrections(incident)
    return SentCopy(
        corrections=corrections,
        as_sent=bool(incident.notification_pdf)
        and (incident.notification_pdf_as_sent or not corrections),
    )


def notification_pdf(incident: Incident, *, corrected_on: dt.date | None = None) -> bytes:
    """A tagged (PDF/UA-1) A4 record of the notification, marked OFFICIAL-SENSITIVE: the
    copy of what was sent (made when it is recorded), or with `corrected_on` the
    notification as corrected that day, saying it is not what was sent."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    sections = national_form_sections(incident)
    html = render_to_string(
        "notifications/notification_pdf.html",
        {
            "incident": incident,
            "partnership": incident.partnership,
            "sections": sections,
            "generated_at": format_datetime(timezone.now()),
            "not_recorded": _(NOT_RECORDED),
            "corrected_on": format_date(corrected_on),
        },
    )
    # Everything is inline: refuse the network outright, allow only local files.
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1")
