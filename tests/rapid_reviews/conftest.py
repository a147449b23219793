import datetime as dt

import pytest
from django.utils import timezone

from notifications import services as incident_services
from notifications.models import HarmCategory, Nature
from rapid_reviews import services
from safeguarding.calendar import add_working_days
from safeguarding.models import Agency, Role
from tests.factories import AgencyFactory, member
from tests.notifications.conftest import child_values

CHILD_NAME = "Amelia Zephyrine"


def make_agencies(partnership, agency):
    """Three agencies serving the partnership: the police (`agency`, shared with the other
    partnership), health and children's social care."""
    return {
        "police": agency,
        "health": AgencyFactory(
            name="Brookfield Hospitals", kind=Agency.Kind.HEALTH, partnerships=[partnership]
        ),
        "social_care": AgencyFactory(
            name="Brookfield Children’s Services",
            kind=Agency.Kind.SOCIAL_CARE,
            partnerships=[partnership],
        ),
    }


def make_contributors(partnership, other_partnership, agencies, people):
    return {
        "police": people["agency"],
        "health": member(
            Role.AGENCY_CONTRIBUTOR,
            partnership,
            agency=agencies["health"],
            full_name="Health Contributor",
        ),
        "social_care": member(
            Role.AGENCY_CONTRIBUTOR,
            partnership,
            agency=agencies["social_care"],
            full_name="Social Care Contributor",
        ),
        # The same police force, but contributing in the other partnership only.
        "other_police": member(
            Role.AGENCY_CONTRIBUTOR,
            other_partnership,
            agency=agencies["police"],
            full_name="Other Police",
        ),
    }


@pytest.fixture
def agencies(partnership, agency):
    """Three agencies serving the partnership: the police (shared with the other
    partnership), health and children's social care."""
    return make_agencies(partnership, agency)


@pytest.fixture
def contributors(partnership, other_partnership, agencies, people):
    return make_contributors(partnership, other_partnership, agencies, people)


def notify(partnership, actor, *, sent_working_days_ago=2, name=CHILD_NAME):
    today = timezone.localdate()
    sent_on = add_working_days(today, -sent_working_days_ago, partnership=partnership)
    aware = add_working_days(sent_on, -2, partnership=partnership)
    incident = incident_services.incident_create(
        partnership=partnership,
        actor=actor,
        awareness_date=aware,
        incident_date=aware - dt.timedelta(days=1),
        incident_place="14 Secret Lane",
    )
    incident_services.incident_update(
        incident=incident,
        actor=actor,
        changes={
            "nature": Nature.SERIOUS_HARM,
            "harm_categories": [HarmCategory.NEGLECT],
            "circumstances": "Hidden circumstances of the case.",
            "notifier_name": "Tom Ashworth",
        },
    )
    incident_services.child_save(
        incident=incident, actor=actor, values=child_values(name=name, other_names="Mia")
    )
    incident_services.incident_submit_for_decision(incident=incident, actor=actor)
    incident_services.incident_record_notification(
        incident=incident,
        actor=actor,
        dfe_reference="SIN-1",
        notified_at=timezone.make_aware(dt.datetime.combine(sent_on, dt.time(10, 0))),
        late_reason="Late.",
    )
    incident.refresh_from_db()
    return incident.rapid_review


@pytest.fixture
def make_review(people, partnership, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def make(*, partnership=partnership, actor=None, **kwargs):
        return notify(partnership, actor or people["officer"], **kwargs)

    return make


@pytest.fixture
def review(make_review):
    return make_review()


def values_for_return(**overrides):
    values = {
        "involved": True,
        "involvement_summary": "Police attended twice.",
        "analysis": "",
        "immediate_actions": "",
        "learning": "",
        "criteria_view": [],
        "criteria_comment": "",
    }
    values.update(overrides)
    return values


def rows(*days):
    return [
        {
            "date": d,
            "contact_type": "Home visit",
            "what_happened": f"Visit on {d}",
            "practitioner_role": "PC",
        }
        for d in days
    ]


def send_requests(review, agencies, officer):
    """Requests to every agency of `agencies`, sent: {key: request}."""
    due = add_working_days(timezone.localdate(), 3)
    created = services.information_requests_create(
        rapid_review=review,
        actor=officer,
        agencies=list(agencies.values()),
        due_date=due,
        send=True,
    )
    return {key: next(r for r in created if r.agency == agency) for key, agency in agencies.items()}


@pytest.fixture
def sent_requests(review, agencies, contributors, people):
    """Requests to all three agencies, sent."""
    return send_requests(review, agencies, people["officer"])


def return_and_submit(request, actor, *, days=None):
    today = timezone.localdate()
    services.agency_return_save_draft(
        information_request=request,
        actor=actor,
        values=values_for_return(),
        rows=rows(*(days or [today - dt.timedelta(days=20), today - dt.timedelta(days=40)])),
    )
    return services.agency_return_submit(information_request=request, actor=actor)


def decide_and_sign(
    review, actor, *, signers=("local_authority", "police", "health"), decision="local_review"
):
    today = timezone.localdate()
    review = services.rapid_review_record_meeting(
        rapid_review=review,
        actor=actor,
        values={
            "meeting_date": today,
            "attendees": "LA, police, health",
            "key_practice_episodes": "Missed appointments.",
            "learning_local": "Share referrals.",
            "learning_national": "",
            "immediate_actions": "Sibling visited.",
            "equality_and_diversity": "Language barriers.",
        },
    )
    review = services.rapid_review_decide(
        rapid_review=review,
        actor=actor,
        decision=decision,
        criteria=["improvements"] if decision == "local_review" else [],
        rationale="Agencies did not share information.",
        decided_on=today,
    )
    for partner in signers:
        services.rapid_review_sign_off(
            rapid_review=review,
            actor=actor,
            partner=partner,
            name=f"Signer {partner}",
            signed_on=today,
        )
    review.refresh_from_db()
    return review


def return_post(version, summary, what="Officers attended"):
    """The return form as a browser posts it, with one chronology row."""
    day = timezone.localdate() - dt.timedelta(days=3)
    return {
        "version": str(version),
        "involved": "yes",
        "involvement_summary": summary,
        "chronology-TOTAL_FORMS": "1",
        "chronology-INITIAL_FORMS": "0",
        "chronology-MIN_NUM_FORMS": "0",
        "chronology-MAX_NUM_FORMS": "1000",
        "chronology-0-date_0": day.day,
        "chronology-0-date_1": day.month,
        "chronology-0-date_2": day.year,
        "chronology-0-contact_type": "Call-out",
        "chronology-0-what_happened": what,
        "chronology-0-practitioner_role": "PC",
        "save": "1",
    }
