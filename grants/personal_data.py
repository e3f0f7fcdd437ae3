"""Spot obvious personal data in free text that must hold none (report narratives).

This catches the common slips (an email address, a phone number, a Social Security
number); it cannot recognise every way a person might be described, so forms also
tell people plainly what not to write.
"""

import re

from django.utils.translation import gettext_lazy as _

PATTERNS = [
    (
        "email",
        re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+", re.I),
        _("an email address"),
    ),
    (
        "ssn",
        re.compile(r"(?<!\d)\d{3}[-\s]\d{2}[-\s]\d{4}(?!\d)"),
        _("something that looks like a Social Security number"),
    ),
    (
        "phone",
        re.compile(
            r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)"
        ),
        _("a phone number"),
    ),
    (
        "birth_date",
        re.compile(r"\b(?:date of birth|d\.?o\.?b\.?|born on)\b", re.I),
        _("a date of birth"),
    ),
]


def personal_data_in(text: str) -> list[str]:
    """The kinds of personal data found in text, as words for people (may be empty)."""
    found = []
    for _kind, pattern, label in PATTERNS:
        if pattern.search(text or ""):
            found.append(str(label))
    return found
