"""A password may not contain the person's own name or the first part of their e-mail
address (AUTH_PASSWORD_VALIDATORS). Django's similarity check compares the whole password
with each detail and lets "helenokafor2026" through for Helen Okafor; this looks for each
part inside the password, whatever the capitals and separators."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Runs of letters: a name's words, or the words of an e-mail address before the @.
_WORDS = re.compile(r"[^\W\d_]+")
#: What a password's letters are compared without (spaces, hyphens, dots, and the like).
_SEPARATORS = re.compile(r"[\W_]+")
#: Parts shorter than this are not looked for ("Jo" is in too many words).
SHORTEST_PART = 3


def own_parts(user) -> list[str]:
    """The parts of the person's name and e-mail address a password may not contain, as
    they are written: each word of their name, each word before the @ of their e-mail
    address, then each of those two run together (``Jo Ng``, ``jo.ng``)."""
    name = getattr(user, "full_name", "") or ""
    local = (getattr(user, "email", "") or "").rpartition("@")[0]
    parts = _WORDS.findall(name) + _WORDS.findall(local)
    for whole in (name, local):
        if len(_WORDS.findall(whole)) > 1:
            parts.append(whole.strip())
    return [part for part in parts if len(_letters(part)) >= SHORTEST_PART]


def _letters(text: str) -> str:
    return _SEPARATORS.sub("", text).casefold()


class OwnNameValidator:
    """Refuse a password that contains the person's name or e-mail address's first part."""

    def validate(self, password, user=None):
        if user is None:
            return
        typed = _letters(password)
        for part in own_parts(user):
            if _letters(part) in typed:
                raise ValidationError(
                    _(
                        "Your password must not contain your name or the first part of your "
                        "email address (it contains ‘%(part)s’)"
                    ),
                    code="password_contains_own_name",
                    params={"part": part},
                )

    def get_help_text(self):
        return _(
            "Your password must not contain your name or the first part of your email address."
        )
