"""The partnership's statutory leads: who leads for the local authority, the police and
the integrated care board now (name and job title). A partnership manager keeps them up
to date; each sign-off form starts with its partner's lead, and the sign-off keeps the
name as signed, so changing a lead later changes no earlier record (docs/adr/0018).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .audit import Action, audit_record
from .models import PartnerLead, Partnership, StatutoryPartner, User
from .workflow import raise_if, require_manager

#: The longest name and job title, as the model keeps them (the form's boxes take the same).
MAX_LENGTH = {what: PartnerLead._meta.get_field(what).max_length for what in ("name", "job_title")}


def partner_leads_of(partnership: Partnership) -> dict[str, PartnerLead]:
    """The partnership's current leads by partner ("local_authority", "police", "health");
    a partner with no lead recorded is missing."""
    return {lead.partner: lead for lead in PartnerLead.objects.filter(partnership=partnership)}


def partner_lead_initial(partnership: Partnership, partner: str) -> dict[str, str]:
    """What a sign-off form for `partner` starts with: its current lead, if recorded."""
    lead = partner_leads_of(partnership).get(partner)
    return {"name": lead.name, "role": lead.job_title} if lead else {}


def partner_leads_summary(partnership: Partnership) -> str:
    """The leads on one line each ("Police: Name, job title"), for a text box that asks
    who agreed for each partner; empty if none is recorded. A partner with no lead keeps
    its line, empty after the colon, so the box shows whose agreement is still to write."""
    leads = partner_leads_of(partnership)
    if not leads:
        return ""
    return "\n".join(
        f"{StatutoryPartner(p).label}: {leads[p].name}, {leads[p].job_title}"
        if p in leads
        else f"{StatutoryPartner(p).label}: "
        for p in StatutoryPartner.values
    )


def _clean(value) -> str:
    return " ".join(str(value or "").split())


def lead_of(partner: str) -> str:
    """How the errors name a partner's lead: "the police lead"."""
    label = str(StatutoryPartner(partner).label)
    return f"the {label[0].lower()}{label[1:]} lead"


def too_long(partner: str, what: str) -> str:
    """The error of a name or job title (`what`: "name", "job_title") that is too long."""
    return (
        f"The {what.replace('_', ' ')} of {lead_of(partner)} must be {MAX_LENGTH[what]} "
        "characters or fewer"
    )


def partner_lead_errors(leads: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Every error of the leads (`leads` maps each partner to (name, job title)), for
    `partner_leads_set` and its form (ADR 0021): a name without a job title or the
    reverse, and a name or job title too long. Keyed by the form's field."""
    errors: dict[str, str] = {}
    for partner in StatutoryPartner.values:
        name, job_title = (_clean(v) for v in leads.get(partner, ("", "")))
        if job_title and not name:
            errors[f"{partner}_name"] = f"Enter the name of {lead_of(partner)}"
        if name and not job_title:
            errors[f"{partner}_job_title"] = f"Enter the job title of {lead_of(partner)}"
        for what, value in (("name", name), ("job_title", job_title)):
            if len(value) > MAX_LENGTH[what]:
                errors[f"{partner}_{what}"] = too_long(partner, what)
    return errors


@transaction.atomic
def partner_leads_set(
    *, partnership: Partnership, actor: User, leads: dict[str, tuple[str, str]]
) -> dict[str, PartnerLead]:
    """Record the partnership's leads: `leads` maps each partner to (name, job title).
    A partner left blank (no name, no job title) has no lead recorded. Audited with what
    changed; a save that changes nothing records nothing."""
    require_manager(actor, partnership)
    # One manager's save at a time per partnership: the partnership row is the lock.
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    raise_if(partner_lead_errors(leads))
    wanted = {
        partner: tuple(_clean(v) for v in leads.get(partner, ("", "")))
        for partner in StatutoryPartner.values
    }
    current = {
        lead.partner: lead
        for lead in PartnerLead.objects.select_for_update().filter(partnership=partnership)
    }
    changes: dict[str, dict] = {}
    for partner, (name, job_title) in wanted.items():
        lead = current.get(partner)
        before = {"name": lead.name, "job_title": lead.job_title} if lead else None
        after = {"name": name, "job_title": job_title} if name else None
        if before == after:
            continue
        changes[partner] = {"old": before, "new": after}
        if after is None:
            lead.delete()
            del current[partner]
        elif lead is None:
            current[partner] = PartnerLead.objects.create(
                partnership=partnership,
                partner=partner,
                name=name,
                job_title=job_title,
                updated_by=actor,
            )
        else:
            lead.name, lead.job_title = name, job_title
            lead.updated_by, lead.updated_at = actor, timezone.now()
            lead.save(update_fields=["name", "job_title", "updated_by", "updated_at"])
    if changes:
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=partnership,
            partnership=partnership,
            object_repr=f"{partnership.name}: statutory partners’ leads",
            changes={"partner_leads": changes},
        )
    return current
