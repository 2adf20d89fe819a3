"""Events that cross features, sent after the change they announce is committed (but one, see
`huddle_changed`).

A lower feature sends; a higher one subscribes (`signal.connect(receiver)`), so the arrows
point down and every coupling between features is listed here.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import current_app

_signals = Namespace()

# sender: the Flask app; keyword arguments: agenda_id (int), actor_id (int | None).
huddle_started = _signals.signal("huddle-started")
# A huddle the lead finished (status "done").
huddle_finished = _signals.signal("huddle-finished")
# A huddle closed by the scheduler: status "ended" (left running) or "missed" (never started);
# keyword arguments: agenda_id, status.
huddle_closed = _signals.signal("huddle-closed")
# Anything the break-room screen shows is changing (the huddle started, finished or was closed,
# attendance, notes, feedback, a thank-you given, hidden or shown again). Sent INSIDE the
# change's transaction, just before its commit, so that a receiver's writes (the screens'
# version) commit with it in one transaction: a receiver adds to the session and never commits.
# Keyword arguments: agenda_id (None for a thank-you), location_id (the shift's location, when
# the sender has it).
huddle_changed = _signals.signal("huddle-changed")


def huddle_changing(*, agenda_id: int | None = None, location_id: int | None = None) -> None:
    """Send `huddle_changed` from the current app: inside the change's transaction."""
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    huddle_changed.send(app, agenda_id=agenda_id, location_id=location_id)


# A topic was edited, retired, restored or imported; keyword arguments: topic_ids (list[int]).
topic_changed = _signals.signal("topic-changed")
