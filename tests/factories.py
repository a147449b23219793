import factory
from factory.django import DjangoModelFactory

from safeguarding.models import Agency, ClosureDay, Membership, Partnership, Region, Role, User

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Region {n}")
    code = factory.Sequence(lambda n: f"region-{n}")


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Partnership {n} Safeguarding Children Partnership")
    code = factory.Sequence(lambda n: f"P{n:03d}")
    local_authority = factory.Sequence(lambda n: f"Council {n}")
    contact_email = factory.Sequence(lambda n: f"partnership{n}@example.org")


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.POLICE

    @factory.post_generation
    def partnerships(self, create, extracted, **kwargs):
        if create and extracted:
            self.partnerships.add(*extracted)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Role.REVIEW_OFFICER


class ClosureDayFactory(DjangoModelFactory):
    class Meta:
        model = ClosureDay

    partnership = factory.SubFactory(PartnershipFactory)
    reason = "Business unit closed"


def member(role: str, partnership=None, *, agency=None, region=None, **user_fields) -> User:
    """A user holding one role: in a partnership, or for a regional viewer in a region."""
    user = UserFactory(**user_fields)
    if role == Role.REGIONAL_VIEWER:
        Membership.objects.create(user=user, role=role, region=region)
    else:
        Membership.objects.create(user=user, role=role, partnership=partnership, agency=agency)
    return user
