"""Use cases of webhooks: a location's URL and secret, the messages, the queue and its delivery.

A message is one JSON body that several receivers read:
- Slack incoming webhooks (hooks.slack.com): `text` plus Block Kit `blocks`;
- Microsoft Teams workflows ("When a Teams webhook request is received"): `type: message` with
  an Adaptive Card in `attachments`, and `text`;
- anything else: all of the above plus `event` and `data` (the facts as plain fields), signed:
  `X-Huddles-Signature: sha256=HMAC-SHA256(secret, "<X-Huddles-Timestamp>.<body>")`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from huddles.agenda import days as agenda_days
from huddles.agenda import planning as agenda_planning
from huddles.agenda.models import Agenda
from huddles.attendance import service as attendance_service
from huddles.auth.models import User
from huddles.extensions import db
from huddles.i18n import pgettext
from huddles.kudos.models import Kudos
from huddles.org.models import Location, Shift
from huddles.validation import FieldError
from huddles.webhooks import targets
from huddles.webhooks.models import WebhookDelivery

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 20
# Finished huddles this recent whose summary is not queued yet are queued by the job's sweep.
SUMMARY_SWEEP = timedelta(hours=6)


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


# --- The location's URL and secret -------------------------------------------------------------


def set_webhook(location: Location, raw_url: str | None, *, allow_private: bool) -> str | None:
    """Set (or clear, with "" or None) the URL; a new URL gets a new secret, returned once.

    Does not commit: the caller saves it with the location's other fields.
    """
    url = (raw_url or "").strip()
    if not url:
        location.webhook_url = None
        location.webhook_secret = None
        return None
    targets.resolve(url, allow_private=allow_private)
    if url == location.webhook_url and location.webhook_secret:
        return None
    location.webhook_url = url
    location.webhook_secret = secrets.token_hex(32)
    return location.webhook_secret


def new_secret(location: Location) -> str:
    """A fresh signing secret for the location's webhook; shown once. Commits."""
    if not location.webhook_url:
        raise FieldError("webhook_url", _("Set a webhook URL first."))
    location.webhook_secret = secrets.token_hex(32)
    db.session.commit()
    return location.webhook_secret


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


# --- Messages ----------------------------------------------------------------------------------


@dataclass
class Message:
    title: str
    lines: list[str]
    facts: list[tuple[str, str]]
    event: str
    data: dict[str, Any]


def _flavour(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    if host == "hooks.slack.com" or host.endswith(".slack.com"):
        return "slack"
    if host.endswith((".logic.azure.com", ".powerplatform.com", ".powerautomate.com")):
        return "teams"
    return "generic"


def render(message: Message, url: str) -> dict[str, Any]:
    """The JSON body for this receiver (see the module's docstring)."""
    text = "\n".join([f"*{message.title}*", *message.lines])
    fact_text = "\n".join(f"*{name}:* {value}" for name, value in message.facts)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}}
    ]
    if message.lines:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(message.lines)[:3000]}}
        )
    if message.facts:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": fact_text[:3000]}})
    card = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {
                    "type": "TextBlock",
                    "text": message.title,
                    "weight": "Bolder",
                    "size": "Medium",
                    "wrap": True,
                },
                *({"type": "TextBlock", "text": line, "wrap": True} for line in message.lines),
                {
                    "type": "FactSet",
                    "facts": [{"title": name, "value": value} for name, value in message.facts],
                },
            ],
        },
    }
    flavour = _flavour(url)
    if flavour == "slack":
        return {"text": text, "blocks": blocks}
    if flavour == "teams":
        return {"type": "message", "text": text, "attachments": [card]}
    return {
        "text": text,
        "blocks": blocks,
        "type": "message",
        "attachments": [card],
        "event": message.event,
        "data": message.data,
    }


def _first_shift_today(location: Location, day: date) -> list[Shift]:
    shifts = db.session.scalars(
        sa.select(Shift)
        .where(Shift.location_id == location.id, Shift.active.is_(True))
        .order_by(Shift.starts_at, Shift.name)
    )
    return [shift for shift in shifts if shift.runs_on(day.weekday())]


