"""The error messages of the case forms name their field in words that fit the sentence:
"The local authority must be 200 characters or fewer", never a question or a long label
pasted in front of "must be" ("Why is it being corrected? must be …")."""

import inspect
import re

import pytest
from django import forms

from notifications import forms as incident_forms
from rapid_reviews import forms as review_forms


def text_fields():
    for module in (incident_forms, review_forms):
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for field_name, field in form.base_fields.items():
                if isinstance(field, forms.CharField):
                    yield pytest.param(field, id=f"{module.__name__}.{name}.{field_name}")


@pytest.mark.parametrize("field", list(text_fields()))
def test_a_message_names_its_field_in_a_few_plain_words(field):
    message = field.error_messages.get("max_length")
    if field.max_length is None or message is None:
        return
    subject = str(message).split(" must be ", 1)[0]
    assert re.search(rf" must be {field.max_length:,} characters or fewer$", str(message)), message
    assert not set(subject) & set("?,:"), message
    assert len(subject.split()) <= 6 and not subject.startswith("Why "), message
    if field.required:
        assert "?" not in str(field.error_messages["required"]), field.error_messages
