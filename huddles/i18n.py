"""Which language a request is answered in, and which way its text runs."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request
from flask_login import current_user

from huddles.config import LOCALES, RTL_LOCALES

LANGUAGE_NAMES = {
    "en": "English",
    "de": "Deutsch",
    "ru": "Русский",
    "pl": "Polski",
    "ar": "العربية",
}


def select_locale() -> str:
    """?lang= first, then the person's language, their location's, the browser's, English."""
    if not has_request_context():  # the CLI and the scheduler
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang", "")
    if asked in LOCALES:
        return asked
    if current_user.is_authenticated:
        if current_user.locale in LOCALES:
            return str(current_user.locale)
        if current_user.location is not None and current_user.location.locale in LOCALES:
            return current_user.location.locale
    best = request.accept_languages.best_match(LOCALES)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction(locale: str) -> str:
    """'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if locale.split("_")[0] in RTL_LOCALES else "ltr"


def compile_catalogs(directory: Path | None = None) -> list[Path]:
    """Compile every translations/<lang>/LC_MESSAGES/messages.po whose .mo is missing or older."""
    directory = directory or Path(__file__).resolve().parent / "translations"
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogs():
        print(f"compiled {path}")
