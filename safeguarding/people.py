"""A partnership manager's people: who holds a role in the partnership, adding a review
officer, an agency contributor or an independent reviewer, and taking a role away.

Managers and regional viewers are still added by the service's administrators (a
manager cannot make another manager, so no one widens their own powers). Both invite
them through `invitation_queue` (the People page's `membership_add`, and the
administration site): the role is marked untold and `send_invitation` queued after the
commit. A new person gets an account with a random password and an e-mail with a link to
choose their own; someone who already has an account is told of the new role (whether
the e-mail asks for a password is decided when it goes: `needs_a_password`). Everything
is audited.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import deadlines
from .audit import Action, audit_record
from .mail import claim_untold, send_templated, untold
from .models import Agency, Membership, Partnership, PastRole, Role, User
from .security_notices import the_administrators
from .workflow import TransitionError, raise_if, require_manager

#: The roles a partnership manager may give (PersonForm offers the same).
MANAGER_MAY_ADD = (Role.REVIEW_OFFICER, Role.AGENCY_CONTRIBUTOR, Role.INDEPENDENT_REVIEWER)
#: One answer for every account a manager may not touch, so the page does not tell them
#: which addresses are administrators', switched off, or someone else's partnership's.
NOT_HERE = "This address cannot be added here: ask the service’s administrators"
MAX_EMAIL = 254


def _outside_reach(user: User, actor: User) -> bool:
    """An account the manager may not give a role to or take one from: an administrator's,
    a switched-off one, or one with a role anywhere the manager does not manage (a
    manager must not pull in someone else's person). An account with no role now may be
    added, whatever it did before: the manager's audit trail shows its sign-ins from the
    new role on (`Membership.since`), not its past elsewhere."""
    from . import permissions

    if user.is_staff or user.is_superuser or not user.is_active:
        return True
    managed = permissions.partnership_ids(actor, {Role.PARTNERSHIP_MANAGER})
    return (
        Membership.objects.filter(user=user)
        .exclude(partnership__in=managed, partnership__isnull=False)
        .exists()
    )


def members_of(partnership: Partnership):
    """The partnership's roles, people with a switched-off account included (shown as
    such), by name."""
    return (
        Membership.objects.filter(partnership=partnership)
        .select_related("user", "agency")
        .order_by("user__full_name", "role", "id")
    )


def still_to_set_up(partnerships) -> list[dict]:
    """For a manager's home page: what each of these partnerships still lacks to work,
    which only a manager can add: an active review officer (without one, every clock
    nobody owns is reminded to the managers) and a lead for each statutory partner (the
    sign-off forms start with them). Only the partnerships lacking something, in order;
    one query however many."""
    from django.db.models import Exists, OuterRef

    from .models import PartnerLead, StatutoryPartner

    leads = {
        f"led_{partner}": Exists(
            PartnerLead.objects.filter(partnership=OuterRef("pk"), partner=partner)
        )
        for partner in StatutoryPartner.values
    }
    officer = Membership.objects.active().filter(
        partnership=OuterRef("pk"), role=Role.REVIEW_OFFICER
    )
    found = {
        row["pk"]: row
        for row in Partnership.objects.filter(pk__in=[p.pk for p in partnerships])
        .annotate(has_officer=Exists(officer), **leads)
        .values("pk", "has_officer", *leads)
    }
    lacking = []
    for partnership in partnerships:
        row = found[partnership.pk]
        no_lead = [
            StatutoryPartner(p).label for p in StatutoryPartner.values if not row[f"led_{p}"]
        ]
        if not row["has_officer"] or no_lead:
            lacking.append(
                {"partnership": partnership, "officer": not row["has_officer"], "leads": no_lead}
            )
    return lacking


def membership_get_for(actor: User, partnership: Partnership, pk) -> Membership:
    from . import permissions

    return permissions.get_or_404(members_of(partnership), pk=pk)


def _add_checked(
    *,
    actor: User,
    partnership: Partnership,
    email: str | None,
    full_name: str,
    role: str | None,
    agency: Agency | None,
) -> tuple[dict[str, str], User | None]:
    """The errors of giving `email` the role, and their account if they have one. An
    answer given as None was refused by the form already: it is not checked again, and
    whatever depends on it is checked as far as it can be."""
    errors: dict[str, str] = {}
    address = None
    if email is not None:
        try:
            validate_email(email)
            address = email
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.org"
        if len(email) > MAX_EMAIL:
            errors["email"] = f"The email address must be {MAX_EMAIL} characters or fewer"
            address = None
    if role is not None and role not in MANAGER_MAY_ADD:
        errors["role"] = "Select their role"
    if role == Role.AGENCY_CONTRIBUTOR:
        if agency is None:
            errors["agency"] = "Select the agency they answer for"
        elif not agency.partnerships.filter(pk=partnership.pk).exists():
            errors["agency"] = f"{agency.name} does not work with this partnership"
    user = User.objects.with_email(address).first() if address else None
    if user is None and not full_name:
        # Without a valid address we cannot tell whether they have an account already.
        errors["full_name"] = (
            "Enter their full name"
            if address
            else "Enter their full name, unless they already have an account"
        )
    if user is not None:
        if _outside_reach(user, actor):
            errors["email"] = NOT_HERE
        elif Membership.objects.filter(user=user, partnership=partnership, role=role).exists():
            errors["role"] = f"{user.full_name} already has this role in the partnership"
    return errors, user


def person_add_errors(
    *,
    actor: User,
    partnership: Partnership,
    email: str | None,
    full_name: str,
    role: str | None,
    agency: Agency | None,
) -> dict[str, str]:
    """{field: message} for adding a person with these answers: the service raises them,
    and the page's form (PersonForm.clean) shows them with its own, all at once (ADR
    0021). None for an answer the form refused already."""
    return _add_checked(
        actor=actor,
        partnership=partnership,
        email=None if email is None else (email or "").strip().lower(),
        full_name=" ".join((full_name or "").split()),
        role=role,
        agency=agency,
    )[0]


@transaction.atomic
def membership_add(
    *,
    actor: User,
    partnership: Partnership,
    email: str,
    full_name: str,
    role: str,
    agency: Agency | None = None,
) -> Membership:
    """Give someone a role in the partnership; make their account if they have none."""
    require_manager(actor, partnership)
    email = (email or "").strip().lower()
    full_name = " ".join((full_name or "").split())
    if role != Role.AGENCY_CONTRIBUTOR:
        agency = None
    errors, user = _add_checked(
        actor=actor,
        partnership=partnership,
        email=email,
        full_name=full_name,
        role=role,
        agency=agency,
    )
    raise_if(errors)
    created = user is None
    if created:
        try:
            with transaction.atomic():  # a savepoint: another request may make it first
                user = User(email=email, full_name=full_name)
                # A password no one knows: the invitation's link lets them choose one.
                user.set_password(secrets.token_urlsafe(32))
                user.save()
        except IntegrityError:
            raise_if({"email": "Someone has just added this address: check the list"})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, partnership=partnership, role=role, agency=agency
            )
    except IntegrityError:
        raise_if({"role": f"{user.full_name} already has this role in the partnership"})
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=membership,
        partnership=partnership,
        object_repr=f"{user.email}: {membership.get_role_display()}",
        changes={"role": role, "agency": agency.name if agency else "", "new_account": created},
    )

    invitation_queue(membership=membership)
    return membership


def invitation_queue(*, membership: Membership) -> None:
    """E-mail someone about a role just given them, on the People page (`membership_add`)
    or by the service's administrators (the administration site: a partnership's first
    manager, a regional viewer, or any role): marked untold now, queued after the
    commit, and sent once (`invitation_deliver`), with a link to choose a password if
    they still need one. Whoever gives the role audits it.

    A broker that is down is logged: the role stands (not a server error after it was
    saved), and beat's re-queue (`untold_invitations`) sends the e-mail later."""
    from .tasks import queue_after_commit, send_invitation

    membership.invitation_untold_since = timezone.now()
    membership.save(update_fields=["invitation_untold_since"])
    queue_after_commit(send_invitation, membership.pk)


