"""Form fields shared by the stages: the GOV.UK date input with GOV.UK error messages."""

import datetime as dt

from crispy_forms_gds.fields import DateInputField
from django.core.exceptions import ValidationError


class GDSDateField(DateInputField):
    """Day, month and year boxes (the GOV.UK date input), returning a `date`.

    Messages follow the Design System: "Enter <what>" when empty, "<What> must include a
    day, month and year" when incomplete, "<What> must be a real date" when impossible.
    """

    def __init__(self, *, what: str, required: bool = True, **kwargs):
        # The Design System gives every date input a hint. It also keeps the markup valid:
        # without help text crispy-forms-gds renders an erroneous date's boxes with
        # aria-describedby="" (an empty IDREFS, which the Nu HTML Checker rejects).
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        super().__init__(required=required, **kwargs)
        self.what = what
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = (
            f"{what[0].upper()}{what[1:]} must include a day, month and year"
        )
        for sub in self.fields:
            sub.validators = []
            sub.error_messages["incomplete"] = self.error_messages["incomplete"]
        self.require_all_fields = False

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as error:
            # The error summary links an error to the box it is attached to, or else to the
            # field's own id, which no element has ("Enter ..." when all three are empty):
            # attach such errors to the day box so the link moves focus there.
            boxes = [sub.widget for sub in self.fields]
            if not any(getattr(box, "errors", None) for box in boxes):
                boxes[0].errors = list(error.messages)
            raise

    def compress(self, data_list):
        day, month, year = (str(v).strip() if v is not None else "" for v in data_list)
        if not (day or month or year):
            return None
        if not (day and month and year):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            value = dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(self.real_date_message, code="invalid") from None
        if not 1900 <= value.year <= 2100:
            raise ValidationError(self.real_date_message, code="invalid")
        return value

    @property
    def real_date_message(self) -> str:
        return f"{self.what[0].upper()}{self.what[1:]} must be a real date"
