"""Documents kept with an incident."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from safeguarding.audit import Action, audit_record
from safeguarding.models import User

from ..models import Incident, Status
from .common import (
    locked,
    require_role,
)

# --- attachments ----------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, incident: Incident, actor: User, upload, description: str = ""):
    """Keep a document with the incident: checked by content, stored under a random name."""
    from safeguarding.uploads import check_upload, private_name

    from ..models import Attachment

    require_role(actor, incident.partnership)
    # Locked, so an upload racing "entered in error" waits and then sees it: no document
    # is kept after the erasure.
    incident = locked(incident)
    if incident.status == Status.ENTERED_IN_ERROR:
        raise ValidationError(
            f"{incident.reference} was entered in error: documents cannot be added to it"
        )
    checked = check_upload(upload)
    attachment = Attachment(
        incident=incident,
        original_name=checked.original_name,
        description=description.strip(),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(
        private_name(f"incidents/{incident.partnership_id}", checked), upload, save=False
    )
    attachment.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=attachment,
        partnership=incident.partnership,
        object_repr=f"{incident.reference} document {attachment.pk}",
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment, actor: User) -> None:
    incident = attachment.incident
    require_role(actor, incident.partnership)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=attachment,
        partnership=incident.partnership,
        object_repr=f"{incident.reference} document {attachment.pk}",
    )
    from safeguarding.uploads import delete_after_commit

    attachment.delete()
    delete_after_commit(attachment.file.storage, attachment.file.name)