def invitation_to_send_again(user: User) -> Membership | None:
    """The role whose invitation an administrator may send again: the person's newest,
    while they are switched on and have not chosen a password yet (an invitation's link
    lasts PASSWORD_RESET_TIMEOUT, and its e-mail may be lost). None otherwise."""
    from .security_notices import first_password

    if user.pk is None or not user.is_active or not first_password(user):
        return None
    return user.memberships.order_by("-since", "-pk").first()


@transaction.atomic
def invitation_send_again(*, user: User, actor: User) -> bool:
    """Send the person's invitation again, as when the role was given (`invitation_queue`:
    once, after the commit, with a new link to choose a password), and audit it against
    the person: it e-mails a link that sets a password. False when there is none to send
    (`invitation_to_send_again`)."""
    membership = invitation_to_send_again(user)
    if membership is None:
        return False
    invitation_queue(membership=membership)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=user,
        partnership=membership.partnership,
        changes={"invitation": "sent again", "role": membership.get_role_display()},
    )
    return True


def _managers_of(partnership_id) -> set[int]:
    return set(
        Membership.objects.filter(
            partnership=partnership_id, role=Role.PARTNERSHIP_MANAGER
        ).values_list("user_id", flat=True)
    )


def _removable(membership: Membership, actor: User, managers: set[int]) -> bool:
    user = membership.user
    return (
        membership.role in MANAGER_MAY_ADD
        and user.pk != actor.pk
        and user.pk not in managers
        and not (user.is_staff or user.is_superuser or not user.is_active)
    )


