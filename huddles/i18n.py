"""Which language a request is answered in, and which way its text runs."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel import Locale
from babel import dates as babel_dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, abort, current_app, has_request_context, redirect, request, url_for
from flask.globals import _cv_app
from flask_babel import (
    format_date,
    format_decimal,
    get_locale,
    get_translations,
    gettext,
    ngettext,
    to_user_timezone,
)
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from huddles.config import LOCALES, RTL_LOCALES
from huddles.extensions import db

# The language chosen by someone not signed in (signed in, it is their account's setting).
COOKIE = "huddles_lang"
COOKIE_DAYS = 365

bp = Blueprint("i18n", __name__)


def current_translations() -> Any:
    """Flask-Babel's translations of the request's language, looked up once per language.

    A page calls gettext a hundred times; Flask-Babel finds its context, locale and catalogue
    anew for each. This keeps the catalogue beside the locale Flask-Babel chose (in its own
    per-context namespace) and gives it again while that locale stands: `force_locale` and
    `refresh` make a new locale object, so they get their own catalogue.
    """
    context = _cv_app.get(None)
    space = getattr(context.g, "_flask_babel", None) if context is not None else None
    locale = getattr(space, "babel_locale", None)
    if locale is None:
        return get_translations()
    kept = getattr(space, "huddles_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    space.huddles_translations = (locale, translations)
    return translations


def _with_context(context: str, string: str) -> str:
    """The translation of `string` in `context`; until the catalogue has one, the translation
    without context (a better guess for the reader than the English)."""
    translations = current_translations()
    result = str(translations.upgettext(context, string))
    if result == string:
        result = str(translations.ugettext(string))
    return result


def pgettext(context: str, string: str, **variables: Any) -> str:
    """`pgettext` that falls back to the word's translation without context."""
    result = _with_context(context, string)
    return result % variables if variables else result


def lazy_pgettext(context: str, string: str, **variables: Any) -> LazyString:
    """The lazy form of `pgettext` (for form labels made at import time)."""
    return LazyString(pgettext, context, string, **variables)


@pass_eval_context
def _template_gettext(eval_context: Any, string: str, **variables: Any) -> str:
    """The templates' `_` and `gettext`: Jinja's "newstyle" gettext (escaped, always a format
    string) in one call, not three; a page calls it a hundred times. It takes only the
    evaluation context (is autoescape on?): a function that takes the template's context is
    handed a copy of it, made anew for each call, inside any block or loop that sets a
    variable."""
    result = current_translations().ugettext(string)
    if eval_context.autoescape:
        result = Markup(result)  # noqa: S704 (our catalogue's text, as Jinja's own gettext does)
    return result % variables  # type: ignore[no-any-return]


@bp.record_once
def _install_context_fallback(state: Any) -> None:
    # Flask-Babel installed its callables already; the templates' pgettext gets the fallback.
    environment = state.app.jinja_env
    environment.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=_with_context,
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
    environment.globals.update(_=_template_gettext, gettext=_template_gettext)


LANGUAGE_NAMES = {
    "en": "English",
    "de": "Deutsch",
    "ru": "Русский",
    "pl": "Polski",
    "ar": "العربية",
}


def select_locale() -> str:
    """?lang= first, then the person's language and their location's (signed in) or the
    language chosen in the switcher (a cookie, signed out), then the browser's, English."""
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
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(LOCALES)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def _back_to(target: str | None) -> str:
    """The page to return to: a path on this site, without a `?lang=` that would override."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("main.today")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("main.today")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "lang"])
    return urlunsplit(("", "", parts.path, query, ""))


@bp.post("/language")
def choose_language():
    """The header's language switcher: the account's language when signed in (and a cookie
    for after signing out), a cookie when not."""
    language = request.form.get("lang", "")
    if language not in LOCALES:
        abort(400, _("Unknown language %(lang)s.", lang=language[:20]))
    if current_user.is_authenticated and current_user.locale != language:
        current_user.locale = language
        db.session.commit()
    response = redirect(_back_to(request.form.get("next")))
    response.set_cookie(
        COOKIE,
        language,
        max_age=COOKIE_DAYS * 24 * 3600,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.app_template_filter("bdi")
def bdi(value: object) -> Markup:
    """People's or content text isolated inline, e.g. a name inside a translated sentence."""
    return Markup("<bdi>%s</bdi>") % ("" if value is None else str(value))


@bp.app_template_global()
def minutes_label(minutes: float) -> str:
    """A length in minutes as the reader writes it: "30 seconds", "2 minutes", "0,5 Min."."""
    value = float(minutes)
    if value < 1 and (value * 60).is_integer():
        seconds = int(value * 60)
        return ngettext("%(num)s second", "%(num)s seconds", seconds)
    if value.is_integer():
        return ngettext("%(num)s minute", "%(num)s minutes", int(value))
    # A fraction: plural by CLDR rules for a decimal (ngettext takes the whole number).
    return gettext("%(num)s min.", num=format_decimal(value))


@bp.app_template_global("agenda_texts")
def _agenda_texts(agenda: Any) -> dict[str, Any]:
    from huddles.agenda.rendered import agenda_texts

    return agenda_texts(agenda)


_YEAR = re.compile(r"[\s,،]*y+(\s*'[^']*'\.?)?")


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return to_user_timezone(value).date() if value.tzinfo else value.date()
    return value


@bp.app_template_filter("weekday_date")
def weekday_date(value: date | datetime) -> str:
    """A day as the reader's language writes it in full without the year: "Mittwoch,
    2. Dezember", "среда, 2 декабря", "środa, 2 grudnia", "Wednesday, December 2"."""
    locale = get_locale() or Locale.parse("en")
    pattern = _YEAR.sub("", locale.date_formats["full"].pattern).strip(" ,،")
    return babel_dates.format_date(_day(value), pattern, locale=locale)


@bp.app_template_filter("short_weekday_date")
def short_weekday_date(value: date | datetime) -> str:
    """A day in short with its weekday: "Mi., 2. Dez.", "Wed, Dec 2"."""
    return babel_dates.format_skeleton("MMMEd", _day(value), locale=get_locale() or "en")


@bp.app_template_filter("day_month")
def day_month(value: date | datetime) -> str:
    """A day of a month in short: "2. Dez.", "Dec 2"."""
    return babel_dates.format_skeleton("MMMd", _day(value), locale=get_locale() or "en")


@bp.app_template_global()
def short_minutes(minutes: float) -> str:
    """Minutes in short with the reader's decimal sign: "0,5 Min.", "2 min"."""
    return gettext("%(num)s min", num=format_decimal(float(minutes)))


@bp.app_template_global()
def season_day(month_day: str | None) -> str:
    """A season's bound MM-DD as the reader writes a day of a month ("1. Dezember")."""
    if not month_day:
        return ""
    month, day = (int(part) for part in month_day.split("-"))
    return format_date(date(2000, month, day), pgettext("date format: a day of a month", "d MMMM"))


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


if __name__ == "__main__":  # the older way to run huddles.compile_translations
    from huddles.compile_translations import main

    main()
