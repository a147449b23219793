"""The demo's people (`safeguarding.demo.seed_people_and_places`): every `make run` seeds
again, so the slow password hasher runs once a seed, not once a demo user."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from safeguarding.demo import DEMO_PASSWORD, seed_people_and_places
from safeguarding.models import User

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 hasher (the tests' fast one), counting the hashes it works out."""

    algorithm = "counting_md5"
    runs = 0

    def encode(self, password, salt):
        type(self).runs += 1
        return super().encode(password, salt)


def test_the_demo_password_is_hashed_once_a_seed_and_put_back_if_changed(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.runs = 0
    sign_ins = seed_people_and_places()
    assert len(sign_ins) == User.objects.count() > 5
    assert CountingHasher.runs == 1
    assert len(set(User.objects.values_list("password", flat=True))) == 1

    CountingHasher.runs = 0
    seed_people_and_places()  # again, as every `make run` does: one check for them all
    assert CountingHasher.runs == 1

    changed = User.objects.get(email="manager@bscp.example")
    changed.set_password("another-password-2026")
    changed.save()
    CountingHasher.runs = 0
    seed_people_and_places()
    # The changed one checked and hashed again, the others' shared hash checked once.
    assert CountingHasher.runs == 3
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD), user.email