def removable(membership: Membership, actor: User) -> bool:
    """May `actor` take this role away? Only the roles a manager gives, never their own,
    never a fellow manager's, and never from an administrator's or a switched-off account."""
    return _removable(membership, actor, _managers_of(membership.partnership_id))


def removable_of(partnership: Partnership, members, actor: User) -> set[int]:
    """The memberships, of these, that `actor` may remove (one query, however many)."""
    managers = _managers_of(partnership.pk)
    return {m.pk for m in members if _removable(m, actor, managers)}


def removed_already(partnership: Partnership, pk) -> bool:
    """A role of this partnership, with this id, was removed (its trail says so)."""
    from .models import AuditEvent

    return AuditEvent.objects.filter(
        action=Action.DELETE,
        object_type=Membership._meta.label_lower,
        object_id=str(pk),
        partnership=partnership,
    ).exists()


def successors_for(partnership: Partnership, leaving_id: int | None = None):
    """Who may take over someone's open clocks: the partnership's active review officers
    and managers, other than the person leaving, by name."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__partnership=partnership,
            memberships__role__in=deadlines.OWNER_ROLES,
        )
        .exclude(pk=leaving_id)
        .distinct()
        .order_by("full_name", "email")
    )


def clocks_left_by_removing(membership: Membership) -> int:
    """How many open clocks of the partnership the person would leave behind if this
    role went: theirs, when it is their last review officer or manager role there."""
    if membership.role not in deadlines.OWNER_ROLES:
        return 0
    stays = (
        Membership.objects.filter(
            user=membership.user_id,
            partnership=membership.partnership_id,
            role__in=deadlines.OWNER_ROLES,
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    if stays:
        return 0
    return (
        deadlines.Deadline.objects.still_to_run()
        .filter(partnership=membership.partnership_id, owner=membership.user_id)
        .count()
    )


def work_left_by_removing(membership: Membership) -> list[str]:
    """What removing this role leaves without anyone, said on the page that asks (the
    deadlines are handed over there; this is the rest): the open local reviews of an
    independent reviewer, and the open requests and actions of an agency whose only
    contributor in the partnership they are."""
    if membership.role == Role.INDEPENDENT_REVIEWER:
        return _reviews_left(membership)
    if membership.role == Role.AGENCY_CONTRIBUTOR:
        return _agency_work_left(membership)
    return []


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _reviews_left(membership: Membership) -> list[str]:
    from lcspr.models import Review

    user = membership.user
    refs = sorted(
        review.reference
        for review in Review.objects.open()
        .filter(rapid_review__incident__partnership=membership.partnership, reviewers=user)
        .select_related("rapid_review__incident")
    )
    if not refs:
        return []
    one = len(refs) == 1
    reviews = _count(len(refs), "open local review", "open local reviews")
    return [
        f"{user.full_name} is the independent reviewer of {reviews} here "
        f"({', '.join(refs)}). They will no longer reach {'it' if one else 'them'}: "
        f"choose another reviewer on {'its' if one else 'each'} page."
    ]


def _agency_work_left(membership: Membership) -> list[str]:
    from lcspr.models import Action as PlanAction
    from lcspr.models import ActionStatus
    from rapid_reviews.models import AWAITING_RETURN, InformationRequest

    user, partnership, agency = membership.user, membership.partnership, membership.agency
    others = (
        Membership.objects.active()
        .filter(role=Role.AGENCY_CONTRIBUTOR, agency=agency, partnership=partnership)
        .exclude(user=user)
        .exists()
    )
    if others:
        return []
    requests = InformationRequest.objects.filter(
        agency=agency,
        rapid_review__incident__partnership=partnership,
        status__in=AWAITING_RETURN,
    ).count()
    actions = PlanAction.objects.filter(
        agency=agency,
        recommendation__review__rapid_review__incident__partnership=partnership,
        status__in=[ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS],
    ).count()
    if not (requests or actions):
        return []
    owed = []
    if requests:
        owed.append(_count(requests, "request awaiting its return", "requests awaiting its return"))
    if actions:
        owed.append(
            _count(actions, "action plan action not complete", "action plan actions not complete")
        )
    where = (
        f"the agency’s own address, {agency.contact_email}"
        if agency.contact_email
        else "no one, as the agency has no contact address"
    )
    return [
        f"{user.full_name} is the only contributor for {agency.name} in this partnership, "
        f"which has {' and '.join(owed)}. Without them, emails about "
        f"{'it' if requests + actions == 1 else 'them'} go to {where}: add someone else "
        "for the agency first."
    ]


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership, successor: User | None = None) -> int:
    """Take a role away (the account stays: it may hold other roles). If it was the
    person's last review officer role in the partnership, their open clocks there go to
    `successor` in the same transaction (required then). Returns how many were handed
    over."""
    require_manager(actor, membership.partnership)
    if successor is not None:
        # Before the role's row: a hand-over locks the two people first (deadlines.py).
        deadlines.lock_people(membership.user, successor)
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "agency", "partnership")
        .filter(pk=membership.pk)
        .first()
    )
    if locked is None:
        raise TransitionError("This role has already been removed.")
    if not removable(locked, actor):
        raise TransitionError(
            "This role is added and removed by the service’s administrators, not here."
        )
    left_behind = clocks_left_by_removing(locked)
    if left_behind and successor is None:
        raise_if({"successor": "Select who takes over their open deadlines"})
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=locked,
        partnership=locked.partnership,
        object_repr=f"{locked.user.email}: {locked.get_role_display()}",
        changes={"role": locked.role, "agency": locked.agency.name if locked.agency else ""},
    )
    role_taken_away(membership=locked)
    locked.delete()
    if not left_behind:
        return 0
    return deadlines.deadlines_hand_over(
        partnership=locked.partnership, from_user=locked.user, to_user=successor, actor=actor
    )


def role_taken_away(*, membership: Membership) -> None:
    """What follows any role taken away, on the People page (`membership_remove`) or by
    the service's administrators, before its row is deleted: the role is kept as a
    `PastRole`, so the partnership's audit trail can still find the person (ADR 0023
    addendum). A regional viewer's role belongs to no partnership's trail. The person is
    told by e-mail, once, after the commit (as of a role given: `invitation_queue`),
    unless their account is switched off."""
    if membership.partnership_id is None:
        return
    from .tasks import queue_after_commit, send_role_ended_notice

    tell = membership.user.is_active
    past = PastRole.objects.create(
        user_id=membership.user_id,
        partnership_id=membership.partnership_id,
        role=membership.role,
        untold_since=timezone.now() if tell else None,
    )
    if tell:
        queue_after_commit(send_role_ended_notice, past.pk)


def untold_roles_ended(*, now):
    """Roles taken away whose e-mail has not gone, taken away long enough ago."""
    return untold(PastRole.objects.all(), "untold_since", now=now)


@transaction.atomic
def role_ended_deliver(*, past_role_id: int) -> str:
    """E-mail the person that their role was taken away: once (the row is locked and its
    untold mark cleared with the sending), and not at all once their account is switched
    off or they have been given the role back."""
    past = claim_untold(
        PastRole.objects.select_related("user", "partnership"), past_role_id, "untold_since"
    )
    if past is None:
        return "already sent"
    user = past.user
    given_back = Membership.objects.filter(
        user=user, partnership=past.partnership_id, role=past.role
    ).exists()
    if not user.is_active or given_back:
        return "skipped"
    send_templated(
        to=[user.email],
        subject=f"{past.partnership.name} has removed your role on {settings.SERVICE_NAME}",
        template="safeguarding/email/role_ended",
        context={
            "service_name": settings.SERVICE_NAME,
            "user": user,
            "past": past,
            "other_roles": Membership.objects.filter(user=user).exists(),
            "sign_in_url": settings.SITE_URL + reverse("safeguarding:sign-in"),
            # A manager's role is given and taken away by the service's administrators.
            "by_administrators": past.role in (Role.PARTNERSHIP_MANAGER, Role.REGIONAL_VIEWER),
            "administrators": the_administrators(),
        },
    )
    return "sent"


def deadlines_by_owner(partnership: Partnership, owner_pk: int | None = None) -> list[dict]:
    """Who owns the partnership's open clocks (and those paused by a hold, which run again
    when it ends), with how many and how many overdue, and whether they are still in its
    business unit (`in_unit`: an active review officer or manager there): one query,
    however many people. With `owner_pk`, that person's row only."""
    from django.db.models import Count, Q

    clocks = deadlines.Deadline.objects.still_to_run().filter(
        partnership=partnership, owner__isnull=False
    )
    if owner_pk is not None:
        clocks = clocks.filter(owner=owner_pk)
    return list(
        clocks.annotate(in_unit=deadlines.owner_in_business_unit())
        .values("owner_id", "owner__full_name", "owner__email", "in_unit")
        .annotate(
            open=Count("id"),
            overdue=Count(
                "id", filter=Q(closed_on__isnull=True, due_date__lt=timezone.localdate())
            ),
            # Counted in `open` too: they run again when the review's hold ends.
            paused=Count("id", filter=Q(closed_on__isnull=False)),
        )
        .order_by("owner__full_name", "owner_id")
    )