def agenda_message(location: Location, day: date, *, now: datetime) -> Message:
    """The day's huddles at the location: each shift's time and topics."""
    locale = location.locale or "en"
    entries = []
    lines = []
    with force_locale(locale):
        for shift in _first_shift_today(location, day):
            agenda = agenda_planning.get_agenda(shift, day, now=now)
            items = agenda_planning.agenda_json(agenda, locale)["items"]
            topics = [
                {"slot": item["slot"], "title": item["title"]}
                for item in items
                if item.get("topic_slug")
            ]
            start = shift.starts_at.strftime("%H:%M")
            entries.append(
                {"shift_id": shift.id, "shift": shift.name, "starts_at": start, "topics": topics}
            )
            titles = "; ".join(topic["title"] for topic in topics) or "—"
            lines.append(f"{start} {shift.name}: {titles}")
        title = _(
            "Today's huddles at %(location)s, %(day)s", location=location.name, day=day.isoformat()
        )
        facts = [(pgettext("a number of", "Huddles"), str(len(entries)))]
    return Message(
        title,
        lines,
        facts,
        "agenda",
        {
            "location_id": location.id,
            "location": location.name,
            "date": day.isoformat(),
            "huddles": entries,
        },
    )


def summary_message(agenda: Agenda) -> Message:
    """A finished huddle: held, how long, how many were there, the thank-yous read out."""
    shift = db.session.get(Shift, agenda.shift_id)
    assert shift is not None
    location = shift.location
    # The one way of counting "N of M here" (the huddle screen, its record and Today agree).
    count = attendance_service.headcounts([agenda.id]).get(
        agenda.id, attendance_service.Headcount(0, 0)
    )
    attended, roster_size = count.here, count.expected
    kudos = db.session.execute(
        sa.select(Kudos.message, User.name)
        .join(User, User.id == Kudos.to_user_id)
        .where(Kudos.read_out_agenda_id == agenda.id)
        .order_by(Kudos.created_at, Kudos.id)
    ).all()
    duration = None
    if agenda.started_at and agenda.finished_at:
        duration = int((agenda.finished_at - agenda.started_at).total_seconds())
    zone = ZoneInfo(location.timezone)
    finished = agenda.finished_at.astimezone(zone).strftime("%H:%M") if agenda.finished_at else ""
    with force_locale(location.locale or "en"):
        held = agenda.started_at is not None
        if agenda.status == "done":
            title = _("Huddle of %(shift)s done at %(time)s", shift=shift.name, time=finished)
        elif held:
            title = _(
                "Huddle of %(shift)s was left running; closed at %(time)s",
                shift=shift.name,
                time=finished,
            )
        else:
            title = _("Huddle of %(shift)s was not held", shift=shift.name)
        facts = [(_("Here"), f"{attended} / {roster_size}")]
        if duration is not None:
            facts.append((_("Duration"), f"{duration // 60}:{duration % 60:02d}"))
        facts.append((_("Thank-yous read out"), str(len(kudos))))
        lines = [f"{first_name(name)}: {message}" for message, name in kudos]
    return Message(
        title,
        lines,
        facts,
        "summary",
        {
            "location_id": location.id,
            "shift_id": shift.id,
            "shift": shift.name,
            "date": agenda.day.isoformat(),
            "status": agenda.status,
            "held": held,
            "started_at": agenda.started_at.isoformat() if agenda.started_at else None,
            "finished_at": agenda.finished_at.isoformat() if agenda.finished_at else None,
            "duration_s": duration,
            "attended": attended,
            "roster": roster_size,
            "kudos": [{"to": first_name(name), "message": message} for message, name in kudos],
        },
    )


# --- The queue ---------------------------------------------------------------------------------


def _insert() -> Any:
    return postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert


