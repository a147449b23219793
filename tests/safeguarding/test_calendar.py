"""Tests for the working-day calendar.

Every expected date below was worked out by hand from a printed calendar and the gov.uk
list of England and Wales bank holidays (weekdays checked with ``datetime``).
"""

from datetime import date, timedelta

import pytest

from safeguarding import calendar as cal
from safeguarding.calendar import SkippedDay
from safeguarding.models import ClosureDay, Partnership, Region

D = date

# England and Wales bank holidays as published on gov.uk (independent of the package).
GOV_UK_BANK_HOLIDAYS = {
    2021: [D(2021, 1, 1), D(2021, 4, 2), D(2021, 4, 5), D(2021, 5, 3), D(2021, 5, 31),
           D(2021, 8, 30), D(2021, 12, 27), D(2021, 12, 28)],
    2022: [D(2022, 1, 3), D(2022, 4, 15), D(2022, 4, 18), D(2022, 5, 2), D(2022, 6, 2),
           D(2022, 6, 3), D(2022, 8, 29), D(2022, 9, 19), D(2022, 12, 26), D(2022, 12, 27)],
    2023: [D(2023, 1, 2), D(2023, 4, 7), D(2023, 4, 10), D(2023, 5, 1), D(2023, 5, 8),
           D(2023, 5, 29), D(2023, 8, 28), D(2023, 12, 25), D(2023, 12, 26)],
    2024: [D(2024, 1, 1), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6), D(2024, 5, 27),
           D(2024, 8, 26), D(2024, 12, 25), D(2024, 12, 26)],
    2025: [D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26),
           D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26)],
    2026: [D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
           D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)],
    2027: [D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31),
           D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28)],
    2028: [D(2028, 1, 3), D(2028, 4, 14), D(2028, 4, 17), D(2028, 5, 1), D(2028, 5, 29),
           D(2028, 8, 28), D(2028, 12, 25), D(2028, 12, 26)],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(GOV_UK_BANK_HOLIDAYS))
def test_bank_holidays_match_gov_uk(year):
    assert sorted(cal.bank_holidays(year)) == GOV_UK_BANK_HOLIDAYS[year]


def test_bank_holidays_2026_exactly_as_in_domain():
    assert set(cal.bank_holidays(2026)) == {
        D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4),
        D(2026, 5, 25), D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28),
    }  # fmt: skip