def left_behind(owners: list[dict]) -> list[dict]:
    """Of `deadlines_by_owner`'s rows, the people who left the business unit (a role
    removed, an account switched off) still owning clocks there."""
    return [row for row in owners if not row["in_unit"]]


def deadlines_owned_by_members(members, owners: list[dict]) -> None:
    """Set `deadlines_owned` on each of `members` (roles, in the People page's order): the
    `deadlines_by_owner` row of a person still in the business unit, on the first of
    their review officer or manager roles (their count and hand-over link are shown
    once), None on the others. Set `can_hand_over` on each member and each of `owners`'
    rows: whether anyone else (an active review officer or manager among `members`)
    could take their deadlines; with no one, no hand-over is offered."""
    in_unit = {row["owner_id"]: row for row in owners if row["in_unit"]}
    takers = {m.user_id for m in members if m.role in deadlines.OWNER_ROLES and m.user.is_active}
    for membership in members:
        owns = membership.role in deadlines.OWNER_ROLES
        membership.deadlines_owned = in_unit.pop(membership.user_id, None) if owns else None
        # A hand-over is offered only if someone else could take them.
        membership.can_hand_over = bool(takers - {membership.user_id})
    for row in owners:
        row["can_hand_over"] = bool(takers - {row["owner_id"]})


