"""Webhooks: a location's URL (PATCH and the admin page), the day's agenda and each huddle's
summary, signed, queued and delivered by the scheduler's job with retries, to a local receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from huddles import signals
from huddles.agenda.models import Agenda
from huddles.agenda.planning import get_agenda
from huddles.attendance.models import Attendance
from huddles.db import utcnow
from huddles.extensions import db
from huddles.kudos.service import give_kudos
from huddles.scheduler import job_named, run_job
from huddles.validation import FieldError
from huddles.webhooks import service, targets
from huddles.webhooks.models import WebhookDelivery


@pytest.fixture
def app_config():
    return {"HUDDLES_WEBHOOK_ALLOW_PRIVATE": True}


class Receiver:
    """A webhook receiver on 127.0.0.1 that records each request and answers from `statuses`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook/secret-path"

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join(timeout=5)


def _patch(client, login, world, body, user=None):
    login(user or world.admin)
    return client.patch(f"/api/v1/locations/{world.here.id}", json=body)


def _deliver(now: datetime | None = None) -> str | None:
    return run_job(job_named("deliver-webhooks"), now=now or utcnow())


def _finished_huddle(world, now: datetime) -> Agenda:
    day = datetime.now(ZoneInfo(world.here.timezone)).date()
    agenda = get_agenda(world.shift, day, now=now)
    agenda.status = "done"
    agenda.started_at = now - timedelta(minutes=5, seconds=30)
    agenda.finished_at = now
    for person, status in ((world.staff, "present"), (world.colleague, "late")):
        db.session.add(Attendance(agenda_id=agenda.id, user_id=person.id, status=status))
    db.session.commit()
    return agenda


def test_patch_sets_the_webhook_and_shows_its_secret_once(client, login, world, receiver):
    response = _patch(client, login, world, {"webhook_url": receiver.url, "setting": "hotel"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["webhook_url"] == receiver.url and body["setting"] == "hotel"
    secret = body["webhook_secret"]
    assert len(secret) == 64
    db.session.refresh(world.here)
    assert world.here.webhook_secret == secret
    again = _patch(client, login, world, {"webhook_url": receiver.url, "name": "Harbour Hotel"})
    assert "webhook_secret" not in again.get_json()
    cleared = _patch(client, login, world, {"webhook_url": ""})
    assert cleared.get_json()["webhook_url"] is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"setting": "spaceship"}, "setting"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"locale": "xx"}, "locale"),
        ({"name": "   "}, "name"),
        ({"name": "Old Town Bistro"}, "name"),
        ({"colour": "red"}, "colour"),
        ({"webhook_url": 42}, "webhook_url"),
        ({"webhook_url": "ftp://example.com/x"}, "webhook_url"),
        ({"webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"webhook_url": "http://user:pw@example.com/"}, "webhook_url"),
        ({"webhook_url": "http://example.com:99999/"}, "webhook_url"),
    ],
)
def test_patch_refuses_bad_fields_and_changes_nothing(client, login, world, body, field):
    response = _patch(client, login, world, {"setting": "retail", **body})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    db.session.expire_all()
    assert world.here.setting == "other" and world.here.webhook_url is None


@pytest.mark.parametrize("role", ["lead", "staff"])
def test_only_admins_patch_locations(client, login, world, role):
    response = _patch(client, login, world, {"setting": "hotel"}, user=world.by_role(role))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://240.0.0.1/hook",
    ],
)
def test_inside_addresses_are_refused_without_the_switch(url):
    with pytest.raises(FieldError) as caught:
        targets.resolve(url, allow_private=False)
    assert caught.value.field == "webhook_url"
    assert targets.resolve(url, allow_private=True).address


def test_patch_refuses_inside_addresses_when_private_targets_are_off(app, client, login, world):
    app.config["HUDDLES_WEBHOOK_ALLOW_PRIVATE"] = False
    response = _patch(client, login, world, {"webhook_url": "http://127.0.0.1:8080/x"})
    assert response.status_code == 422
    assert "private, loopback or reserved" in response.get_json()["error"]["message"]


