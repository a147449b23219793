"""When a case closes, and what keeps it open: the records-retention report and the
deletion at the end of retention (ADR 0014)."""

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from safeguarding import permissions
from safeguarding.models import User

from ..models import Incident

# --- retention ------------------------------------------------------------------------
#
# A case closes when the last of its stages ends: the decision not to notify (or a
# notification with no rapid review); the rapid review sent to the National Panel, or the
# Panel's reply, when no local review follows; the local review published or closed
# without publication; the last action of its action plan signed off. While any stage or
# clock is still open the case is live, and its retention period has not started.

#: The records of a case whose clocks (`Deadline.subject_type`) keep it open.
CASE_CLOCK_SUBJECTS = (
    "notifications.incident",
    "rapid_reviews.rapidreview",
    "rapid_reviews.informationrequest",
    "lcspr.review",
    "lcspr.action",
)


def _case_models():
    from django.apps import apps

    return (
        apps.get_model("rapid_reviews", "RapidReview"),
        apps.get_model("rapid_reviews", "InformationRequest"),
        apps.get_model("lcspr", "Review"),
        apps.get_model("lcspr", "Action"),
    )


def _open_clocks():
    """Clocks still running, or paused while a local review is on hold."""
    from safeguarding.models import Deadline

    return Deadline.objects.filter(Q(closed_on__isnull=True) | Q(outcome=Deadline.Outcome.PAUSED))


def _incidents_with_open_clocks() -> Q:
    """The ids of the incidents any of whose records has an open clock: one subquery per
    kind of record, none correlated, so PostgreSQL reads the (few) open clocks once."""
    rapid_review, information_request, review, action = _case_models()
    clocks = _open_clocks()

    def of(label):
        return clocks.filter(subject_type=label).values("subject_id")

    return (
        Q(pk__in=of("notifications.incident"))
        | Q(
            pk__in=rapid_review.objects.filter(pk__in=of("rapid_reviews.rapidreview")).values(
                "incident_id"
            )
        )
        | Q(
            pk__in=information_request.objects.filter(
                pk__in=of("rapid_reviews.informationrequest")
            ).values("rapid_review__incident_id")
        )
        | Q(
            pk__in=review.objects.filter(pk__in=of("lcspr.review")).values(
                "rapid_review__incident_id"
            )
        )
        | Q(
            pk__in=action.objects.filter(pk__in=of("lcspr.action")).values(
                "recommendation__review__rapid_review__incident_id"
            )
        )
    )


def _actions_not_signed_off():
    """Actions still to be signed off: those of a review closed without publication can
    no longer be (their clocks stopped with it), so they keep nothing open."""
    from lcspr.models import ActionStatus
    from lcspr.models import Status as ReviewStatus

    _, _, _, action = _case_models()
    return action.objects.exclude(status=ActionStatus.SIGNED_OFF).exclude(
        recommendation__review__status=ReviewStatus.CLOSED
    )


def _stages_finished() -> Q:
    """The incident's stages have all ended (its clocks and actions are checked apart)."""
    from lcspr.models import FINISHED
    from rapid_reviews.models import Decision, PanelResponse
    from rapid_reviews.models import Status as RapidStatus

    from ..models import Status

    rapid_review_done = (
        Q(rapid_review__status__in=[RapidStatus.SENT_TO_PANEL, RapidStatus.PANEL_RESPONDED])
        & ~Q(rapid_review__panel_response=PanelResponse.MORE_INFORMATION)
        & ~Q(rapid_review__decision=Decision.LOCAL_REVIEW)
        & Q(rapid_review__local_review_decided_on__isnull=True)
    )
    return Q(status__in=[Status.NOT_NOTIFIED, Status.RECORDED]) | Q(status=Status.NOTIFIED) & (
        Q(rapid_review__local_review__status__in=FINISHED)
        | Q(rapid_review__local_review__isnull=True) & rapid_review_done
    )


def _case_closed_on():
    """The day the case closed: the latest of its stages' end events (PostgreSQL's
    GREATEST skips NULLs, SQLite's does not: each is read as the decision when missing)."""
    from django.db.models import DateField, OuterRef, Subquery
    from django.db.models.functions import Coalesce, Greatest

    _, _, _, action = _case_models()
    decided = Coalesce("notified_on", "decided_on", output_field=DateField())
    last_sign_off = Subquery(
        action.objects.filter(
            recommendation__review__rapid_review__incident=OuterRef("pk"),
            signed_off_on__isnull=False,
        )
        .order_by("-signed_off_on")
        .values("signed_off_on")[:1],
        output_field=DateField(),
    )
    ends = (
        F("rapid_review__sent_to_panel_on"),
        F("rapid_review__panel_response_on"),
        F("rapid_review__local_review__published_on"),
        F("rapid_review__local_review__closed_on"),
        last_sign_off,
    )
    return Greatest(decided, *(Coalesce(end, decided, output_field=DateField()) for end in ends))


