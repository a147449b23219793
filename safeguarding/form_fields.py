"""Form fields shared by the stages: the GOV.UK date input with GOV.UK error messages,
and the earliest date each kind of date may be (ADR 0027, addendum "the earliest dates")."""

import datetime as dt
from dataclasses import dataclass

from crispy_forms_gds.fields import DateInputField
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

#: The duty to notify the National Panel (the Child Safeguarding Practice Review Panel)
#: began on 29 June 2018: no case this service keeps can have been known, notified,
#: reviewed or decided before it.
DUTY_TO_NOTIFY_BEGAN = dt.date(2018, 6, 29)

#: A notification is about a child: the incident happened at most this many years before
#: the local authority became aware of it (an incident longer ago could only concern
#: someone who is an adult now).
CHILDHOOD_YEARS = 18
#: The years any date typed into the service may be in.
FIRST_DAY_RECORDED = dt.date(1900, 1, 1)
LAST_DAY_RECORDED = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Earliest:
    """The earliest a date may be, and why, said after the date in its message."""

    day: dt.date
    why: str

    def error(self, what: str, value: dt.date | None, *, was: dt.date | None = None) -> str | None:
        """The message for `value` (`what` it is) if it is before `day`, else None. A
        date kept as it was stored (`was`) is not refused: one kept before the earliest
        dates were checked (imported from an older system) must not stop the rest of
        its record being saved; a new or changed date is checked."""
        if value is None or value >= self.day or value == was:
            return None
        return (
            f"{what[0].upper()}{what[1:]} must be the same as or after "
            f"{self.day:%-d %B %Y}, {self.why}"
        )


#: The default of every date of a case: the day the duty to notify began.
CASE_DATE = Earliest(DUTY_TO_NOTIFY_BEGAN, "when the duty to notify the National Panel began")
#: The incident itself may be before the duty began, by a childhood at most (and no more
#: than that before the date the local authority became aware, `years_before_awareness`).
INCIDENT_DATE = Earliest(
    DUTY_TO_NOTIFY_BEGAN - relativedelta(years=CHILDHOOD_YEARS),
    f"{CHILDHOOD_YEARS} years before the duty to notify the National Panel began",
)


def years_before_awareness(
    incident_date: dt.date | None, awareness_date: dt.date | None, *, was: tuple = (None, None)
):
    """The error for an incident date more than `CHILDHOOD_YEARS` before the date the
    local authority became aware of it, or None. Two dates both kept as they were stored
    (`was`: the incident date and the awareness date) are not refused, as `Earliest`
    does not refuse a date kept as it was."""
    if not (incident_date and awareness_date) or (incident_date, awareness_date) == tuple(was):
        return None
    if incident_date >= awareness_date - relativedelta(years=CHILDHOOD_YEARS):
        return None
    return (
        f"The date of the incident must be no more than {CHILDHOOD_YEARS} years before the "
        f"date the local authority became aware ({awareness_date:%-d %B %Y})"
    )


_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def month_number(text: str) -> str | None:
    """The number of the month `text` names ("Dec", "december", "Sept", "sep."), as the
    month box would hold it; None if it names none. A name is the month's full name or
    its first 3 letters or more (3 tell every month apart), in any capitals, with or
    without a full stop after it."""
    name = text.strip().rstrip(".").lower()
    if len(name) < 3 or not name.isascii() or not name.isalpha():
        return None
    for number, month in enumerate(_MONTHS, start=1):
        if month.startswith(name):
            return str(number)
    return None