@pytest.mark.parametrize(
    "day, name",
    [
        (D(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        (D(2023, 5, 8), "Coronation of Charles III"),
        (D(2022, 6, 3), "Platinum Jubilee of Elizabeth II"),
        (D(2022, 6, 2), "Spring Bank Holiday"),
        (D(2026, 12, 25), "Christmas Day"),
        (D(2026, 12, 28), "Boxing Day (observed)"),
        (D(2021, 12, 27), "Christmas Day (observed)"),
        (D(2022, 1, 3), "New Year’s Day (observed)"),
    ],
)
def test_bank_holiday_names(day, name):
    assert cal.bank_holidays(day.year)[day] == name


def test_bank_holidays_returns_a_copy():
    cal.bank_holidays(2026).clear()
    assert len(cal.bank_holidays(2026)) == 8


# (start, working days, expected due date)
ADD_CASES = [
    # DOMAIN.md example: aware on a Saturday; the trigger day never counts.
    (D(2026, 6, 13), 5, D(2026, 6, 19)),  # Sat -> Fri
    (D(2026, 6, 14), 5, D(2026, 6, 19)),  # Sun -> Fri
    (D(2026, 6, 15), 5, D(2026, 6, 22)),  # Mon -> Mon
    (D(2026, 6, 19), 1, D(2026, 6, 22)),  # Fri -> Mon
    # Month ends.
    (D(2026, 1, 30), 1, D(2026, 2, 2)),  # Fri 30 Jan -> Mon 2 Feb
    (D(2026, 2, 27), 1, D(2026, 3, 2)),  # non-leap February
    (D(2026, 4, 30), 2, D(2026, 5, 5)),  # over 4 May early May bank holiday
    (D(2026, 5, 22), 1, D(2026, 5, 26)),  # over 25 May spring bank holiday
    (D(2026, 8, 28), 1, D(2026, 9, 1)),  # over 31 Aug, into September
    # Leap year 2028.
    (D(2028, 2, 28), 1, D(2028, 2, 29)),
    (D(2028, 2, 28), 2, D(2028, 3, 1)),
    (D(2028, 2, 25), 3, D(2028, 3, 1)),
    # Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr.
    (D(2026, 4, 2), 1, D(2026, 4, 7)),
    (D(2026, 4, 1), 2, D(2026, 4, 7)),
    (D(2026, 4, 2), 5, D(2026, 4, 13)),
    (D(2026, 4, 3), 1, D(2026, 4, 7)),  # start on Good Friday
    (D(2026, 4, 5), 1, D(2026, 4, 7)),  # start on Easter Sunday
    # Christmas 2026: Fri 25 Dec, Mon 28 Dec (Boxing Day substitute), Fri 1 Jan 2027.
    (D(2026, 12, 24), 1, D(2026, 12, 29)),
    (D(2026, 12, 24), 3, D(2026, 12, 31)),
    (D(2026, 12, 24), 4, D(2027, 1, 4)),
    (D(2026, 12, 23), 5, D(2027, 1, 4)),
    (D(2026, 12, 26), 1, D(2026, 12, 29)),  # start on Saturday Boxing Day
    (D(2026, 12, 18), 15, D(2027, 1, 13)),  # rapid review clock over the new year
    # Christmas 2027: Sat/Sun, substitutes Mon 27 and Tue 28 Dec; New Year Mon 3 Jan 2028.
    (D(2027, 12, 24), 1, D(2027, 12, 29)),
    (D(2027, 12, 31), 1, D(2028, 1, 4)),
    # Christmas 2021 / New Year 2022: substitutes 27, 28 Dec and 3 Jan.
    (D(2021, 12, 24), 5, D(2022, 1, 5)),
    # Christmas 2022 / New Year 2023: Sun 25 Dec, substitutes 27 Dec and 2 Jan.
    (D(2022, 12, 23), 1, D(2022, 12, 28)),
    (D(2022, 12, 30), 1, D(2023, 1, 3)),
    # One-off bank holidays.
    (D(2022, 9, 16), 1, D(2022, 9, 20)),  # Queen's funeral, Mon 19 Sep 2022
    (D(2023, 4, 28), 5, D(2023, 5, 9)),  # May Day 1 May and coronation 8 May 2023
    (D(2022, 5, 27), 1, D(2022, 5, 30)),  # 30 May 2022 was NOT a bank holiday
    (D(2022, 6, 1), 1, D(2022, 6, 6)),  # spring bank holiday 2 Jun, jubilee 3 Jun
    (D(2022, 5, 31), 3, D(2022, 6, 7)),
    # Whole years: 2026 and 2027 each have 261 weekdays less 8 bank holidays = 253.
    (D(2025, 12, 31), 253, D(2026, 12, 31)),
    (D(2025, 12, 31), 254, D(2027, 1, 4)),
    (D(2026, 12, 31), 253, D(2027, 12, 31)),
    (D(2025, 12, 31), 506, D(2027, 12, 31)),
    # Zero days: the start, whatever day it is.
    (D(2026, 6, 13), 0, D(2026, 6, 13)),
    (D(2026, 12, 25), 0, D(2026, 12, 25)),
    (D(2026, 6, 17), 0, D(2026, 6, 17)),
    # Negative: the Nth working day before (reminders before a deadline).
    (D(2026, 6, 19), -3, D(2026, 6, 16)),
    (D(2026, 4, 7), -1, D(2026, 4, 2)),
    (D(2027, 1, 4), -1, D(2026, 12, 31)),
    (D(2026, 12, 29), -2, D(2026, 12, 23)),
    (D(2026, 6, 13), -1, D(2026, 6, 12)),  # from a Saturday
    (D(2026, 3, 2), -7, D(2026, 2, 19)),
    (D(2026, 12, 31), -253, D(2025, 12, 31)),
]


@pytest.mark.parametrize("start, days, due", ADD_CASES)
def test_add_working_days(start, days, due):
    assert cal.add_working_days(start, days) == due


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (D(2026, 6, 13), D(2026, 6, 19), 5),
        (D(2026, 6, 19), D(2026, 6, 13), -5),
        (D(2026, 6, 19), D(2026, 6, 19), 0),
        (D(2026, 6, 19), D(2026, 6, 20), 0),  # Saturday does not count
        (D(2026, 6, 19), D(2026, 6, 22), 1),
        (D(2026, 6, 22), D(2026, 6, 19), -1),
        (D(2026, 6, 19), D(2026, 6, 24), 3),  # deadline Fri, today Wed: 3 days overdue
        (D(2026, 12, 24), D(2027, 1, 4), 4),
        (D(2025, 12, 31), D(2026, 12, 31), 253),
        (D(2025, 12, 31), D(2027, 12, 31), 506),
        (D(2028, 2, 28), D(2028, 3, 1), 2),
    ],
)
def test_working_days_between(start, end, expected):
    assert cal.working_days_between(start, end) == expected


