"""Password rules beyond Django's: character classes (等保2.0 identity item)."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """Return how many of lower case, upper case, digits and symbols `password` uses."""
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(c in string.punctuation or not c.isalnum() for c in password),
    ]
    return sum(classes)


class CharacterClassValidator:
    """Require at least `min_classes` of the four character classes."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must use at least %(min)d of these: lower-case letters, "
                    "upper-case letters, digits and symbols."
                ),
                code="password_too_simple",
                params={"min": self.min_classes},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Use at least %(min)d kind of character: lower-case, upper-case, digits, symbols.",
            "Use at least %(min)d kinds of characters: lower-case, upper-case, digits, symbols.",
            self.min_classes,
        ) % {"min": self.min_classes}
