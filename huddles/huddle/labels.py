"""The huddle screen's own words (buttons, headings, states, attendance) in every language its
topic-language control offers, so that they switch with the topic, live, without a reload.

The page carries them as JSON beside the topic texts (huddle_languages.js swaps them into the
elements marked `data-l`, `data-l-aria` and `data-l-value`). Each language's words are looked
up in its catalogue once per app and kept as JSON; no query is made for them.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from huddles.agenda.planning import DEFAULT_TITLES
from huddles.i18n import lazy_pgettext, weekday_date

# The key of each word is what the template marks the element with (data-l="key"). The keys
# that huddle.js also has in its `strings` are the same, so that its messages follow too.
# A word may hold %(time)s, %(day)s or %(opens_day)s: the page's `values` fill them in.
LABELS: dict[str, Any] = {
    "back_today": _l("Back to today"),
    "time_through": _l("Time through the huddle"),
    "running": _l("Running"),
    "done": _l("Done"),
    "ended": _l("Ended (left running)"),
    "missed": _l("Missed"),
    "not_started": _l("Not started"),
    "preview": _l(
        "Preview: move through the slots freely. The huddle starts only when you press Start"
        " huddle."
    ),
    "preview_not_open": _l(
        "Preview: this huddle can be started from %(time)s on %(day)s, 30 minutes before the shift."
    ),
    "preview_over": _l("This shift is over; its huddle can no longer be started."),
    "roll_call": _l("Roll call"),
    "here": _l("here"),
    "check_in_code": _l("QR code to check in from your phone"),
    "scan": _l("Scan to check in"),
    "no_kudos": _l(
        "No thank-yous since the last huddle. Who helped you this week? Say it now, or post it"
        " on the wall."
    ),
    "today": _l("Today"),
    "no_notes": _l("No notes for today."),
    "edit_notes": _l("Edit notes"),
    "notes_label": _l("Notes for the day (shown here at the close)"),
    "save_notes": _l("Save notes"),
    "avoid": _l("Avoid"),
    "say_instead": _l("Say instead"),
    "ask_team": _l("Ask the team"),
    "feedback": _l("How did the topic land?"),
    "landed": _l("It landed"),
    "not_landed": _l("It did not land"),
    "controls": _l("Huddle controls"),
    "back": _l("Back"),
    "start": _l("Start huddle"),
    "gate_not_open": _l("Can be started from %(time)s"),
    "gate_over": _l("Its shift is over"),
    "next": _l("Next"),
    "finish": _l("Finish huddle"),
    "attendance": _l("Attendance"),
    "overview": _l("Overview"),
    "full_screen": _l("Full screen"),
    "next_language": _l("L: next language"),
    "topic_language": _l("Topic language"),
    "also_show": _l("Also show"),
    "no_second": lazy_pgettext("no second language", "No second language"),
    "keys": _l("Keys: → or Space next, ← back, F full screen, A attendance, Esc overview."),
    "close": _l("Close"),
    "not_open": _l("Attendance opens at %(time)s, 30 minutes before the shift."),
    "correction": _l("The huddle is over: changes here are recorded as corrections."),
    "present": _l("Present"),
    "late": _l("Late"),
    "excused": _l("Excused"),
    "absent": _l("Absent"),
    "visitor": _l("visitor"),
    "checked_in": _l("checked in"),
    "add_visitor": _l("Add someone from another shift"),
    "add_present": _l("Add as present"),
    "saving": _l("Saving…"),
    "saved": _l("Saved"),
    "offline": _l("Offline: {n} change(s) waiting, retrying…"),
    "failed": _l("Not saved"),
    "overtime": _l("over"),
    "page": _l("Page {page} of {pages}"),
    "swap_title": _l("Swap a topic"),
    "swap_before": _l("before you start"),
    "swap_hint": _l(
        "Before you start: if a topic does not fit your team today, choose another. Topics made"
        " for your kind of workplace come first."
    ),
    "swapped": _l("swapped"),
    "swap": _l("Swap"),
    "next_best": _l("next best"),
    "choose_another": _l("Choose another topic"),
    # The default template's slot titles (an admin's own titles are shown as typed).
    **{f"slot:{title}": text for title, text in DEFAULT_TITLES.items()},
}
EXTENSION = "huddles.screen_labels"


def _json(value: Any) -> str:
    # As the templates' `tojson` writes it (the app's JSON settings, safe inside <script>).
    return str(htmlsafe_json_dumps(value, dumps=current_app.json.dumps))


def screen_labels(language: str) -> str:
    """The screen's words in `language` as JSON, looked up once per app and language."""
    store: dict[str, str] = current_app.extensions.setdefault(EXTENSION, {})
    found = store.get(language)
    if found is None:
        with force_locale(language):
            found = _json({key: str(text) for key, text in LABELS.items()})
        store[language] = found
    return found


VALUES_EXTENSION = "huddles.screen_values"
# Huddles' values kept per process, each a few short strings: enough for every shift's coming
# days, and emptied when full rather than grown without end.
MOST_VALUES = 4096


def _huddle_values(code: str, day: Any, opens_at: Any, opens_text: str) -> str:
    """A huddle's day and when it can start, in `code`, as JSON: formatted once per process
    (the dates are the same for every view, and each language's formatting finds its locale,
    catalogue and patterns anew)."""
    store: dict[tuple[Any, ...], str] = current_app.extensions.setdefault(VALUES_EXTENSION, {})
    key = (code, day, opens_at, opens_text)
    found = store.get(key)
    if found is None:
        with force_locale(code):
            found = _json(
                {
                    "time": opens_text,
                    "day": weekday_date(opens_at),
                    "huddle_day": weekday_date(day),
                }
            )
        if len(store) >= MOST_VALUES:
            store.clear()
        store[key] = found
    return found


def screen_words(huddle: Any, languages: list[str]) -> Markup:
    """Per language the screen offers: its words, and this huddle's values in that language
    (its day, and when it can start), as JSON for the page."""
    opens_at, opens_text = huddle.window.opens_at, huddle.opens_at
    parts = [
        f'{_json(code)}: {{"words": {screen_labels(code)}, '
        f'"values": {_huddle_values(code, huddle.day, opens_at, opens_text)}}}'
        for code in languages
    ]
    return Markup("{" + ", ".join(parts) + "}")  # noqa: S704 (JSON made safe inside <script> above)