def _oracle_add(start: date, days: int) -> date:
    """Naive day-by-day reference over the gov.uk list above."""
    closed = {d for year in GOV_UK_BANK_HOLIDAYS.values() for d in year}
    step = timedelta(days=1 if days > 0 else -1)
    day, left = start, abs(days)
    while left:
        day += step
        if day.weekday() < 5 and day not in closed:
            left -= 1
    return day


def test_add_and_between_agree_with_reference_and_each_other():
    starts = [D(2021, 3, 1) + timedelta(days=6 * k + k % 5) for k in range(400)]
    assert starts[-1] < D(2028, 10, 1)
    for start in starts:
        for n in range(31):
            due = cal.add_working_days(start, n)
            assert due == _oracle_add(start, n), (start, n)
            assert cal.working_days_between(start, due) == n, (start, n)
            assert cal.working_days_between(due, start) == -n, (start, n)
            if n:
                assert cal.is_working_day(due)
                assert cal.working_days_between(start, due - timedelta(days=1)) == n - 1
            back = cal.add_working_days(start, -n)
            assert back == _oracle_add(start, -n), (start, -n)
            if cal.is_working_day(start):
                assert cal.add_working_days(back, n) == start, (start, -n)


def test_long_spans_agree_with_reference():
    for start in (D(2021, 3, 5), D(2023, 12, 22), D(2025, 1, 1), D(2026, 6, 13)):
        for n in (15, 100, 400):
            assert cal.add_working_days(start, n) == _oracle_add(start, n)