class GDSDateField(DateInputField):
    """Day, month and year boxes (the GOV.UK date input), returning a `date`.

    Messages follow the Design System: "Enter <what>" when empty, "<What> must include a
    month" (the parts missing) when incomplete, "<What> must be a real date" when
    impossible, "The year of <what> must include 4 numbers" (naming the date: a page may
    have two); each at the boxes it is about (all three for a date left empty or out of
    range, only the wrong part otherwise). The month
    may be typed as a name or its abbreviation ("Dec", "december", "Sept") as well as a
    number, as the Design System asks.

    `earliest` (an `Earliest`) is the first day the date may be: by default `CASE_DATE`,
    the day the duty to notify the National Panel began. A date that is not a case's own
    (a filter, a report's period, an agency's chronology, a date of birth) says `None`,
    and is then checked only as a real date. A date kept as it was stored (`was`, which
    the form sets from the field's initial value before it cleans: `GDSFormMixin`) is not
    refused for being too early; a new or changed one is.
    """

    #: The date stored, when the form edits one (the field's initial value).
    was: dt.date | None = None

    def __init__(
        self, *, what: str, required: bool = True, earliest: Earliest | None = CASE_DATE, **kwargs
    ):
        # The Design System gives every date input a hint. It also keeps the markup valid:
        # without help text crispy-forms-gds renders an erroneous date's boxes with
        # aria-describedby="" (an empty IDREFS, which the Nu HTML Checker rejects).
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        super().__init__(required=required, **kwargs)
        self.what = what
        self.earliest = earliest
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = (
            f"{what[0].upper()}{what[1:]} must include a day, month and year"
        )
        for sub in self.fields:
            sub.validators = []
            sub.error_messages["incomplete"] = self.error_messages["incomplete"]
        self.require_all_fields = False

    PARTS = ("day", "month", "year")

    def clean(self, value):
        """The Design System's checks, in its order, each error shown at the boxes it is
        about (the error summary links to the first of them): nothing typed; a part
        missing ("must include a month"); a year of fewer than 4 numbers when it is the only
        part wrong; parts that cannot be in any date (not numbers (a month's name is its
        number), a month over 12), all marked at once; a day the month does not have."""
        boxes = [sub.widget for sub in self.fields]
        for box in boxes:
            box.errors = []
        if self.disabled and not isinstance(value, list | tuple):
            value = self.widget.decompress(value)
        parts = [
            str(v).strip() if v is not None else "" for v in (list(value or []) + [""] * 3)[:3]
        ]

        def refuse(message: str, at, code: str):
            for index in at:
                boxes[index].errors = [message]
            raise ValidationError(message, code=code)

        if not any(parts):
            if self.required:
                # The whole date is missing: all three boxes are marked (the summary
                # links to the first).
                refuse(self.error_messages["required"], [0, 1, 2], "required")
            return None
        missing = [i for i, part in enumerate(parts) if not part]
        if missing:
            names = " and ".join(self.PARTS[i] for i in missing)
            refuse(f"{self._what} must include a {names}", missing, "incomplete")
        parts[1] = month_number(parts[1]) or parts[1]
        wrong = self._wrong_parts(parts)
        if wrong == [2] and parts[2].isascii() and parts[2].isdigit() and len(parts[2]) < 4:
            # GOV.UK's "Year must include 4 numbers", naming the date: a page may have two.
            refuse(f"The year of {self.what} must include 4 numbers", [2], "year")
        if wrong:
            # Every wrong part at once ("abc 13 26": all three), not one each time.
            refuse(self.real_date_message, wrong, "invalid")
        day, month, year = (int(part) for part in parts)
        try:
            date = dt.date(year, month, day)
        except (ValueError, OverflowError):
            refuse(self.real_date_message, [0], "invalid")  # 31 February: the day
        # A real date, but outside the years the service records: said with the day it is
        # compared with, as a case's earliest date is (`Earliest`).
        if date < FIRST_DAY_RECORDED:
            refuse(
                f"{self._what} must be the same as or after {FIRST_DAY_RECORDED:%-d %B %Y}, "
                "the earliest date the service records",
                [2],
                "out_of_range",
            )
        if date > LAST_DAY_RECORDED:
            refuse(
                f"{self._what} must be the same as or before {LAST_DAY_RECORDED:%-d %B %Y}, "
                "the latest date the service records",
                [2],
                "out_of_range",
            )
        too_early = self.earliest and self.earliest.error(str(self.what), date, was=self.was)
        if too_early:
            refuse(too_early, [0, 1, 2], "too_early")
        self.validate(date)
        self.run_validators(date)
        return date

    @staticmethod
    def _wrong_parts(parts: list[str]) -> list[int]:
        """The boxes that cannot be part of any date: not numbers, a day outside 1 to 31, a
        month outside 1 to 12, a year without 4 numbers."""

        def number(part: str) -> int | None:
            return int(part) if part.isascii() and part.isdigit() and len(part) <= 4 else None

        day, month, year = (number(part) for part in parts)
        return [
            index
            for index, right in enumerate(
                (
                    day is not None and 1 <= day <= 31,
                    month is not None and 1 <= month <= 12,
                    year is not None and len(parts[2]) == 4,
                )
            )
            if not right
        ]

    @property
    def _what(self) -> str:
        return f"{self.what[0].upper()}{self.what[1:]}"

    def compress(self, data_list):
        day, month, year = (str(v).strip() if v is not None else "" for v in data_list)
        if not (day or month or year):
            return None
        month = month_number(month) or month
        try:
            return dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(self.real_date_message, code="invalid") from None

    @property
    def real_date_message(self) -> str:
        return f"{self.what[0].upper()}{self.what[1:]} must be a real date"


def not_a_working_day(what: str, value: dt.date, *, partnership=None) -> str | None:
    """The error for a date people are asked to meet (`what` it is) that falls on a
    weekend or a bank holiday in England, or, given the `partnership`, on one of its
    closure days (one query); None if it is a working day."""
    from . import calendar

    reason = calendar.non_working_reason(value, partnership=partnership)
    if not reason:
        return None
    if reason.startswith(calendar.CLOSURE_PREFIX):
        reason = f"a closure day ({reason.removeprefix(calendar.CLOSURE_PREFIX)})"
    elif reason in ("Saturday", "Sunday"):
        reason = f"a {reason}"
    return f"{what[0].upper()}{what[1:]} must be a working day: {value:%-d %B %Y} is {reason}"


def working_day_checked(
    errors: dict[str, str], what: str, value, *, partnership, was=None, field: str = "due_date"
) -> dict[str, str]:
    """`errors` (a form's checks against the case), with `field`'s if it has none yet and
    its date, typed for people to meet, is not a working day of the `partnership`: a
    weekend, a bank holiday or one of its closure days. A date kept as it was (`was`) is
    not refused: one set before a closure day was added is marked on its page instead
    (ADR 0027 addendum)."""
    if value and value != was and field not in errors:
        if message := not_a_working_day(what, value, partnership=partnership):
            return {**errors, field: message}
    return errors


def on_a_working_day(what: str):
    """A validator: the date is a working day in England (not a weekend or a bank
    holiday), for a date people are asked to meet, such as a return's due date."""

    def check(value: dt.date) -> None:
        message = not_a_working_day(what, value)
        if message:
            raise ValidationError(message, code="not_working_day")

    return check