def enqueue(location: Location, event: str, key: str, message: Message, *, now: datetime) -> bool:
    """Queue a message once per (location, event, key); False if it was queued before. Commits."""
    if not location.webhook_url:
        return False
    inserted = db.session.scalar(
        _insert()(WebhookDelivery)
        .values(
            location_id=location.id,
            event=event,
            event_key=key,
            url=location.webhook_url,
            payload=render(message, location.webhook_url),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            last_error="",
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(WebhookDelivery.id)
    )
    db.session.commit()
    return inserted is not None


def enqueue_summary(agenda_id: int, *, now: datetime) -> bool:
    """Queue the summary of a finished huddle (if its location has a webhook)."""
    agenda = db.session.get(Agenda, agenda_id)
    if agenda is None:
        return False
    shift = db.session.get(Shift, agenda.shift_id)
    if shift is None or not shift.location.webhook_url:
        return False
    return enqueue(
        shift.location, "summary", f"agenda:{agenda.id}", summary_message(agenda), now=now
    )


def enqueue_test(location: Location, *, now: datetime) -> bool:
    """Queue a test message to the location's webhook."""
    with force_locale(location.locale or "en"):
        message = Message(
            _("Huddles is connected to this channel"),
            [
                _(
                    "The day's agenda and each huddle's summary of %(location)s will arrive here.",
                    location=location.name,
                )
            ],
            [],
            "test",
            {"location_id": location.id, "location": location.name},
        )
    return enqueue(location, "test", now.isoformat(), message, now=now)


def lead_minutes(config: dict[str, Any]) -> int:
    return int(config.get("HUDDLES_WEBHOOK_AGENDA_LEAD_MINUTES", 60))


def enqueue_due_agendas(now: datetime, *, lead: timedelta) -> int:
    """Queue each location's agenda of the day once `lead` before its first shift starts."""
    queued = 0
    locations = db.session.scalars(sa.select(Location).where(Location.webhook_url.is_not(None)))
    for location in list(locations):
        zone = ZoneInfo(location.timezone)
        day = now.astimezone(zone).date()
        shifts = _first_shift_today(location, day)
        if not shifts:
            continue
        first = agenda_days.shift_start(shifts[0], day, zone)
        last = agenda_days.shift_start(shifts[-1], day, zone)
        if first - lead <= now < last and enqueue(
            location, "agenda", day.isoformat(), agenda_message(location, day, now=now), now=now
        ):
            queued += 1
    return queued


def enqueue_finished(now: datetime) -> int:
    """The sweep: summaries of huddles finished lately that are not queued yet."""
    queued_keys = (
        sa.select(WebhookDelivery.id)
        .where(
            WebhookDelivery.location_id == Location.id,
            WebhookDelivery.event == "summary",
            WebhookDelivery.event_key
            == sa.literal("agenda:").concat(sa.cast(Agenda.id, sa.String)),
        )
        .exists()
    )
    ids = db.session.scalars(
        sa.select(Agenda.id)
        .join(Shift, Shift.id == Agenda.shift_id)
        .join(Location, Location.id == Shift.location_id)
        .where(
            Location.webhook_url.is_not(None),
            Agenda.status.in_(("done", "ended", "missed")),
            Agenda.finished_at >= now - SUMMARY_SWEEP,
            ~queued_keys,
        )
    ).all()
    return sum(1 for agenda_id in ids if enqueue_summary(agenda_id, now=now))


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … at most an hour."""
    delay: timedelta = FIRST_RETRY * (2 ** max(0, attempts - 1))
    return min(delay, LONGEST_RETRY)


def deliver_due(now: datetime, *, allow_private: bool) -> tuple[int, int]:
    """Send the due deliveries; (delivered, failed this round). Each outcome is committed."""
    due = db.session.scalars(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(BATCH)
    ).all()
    delivered = failed = 0
    for delivery in due:
        if _deliver(delivery, now, allow_private=allow_private):
            delivered += 1
        else:
            failed += 1
    return delivered, failed


def _deliver(delivery: WebhookDelivery, now: datetime, *, allow_private: bool) -> bool:
    location = db.session.get(Location, delivery.location_id)
    secret = location.webhook_secret if location else None
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Huddles-Webhook/1",
        "X-Huddles-Event": delivery.event,
        "X-Huddles-Delivery": str(delivery.id),
        "X-Huddles-Timestamp": timestamp,
    }
    if secret:
        headers["X-Huddles-Signature"] = signature(secret, timestamp, body)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    retry = True
    try:
        target = targets.resolve(delivery.url, allow_private=allow_private)
        status, text = targets.post(target, body, headers)
    except FieldError as error:
        delivery.response_status, delivery.last_error, retry = None, error.message, False
    except (OSError, ValueError) as error:  # refused, timed out, TLS, DNS
        delivery.response_status, delivery.last_error = None, f"{type(error).__name__}: {error}"
    else:
        delivery.response_status = status
        if 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, ""
            db.session.commit()
            return True
        delivery.last_error = f"HTTP {status}: {text[:200]}"
        # A redirect or a 4xx says the message will never be taken as it is; 408/429 say later.
        retry = status >= 500 or status in (408, 429)
    delivery.last_error = delivery.last_error[:300]
    if retry and delivery.attempts < MAX_ATTEMPTS:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    else:
        delivery.status = "failed"
    db.session.commit()
    return False


def recent_deliveries(location_id: int, limit: int = 20) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.location_id == location_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def run(now: datetime, config: dict[str, Any]) -> str:
    """The scheduler's job: queue what is due, then deliver."""
    allow_private = bool(config.get("HUDDLES_WEBHOOK_ALLOW_PRIVATE"))
    agendas = enqueue_due_agendas(now, lead=timedelta(minutes=lead_minutes(config)))
    summaries = enqueue_finished(now)
    delivered, failed = deliver_due(now, allow_private=allow_private)
    return (
        f"queued {agendas} agenda(s) and {summaries} summary(ies); "
        f"delivered {delivered}, not delivered {failed}"
    )
