"""What published material must not carry, however it is typed: each part of a
double-barrelled or apostrophe name, names with curly apostrophes, other dashes or
accents, and the address where the incident happened (but not a place that is no
address, such as "the family home" or the town)."""

import pytest
from django.core.exceptions import ValidationError

from lcspr import services
from lcspr.services.briefing import _address_terms, forbidden_terms

from .conftest import BRIEFING, open_review

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "recorded, written",
    [
        ("Amelia Hart-Zephyrine", "The Zephyrine family moved twice in a year."),
        ("Amelia Hart-Zephyrine", "The Hart–Zephyrine family moved twice in a year."),
        ("Amelia O'Brennan", "The O’Brennan family moved twice in a year."),
        ("Amelia O'Brennan", "The Brennan family moved twice in a year."),
        ("Zoë Fairweather", "Zoe moved school twice in a year."),
        ("Amelia Fairweather", "The family lived at 14 Secret Lane."),
        ("Amelia Fairweather", "The family lived in Secret\nLane."),
    ],
)
def test_the_briefing_refuses_the_child_however_typed(make_review, people, recorded, written):
    review = open_review(make_review, people, name=recorded)
    with pytest.raises(ValidationError) as error:
        services.briefing_save(
            review=review, actor=people["officer"], values={**BRIEFING, "background": written}
        )
    assert "must be anonymised" in str(error.value)
    assert not hasattr(review, "briefing") or review.briefing is None


def test_a_recommendation_naming_half_a_surname_is_refused(make_review, people):
    review = open_review(make_review, people, name="Amelia Hart-Zephyrine")
    with pytest.raises(ValidationError):
        services.recommendation_add(
            review=review, actor=people["officer"], text="Hear the Zephyrine children."
        )


def test_what_is_forbidden_from_the_record(make_review, people):
    review = open_review(make_review, people, name="Amelia Hart-Zephyrine")
    terms = forbidden_terms(review)
    assert {
        "Hart-Zephyrine",
        "Hart",
        "Zephyrine",
        "Amelia",
        "14 Secret Lane",
        "Secret Lane",
    } <= set(terms)
    assert "Mia" in terms  # the other names too


def test_short_names_and_the_reference_however_separated_are_refused(make_review, people):
    review = open_review(make_review, people, name="Li Ellie-Rose Turner")
    for written in (
        "Li moved school twice in a year.",
        "Rose, as her friends called her, moved school.",
        f"See case {review.reference.replace('-', '/')}.",
        f"See case {review.reference.replace('-', ' ')}.",
        f"See case {review.reference.replace('-', '')}.",
    ):
        with pytest.raises(ValidationError):
            services.briefing_save(
                review=review, actor=people["officer"], values={**BRIEFING, "background": written}
            )
    # Two-letter everyday words are not names to look for.
    review = open_review(make_review, people, name="Amelia Al-Is")
    assert "Is" not in forbidden_terms(review) and "Al" in forbidden_terms(review)


@pytest.mark.parametrize(
    "place, terms",
    [
        ("14 Secret Lane", {"14 Secret Lane", "Secret Lane"}),
        ("Flat 2, 7 Mill Road, Brookfield BF1 2AB", {"7 Mill Road", "Mill Road", "BF1 2AB"}),
        ("Rowan Close", {"Rowan Close"}),
        ("The family home, Brookfield", set()),
        ("Brookfield", set()),
        ("", set()),
    ],
)
def test_only_an_address_in_the_place_of_the_incident_is_forbidden(place, terms):
    assert _address_terms(place) == terms


def test_a_briefing_about_the_town_and_the_family_home_is_accepted(make_review, people):
    review = open_review(make_review, people)
    briefing = services.briefing_save(
        review=review,
        actor=people["officer"],
        values={**BRIEFING, "background": BRIEFING["background"] + " The family home was cold."},
    )
    assert briefing.pdf


@pytest.mark.parametrize(
    "written",
    [
        "The Zephy\u00adrine family moved.",  # a soft hyphen, as Word pastes one
        "The Zeph\u200byrine family moved.",  # zero-width space
        "The Zeph\u200dyrine family moved.",  # zero-width joiner
        "The Zeph\u2060yrine family moved.",  # word joiner
        "The Zeph\ufeffyrine family moved.",  # byte-order mark
        "The Ze\u034fphyrine family moved.",  # an invisible combining mark
        "The Ze\ufe0fphyrine family moved.",  # a variation selector
        "\u0410melia moved school.",  # a Cyrillic A
        "The Z\u0435phyrine family moved.",  # a Cyrillic e
        "The Zephy-\nrine family moved.",  # hyphenated across a line
        "The Zephy-rine family moved.",  # a hyphen put inside the name
    ],
)
def test_invisible_characters_and_look_alike_letters_do_not_hide_a_name(
    make_review, people, written
):
    review = open_review(make_review, people, name="Amelia Zephyrine")
    assert services.identifying_terms_in(review, written), repr(written)


def test_the_reference_and_a_postcode_however_written(make_review, people):
    review = open_review(make_review, people)
    reference = review.reference  # e.g. BSCP-2026-001
    prefix, year, number = reference.split("-")
    for written in (
        f"{prefix}:{year}:{number}",
        f"{prefix}-{year}-{int(number)}",
        f"{prefix}\u2212{year}\u2212{number}",
        f"{prefix}\u00b7{year}\u00b7{number}",
    ):
        assert services.identifying_terms_in(review, f"See {written}."), written
    assert not services.identifying_terms_in(review, f"See {prefix}-{year}-{number}0.")
    incident = review.rapid_review.incident
    incident.incident_place = "7 Mill Road, Brookfield BF1 2AB"
    incident.save(update_fields=["incident_place"])
    assert services.identifying_terms_in(review, "They lived near BF12AB.")


def test_pasted_invisible_characters_are_not_stored():
    from safeguarding.forms import plain_text

    assert plain_text("Zephy\u00adrine\u200b \u2060and\ufeff") == "Zephyrine and"


def test_ordinary_hyphenated_words_are_not_taken_for_a_name(make_review, people):
    review = open_review(make_review, people, name="Amelia Cooper")
    text = "Better co-operation and a well-being check at follow-up meetings."
    assert services.identifying_terms_in(review, text) == []
