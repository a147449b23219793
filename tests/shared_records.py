"""Records that every test of a module starts from, made once for the module.

Making a module's records (a notified case, its reviews, their documents) can take longer
than its tests. Where every test of a module starts from the same records, a module-scoped
fixture makes them once with `made_once`: in a transaction left open until the module's
last test and then rolled back. Each test runs in pytest-django's usual atomic block (it
nests as a savepoint), so whatever a test writes is undone before the next, as it was
with records of its own; each test gets the records read afresh (`fresh`), never an
object an earlier test has changed; and each has its own copy of their files
(`own_files`), so a file one test deletes or replaces is there for the next.

Only for modules whose every database test starts from those records (a test that did not
ask for them would see them), and never for a transactional test (`own_files` refuses
one: it would run inside the open transaction). tests/test_url_isolation.py began this.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Shared:
    records: dict  # what the build returned
    media: Path  # the folder their files were written to


def made_once(django_db_blocker, tmp_path_factory, build):
    """For a module-scoped fixture (`yield from made_once(...)`): `build()`'s records,
    made in a transaction rolled back when the fixture ends. Settings the function-scoped
    fixtures would set (the fast password hasher, MEDIA_ROOT) are set while they live."""
    from django.db import transaction
    from django.test import override_settings

    media = tmp_path_factory.mktemp("shared-media")
    overrides = override_settings(
        MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    overrides.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            records = build()
        yield Shared(records=records, media=media)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        overrides.disable()


def own_files(request, shared: Shared, settings, tmp_path) -> None:
    """This test's MEDIA_ROOT: a copy of the shared records' files, as if it had made
    them; and nothing kept in the cache by the build or an earlier test."""
    from django.core.cache import cache

    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    assert not transactional, "shared records are for tests run in a transaction"
    shutil.copytree(shared.media, tmp_path, dirs_exist_ok=True)
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def fresh(obj):
    """`obj` read again from the database: a new object, as a fixture of the test's own
    would have returned (an earlier test may have changed the shared one in memory)."""
    if isinstance(obj, dict):
        return {key: fresh(value) for key, value in obj.items()}
    return type(obj)._default_manager.get(pk=obj.pk)