def test_a_finished_huddle_summary_reaches_the_receiver_signed(app, client, login, world, receiver):
    # Only the summary: the day's agenda, due most of the day, would go out too.
    app.config["HUDDLES_WEBHOOK_AGENDA_LEAD_MINUTES"] = -24 * 60
    secret = _patch(client, login, world, {"webhook_url": receiver.url}).get_json()[
        "webhook_secret"
    ]
    now = utcnow()
    give_kudos(
        world.colleague,
        to_user_id=world.staff.id,
        message="Thanks for the calm handover.",
        value=None,
        now=now - timedelta(hours=1),
        daily_cap=5,
    )
    agenda = _finished_huddle(world, now)
    from huddles.kudos.models import Kudos

    db.session.execute(sa.update(Kudos).values(read_out_agenda_id=agenda.id, read_out_at=now))
    db.session.commit()
    result = _deliver(now)
    assert "delivered 1" in result, result
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hook/secret-path"
    body = receiver.json()
    assert "Early" in body["text"] and body["blocks"][0]["type"] == "header"
    assert body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    data = body["data"]
    assert data["held"] is True and data["duration_s"] == 330
    assert data["attended"] == 2 and data["roster"] == 3
    assert data["kudos"] == [{"to": "Sam", "message": "Thanks for the calm handover."}]
    timestamp = request["headers"]["X-Huddles-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    assert request["headers"]["X-Huddles-Signature"] == "sha256=" + expected
    # Once only: the next minute finds nothing more to send.
    _deliver(now + timedelta(minutes=1))
    assert len(receiver.requests) == 1
    row = db.session.scalar(sa.select(WebhookDelivery))
    assert row.status == "delivered" and row.response_status == 200


def test_the_finish_signal_queues_the_summary_at_once(app, client, login, world, receiver):
    _patch(client, login, world, {"webhook_url": receiver.url})
    agenda = _finished_huddle(world, utcnow())
    signals.huddle_finished.send(app, agenda_id=agenda.id, actor_id=world.lead.id)
    row = db.session.scalar(sa.select(WebhookDelivery))
    assert row is not None and row.event == "summary" and row.event_key == f"agenda:{agenda.id}"


def test_the_days_agenda_leaves_before_the_first_shift(app, client, login, world, receiver):
    _patch(client, login, world, {"webhook_url": receiver.url})
    zone = ZoneInfo(world.here.timezone)
    day = datetime.now(zone).date()
    world.shift.starts_at = time(9, 0)
    db.session.commit()
    start = datetime.combine(day, time(9, 0), zone)
    too_early = start - timedelta(minutes=61)
    _deliver(too_early)
    assert receiver.requests == []
    _deliver(start - timedelta(minutes=59))
    assert len(receiver.requests) == 1
    body = receiver.json()
    assert body["data"]["date"] == day.isoformat()
    assert body["data"]["huddles"][0]["shift"] == "Early"
    assert body["data"]["huddles"][0]["starts_at"] == "09:00"
    _deliver(start - timedelta(minutes=58))
    assert len(receiver.requests) == 1


def test_failures_are_retried_with_backoff_and_4xx_and_redirects_stop(
    app, client, login, world, receiver
):
    _patch(client, login, world, {"webhook_url": receiver.url})
    location = world.here
    now = utcnow()
    receiver.statuses = [500, 503, 200]
    service.enqueue_test(location, now=now)
    service.deliver_due(now, allow_private=True)
    row = db.session.scalar(sa.select(WebhookDelivery))
    assert row.status == "pending" and row.attempts == 1 and row.response_status == 500
    assert row.next_attempt_at == now + timedelta(seconds=30)
    service.deliver_due(now + timedelta(seconds=10), allow_private=True)
    assert len(receiver.requests) == 1  # not due yet
    service.deliver_due(now + timedelta(seconds=30), allow_private=True)
    db.session.refresh(row)
    assert row.attempts == 2 and row.next_attempt_at == now + timedelta(seconds=90)
    service.deliver_due(now + timedelta(seconds=90), allow_private=True)
    db.session.refresh(row)
    assert row.status == "delivered" and row.attempts == 3

    receiver.statuses = [404, 302]
    service.enqueue_test(location, now=now + timedelta(seconds=1))
    service.enqueue_test(location, now=now + timedelta(seconds=2))
    service.deliver_due(now + timedelta(seconds=5), allow_private=True)
    failed = db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.status == "failed")
    ).all()
    assert sorted(row.response_status for row in failed) == [302, 404]
    assert len(receiver.requests) == 5  # the redirect was not followed


