"""The people and pages the measures use, found in (or added to) the scale data."""

from __future__ import annotations

from django.db.models import Count
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from notifications.models import Incident
from safeguarding.models import Membership, Partnership, Region, Role, User


def largest_partnership() -> Partnership:
    """The scale partnership holding the most incidents."""
    row = (
        Incident.objects.filter(partnership__code__regex=r"^S[0-9]{3}$")
        .values("partnership")
        .annotate(n=Count("id"))
        .order_by("-n", "partnership")
        .first()
    )
    if row is None:
        raise SystemExit("No scale data: run `manage.py seed_scale` first (make bench does).")
    return Partnership.objects.get(pk=row["partnership"])


def member(partnership: Partnership, role: str) -> User:
    return (
        User.objects.filter(
            memberships__partnership=partnership, memberships__role=role, is_active=True
        )
        .order_by("pk")
        .first()
    )


def regional_viewer(region: Region) -> User:
    """A regional viewer for the region (the scale seed has none; added once)."""
    email = f"regional@{region.code}.scale.example"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, full_name="Bench regional viewer"
        )
        Membership.objects.create(user=user, region=region, role=Role.REGIONAL_VIEWER)
    return user


def signed_in(user: User) -> Client:
    """A client signed in as a real sign-in leaves it: password and second factor."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
    # Behind the load balancer in production: HTTPS as the proxy reports it.
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def get_ok(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response
