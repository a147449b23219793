import pytest

from notifications.demo import seed_incidents
from rapid_reviews.demo import seed_rapid_reviews
from rapid_reviews.models import RapidReview, RequestStatus, Status
from safeguarding.demo import seed_people_and_places
from safeguarding.models import Partnership

pytestmark = pytest.mark.django_db


def test_demo_reviews_at_every_stage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_people_and_places()
    for partnership in Partnership.objects.filter(code__in=["BSCP", "ASCP"]):
        seed_incidents(partnership)
        seed_rapid_reviews(partnership)
        assert seed_rapid_reviews(partnership) == 0  # safe to run again
    statuses = set(RapidReview.objects.values_list("status", flat=True))
    assert {Status.OPEN, Status.DECIDED, Status.SENT_TO_PANEL, Status.PANEL_RESPONDED} <= statuses
    gathering = RapidReview.objects.get(status=Status.OPEN)
    requests = list(gathering.requests.all())
    assert any(r.overdue for r in requests) and any(r.returned_late for r in requests)
    assert {RequestStatus.SENT, RequestStatus.RETURNED, RequestStatus.MORE_INFORMATION} <= {
        r.status for r in requests
    }
    assert RapidReview.objects.get(status=Status.PANEL_RESPONDED).panel_response == "agrees"


def test_demo_partnerships_have_their_leads_who_sign_the_demo_reviews(settings, tmp_path):
    from rapid_reviews.models import SignOff
    from safeguarding.leads import partner_leads_of

    settings.MEDIA_ROOT = tmp_path
    seed_people_and_places()
    seed_people_and_places()  # safe to run again: one lead per partner
    for partnership in Partnership.objects.filter(code__in=["BSCP", "ASCP"]):
        leads = partner_leads_of(partnership)
        assert set(leads) == {"local_authority", "police", "health"}
        assert all(lead.name and lead.job_title for lead in leads.values())
        seed_incidents(partnership)
        seed_rapid_reviews(partnership)
        sign_offs = SignOff.objects.filter(rapid_review__incident__partnership=partnership)
        assert sign_offs.exists()
        for sign_off in sign_offs:
            lead = leads[sign_off.partner]
            assert (sign_off.name, sign_off.role) == (lead.name, lead.job_title)


def test_every_agency_demo_user_has_a_request_waiting_for_their_return(settings, tmp_path):
    """`make run`'s demo: each agency contributor who signs in finds an information request
    waiting for their return on their home page, and can open its return form. (The police
    and the school used to have only answered ones.)"""
    import io

    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from rapid_reviews.models import AWAITING_RETURN
    from rapid_reviews.selectors import information_requests_for_contributor
    from safeguarding.models import Role, User
    from tests.utils import sign_in

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", force=True, stdout=io.StringIO())
    contributors = User.objects.filter(memberships__role=Role.AGENCY_CONTRIBUTOR).distinct()
    assert {u.email for u in contributors} == {
        "police@bscp.example",
        "health@bscp.example",
        "school@ascp.example",
    }
    for user in contributors:
        waiting = information_requests_for_contributor(user).filter(status__in=AWAITING_RETURN)
        assert waiting.exists(), user.email
        client = Client()
        sign_in(client, user)
        home = client.get(reverse("safeguarding:home")).content.decode()
        for request in waiting:
            assert reverse("rapid_reviews:contributor-request", args=[request.pk]) in home
            form = client.get(reverse("rapid_reviews:contributor-return", args=[request.pk]))
            assert form.status_code == 200, (user.email, request)
