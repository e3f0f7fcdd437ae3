"""Languages of the portal, including two that Django does not know yet."""

from django.conf import locale

# Minneapolis' language-access languages. Django ships neither Somali nor Hmong, so
# they are registered here before any view asks for their names.
EXTRA_LANG_INFO = {
    "so": {
        "bidi": False,
        "code": "so",
        "name": "Somali",
        "name_local": "Soomaali",
    },
    "hmn": {
        "bidi": False,
        "code": "hmn",
        "name": "Hmong",
        "name_local": "Hmoob",
    },
}

LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("so", "Soomaali"),
    ("hmn", "Hmoob"),
]


def register_extra_languages() -> None:
    """Teach Django the names of Somali and Hmong."""
    for code, info in EXTRA_LANG_INFO.items():
        locale.LANG_INFO.setdefault(code, info)