def incidents_closed(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """The closed cases of `queryset`, each with `case_closed_on`: every stage ended, no
    clock running or paused, every action signed off. One query, however many cases."""
    return (
        queryset.filter(_stages_finished())
        .exclude(_incidents_with_open_clocks())
        .exclude(
            pk__in=_actions_not_signed_off().values(
                "recommendation__review__rapid_review__incident_id"
            )
        )
        .annotate(case_closed_on=_case_closed_on())
    )


def incidents_past_retention(user: User, *, today, years: int) -> QuerySet[Incident]:
    """Closed cases that closed more than `years` ago (see `incidents_closed`), of the
    partnerships where the user is a manager (the report is theirs: an officer there
    sees none)."""
    from dateutil.relativedelta import relativedelta

    from safeguarding.models import Role

    cutoff = today - relativedelta(years=years)
    managed = permissions.scope(Incident.objects.all(), user, roles={Role.PARTNERSHIP_MANAGER})
    return (
        incidents_closed(managed.select_related("partnership"))
        .filter(case_closed_on__lt=cutoff)
        .order_by("case_closed_on", "reference")
    )


def _with_open_hold(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """Each case with its open decision to keep it (at most one: a database constraint),
    as `hold_*` columns of the same query (None without one): no query per row."""
    return incidents.alias(
        open_hold=FilteredRelation(
            "retention_holds", condition=Q(retention_holds__ended_at__isnull=True)
        )
    ).annotate(
        hold_id=F("open_hold__id"),
        hold_reason=F("open_hold__reason"),
        hold_review_on=F("open_hold__review_on"),
        hold_decided_at=F("open_hold__decided_at"),
        hold_decided_by=F("open_hold__decided_by__full_name"),
    )


def retention_due(past: QuerySet[Incident], *, today) -> QuerySet[Incident]:
    """Of the cases past retention (`incidents_past_retention`), those due for a
    decision: never kept, or kept until a date to look again that has come (that earlier
    decision in the `hold_*` columns)."""
    return _with_open_hold(past).filter(
        Q(open_hold__isnull=True) | Q(open_hold__review_on__lte=today)
    )


def retention_kept(past: QuerySet[Incident], *, today) -> QuerySet[Incident]:
    """Of the cases past retention, those the partnership decided to keep and the date to
    look at them again has not come: the decision in the `hold_*` columns, soonest first."""
    return (
        _with_open_hold(past)
        .filter(open_hold__review_on__gt=today)
        .order_by("hold_review_on", "case_closed_on", "reference")
    )


def case_closed_on(incident: Incident):
    """The day the case closed (`incidents_closed`), or None while it is still open."""
    return (
        incidents_closed(Incident.objects.filter(pk=incident.pk))
        .values_list("case_closed_on", flat=True)
        .first()
    )


def _open_clocks_of(incident: Incident):
    rapid_review, information_request, review, action = _case_models()
    return _open_clocks().filter(
        Q(subject_type="notifications.incident", subject_id=incident.pk)
        | Q(
            subject_type="rapid_reviews.rapidreview",
            subject_id__in=rapid_review.objects.filter(incident=incident).values("pk"),
        )
        | Q(
            subject_type="rapid_reviews.informationrequest",
            subject_id__in=information_request.objects.filter(
                rapid_review__incident=incident
            ).values("pk"),
        )
        | Q(
            subject_type="lcspr.review",
            subject_id__in=review.objects.filter(rapid_review__incident=incident).values("pk"),
        )
        | Q(
            subject_type="lcspr.action",
            subject_id__in=action.objects.filter(
                recommendation__review__rapid_review__incident=incident
            ).values("pk"),
        )
    )


def case_still_open(incident: Incident) -> list[str]:
    """What keeps the case open, in words ("its local review BSCP-2025-001 is ‘On
    hold’"); empty when it is closed. Says in words what `incidents_closed` checks."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from lcspr.models import FINISHED
    from rapid_reviews.models import Decision, PanelResponse
    from rapid_reviews.models import Status as RapidStatus
    from safeguarding.models import Deadline

    from ..models import Status

    reference = incident.reference
    found: list[str] = []
    rapid = getattr(incident, "rapid_review", None)
    review = getattr(rapid, "local_review", None) if rapid is not None else None
    if incident.status == Status.ENTERED_IN_ERROR:
        found.append(_("it was entered in error, so it never became a case"))
    elif incident.status not in (Status.NOT_NOTIFIED, Status.RECORDED, Status.NOTIFIED):
        found.append(
            _("it is ‘%(status)s’: the decision on notifying the National Panel is not made")
            % {"status": incident.get_status_display()}
        )
    elif incident.status == Status.NOTIFIED:
        if review is not None:
            if review.status not in FINISHED:
                found.append(
                    _("its local review %(reference)s is ‘%(status)s’")
                    % {"reference": reference, "status": review.get_status_display()}
                )
        elif rapid is None:
            found.append(_("its rapid review is not open"))
        elif rapid.status not in (RapidStatus.SENT_TO_PANEL, RapidStatus.PANEL_RESPONDED):
            found.append(
                _("its rapid review is ‘%(status)s’: it has not been sent to the National Panel")
                % {"status": rapid.get_status_display()}
            )
        elif rapid.panel_response == PanelResponse.MORE_INFORMATION:
            found.append(_("the National Panel asked for more information about its rapid review"))
        elif rapid.decision == Decision.LOCAL_REVIEW or rapid.local_review_decided_on:
            found.append(_("a local review was decided on, and it is not open yet"))
    unsigned = _actions_not_signed_off().filter(
        recommendation__review__rapid_review__incident=incident
    )
    count = unsigned.count()
    if count:
        found.append(
            ngettext(
                "its local review %(reference)s’s action plan has %(count)d action not signed off",
                "its local review %(reference)s’s action plan has %(count)d actions not signed off",
                count,
            )
            % {"reference": reference, "count": count}
        )
    clocks = _open_clocks_of(incident)
    if count:  # their clocks stop when they are signed off: said once, above
        clocks = clocks.exclude(subject_type="lcspr.action", subject_id__in=unsigned.values("pk"))
    clocks = list(clocks.order_by("due_date", "pk"))
    paused = [c for c in clocks if c.outcome == Deadline.Outcome.PAUSED]
    running = [c for c in clocks if c.outcome != Deadline.Outcome.PAUSED]
    if running:
        found.append(
            ngettext(
                "its clock %(clocks)s is still running",
                "its clocks %(clocks)s are still running",
                len(running),
            )
            % {"clocks": _titles(running)}
        )
    if paused:
        found.append(
            ngettext(
                "its clock %(clocks)s is paused while the local review is on hold",
                "its clocks %(clocks)s are paused while the local review is on hold",
                len(paused),
            )
            % {"clocks": _titles(paused)}
        )
    return found


def _titles(clocks) -> str:
    """‘A’, ‘B’ and ‘C’."""
    from django.utils.text import get_text_list

    return get_text_list([f"‘{clock.task}’" for clock in clocks], "and")


def case_deletion_refused(user: User, incident: Incident, *, today, years: int) -> list[str]:
    """Why the case cannot be deleted yet, in words (empty when it can): what is still
    open, when its retention period ends, or the partnership's decision to keep it."""
    found = case_not_past_retention(user, incident, today=today, years=years)
    if found:
        return found
    hold = retention_hold_in_force(incident, today=today)
    if hold is not None:
        return [kept_in_words(hold)]
    return []


def retention_hold_in_force(incident: Incident, *, today):
    """The decision to keep the case that is in force today, or None."""
    from ..models import RetentionHold

    return (
        RetentionHold.objects.in_force(today)
        .filter(incident=incident)
        .select_related("decided_by")
        .first()
    )


def kept_in_words(hold) -> str:
    """ "the partnership decided to keep it until …": why the case is not deleted."""
    from django.utils.translation import gettext as _

    return _(
        "%(who)s decided on %(decided)s to keep it until %(review_on)s, when it is to be "
        "looked at again: ‘%(reason)s’"
    ) % {
        "who": hold.decided_by.full_name,
        "decided": f"{timezone.localtime(hold.decided_at):%-d %B %Y}",
        "review_on": f"{hold.review_on:%-d %B %Y}",
        "reason": hold.reason,
    }


def case_not_past_retention(user: User, incident: Incident, *, today, years: int) -> list[str]:
    """Why the case is not on the retention report, in words (empty when it is): what is
    still open, or when its retention period ends. A decision to keep it is not looked at."""
    from dateutil.relativedelta import relativedelta
    from django.utils.translation import gettext as _

    found = case_still_open(incident)
    past = incidents_past_retention(user, today=today, years=years)
    if found or past.filter(pk=incident.pk).exists():
        return found
    closed_on = case_closed_on(incident)
    if closed_on is None:  # open in a way `case_still_open` has no words for
        return [_("it is not closed")]
    return [
        _(
            "it is not past its retention period of %(period)s: it closed on %(closed)s, "
            "so it can be deleted from %(from)s"
        )
        % {
            "period": retention_period(years),
            "closed": f"{closed_on:%-d %B %Y}",
            "from": f"{closed_on + relativedelta(years=years, days=1):%-d %B %Y}",
        }
    ]


def retention_period(years: int) -> str:
    """ "1 year", "25 years"."""
    from django.utils.translation import ngettext

    return ngettext("%(years)d year", "%(years)d years", years) % {"years": years}
