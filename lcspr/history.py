"""A local review's History: its story as the service recorded it, newest first.

Built from what is already kept, never from a second record of it: the review's status
moves (with the note each was given), the audit trail's events of the review and of its
parts (its partners' checks and written requests, the reviewer's replies, its
recommendations and actions, its learning briefing), and its milestones' due-date
changes (with their reason, which the milestones table shows beside them). Read in a
fixed number of queries however long the story: the status moves, the events, and the
presenter's look-ups of the people and actions they name (one query a kind,
`audit_display.present_events`); the milestones' changes come with the page's
milestones.

What is shown is what the page's reader may see on the page. The business unit reads
every line; an assigned reviewer (who does not see the action plan, ADR 0027) reads the
review's own story and its checks, and of the action plan only the actions given to
another agency, as before. No words typed into a form are read from the trail (a reason
may name people, and reviewers read the History too): a line says what changed, from
what to what; the notes shown are those the page shows anyway (a status move's note, a
milestone move's reason).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from safeguarding.audit import SECRET_TEXT
from safeguarding.audit_display import NONE, present_events
from safeguarding.dates import date_from_iso, full_date
from safeguarding.models import AuditEvent

from .models import Milestone, PartnerCheck, Review

#: What the History names when one of these changes without a status move.
CORRECTED_FIELDS = {
    "decision_date": "the date of the decision",
    "target_publication": "the statutory publication date",
    "hold_review_on": "the date to look again at the hold",
    "hold_note": "the hold’s detail",
    "nspcc_sent_on": "the date sent to the NSPCC library",
    "public copy": "the public copy",
}

#: The notice recorded again (a revised report, or a new planned date).
NOTICE_FIELDS = {
    "notice_sent_on": "sent on",
    "planned_publication": "planned publication",
}

#: A recommendation's fields, as its page names them.
RECOMMENDATION_FIELDS = {"text": "its wording", "partners_response": "the partners’ response"}

#: Events that are reading, not the story.
_NOT_STORY = (AuditEvent.Action.VIEW, AuditEvent.Action.DOWNLOAD, AuditEvent.Action.REFUSED)

_MILESTONES = dict(Milestone.choices)


@dataclass(frozen=True)
class HistoryLine:
    """One line of the History: when, who, what (and a note the page shows anyway)."""

    changed_at: dt.datetime
    who: str
    text: str
    note: str = ""


def _who(actor, email: str = "") -> str:
    if actor is None:
        return email or "The service"
    return actor.full_name or actor.email


def _date(value) -> str:
    day = date_from_iso(value) if isinstance(value, str) else value
    return full_date(day) if day else ""


def _sentence(parts: list[str]) -> str:
    text = "; ".join(part for part in parts if part)
    return text[:1].upper() + text[1:]


def _changed(label: str, change) -> str:
    if change.is_change:
        return f"{label}: {change.old} → {change.new}"
    if change.value == SECRET_TEXT:
        return f"{label}: changed"
    return f"{label}: now {change.value}"


class _Story:
    """The lines of one review's History, from its events."""

    def __init__(self, review: Review, *, checks, recommendations, milestones):
        self.review = review
        self.checks = {str(c.pk): c for c in checks}
        self.recommendations = {str(r.pk): r for r in recommendations}
        self.actions = {str(a.pk): (rec, a) for rec in recommendations for a in rec.actions.all()}
        # Each milestone's due-date changes, to give a move its old date and reason.
        self.moves = {m.key: list(m.changes) for m in milestones}
        self.used: set[int] = set()

    # -- the review itself -----------------------------------------------------------

    def review_line(self, event, shown) -> str | None:
        changes = event.changes or {}
        if event.action == AuditEvent.Action.CREATE:
            return (
                f"Opened the review: decided on {_date(changes.get('decision_date'))}, "
                f"to be published by {_date(changes.get('target_publication'))}"
            )
        if "reviewers" in shown and shown["reviewers"].is_change:
            change = shown["reviewers"]
            if change.old == change.new:
                return None  # saved as they were
            if change.old == NONE:
                return f"Independent reviewer appointed: {change.new}"
            if change.new == NONE:
                return f"Independent reviewer taken off: {change.old}"
            return f"Independent reviewer changed: {change.old} → {change.new}"
        if "themes" in shown and shown["themes"].is_change:
            return _changed("Learning themes", shown["themes"])
        if "terms_of_reference" in changes:
            parts = ["Terms of reference saved"]
            if changes.get("terms_document"):
                parts[0] += ", with a document added"
            if changes.get("terms_agreed_on"):
                parts.append(f"agreed on {_date(changes['terms_agreed_on'])}")
            return _sentence(parts)
        if "milestone" in changes:
            return self.milestone_line(event, changes)
        if isinstance(changes.get("notice_sent_on"), dict):
            parts = [
                _changed(label, shown[field])
                for field, label in NOTICE_FIELDS.items()
                if field in shown
                and shown[field].is_change
                and shown[field].old != shown[field].new
            ]
            return "Notice to the Panel and DfE recorded again" + (
                f": {'; '.join(parts)}" if parts else ""
            )
        corrected = [
            _changed(label, shown[field])
            for field, label in CORRECTED_FIELDS.items()
            if field in shown
            and (isinstance(changes.get(field), dict) or changes.get(field) == SECRET_TEXT)
        ]
        # Anything else (a hold's, a closing's, a reopening's or the publication's own
        # details) is recorded beside a status move, whose line says it.
        return _sentence(corrected) if corrected else None

    def milestone_line(self, event, changes) -> str | None:
        key = changes["milestone"]
        label = str(_MILESTONES.get(key, key))
        parts = []
        move = self._move_of(key, changes.get("planned"), event)
        if move is not None:
            parts.append(
                f"planned date moved from {full_date(move.old_due)} to {full_date(move.new_due)}"
            )
        if changes.get("actual"):
            parts.append(f"done on {_date(changes['actual'])}")
        if not parts:
            return None
        event.history_note = move.reason if move is not None else ""
        return f"{label}: " + "; ".join(parts)

    def _move_of(self, key: str, planned, event):
        """The milestone's due-date change this event made: to its planned date, by the
        same person, at (or just before) the event's moment, not matched already."""
        latest = event.occurred_at + dt.timedelta(minutes=1)
        found = None
        for change in self.moves.get(key, []):
            if (
                change.pk not in self.used
                and change.new_due.isoformat() == planned
                and change.actor_id == event.actor_id
                and change.changed_at <= latest
            ):
                found = change
        if found is not None:
            self.used.add(found.pk)
        return found

    # -- its parts ---------------------------------------------------------------------

    def check_line(self, event) -> str | None:
        check = self.checks.get(event.object_id)
        changes = event.changes or {}
        if check is None:
            return None
        if event.action == AuditEvent.Action.CREATE:
            if check.kind == PartnerCheck.Kind.WRITTEN_REQUEST:
                text = "Written request to the reviewer recorded, asked on " + full_date(
                    check.checked_on
                )
                if check.respond_by:
                    text += f", for a reply by {full_date(check.respond_by)}"
                return text
            return f"{check.get_kind_display()} recorded, checked on {full_date(check.checked_on)}"
        if changes.get("reply") == "sent":
            text = f"Replied to the written request of {full_date(check.checked_on)}"
            if changes.get("reply_document"):
                text += ", with a document"
            return text
        return None  # a reply's draft is not part of the story until it is sent

    def recommendation_line(self, event) -> str | None:
        rec = self.recommendations.get(event.object_id)
        if rec is None:
            return None
        if event.action == AuditEvent.Action.CREATE:
            return f"Recommendation {rec.number} added"
        changed = [
            label
            for field, label in RECOMMENDATION_FIELDS.items()
            if field in (event.changes or {})
        ]
        return f"Recommendation {rec.number} changed: " + " and ".join(changed or ["its details"])

    def action_line(self, event, shown) -> tuple[str | None, bool]:
        """The line of an action's event, and whether every reader of the page may see
        it (an action given to another agency, as before) or only the business unit."""
        found = self.actions.get(event.object_id)
        if found is None:
            return None, False
        rec, action = found
        changes = event.changes or {}
        if isinstance(changes.get("agency"), dict):
            return (
                f"An action for recommendation {rec.number} given to "
                f"{changes['agency'].get('new', '')} instead of {changes['agency'].get('old', '')}",
                True,
            )
        name = f"An action for recommendation {rec.number} ({action.agency.name})"
        if event.action == AuditEvent.Action.CREATE:
            owner = changes.get("agency", action.agency.name)
            return (
                f"Action added for recommendation {rec.number}, owned by {owner}, "
                f"due {_date(changes.get('due_date'))}",
                False,
            )
        status = shown.get("status")
        if event.action == AuditEvent.Action.STATUS_CHANGE:
            return f"{name} signed off", False
        if status is not None and status.is_change and status.old != status.new:
            text = f"{name}: {status.old} → {status.new}"
        else:
            text = f"{name}: progress updated"
        if changes.get("due_date"):
            text += f", due {_date(changes['due_date'])}"
        return text, False

    def briefing_line(self, event) -> str:
        if event.action == AuditEvent.Action.CREATE:
            return "Learning briefing written"
        return "Learning briefing changed"