def deadlines_owner_get_for(partnership: Partnership, user_pk) -> User | None:
    """Someone who owns open clocks (or ones paused by a hold) in the partnership, whether
    they have left its business unit or are still in it (away on leave, say), or None
    (they own none there: never had any, or they were handed over already)."""
    try:
        user_pk = int(user_pk)
    except (TypeError, ValueError):
        return None
    owned = deadlines.Deadline.objects.still_to_run().filter(partnership=partnership, owner=user_pk)
    if not owned.exists():
        return None
    return User.objects.filter(pk=user_pk).first()


def owned_before_in(partnership: Partnership, user_pk) -> bool:
    """Were clocks of this person, in this partnership, handed over already (its trail
    says so)? For a second click: done, not "not found"."""
    from .models import AuditEvent

    user = User.objects.filter(pk=user_pk).only("email").first() if str(user_pk).isdigit() else None
    return (
        user is not None
        and AuditEvent.objects.filter(
            action=Action.UPDATE,
            partnership=partnership,
            object_repr=deadlines.LEFT_OWNER_OF.format(email=user.email)[:200],
        ).exists()
    )


def deadlines_hand_over(
    *, actor: User, partnership: Partnership, owner: User, successor: User | None
) -> int:
    """A manager gives someone's open clocks in the partnership to a colleague in its
    business unit: the clocks of someone who has left it, or of someone still in it who
    is away (on leave, or moved to other work), who keeps their roles. Either way the
    new owner is reminded of them from now on."""
    require_manager(actor, partnership)
    if successor is None:
        raise_if({"successor": "Select who takes over their open deadlines"})
    return deadlines.deadlines_hand_over(
        partnership=partnership, from_user=owner, to_user=successor, actor=actor
    )