def test_an_unreachable_receiver_is_retried_then_given_up(app, world):
    world.here.webhook_url = "http://127.0.0.1:9/nothing-listens"
    world.here.webhook_secret = "s" * 64
    db.session.commit()
    now = utcnow()
    service.enqueue_test(world.here, now=now)
    moment = now
    for _attempt in range(service.MAX_ATTEMPTS):
        row = db.session.scalar(sa.select(WebhookDelivery))
        moment = max(moment, row.next_attempt_at)
        service.deliver_due(moment, allow_private=True)
    db.session.refresh(row)
    assert row.status == "failed" and row.attempts == service.MAX_ATTEMPTS
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()


def test_slack_and_teams_receivers_get_their_own_shape():
    message = service.Message("Title", ["a line"], [("Here", "3 / 4")], "test", {"x": 1})
    slack = service.render(message, "https://hooks.slack.com/services/T/B/X")
    assert set(slack) == {"text", "blocks"}
    assert "*Title*" in slack["text"] and slack["blocks"][0]["text"]["text"] == "Title"
    teams = service.render(message, "https://prod-01.westeurope.logic.azure.com/workflows/1")
    assert teams["type"] == "message" and "text" in teams
    card = teams["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][-1]["facts"] == [{"title": "Here", "value": "3 / 4"}]


def test_the_location_page_sets_the_webhook_and_shows_the_log(app, client, login, world, receiver):
    login(world.admin)
    page = client.post(
        f"/admin/locations/{world.here.id}/webhook", data={"webhook_url": receiver.url}
    )
    assert page.status_code == 200
    db.session.refresh(world.here)
    assert world.here.webhook_secret in page.get_data(as_text=True)
    client.post(f"/admin/locations/{world.here.id}/webhook/test")
    _deliver()
    html = client.get(f"/admin/locations/{world.here.id}").get_data(as_text=True)
    assert "Deliveries" in html and "delivered" in html
    bad = client.post(
        f"/admin/locations/{world.here.id}/webhook", data={"webhook_url": "gopher://x"}
    )
    assert bad.status_code == 302
    follow = client.get(bad.headers["Location"]).get_data(as_text=True)
    assert "must start with https://" in follow


def test_a_missed_huddle_is_reported_as_not_held(app, client, login, world, receiver):
    # Only the summary: the day's agenda, due most of the day, would go out too.
    app.config["HUDDLES_WEBHOOK_AGENDA_LEAD_MINUTES"] = -24 * 60
    _patch(client, login, world, {"webhook_url": receiver.url})
    now = utcnow()
    day = datetime.now(ZoneInfo(world.here.timezone)).date()
    agenda = get_agenda(world.shift, day, now=now)
    agenda.status, agenda.finished_at = "missed", now
    db.session.commit()
    signals.huddle_closed.send(app, agenda_id=agenda.id, status="missed")
    _deliver()
    body = receiver.json()
    assert body["data"]["held"] is False and body["data"]["status"] == "missed"
    assert "was not held" in body["text"]
