import datetime as dt

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import ChildStatus, Ethnicity, HarmCategory, Nature, Sex


def child_values(**overrides):
    values = {
        "pseudonym": "",
        "name": "Amelia Example",
        "other_names": "",
        "unborn": False,
        "date_of_birth": dt.date(2019, 5, 1),
        "age_years": None,
        "sex": Sex.FEMALE,
        "ethnicity": Ethnicity.WHITE_BRITISH,
        "disability": "",
        "health": "",
        "status_at_time": ChildStatus.CHILD_PROTECTION,
        "placement_type": "",
    }
    values.update(overrides)
    return values


@pytest.fixture
def make_incident(people, partnership):
    """An incident logged by the officer; `complete=True` fills every step."""

    def make(*, aware=None, complete=True, nature=Nature.SERIOUS_HARM, actor=None, children=1):
        actor = actor or people["officer"]
        aware = aware or timezone.localdate() - dt.timedelta(days=3)
        incident = services.incident_create(
            partnership=partnership,
            actor=actor,
            awareness_date=aware,
            incident_date=aware - dt.timedelta(days=1),
            incident_place="Brookfield",
        )
        if complete:
            incident = services.incident_update(
                incident=incident,
                actor=actor,
                changes={
                    "nature": nature,
                    "harm_categories": [HarmCategory.NEGLECT],
                    "circumstances": "Baby admitted with injuries.",
                    "notifier_name": "Tom Ashworth",
                },
            )
            for i in range(children):
                services.child_save(
                    incident=incident, actor=actor, values=child_values(name=f"Child Name {i}")
                )
        incident.refresh_from_db()
        return incident

    return make