def needs_a_password(user: User) -> bool:
    """They cannot sign in as usual: they have never signed in (an account made by an
    earlier invitation whose link they never used, with the random password no one
    knows), or an administrator took their password away."""
    return user.last_login is None or not user.has_usable_password()


def untold_invitations(*, now):
    """Roles given whose e-mail has not gone, given long enough ago (it is queued when the
    role is saved; a broker outage then would otherwise lose it)."""
    return untold(Membership.objects.all(), "invitation_untold_since", now=now)


@transaction.atomic
def invitation_deliver(*, membership_id: int) -> str:
    """E-mail the person about their new role: for an account that has no password of
    theirs yet (`needs_a_password`, decided now: a new account, or one invited, removed
    and added again before they ever signed in), with a link to choose a password (the
    password-reset link, valid for PASSWORD_RESET_TIMEOUT); otherwise, to sign in as
    usual. Once: the role is locked and its untold mark cleared with the sending (a
    failed send rolls back and is tried again), so the task queued when the role was
    given and beat's re-queue send one e-mail between them. Not at all once the role is
    gone or the account turned off."""
    from django.contrib.auth.tokens import default_token_generator

    membership = claim_untold(
        Membership.objects.select_related("user", "partnership", "agency"),
        membership_id,
        "invitation_untold_since",
    )
    if membership is None:
        return "already sent"
    if not membership.user.is_active:
        return "skipped"
    user = membership.user
    choose = needs_a_password(user)
    context = {
        "service_name": settings.SERVICE_NAME,
        "user": user,
        "membership": membership,
        "choose_password": choose,
        "sign_in_url": settings.SITE_URL + reverse("safeguarding:sign-in"),
        "reset_url": settings.SITE_URL + reverse("safeguarding:password-reset"),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        # A manager is the partnership's business manager, and a regional viewer has none:
        # either was given the role by one of the service's administrators.
        "given_by_administrators": membership.role
        in (Role.PARTNERSHIP_MANAGER, Role.REGIONAL_VIEWER),
        "administrators": the_administrators(),
    }
    if choose:
        context["choose_url"] = settings.SITE_URL + reverse(
            "safeguarding:password-reset-confirm",
            args=[
                urlsafe_base64_encode(force_bytes(user.pk)),
                default_token_generator.make_token(user),
            ],
        )
    # A regional viewer's role is given for a region, every other role by a partnership.
    giver = membership.partnership or membership.region
    send_templated(
        to=[user.email],
        subject=f"{giver.name} has given you a role on {settings.SERVICE_NAME}",
        template="safeguarding/email/invitation",
        context=context,
    )
    return "sent"