def _events(review: Review, story: _Story, briefing_pk):
    where = Q(object_type="lcspr.review", object_id=str(review.pk))
    for kind, ids in (
        ("lcspr.partnercheck", story.checks),
        ("lcspr.recommendation", story.recommendations),
        ("lcspr.action", story.actions),
    ):
        if ids:
            where |= Q(object_type=kind, object_id__in=list(ids))
    if briefing_pk is not None:
        where |= Q(object_type="lcspr.learningbriefing", object_id=str(briefing_pk))
    return (
        AuditEvent.objects.filter(where)
        .exclude(action__in=_NOT_STORY)
        # The review's own status moves are read from its status history (with notes).
        .exclude(object_type="lcspr.review", action=AuditEvent.Action.STATUS_CHANGE)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


def review_history(
    review: Review,
    *,
    checks,
    recommendations,
    milestones,
    briefing=None,
    business_unit: bool,
) -> list[HistoryLine]:
    """The review's History for the review page, newest first (see the module's words
    for what it holds and who reads what). `checks`, `recommendations` (with their
    actions and agencies) and `milestones` (`selectors.milestones_of`) are the page's
    own, already read."""
    story = _Story(review, checks=checks, recommendations=recommendations, milestones=milestones)
    entries: list[tuple[dt.datetime, int, HistoryLine]] = []
    for change in review.status_changes.select_related("actor"):
        moved = (
            f"{change.from_label} → {change.to_label}" if change.from_status else change.to_label
        )
        entries.append(
            (
                change.changed_at,
                0,
                HistoryLine(change.changed_at, _who(change.actor), moved, change.note),
            )
        )
    events = present_events(_events(review, story, getattr(briefing, "pk", None)), sentence=True)
    for event in events:
        event.history_note = ""
        shown = {change.field: change for change in event.shown_changes}
        for_everyone = True
        if event.object_type == "lcspr.review":
            text = story.review_line(event, shown)
        elif event.object_type == "lcspr.partnercheck":
            text = story.check_line(event)
        elif event.object_type == "lcspr.recommendation":
            text, for_everyone = story.recommendation_line(event), False
        elif event.object_type == "lcspr.action":
            text, for_everyone = story.action_line(event, shown)
        else:
            text = story.briefing_line(event)
        if text is None or not (for_everyone or business_unit):
            continue
        line = HistoryLine(
            event.occurred_at, _who(event.actor, event.actor_email), text, event.history_note
        )
        entries.append((event.occurred_at, 1, line))
    # Newest first; at one moment, a step's details after (so above) its status move.
    entries.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [line for _, _, line in entries]
