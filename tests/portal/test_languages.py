"""English, Spanish, Somali and Hmong are all served; Spanish is translated."""

from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import check_for_language, get_language_info, gettext

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("code", ["en", "es", "so", "hmn"])
def test_every_portal_language_is_known_and_has_a_catalogue(code):
    assert check_for_language(code)
    assert get_language_info(code)["name_local"]


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("Exit this page", "Salir de esta página"),
        ("Skip to main content", "Ir al contenido principal"),
        ("Open for applications", "Recibiendo solicitudes"),
    ],
)
def test_spanish_interface_strings_are_translated(english, spanish):
    with translation.override("es"):
        assert gettext(english) == spanish


def test_somali_and_hmong_fall_back_to_english_for_untranslated_strings():
    for code in ("so", "hmn"):
        with translation.override(code):
            assert gettext("Exit this page") == "Exit this page"


def test_spanish_catalogue_has_no_untranslated_or_fuzzy_entries():
    text = (LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po").read_text()
    entries = text.split("\n\n")[1:]
    untranslated = [
        entry
        for entry in entries
        if 'msgstr ""' in entry and not entry.split('msgstr ""', 1)[1].strip()
    ]
    assert untranslated == []
    assert "#, fuzzy" not in text


def test_compiled_catalogues_are_shipped():
    for code in ("es", "so", "hmn"):
        folder = LOCALE_DIR / code / "LC_MESSAGES"
        assert (folder / "django.mo").stat().st_size > 0