@pytest.mark.parametrize(
    "day, reason",
    [
        (D(2026, 6, 13), "Saturday"),
        (D(2026, 6, 14), "Sunday"),
        (D(2026, 6, 15), None),
        (D(2026, 12, 25), "Christmas Day"),
        (D(2026, 12, 26), "Saturday"),  # Boxing Day on a Saturday: the weekend wins
        (D(2026, 12, 28), "Boxing Day (observed)"),
        (D(2021, 12, 25), "Saturday"),
        (D(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        (D(2028, 2, 29), None),
    ],
)
def test_non_working_reason_and_is_working_day(day, reason):
    assert cal.non_working_reason(day) == reason
    assert cal.is_working_day(day) is (reason is None)


def test_explain_christmas_2026():
    result = cal.explain(D(2026, 12, 24), 4)
    assert result.start == D(2026, 12, 24)
    assert result.days == 4
    assert result.due == D(2027, 1, 4)
    assert result.counted == [D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 4)]
    assert result.skipped == [
        SkippedDay(D(2026, 12, 25), "Christmas Day"),
        SkippedDay(D(2026, 12, 26), "Saturday"),
        SkippedDay(D(2026, 12, 27), "Sunday"),
        SkippedDay(D(2026, 12, 28), "Boxing Day (observed)"),
        SkippedDay(D(2027, 1, 1), "New Year’s Day"),
        SkippedDay(D(2027, 1, 2), "Saturday"),
        SkippedDay(D(2027, 1, 3), "Sunday"),
    ]


def test_explain_christmas_2021_substitutes():
    result = cal.explain(D(2021, 12, 24), 1)
    assert result.due == D(2021, 12, 29)
    assert result.counted == [D(2021, 12, 29)]
    assert result.skipped == [
        SkippedDay(D(2021, 12, 25), "Saturday"),
        SkippedDay(D(2021, 12, 26), "Sunday"),
        SkippedDay(D(2021, 12, 27), "Christmas Day (observed)"),
        SkippedDay(D(2021, 12, 28), "Boxing Day (observed)"),
    ]


def test_explain_weekend_start_day_is_not_listed():
    result = cal.explain(D(2026, 6, 13), 5)
    assert result.due == D(2026, 6, 19)
    assert result.counted == [D(2026, 6, d) for d in (15, 16, 17, 18, 19)]
    assert result.skipped == [SkippedDay(D(2026, 6, 14), "Sunday")]


def test_explain_zero_days():
    result = cal.explain(D(2026, 6, 13), 0)
    assert (result.due, result.counted, result.skipped) == (D(2026, 6, 13), [], [])


def test_explain_negative_runs_backwards():
    result = cal.explain(D(2026, 12, 29), -2)
    assert result.due == D(2026, 12, 23)
    assert result.counted == [D(2026, 12, 24), D(2026, 12, 23)]
    assert result.skipped == [
        SkippedDay(D(2026, 12, 28), "Boxing Day (observed)"),
        SkippedDay(D(2026, 12, 27), "Sunday"),
        SkippedDay(D(2026, 12, 26), "Saturday"),
        SkippedDay(D(2026, 12, 25), "Christmas Day"),
    ]


def test_explanation_is_frozen():
    result = cal.explain(D(2026, 6, 13), 5)
    with pytest.raises(AttributeError):
        result.due = D(2026, 6, 20)


def test_clear_caches():
    cal.clear_caches()
    assert cal.add_working_days(D(2026, 12, 24), 4) == D(2027, 1, 4)


# --- Partnership closure days -----------------------------------------------------------


@pytest.fixture
def partnership(db):
    region = Region.objects.create(name="South West", code="sw")
    return Partnership.objects.create(
        region=region,
        name="Exampleshire Safeguarding Children Partnership",
        code="ESCP",
        local_authority="Exampleshire County Council",
        contact_email="escp@example.org",
    )


@pytest.fixture
def other_partnership(db):
    return Partnership.objects.create(
        name="Otherton Safeguarding Children Partnership",
        code="OSCP",
        local_authority="Otherton Council",
        contact_email="oscp@example.org",
    )


def _close(partnership, day, reason):
    ClosureDay.objects.create(partnership=partnership, date=day, reason=reason)


def test_closure_days_loads_in_one_query(partnership, django_assert_num_queries):
    _close(partnership, D(2026, 6, 18), "Staff training")
    _close(partnership, D(2026, 12, 29), "Office closed")
    expected = {D(2026, 6, 18): "Staff training", D(2026, 12, 29): "Office closed"}
    with django_assert_num_queries(1):
        assert cal.closure_days(partnership) == expected
    with django_assert_num_queries(1):
        assert cal.closure_days(partnership.pk) == expected
    with django_assert_num_queries(0):
        assert cal.closure_days(None) == {}


def test_closure_day_shifts_due_date(partnership, other_partnership, django_assert_num_queries):
    _close(partnership, D(2026, 6, 18), "Staff training")
    with django_assert_num_queries(1):
        assert cal.add_working_days(D(2026, 6, 13), 5, partnership=partnership) == D(2026, 6, 22)
    assert cal.add_working_days(D(2026, 6, 13), 5, partnership=partnership.pk) == D(2026, 6, 22)
    assert cal.add_working_days(D(2026, 6, 13), 5, partnership=other_partnership) == D(2026, 6, 19)
    assert cal.add_working_days(D(2026, 6, 13), 5) == D(2026, 6, 19)
    assert cal.working_days_between(D(2026, 6, 13), D(2026, 6, 22), partnership=partnership) == 5
    assert cal.working_days_between(D(2026, 6, 22), D(2026, 6, 13), partnership=partnership) == -5
    assert not cal.is_working_day(D(2026, 6, 18), partnership=partnership)
    assert cal.is_working_day(D(2026, 6, 18), partnership=other_partnership)
    assert (
        cal.non_working_reason(D(2026, 6, 18), partnership=partnership)
        == "Partnership closure: Staff training"
    )


@pytest.mark.parametrize(
    "day, after, before",
    [
        (D(2026, 6, 17), D(2026, 6, 17), D(2026, 6, 17)),  # a Wednesday: itself
        (D(2026, 6, 13), D(2026, 6, 15), D(2026, 6, 12)),  # a Saturday
        (D(2026, 6, 14), D(2026, 6, 15), D(2026, 6, 12)),  # a Sunday
        (D(2026, 12, 25), D(2026, 12, 29), D(2026, 12, 24)),  # Christmas, Boxing Day (observed)
        (D(2026, 4, 3), D(2026, 4, 7), D(2026, 4, 2)),  # Good Friday to Easter Monday
    ],
)
def test_working_day_on_or_after_and_before(day, after, before):
    assert cal.working_day_on_or_after(day) == after
    assert cal.working_day_on_or_before(day) == before


def test_working_day_on_or_after_and_before_skip_closures(partnership):
    _close(partnership, D(2026, 6, 18), "Staff training")
    _close(partnership, D(2026, 6, 19), "Staff training")
    assert cal.working_day_on_or_after(D(2026, 6, 18), partnership=partnership) == D(2026, 6, 22)
    assert cal.working_day_on_or_before(D(2026, 6, 20), partnership=partnership) == D(2026, 6, 17)
    assert cal.working_day_on_or_after(D(2026, 6, 18)) == D(2026, 6, 18)


def test_several_closure_days_chain(partnership):
    # Sun 14 skipped; 15 16 17 count, 18 closed, 19 counts, weekend, 22 closed, 23 is the fifth.
    _close(partnership, D(2026, 6, 18), "Staff training")
    _close(partnership, D(2026, 6, 22), "Office move")
    assert cal.add_working_days(D(2026, 6, 13), 5, partnership=partnership) == D(2026, 6, 23)
    result = cal.explain(D(2026, 6, 13), 5, partnership=partnership)
    assert result.due == D(2026, 6, 23)
    assert result.counted == [D(2026, 6, d) for d in (15, 16, 17, 19, 23)]
    assert result.skipped == [
        SkippedDay(D(2026, 6, 14), "Sunday"),
        SkippedDay(D(2026, 6, 18), "Partnership closure: Staff training"),
        SkippedDay(D(2026, 6, 20), "Saturday"),
        SkippedDay(D(2026, 6, 21), "Sunday"),
        SkippedDay(D(2026, 6, 22), "Partnership closure: Office move"),
    ]


def test_christmas_closure_week(partnership):
    for day in (29, 30, 31):
        _close(partnership, D(2026, 12, day), "Christmas closure")
    _close(partnership, D(2026, 12, 25), "Christmas closure")  # already a bank holiday
    _close(partnership, D(2026, 12, 26), "Christmas closure")  # already a Saturday
    closures = cal.closure_days(partnership)
    # 21 22 23 24 count; 25 Dec to 3 Jan all closed; Mon 4 Jan is the fifth.
    assert cal.add_working_days(D(2026, 12, 18), 5, partnership=closures) == D(2027, 1, 4)
    assert cal.add_working_days(D(2026, 12, 24), 1, partnership=partnership) == D(2027, 1, 4)
    assert cal.add_working_days(D(2027, 1, 4), -1, partnership=partnership) == D(2026, 12, 24)
    assert cal.working_days_between(D(2026, 12, 24), D(2027, 1, 4), partnership=closures) == 1
    assert cal.non_working_reason(D(2026, 12, 25), partnership=closures) == "Christmas Day"
    assert cal.non_working_reason(D(2026, 12, 26), partnership=closures) == "Saturday"
    result = cal.explain(D(2026, 12, 24), 1, partnership=partnership)
    assert result.counted == [D(2027, 1, 4)]
    assert [s.reason for s in result.skipped] == [
        "Christmas Day",
        "Saturday",
        "Sunday",
        "Boxing Day (observed)",
        "Partnership closure: Christmas closure",
        "Partnership closure: Christmas closure",
        "Partnership closure: Christmas closure",
        "New Year’s Day",
        "Saturday",
        "Sunday",
    ]


def test_closure_property_against_reference(partnership):
    closed = [D(2026, 6, 18), D(2026, 6, 22), D(2026, 7, 1), D(2026, 12, 29)]
    for day in closed:
        _close(partnership, day, "Closed")
    closures = cal.closure_days(partnership)
    bank = {d for year in GOV_UK_BANK_HOLIDAYS.values() for d in year} | set(closed)

    def oracle(start, n):
        step = timedelta(days=1 if n > 0 else -1)
        day, left = start, abs(n)
        while left:
            day += step
            if day.weekday() < 5 and day not in bank:
                left -= 1
        return day

    for k in range(240):
        start = D(2026, 5, 1) + timedelta(days=k)
        for n in (-20, -5, -1, 0, 1, 3, 5, 15, 30):
            due = cal.add_working_days(start, n, partnership=closures)
            assert due == oracle(start, n), (start, n)
            if n >= 0:
                assert cal.working_days_between(start, due, partnership=closures) == n


# --- many dates at once (recomputation after a calendar change) ---------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_STARTS = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))
_CLOSURES = st.dictionaries(_STARTS, st.just("Office closed"), max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(st.tuples(_STARTS, st.integers(0, 400)), min_size=1, max_size=40),
    closures=_CLOSURES,
)
def test_many_at_once_agrees_with_one_at_a_time(pairs, closures):
    starts, days = zip(*pairs, strict=True)
    got = cal.add_working_days_many(starts, days, partnership=closures)
    expected = [cal.add_working_days(s, n, partnership=closures) for s, n in pairs]
    assert [d.item() for d in got] == expected


def test_many_at_once_domain_examples_and_edges():
    # DOMAIN.md: Saturday 13 June 2026 + 5 working days is Friday 19 June; Christmas 2026.
    got = cal.add_working_days_many(
        [date(2026, 6, 13), date(2026, 12, 21), date(2026, 12, 24)], [5, 5, 0]
    )
    assert [d.item() for d in got] == [date(2026, 6, 19), date(2026, 12, 30), date(2026, 12, 24)]
    assert cal.add_working_days_many([], []).size == 0
    with pytest.raises(ValueError):
        cal.add_working_days_many([date(2026, 1, 1)], [-1])
    with pytest.raises(ValueError):
        cal.add_working_days_many([date(2026, 1, 1)], [1, 2])


@settings(max_examples=60, deadline=None)
@given(start=_STARTS, ends=st.lists(_STARTS, min_size=1, max_size=40), closures=_CLOSURES)
def test_working_days_between_many_agrees_with_one_at_a_time(start, ends, closures):
    got = cal.working_days_between_many(start, ends, partnership=closures)
    assert got.tolist() == [cal.working_days_between(start, e, partnership=closures) for e in ends]
